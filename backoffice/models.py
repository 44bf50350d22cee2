"""The backoffice's permissions and views of ledger data for staff.

No tables of its own: `StaffAccess` only carries the custom permissions the roles are made of
(unmanaged, never queried), and `ManualAdjustment` is the ledger's ADJUSTMENT entries as staff
see them (a proxy: the entries themselves are written only by `services.ledger.wallet_adjust`).
"""

from __future__ import annotations

from django.db import models

from platform_wallet.models import EntryKind, LedgerEntry


class StaffAccess(models.Model):
    """Holder of the backoffice's custom permissions (no table)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = "staff access"
        permissions = [
            ("block_player", "Can block and unblock players"),
            ("revoke_session", "Can revoke game sessions"),
            ("adjust_wallet", "Can credit or debit a wallet (manual adjustment)"),
            ("rotate_operator_secret", "Can rotate an operator's secret key"),
            ("fetch_hand_history", "Can fetch a transaction's hand history from the PLATFORM"),
            ("run_jobs", "Can run scheduled jobs now"),
        ]

    def __str__(self) -> str:
        return "staff access"


class ManualAdjustmentManager(models.Manager["ManualAdjustment"]):
    def get_queryset(self) -> models.QuerySet[ManualAdjustment]:
        return super().get_queryset().filter(kind=EntryKind.ADJUSTMENT)


class ManualAdjustment(LedgerEntry):
    """A staff member's credit or debit of a wallet: a ledger entry of kind ADJUSTMENT."""

    objects = ManualAdjustmentManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        default_permissions = ("view",)
        verbose_name = "manual adjustment"
