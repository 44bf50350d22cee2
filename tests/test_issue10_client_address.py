"""Issue 10, item 2: the client address must be the real one.

Two mistakes the shipped configuration must make impossible:
(a) no proxy hop configured behind docker-compose's proxy: every caller shares the proxy's
    private address, so /metrics (allowed from private networks) opens to the internet and
    one player's bad logins lock everyone out;
(b) a proxy hop configured while the port is reachable directly: a forged X-Forwarded-For
    passes the operators' IP allow-lists.
X-Forwarded-For is read only from peers in WALLET_TRUSTED_PROXIES (item b); /metrics wants
METRICS_TOKEN in production whatever the address (item a); the compose file's settings are
checked against its own proxy and network (tests/test_deploy.py) and used here.
"""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from operators.accounts import operator_cache_clear
from operators.models import Operator
from platform_wallet.addresses import client_address
from tests.test_deploy import compose
from tests.wallet_client import TIMESTAMP, dumps, sha1
from tests.wsgi_transport import wsgi_request

PAGE = "/accounts/login/"
PLATFORM_IP = "198.51.100.10"  # on the operator's allow-list
ATTACKER_IP = "203.0.113.66"


def _compose_proxy_settings() -> dict[str, object]:
    """WALLET_TRUSTED_PROXY_HOPS and WALLET_TRUSTED_PROXIES as docker-compose.yml sets them."""
    environment = compose()["services"]["web"]["environment"]
    return {
        "WALLET_TRUSTED_PROXY_HOPS": int(environment["WALLET_TRUSTED_PROXY_HOPS"]),
        "WALLET_TRUSTED_PROXIES": environment["WALLET_TRUSTED_PROXIES"].split(","),
    }


