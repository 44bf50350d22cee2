"""The ledger: the ONLY code that moves money.

Every balance change is an append-only `LedgerEntry` written in the same database transaction
as the wallet's balance. The PLATFORM's transaction_id is the idempotency key, guarded by the
unique constraint on (operator, transaction_id): an identical retry replays the stored outcome,
the same id with other data is OP_40.

Locks: a changebalance takes wallet, then round, then its (new) transaction key; a cancel
takes the transaction row, then the wallet, and updates the round after it committed. No cycle
is possible. The debit is a conditional `UPDATE ... WHERE balance >= amount RETURNING balance`,
so concurrent BETs never overdraw and no read-then-write race exists.

The hot path is plain SQL: one read (`_lookup`) and, on PostgreSQL, one write statement of
data-modifying CTEs, both prepared; elsewhere (SQLite, the demo) a short transaction of
portable statements (RETURNING, ON CONFLICT).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from platform_wallet.errors import RECORDED_CODES, ErrorCode, WalletError
from platform_wallet.models import (
    EntryKind,
    GameSession,
    LedgerEntry,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    TransactionStatus,
    TransactionType,
    Wallet,
    session_is_live,
)
from platform_wallet.redact import mask_token
from platform_wallet.services import limits

CENT = Decimal("0.01")

T_PLAYER = Player._meta.db_table
T_WALLET = Wallet._meta.db_table
T_SESSION = GameSession._meta.db_table
T_ROUND = Round._meta.db_table
T_TX = Transaction._meta.db_table
T_ENTRY = LedgerEntry._meta.db_table
T_LIMITS = ResponsibleGamblingLimits._meta.db_table


def _game_table() -> str:
    from catalog.models import Game

    return Game._meta.db_table


# --- Value helpers: the two databases return different Python types from raw SQL -----------


def to_money(value: Any) -> Decimal:
    """A balance read back from the database, as an exact 2-decimal Decimal."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    return Decimal(str(value)).quantize(CENT)


def _db_money(value: Decimal) -> Any:
    return connection.ops.adapt_decimalfield_value(value, 18, 2)


def _db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _from_db_time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


# --- Requests and outcomes ---------------------------------------------------------------


@dataclass(frozen=True)
class ChangeBalanceRequest:
    """A changebalance call, already validated field by field."""

    operator_pk: int
    user_id: str
    transaction_type: TransactionType
    transaction_id: int
    round_id: int
    round_finished: bool | None
    game_id: int
    currency: str
    amount: Decimal
    token: str
    transaction_timestamp: str
    context: dict[str, Any]
    reason: str = ""
    history_id: str = ""
    rake: Decimal | None = None


@dataclass(frozen=True)
class Balance:
    balance: Decimal
    currency: str


@dataclass(frozen=True)
class _Lookup:
    """Everything the checks of one changebalance need, read in a single query."""

    player_pk: int
    is_blocked: bool
    is_closed: bool
    wallet_pk: int | None
    wallet_balance: Decimal | None
    session_pk: int | None
    session_player_pk: int | None
    session_wallet_pk: int | None
    session_last_activity: dt.datetime | None
    session_ended_at: dt.datetime | None
    tx_type: str | None
    tx_status: str | None
    tx_error_code: str | None
    tx_player_pk: int | None
    tx_amount: Decimal | None
    tx_currency: str | None
    tx_game_id: int | None
    tx_round_id: int | None
    tx_canceled_before_arrival: bool
    round_pk: int | None
    round_finished_at: dt.datetime | None
    game_known: bool
    game_available: bool
    has_limits: bool

    @property
    def has_transaction(self) -> bool:
        return self.tx_status is not None


