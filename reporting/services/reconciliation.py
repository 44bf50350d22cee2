"""Reconciliation: our own ledger for a date beside the PLATFORM's business report.

Our side (`reporting.selectors.ledger_daily_totals`): the operator's applied BET, WIN and REFUND
transactions (status OK: canceled and refused ones excluded) of the UTC date the PLATFORM
stamped on them (`transaction_timestamp`, as its business report dates them; `created_at` when
unstamped), per vendor (from the catalog's game; "unknown" for a game the catalog does not know)
and currency, summed by `platform_wallet.selectors.applied_totals`: wins are WIN plus REFUND
amounts, GGR = bets - wins.

The PLATFORM's side: the stored business report of that date, summed per vendor and currency
over its entities; its GGR is the report's own `gross_gaming_revenue`.

Every line carries both sides and their differences (ours minus the PLATFORM's) in bets sum and
count, wins sum and count, GGR, free spins sum and count, and jackpots sum and count (issue 14:
our promotional free-spin WINs and jackpot WINs, `Transaction.is_freespin` / `is_jackpot`,
which are also inside wins, as in the report); any non-zero difference, or a line present on
one side only, sets `mismatch`.

`business_report_reconcile` is the nightly job of one operator and date (the Celery task and
the admin's "run now" both call it): fetch the business report, then reconcile.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from money import ZERO
from operators.models import Operator
from platform_wallet.selectors import AppliedTotals
from reporting.errors import BusinessReportMissing
from reporting.models import Reconciliation, ReconciliationLine
from reporting.selectors import (
    business_report_get,
    ledger_daily_totals,
    report_daily_totals,
    report_ggr,
)
from reporting.services.business_reports import business_report_fetch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportReconciled:
    """What the reports job did for one operator and date."""

    reconciliation: Reconciliation
    report_rows: int | None  # rows of the business report fetched; None: the stored one was used

    def __str__(self) -> str:
        date = self.reconciliation.date.isoformat()
        fetched = (
            "" if self.report_rows is None else f"business report {date}: {self.report_rows} rows; "
        )
        return (
            f"{fetched}reconciliation {date}: {self.reconciliation.line_count} lines, "
            f"{self.reconciliation.mismatch_count} mismatches"
        )


def business_report_reconcile(
    *, operator: Operator, date: dt.date, fetch: bool = True
) -> ReportReconciled:
    """Fetch the PLATFORM's business report of `date` (unless `fetch` is false: the stored one
    is used), then reconcile our ledger with it. Idempotent: a fetch replaces the date's rows, a
    reconciliation its lines. Raises what `business_report_fetch` and `reconciliation_run`
    raise."""
    report_rows = None
    if fetch:
        report_rows = business_report_fetch(operator=operator, date=date).rows.count()
    return ReportReconciled(reconciliation_run(operator=operator, date=date), report_rows)


def reconciliation_run(*, operator: Operator, date: dt.date) -> Reconciliation:
    """Compare our ledger of `date` with the stored PLATFORM business report of `date` and
    store the result (replacing an earlier run of the same date). Raises
    `BusinessReportMissing` when the report of that date has not been fetched."""
    report = business_report_get(operator=operator, date=date)
    if report is None:
        raise BusinessReportMissing(
            f"no business report of {date.isoformat()} for {operator.operator_id}: "
            "fetch it first (fetch_business_report)"
        )
    report_rows = list(report.rows.all())
    platform = report_daily_totals(rows=report_rows)
    platform_ggr = report_ggr(rows=report_rows)
    ours = ledger_daily_totals(operator=operator, date=date)

    lines = [
        _line(
            key=key,
            ours=ours.get(key),
            theirs=platform.get(key),
            theirs_ggr=platform_ggr.get(key, ZERO),
        )
        for key in sorted(set(ours) | set(platform))
    ]
    mismatches = sum(1 for line in lines if line.mismatch)
    with transaction.atomic():
        reconciliation, _ = Reconciliation.objects.select_for_update().get_or_create(
            operator=operator, date=date
        )
        reconciliation.lines.all().delete()
        reconciliation.report = report
        reconciliation.run_at = timezone.now()
        reconciliation.line_count = len(lines)
        reconciliation.mismatch_count = mismatches
        reconciliation.save()
        for line in lines:
            line.reconciliation = reconciliation
        ReconciliationLine.objects.bulk_create(lines)
    log = logger.warning if mismatches else logger.info
    log(
        "reconciliation %s %s: %d lines, %d mismatches",
        operator.operator_id,
        date.isoformat(),
        len(lines),
        mismatches,
    )
    return reconciliation


def _line(
    *,
    key: tuple[str, str],
    ours: AppliedTotals | None,
    theirs: AppliedTotals | None,
    theirs_ggr: Decimal,
) -> ReconciliationLine:
    vendor, currency = key
    mine = ours or AppliedTotals()
    platform = theirs or AppliedTotals()
    line = ReconciliationLine(
        vendor=vendor,
        currency=currency,
        in_ledger=ours is not None,
        in_report=theirs is not None,
        ledger_bets_sum=mine.bets,
        ledger_bets_count=mine.bets_count,
        ledger_wins_sum=mine.wins,
        ledger_wins_count=mine.wins_count,
        ledger_ggr=mine.ggr,
        platform_bets_sum=platform.bets,
        platform_bets_count=platform.bets_count,
        platform_wins_sum=platform.wins,
        platform_wins_count=platform.wins_count,
        platform_ggr=theirs_ggr if theirs is not None else ZERO,
        bets_sum_diff=mine.bets - platform.bets,
        bets_count_diff=mine.bets_count - platform.bets_count,
        wins_sum_diff=mine.wins - platform.wins,
        wins_count_diff=mine.wins_count - platform.wins_count,
        ledger_freespins_sum=mine.freespins,
        ledger_freespins_count=mine.freespins_count,
        ledger_jackpots_sum=mine.jackpots,
        ledger_jackpots_count=mine.jackpots_count,
        platform_freespins_sum=platform.freespins,
        platform_freespins_count=platform.freespins_count,
        platform_jackpots_sum=platform.jackpots,
        platform_jackpots_count=platform.jackpots_count,
        freespins_sum_diff=mine.freespins - platform.freespins,
        freespins_count_diff=mine.freespins_count - platform.freespins_count,
        jackpots_sum_diff=mine.jackpots - platform.jackpots,
        jackpots_count_diff=mine.jackpots_count - platform.jackpots_count,
    )
    line.ggr_diff = line.ledger_ggr - line.platform_ggr
    notes = []
    if ours is None:
        notes.append("only in the PLATFORM's report")
    if theirs is None:
        notes.append("only in our ledger")
    for label, diff in (
        ("bets sum", line.bets_sum_diff),
        ("bets count", line.bets_count_diff),
        ("wins sum", line.wins_sum_diff),
        ("wins count", line.wins_count_diff),
        ("GGR", line.ggr_diff),
        ("free spins sum", line.freespins_sum_diff),
        ("free spins count", line.freespins_count_diff),
        ("jackpots sum", line.jackpots_sum_diff),
        ("jackpots count", line.jackpots_count_diff),
    ):
        if diff:
            notes.append(f"{label} differs by {diff:+}")
    if theirs is not None and platform.ggr != line.platform_ggr:
        notes.append(
            f"the report's GGR {line.platform_ggr} is not its bets - wins ({platform.ggr})"
        )
    line.mismatch = bool(notes)
    line.notes = "; ".join(notes)[:500]
    return line
