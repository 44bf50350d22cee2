"""Django's PostgreSQL backend (settings: ENGINE "casino_project.postgresql"), and one thing
more: a thread that ends while it holds a pooled connection gives it back to the pool.

Django returns a pooled connection when a request ends (CONN_MAX_AGE 0). The gameplay API's
calls keep theirs between calls instead (`platform_wallet.connections`: the checkout and the
return cost about a tenth of a BET's CPU). But casino-web's blocking threads end after an idle
time, and a thread that ended with its connection would hold a place in the pool for good: the
pool counts it as in use, and later calls would wait for it, then time out. So every checkout
is leased to the thread that made it (`_Lease`), and the thread's `_ThreadEnd`, kept in a
thread-local, returns what is still leased when the thread ends (CPython drops a thread's
locals then). When Django returns the connection first (`_close`), the lease is emptied, so a
connection is never returned twice.

`pooled_connection_age()` tells the wallet how long its thread has held the connection.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db.backends.postgresql import base

logger = logging.getLogger("casino_project.postgresql")


class _Lease:
    """A pooled connection checked out by a thread (None once returned)."""

    __slots__ = ("connection", "pool", "taken_at")

    def __init__(self, pool: Any, connection: Any) -> None:
        self.pool = pool
        self.connection = connection
        self.taken_at = time.monotonic()

    def release(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            self.pool.putconn(connection)
        except Exception:  # at a thread's end (or the interpreter's): nothing to raise to
            logger.warning("a pooled connection could not be returned", exc_info=True)


class _ThreadEnd:
    """Lives in a thread-local: when its thread ends, the leases it still holds are returned."""

    __slots__ = ("leases",)

    def __init__(self) -> None:
        self.leases: list[_Lease] = []

    def add(self, lease: _Lease) -> None:
        self.leases = [held for held in self.leases if held.connection is not None]
        self.leases.append(lease)

    def __del__(self) -> None:
        for lease in self.leases:
            lease.release()


_thread = threading.local()


class DatabaseWrapper(base.DatabaseWrapper):
    _lease: _Lease | None = None

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        pool = getattr(connection, "_pool", None)  # set by the pool on every checkout
        if pool is not None:
            self._lease = _Lease(pool, connection)
            end = getattr(_thread, "end", None)
            if end is None:
                end = _thread.end = _ThreadEnd()
            end.add(self._lease)
        return connection

    def _close(self) -> None:
        lease, self._lease = self._lease, None
        if lease is not None:
            lease.connection = None  # Django returns it now
        super()._close()  # type: ignore[misc]  # (not in django-stubs)

    def pooled_connection_age(self) -> float | None:
        """Seconds since this thread took its pooled connection; None without one."""
        lease = self._lease
        if lease is None or lease.connection is None or lease.connection is not self.connection:
            return None
        return time.monotonic() - lease.taken_at