def _lookup(req: ChangeBalanceRequest) -> _Lookup | None:
    sql = f"""
        SELECT p.id, p.is_blocked, p.is_closed,
               w.id, w.balance,
               s.id, s.player_id, s.wallet_id, s.last_activity_at, s.ended_at,
               t.transaction_type, t.status, t.error_code, t.player_id, t.amount, t.currency,
               t.game_id, t.round_id, t.canceled_before_arrival,
               r.id, r.finished_at,
               g.id, g.enabled, g.listed, g.disabled_by_operator,
               l.id
          FROM {T_PLAYER} p
          LEFT JOIN {T_WALLET} w ON w.player_id = p.id AND w.currency = %(currency)s
          LEFT JOIN {T_SESSION} s ON s.token = %(token)s AND s.operator_id = %(operator)s
          LEFT JOIN {T_TX} t ON t.operator_id = %(operator)s AND t.transaction_id = %(tx)s
          LEFT JOIN {T_ROUND} r ON r.operator_id = %(operator)s AND r.round_id = %(round)s
          LEFT JOIN {_game_table()} g ON g.operator_id = %(operator)s AND g.game_id = %(game)s
          LEFT JOIN {T_LIMITS} l ON l.player_id = p.id
         WHERE p.operator_id = %(operator)s AND p.user_id = %(user_id)s
    """
    # Every key is given as a parameter (not joined through the player's row), so that each
    # table is reached by its own unique index, whatever plan the statement gets.
    params = {
        "currency": req.currency,
        "token": req.token or None,
        "tx": req.transaction_id,
        "round": req.round_id,
        "game": req.game_id,
        "operator": req.operator_pk,
        "user_id": req.user_id,
    }
    row = _fetch_one(sql, params)
    if row is None:
        return None
    return _Lookup(
        player_pk=row[0],
        is_blocked=bool(row[1]),
        is_closed=bool(row[2]),
        wallet_pk=row[3],
        wallet_balance=None if row[4] is None else to_money(row[4]),
        session_pk=row[5],
        session_player_pk=row[6],
        session_wallet_pk=row[7],
        session_last_activity=_from_db_time(row[8]),
        session_ended_at=_from_db_time(row[9]),
        tx_type=row[10],
        tx_status=row[11],
        tx_error_code=row[12],
        tx_player_pk=row[13],
        tx_amount=None if row[14] is None else to_money(row[14]),
        tx_currency=row[15],
        tx_game_id=row[16],
        tx_round_id=row[17],
        tx_canceled_before_arrival=bool(row[18]),
        round_pk=row[19],
        round_finished_at=_from_db_time(row[20]),
        game_known=row[21] is not None,
        game_available=bool(row[22]) and bool(row[23]) and not bool(row[24]),
        has_limits=row[25] is not None,
    )


# --- changebalance -------------------------------------------------------------------------


def change_balance(req: ChangeBalanceRequest) -> Balance:
    """Apply a BET, WIN or REFUND once, or replay the outcome of an identical earlier call.

    Raises WalletError with the spec's code; business errors about the transaction (OP_21,
    OP_30, OP_31, OP_32, OP_33, OP_35) are recorded with it first, so that retries get them too.
    """
    for _attempt in range(2):
        found = _lookup(req)
        if found is None:
            raise WalletError(ErrorCode.OP_34)
        if found.has_transaction:
            return _replay(req, found)
        if found.is_closed:
            raise WalletError(ErrorCode.OP_49, "Player account is closed")
        refusal = _refusal(req, found)
        try:
            new_balance, refusal = _apply(req, found, refusal)
        except IntegrityError:
            # The same transaction_id was committed by a concurrent call between our lookup and
            # our insert: the unique constraint decided, and everything we did was rolled back.
            continue
        if refusal is not None:
            raise refusal
        if new_balance is None:
            raise WalletError(ErrorCode.OP_31)
        return Balance(new_balance, req.currency)
    raise WalletError(ErrorCode.OP_50, "Transaction could not be recorded, retry")


def _refusal(req: ChangeBalanceRequest, found: _Lookup) -> WalletError | None:
    """The business error that refuses this transaction before any money moves, if any."""
    if found.wallet_pk is None:
        return WalletError(ErrorCode.OP_30, f"Player has no {req.currency} wallet")
    if req.transaction_type != TransactionType.BET:
        return None  # WIN and REFUND: money owed is credited, session or not, blocked or not.
    if found.is_blocked:
        # Before the session check: blocking a player also ends their sessions, and the
        # PLATFORM should hear why the BET is refused.
        return WalletError(ErrorCode.OP_33)
    if (
        found.session_pk is None
        or found.session_player_pk != found.player_pk
        or found.session_last_activity is None
        or not session_is_live(
            ended_at=found.session_ended_at, last_activity_at=found.session_last_activity
        )
    ):
        return WalletError(ErrorCode.OP_21)
    if found.session_wallet_pk != found.wallet_pk:
        return WalletError(ErrorCode.OP_30, "Currency does not match the game session")
    if found.game_known and not found.game_available:
        return WalletError(ErrorCode.OP_35)
    return None


