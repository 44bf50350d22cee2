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

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from catalog.selectors import game_vendors
from money import ZERO, to_money
from operators.models import Operator
from platform_wallet.models import Transaction, TransactionStatus, TransactionType
from platform_wallet.selectors import AppliedTotals, applied_totals
from reporting.models import (
    BusinessReport,
    BusinessReportRow,
    LimitAlert,
    Reconciliation,
)

UNKNOWN_VENDOR = "unknown"

# Bets and wins of one day per (vendor, currency): wins include REFUNDs, GGR = bets - wins.
DayTotals = dict[tuple[str, str], AppliedTotals]


def utc_day_bounds(date: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(date, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def ledger_transactions_of_day(*, operator: Operator, date: dt.date) -> QuerySet[Transaction]:
    """The operator's transactions stamped on the UTC day `date` (see the module's docstring);
    `applied_totals` counts the applied ones among them."""
    start, end = utc_day_bounds(date)
    # Retries can reach us long after the PLATFORM stamped a transaction: look two days around
    # the date (on the created_at index), then keep the ones stamped that day.
    margin = dt.timedelta(days=2)
    return Transaction.objects.filter(
        operator=operator, created_at__gte=start - margin, created_at__lt=end + margin
    ).filter(
        Q(transaction_timestamp__startswith=date.isoformat())
        | Q(transaction_timestamp="", created_at__gte=start, created_at__lt=end)
    )


def ledger_daily_totals(*, operator: Operator, date: dt.date) -> DayTotals:
    """Our ledger for `date` per (vendor, currency), free spins and jackpots included, the
    vendor read from the catalog's game; a game the catalog does not know counts under
    "unknown".

    Fast at millions of rows: one aggregating query over the created_at index's range, grouped
    by (game_id, currency) in the database (a few hundred rows come back, never a row per
    transaction), then one catalog query for those games' vendors."""
    per_game = applied_totals(
        ledger_transactions_of_day(operator=operator, date=date),
        group_by=("game_id", "currency"),
        promotions=True,
    )
    vendor_of = game_vendors(operator_id=operator.pk, game_ids={key[0] for key in per_game})
    totals: DayTotals = {}
    for (game_id, currency), line in per_game.items():
        key = (vendor_of.get(game_id, UNKNOWN_VENDOR), currency)
        totals[key] = totals.get(key, AppliedTotals()) + line
    return totals


def report_daily_totals(*, rows: Iterable[BusinessReportRow]) -> DayTotals:
    """The PLATFORM's report per (vendor, currency), summed over its entities (its wins, like
    ours, include refunds; it does not tell them apart). GGR is taken from the report's own
    `gross_gaming_revenue`, returned separately by `report_ggr`."""
    totals: DayTotals = {}
    for row in rows:
        key = (row.vendor, row.currency)
        totals[key] = totals.get(key, AppliedTotals()) + AppliedTotals(
            bets=row.bets_sum,
            bets_count=row.bets_count,
            wins=row.wins_sum,
            wins_count=row.wins_count,
            freespins=row.freespins_sum,
            freespins_count=row.freespins_count,
            jackpots=row.jackpots_sum,
            jackpots_count=row.jackpots_count,
        )
    return totals


def report_ggr(*, rows: Iterable[BusinessReportRow]) -> dict[tuple[str, str], Decimal]:
    ggr: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        key = (row.vendor, row.currency)
        ggr[key] = ggr.get(key, ZERO) + row.gross_gaming_revenue
    return ggr


def business_report_get(*, operator: Operator, date: dt.date) -> BusinessReport | None:
    return BusinessReport.objects.filter(operator=operator, date=date).first()


def reconciliation_get(*, operator: Operator, date: dt.date) -> Reconciliation | None:
    return Reconciliation.objects.filter(operator=operator, date=date).first()


def limit_alerts_open(*, operator: Operator | None = None) -> QuerySet[LimitAlert]:
    alerts = LimitAlert.objects.filter(resolved_at__isnull=True).select_related("operator")
    return alerts if operator is None else alerts.filter(operator=operator)


# --- Campaigns (issue 14) --------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignSummary:
    """One campaign code in one currency: its applied WINs (the spins it paid)."""

    campaign_code: str
    currency: str
    vendors: tuple[str, ...]
    players: int
    spins: int
    paid: Decimal
    first_use: dt.datetime
    last_use: dt.datetime


def campaign_wins(
    *,
    operator: Operator | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    code: str = "",
) -> QuerySet[Transaction]:
    """Applied WINs with a campaign code (on the partial index of campaign_code), optionally
    of one operator, created in [start, end), of one code."""
    wins = Transaction.objects.filter(
        status=TransactionStatus.OK, transaction_type=TransactionType.WIN
    ).exclude(campaign_code="")
    if operator is not None:
        wins = wins.filter(operator=operator)
    if start is not None:
        wins = wins.filter(created_at__gte=start)
    if end is not None:
        wins = wins.filter(created_at__lt=end)
    if code:
        wins = wins.filter(campaign_code=code)
    return wins


def campaign_summaries(wins: QuerySet[Transaction], *, limit: int = 1000) -> list[CampaignSummary]:
    """Per campaign code and currency (most recently used first, at most `limit`): vendors,
    distinct players, spins, total paid, first and last use. Two aggregating queries (GROUP BY
    in the database) and one catalog query for the vendors."""
    rows = list(
        wins.order_by()
        .values("campaign_code", "currency")
        .annotate(
            players=Count("player", distinct=True),
            spins=Count("pk"),
            paid=Sum("amount"),
            first_use=Min("created_at"),
            last_use=Max("created_at"),
        )
        .order_by("-last_use", "campaign_code", "currency")[:limit]
    )
    keys = ("campaign_code", "currency", "operator_id", "game_id")
    games = set(wins.order_by().values_list(*keys).distinct())
    vendor_of: dict[int, dict[int, str]] = {}
    for operator_id in {operator_id for _, _, operator_id, _ in games}:
        vendor_of[operator_id] = game_vendors(
            operator_id=operator_id,
            game_ids={game_id for _, _, op, game_id in games if op == operator_id and game_id},
        )
    vendors: dict[tuple[str, str], set[str]] = {}
    for code, currency, operator_id, game_id in games:
        vendor = vendor_of[operator_id].get(game_id, UNKNOWN_VENDOR)
        vendors.setdefault((code, currency), set()).add(vendor)
    return [
        CampaignSummary(
            campaign_code=row["campaign_code"],
            currency=row["currency"],
            vendors=tuple(sorted(vendors.get((row["campaign_code"], row["currency"]), ()))),
            players=row["players"],
            spins=row["spins"],
            paid=to_money(row["paid"]),
            first_use=row["first_use"],
            last_use=row["last_use"],
        )
        for row in rows
    ]


def player_freespins(*, player_pk: int) -> dict[str, tuple[int, Decimal]]:
    """A player's applied free-spin WINs per currency: (count, total paid), on the partial
    index of free-spin rows."""
    rows = (
        Transaction.objects.filter(
            player_id=player_pk, is_freespin=True, status=TransactionStatus.OK
        )
        .order_by()
        .values("currency")
        .annotate(spins=Count("pk"), paid=Sum("amount"))
    )
    return {row["currency"]: (row["spins"], to_money(row["paid"])) for row in rows}
