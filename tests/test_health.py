"""GET /healthz: the database(s) and Redis, 200 when all answer, 503 when one does not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from django.db.utils import load_backend

from ops import health


@pytest.mark.django_db
def test_healthz_is_200_with_one_entry_per_check(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis"}
    assert all(check["ok"] is True and check["ms"] >= 0 for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_is_503_when_redis_does_not_answer(client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {
        "ok": False,
        "ms": body["checks"]["redis"]["ms"],
        "error": "ConnectionError",
    }


@pytest.mark.django_db
def test_healthz_without_the_redis_check(client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.HEALTH_CHECK_REDIS = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert set(json.loads(response.content)["checks"]) == {"database"}


@pytest.fixture
def unreachable_database(db: None, settings, tmp_path: Path) -> Iterator[str]:
    """A second database alias (as a reports replica would be) whose server is not there."""
    alias = "replica"
    default = settings.DATABASES["default"]
    if default["ENGINE"] == settings.POSTGRESQL_ENGINE:
        broken = {**default, "HOST": "127.0.0.1", "PORT": 1, "OPTIONS": {"connect_timeout": 2}}
    else:
        broken = {**default, "NAME": str(tmp_path / "no-such-dir" / "db.sqlite3")}
    settings.DATABASES = {**settings.DATABASES, alias: broken}
    configured = connections.configure_settings({"default": default, alias: broken})[alias]
    # A real connection object of that alias, registered in this thread (the test case only
    # lets a test connect to the aliases it declares, and to connections made like this).
    connections[alias] = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


@pytest.mark.django_db
def test_healthz_is_503_when_a_database_does_not_answer(client, unreachable_database) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = json.loads(response.content)["checks"]
    assert checks["database"]["ok"] is True
    assert checks[f"database:{unreachable_database}"]["ok"] is False
    assert checks[f"database:{unreachable_database}"]["error"] == "OperationalError"


@pytest.mark.django_db
def test_healthz_answers_any_host_and_plain_http_in_production(client, settings) -> None:
    """The container's HEALTHCHECK calls http://127.0.0.1:8000/healthz: not an allowed host,
    not HTTPS; the answer is still the health, not 400 or a redirect."""
    settings.ALLOWED_HOSTS = ["casino.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_health_check_results_carry_no_error_details() -> None:
    result = health.CheckResult("redis", False, 1.234, "ConnectionError")
    assert result.as_json() == {"ok": False, "ms": 1.2, "error": "ConnectionError"}
