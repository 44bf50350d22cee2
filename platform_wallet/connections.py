"""The wallet's database connection: kept between calls, and after the database went away
(issue 10: "after PostgreSQL restarts").

A thread keeps its pooled connection from one gameplay API call to the next
(`before_wallet_call`, `after_wallet_call`, called by `platform_wallet.wsgi`): checking it out
of the pool and returning it on every call cost about a tenth of a BET's CPU. It is given back
after WALLET_KEEP_CONNECTION_SECONDS, or as soon as anything went wrong with it, and dropped
before a call when the server has hung up on it meanwhile (a restart, pg_terminate_backend:
the server's farewell makes the idle socket readable), so that no call draws a dead one. Only
with a backend that leases pooled connections to their thread (`casino_project.postgresql`:
a thread that ends gives its connection back); elsewhere every call returns it, as Django's
request signals would.

The pool (psycopg_pool, DATABASES OPTIONS "pool") does not test a connection when it hands it
out: testing would cost a round trip on every call. So after PostgreSQL restarts, each of
its idle connections is dead, and the call that draws one fails (answered OP_50 or OP_47,
which the PLATFORM retries); Django then hands the dead connection back and the pool drops
it. `pool_drop_dead_connections` spares the calls that would draw the other dead ones: the
first call that finds its connection broken makes the pool test its idle connections at once
(a round trip each, on that error path only).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import select
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger("platform_wallet.connections")


def connection_is_broken() -> bool:
    """True when this thread's database connection was lost (not merely refused a query)."""
    raw: Any = connection.connection
    return raw is not None and bool(getattr(raw, "broken", False))


def connection_is_missing() -> bool:
    """True when this thread has no database connection (none could be had, or it was
    lost): writing anything more in this call would only wait for the pool again."""
    return connection.connection is None or connection_is_broken()


def pool_drop_dead_connections() -> None:
    """After a lost connection: the pool tests its idle connections now and replaces the
    dead ones. Never raises (the call is answered whatever happens here)."""
    pool = getattr(connection, "pool", None)
    if pool is None:
        return
    try:
        pool.check()
    except Exception:  # the answer must not depend on this
        logger.warning("could not check the pool's connections", exc_info=True)


def before_wallet_call(database: BaseDatabaseWrapper) -> None:
    """The connection this thread kept from its last call serves this one, unless it is no
    longer usable: then it is dropped (and the pool's idle ones are tested: after a restart
    they are dead too) and the call checks out a new one. A connection that is not leased to
    the thread follows Django's rule (`close_if_unusable_or_obsolete`)."""
    if _lease_age(database) is None:
        database.close_if_unusable_or_obsolete()
        return
    raw: Any = database.connection
    if _reusable(database) and not _hung_up(raw):
        return
    logger.info("the kept database connection is no longer usable: replaced")
    with contextlib.suppress(Exception):
        raw.close()  # so that the pool discards it rather than hand it out again
    database.close()
    pool_drop_dead_connections()


def after_wallet_call(database: BaseDatabaseWrapper) -> None:
    """Keep this thread's leased connection for its next call, unless anything went wrong
    with it or it was kept WALLET_KEEP_CONNECTION_SECONDS; else Django's rule, which returns
    a pooled connection to the pool."""
    age = _lease_age(database)
    if age is not None and age < settings.WALLET_KEEP_CONNECTION_SECONDS and _reusable(database):
        return
    database.close_if_unusable_or_obsolete()


def _lease_age(database: BaseDatabaseWrapper) -> float | None:
    """How long the thread has held its leased pooled connection; None without one."""
    age = getattr(database, "pooled_connection_age", None)
    return None if age is None else age()


def _reusable(database: BaseDatabaseWrapper) -> bool:
    """Nothing went wrong: no database error, no transaction left open, autocommit on."""
    raw: Any = database.connection
    return (
        not database.errors_occurred
        and not database.in_atomic_block
        and database.autocommit
        and not raw.broken
        and raw.pgconn.transaction_status == 0  # IDLE
    )


def _hung_up(raw: Any) -> bool:
    """An idle connection's socket has something to read only when the server sent it
    unasked: its farewell (FATAL: terminating connection) or the end of the connection."""
    try:
        readable, _, _ = select.select([raw.pgconn.socket], [], [], 0)
    except Exception:  # no socket: the connection is closed
        return True
    return bool(readable)


# the timeouts set by enclosing `statement_timeout` blocks of this thread or task, innermost last
_timeouts: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("timeouts", default=())


@contextlib.contextmanager
def statement_timeout(milliseconds: int) -> Iterator[None]:
    """This thread's connection runs its statements with a timeout of `milliseconds` (0: none)
    inside the block; after it, the enclosing block's timeout again, or outside every block the
    one the connection started with (RESET: the wallet's short one, or a job's), so that a
    pooled connection never carries a longer timeout to a wallet call. Blocks nest (a staff
    page running a job now). On PostgreSQL only; elsewhere nothing. A connection that cannot
    be reset is closed (never reused)."""
    if connection.vendor != "postgresql":
        yield
        return
    enclosing = _timeouts.get()
    token = _timeouts.set((*enclosing, milliseconds))
    _set_timeout(milliseconds)
    try:
        yield
    finally:
        _timeouts.reset(token)
        try:
            if connection.connection is not None:
                _set_timeout(enclosing[-1] if enclosing else None)
        except DatabaseError:
            logger.warning("could not reset the statement timeout: connection closed")
            connection.close()


def _set_timeout(milliseconds: int | None) -> None:
    with connection.cursor() as cursor:
        if milliseconds is None:
            cursor.execute("RESET statement_timeout")
        else:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(milliseconds)])


# --- Reads from a streaming replica (casino_project.db_router) ---------------------------------

REPLICA = "replica"  # the database alias, configured when DATABASE_REPLICA_URL is set
_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "replica_reads", default=False
)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside the block go to the replica when there is one (reports, charts: data a
    few seconds old is fine); writes, and reads anywhere else, stay on the primary. Never
    around money or reconciliation: a replica lags."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_wanted() -> bool:
    return _replica_reads.get()
