"""Reconciliation: our own ledger for a date beside the PLATFORM's business report.

Our side (`reporting.selectors.ledger_daily_totals`): the operator's BET, WIN and REFUND
transactions with status OK of the UTC date the PLATFORM stamped on them (`transaction_timestamp`,
as its business report dates them; `created_at` when unstamped), canceled and refused ones
excluded, per vendor (from the catalog's game; "unknown" for a game the catalog does not know)
and currency. Wins are WIN plus REFUND amounts. GGR = bets - wins.

The PLATFORM's side: the stored business report of that date, summed per vendor and currency
over its entities; its GGR is the report's own `gross_gaming_revenue`.

Every line carries both sides and their differences (ours minus the PLATFORM's) in bets sum and
count, wins sum and count, and GGR; any non-zero difference, or a line present on one side
only, sets `mismatch`.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from operators.models import Operator
from reporting.errors import BusinessReportMissing
from reporting.models import Reconciliation, ReconciliationLine
from reporting.selectors import (
    Totals,
    business_report_get,
    ledger_daily_totals,
    report_daily_totals,
    report_ggr,
)

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")


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
    *, key: tuple[str, str], ours: Totals | None, theirs: Totals | None, theirs_ggr: Decimal
) -> ReconciliationLine:
    vendor, currency = key
    mine = ours or Totals(vendor=vendor, currency=currency)
    platform = theirs or Totals(vendor=vendor, currency=currency)
    line = ReconciliationLine(
        vendor=vendor,
        currency=currency,
        in_ledger=ours is not None,
        in_report=theirs is not None,
        ledger_bets_sum=mine.bets_sum,
        ledger_bets_count=mine.bets_count,
        ledger_wins_sum=mine.wins_sum,
        ledger_wins_count=mine.wins_count,
        ledger_ggr=mine.ggr,
        platform_bets_sum=platform.bets_sum,
        platform_bets_count=platform.bets_count,
        platform_wins_sum=platform.wins_sum,
        platform_wins_count=platform.wins_count,
        platform_ggr=theirs_ggr if theirs is not None else ZERO,
        bets_sum_diff=mine.bets_sum - platform.bets_sum,
        bets_count_diff=mine.bets_count - platform.bets_count,
        wins_sum_diff=mine.wins_sum - platform.wins_sum,
        wins_count_diff=mine.wins_count - platform.wins_count,
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
