"""Issue 13, less work per BET: a serving thread keeps its pooled database connection from one
gameplay API call to the next (`platform_wallet.connections`), safely:
- a thread that ends with a pooled connection gives it back (`casino_project.postgresql`:
  casino-web's blocking threads end after an idle time);
- a connection the server ended meanwhile (a restart) is replaced before the call, which is
  answered (issue 10: no call fails for it);
- a connection is given back when anything went wrong with it, and after
  WALLET_KEEP_CONNECTION_SECONDS.
Against the real pool on PostgreSQL (in the process: the WSGI front manages the connection as
under casino-web)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from tests.test_deploy import pg_admin
from tests.wallet_client import sha1, status_request
from tests.wsgi_transport import wsgi_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def status_call() -> bytes:
    """A signed status call for a player that does not exist: OP_34 when the database
    answered, OP_50 when it could not."""
    response = wsgi_request(
        "POST",
        "/api/wallet/status",
        status_request(transaction_id=5, round_id=5, game_id=1),
        headers={"X-Operator-Id": "examplecasino", "X-Authorization": sha1("statussecret_key")},
        keep_connection=False,  # the front manages the connection, as under casino-web
    )
    assert response.status_code == 200
    return response.content


def raw() -> Any:
    return connection.connection


def test_issue13_a_thread_keeps_its_pooled_connection_between_wallet_calls(
    operator: object,
) -> None:
    connection.close()
    assert b'"error_code":"OP_34"' in status_call()
    kept = raw()
    assert kept is not None  # not returned to the pool after the call
    assert b'"error_code":"OP_34"' in status_call()
    assert raw() is kept  # the next call used it again


def test_issue13_with_keep_seconds_0_every_call_returns_its_connection(
    operator: object, settings: Any
) -> None:
    settings.WALLET_KEEP_CONNECTION_SECONDS = 0
    connection.close()
    assert b'"error_code":"OP_34"' in status_call()
    assert raw() is None


def test_issue13_a_connection_kept_long_enough_goes_back_to_the_pool(
    operator: object, settings: Any
) -> None:
    settings.WALLET_KEEP_CONNECTION_SECONDS = 1
    connection.close()
    status_call()
    assert raw() is not None
    time.sleep(1.1)
    status_call()
    assert raw() is None  # given back after its call: the pool's lifetime rules apply again


def test_issue13_a_connection_left_in_a_transaction_is_not_kept(operator: object) -> None:
    from platform_wallet import connections as wallet_connections

    connection.close()
    status_call()
    connection.set_autocommit(False)  # as if something had left a transaction open
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    wallet_connections.after_wallet_call(connection)
    assert raw() is None  # returned (the pool rolls it back), never carried to the next call


def test_issue13_a_kept_connection_the_server_ended_is_replaced_before_the_call(
    operator: object,
) -> None:
    """PostgreSQL restarted (or ended the session) while the thread kept its connection: the
    next call notices before using it (the server's farewell made its socket readable) and is
    answered from a new connection, not OP_50."""
    connection.close()
    status_call()
    kept = raw()
    pg_admin(f"SELECT pg_terminate_backend({kept.info.backend_pid})")
    time.sleep(0.3)
    assert b'"error_code":"OP_34"' in status_call()  # the database answered
    assert raw() is not None and raw() is not kept
    assert kept.closed


def test_issue13_a_thread_that_ends_gives_its_pooled_connection_back(operator: object) -> None:
    """casino-web's blocking threads end after an idle time: the connections they kept go back
    to the pool (else the pool would count them as in use for good, and calls would wait for
    them, then time out)."""
    connection.close()
    pool = connection.pool  # type: ignore[attr-defined]  # (the PostgreSQL backend's)

    def serve_and_end() -> None:
        status_call()
        assert raw() is not None  # kept when the thread ends

    for _ in range(pool.max_size):
        thread = threading.Thread(target=serve_and_end)
        thread.start()
        thread.join()
    # every place of the pool can be taken again at once
    taken = [pool.getconn(timeout=1.0) for _ in range(pool.max_size)]
    for conn in taken:
        pool.putconn(conn)
