"""The backoffice's permissions, staff's adjustment requests and views of ledger data.

`StaffAccess` only carries the custom permissions the roles are made of (unmanaged, never
queried); `Campaign` is the transactions with a campaign code (a proxy, read-only);
`ManualAdjustment` is the ledger's ADJUSTMENT entries as staff see them (a proxy: the
entries themselves are written only by `ledger.wallet_adjust`); `AdjustmentRequest` is
what a staff member asked for, under the idempotency key of the form they sent (`adjustments`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from platform_wallet.models import EntryKind, LedgerEntry, Transaction, Wallet


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
            (
                "approve_adjustment",
                "Can approve or reject another staff member's large manual adjustment",
            ),
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


class CampaignManager(models.Manager["Campaign"]):
    def get_queryset(self) -> models.QuerySet[Campaign]:
        return super().get_queryset().exclude(campaign_code="")


class Campaign(Transaction):
    """The free-spin campaigns as staff see them (issue 14): the transactions that carry a
    campaign code (a proxy; its admin page aggregates them per code, `admin/campaigns.py`)."""

    objects = CampaignManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        default_permissions = ("view",)
        verbose_name = "campaign"


class AdjustmentStatus(models.TextChoices):
    PENDING = "PENDING", "Waiting for approval"
    APPLIED = "APPLIED", "Applied (money moved)"
    REJECTED = "REJECTED", "Rejected"


class AdjustmentRequest(models.Model):
    """A manual adjustment as a staff member submitted it, once per idempotency key.

    Under the approval threshold it is APPLIED at once; above it, it is PENDING until a second
    staff member approves it (the money moves then: `entry`) or someone rejects it. The
    database holds the rules too: one request per (staff member, key), one ledger entry per
    request, and an approved request's approver is not its author."""

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(
        max_digits=18, decimal_places=2, help_text="Signed: credits positive, debits negative."
    )
    reason = models.CharField(max_length=255)
    idempotency_key = models.CharField(
        max_length=64, help_text="Generated when the form was shown; sent back with it."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    requested_at = models.DateTimeField(default=timezone.now)
    needs_approval = models.BooleanField(
        default=False, help_text="Above the approval threshold of its currency when submitted."
    )
    status = models.CharField(max_length=10, choices=AdjustmentStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="Who approved or rejected it.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=255, blank=True)
    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The ledger entry that moved the money.",
    )

    class Meta:
        default_permissions = ("view",)
        verbose_name = "adjustment request"
        constraints = [
            # The idempotency key: a form sent twice (double-click, two tabs) is one request.
            models.UniqueConstraint(
                fields=["requested_by", "idempotency_key"], name="adjustment_request_key"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_request_moves_money"),
            models.CheckConstraint(
                condition=(
                    Q(status=AdjustmentStatus.APPLIED, entry__isnull=False)
                    | (~Q(status=AdjustmentStatus.APPLIED) & Q(entry__isnull=True))
                ),
                name="adjustment_request_entry_when_applied",
            ),
            # Four eyes: an approved request was decided by someone other than its author.
            models.CheckConstraint(
                condition=(
                    Q(needs_approval=False)
                    | ~Q(status=AdjustmentStatus.APPLIED)
                    | (Q(decided_by__isnull=False) & ~Q(decided_by=F("requested_by")))
                ),
                name="adjustment_request_four_eyes",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="adjustment_request_status")
        ]

    def __str__(self) -> str:
        return f"adjustment request {self.pk}: {self.amount} {self.wallet.currency}"

    @property
    def currency(self) -> str:
        return self.wallet.currency
