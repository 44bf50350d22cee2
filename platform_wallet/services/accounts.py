"""Players: creation and updates used by commands, the demo and staff; blocking. Refusals of
a value are `operators.services.AccountRefused`, naming it."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from operators.models import Operator
from operators.services import AccountRefused, spec_string_check
from platform_wallet.ledger import wallet_open
from platform_wallet.models import Player, Wallet
from platform_wallet.services.sessions import sessions_end_for_player

_ISO_4217 = re.compile(r"[A-Z]{3}")


def currency_code_check(currency: str) -> str:
    """A wallet currency: an ISO 4217 code (three letters, e.g. EUR) or one of the custom codes
    agreed with the PLATFORM (WALLET_CUSTOM_CURRENCIES, e.g. mBTC written as MBTC). Raises
    AccountRefused naming the problem."""
    code = currency.strip().upper()
    if _ISO_4217.fullmatch(code) or code in settings.WALLET_CUSTOM_CURRENCIES:
        return code
    custom = ", ".join(settings.WALLET_CUSTOM_CURRENCIES) or "none configured"
    raise AccountRefused(
        f"currency {currency!r} is not an ISO 4217 code (three letters, e.g. EUR) nor a "
        f"custom code of WALLET_CUSTOM_CURRENCIES ({custom})"
    )


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

    Raises AccountRefused naming a refused value; AdjustmentRefused (a `LedgerError`) for an
    opening balance that is negative or not whole cents. Either way nothing is saved.
    """
    user_id = spec_string_check("user_id", user_id, 70)
    user_name = spec_string_check("user_name", user_name, 255)
    country = spec_string_check("country", country, 100)
    currency = currency_code_check(currency)
    if display_name:
        display_name = spec_string_check("display_name", display_name, 100)
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
    transaction. Raises AccountRefused without a reason."""
    if not reason.strip():
        raise AccountRefused("Blocking a player needs a reason")
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
