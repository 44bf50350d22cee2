"""Readiness checks of the dependencies: every configured database and Redis.

Used by GET /healthz (the container's HEALTHCHECK and the load balancer's readiness probe).
Answers carry only each check's outcome and the error's type; the full error is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.db import connections

logger = logging.getLogger("ops.health")


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    duration_ms: float
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        answer: dict[str, object] = {"ok": self.ok, "ms": round(self.duration_ms, 1)}
        if self.error:
            answer["error"] = self.error
        return answer


def _timed(name: str, check: Callable[[], None]) -> CheckResult:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure of a dependency makes the check fail
        logger.warning("health check %s failed: %r", name, exc)
        return CheckResult(name, False, (time.perf_counter() - started) * 1000, type(exc).__name__)
    return CheckResult(name, True, (time.perf_counter() - started) * 1000)


def _database_check(alias: str) -> Callable[[], None]:
    def check() -> None:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return check


@lru_cache(maxsize=4)
def _redis_client(url: str, timeout_s: float) -> redis.Redis:
    # One client (and connection pool) per process, reused by every check.
    return redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)


def _redis_check() -> None:
    _redis_client(settings.REDIS_URL, settings.HEALTH_CHECK_TIMEOUT_S).ping()


def health_checks_run() -> list[CheckResult]:
    """Run every check: one per database alias ("database" for default), and Redis."""
    results = [
        _timed("database" if alias == "default" else f"database:{alias}", _database_check(alias))
        for alias in settings.DATABASES
    ]
    if settings.HEALTH_CHECK_REDIS:
        results.append(_timed("redis", _redis_check))
    return results
