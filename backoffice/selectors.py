"""Reads for the backoffice: session states, capped counts of a player's history, adjustments
waiting for approval, balance limits, the reports' GGR over time. (The dashboard's figures:
`backoffice.dashboard_selectors`.) Money sums come from `platform_wallet.selectors`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from audit.models import AuditEvent
from backoffice.models import AdjustmentRequest, AdjustmentStatus
from money import to_money
from platform_wallet.connections import replica_reads
from platform_wallet.models import (
    ApiErrorLog,
    GameSession,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    Wallet,
)
from reporting.models import (
    BusinessReportRow,
    LimitAlert,
    LimitKind,
    LimitSnapshot,
    ReconciliationLine,
)
from reporting.selectors import limit_alerts_open, utc_day_bounds

# A chart's lines: per name (a currency, an error code), the (day or hour, value) points.
Series = dict[str, list[tuple[dt.date, Decimal]]]


def now_or_current(now: dt.datetime | None) -> dt.datetime:
    """`now` when given (tests, a page computing several figures at one moment), else now."""
    return now or timezone.now()


def day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Midnight UTC of the current day (reports and limits count UTC days)."""
    return utc_day_bounds(now_or_current(now).astimezone(dt.UTC).date())[0]


# --- Game sessions ---------------------------------------------------------------------------


class SessionState:
    ACTIVE = "active"
    EXPIRED = "expired"
    ENDED = "ended"


def session_state_q(state: str, *, now: dt.datetime | None = None) -> Q:
    """Active: not ended and used within WALLET_SESSION_IDLE_SECONDS. Expired: not ended but
    idle longer (the wallet refuses its BETs with OP_21). Ended: logout, block or revocation."""
    idle_since = now_or_current(now) - dt.timedelta(seconds=settings.WALLET_SESSION_IDLE_SECONDS)
    if state == SessionState.ACTIVE:
        return Q(ended_at__isnull=True, last_activity_at__gt=idle_since)
    if state == SessionState.EXPIRED:
        return Q(ended_at__isnull=True, last_activity_at__lte=idle_since)
    if state == SessionState.ENDED:
        return Q(ended_at__isnull=False)
    raise ValueError(f"unknown session state {state!r}")


def session_state(session: GameSession, *, now: dt.datetime | None = None) -> str:
    if session.ended_at is not None:
        return SessionState.ENDED
    return SessionState.ACTIVE if session.is_live(now) else SessionState.EXPIRED


def sessions_active_count(*, now: dt.datetime | None = None) -> int:
    return GameSession.objects.filter(session_state_q(SessionState.ACTIVE, now=now)).count()


# --- Players and wallets -----------------------------------------------------------------------


COUNT_CAP = 1000


@dataclass(frozen=True)
class CappedCount:
    """How many rows, counted only up to a cap: `more` when there are more than `count`."""

    count: int
    more: bool

    def __str__(self) -> str:
        return f"{self.count:,}+" if self.more else f"{self.count:,}"


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> CappedCount:
    """COUNT over a LIMIT (`SELECT COUNT(*) FROM (... LIMIT cap + 1)`), never a full COUNT: on a
    player's millions of transactions it reads at most cap + 1 index entries."""
    found = queryset.order_by()[: cap + 1].count()
    return CappedCount(count=min(found, cap), more=found > cap)


def player_history_counts(player: Player, cap: int = COUNT_CAP) -> dict[str, CappedCount]:
    """A player at a glance: how many transactions, rounds, game sessions, API errors,
    responsible-gambling limits, adjustments and audit entries are theirs, each counted by an
    index that leads with the player (or their user id, or the audit target) and capped."""
    from_player = {
        "transactions": Transaction.objects.filter(player=player),  # transaction_player_recent
        "rounds": Round.objects.filter(player=player),
        "sessions": GameSession.objects.filter(player=player),  # session_player_recent
        "api_errors": ApiErrorLog.objects.filter(  # apierror_user
            user_id=player.user_id, operator=player.operator_id
        ),
        "limits": ResponsibleGamblingLimits.objects.filter(player=player),
        "adjustments": AdjustmentRequest.objects.filter(wallet__player=player),
        "audit": AuditEvent.objects.filter(  # audit_target
            target_type="platform_wallet.player", target_id=str(player.pk)
        ),
    }
    return {name: capped_count(queryset, cap) for name, queryset in from_player.items()}


def players_with_negative_wallet() -> QuerySet[Player]:
    return Player.objects.filter(
        Exists(Wallet.objects.filter(player=OuterRef("pk"), balance__lt=0))
    )


# --- Adjustments waiting for a second person --------------------------------------------------


