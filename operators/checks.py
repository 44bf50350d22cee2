"""`manage.py check --deploy` checks of the wallet (issue 10: production fails closed).

- operators.E001: an active operator has no IP allow-list and did not opt out
  (`allow_any_address`): in production its every call is refused with HTTP 403.
- operators.E002: an active operator's allow-list does not parse: every call refused.
- operators.I001: an active operator accepts calls from any address (its explicit
  opt-out, for a private link): listed, not an error.
- operators.W001: the operator accounts could not be read (database unreachable or not
  migrated): nothing was verified.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Info, Tags, Warning, register
from django.db import DatabaseError

from operators.accounts import parse_networks

HINT = (
    "Set the operator's allowed_ips to the PLATFORM's addresses (admin, or "
    "`manage.py create_operator ID --secret-key KEY --allowed-ips ADDRESSES`); for a private "
    "link only, opt out with --allow-any-address."
)


@register(Tags.security, deploy=True)
def operators_have_ip_allow_lists(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from operators.models import Operator

    try:
        rows = list(
            Operator.objects.filter(is_active=True).values_list(
                "operator_id", "allowed_ips", "allow_any_address"
            )
        )
    except DatabaseError as exc:
        return [
            Warning(
                "Could not read the operator accounts to check their IP allow-lists "
                f"({type(exc).__name__}: {str(exc).strip()[:200]}).",
                hint="Run the check where the database is reachable and migrated.",
                id="operators.W001",
            )
        ]
    messages: list[CheckMessage] = []
    for operator_id, allowed_ips, allow_any_address in rows:
        try:
            networks = parse_networks(allowed_ips)
        except ValueError as exc:
            messages.append(
                Error(
                    f"Operator {operator_id!r}: its IP allow-list does not parse ({exc}); "
                    "every call is refused.",
                    hint=HINT,
                    id="operators.E002",
                )
            )
            continue
        if networks:
            continue
        if allow_any_address:
            messages.append(
                Info(
                    f"Operator {operator_id!r} accepts gameplay calls from any address "
                    "(allow_any_address: a private link).",
                    id="operators.I001",
                )
            )
        else:
            messages.append(
                Error(
                    f"Operator {operator_id!r} has no IP allow-list: in production every "
                    "gameplay call of it is refused (HTTP 403).",
                    hint=HINT,
                    id="operators.E001",
                )
            )
    return messages