def _replay(req: ChangeBalanceRequest, found: _Lookup) -> Balance:
    if found.tx_canceled_before_arrival:
        raise WalletError(
            ErrorCode.OP_49, "Transaction was canceled before it arrived; it is never applied"
        )
    same = (
        found.tx_type == req.transaction_type
        and found.tx_amount == req.amount
        and found.tx_currency == req.currency
        and found.tx_player_pk == found.player_pk
        and found.tx_game_id == req.game_id
        and found.tx_round_id == req.round_id
    )
    if not same:
        raise WalletError(ErrorCode.OP_40)
    if found.tx_status == TransactionStatus.CANCELED:
        # A retry of a canceled transaction never looks applied: one that was refused hears
        # its recorded refusal again, one that moved money (and was reversed) hears OP_49.
        if found.tx_error_code:
            raise WalletError(
                ErrorCode(found.tx_error_code),
                f"{ErrorCode(found.tx_error_code).reason} (refused, then canceled)",
            )
        raise WalletError(
            ErrorCode.OP_49, "Transaction was canceled; a canceled transaction is never applied"
        )
    if found.tx_status == TransactionStatus.ERROR:
        raise WalletError(ErrorCode(found.tx_error_code or ErrorCode.OP_50))
    if found.wallet_balance is None:  # pragma: no cover - an OK transaction has a wallet
        raise WalletError(ErrorCode.OP_30)
    return Balance(found.wallet_balance, req.currency)


_TX_COLUMNS = (
    "operator_id, transaction_id, transaction_type, status, error_code, player_id, wallet_id,"
    " round_id, game_round_id, game_id, currency, amount, rake, token, reason, history_id,"
    " context, transaction_timestamp, canceled_before_arrival, created_at"
)


@dataclass(frozen=True)
class _Write:
    """The values one changebalance writes, adapted for the database."""

    req: ChangeBalanceRequest
    found: _Lookup
    now: dt.datetime
    db_now: Any
    amount: Any
    delta: Any  # signed: negative for a BET
    is_bet: bool
    refusal: WalletError | None

    @classmethod
    def of(cls, req: ChangeBalanceRequest, found: _Lookup, refusal: WalletError | None) -> _Write:
        now = timezone.now()
        is_bet = req.transaction_type == TransactionType.BET
        return cls(
            req=req,
            found=found,
            now=now,
            db_now=_db_time(now),
            amount=_db_money(req.amount),
            delta=_db_money(-req.amount if is_bet else req.amount),
            is_bet=is_bet,
            refusal=refusal,
        )

    def tx_values(self, status: str, error_code: str, round_pk: Any) -> list[Any]:
        req = self.req
        return [
            req.operator_pk,
            req.transaction_id,
            str(req.transaction_type),
            status,
            error_code,
            self.found.player_pk,
            self.found.wallet_pk,
            req.round_id,
            round_pk,
            req.game_id,
            req.currency,
            self.amount,
            None if req.rake is None else connection.ops.adapt_decimalfield_value(req.rake, 18, 4),
            mask_token(req.token),  # a credential: never stored in full outside sessions
            req.reason[:32],
            req.history_id[:255],
            json.dumps(req.context, default=str),
            req.transaction_timestamp[:19],
            False,
            self.db_now,
        ]

    @property
    def round_finished_at(self) -> Any:
        return self.db_now if self.req.round_finished else None

    @property
    def touch_session(self) -> bool:
        from django.conf import settings

        last = self.found.session_last_activity
        return (
            self.is_bet
            and self.found.session_pk is not None
            and last is not None
            and (self.now - last).total_seconds() >= settings.WALLET_SESSION_TOUCH_SECONDS
        )


