"""Operator accounts and players: creation and updates used by commands, the demo and staff."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from platform_wallet.models import Operator, Player, Wallet
from platform_wallet.services.ledger import wallet_open
from platform_wallet.services.operators import operator_cache_clear
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


def operator_upsert(
    *,
    operator_id: str,
    secret_key: str,
    api_host: str | None = None,
    launch_host: str | None = None,
    name: str | None = None,
) -> tuple[Operator, bool]:
    operator_id = _check_string("operator_id", operator_id, 20)
    if not secret_key:
        raise ValueError("secret_key is required")
    defaults: dict[str, object] = {"secret_key": secret_key, "is_active": True}
    if api_host is not None:
        defaults["api_host"] = api_host.rstrip("/")
    if launch_host is not None:
        defaults["launch_host"] = launch_host
    if name is not None:
        defaults["name"] = name
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
