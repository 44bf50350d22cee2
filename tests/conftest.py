from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from operators.accounts import operator_cache_clear
from operators.models import Operator
from platform_wallet.models import Player, Wallet
from tests.factories import OperatorFactory, PlayerFactory, session_for, wallet_for
from tests.wallet_client import WalletClient


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` need real row locks and concurrency: skipped on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != settings.POSTGRESQL_ENGINE:
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_operator_cache() -> None:
    operator_cache_clear()


@pytest.fixture(autouse=True)
def _fresh_log_throttles() -> None:
    """Each test sees the first refused call's log line (issue 10 throttles the others)."""
    from platform_wallet import call_log

    call_log._unverified_lines = None
    call_log._security_lines = call_log.LogThrottle(60)


@pytest.fixture
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-django's live server, serving the project's WSGI application as casino-web does:
    the gameplay API's front (platform_wallet.wsgi) in front of Django and its static files
    (Django's live server would serve Django alone, which has no wallet routes)."""
    from pytest_django.live_server_helper import LiveServer

    from platform_wallet.wsgi import WalletFront

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    static_handler = server.thread.static_handler
    server.thread.static_handler = lambda app: WalletFront(static_handler(app))  # type: ignore[assignment]
    server.start()
    yield server
    server.stop()


@pytest.fixture
def operator(db: None) -> Operator:
    return OperatorFactory(operator_id="examplecasino", secret_key="secret_key")


@pytest.fixture
def player(operator: Operator) -> Player:
    return PlayerFactory(
        operator=operator,
        user_id="611",
        user_name="john_doe",
        display_name="John Doe",
        country="Germany",
    )


@pytest.fixture
def wallet(player: Player) -> Wallet:
    return wallet_for(player, "EUR", "100.00")


@pytest.fixture
def session(player: Player, wallet: Wallet):
    return session_for(player, wallet, game_id=200)


@pytest.fixture
def api(operator: Operator) -> WalletClient:
    return WalletClient(operator)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _rate_limit_windows_do_not_turn_mid_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limiter counts fixed windows of wall-clock time: a test's requests could
    straddle two windows and see a fresh count. Its clock stands still at the start of a
    window for the test (tests of the windows themselves pass `now` explicitly)."""
    import time

    from ops import ratelimit

    start = float(int(time.time()) // 3600 * 3600 + 1)
    monkeypatch.setattr(ratelimit, "clock", lambda: start)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty in-memory cache (the rate limiter counts requests in it).
    A Redis cache is left alone: clearing it would flush the whole Redis database."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()
