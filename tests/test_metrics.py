"""Prometheus metrics of the gameplay API: requests and latency per command and answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.wallet_client import WalletClient
from tests.wsgi_transport import wsgi_request


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(client, name: str, **labels: str) -> float:
    """The value of a sample as /metrics serves it."""
    response = client.get("/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return 0.0


@pytest.mark.django_db
def test_spec_changebalance_ok_and_error_calls_are_counted_per_command_and_code(
    client, api: WalletClient, session, wallet
) -> None:
    ok = {"command": "changebalance", "status": "OK", "error_code": ""}
    op31 = {"command": "changebalance", "status": "ERROR", "error_code": "OP_31"}
    before_ok = scraped(client, "wallet_requests_total", **ok)
    before_op31 = scraped(client, "wallet_requests_total", **op31)
    before_latency = sample("wallet_request_duration_seconds_count", **ok)

    for _ in range(3):
        bet = api.changebalance(user_id="611", token=session.token, amount=Decimal("1.00"))
        assert bet.status == "OK"
    refused = api.changebalance(user_id="611", token=session.token, amount=Decimal("1000.00"))
    assert refused.error_code == "OP_31"

    assert scraped(client, "wallet_requests_total", **ok) == before_ok + 3
    assert scraped(client, "wallet_requests_total", **op31) == before_op31 + 1
    assert sample("wallet_request_duration_seconds_count", **ok) == before_latency + 3
    assert sample("wallet_request_duration_seconds_sum", **ok) > 0
    assert scraped(client, "wallet_request_duration_seconds_bucket", **ok, le="+Inf") >= 3


@pytest.mark.django_db
def test_spec_x_authorization_403_is_counted_as_denied(api: WalletClient) -> None:
    labels = {"command": "balance", "status": "DENIED", "error_code": ""}
    before = sample("wallet_requests_total", **labels)
    answer = api.post_raw("balance", b"{}", authorization="0" * 40)
    assert answer.http_status == 403
    assert sample("wallet_requests_total", **labels) == before + 1


@pytest.mark.django_db
def test_spec_ping_is_counted(client) -> None:
    labels = {"command": "ping", "status": "OK", "error_code": ""}
    before = sample("wallet_requests_total", **labels)
    assert wsgi_request("GET", "/api/wallet/ping").content == b"PONG"
    assert sample("wallet_requests_total", **labels) == before + 1


@pytest.mark.django_db
def test_unknown_wallet_paths_create_no_time_series(client) -> None:
    """A scan of /api/wallet/<anything> must not create a time series per path: only the
    gameplay API's own paths are wallet calls (the rest is Django's 404)."""
    before = wallet_requests_total()
    for path in ("withdraw", "x/y", "deposit"):
        assert wsgi_request("POST", f"/api/wallet/{path}").status_code == 404
    assert wallet_requests_total() == before
    for family in text_string_to_metric_families(client.get("/metrics").content.decode()):
        for s in family.samples:
            assert s.labels.get("command") not in ("withdraw", "x/y", "deposit")


def wallet_requests_total() -> float:
    """All wallet calls counted so far in this process, whatever their labels."""
    return sum(
        s.value
        for family in REGISTRY.collect()
        if family.name == "wallet_requests"
        for s in family.samples
        if s.name == "wallet_requests_total"
    )


@pytest.mark.django_db
def test_other_pages_are_not_wallet_calls(client) -> None:
    total = wallet_requests_total()
    client.get("/healthz")
    client.get("/api/schema/wallet.yaml")
    after = wallet_requests_total()
    assert after == total


@pytest.mark.django_db
def test_metrics_are_refused_outside_the_allowed_networks(client, settings) -> None:
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 200
    settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
    from django.test import Client

    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 403


@pytest.mark.django_db
def test_metrics_with_a_token_want_the_bearer_token(client, settings) -> None:
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics").status_code == 403  # even from 127.0.0.1
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert response.status_code == 200
    assert b"# TYPE wallet_requests_total counter" in response.content
