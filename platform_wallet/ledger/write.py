"""How a changebalance is written: the transaction with its outcome, the wallet's new balance,
the round, the ledger entry and the session's activity, all in one database transaction.

- On PostgreSQL: one statement of data-modifying CTEs (`statements.one_statement`), prepared and run
  in autocommit: one round trip after the lookup. The database decides whether the wallet
  covers a BET (`sql.WALLET_MOVE`), and the outcome is recorded from that.
- Elsewhere (SQLite, the demo), and for players with responsible-gambling limits (checked
  under the wallet's row lock, so that concurrent BETs cannot pass a limit together): a short
  transaction of the same statements, one by one; the balance is computed in Decimal under
  the wallet's lock.

Both take the locks in the same order: wallet, round, transaction key.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from money import to_money
from platform_wallet.errors import RECORDED_CODES, ErrorCode, WalletError
from platform_wallet.ledger import day_totals, sql, statements
from platform_wallet.models import TransactionStatus, TransactionType
from platform_wallet.redact import mask_token
from platform_wallet.services import responsible_gambling

if TYPE_CHECKING:
    from platform_wallet.ledger.changebalance import ChangeBalanceRequest, Lookup


def apply(*, req: ChangeBalanceRequest, found: Lookup, refusal: WalletError | None) -> Decimal:
    """Record a new transaction and move its money, unless `refusal` (or the checks made
    under the wallet's lock) refuse it; then the refusal is recorded and nothing moves.

    Returns the new balance. Raises WalletError: the refusal, or OP_31, after it was recorded.
    Raises IntegrityError: a concurrent call recorded this transaction_id first (nothing of
    ours was written). Database errors are Django's."""
    now = timezone.now()
    params = _params(req=req, found=found, refusal=refusal, now=now)
    round_step = _round_step(req=req, found=found)
    touch = _touches_session(req=req, found=found, now=now)
    if connection.vendor == "postgresql" and not (_is_bet(req) and found.has_limits):
        balance = _in_one_statement(params=params, round_step=round_step, touch=touch)
    else:
        balance, refusal = _in_a_transaction(
            req=req,
            found=found,
            refusal=refusal,
            params=params,
            round_step=round_step,
            touch=touch,
            now=now,
        )
    if balance is None:
        raise refusal or WalletError(ErrorCode.OP_31)
    return balance


def lookup_and_apply_available() -> bool:
    """The read and the write in one round trip: on PostgreSQL (WALLET_ONE_ROUND_TRIP)."""
    return settings.WALLET_ONE_ROUND_TRIP and connection.vendor == "postgresql"


def lookup_and_apply(req: ChangeBalanceRequest) -> dict[str, Any]:
    """`statements.lookup_and_write`'s row: `applied` (the transaction was recorded and its money
    moved, or it was recorded as OP_31: `moved_balance` None), else LOOKUP's columns
    (`player_pk` None: no such player). Raises IntegrityError: a concurrent call recorded
    this transaction_id first (nothing of ours was written)."""
    now = timezone.now()
    params = _params(req=req, found=None, refusal=None, now=now)
    params["user_id"] = req.user_id
    params["session_token"] = req.token or None
    idle = dt.timedelta(seconds=settings.WALLET_SESSION_IDLE_SECONDS)
    params["live_after"] = sql.db_time(now - idle)
    touch = dt.timedelta(seconds=settings.WALLET_SESSION_TOUCH_SECONDS)
    params["touch_before"] = sql.db_time(now - touch) if _is_bet(req) else None
    row = sql.fetch_one(statements.lookup_and_write(), params)
    assert row is not None  # the statement's SELECT always has its one row
    return row


def _is_bet(req: ChangeBalanceRequest) -> bool:
    return req.transaction_type == TransactionType.BET


def _delta(req: ChangeBalanceRequest) -> Decimal:
    """A BET debits its amount; a WIN or REFUND credits it."""
    return -req.amount if _is_bet(req) else req.amount


def _covers(*, balance: Decimal, delta: Decimal) -> bool:
    """A credit always applies; a debit only when the balance covers it. (The portable path's
    rule; the single statement's is the WHERE of `sql.WALLET_MOVE`.)"""
    return delta >= 0 or balance + delta >= 0


def _round_step(*, req: ChangeBalanceRequest, found: Lookup) -> str | None:
    """The round is created on its first call and finished when a call says so."""
    if found.round_pk is None:
        return sql.ROUND_UPSERT
    if req.round_finished and found.round_finished_at is None:
        return sql.ROUND_FINISH
    return None


def _touches_session(*, req: ChangeBalanceRequest, found: Lookup, now: dt.datetime) -> bool:
    """A BET keeps its game session alive, written at most once per
    WALLET_SESSION_TOUCH_SECONDS (and only when its money moved)."""
    last = found.session_last_activity
    return (
        _is_bet(req)
        and found.session_pk is not None
        and last is not None
        and (now - last).total_seconds() >= settings.WALLET_SESSION_TOUCH_SECONDS
    )


def _in_one_statement(
    *, params: dict[str, Any], round_step: str | None, touch: bool
) -> Decimal | None:
    """PostgreSQL's path. Returns the new balance, None when nothing moved."""
    row = sql.fetch_one(statements.one_statement(round_step=round_step, touch=touch), params)
    assert row is not None  # the statement's SELECT always has its one row
    return None if row["wallet_balance"] is None else to_money(row["wallet_balance"])


def _in_a_transaction(
    *,
    req: ChangeBalanceRequest,
    found: Lookup,
    refusal: WalletError | None,
    params: dict[str, Any],
    round_step: str | None,
    touch: bool,
    now: dt.datetime,
) -> tuple[Decimal | None, WalletError | None]:
    """The portable path: the statements one by one, in the order of the single statement's
    locks. Returns the new balance (None when nothing moved) and the refusal, which may now
    be a responsible-gambling limit's (OP_32)."""
    balance: Decimal | None = None
    with transaction.atomic(), connection.cursor() as cursor:
        if refusal is None:
            locked = sql.run(cursor, sql.wallet_lock(), params)
            assert locked is not None
            current = to_money(locked["wallet_balance"])
            since = day_totals.as_date(locked["wallet_totals_since"])
            if _is_bet(req) and found.has_limits:
                refusal, since = _limits_refusal(req=req, found=found, since=since, now=now)
            if refusal is None and _covers(balance=current, delta=_delta(req)):
                balance = current + _delta(req)
                params["wallet_balance"] = sql.db_money(balance)
                sql.run(cursor, sql.WALLET_SET, params)
                bets, wins = day_totals.contribution(
                    transaction_type=req.transaction_type, amount=req.amount
                )
                day_totals.add(
                    wallet_pk=params["wallet_pk"], since=since, day=now.date(), bets=bets, wins=wins
                )
        if round_step is not None:
            tracked = sql.run(cursor, round_step, params)
            assert tracked is not None
            params["round_pk"] = tracked["round_pk"]
        recorded = refusal or (None if balance is not None else WalletError(ErrorCode.OP_31))
        assert recorded is None or recorded.code in RECORDED_CODES
        status = TransactionStatus.OK if recorded is None else TransactionStatus.ERROR
        params["status"] = status.value
        params["error_code"] = "" if recorded is None else str(recorded.code)
        inserted = sql.run(cursor, sql.TX_INSERT, params)
        assert inserted is not None
        if balance is not None:
            params["transaction_pk"] = inserted["transaction_pk"]
            sql.run(cursor, sql.ENTRY_INSERT, params)
            if touch:
                sql.run(cursor, sql.SESSION_TOUCH, params)
    return balance, refusal


def _limits_refusal(
    *, req: ChangeBalanceRequest, found: Lookup, since: dt.date | None, now: dt.datetime
) -> tuple[WalletError | None, dt.date | None]:
    """OP_32 when the BET would break one of the player's responsible-gambling limits (under
    the wallet's lock), checked on the wallet's running totals, which the first such BET
    starts. Returns the refusal and the wallet's `totals_since`."""
    assert found.wallet_pk is not None
    wallet_pk = found.wallet_pk
    if since is None:
        first_day = min(responsible_gambling.period_starts(now).values()).date()
        since = day_totals.start(wallet_pk=wallet_pk, first_day=first_day)
    refusal = responsible_gambling.bet_refusal(
        player_pk=found.player_pk,
        amount=req.amount,
        now=now,
        totals_since=lambda starts: day_totals.since(
            wallet_pk=wallet_pk, first_days={key: start.date() for key, start in starts.items()}
        ),
    )
    return refusal, since


def _params(
    *,
    req: ChangeBalanceRequest,
    found: Lookup | None,
    refusal: WalletError | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """The named parameters of every statement of a changebalance, adapted for the database.
    (The portable path adds the values it learns on the way: the balance, the round's and the
    transaction's keys, the outcome; without `found`, `statements.lookup_and_write` reads the keys
    from its lookup.)"""
    db_now = sql.db_time(now)
    return {
        "operator_pk": req.operator_pk,
        "transaction_id": req.transaction_id,
        "round_id": req.round_id,
        "game_id": req.game_id,
        "currency": req.currency,
        "player_pk": found and found.player_pk,
        "wallet_pk": found and found.wallet_pk,
        "session_pk": found and found.session_pk,
        "round_pk": found and found.round_pk,
        "now": db_now,
        # the wallet (and the ledger entry)
        "delta": sql.db_money(_delta(req)),
        "refused": refusal is not None,
        # the single statement's outcome when the wallet did not move
        "refusal_code": str(refusal.code if refusal else ErrorCode.OP_31),
        # the round
        "round_finished_at": db_now if req.round_finished else None,
        # the transaction
        "transaction_type": str(req.transaction_type),
        "amount": sql.db_money(req.amount),
        "rake": None if req.rake is None else sql.db_money(req.rake, places=4),
        "token": mask_token(req.token),  # a credential: never stored in full outside sessions
        "reason": req.reason[:32],
        "history_id": req.history_id[:255],
        "context": _CONTEXT_JSON.encode(req.context),
        "is_freespin": req.is_freespin,
        "campaign_code": req.campaign_code,
        "is_jackpot": req.is_jackpot,
        "transaction_timestamp": req.transaction_timestamp[:19],
        "canceled_before_arrival": False,
        "canceled_at": None,
        # the ledger entry
        "kind": str(req.transaction_type),
        "entry_reason": "",
        # the running totals of responsible-gambling limits (`day_totals`)
        "day": now.date(),
        "day_bets": sql.db_money(req.amount if _is_bet(req) else Decimal(0)),
        "day_wins": sql.db_money(Decimal(0) if _is_bet(req) else req.amount),
    }


def _json_number(value: Any) -> Any:
    """The stored context keeps numbers as numbers (campaign_details "as it came"): a Decimal
    the request parsed is written as the float with the same digits when there is one, else
    as its string (never a rounded number)."""
    if isinstance(value, Decimal):
        number = float(value)
        return number if value.is_finite() and Decimal(repr(number)) == value else str(value)
    return str(value)


# (one encoder: json.dumps with `default` would make one per call)
_CONTEXT_JSON = json.JSONEncoder(default=_json_number)
