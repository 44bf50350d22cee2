"""The ledger's SQL: each statement written once, with named parameters (`%(name)s`) and its
columns read back by their aliases.

Two ways to run them (`fetch_one`, `run`), and the ways to compose a changebalance from them:
on PostgreSQL one statement of data-modifying CTEs (`statements.py`), elsewhere a short
transaction of the same statements one by one (`write.py`). Where the two differ in a value (the
transaction's outcome, the round's key, the entry's wallet), the statement has a slot that is
filled once, when the module is loaded or a composition is first used: a parameter for the
portable path, a reference to an earlier CTE for the single statement.

Every value is a bound parameter; only table names (from the models) are formatted in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.models import Game
from platform_wallet.models import (
    GameSession,
    LedgerEntry,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    TransactionStatus,
    Wallet,
    WalletDayTotal,
)

T_PLAYER = Player._meta.db_table
T_WALLET = Wallet._meta.db_table
T_SESSION = GameSession._meta.db_table
T_ROUND = Round._meta.db_table
T_TX = Transaction._meta.db_table
T_ENTRY = LedgerEntry._meta.db_table
T_LIMITS = ResponsibleGamblingLimits._meta.db_table
T_GAME = Game._meta.db_table
T_DAY = WalletDayTotal._meta.db_table

OK, ERROR = TransactionStatus.OK.value, TransactionStatus.ERROR.value

# --- changebalance's one read --------------------------------------------------------------

# Everything the rules of one changebalance read (`changebalance.Lookup`: its fields are these
# aliases). Every key is a parameter (never joined through the player's row), so that each
# table is reached by its own unique index, whatever plan the statement gets. No row: no such
# player (OP_34).
LOOKUP = f"""
    SELECT p.id AS player_pk, p.is_blocked AS is_blocked, p.is_closed AS is_closed,
           w.id AS wallet_pk, w.balance AS wallet_balance,
           s.id AS session_pk, s.player_id AS session_player_pk,
           s.wallet_id AS session_wallet_pk, s.last_activity_at AS session_last_activity,
           s.ended_at AS session_ended_at,
           t.transaction_type AS tx_type, t.status AS tx_status, t.error_code AS tx_error_code,
           t.player_id AS tx_player_pk, t.amount AS tx_amount, t.currency AS tx_currency,
           t.game_id AS tx_game_id, t.round_id AS tx_round_id,
           t.canceled_before_arrival AS tx_canceled_before_arrival,
           r.id AS round_pk, r.finished_at AS round_finished_at,
           g.id IS NOT NULL AS game_known,
           -- catalog's Game.is_available: the PLATFORM offers it, we have not disabled it
           (g.enabled AND g.listed AND NOT g.disabled_by_operator) AS game_available,
           l.id IS NOT NULL AS has_limits
      FROM {T_PLAYER} p
      LEFT JOIN {T_WALLET} w ON w.player_id = p.id AND w.currency = %(currency)s
      LEFT JOIN {T_SESSION} s ON s.token = %(session_token)s AND s.operator_id = %(operator_pk)s
      LEFT JOIN {T_TX} t
             ON t.operator_id = %(operator_pk)s AND t.transaction_id = %(transaction_id)s
      LEFT JOIN {T_ROUND} r ON r.operator_id = %(operator_pk)s AND r.round_id = %(round_id)s
      LEFT JOIN {T_GAME} g ON g.operator_id = %(operator_pk)s AND g.game_id = %(game_id)s
      LEFT JOIN {T_LIMITS} l ON l.player_id = p.id
     WHERE p.operator_id = %(operator_pk)s AND p.user_id = %(user_id)s"""

# --- The wallet ----------------------------------------------------------------------------

# PostgreSQL: the balance moves by `delta` (negative for a BET) in the database's exact NUMERIC
# arithmetic, under the row lock this UPDATE takes. The WHERE is the refusal: a transaction
# refused before any money moves (`refused`, decided from the lookup) and a debit the balance
# does not cover match no row, so nothing moves and the statement's outcome is ERROR. A credit
# (WIN, REFUND, a zero BET) always applies, even to a negative balance.
WALLET_MOVE = f"""
    UPDATE {T_WALLET} SET balance = balance + %(delta)s, updated_at = %(now)s
     WHERE id = %(wallet_pk)s AND NOT %(refused)s
       AND (%(delta)s >= 0 OR balance + %(delta)s >= 0)
    RETURNING id, balance, totals_since"""

# Portable: lock the row (SQLite: the transaction holds the write lock already), compute the new
# balance in Decimal, write it. The arithmetic is never left to SQLite, which would do it in
# binary floating point.
_WALLET_LOCK = f"""
    SELECT balance AS wallet_balance, totals_since AS wallet_totals_since
      FROM {T_WALLET} WHERE id = %(wallet_pk)s"""
WALLET_SET = f"""
    UPDATE {T_WALLET} SET balance = %(wallet_balance)s, updated_at = %(now)s
     WHERE id = %(wallet_pk)s"""


def wallet_lock() -> str:
    return _WALLET_LOCK + for_update()


# --- The running totals of responsible-gambling limits (`day_totals`) -----------------------

# PostgreSQL, in the single statement: when the money moved (w has its row) and the wallet keeps
# running totals from this day or earlier (`totals_since`, read from the row w has locked), the
# day's row gains the transaction's bets or wins (`day_bets`, `day_wins`), in NUMERIC. For every
# other wallet the SELECT has no row and nothing is written. (The portable path adds in Decimal:
# `day_totals.add`.)
DAY_TOTAL_ADD = f"""
    INSERT INTO {T_DAY} AS d (wallet_id, day, bets, wins)
    SELECT w.id, %(day)s, %(day_bets)s, %(day_wins)s FROM w
     WHERE w.totals_since <= %(day)s
    ON CONFLICT (wallet_id, day)
    DO UPDATE SET bets = d.bets + excluded.bets, wins = d.wins + excluded.wins"""


# --- The round -----------------------------------------------------------------------------


# Its first call creates it (finished when that call says so); a concurrent first call of the
# same round makes this an update, and neither fails.
def round_upsert(*, player: str = "%(player_pk)s", source: str | None = None) -> str:
    """The round's upsert; `source` (a FROM that gives its row, e.g. the lookup's) instead
    of the VALUES of its parameters, `player` then referring to it."""
    values = f"""%(operator_pk)s, %(round_id)s, {player}, %(game_id)s, %(now)s,
            %(round_finished_at)s"""
    row = f"VALUES ({values})" if source is None else f"SELECT {values}{source}"
    return f"""
    INSERT INTO {T_ROUND} AS r (operator_id, round_id, player_id, game_id, created_at,
                                finished_at)
    {row}
    ON CONFLICT (operator_id, round_id)
    DO UPDATE SET finished_at = COALESCE(r.finished_at, excluded.finished_at)
    RETURNING id AS round_pk"""


ROUND_UPSERT = round_upsert()

# A later call (or a cancel) that says the round finished. COALESCE, not a `finished_at IS
# NULL` condition: the round's key is returned even when a concurrent call finished it first.
ROUND_FINISH = f"""
    UPDATE {T_ROUND} SET finished_at = COALESCE(finished_at, %(now)s)
     WHERE operator_id = %(operator_pk)s AND round_id = %(round_id)s
    RETURNING id AS round_pk"""

# --- The transaction -----------------------------------------------------------------------


def tx_insert(
    *,
    status: str,
    error_code: str,
    game_round: str,
    on_conflict: str = "",
    player: str = "%(player_pk)s",
    wallet: str = "%(wallet_pk)s",
    source: str | None = None,
) -> str:
    """The one INSERT of a transaction row; the slots take parameters or CTE references, and
    `source` (a FROM that gives its row) replaces the VALUES of its parameters.

    The (operator_id, transaction_id) unique key is the idempotency guard: a concurrent call
    that inserted the same transaction_id makes this INSERT wait for it, then fail (unless
    `on_conflict` says otherwise), and the whole transaction or statement with it."""
    values = f"""%(operator_pk)s, %(transaction_id)s, %(transaction_type)s, {status}, {error_code},
            {player}, {wallet}, %(round_id)s, {game_round}, %(game_id)s, %(currency)s,
            %(amount)s, %(rake)s, %(token)s, %(reason)s, %(history_id)s, %(context)s,
            %(is_freespin)s, %(campaign_code)s, %(is_jackpot)s,
            %(transaction_timestamp)s, %(canceled_before_arrival)s, %(now)s, %(canceled_at)s"""
    row = f"VALUES ({values})" if source is None else f"SELECT {values}{source}"
    return f"""
    INSERT INTO {T_TX} (operator_id, transaction_id, transaction_type, status, error_code,
                        player_id, wallet_id, round_id, game_round_id, game_id, currency,
                        amount, rake, token, reason, history_id, context, is_freespin,
                        campaign_code, is_jackpot, transaction_timestamp,
                        canceled_before_arrival, created_at, canceled_at)
    {row}
    {on_conflict}
    RETURNING id AS transaction_pk"""


TX_INSERT = tx_insert(status="%(status)s", error_code="%(error_code)s", game_round="%(round_pk)s")

# cancel of a transaction we never had: its tombstone (canceled before arrival). If the
# transaction arrives meanwhile, nothing is inserted (no row returned) and cancel cancels it.
TX_TOMBSTONE = tx_insert(
    status="%(status)s",
    error_code="%(error_code)s",
    game_round="%(round_pk)s",
    on_conflict="ON CONFLICT (operator_id, transaction_id) DO NOTHING",
)

# cancel's target, locked (cancel's first lock; the wallet's comes after).
_CANCEL_TARGET = f"""
    SELECT id AS transaction_pk, transaction_type, status, player_id AS player_pk,
           wallet_id AS wallet_pk, amount, canceled_before_arrival, created_at
      FROM {T_TX}
     WHERE operator_id = %(operator_pk)s AND transaction_id = %(transaction_id)s"""


def cancel_target() -> str:
    return _CANCEL_TARGET + for_update()


TX_MARK_CANCELED = f"""
    UPDATE {T_TX} SET status = %(status)s, canceled_at = %(now)s WHERE id = %(transaction_pk)s"""

# --- The ledger entry and the session ------------------------------------------------------


def entry_insert(*, wallet: str, balance_after: str, transaction: str, source: str) -> str:
    """The one INSERT of a gameplay ledger entry (a changebalance's or a cancel's): `source`
    is the FROM that gives its row, or nothing for the row of its parameters."""
    return f"""
    INSERT INTO {T_ENTRY} (wallet_id, kind, amount, balance_after, transaction_id, reason,
                           created_by_id, created_at)
    SELECT {wallet}, %(kind)s, %(delta)s, {balance_after}, {transaction}, %(entry_reason)s,
           NULL, %(now)s{source}"""


ENTRY_INSERT = entry_insert(
    wallet="%(wallet_pk)s",
    balance_after="%(wallet_balance)s",
    transaction="%(transaction_pk)s",
    source="",
)


def session_touch(*, condition: str = "", session: str = "%(session_pk)s") -> str:
    """A BET keeps its game session alive (written at most once a minute)."""
    return f"""
    UPDATE {T_SESSION} SET last_activity_at = %(now)s WHERE id = {session}{condition}"""


SESSION_TOUCH = session_touch()

# --- Running them --------------------------------------------------------------------------


def fetch_one(sql: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """Run one statement on its own (autocommit) and return its first row by column name.

    On PostgreSQL with server-side binding, prepared on first use: Django's own cursors bind on
    the client (so that PgBouncer in transaction mode works); the hot path's few statements are
    prepared instead, which saves their planning. They are sent with PostgreSQL's own
    placeholders (`_numbered`, psycopg's RawCursor, one per connection): psycopg would
    otherwise parse the named ones on every call (it keeps no parse of a statement over 4 kB).
    Inside an atomic block
    (tests), a savepoint keeps a failed statement from aborting the outer transaction.

    Raises Django's database errors (IntegrityError, OperationalError, ...)."""
    db = connections[DEFAULT_DB_ALIAS]  # (the `connection` proxy costs a lookup per attribute)
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            return run(cursor, sql, params)
    db.ensure_connection()
    numbered, names = _numbered(sql)
    guard = transaction.atomic() if db.in_atomic_block else contextlib.nullcontext()
    with guard, db.wrap_database_errors:
        statement = _cursor(db.connection)
        statement.execute(numbered, [params[name] for name in names], prepare=_PREPARE)
        return _named(statement, sql, statement.fetchone())


def _cursor(raw: Any) -> psycopg.RawCursor[Any]:
    """The connection's cursor for these statements, made once: a new cursor would make
    its value loaders anew on every call."""
    cursor = getattr(raw, "_wallet_cursor", None)
    if cursor is None:
        cursor = raw._wallet_cursor = psycopg.RawCursor(raw)
    return cursor


def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """The statement with $1, $2, ... for its named parameters (a name used twice is one
    parameter), and the names in their order; worked out once per statement."""
    known = _NUMBERED.get(sql)
    if known is None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match[1] not in names:
                names.append(match[1])
            return f"${names.index(match[1]) + 1}"

        known = _NUMBERED[sql] = (_PLACEHOLDER.sub(number, sql), tuple(names))
    return known


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_NUMBERED: dict[str, tuple[str, tuple[str, ...]]] = {}


def run(cursor: Any, sql: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """Run one statement on a cursor of Django's (inside the caller's transaction) and return
    its first row by column name, if it returns rows."""
    cursor.execute(sql, params)
    return None if cursor.description is None else _named(cursor, sql, cursor.fetchone())


def _named(cursor: Any, sql: str, row: Sequence[Any] | None) -> dict[str, Any] | None:
    """A row as {column alias: value}. A statement's aliases never change: they are read from
    the cursor's description once per statement (building the description costs more than the
    rest of reading a row)."""
    if row is None:
        return None
    names = _COLUMN_NAMES.get(sql)
    if names is None:
        names = _COLUMN_NAMES[sql] = tuple(column[0] for column in cursor.description)
    return dict(zip(names, row, strict=True))


_COLUMN_NAMES: dict[str, tuple[str, ...]] = {}


_PREPARE = True if getattr(settings, "WALLET_PREPARED_STATEMENTS", True) else None


def for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


# --- Values: the two databases take and return different Python types from raw SQL --------


def db_money(value: Any, *, places: int = 2) -> Any:
    # (connections[...], not the `connection` proxy: the hot path calls these often)
    return connections[DEFAULT_DB_ALIAS].ops.adapt_decimalfield_value(value, 18, places)


def db_time(value: dt.datetime) -> Any:
    return connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value(value)


def from_db_time(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value
