"""Operator accounts and players: creation and updates used by commands, the demo and staff."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from platform_wallet.ledger import wallet_open
from platform_wallet.models import Operator, Player, Wallet
from platform_wallet.services.operators import operator_cache_clear, parse_networks
from platform_wallet.services.sessions import sessions_end_for_player

# Spec, Important notes 5: no STRING parameter may contain the symbol |.
_NO_PIPE = re.compile(r"^[^|]*$")
_ISO_4217 = re.compile(r"[A-Z]{3}")


def currency_code_check(currency: str) -> str:
    """A wallet currency: an ISO 4217 code (three letters, e.g. EUR) or one of the custom codes
    agreed with the PLATFORM (WALLET_CUSTOM_CURRENCIES, e.g. mBTC written as MBTC). Raises
    ValueError naming the problem."""
    code = currency.strip().upper()
    if _ISO_4217.fullmatch(code) or code in settings.WALLET_CUSTOM_CURRENCIES:
        return code
    custom = ", ".join(settings.WALLET_CUSTOM_CURRENCIES) or "none configured"
    raise ValueError(
        f"currency {currency!r} is not an ISO 4217 code (three letters, e.g. EUR) nor a "
        f"custom code of WALLET_CUSTOM_CURRENCIES ({custom})"
    )


def _check_string(name: str, value: str, max_length: int) -> str:
    value = value.strip()
    if not value:
        raise ValueError(f"{name} is required")
    if len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    if not _NO_PIPE.match(value):
        raise ValueError(f"{name} must not contain '|'")
    return value


def check_platform_url(name: str, value: str) -> str:
    """A PLATFORM host (api_host, launch_host): an absolute http(s) URL with a host, https
    when PLATFORM_HOSTS_REQUIRE_HTTPS (production). Empty stays empty (not configured).

    Raises ValueError saying what is wrong."""
    value = value.strip()
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an absolute http(s) URL with a host, e.g. https://host")
    if parts.scheme != "https" and settings.PLATFORM_HOSTS_REQUIRE_HTTPS:
        raise ValueError(f"{name} must be an https:// URL in production")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{name} must not carry a query, fragment or credentials")
    if len(value) > 200:
        raise ValueError(f"{name} is longer than 200 characters")
    return value


def check_allowed_ips(value: str) -> str:
    """An operator's IP allow-list: addresses or CIDR networks, by comma or line.

    Raises ValueError naming the first item that is neither."""
    parse_networks(value)
    return value.strip()


def check_network_access(*, allowed_ips: str, allow_any_address: bool) -> None:
    """An allow-list and the opt-out exclude each other (which one would apply?).

    Raises ValueError when both are set."""
    if allow_any_address and allowed_ips.strip():
        raise ValueError(
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

    Raises ValueError when a value is refused: an id or secret missing or malformed, a
    PLATFORM host that is not an absolute http(s) URL (https in production), an allow-list
    that does not parse, or an allow-list together with `allow_any_address`."""
    operator_id = _check_string("operator_id", operator_id, 20)
    if not secret_key:
        raise ValueError("secret_key is required")
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


@transaction.atomic
def player_upsert(
    *,
    operator: Operator,
    user_id: str,
    user_name: str,
    country: str,
    currency: str,
    opening_balance: Decimal = Decimal("0"),
    display_name: str = "",
    group: str = "",
    blocked: bool = False,
) -> tuple[Player, Wallet, bool]:
    """Create or update a player and open its wallet in `currency`.

    A new wallet's opening balance is a ledger entry; an existing wallet keeps its balance
    (money only moves through the ledger).
    """
    user_id = _check_string("user_id", user_id, 70)
    user_name = _check_string("user_name", user_name, 255)
    country = _check_string("country", country, 100)
    currency = currency_code_check(currency)
    if display_name:
        display_name = _check_string("display_name", display_name, 100)
    player, created = Player.objects.update_or_create(
        operator=operator,
        user_id=user_id,
        defaults={
            "user_name": user_name,
            "country": country,
            "display_name": display_name,
            "group": group,
            "is_blocked": blocked,
        },
    )
    existing = Wallet.objects.filter(player=player, currency=currency).first()
    wallet = existing or wallet_open(
        player=player, currency=currency, opening_balance=opening_balance
    )
    return player, wallet, created


def player_block(*, player: Player, reason: str, actor: AbstractBaseUser | None = None) -> None:
    """Block a player: no launch, no BET (OP_33); open game sessions end. WINs still credit.

    Recorded in the audit trail with `actor` (None: a command or the system), in the same
    transaction. Raises ValueError without a reason."""
    if not reason.strip():
        raise ValueError("Blocking a player needs a reason")
    with transaction.atomic():
        Player.objects.filter(pk=player.pk).update(
            is_blocked=True, blocked_reason=reason.strip()[:255]
        )
        ended = sessions_end_for_player(player=player, reason=f"blocked: {reason.strip()}")
        audit_record(
            actor=actor,
            action=AuditAction.PLAYER_BLOCKED,
            target=player,
            details={"reason": reason.strip(), "sessions_ended": ended},
        )
    player.refresh_from_db()


def player_unblock(
    *, player: Player, reason: str = "", actor: AbstractBaseUser | None = None
) -> None:
    """Unblock a player, recorded in the audit trail with `actor` and `reason`."""
    with transaction.atomic():
        Player.objects.filter(pk=player.pk).update(is_blocked=False, blocked_reason="")
        audit_record(
            actor=actor,
            action=AuditAction.PLAYER_UNBLOCKED,
            target=player,
            details={"reason": reason.strip()},
        )
    player.refresh_from_db()
