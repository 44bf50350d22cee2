"""Reports the PLATFORM's operator APIs give us, and what we make of them.

- `BusinessReport` / `BusinessReportRow`: one stored report per operator and date (spec:
  Business report API). Fetching the date again replaces its rows in one database transaction.
- `Reconciliation` / `ReconciliationLine`: our own ledger for a date, aggregated per vendor and
  currency, beside the PLATFORM's business report for that date, every difference flagged.
- `LimitSnapshot` / `LimitAlert`: what the Balance limits API (and the deprecated GGR limits
  API) answered, and the alerts raised from it (limit exceeded, available balance under
  `BALANCE_LIMIT_ALERT_THRESHOLD`).

"The date" of our own ledger is the UTC calendar date of a transaction's `created_at` (the
moment our wallet recorded it), the PLATFORM's report dates are UTC too.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from operators.models import Operator

ZERO = Decimal("0.00")


class BusinessReport(models.Model):
    """The PLATFORM's business report of one date for one operator id."""

    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="business_reports"
    )
    date = models.DateField(help_text="Report date (UTC).")
    fetched_at = models.DateTimeField(default=timezone.now)
    fetch_count = models.PositiveIntegerField(
        default=1, help_text="How many times this date was fetched (each fetch replaces rows)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "date"], name="business_report_op_date")
        ]
        ordering = ["-date", "operator"]

    def __str__(self) -> str:
        return f"{self.operator} {self.date}"


class BusinessReportRow(models.Model):
    """One row of the report: an entity, vendor and currency with its sums and counts."""

    report = models.ForeignKey(BusinessReport, on_delete=models.CASCADE, related_name="rows")
    entity_name = models.CharField(max_length=255, blank=True)
    vendor = models.CharField(max_length=100)
    currency = models.CharField(max_length=4)
    bets_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    bets_count = models.PositiveBigIntegerField(default=0)
    wins_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    wins_count = models.PositiveBigIntegerField(default=0)
    freespins_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    freespins_count = models.PositiveBigIntegerField(default=0)
    jackpots_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    jackpots_count = models.PositiveBigIntegerField(default=0)
    gross_gaming_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    raw = models.JSONField(default=dict, blank=True, help_text="The row as the PLATFORM sent it.")

    class Meta:
        ordering = ["vendor", "currency", "entity_name"]
        indexes = [models.Index(fields=["report", "vendor", "currency"], name="report_row_vc")]

    def __str__(self) -> str:
        return f"{self.vendor} {self.currency} GGR {self.gross_gaming_revenue}"


class Reconciliation(models.Model):
    """Our ledger against the PLATFORM's business report, for one operator and date.

    Running it again for the same date replaces its lines.
    """

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="reconciliations")
    date = models.DateField(help_text="Date reconciled (UTC).")
    report = models.ForeignKey(
        BusinessReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reconciliations",
        help_text="The stored PLATFORM report compared against.",
    )
    run_at = models.DateTimeField(default=timezone.now)
    line_count = models.PositiveIntegerField(default=0)
    mismatch_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "date"], name="reconciliation_op_date")
        ]
        ordering = ["-date", "operator"]

    def __str__(self) -> str:
        state = "clean" if self.is_clean else f"{self.mismatch_count} mismatches"
        return f"{self.operator} {self.date}: {state}"

    @property
    def is_clean(self) -> bool:
        return self.mismatch_count == 0


class ReconciliationLine(models.Model):
    """One vendor and currency: our figures, the PLATFORM's, and their differences
    (ours minus the PLATFORM's). `mismatch` is set when any difference is not zero, or the
    line exists on one side only."""

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="lines"
    )
    vendor = models.CharField(max_length=100)
    currency = models.CharField(max_length=4)
    in_ledger = models.BooleanField(default=False, help_text="Our ledger has this line.")
    in_report = models.BooleanField(default=False, help_text="The PLATFORM's report has it.")

    ledger_bets_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    ledger_bets_count = models.PositiveBigIntegerField(default=0)
    ledger_wins_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    ledger_wins_count = models.PositiveBigIntegerField(default=0)
    ledger_ggr = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    ledger_freespins_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    ledger_freespins_count = models.PositiveBigIntegerField(default=0)
    ledger_jackpots_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    ledger_jackpots_count = models.PositiveBigIntegerField(default=0)

    platform_bets_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    platform_bets_count = models.PositiveBigIntegerField(default=0)
    platform_wins_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    platform_wins_count = models.PositiveBigIntegerField(default=0)
    platform_ggr = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    platform_freespins_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    platform_freespins_count = models.PositiveBigIntegerField(default=0)
    platform_jackpots_sum = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    platform_jackpots_count = models.PositiveBigIntegerField(default=0)

    bets_sum_diff = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    bets_count_diff = models.BigIntegerField(default=0)
    wins_sum_diff = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    wins_count_diff = models.BigIntegerField(default=0)
    ggr_diff = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    freespins_sum_diff = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    freespins_count_diff = models.BigIntegerField(default=0)
    jackpots_sum_diff = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    jackpots_count_diff = models.BigIntegerField(default=0)
    mismatch = models.BooleanField(default=False, db_index=True)
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-mismatch", "vendor", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "vendor", "currency"], name="recon_line_vendor_currency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.currency}{' MISMATCH' if self.mismatch else ''}"


class LimitKind(models.TextChoices):
    BALANCE = "balance", "Balance limits"
    GGR = "ggr", "GGR limits (deprecated)"


class LimitSnapshot(models.Model):
    """What the Balance limits API (or the deprecated GGR limits API) answered at one moment."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="limit_snapshots")
    kind = models.CharField(max_length=10, choices=LimitKind.choices)
    fetched_at = models.DateTimeField(default=timezone.now, db_index=True)
    enabled = models.BooleanField(help_text="False: the PLATFORM does not limit this operator.")
    currency = models.CharField(max_length=4, blank=True, help_text="Main currency of the limit.")
    available_balance = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    limit_exceeded = models.BooleanField(null=True, blank=True)
    currencies = models.JSONField(
        default=dict, blank=True, help_text="Per currency: {code: available_balance}."
    )
    limit = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text="GGR limit."
    )
    current_usage = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    percentage_usage = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-fetched_at"]
        indexes = [
            models.Index(fields=["operator", "kind", "-fetched_at"], name="limit_snap_recent")
        ]

    def __str__(self) -> str:
        return f"{self.operator} {self.kind} {self.fetched_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    LIMIT_EXCEEDED = "limit_exceeded", "Limit exceeded"
    LOW_BALANCE = "low_balance", "Available balance under threshold"
    GGR_USAGE = "ggr_usage", "GGR limit usage over threshold"


class LimitAlert(models.Model):
    """An alert raised by a limits check. It is open until a later check finds the condition
    gone; it is mailed to the site admins when it opens (not again every hour while open)."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="limit_alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    currency = models.CharField(max_length=4, blank=True)
    message = models.CharField(max_length=500)
    available_balance = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    threshold = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    snapshot = models.ForeignKey(
        LimitSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    last_snapshot = models.ForeignKey(
        LimitSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    mailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "kind", "currency"],
                condition=models.Q(resolved_at__isnull=True),
                name="limit_alert_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.operator} {self.currency}".strip()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