def _apply(
    req: ChangeBalanceRequest, found: _Lookup, refusal: WalletError | None
) -> tuple[Decimal | None, WalletError | None]:
    """Move the money (unless refused), track the round, record the transaction with its
    outcome and write the ledger entry, all in one database transaction. Returns the new
    balance (None when nothing moved) and the refusal recorded, if any.

    On PostgreSQL this is a single statement (data-modifying CTEs, run in autocommit: one
    round trip). Elsewhere, and for players with responsible-gambling limits (checked under the
    wallet's row lock), it is a short transaction of a few statements. Both take the locks in
    the same order: wallet, round, transaction key."""
    write = _Write.of(req, found, refusal)
    if connection.vendor == "postgresql" and not (write.is_bet and found.has_limits):
        return _apply_single_statement(write), refusal
    return _apply_in_transaction(write)


def _apply_single_statement(write: _Write) -> Decimal | None:
    found = write.found
    ctes = []
    params: list[Any] = []
    # 1. the wallet: a refused transaction moves nothing (the WHERE is false)
    ctes.append(
        f"w AS (UPDATE {T_WALLET} SET balance = balance + %s, updated_at = %s"
        " WHERE id = %s AND %s AND (NOT %s OR balance >= %s OR %s = 0) RETURNING id, balance)"
    )
    params += [
        write.delta,
        write.db_now,
        found.wallet_pk,
        write.refusal is None,
        write.is_bet,
        write.amount,
        write.amount,
    ]
    # 2. the round: created on its first call, finished when a call says so
    if found.round_pk is None:
        ctes.append(
            f"r AS (INSERT INTO {T_ROUND} AS r (operator_id, round_id, player_id, game_id,"
            " created_at, finished_at) VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (operator_id, round_id)"
            " DO UPDATE SET finished_at = COALESCE(r.finished_at, excluded.finished_at)"
            " RETURNING id)"
        )
        params += [
            write.req.operator_pk,
            write.req.round_id,
            found.player_pk,
            write.req.game_id,
            write.db_now,
            write.round_finished_at,
        ]
    elif write.req.round_finished and found.round_finished_at is None:
        ctes.append(
            f"r AS (UPDATE {T_ROUND} SET finished_at = COALESCE(finished_at, %s)"
            " WHERE id = %s RETURNING id)"
        )
        params += [write.db_now, found.round_pk]
    else:
        ctes.append("r AS (SELECT %s::bigint AS id)")
        params.append(found.round_pk)
    # 3. the transaction with its outcome; its unique key makes a concurrent duplicate fail the
    #    whole statement, wallet update included
    refused_code = str(write.refusal.code) if write.refusal else str(ErrorCode.OP_31)
    tx_values = write.tx_values("", "", None)
    placeholders = ", ".join(
        [
            "%s, %s, %s",
            "CASE WHEN EXISTS (SELECT 1 FROM w) THEN 'OK' ELSE 'ERROR' END",
            "CASE WHEN EXISTS (SELECT 1 FROM w) THEN '' ELSE %s END",
            "%s, %s, %s",
            "(SELECT id FROM r)",
            ", ".join(["%s"] * 11),
        ]
    )
    ctes.append(f"t AS (INSERT INTO {T_TX} ({_TX_COLUMNS}) SELECT {placeholders} RETURNING id)")
    params += [*tx_values[:3], refused_code, *tx_values[5:8], *tx_values[9:]]
    # 4. the ledger entry, when money moved
    ctes.append(
        f"e AS (INSERT INTO {T_ENTRY} (wallet_id, kind, amount, balance_after, transaction_id,"
        " reason, created_by_id, created_at) SELECT w.id, %s, %s, w.balance, t.id, '', NULL, %s"
        " FROM w, t)"
    )
    params += [str(write.req.transaction_type), write.delta, write.db_now]
    # 5. keep the game session alive (at most once a minute)
    if write.touch_session:
        ctes.append(
            f"s AS (UPDATE {T_SESSION} SET last_activity_at = %s WHERE id = %s"
            " AND EXISTS (SELECT 1 FROM w))"
        )
        params += [write.db_now, found.session_pk]
    sql = "WITH " + ", ".join(ctes) + " SELECT (SELECT balance FROM w), (SELECT id FROM t)"
    row = _fetch_one(sql, params)
    assert row is not None
    return None if row[0] is None else to_money(row[0])