def _edge_subnet_address(n: int) -> str:
    subnet = compose()["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    import ipaddress

    return str(ipaddress.ip_network(subnet)[n])


BEHIND_COMPOSE_PROXY = override_settings(**_compose_proxy_settings())


def signed_call(
    operator: Operator, command: str, data: dict[str, object], remote: str, headers: dict[str, str]
) -> int:
    """The HTTP status of a signed call that reached the server from `remote`."""
    body = {
        "command": command,
        "request_timestamp": TIMESTAMP,
        "hash": sha1(command + TIMESTAMP + operator.secret_key),
        "data": data,
    }
    response = wsgi_request(
        "POST",
        f"/api/wallet/{command}",
        dumps(body).encode(),
        headers={
            "X-Operator-Id": operator.operator_id,
            "X-Authorization": sha1(command + operator.secret_key),
            **headers,
        },
        REMOTE_ADDR=remote,
    )
    return response.status_code


def meta(remote: str, forwarded: str | None = None) -> dict[str, str]:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return headers


# --- the rule --------------------------------------------------------------------------------
@override_settings(WALLET_TRUSTED_PROXY_HOPS=0)
def test_issue10_without_proxies_the_header_is_never_read() -> None:
    assert client_address(meta(ATTACKER_IP, PLATFORM_IP)) == ATTACKER_IP


@override_settings(WALLET_TRUSTED_PROXY_HOPS=1, WALLET_TRUSTED_PROXIES=["10.9.0.0/16"])
def test_issue10_the_header_is_read_only_from_a_trusted_proxy() -> None:
    # through the proxy: the address the proxy appended (a client's own entries before it
    # are not believed)
    assert client_address(meta("10.9.0.2", f"{PLATFORM_IP}, {ATTACKER_IP}")) == ATTACKER_IP
    assert client_address(meta("10.9.0.2", PLATFORM_IP)) == PLATFORM_IP
    # straight to the server: the peer, whatever the header says
    assert client_address(meta(ATTACKER_IP, PLATFORM_IP)) == ATTACKER_IP
    assert client_address(meta("10.10.0.2", PLATFORM_IP)) == "10.10.0.2"
    assert client_address(meta("10.9.0.2")) == "10.9.0.2"  # nothing forwarded


@override_settings(WALLET_TRUSTED_PROXY_HOPS=2, WALLET_TRUSTED_PROXIES=["10.9.0.0/16"])
def test_issue10_two_proxies_each_hop_must_be_trusted() -> None:
    assert client_address(meta("10.9.0.3", f"{PLATFORM_IP}, 10.9.0.2")) == PLATFORM_IP
    # the inner proxy was reached by someone who is not the outer proxy: that is the caller
    assert client_address(meta("10.9.0.3", f"{PLATFORM_IP}, {ATTACKER_IP}")) == ATTACKER_IP
    assert client_address(meta(ATTACKER_IP, f"{PLATFORM_IP}, 10.9.0.2")) == ATTACKER_IP


@override_settings(WALLET_TRUSTED_PROXY_HOPS=1, WALLET_TRUSTED_PROXIES=["10.9.0.0/16"])
def test_issue10_a_forwarded_header_from_an_untrusted_peer_is_logged_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from platform_wallet import addresses
    from platform_wallet.throttle import LogThrottle

    addresses._untrusted_forwarding = LogThrottle(60.0)
    with caplog.at_level(logging.WARNING, logger="platform_wallet.addresses"):
        for _ in range(5):
            client_address(meta(ATTACKER_IP, PLATFORM_IP))
    lines = [r for r in caplog.records if r.name == "platform_wallet.addresses"]
    assert len(lines) == 1 and "not a proxy in WALLET_TRUSTED_PROXIES" in lines[0].getMessage()


# --- mistake (b): the port reached directly with a forged header -----------------------------
@pytest.mark.django_db
@override_settings(WALLET_REQUIRE_IP_ALLOWLIST=True)
@BEHIND_COMPOSE_PROXY
def test_issue10_a_forged_x_forwarded_for_does_not_pass_the_allow_list(
    operator: Operator, player
) -> None:
    Operator.objects.filter(pk=operator.pk).update(allowed_ips=PLATFORM_IP)
    operator_cache_clear()
    data = {"user_id": "611", "currency_code": "EUR", "token": "x" * 40}
    proxy = _edge_subnet_address(2)
    through_proxy = {"X-Forwarded-For": PLATFORM_IP}
    # the PLATFORM through the proxy is served
    assert signed_call(operator, "balance", data, proxy, through_proxy) == 200
    # an attacker reaching the port directly, writing the PLATFORM's address: refused
    assert signed_call(operator, "balance", data, ATTACKER_IP, through_proxy) == 403
    # from another container on the backend network, just as refused
    assert signed_call(operator, "balance", data, "172.31.0.9", through_proxy) == 403


# --- mistake (a): every caller seen as the proxy ---------------------------------------------
@pytest.mark.django_db
def test_issue10_metrics_through_a_misread_proxy_address_are_refused_in_production(
    settings,
) -> None:
    """hops=0 behind the proxy: the internet's requests arrive from the proxy's private
    address, which METRICS_ALLOWED_NETWORKS allows; production still wants the token."""
    settings.METRICS_REQUIRE_TOKEN = True
    settings.WALLET_TRUSTED_PROXY_HOPS = 0
    proxy = _edge_subnet_address(2)
    assert settings.METRICS_TOKEN == ""
    assert Client().get("/metrics", REMOTE_ADDR=proxy).status_code == 403
    settings.METRICS_TOKEN = "scrape-secret"
    assert Client().get("/metrics", REMOTE_ADDR=proxy).status_code == 403
    response = Client().get(
        "/metrics", REMOTE_ADDR=proxy, HTTP_AUTHORIZATION="Bearer scrape-secret"
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_issue10_behind_the_compose_proxy_each_player_has_its_own_login_limit(settings) -> None:
    """With the shipped settings, two players through the proxy are two addresses: one's
    failed logins do not lock the other out."""
    for name, value in _compose_proxy_settings().items():
        setattr(settings, name, value)
    settings.RATE_LIMIT_LOGIN = (2, 300)
    proxy = _edge_subnet_address(2)
    attempt = {"username": "player", "password": "guess"}
    client = Client(REMOTE_ADDR=proxy)
    for _ in range(2):
        client.post(PAGE, attempt, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client.post(PAGE, attempt, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    assert client.post(PAGE, attempt, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200
