"""Business report (spec: Business report API): one stored report per operator and date.

Nothing from outside is trusted for shape (issue 10). Every row is checked before anything is
replaced: of the documented types, of the date asked for, `entity_name` text within 255
characters, `vendor` a code within 100 (it is matched with the catalog's), `currency_code` 3 or
4 upper-case letters or digits, sums exact to the cent within DecimalField(18, 2) (more decimals
are refused, never rounded), counts 0..2**63-1, no control characters.

One bad row refuses the whole report: nothing is stored, an earlier fetch of the date is kept,
and the error names every bad row. A money report is reconciled against our ledger: a partial
report would flag the missing vendors as differences (or hide real ones), and it would replace
a complete report already stored. The PLATFORM is asked again at the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from operators.models import Operator
from platform_client import BusinessReportRow as PlatformReportRow
from platform_client import PlatformClient, RejectedRow
from platform_client import validation as check
from reporting.errors import BusinessReportInvalid
from reporting.models import BusinessReport, BusinessReportRow

logger = logging.getLogger(__name__)

SHOWN_PROBLEMS = 10
SUMS = ("bets_sum", "wins_sum", "freespins_sum", "jackpots_sum", "gross_gaming_revenue")
COUNTS = ("bets_count", "wins_count", "freespins_count", "jackpots_count")


def business_report_fetch(
    *, operator: Operator, date: dt.date, client: PlatformClient | None = None
) -> BusinessReport:
    """Fetch the PLATFORM's business report of `date` and store it, replacing what an earlier
    fetch of that date stored, in one database transaction: a reader sees the old rows or the
    new ones, never a mix. The HTTP call happens before the transaction opens; every row is
    checked before it (see module).

    Raises `PlatformApiError` when the PLATFORM does not answer as documented (not a list), and
    `BusinessReportInvalid` when a row belongs to another date or is not valid (naming every such
    row; nothing is stored then).
    """
    client = client or PlatformClient(operator)
    answer = client.business_report_checked(date)
    rows = list(answer.rows)
    wrong = sorted({row.date.isoformat() for row in rows if row.date != date})
    if wrong:
        raise BusinessReportInvalid(
            f"business report of {date.isoformat()} for {operator.operator_id} has rows of "
            f"other dates: {', '.join(wrong)}; nothing stored"
        )
    problems = [*answer.rejected, *_invalid_rows(rows)]
    _refuse_invalid(operator, date, problems, total=len(rows) + len(answer.rejected))
    values = [_row_values(row) for row in rows]  # validated before anything is replaced
    with transaction.atomic():
        report, created = BusinessReport.objects.select_for_update().get_or_create(
            operator=operator, date=date
        )
        if not created:
            report.rows.all().delete()
            BusinessReport.objects.filter(pk=report.pk).update(
                fetched_at=timezone.now(), fetch_count=F("fetch_count") + 1
            )
            report.refresh_from_db()
        BusinessReportRow.objects.bulk_create(
            [BusinessReportRow(report=report, **v) for v in values]
        )
    logger.info(
        "business report %s %s stored: %d rows (%s)",
        operator.operator_id,
        date.isoformat(),
        len(rows),
        "new" if created else f"replaced, fetch {report.fetch_count}",
    )
    return report


def business_report_row_check(row: PlatformReportRow) -> None:
    """Raise `InvalidValue` (naming the field) unless `row` fits what we store (see module)."""
    check.text(
        row.entity_name, "entity_name", max_length=_max_length("entity_name"), required=False
    )
    check.code(row.vendor, "vendor", max_length=_max_length("vendor"))
    check.currency_code(row.currency_code, "currency_code")
    for name in SUMS:
        check.money(getattr(row, name), name)
    for name in COUNTS:
        check.count(getattr(row, name), name)


def _max_length(field: str) -> int:
    return int(getattr(BusinessReportRow._meta.get_field(field), "max_length", 0) or 0)


def _invalid_rows(rows: Sequence[PlatformReportRow]) -> list[RejectedRow]:
    found = []
    for index, row in enumerate(rows, start=1):
        try:
            business_report_row_check(row)
        except check.InvalidValue as problem:
            found.append(RejectedRow(what="report row", id=f"row {index}", reason=str(problem)))
    return found


def _refuse_invalid(
    operator: Operator, date: dt.date, problems: Sequence[RejectedRow], *, total: int
) -> None:
    if not problems:
        return
    for problem in problems:
        logger.warning("business report %s %s: %s", operator.operator_id, date.isoformat(), problem)
    named = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    raise BusinessReportInvalid(
        f"business report of {date.isoformat()} for {operator.operator_id} refused, nothing "
        f"stored (a report stored earlier is kept): {len(problems)} of its {total} rows are "
        f"not valid: {named}" + (f"; and {more} more (see the log)" if more > 0 else "")
    )


def _row_values(row: PlatformReportRow) -> dict[str, object]:
    return dict(
        entity_name=row.entity_name,
        vendor=row.vendor,
        currency=row.currency_code,
        bets_sum=check.money(row.bets_sum, "bets_sum"),
        bets_count=row.bets_count,
        wins_sum=check.money(row.wins_sum, "wins_sum"),
        wins_count=row.wins_count,
        freespins_sum=check.money(row.freespins_sum, "freespins_sum"),
        freespins_count=row.freespins_count,
        jackpots_sum=check.money(row.jackpots_sum, "jackpots_sum"),
        jackpots_count=row.jackpots_count,
        gross_gaming_revenue=check.money(row.gross_gaming_revenue, "gross_gaming_revenue"),
        raw={
            "entity_name": row.entity_name,
            "vendor": row.vendor,
            "currency_code": row.currency_code,
            "date": row.date.isoformat(),
            "bets_sum": str(row.bets_sum),
            "bets_count": row.bets_count,
            "wins_sum": str(row.wins_sum),
            "wins_count": row.wins_count,
            "freespins_sum": str(row.freespins_sum),
            "freespins_count": row.freespins_count,
            "jackpots_sum": str(row.jackpots_sum),
            "jackpots_count": row.jackpots_count,
            "gross_gaming_revenue": str(row.gross_gaming_revenue),
        },
    )
