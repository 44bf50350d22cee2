"""Reads of the wallet's data that more than one place needs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from platform_wallet.models import LedgerEntry, Wallet


@dataclass(frozen=True)
class LedgerMismatch:
    wallet_pk: int
    label: str
    balance: Decimal
    entries_sum: Decimal


def wallets_with_entry_sums() -> QuerySet[Wallet]:
    entries = (
        LedgerEntry.objects.filter(wallet=OuterRef("pk"))
        .values("wallet")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=18, decimal_places=2)
    return Wallet.objects.select_related("player").annotate(
        entries_sum=Coalesce(
            Subquery(entries, output_field=money), Value(Decimal("0")), output_field=money
        )
    )


def ledger_mismatches() -> list[LedgerMismatch]:
    """Wallets whose balance differs from the sum of their ledger entries (there should be
    none: the balance is a cache of that sum)."""
    found = []
    for wallet in wallets_with_entry_sums().iterator():
        entries_sum = Decimal(wallet.entries_sum).quantize(Decimal("0.01"))  # type: ignore[attr-defined]
        if wallet.balance != entries_sum:
            found.append(
                LedgerMismatch(
                    wallet.pk,
                    f"{wallet.player.user_id} {wallet.currency}",
                    wallet.balance,
                    entries_sum,
                )
            )
    return found
