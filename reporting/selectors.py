"""Reads for reports: our own ledger's daily totals, stored reports, open alerts.

"The date" of a transaction on our side is the one the PLATFORM stamped on it
(`transaction_timestamp`, UTC, as its business report dates it), so that a transaction stamped
23:59:59 that reached us after midnight counts on the same day in both books. A transaction
without that stamp counts on the UTC date of `created_at`, when our wallet recorded it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalog.models import Game
from operators.models import Operator
from platform_wallet.models import Transaction, TransactionStatus, TransactionType
from reporting.models import (
    BusinessReport,
    BusinessReportRow,
    LimitAlert,
    Reconciliation,
)

CENT = Decimal("0.01")
UNKNOWN_VENDOR = "unknown"


@dataclass
class Totals:
    """Bets and wins of one vendor and currency. Wins include REFUNDs (money paid back to the
    player); GGR = bets - wins."""

    vendor: str
    currency: str
    bets_sum: Decimal = Decimal("0.00")
    bets_count: int = 0
    wins_sum: Decimal = Decimal("0.00")
    wins_count: int = 0

    @property
    def ggr(self) -> Decimal:
        return (self.bets_sum - self.wins_sum).quantize(CENT)


def utc_day_bounds(date: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(date, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def ledger_transactions_of_day(*, operator: Operator, date: dt.date) -> QuerySet[Transaction]:
    """The transactions that count on our side for `date`: BET, WIN and REFUND with status OK
    (canceled and refused ones excluded), stamped that UTC day (see the module's docstring)."""
    start, end = utc_day_bounds(date)
    # Retries can reach us long after the PLATFORM stamped a transaction: look two days around
    # the date (on the created_at index), then keep the ones stamped that day.
    margin = dt.timedelta(days=2)
    return Transaction.objects.filter(
        operator=operator,
        status=TransactionStatus.OK,
        transaction_type__in=[TransactionType.BET, TransactionType.WIN, TransactionType.REFUND],
        created_at__gte=start - margin,
        created_at__lt=end + margin,
    ).filter(
        Q(transaction_timestamp__startswith=date.isoformat())
        | Q(transaction_timestamp="", created_at__gte=start, created_at__lt=end)
    )


def ledger_daily_totals(*, operator: Operator, date: dt.date) -> dict[tuple[str, str], Totals]:
    """Our ledger for `date` per (vendor, currency), the vendor read from the catalog's game
    (operator, game_id); a game the catalog does not know counts under "unknown"."""
    vendor = Subquery(
        Game.objects.filter(
            operator_id=OuterRef("operator_id"), game_id=OuterRef("game_id")
        ).values("vendor")[:1],
        output_field=CharField(),
    )
    rows = (
        ledger_transactions_of_day(operator=operator, date=date)
        .annotate(vendor=Coalesce(vendor, Value(UNKNOWN_VENDOR), output_field=CharField()))
        .values("vendor", "currency", "transaction_type")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    totals: dict[tuple[str, str], Totals] = {}
    for row in rows:
        key = (row["vendor"], row["currency"])
        line = totals.setdefault(key, Totals(vendor=key[0], currency=key[1]))
        amount = _money(row["total"])
        if row["transaction_type"] == TransactionType.BET:
            line.bets_sum += amount
            line.bets_count += row["n"]
        else:
            line.wins_sum += amount
            line.wins_count += row["n"]
    return totals


def report_daily_totals(*, rows: Iterable[BusinessReportRow]) -> dict[tuple[str, str], Totals]:
    """The PLATFORM's report per (vendor, currency), summed over its entities. GGR is taken
    from the report's own `gross_gaming_revenue`, returned separately by `report_ggr`."""
    totals: dict[tuple[str, str], Totals] = {}
    for row in rows:
        key = (row.vendor, row.currency)
        line = totals.setdefault(key, Totals(vendor=row.vendor, currency=row.currency))
        line.bets_sum += row.bets_sum
        line.bets_count += row.bets_count
        line.wins_sum += row.wins_sum
        line.wins_count += row.wins_count
    return totals


def report_ggr(*, rows: Iterable[BusinessReportRow]) -> dict[tuple[str, str], Decimal]:
    ggr: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        key = (row.vendor, row.currency)
        ggr[key] = ggr.get(key, Decimal("0.00")) + row.gross_gaming_revenue
    return ggr


def business_report_get(*, operator: Operator, date: dt.date) -> BusinessReport | None:
    return BusinessReport.objects.filter(operator=operator, date=date).first()


def reconciliation_get(*, operator: Operator, date: dt.date) -> Reconciliation | None:
    return Reconciliation.objects.filter(operator=operator, date=date).first()


def limit_alerts_open(*, operator: Operator | None = None) -> QuerySet[LimitAlert]:
    alerts = LimitAlert.objects.filter(resolved_at__isnull=True).select_related("operator")
    return alerts if operator is None else alerts.filter(operator=operator)


def operators_for_platform_jobs() -> QuerySet[Operator]:
    """Active operator ids with a PLATFORM API host: the ones the nightly and hourly jobs run
    for (an operator without an API host has nothing to call)."""
    return Operator.objects.filter(is_active=True).exclude(api_host="").order_by("operator_id")


def _money(value: object) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    return Decimal(str(value)).quantize(CENT)
