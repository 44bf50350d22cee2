"""Business report (spec: Business report API): one stored report per operator and date."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from platform_client import BusinessReportRow as PlatformReportRow
from platform_client import PlatformClient
from platform_wallet.models import Operator
from reporting.errors import BusinessReportInvalid
from reporting.models import BusinessReport, BusinessReportRow

logger = logging.getLogger(__name__)


def business_report_fetch(
    *, operator: Operator, date: dt.date, client: PlatformClient | None = None
) -> BusinessReport:
    """Fetch the PLATFORM's business report of `date` and store it, replacing what an earlier
    fetch of that date stored, in one database transaction: a reader sees the old rows or the
    new ones, never a mix. The HTTP call happens before the transaction opens.

    Raises `PlatformApiError` when the PLATFORM does not answer as documented, and
    `BusinessReportInvalid` when a row belongs to another date (nothing is stored then).
    """
    client = client or PlatformClient(operator)
    rows = client.business_report(date)
    wrong = sorted({row.date.isoformat() for row in rows if row.date != date})
    if wrong:
        raise BusinessReportInvalid(
            f"business report of {date.isoformat()} for {operator.operator_id} has rows of "
            f"other dates: {', '.join(wrong)}; nothing stored"
        )
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


def _row_values(row: PlatformReportRow) -> dict[str, object]:
    return dict(
        entity_name=row.entity_name[:255],
        vendor=row.vendor[:100],
        currency=row.currency_code[:4],
        bets_sum=_cents(row.bets_sum),
        bets_count=row.bets_count,
        wins_sum=_cents(row.wins_sum),
        wins_count=row.wins_count,
        freespins_sum=_cents(row.freespins_sum),
        freespins_count=row.freespins_count,
        jackpots_sum=_cents(row.jackpots_sum),
        jackpots_count=row.jackpots_count,
        gross_gaming_revenue=_cents(row.gross_gaming_revenue),
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


def _cents(value: Decimal) -> Decimal:
    """The report's sums are money with 2 decimals; a third decimal would be silently rounded by
    the database, so it is refused instead."""
    cents = value.quantize(Decimal("0.01"))
    if cents != value:
        raise BusinessReportInvalid(f"amount {value} has more than 2 decimal places")
    return cents