def adjustments_pending(*, limit: int = 50) -> list[AdjustmentRequest]:
    """The oldest adjustment requests still waiting for approval (the dashboard's list)."""
    return list(
        AdjustmentRequest.objects.filter(status=AdjustmentStatus.PENDING)
        .select_related("wallet__player", "requested_by")
        .order_by("requested_at", "pk")[:limit]
    )


def adjustments_pending_count() -> int:
    return AdjustmentRequest.objects.filter(status=AdjustmentStatus.PENDING).count()


# --- Balance limits (reporting) ----------------------------------------------------------------


@dataclass(frozen=True)
class LimitsState:
    """The latest Balance limits answer of each operator, and the open alerts."""

    snapshots: list[LimitSnapshot]
    alerts: list[LimitAlert]

    @property
    def exceeded(self) -> list[LimitSnapshot]:
        return [s for s in self.snapshots if s.enabled and s.limit_exceeded]

    @property
    def needs_attention(self) -> bool:
        return bool(self.exceeded or self.alerts)


def limits_state() -> LimitsState:
    latest = (
        LimitSnapshot.objects.filter(operator=OuterRef("operator"), kind=LimitKind.BALANCE)
        .order_by("-fetched_at", "-pk")
        .values("pk")[:1]
    )
    snapshots = list(
        LimitSnapshot.objects.filter(kind=LimitKind.BALANCE, pk=Subquery(latest))
        .select_related("operator")
        .order_by("operator__operator_id")
    )
    alerts = list(limit_alerts_open().order_by("-raised_at"))
    return LimitsState(snapshots=snapshots, alerts=alerts)


# --- Reports: GGR over time --------------------------------------------------------------------


def report_ggr_series(rows: QuerySet[BusinessReportRow]) -> Series:
    """The PLATFORM's GGR per currency and report date (vendors and entities summed); read
    from the replica when there is one."""
    grouped = (
        rows.values("report__date", "currency")
        .annotate(ggr=Sum("gross_gaming_revenue"))
        .order_by("report__date", "currency")
    )
    series: Series = {}
    with replica_reads():
        for row in grouped:
            day, ggr = row["report__date"], to_money(row["ggr"])
            series.setdefault(row["currency"], []).append((day, ggr))
    return series


def reconciliation_ggr_series(
    lines: QuerySet[ReconciliationLine],
) -> tuple[Series, set[dt.date]]:
    """Our ledger's GGR and the PLATFORM's, per currency and date, and the dates with a
    mismatch (to highlight them); read from the replica when there is one."""
    grouped = (
        lines.values("reconciliation__date", "currency")
        .annotate(ours=Sum("ledger_ggr"), theirs=Sum("platform_ggr"))
        .order_by("reconciliation__date", "currency")
    )
    series: Series = {}
    with replica_reads():
        for row in grouped:
            day = row["reconciliation__date"]
            series.setdefault(f"{row['currency']} ours", []).append((day, to_money(row["ours"])))
            series.setdefault(f"{row['currency']} PLATFORM", []).append(
                (day, to_money(row["theirs"]))
            )
        mismatched = set(
            lines.filter(mismatch=True).values_list("reconciliation__date", flat=True).distinct()
        )
    return series, mismatched


def reconciliation_promotions_series(
    lines: QuerySet[ReconciliationLine],
) -> tuple[tuple[Series, set[dt.date]], tuple[Series, set[dt.date]]]:
    """Free spins paid and jackpots paid per currency and date, ours and the PLATFORM's (issue
    14), each with the dates where its sum or count differs (to highlight them)."""
    grouped = (
        lines.values("reconciliation__date", "currency")
        .annotate(
            freespins_ours=Sum("ledger_freespins_sum"),
            freespins_theirs=Sum("platform_freespins_sum"),
            jackpots_ours=Sum("ledger_jackpots_sum"),
            jackpots_theirs=Sum("platform_jackpots_sum"),
        )
        .order_by("reconciliation__date", "currency")
    )
    freespins: Series = {}
    jackpots: Series = {}
    for row in grouped:
        day, currency = row["reconciliation__date"], row["currency"]
        for series, ours, theirs in (
            (freespins, row["freespins_ours"], row["freespins_theirs"]),
            (jackpots, row["jackpots_ours"], row["jackpots_theirs"]),
        ):
            series.setdefault(f"{currency} ours", []).append((day, to_money(ours)))
            series.setdefault(f"{currency} PLATFORM", []).append((day, to_money(theirs)))

    def days_differing(name: str) -> set[dt.date]:
        differing = ~Q(**{f"{name}_sum_diff": 0}) | ~Q(**{f"{name}_count_diff": 0})
        return set(
            lines.filter(differing).values_list("reconciliation__date", flat=True).distinct()
        )

    return (freespins, days_differing("freespins")), (jackpots, days_differing("jackpots"))
