"""Reads for "My activity": one player's transactions (bets, wins, refunds) in one currency
over a date range, newest first, a page at a time, and their totals for the period.

The transactions table has millions of rows: a page is found by keyset (the last row's
created_at and id, in an opaque cursor), never by OFFSET or a COUNT. The range is a half-open
created_at range in UTC (`period_bounds`), never created_at::date, so that the
`transaction_player_recent` index (player, created_at DESC) serves both the page and the
totals. Every read is filtered by the player first: a player never sees another's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from catalog.models import Game
from money import to_money
from platform_wallet.models import Player, Round, Transaction, TransactionStatus
from platform_wallet.selectors import AppliedTotals, applied_total

BIGINT_MAX = 2**63 - 1
PAGE_SIZE = 25
MAX_DAYS = 366  # the longest period shown at once
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(9998, 12, 31)  # dates are clamped to these

STATUS_APPLIED = "applied"
STATUS_CANCELED = "canceled"
STATUS_REFUSED = "refused"

# Why a transaction was refused, as a player reads it (the spec's codes a BET can hear).
REFUSALS = {
    "OP_31": "not enough funds",
    "OP_32": "limit reached",
    "OP_33": "account blocked",
    "OP_35": "game not available",
}


@dataclass(frozen=True)
class Period:
    """Whole UTC days, `first` to `last` inclusive: created_at in [start, end)."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def period_bounds(first: dt.date, last: dt.date) -> Period:
    """The period from `first` to `last` (swapped when given the wrong way round; each kept
    between EARLIEST and LATEST), at most MAX_DAYS long (counted back from `last`)."""
    first, last = (min(max(d, EARLIEST), LATEST) for d in (first, last))
    if last < first:
        first, last = last, first
    first = max(first, last - dt.timedelta(days=MAX_DAYS - 1))
    return Period(first=first, last=last)


@dataclass(frozen=True)
class ActivityRow:
    transaction_id: int
    created_at: dt.datetime
    kind: str  # BET, WIN, REFUND
    amount: Decimal
    currency: str
    status: str  # STATUS_APPLIED, STATUS_CANCELED or STATUS_REFUSED
    error_code: str
    round_id: int
    game_id: int | None
    game_title: str

    @property
    def refusal(self) -> str:
        return REFUSALS.get(self.error_code, self.error_code)

    @property
    def signed_amount(self) -> Decimal:
        """What it did to the balance as applied: a BET takes, a WIN or REFUND gives."""
        return -self.amount if self.kind == "BET" else self.amount


@dataclass(frozen=True)
class ActivityPage:
    rows: list[ActivityRow]
    next_cursor: str | None  # the cursor of the next (older) page, None on the last page


def cursor_encode(created_at: dt.datetime, pk: int) -> str:
    moment = created_at.astimezone(dt.UTC)
    return f"{int(moment.timestamp())}.{moment.microsecond:06d}.{pk}"


def cursor_decode(cursor: str) -> tuple[dt.datetime, int] | None:
    """The (created_at, id) of a cursor; None for anything else (the first page is shown)."""
    parts = cursor.split(".")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 19 for p in parts):
        return None
    seconds, micros, pk = (int(p) for p in parts)
    if micros > 999_999 or seconds > 253_402_300_799:  # 9999-12-31
        return None
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(microsecond=micros)
    return moment, pk


def _player_transactions(*, player: Player, currency: str, period: Period) -> QuerySet[Transaction]:
    return Transaction.objects.filter(
        player=player,
        created_at__gte=period.start,
        created_at__lt=period.end,
        currency=currency,
        transaction_type__isnull=False,  # a cancel that came first is no activity of its own
    )


def _status(status: str) -> str:
    if status == TransactionStatus.CANCELED:
        return STATUS_CANCELED
    return STATUS_APPLIED if status == TransactionStatus.OK else STATUS_REFUSED


_ROW_FIELDS = (
    "pk",
    "transaction_id",
    "created_at",
    "transaction_type",
    "amount",
    "currency",
    "status",
    "error_code",
    "round_id",
    "game_id",
)


def _rows(player: Player, found: list[dict[str, Any]]) -> list[ActivityRow]:
    """Rows as shown, with their games' titles (one query for the page)."""
    titles = dict(
        Game.objects.filter(
            operator_id=player.operator_id, game_id__in={r["game_id"] for r in found}
        ).values_list("game_id", "title")
    )
    return [
        ActivityRow(
            transaction_id=r["transaction_id"],
            created_at=r["created_at"],
            kind=r["transaction_type"] or "",
            amount=to_money(r["amount"]),
            currency=r["currency"],
            status=_status(r["status"]),
            error_code=r["error_code"],
            round_id=r["round_id"],
            game_id=r["game_id"],
            game_title=titles.get(r["game_id"], "") if r["game_id"] is not None else "",
        )
        for r in found
    ]


def activity_page(
    *, player: Player, currency: str, period: Period, cursor: str = "", size: int = PAGE_SIZE
) -> ActivityPage:
    """One page of the player's transactions, newest first, older than `cursor` (the first
    page without one). Reads size + 1 rows to know whether an older page exists."""
    rows = _player_transactions(player=player, currency=currency, period=period)
    after = cursor_decode(cursor) if cursor else None
    if after is not None:
        created_at, pk = after
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    found = list(rows.order_by("-created_at", "-pk").values(*_ROW_FIELDS)[: size + 1])
    more = len(found) > size
    found = found[:size]
    page_rows = _rows(player, found)
    last = found[-1] if found else None
    next_cursor = cursor_encode(last["created_at"], last["pk"]) if more and last else None
    return ActivityPage(rows=page_rows, next_cursor=next_cursor)


def activity_totals(*, player: Player, currency: str, period: Period) -> AppliedTotals:
    """The period's applied totals (refused and canceled transactions do not count):
    `applied_total`, the one definition of bets, wins and refunds."""
    return applied_total(_player_transactions(player=player, currency=currency, period=period))


@dataclass(frozen=True)
class RoundDetail:
    round_id: int
    game_id: int
    game_title: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows: list[ActivityRow]  # oldest first, as the round was played
    totals: AppliedTotals


def round_detail(*, player: Player, round_id: int) -> RoundDetail | None:
    """One of the player's rounds with its transactions (through the round's key and the
    transactions' round index); None for a round that is not theirs."""
    if not 0 < round_id <= BIGINT_MAX:
        return None
    game_round = Round.objects.filter(
        operator_id=player.operator_id, round_id=round_id, player=player
    ).first()
    if game_round is None:
        return None
    transactions = Transaction.objects.filter(
        game_round=game_round, player=player, transaction_type__isnull=False
    )
    rows = _rows(player, list(transactions.order_by("created_at", "pk").values(*_ROW_FIELDS)))
    title = (
        Game.objects.filter(operator_id=player.operator_id, game_id=game_round.game_id)
        .values_list("title", flat=True)
        .first()
    )
    return RoundDetail(
        round_id=game_round.round_id,
        game_id=game_round.game_id,
        game_title=title or "",
        started_at=game_round.created_at,
        finished_at=game_round.finished_at,
        rows=rows,
        totals=applied_total(transactions),
    )
