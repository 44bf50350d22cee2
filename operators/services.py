"""Operator accounts, as staff and scripts set them up: create or update an account
(`operator_upsert`, used by `create_operator`, the demo and the admin), rotate its secret
(`operator_secret_rotate`), and the checks of the values they take. Every refusal is an
`AccountRefused` naming the value.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from operators.accounts import operator_cache_clear, parse_networks
from operators.models import Operator

# Spec, Important notes 5: no STRING parameter may contain the symbol |.
_NO_PIPE = re.compile(r"[^|]*")


class AccountRefused(Exception):
    """A value of an operator or player account is refused; the message names it."""


def spec_string_check(name: str, value: str, max_length: int) -> str:
    """A STRING value the PLATFORM receives (ids, names): stripped, not empty, at most
    `max_length` characters, no '|' (spec, Important notes 5)."""
    value = value.strip()
    if not value:
        raise AccountRefused(f"{name} is required")
    if len(value) > max_length:
        raise AccountRefused(f"{name} is longer than {max_length} characters")
    if not _NO_PIPE.fullmatch(value):
        raise AccountRefused(f"{name} must not contain '|'")
    return value


def check_platform_url(name: str, value: str) -> str:
    """A PLATFORM host (api_host, launch_host): an absolute http(s) URL with a host, https
    when PLATFORM_HOSTS_REQUIRE_HTTPS (production). Empty stays empty (not configured).

    Raises AccountRefused saying what is wrong."""
    value = value.strip()
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AccountRefused(
            f"{name} must be an absolute http(s) URL with a host, e.g. https://host"
        )
    if parts.scheme != "https" and settings.PLATFORM_HOSTS_REQUIRE_HTTPS:
        raise AccountRefused(f"{name} must be an https:// URL in production")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise AccountRefused(f"{name} must not carry a query, fragment or credentials")
    if len(value) > 200:
        raise AccountRefused(f"{name} is longer than 200 characters")
    return value


def check_allowed_ips(value: str) -> str:
    """An operator's IP allow-list: addresses or CIDR networks, by comma or line.

    Raises AccountRefused naming the first item that is neither."""
    try:
        parse_networks(value)
    except ValueError as exc:
        raise AccountRefused(str(exc)) from None
    return value.strip()


def check_network_access(*, allowed_ips: str, allow_any_address: bool) -> None:
    """An allow-list and the opt-out exclude each other (which one would apply?).

    Raises AccountRefused when both are set."""
    if allow_any_address and allowed_ips.strip():
        raise AccountRefused(
            "An IP allow-list and 'allow any address' exclude each other: keep only one."
        )


def operator_upsert(
    *,
    operator_id: str,
    secret_key: str,
    api_host: str | None = None,
    launch_host: str | None = None,
    name: str | None = None,
    allowed_ips: str | None = None,
    allow_any_address: bool | None = None,
) -> tuple[Operator, bool]:
    """Create or update an operator account (active). Options left None keep their stored
    values (a new account: none).

    Raises AccountRefused when a value is refused: an id or secret missing or malformed, a
    PLATFORM host that is not an absolute http(s) URL (https in production), an allow-list
    that does not parse, or an allow-list together with `allow_any_address`."""
    operator_id = spec_string_check("operator_id", operator_id, 20)
    if not secret_key:
        raise AccountRefused("secret_key is required")
    defaults: dict[str, object] = {"secret_key": secret_key, "is_active": True}
    if api_host is not None:
        defaults["api_host"] = check_platform_url("api_host", api_host).rstrip("/")
    if launch_host is not None:
        defaults["launch_host"] = check_platform_url("launch_host", launch_host)
    if name is not None:
        defaults["name"] = name
    if allowed_ips is not None:
        defaults["allowed_ips"] = check_allowed_ips(allowed_ips)
    if allow_any_address is not None:
        defaults["allow_any_address"] = allow_any_address
    with transaction.atomic():
        current = (
            Operator.objects.select_for_update()
            .filter(operator_id=operator_id)
            .values_list("allowed_ips", "allow_any_address")
            .first()
        ) or ("", False)
        check_network_access(
            allowed_ips=str(defaults.get("allowed_ips", current[0])),
            allow_any_address=bool(defaults.get("allow_any_address", current[1])),
        )
        operator, created = Operator.objects.update_or_create(
            operator_id=operator_id, defaults=defaults
        )
    operator_cache_clear()
    return operator, created


def operator_secret_rotate(
    *, operator: Operator, secret_key: str, staff: AbstractBaseUser | None = None
) -> None:
    """Set the secret key the PLATFORM gave us for this operator id; every later call is
    verified with it (other processes see it within WALLET_OPERATOR_CACHE_SECONDS). The audit
    trail records that it happened and who did it, never the secret.

    Raises AccountRefused for a key shorter than 8 characters or containing '|'."""
    secret_key = secret_key.strip()
    if len(secret_key) < 8:
        raise AccountRefused("A secret key has at least 8 characters")
    if "|" in secret_key:
        raise AccountRefused("A secret key must not contain '|'")
    with transaction.atomic():
        Operator.objects.filter(pk=operator.pk).update(secret_key=secret_key)
        operator.secret_key = secret_key
        audit_record(actor=staff, action=AuditAction.OPERATOR_SECRET_ROTATED, target=operator)
    operator_cache_clear()
    # and again once committed, so that no call in between caches the old secret
    transaction.on_commit(operator_cache_clear)


def operator_saved(*, operator: Operator) -> None:
    """After staff edit an operator account: the gameplay API reads it fresh."""
    operator_cache_clear()
    transaction.on_commit(operator_cache_clear)