def _fetch_one(sql: str, params: list[Any] | dict[str, Any]) -> tuple[Any, ...] | None:
    """Run one statement and return its first row.

    On PostgreSQL with server-side binding, prepared on first use: Django's own cursors bind on
    the client (so that PgBouncer in transaction mode works); the hot path's few statements are
    prepared instead, which saves their planning. Inside an atomic block (tests), a savepoint
    keeps a failed statement from aborting the outer transaction. Errors are Django's.
    """
    db = connections[DEFAULT_DB_ALIAS]  # (the `connection` proxy costs a lookup per attribute)
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else tuple(row)
    import psycopg

    db.ensure_connection()
    guard = transaction.atomic() if db.in_atomic_block else _no_guard()
    with guard, db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
        cursor.execute(sql, params, prepare=_PREPARE)
        row = cursor.fetchone()
    return None if row is None else tuple(row)


class _no_guard:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _prepare_setting() -> bool | None:
    from django.conf import settings

    return True if getattr(settings, "WALLET_PREPARED_STATEMENTS", True) else None


_PREPARE = _prepare_setting()


def _apply_in_transaction(write: _Write) -> tuple[Decimal | None, WalletError | None]:
    found, req, refusal = write.found, write.req, write.refusal
    new_balance: Decimal | None = None
    with transaction.atomic(), connection.cursor() as cursor:
        if refusal is None:
            # The wallet's row is locked first (the same order as the single statement), so
            # that concurrent BETs cannot pass a responsible-gambling limit together.
            current = _wallet_lock(cursor, found.wallet_pk)
            if write.is_bet and found.has_limits:
                refusal = limits.bet_refusal(
                    player_pk=found.player_pk, currency=req.currency, amount=req.amount
                )
            signed = -req.amount if write.is_bet else req.amount
            funded = not write.is_bet or req.amount == 0 or current >= req.amount
            if refusal is None and funded:
                new_balance = _wallet_set(cursor, found.wallet_pk, current + signed, write.db_now)
        round_pk = _round_track(cursor, write)
        if refusal is not None:
            status, error_code = TransactionStatus.ERROR, str(refusal.code)
        elif new_balance is None:
            status, error_code = TransactionStatus.ERROR, str(ErrorCode.OP_31)
        else:
            status, error_code = TransactionStatus.OK, ""
        assert error_code == "" or error_code in RECORDED_CODES
        cursor.execute(
            f"INSERT INTO {T_TX} ({_TX_COLUMNS}) VALUES ({', '.join(['%s'] * 20)}) RETURNING id",
            write.tx_values(str(status), error_code, round_pk),
        )
        tx_pk = cursor.fetchone()[0]
        if new_balance is not None:
            cursor.execute(
                f"INSERT INTO {T_ENTRY} (wallet_id, kind, amount, balance_after, transaction_id,"
                " reason, created_by_id, created_at) VALUES (%s, %s, %s, %s, %s, '', NULL, %s)",
                [
                    found.wallet_pk,
                    str(req.transaction_type),
                    write.delta,
                    _db_money(new_balance),
                    tx_pk,
                    write.db_now,
                ],
            )
            if write.touch_session:
                cursor.execute(
                    f"UPDATE {T_SESSION} SET last_activity_at = %s WHERE id = %s",
                    [write.db_now, found.session_pk],
                )
    return new_balance, refusal


def _wallet_lock(cursor: Any, wallet_pk: int | None) -> Decimal:
    """Lock a wallet's row (SQLite: the transaction holds the write lock) and read its
    balance as an exact Decimal."""
    cursor.execute(f"SELECT balance FROM {T_WALLET} WHERE id = %s{_for_update()}", [wallet_pk])
    return to_money(cursor.fetchone()[0])


def _wallet_set(cursor: Any, wallet_pk: int | None, balance: Decimal, db_now: Any) -> Decimal:
    """Write a balance computed in Decimal under the row lock. The arithmetic is never left
    to the database here: SQLite would do it in binary floating point."""
    cursor.execute(
        f"UPDATE {T_WALLET} SET balance = %s, updated_at = %s WHERE id = %s",
        [_db_money(balance), db_now, wallet_pk],
    )
    return balance


