# ruff: noqa: F811 - pytest fixtures imported from tests.simulator_fixtures
"""platform_client against the PLATFORM simulator over real HTTP (spec: Games and Lobbies list
API, Business report API, GGR limits API, Balance limits API, Hand history API)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import socket
from decimal import Decimal
from typing import Any

import pytest
import requests

from operators.models import Operator
from platform_client import (
    BalanceLimits,
    GgrLimits,
    PlatformApiError,
    PlatformClient,
    authorization_digest,
)
from simulator.ledger_book import BookTransaction
from simulator.server import RunningSimulator
from tests.simulator_fixtures import (  # noqa: F401 - fixtures
    SIM_OPERATOR_ID,
    SIM_SECRET_KEY,
    platform_sim,
    sim_client,
    unsaved_sim_operator,
)

DAY = dt.date(2021, 5, 3)


def book_tx(transaction_id: int, kind: str, amount: str, **extra: Any) -> BookTransaction:
    values: dict[str, Any] = {
        "operator_id": SIM_OPERATOR_ID,
        "transaction_id": transaction_id,
        "transaction_type": kind,
        "round_id": 1,
        "user_id": "611",
        "game_id": 1006,
        "vendor": "netent",
        "currency_code": "EUR",
        "amount": Decimal(amount),
        "transaction_timestamp": "2021-05-03 13:44:54",
    }
    values.update(extra)
    return BookTransaction(**values)


def test_spec_authorization_digest_is_sha1_of_name_operator_id_and_secret() -> None:
    expected = hashlib.sha1(b"gamesexamplecasinosecret_key").hexdigest()
    assert authorization_digest("games", "examplecasino", "secret_key") == expected


# --- Games and Lobbies list API ---------------------------------------------------------------


def test_spec_games_list_is_typed(sim_client: PlatformClient) -> None:
    games = sim_client.games()
    assert len(games) >= 300
    assert len({g.id for g in games}) == len(games)
    assert len({g.vendor for g in games}) >= 12
    assert any(not g.enabled for g in games) and any(g.enabled for g in games)
    assert any(not g.fun_mode for g in games)
    game = games[0]
    assert isinstance(game.id, int)
    assert isinstance(game.created_at, dt.date)
    assert isinstance(game.enabled, bool)
    assert game.details["description"]["en"].startswith(game.title)
    assert game.details["thumbnails"]["300x300"].endswith(f"/media/thumb/{game.id}.svg")


def test_spec_lobbies_list_includes_portomaso_and_live168(sim_client: PlatformClient) -> None:
    lobbies = {x.lobby_id: x for x in sim_client.lobbies()}
    assert {"portomaso", "live168"} <= set(lobbies)
    assert lobbies["portomaso"].vendor == "portomaso"
    thumbnail = lobbies["live168"].details["thumbnails"]["300x300"]
    assert requests.get(thumbnail, timeout=5).headers["Content-Type"] == "image/svg+xml"


# --- Business report API ----------------------------------------------------------------------


def test_spec_business_report_rows_come_from_the_simulators_book(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    book = platform_sim.state.book
    book.record(book_tx(1, "BET", "6.10"))
    book.record(book_tx(2, "WIN", "3.30"))
    book.record(book_tx(3, "BET", "50.00", canceled=True))  # canceled: not counted
    book.record(book_tx(4, "BET", "9.99", status="ERROR", error_code="OP_31"))  # refused
    book.record(book_tx(5, "BET", "1.20", vendor="evolution", currency_code="GBP"))
    book.record(book_tx(6, "BET", "7.00", transaction_timestamp="2021-05-04 00:00:00"))

    rows = sim_client.business_report(DAY)

    by_key = {(r.vendor, r.currency_code): r for r in rows}
    assert set(by_key) == {("netent", "EUR"), ("evolution", "GBP")}
    netent = by_key[("netent", "EUR")]
    assert (netent.bets_sum, netent.bets_count) == (Decimal("6.10"), 1)
    assert (netent.wins_sum, netent.wins_count) == (Decimal("3.30"), 1)
    assert netent.gross_gaming_revenue == Decimal("2.80")
    assert netent.entity_name == "Sim Casino"
    assert netent.date == DAY
    assert isinstance(netent.bets_sum, Decimal)
    assert sim_client.business_report(dt.date(2021, 5, 5)) == []


def test_spec_business_report_sends_the_date_parameter(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.book.record(book_tx(1, "BET", "1.00"))
    assert len(sim_client.business_report(DAY)) == 1
    assert sim_client.business_report(DAY - dt.timedelta(days=1)) == []


# --- GGR limits API (DEPRECATED!) -------------------------------------------------------------


def test_spec_ggr_limits_without_and_with_limits(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    assert sim_client.ggr_limits() == GgrLimits(enabled=False)
    platform_sim.state.ggr_limits_enabled = True
    limits = sim_client.ggr_limits()
    assert limits.enabled and limits.currency == "EUR"
    assert limits.limit == Decimal("1111111")
    assert limits.current_usage == Decimal("0.00")


# --- Balance limits API -----------------------------------------------------------------------


def test_spec_balance_limits_with_currencies(sim_client: PlatformClient) -> None:
    limits = sim_client.balance_limits(["GBP", "EUR"])
    assert limits.enabled and limits.currency == "USD"
    assert limits.available_balance == Decimal("107881.02")
    assert set(limits.currencies) == {"GBP", "EUR"}
    assert all(isinstance(v, Decimal) for v in limits.currencies.values())
    assert limits.limit_exceeded is False


def test_spec_balance_limits_without_currencies_and_not_limited(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    assert sim_client.balance_limits().currencies == {}
    platform_sim.state.balance_limits_enabled = False
    assert sim_client.balance_limits(["EUR"]) == BalanceLimits(enabled=False)


def test_spec_balance_limits_exceeded(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.available_balance = Decimal("-10.00")
    limits = sim_client.balance_limits()
    assert limits.limit_exceeded is True
    assert limits.available_balance == Decimal("-10.00")


def test_balance_limits_refuses_a_malformed_currency_before_calling(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    with pytest.raises(ValueError):
        sim_client.balance_limits(["EUR&x=1"])
    assert platform_sim.state.requests["balanceLimits"] == 0


# --- Hand history API -------------------------------------------------------------------------


def test_spec_hand_history_type_json(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.book.record(book_tx(111, "BET", "30.00", vendor="evolution"))
    history = sim_client.hand_history(111, "350-a1Basdf", "evolution")
    assert history.type == "json" and history.url is None
    assert history.data is not None
    assert history.data["participants"][0]["bets"][0]["transactionId"] == "111"
    assert history.data["participants"][0]["bets"][0]["stake"] == Decimal("30.00")


def test_spec_hand_history_type_url(sim_client: PlatformClient) -> None:
    history = sim_client.hand_history(111, "350/a1B asdf", "netent")
    assert history.type == "url" and history.data is None
    assert history.url is not None
    page = requests.get(history.url, timeout=5)
    assert page.status_code == 200
    assert "350/a1B asdf" in page.text


def test_spec_hand_history_sends_the_vendor_header(platform_sim: RunningSimulator) -> None:
    url = f"{platform_sim.url}/api/generic/handHistory/111/abc"
    headers = {
        "X-Operator-Id": SIM_OPERATOR_ID,
        "X-Authorization": authorization_digest("handHistory", SIM_OPERATOR_ID, SIM_SECRET_KEY),
    }
    assert requests.get(url, headers=headers, timeout=5).status_code == 400  # no X-Vendor-Id
    headers["X-Vendor-Id"] = "netent"
    assert requests.get(url, headers=headers, timeout=5).json()["type"] == "url"


# --- Error paths ------------------------------------------------------------------------------


def test_spec_wrong_secret_is_403_and_one_clear_error(
    unsaved_sim_operator: Operator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    unsaved_sim_operator.secret_key = "not-the-secret-0042"
    client = PlatformClient(unsaved_sim_operator, backoff=0)
    with pytest.raises(PlatformApiError) as raised:
        client.games()
    error = raised.value
    assert error.status == 403 and error.api == "games"
    assert error.url.endswith("/api/generic/games/list/all")
    message = str(error)
    assert "games" in message and error.url in message and "403" in message
    digest = authorization_digest("games", SIM_OPERATOR_ID, "not-the-secret-0042")
    for secret in ("not-the-secret-0042", digest):
        assert secret not in message
        assert secret not in caplog.text
        assert secret not in repr(client)


def test_5xx_is_retried_with_backoff_then_answers(
    unsaved_sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    waits: list[float] = []
    client = PlatformClient(unsaved_sim_operator, retries=3, backoff=0.5, sleep=waits.append)
    platform_sim.state.inject_fault("lobbies", status=502, times=2)
    assert len(client.lobbies()) >= 2
    assert platform_sim.state.requests["lobbies"] == 3
    assert waits == [0.5, 1.0]


def test_5xx_after_the_retries_is_an_error_naming_the_status(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.inject_fault("ggrLimits", status=503, times=5)
    with pytest.raises(PlatformApiError) as raised:
        sim_client.ggr_limits()
    assert raised.value.status == 503
    assert "ggrLimits" in str(raised.value) and "503" in str(raised.value)
    assert platform_sim.state.requests["ggrLimits"] == 3  # 1 + retries=2


def test_4xx_is_not_retried(sim_client: PlatformClient, platform_sim: RunningSimulator) -> None:
    platform_sim.state.inject_fault("games", status=429, body="slow down", times=3)
    with pytest.raises(PlatformApiError) as raised:
        sim_client.games()
    assert raised.value.status == 429
    assert "slow down" in raised.value.detail
    assert platform_sim.state.requests["games"] == 1


def test_read_timeout_is_retried_then_an_error(
    unsaved_sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    client = PlatformClient(unsaved_sim_operator, timeout=(1.0, 0.3), retries=1, backoff=0)
    platform_sim.state.inject_fault("balanceLimits", status=None, delay=0.8, times=2)
    with pytest.raises(PlatformApiError) as raised:
        client.balance_limits(["EUR"])
    assert raised.value.status is None
    assert "timeout" in str(raised.value) and "balanceLimits" in str(raised.value)
    assert platform_sim.state.requests["balanceLimits"] == 2


def test_a_slow_answer_within_the_timeout_succeeds(
    unsaved_sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    client = PlatformClient(unsaved_sim_operator, timeout=(1.0, 2.0), retries=0)
    platform_sim.state.inject_fault("balanceLimits", status=None, delay=0.3)
    assert client.balance_limits().enabled is True


def test_connection_refused_is_retried_then_an_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    operator = Operator(operator_id="x", secret_key="y", api_host=f"http://127.0.0.1:{port}")
    waits: list[float] = []
    client = PlatformClient(operator, retries=2, backoff=0.1, sleep=waits.append)
    with pytest.raises(PlatformApiError) as raised:
        client.lobbies()
    assert raised.value.status is None
    assert "connection error" in str(raised.value)
    assert waits == [0.1, 0.2]


def test_a_body_that_is_not_json_is_an_error(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.inject_fault(
        "games", status=200, body="<html>maintenance</html>", content_type="text/html"
    )
    with pytest.raises(PlatformApiError) as raised:
        sim_client.games()
    assert raised.value.status == 200
    assert "not JSON" in str(raised.value) and "games" in str(raised.value)


@pytest.mark.parametrize(
    ("api", "body"),
    [
        ("games", '{"games": {"id": 1}}'),
        ("games", '{"games": [{"id": "x1", "title": "A", "vendor": "v", "enabled": 1}]}'),
        ("games", '{"games": [{"id": 1, "title": "A", "vendor": "v", "enabled": 7}]}'),
        ("lobbies", '{"items": []}'),
        ("businessReport", '{"rows": []}'),
        ("businessReport", '[{"vendor": "v"}]'),
        ("balanceLimits", '{"enabled": true, "currency": "USD", "available_balance": "lots"}'),
        ("handHistory", '{"success": true, "type": "video", "data": "x"}'),
        ("handHistory", '{"success": false, "message": "no such round"}'),
    ],
)
def test_a_body_that_is_not_the_documented_json_is_an_error(
    sim_client: PlatformClient, platform_sim: RunningSimulator, api: str, body: str
) -> None:
    platform_sim.state.inject_fault(api, status=200, body=body)
    calls = {
        "games": sim_client.games,
        "lobbies": sim_client.lobbies,
        "businessReport": lambda: sim_client.business_report(DAY),
        "balanceLimits": sim_client.balance_limits,
        "handHistory": lambda: sim_client.hand_history(1, "h", "netent"),
    }
    with pytest.raises(PlatformApiError) as raised:
        calls[api]()
    assert raised.value.api == api and raised.value.status == 200
    assert "documented JSON" in str(raised.value)


def test_money_keeps_its_exact_digits(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.inject_fault(
        "balanceLimits",
        status=200,
        body='{"enabled": true, "currency": "USD", "available_balance": 0.1, '
        '"currencies": {"EUR": {"available_balance": 99164.23}}, "limit_exceeded": false}',
    )
    limits = sim_client.balance_limits(["EUR"])
    assert limits.available_balance == Decimal("0.1")
    assert limits.currencies == {"EUR": Decimal("99164.23")}


def test_an_operator_without_api_host_cannot_make_a_client() -> None:
    with pytest.raises(ValueError):
        PlatformClient(Operator(operator_id="x", secret_key="y", api_host=""))


def test_json_is_read_as_utf8_whatever_the_content_type_says(
    sim_client: PlatformClient, platform_sim: RunningSimulator
) -> None:
    body = '{"games": [{"id": 1, "title": "Тёмный рыцарь", "vendor": "v", "enabled": 1}]}'
    platform_sim.state.inject_fault("games", status=200, body=body, content_type="text/plain")
    (game,) = sim_client.games()
    assert game.title == "Тёмный рыцарь"
    assert (game.fun_mode, game.campaigns, game.created_at) == (False, False, None)
