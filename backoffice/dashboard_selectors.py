"""Reads for the dashboard: today's totals, GGR per day, wallet errors per hour, pending bets,
wallets in the negative. Money sums come from `platform_wallet.selectors`; every query reads an
indexed column over a bounded time range (the tables hold millions of rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from backoffice.selectors import Series, day_start, now_or_current
from money import to_money
from platform_wallet.models import (
    ApiErrorLog,
    Round,
    Transaction,
    TransactionStatus,
    TransactionType,
    Wallet,
)
from platform_wallet.selectors import AppliedTotals, applied_totals
from reporting.models import ReconciliationLine


@dataclass(frozen=True, kw_only=True)
class CurrencyTotals(AppliedTotals):
    """The applied totals of one currency."""

    currency: str


def today_totals(*, now: dt.datetime | None = None) -> list[CurrencyTotals]:
    """Applied bets, wins (and refunds) and GGR per currency since midnight UTC."""
    today = Transaction.objects.filter(created_at__gte=day_start(now))
    totals = applied_totals(today, group_by=("currency",))
    return [
        CurrencyTotals(currency=currency, **asdict(line))
        for (currency,), line in sorted(totals.items())
    ]


@dataclass(frozen=True)
class ErrorCount:
    error_code: str
    count: int


def api_errors_since(*, since: dt.datetime) -> list[ErrorCount]:
    rows = (
        ApiErrorLog.objects.filter(created_at__gte=since)
        .values("error_code")
        .annotate(count=Count("pk"))
        .order_by("-count", "error_code")
    )
    return [ErrorCount(row["error_code"], row["count"]) for row in rows]


def api_errors_per_hour(*, now: dt.datetime | None = None, hours: int = 24) -> Series:
    """The wallet's ERROR answers per error code and hour (UTC) over the last `hours` hours
    (the error log's `created_at` index, a bounded range), every hour present (zero when none),
    so that a chart draws a continuous line per code."""
    end = now_or_current(now).replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=hours)
    rows = (
        ApiErrorLog.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(hour=TruncHour("created_at", tzinfo=dt.UTC))
        .values("hour", "error_code")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[dt.datetime, int]] = {}
    for row in rows:
        hour = row["hour"].astimezone(dt.UTC)
        counts.setdefault(row["error_code"], {})[hour] = row["count"]
    hours_range = [start + dt.timedelta(hours=index) for index in range(hours)]
    return {
        code: [(hour, Decimal(per_hour.get(hour, 0))) for hour in hours_range]
        for code, per_hour in sorted(counts.items())
    }


def ggr_per_day(
    *,
    now: dt.datetime | None = None,
    days: int = 30,
    today_lines: list[CurrencyTotals] | None = None,
) -> Series:
    """Our ledger's GGR per currency and UTC day over the last `days` days: past days from the
    nightly reconciliation (its lines hold our ledger's GGR per day, vendor and currency, summed
    once), today live from the day's transactions (`today_totals`, or `today_lines` when the
    caller has them already). Never a sum over a month of transactions: those tables hold
    millions of rows. A day not reconciled has no point."""
    now = now_or_current(now)
    today = now.astimezone(dt.UTC).date()
    past = (
        ReconciliationLine.objects.filter(
            reconciliation__date__gte=today - dt.timedelta(days=days - 1),
            reconciliation__date__lt=today,
        )
        .values("reconciliation__date", "currency")
        .annotate(ggr=Sum("ledger_ggr"))
        .order_by("reconciliation__date", "currency")
    )
    series: Series = {}
    for row in past:
        series.setdefault(row["currency"], []).append(
            (row["reconciliation__date"], to_money(row["ggr"]))
        )
    for line in today_totals(now=now) if today_lines is None else today_lines:
        series.setdefault(line.currency, []).append((today, to_money(line.ggr)))
    return series


@dataclass(frozen=True)
class PendingRound:
    """A round with a BET and no WIN or finish for too long: a "pending bet" staff chase with
    the game's vendor."""

    round: Round
    bets: Decimal
    currency: str
    opened_at: dt.datetime

    @property
    def age_minutes(self) -> int:
        return int((timezone.now() - self.opened_at).total_seconds() // 60)


PENDING_LOOKBACK = dt.timedelta(days=7)


def rounds_pending(
    *, now: dt.datetime | None = None, older_than_minutes: int | None = None, limit: int = 20
) -> list[PendingRound]:
    """The oldest open rounds with an applied BET, opened (their first call) more than
    `older_than_minutes` ago (default STALE_ROUND_MINUTES) and at most PENDING_LOOKBACK ago, at
    most `limit`; their bets summed by `applied_totals`. Found through the rounds' `created_at`
    index in that bounded range, only the open ones checked for a BET (by the transactions'
    round index): scanning the range's BETs instead took 0.5 s at 1M transactions a day."""
    now = now_or_current(now)
    minutes = settings.STALE_ROUND_MINUTES if older_than_minutes is None else older_than_minutes
    applied_bet = Transaction.objects.filter(
        game_round=OuterRef("pk"),
        transaction_type=TransactionType.BET,
        status=TransactionStatus.OK,
    )
    rounds = list(
        Round.objects.filter(
            created_at__gte=now - PENDING_LOOKBACK,
            created_at__lt=now - dt.timedelta(minutes=minutes),
            finished_at__isnull=True,
        )
        .filter(Exists(applied_bet))
        .select_related("player", "operator")
        .order_by("created_at", "pk")[:limit]
    )
    totals = applied_totals(
        Transaction.objects.filter(game_round_id__in=[r.pk for r in rounds]),
        group_by=("game_round_id", "currency"),
    )
    by_round = {round_pk: (currency, line) for (round_pk, currency), line in totals.items()}
    return [
        PendingRound(
            round=r,
            bets=by_round[r.pk][1].bets,
            currency=by_round[r.pk][0],
            opened_at=r.created_at,
        )
        for r in rounds
        if r.pk in by_round
    ]


def wallets_negative_count() -> int:
    return Wallet.objects.filter(balance__lt=0).count()
