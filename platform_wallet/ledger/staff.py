"""Money outside gameplay: opening balances and staff's manual adjustments. The rules:

- An opening balance is never negative; a non-zero one is a ledger entry (OPENING).
- An adjustment moves a whole number of cents, never zero, and says why. It records who made
  it (`staff`) and who approved it (`approved_by`, never its author).
- A debit never takes the balance below zero, unless the caller allows it.
- The wallet's row is locked while its balance changes; the entry is written in the same
  transaction (the caller's, if any: then the caller's other writes commit with the money or
  not at all).

Staff adjustments are made once per form and approved by a second person above a threshold:
that is `backoffice.adjustments`, which calls `wallet_adjust`.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from money import is_whole_cents
from platform_wallet.ledger.errors import AdjustmentRefused
from platform_wallet.models import EntryKind, LedgerEntry, Player, Wallet


def wallet_open(*, player: Player, currency: str, opening_balance: Decimal) -> Wallet:
    """Create a player's wallet in a currency (or find it); a non-zero opening balance is a
    ledger entry.

    Raises AdjustmentRefused: a negative opening balance, or one that is not whole cents."""
    if opening_balance < 0:
        raise AdjustmentRefused("An opening balance cannot be negative")
    with transaction.atomic():
        wallet, _created = Wallet.objects.get_or_create(player=player, currency=currency)
    if opening_balance:
        wallet_adjust(
            wallet=wallet,
            amount=opening_balance,
            reason="Opening balance",
            kind=EntryKind.OPENING,
        )
        wallet.refresh_from_db()
    return wallet


def wallet_adjust(
    *,
    wallet: Wallet,
    amount: Decimal,
    reason: str,
    staff: AbstractBaseUser | None = None,
    approved_by: AbstractBaseUser | None = None,
    kind: EntryKind = EntryKind.ADJUSTMENT,
    allow_negative: bool = False,
) -> LedgerEntry:
    """Credit (amount > 0) or debit (amount < 0) a wallet outside gameplay, with a reason;
    `staff` made it, `approved_by` (someone else) approved it. Returns the ledger entry.

    Raises AdjustmentRefused: not whole cents, a zero amount, no reason, an approver who is
    the author (or not saved), or a debit beyond the balance (unless `allow_negative`).
    """
    amount = Decimal(amount)
    if not is_whole_cents(amount):
        raise AdjustmentRefused("An amount has at most 2 decimal places")
    if amount == 0:
        raise AdjustmentRefused("An adjustment must move money")
    if not reason.strip():
        raise AdjustmentRefused("An adjustment needs a reason")
    if approved_by is not None and (
        not approved_by.pk or (staff is not None and approved_by.pk == staff.pk)
    ):
        raise AdjustmentRefused("An adjustment is approved by someone other than its author")
    now = timezone.now()
    with transaction.atomic():
        locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
        new_balance = locked.balance + amount
        if new_balance < 0 and amount < 0 and not allow_negative:
            raise AdjustmentRefused(f"Insufficient funds: balance is {locked.balance}")
        Wallet.objects.filter(pk=locked.pk).update(balance=new_balance, updated_at=now)
        return LedgerEntry.objects.create(
            wallet=locked,
            kind=kind,
            amount=amount,
            balance_after=new_balance,
            reason=reason.strip()[:255],
            created_by=staff if staff is not None and staff.pk else None,  # type: ignore[misc]
            approved_by=approved_by,
            created_at=now,
        )