def _round_track(cursor: Any, write: _Write) -> int:
    """Create the round on its first call; mark it finished when a call says so."""
    found, req = write.found, write.req
    if found.round_pk is not None:
        if req.round_finished and found.round_finished_at is None:
            cursor.execute(
                f"UPDATE {T_ROUND} SET finished_at = %s WHERE id = %s AND finished_at IS NULL",
                [write.db_now, found.round_pk],
            )
        return found.round_pk
    cursor.execute(
        f"""INSERT INTO {T_ROUND} AS r (operator_id, round_id, player_id, game_id, created_at,
                finished_at)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (operator_id, round_id)
            DO UPDATE SET finished_at = COALESCE(r.finished_at, excluded.finished_at)
            RETURNING id""",
        [
            req.operator_pk,
            req.round_id,
            found.player_pk,
            req.game_id,
            write.db_now,
            write.round_finished_at,
        ],
    )
    return int(cursor.fetchone()[0])


def player_pk_of(*, operator_pk: int, user_id: str) -> int:
    """The player's key, or OP_34 when the operator has no such user_id."""
    player_pk = (
        Player.objects.filter(operator_id=operator_pk, user_id=user_id)
        .values_list("pk", flat=True)
        .first()
    )
    if player_pk is None:
        raise WalletError(ErrorCode.OP_34)
    return player_pk


# --- cancel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelRequest:
    operator_pk: int
    user_id: str
    transaction_id: int
    round_id: int
    round_finished: bool | None
    game_id: int


def cancel(req: CancelRequest) -> None:
    """Reverse a transaction: a BET's amount comes back, a WIN or REFUND is taken back (the
    wallet may go negative here, and only here). Repeats move nothing. An unknown transaction
    is OP_41 and is remembered, so that it is refused if it ever arrives."""
    player_pk = player_pk_of(operator_pk=req.operator_pk, user_id=req.user_id)
    now = timezone.now()
    db_now = _db_time(now)
    with transaction.atomic(), connection.cursor() as cursor:
        row = _cancel_target(cursor, req)
        if row is None:
            cursor.execute(
                f"""INSERT INTO {T_TX} (operator_id, transaction_id, transaction_type, status,
                        error_code, player_id, wallet_id, round_id, game_round_id, game_id,
                        currency, amount, rake, token, reason, history_id, context,
                        transaction_timestamp, canceled_before_arrival, created_at, canceled_at)
                    VALUES (%s, %s, NULL, %s, '', %s, NULL, %s, NULL, %s, '', NULL, NULL, '', '',
                        '', '{{}}', '', %s, %s, %s)
                    ON CONFLICT (operator_id, transaction_id) DO NOTHING""",
                [
                    req.operator_pk,
                    req.transaction_id,
                    str(TransactionStatus.CANCELED),
                    player_pk,
                    req.round_id,
                    req.game_id,
                    True,
                    db_now,
                    db_now,
                ],
            )
            if cursor.rowcount == 1:
                not_found: WalletError | None = WalletError(ErrorCode.OP_41)
            else:  # the transaction arrived concurrently: cancel it after all
                row = _cancel_target(cursor, req)
                not_found = None
        else:
            not_found = None
        if row is not None:
            not_found = _cancel_apply(cursor, req, row, player_pk, now)
    if req.round_finished:
        # After the money transaction, in a statement of its own: a cancel then never holds
        # a transaction key while waiting for a round that a changebalance holds (which locks
        # wallet, round, then the key).
        Round.objects.filter(
            operator_id=req.operator_pk, round_id=req.round_id, finished_at__isnull=True
        ).update(finished_at=now)
    if not_found is not None:
        raise not_found


def _cancel_target(cursor: Any, req: CancelRequest) -> tuple[Any, ...] | None:
    cursor.execute(
        f"SELECT id, transaction_type, status, player_id, wallet_id, amount,"
        f" canceled_before_arrival FROM {T_TX}"
        f" WHERE operator_id = %s AND transaction_id = %s{_for_update()}",
        [req.operator_pk, req.transaction_id],
    )
    row = cursor.fetchone()
    return None if row is None else tuple(row)


