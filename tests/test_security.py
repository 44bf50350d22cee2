"""Security: rate limits (the PLATFORM's calls never; player pages and logins yes) and the
production settings (DEBUG off, secrets, HTTPS, cookies, HSTS) read from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from prometheus_client import REGISTRY

from ops.ratelimit import RateLimit, rate_limit_consume
from tests.wallet_client import WalletClient
from tests.wsgi_transport import wsgi_request

ROOT = Path(settings.BASE_DIR)
PAGE = "/accounts/login/"  # a player page that needs no catalog


def limited(name: str) -> float:
    return REGISTRY.get_sample_value("http_rate_limited_total", {"scope": name}) or 0.0


@pytest.mark.django_db
def test_player_pages_over_the_limit_answer_429_with_retry_after(settings) -> None:
    settings.RATE_LIMIT_PAGES = (3, 60)
    client = Client()
    before = limited("pages")
    assert [client.get(PAGE).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(PAGE)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert limited("pages") == before + 1
    # counted per client address: another player is served
    assert client.get(PAGE, REMOTE_ADDR="198.51.100.20").status_code == 200


@pytest.mark.django_db
def test_spec_gameplay_api_is_never_rate_limited(settings, operator, session, wallet) -> None:
    settings.RATE_LIMIT_PAGES = (1, 60)
    settings.RATE_LIMIT_LOGIN = (1, 60)
    client = Client()
    client.get(PAGE)
    assert client.get(PAGE).status_code == 429  # this address is over the page limit
    api = WalletClient(operator)
    data = {"token": session.token, "currency_code": "EUR", "user_id": "611"}
    answers = [api.call("balance", data) for _ in range(25)]
    assert {(a.http_status, a.status) for a in answers} == {(200, "OK")}
    bets = [
        api.changebalance(user_id="611", token=session.token, amount=Decimal("0.10"))
        for _ in range(10)
    ]
    assert {b.status for b in bets} == {"OK"}
    assert {wsgi_request("GET", "/api/wallet/ping").status_code for _ in range(10)} == {200}
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_admin_login_attempts_are_limited(settings) -> None:
    settings.RATE_LIMIT_LOGIN = (2, 300)
    settings.RATE_LIMIT_PAGES = (1, 60)
    client = Client()
    before = limited("login")
    attempt = {"username": "admin", "password": "guess", "next": "/admin/"}
    assert client.post("/admin/login/", attempt).status_code == 200  # the form, with an error
    assert client.post("/admin/login/", attempt).status_code == 200
    refused = client.post("/admin/login/", attempt)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 300
    assert limited("login") == before + 1
    # the staff pages behind the login are not limited (the page limit is 1 here)
    assert {client.get("/admin/login/").status_code for _ in range(3)} == {200}


@pytest.mark.django_db
def test_player_login_attempts_are_limited_apart_from_pages(settings) -> None:
    settings.RATE_LIMIT_LOGIN = (3, 300)
    settings.RATE_LIMIT_PAGES = (100, 60)
    client = Client()
    attempt = {"username": "player", "password": "guess"}
    assert [client.post(PAGE, attempt).status_code for _ in range(3)] == [200, 200, 200]
    assert client.post(PAGE, attempt).status_code == 429
    assert client.get(PAGE).status_code == 200  # reading the page is a page, not an attempt


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_does_not_evade_the_limit(settings) -> None:
    settings.RATE_LIMIT_PAGES = (2, 60)
    client = Client()
    for n in range(2):
        assert client.get(PAGE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code == 200
    assert client.get(PAGE, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_each_forwarded_client_has_its_own_count(settings) -> None:
    settings.RATE_LIMIT_PAGES = (2, 60)
    settings.WALLET_TRUSTED_PROXY_HOPS = 1
    client = Client()
    for _ in range(2):
        assert client.get(PAGE, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    assert client.get(PAGE, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    assert client.get(PAGE, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200


@pytest.mark.django_db
def test_rate_limiting_can_be_turned_off(settings) -> None:
    settings.RATE_LIMIT_PAGES = (1, 60)
    settings.RATE_LIMIT_ENABLED = False
    client = Client()
    assert {client.get(PAGE).status_code for _ in range(5)} == {200}


@pytest.mark.django_db
def test_when_the_cache_is_down_pages_are_served(settings, caplog) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.RATE_LIMIT_CACHE = "down"
    settings.RATE_LIMIT_PAGES = (1, 60)
    client = Client()
    assert [client.get(PAGE).status_code for _ in range(2)] == [200, 200]
    assert "rate limiter unavailable" in caplog.text


def test_fixed_windows_in_redis_shared_by_every_process(settings) -> None:
    """The production cache: counters in Redis, so that every web worker and replica
    counts against the same limit; a new window starts from zero."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        },
    }
    settings.RATE_LIMIT_CACHE = "shared"
    limit = RateLimit("pages", 2, 60)
    now = 1_700_000_000.0  # 20 s into a 60 s window
    try:
        assert rate_limit_consume(limit=limit, key="192.0.2.1", now=now) is None
        assert rate_limit_consume(limit=limit, key="192.0.2.1", now=now + 1) is None
        assert rate_limit_consume(limit=limit, key="192.0.2.1", now=now + 2) == 38
        assert rate_limit_consume(limit=limit, key="192.0.2.2", now=now + 2) is None
        assert rate_limit_consume(limit=limit, key="192.0.2.1", now=now + 40) is None
    finally:
        caches["shared"].delete_many(
            [f"ratelimit:pages:192.0.2.{n}:{int(t // 60)}" for n in (1, 2) for t in (now, now + 40)]
        )


def _production_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "s" * 64,
        "ALLOWED_HOSTS": "casino.example.com",
        "DATABASE_URL": "postgres://casino@db.internal:5432/casino",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "DJANGO_SETTINGS_MODULE": "casino_project.settings",
        **overrides,
    }
    names = [
        "DEBUG",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "LOG_FORMAT",
    ]
    code = (
        "import json; from django.conf import settings as s; "
        f"values = {{n: getattr(s, n) for n in {names!r}}}; "
        "values['CACHE'] = s.CACHES['default']; "
        "values['DB'] = {k: s.DATABASES['default'][k] for k in ('ENGINE', 'HOST', 'OPTIONS')}; "
        "print(json.dumps(values, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_settings_come_from_the_environment() -> None:
    result = _production_settings()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["casino.example.com"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["LOG_FORMAT"] == "json"
    assert values["CACHE"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHE"]["LOCATION"] == "redis://redis.internal:6379/0"
    assert values["DB"]["ENGINE"] == "casino_project.postgresql"
    assert values["DB"]["HOST"] == "db.internal"
    assert values["DB"]["OPTIONS"]["pool"]["max_size"] == 8
    # the wallet API, /healthz and /metrics are never redirected to HTTPS
    exempt = values["SECURE_REDIRECT_EXEMPT"]
    assert set(exempt) == {r"^healthz$", r"^metrics$", r"^api/wallet/"}


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _production_settings(DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_production_https_settings_can_be_tuned() -> None:
    result = _production_settings(
        SECURE_SSL_REDIRECT="false", SECURE_PROXY_SSL_HEADER="", SECURE_HSTS_SECONDS="600"
    )
    values = json.loads(result.stdout)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] == 600
