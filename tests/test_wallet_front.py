"""The gameplay API's front (platform_wallet.wsgi.WalletFront, what casino-web runs): the only
way in; Django's own code decides the Host and the security headers; one call log line and
metric sample per call; the body limit; the database connection handed back after every call.
(The whole wallet suite calls it: the `api` fixture posts to the WSGI application.)"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import signals
from django.db import connection
from django.test import override_settings

from casino_project.wsgi import application, django_application
from operators.models import Operator
from platform_wallet.call_log import wallet_requests
from platform_wallet.wsgi import WalletFront
from tests.wallet_client import WalletClient, sha1, status_request
from tests.wsgi_transport import wsgi_request


def test_the_wsgi_application_answers_wallet_calls_itself() -> None:
    assert isinstance(application, WalletFront)
    assert application.django_app is django_application


def test_the_gameplay_api_has_no_other_front() -> None:
    """Django's URLconf has no wallet routes: the front is the only way in (issue 11)."""
    from django.urls import Resolver404, resolve

    for command in ("authenticate", "balance", "changebalance", "ping"):
        with pytest.raises(Resolver404):
            resolve(f"/api/wallet/{command}")


SECURITY_HEADERS = (
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "x-frame-options",
    "strict-transport-security",
)


def security_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in SECURITY_HEADERS}


@pytest.mark.django_db
def test_headers_are_those_of_the_django_stack(operator: Operator, player) -> None:
    """Django's own middleware decides the security headers of a wallet answer, as it does
    for a page Django serves."""
    body = status_request()
    headers = {"X-Operator-Id": "examplecasino", "X-Authorization": sha1("statussecret_key")}
    direct = wsgi_request("POST", "/api/wallet/status", body, headers=headers)
    page = wsgi_request("GET", "/api/schema/wallet.yaml")
    assert page.status_code == 200
    assert security_headers(direct.headers) == security_headers(page.headers)
    assert set(security_headers(direct.headers)) >= set(SECURITY_HEADERS) - {
        "strict-transport-security"
    }
    assert direct["Content-Type"] == "application/json; charset=utf-8"
    assert direct["Content-Length"] == str(len(direct.content))


@pytest.mark.django_db
@override_settings(
    SECURE_HSTS_SECONDS=3600,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_tls_the_answer_carries_hsts_as_django_sets_it(operator: Operator) -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Operator-Id": "nobody"}
    direct = wsgi_request("POST", "/api/wallet/balance", b"{}", headers=headers)
    assert direct.status_code == 403
    assert direct["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    plain = wsgi_request("POST", "/api/wallet/balance", b"{}", headers={"X-Operator-Id": "x"})
    assert "strict-transport-security" not in plain.headers


@pytest.mark.django_db
def test_spec_ping_answers_pong() -> None:
    direct = wsgi_request("GET", "/api/wallet/ping")
    assert direct.status_code == 200
    assert direct.content == b"PONG"
    assert direct["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.django_db
def test_other_paths_and_disallowed_hosts_are_left_to_django(operator: Operator) -> None:
    """Only the exact gameplay API paths are answered in front of Django: a trailing slash,
    an unknown command and a Host outside ALLOWED_HOSTS get Django's own answers."""
    headers = {"X-Operator-Id": "examplecasino", "X-Authorization": sha1("balancesecret_key")}
    assert wsgi_request("POST", "/api/wallet/balance/", b"{}", headers=headers).status_code == 404
    assert wsgi_request("POST", "/api/wallet/deposit", b"{}", headers=headers).status_code == 404
    evil = wsgi_request(
        "POST", "/api/wallet/balance", b"{}", headers=headers, HTTP_HOST="evil.test"
    )
    assert evil.status_code == 400
    assert wsgi_request("GET", "/healthz").status_code == 200


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_over_the_upload_limit_is_an_error_not_read(operator: Operator) -> None:
    big = b'{"command": "balance", "data": "' + b"x" * 200 + b'"}'
    answer = WalletClient(operator).post_raw("balance", big)
    assert answer.error_code == "OP_50"
    assert "too large" in answer.data["error_message"]
    assert answer.body["request"] == ""  # never read, so not passed back


@pytest.mark.django_db
def test_one_log_line_and_one_metric_sample_per_call(
    operator: Operator, player, caplog: pytest.LogCaptureFixture
) -> None:
    labels = ("status", "ERROR", "OP_41")
    before = wallet_requests.labels(*labels)._value.get()
    direct = WalletClient(operator)
    with caplog.at_level(logging.INFO, logger="wallet.calls"):
        answer = direct.call("status", {"user_id": "611", "transaction_id": 424242})
    assert answer.error_code == "OP_41"
    assert wallet_requests.labels(*labels)._value.get() == before + 1
    [record] = [r for r in caplog.records if r.name == "wallet.calls"]
    assert record.command == "status"  # type: ignore[attr-defined]
    assert record.operator == "examplecasino"  # type: ignore[attr-defined]
    assert record.transaction_id == "424242"  # type: ignore[attr-defined]
    assert record.user_id == "611"  # type: ignore[attr-defined]
    assert record.http_status == 200  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_the_database_connection_is_handed_back_after_every_call(
    operator: Operator, settings: Any
) -> None:
    """With WALLET_KEEP_CONNECTION_SECONDS=0, as Django does after a request: after a call the
    thread holds no connection (with the pool it went back to the pool); and without
    dispatching the request signals (issue 13: nothing listens for a wallet call). (By
    default the thread keeps it for its next call: tests/test_wallet_kept_connection.py.)"""
    settings.WALLET_KEEP_CONNECTION_SECONDS = 0
    connection.close()
    sent: list[str] = []

    def started(**kwargs: Any) -> None:
        sent.append("started")

    signals.request_started.connect(started)
    signals.request_finished.connect(started)
    try:
        answer = wsgi_request(
            "POST",
            "/api/wallet/status",
            status_request(),
            headers={"X-Operator-Id": "examplecasino", "X-Authorization": sha1("statussecret_key")},
            keep_connection=False,
        )
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(started)
    assert answer.status_code == 200
    assert b'"error_code":"OP_34"' in answer.content  # the database was read: no player 611
    assert sent == []
    if connection.vendor == "postgresql":  # (an in-memory SQLite test database stays open)
        assert connection.connection is None