def _cancel_apply(
    cursor: Any, req: CancelRequest, row: tuple[Any, ...], player_pk: int, now: dt.datetime
) -> WalletError | None:
    tx_pk, tx_type, status, tx_player_pk, wallet_pk, amount, before_arrival = row
    if tx_player_pk != player_pk or before_arrival:
        return WalletError(ErrorCode.OP_41)
    if status == TransactionStatus.CANCELED:
        return None
    db_now = _db_time(now)
    if status == TransactionStatus.OK:
        value = to_money(amount)
        delta = value if tx_type == TransactionType.BET else -value
        current = _wallet_lock(cursor, wallet_pk)
        balance_after = _wallet_set(cursor, wallet_pk, current + delta, db_now)
        cursor.execute(
            f"INSERT INTO {T_ENTRY} (wallet_id, kind, amount, balance_after, transaction_id,"
            " reason, created_by_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, NULL, %s)",
            [
                wallet_pk,
                str(EntryKind.CANCEL),
                _db_money(delta),
                _db_money(balance_after),
                tx_pk,
                f"cancel of {tx_type} {req.transaction_id}",
                db_now,
            ],
        )
    cursor.execute(
        f"UPDATE {T_TX} SET status = %s, canceled_at = %s WHERE id = %s",
        [str(TransactionStatus.CANCELED), db_now, tx_pk],
    )
    return None


# --- Staff and set-up: opening balances and manual adjustments -----------------------------


class AdjustmentRefused(ValueError):
    """Money outside gameplay cannot move as asked (the message says why, for staff).

    A ValueError, so that the callers written before it (commands catching ValueError) keep
    working; new code catches this type only, so that a bug's ValueError is not taken for a
    refusal."""


def wallet_open(*, player: Player, currency: str, opening_balance: Decimal) -> Wallet:
    """Create a player's wallet in a currency; a non-zero opening balance is a ledger entry.

    Raises AdjustmentRefused for a negative opening balance."""
    if opening_balance < 0:
        raise AdjustmentRefused("An opening balance cannot be negative")
    with transaction.atomic():
        wallet, _created = Wallet.objects.get_or_create(player=player, currency=currency)
    if opening_balance:
        wallet_adjust(
            wallet=wallet,
            amount=opening_balance,
            reason="Opening balance",
            kind=EntryKind.OPENING,
        )
        wallet.refresh_from_db()
    return wallet


def wallet_adjust(
    *,
    wallet: Wallet,
    amount: Decimal,
    reason: str,
    staff: AbstractBaseUser | None = None,
    approved_by: AbstractBaseUser | None = None,
    kind: EntryKind = EntryKind.ADJUSTMENT,
    allow_negative: bool = False,
) -> LedgerEntry:
    """Credit (amount > 0) or debit (amount < 0) a wallet outside gameplay, with a reason.

    `staff` made the adjustment, `approved_by` (a different person) approved it; both are
    recorded on the ledger entry. A debit never takes the balance below zero unless
    `allow_negative`. Runs in one transaction with the wallet's row locked (the caller's, if
    any: then the caller's other writes commit with the money or not at all).

    Raises AdjustmentRefused: more than 2 decimal places, a zero amount, no reason, an approver
    who is the staff member, or a debit beyond the balance.
    """
    amount = Decimal(amount)
    if amount != amount.quantize(CENT):
        raise AdjustmentRefused("An amount has at most 2 decimal places")
    if amount == 0:
        raise AdjustmentRefused("An adjustment must move money")
    if not reason.strip():
        raise AdjustmentRefused("An adjustment needs a reason")
    if approved_by is not None and (
        not approved_by.pk or (staff is not None and approved_by.pk == staff.pk)
    ):
        raise AdjustmentRefused("An adjustment is approved by someone other than its author")
    now = timezone.now()
    with transaction.atomic():
        locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
        new_balance = locked.balance + amount
        if new_balance < 0 and amount < 0 and not allow_negative:
            raise AdjustmentRefused(f"Insufficient funds: balance is {locked.balance}")
        Wallet.objects.filter(pk=locked.pk).update(balance=new_balance, updated_at=now)
        return LedgerEntry.objects.create(
            wallet=locked,
            kind=kind,
            amount=amount,
            balance_after=new_balance,
            reason=reason.strip()[:255],
            created_by=staff if staff is not None and staff.pk else None,  # type: ignore[misc]
            approved_by=approved_by,
            created_at=now,
        )
