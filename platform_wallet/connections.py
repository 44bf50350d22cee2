"""Database connections after the database went away (issue 10: "after PostgreSQL restarts").

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
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, connection

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
