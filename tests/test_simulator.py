# ruff: noqa: F811 - pytest fixtures imported from tests.simulator_fixtures
"""The PLATFORM simulator: its authorization check, catalog, ledger book, launch page and
command (spec: Games and Lobbies list API, Business report API, Hand history API, Game launch)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from operators.models import Operator
from platform_client import PlatformClient, authorization_digest
from simulator import catalog_data
from simulator.ledger_book import BookTransaction, LedgerBook
from simulator.server import RunningSimulator, start_in_thread
from tests.factories import OperatorFactory, PlayerFactory, session_for, wallet_for
from tests.simulator_fixtures import (  # noqa: F401 - fixtures
    SIM_OPERATOR_ID,
    SIM_SECRET_KEY,
    platform_sim,
)

ROUTES = [
    ("games", "games/list/all"),
    ("lobbies", "lobbies/list/all"),
    ("businessReport", "businessReport?date=2021-05-03"),
    ("ggrLimits", "ggrLimits"),
    ("balanceLimits", "balanceLimits?currencies=EUR"),
    ("handHistory", "handHistory/111/abc"),
]


def headers(
    name: str, *, operator_id: str = SIM_OPERATOR_ID, secret: str = SIM_SECRET_KEY
) -> dict[str, str]:
    return {
        "X-Operator-Id": operator_id,
        "X-Authorization": authorization_digest(name, operator_id, secret),
        "X-Vendor-Id": "netent",
    }


# --- X-Authorization, as the PLATFORM checks it -----------------------------------------------


@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_spec_x_authorization_is_checked_on_every_operator_api(
    platform_sim: RunningSimulator, name: str, route: str
) -> None:
    url = f"{platform_sim.url}/api/generic/{route}"
    assert requests.get(url, headers=headers(name), timeout=5).status_code == 200
    wrong_secret = headers(name, secret="other")
    assert requests.get(url, headers=wrong_secret, timeout=5).status_code == 403
    other_api = headers("games" if name != "games" else "lobbies")  # digest of another API
    assert requests.get(url, headers=other_api, timeout=5).status_code == 403
    wrong_operator = {**headers(name), "X-Operator-Id": "someone-else"}
    assert requests.get(url, headers=wrong_operator, timeout=5).status_code == 403
    assert requests.get(url, timeout=5).status_code == 403


def test_spec_business_report_needs_a_date(platform_sim: RunningSimulator) -> None:
    base = f"{platform_sim.url}/api/generic/businessReport"
    for query in ("", "?date=", "?date=03-05-2021", "?date=2021-5-3"):
        answer = requests.get(base + query, headers=headers("businessReport"), timeout=5)
        assert answer.status_code == 400, query


def test_spec_balance_limits_refuses_currencies_with_spaces(platform_sim: RunningSimulator) -> None:
    url = f"{platform_sim.url}/api/generic/balanceLimits?currencies=EUR,%20GBP"
    assert requests.get(url, headers=headers("balanceLimits"), timeout=5).status_code == 400


def test_unknown_paths_are_404(platform_sim: RunningSimulator) -> None:
    for path in ("/api/generic/nothing", "/media/thumb/999999999.svg", "/elsewhere"):
        assert requests.get(platform_sim.url + path, timeout=5).status_code == 404


# --- Catalog ----------------------------------------------------------------------------------


def test_generated_catalog_is_realistic_and_deterministic() -> None:
    games = catalog_data.generate_games(media_base="http://a")
    assert games == catalog_data.generate_games(media_base="http://a")
    assert len(games) >= 300
    assert len({g["id"] for g in games}) == len(games)
    assert len({g["vendor"] for g in games}) >= 12
    types = {g["type"] for g in games}
    assert {"slots", "live", "table", "crash"} <= types
    assert 0 < sum(1 for g in games if g["enabled"] == 0) < len(games) // 5
    assert all(g["fun_mode"] == 0 for g in games if g["type"] == "live")
    assert any(g["campaigns"] == 1 for g in games)
    assert all(set(g["details"]["description"]) >= {"en", "de", "ru"} for g in games)
    assert all(dt.date.fromisoformat(g["created_at"]) for g in games)
    assert catalog_data.game_vendor(games[10]["id"]) == games[10]["vendor"]
    assert catalog_data.game_vendor(1) is None


def test_thumbnails_are_svg_served_by_the_simulator(platform_sim: RunningSimulator) -> None:
    game = platform_sim.state.games[0]
    answer = requests.get(game["details"]["thumbnails"]["300x300"], timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/svg+xml"
    assert answer.text.startswith("<svg") and 'width="300"' in answer.text
    wide = requests.get(game["details"]["thumbnails"]["600x400"], timeout=5)
    assert 'width="600"' in wide.text and 'height="400"' in wide.text


# --- The ledger book --------------------------------------------------------------------------


def tx(
    transaction_id: int, kind: str = "BET", amount: str = "1.00", **extra: Any
) -> BookTransaction:
    values: dict[str, Any] = {
        "operator_id": "op",
        "transaction_id": transaction_id,
        "transaction_type": kind,
        "round_id": 7,
        "user_id": "u1",
        "game_id": 1006,
        "vendor": "pragmatic",
        "currency_code": "EUR",
        "amount": Decimal(amount),
        "transaction_timestamp": "2021-05-03 23:59:59",
    }
    values.update(extra)
    return BookTransaction(**values)


def test_spec_business_report_book_counts_only_accepted_uncanceled_transactions(
    tmp_path: Path,
) -> None:
    book = LedgerBook(tmp_path / "b.sqlite3")
    book.record(tx(1, "BET", "10.00"))
    book.record(tx(2, "WIN", "4.00", reason="SPIN"))
    book.record(tx(3, "WIN", "1.50", reason="PROMO-FREESPIN"))
    book.record(tx(4, "WIN", "2.25", reason="JACKPOT-WIN"))
    book.record(tx(5, "REFUND", "0.25"))
    book.record(tx(6, "BET", "3.00"))
    assert book.mark_canceled(operator_id="op", transaction_id=6)
    book.record(tx(7, "BET", "5.00", status="NO_ANSWER"))
    book.record(tx(8, "BET", "5.00", status="ERROR", error_code="OP_31"))
    book.record(tx(9, "BET", "100.00", operator_id="other"))
    book.record(tx(10, "BET", "100.00", transaction_timestamp="2021-05-04 00:00:00"))

    (row,) = book.business_report(operator_id="op", date=dt.date(2021, 5, 3), entity_name="E")

    assert row["bets_sum"] == Decimal("10.00") and row["bets_count"] == 1
    assert row["wins_sum"] == Decimal("8.00") and row["wins_count"] == 4
    assert (row["freespins_sum"], row["freespins_count"]) == (Decimal("1.50"), 1)
    assert (row["jackpots_sum"], row["jackpots_count"]) == (Decimal("2.25"), 1)
    assert row["gross_gaming_revenue"] == "2.00"
    assert (row["entity_name"], row["vendor"], row["date"]) == ("E", "pragmatic", "2021-05-03")
    assert not book.mark_canceled(operator_id="op", transaction_id=404)


def test_book_retry_updates_the_outcome_but_never_the_data_nor_downgrades_ok(
    tmp_path: Path,
) -> None:
    book = LedgerBook(tmp_path / "b.sqlite3")
    book.record(tx(1, amount="5.00", status="NO_ANSWER"))
    book.record(tx(1, amount="5.00", status="OK", balance_after=Decimal("95.00")))
    book.record(tx(1, amount="9.00", status="ERROR", error_code="OP_40"))  # changed-data retry
    stored = book.get(operator_id="op", transaction_id=1)
    assert stored is not None
    assert (stored.amount, stored.status, stored.error_code) == (Decimal("5.00"), "OK", "")
    assert stored.balance_after == Decimal("95.00")


def test_book_is_safe_for_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    LedgerBook(path)

    def write(start: int) -> None:
        own = LedgerBook(path)
        for n in range(start, start + 25):
            own.record(tx(n, amount="0.10"))

    threads = [threading.Thread(target=write, args=(k * 100,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (row,) = LedgerBook(path).business_report(
        operator_id="op", date=dt.date(2021, 5, 3), entity_name="E"
    )
    assert (row["bets_count"], row["bets_sum"]) == (100, Decimal("10.00"))


def test_book_refuses_records_that_are_not_transactions() -> None:
    with pytest.raises(ValueError):
        tx(1, "CANCEL")
    with pytest.raises(ValueError):
        tx(1, status="MAYBE")
    with pytest.raises(ValueError):
        tx(1, transaction_timestamp="2021-05-03T10:00:00Z")


# --- Game launch page (GAME_LAUNCH_HOST) ------------------------------------------------------


def launch(sim: RunningSimulator, **params: object) -> requests.Response:
    query = {"operator_id": SIM_OPERATOR_ID, "currency": "EUR", "language": "en", **params}
    return requests.get(f"{sim.url}/launch/?{urlencode(query)}", timeout=10)


def test_spec_fun_mode_launch_shows_a_demo_game(platform_sim: RunningSimulator) -> None:
    fun = next(g for g in platform_sim.state.games if g["fun_mode"] and g["enabled"])
    page = launch(platform_sim, mode="fun", game_id=fun["id"])
    assert page.status_code == 200
    assert fun["title"] in page.text and "Demo" in page.text
    no_fun = next(g for g in platform_sim.state.games if not g["fun_mode"] and g["enabled"])
    refused = launch(platform_sim, mode="fun", game_id=no_fun["id"])
    assert refused.status_code == 400 and "FUN_MODE_UNSUPPORTED" in refused.text


def test_launch_refuses_other_operators_and_disabled_games(platform_sim: RunningSimulator) -> None:
    assert launch(platform_sim, mode="fun", game_id=1, operator_id="x").status_code == 400
    disabled = next(g for g in platform_sim.state.games if not g["enabled"])
    assert launch(platform_sim, mode="fun", game_id=disabled["id"]).status_code == 404
    assert (
        launch(platform_sim, mode="real", game_id=disabled["id"], token="A" * 24).status_code == 404
    )
    enabled = next(g for g in platform_sim.state.games if g["enabled"])
    bad_token = launch(platform_sim, mode="real", game_id=enabled["id"], token="short")
    assert bad_token.status_code == 400 and "BAD_TOKEN" in bad_token.text


@pytest.fixture
def wallet_sim(live_server: Any, tmp_path: Path) -> Iterator[RunningSimulator]:
    """A simulator whose launch page authenticates against our wallet on a live server."""
    sim = start_in_thread(
        operator_id=SIM_OPERATOR_ID,
        secret_key=SIM_SECRET_KEY,
        wallet_url=f"{live_server.url}/api/wallet/",
        book_path=tmp_path / "book.sqlite3",
    )
    yield sim
    sim.stop()


@pytest.mark.django_db(transaction=True)
def test_spec_real_mode_launch_authenticates_the_token_against_our_wallet(
    wallet_sim: RunningSimulator,
) -> None:
    operator = OperatorFactory(
        operator_id=SIM_OPERATOR_ID, secret_key=SIM_SECRET_KEY, api_host=wallet_sim.url
    )
    player = PlayerFactory(operator=operator, user_id="611", display_name="John Doe")
    session = session_for(player, wallet_for(player, "EUR", "123.45"), game_id=1006)
    game = next(g for g in wallet_sim.state.games if g["enabled"])

    page = launch(
        wallet_sim,
        mode="real",
        game_id=game["id"],
        token=session.token,
        home_url="http://casino.example/lobby",
    )

    assert page.status_code == 200
    assert "John Doe" in page.text and "123.45 EUR" in page.text
    assert 'href="http://casino.example/lobby"' in page.text
    unknown = launch(wallet_sim, mode="real", game_id=game["id"], token="A" * 24)
    assert unknown.status_code == 403 and "OP_21" in unknown.text
    other_currency = launch(
        wallet_sim, mode="real", game_id=game["id"], token=session.token, currency="USD"
    )
    assert "OP_30" in other_currency.text


@pytest.mark.django_db(transaction=True)
def test_real_mode_launch_with_a_wrong_secret_is_refused_by_our_wallet(
    live_server: Any, tmp_path: Path
) -> None:
    operator = OperatorFactory(operator_id=SIM_OPERATOR_ID, secret_key="the-real-secret")
    player = PlayerFactory(operator=operator)
    session = session_for(player, wallet_for(player, "EUR", "1.00"))
    sim = start_in_thread(
        operator_id=SIM_OPERATOR_ID,
        secret_key="not-the-secret",
        wallet_url=f"{live_server.url}/api/wallet/",
        book_path=tmp_path / "b.sqlite3",
    )
    try:
        game = next(g for g in sim.state.games if g["enabled"])
        page = launch(sim, mode="real", game_id=game["id"], token=session.token)
    finally:
        sim.stop()
    assert page.status_code == 502 and "HTTP 403" in page.text


# --- The command ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_platform_simulator_command_serves_the_apis(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_platform_simulator",
            "--port",
            str(port),
            "--operator-id",
            "cmdcasino",
            "--secret-key",
            "cmd-secret",
            "--book",
            str(tmp_path / "book.sqlite3"),
            "--no-balance-limits",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        operator = Operator(
            operator_id="cmdcasino", secret_key="cmd-secret", api_host=f"http://127.0.0.1:{port}"
        )
        client = PlatformClient(operator, retries=0)
        deadline = time.monotonic() + 30
        while True:
            try:
                games = client.games()
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert len(games) >= 300
        assert client.balance_limits(["EUR"]).enabled is False
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_spec_changebalance_spin_on_the_launch_page_plays_a_round_and_books_it(
    wallet_sim: RunningSimulator,
) -> None:
    from platform_wallet.models import Transaction

    operator = OperatorFactory(
        operator_id=SIM_OPERATOR_ID, secret_key=SIM_SECRET_KEY, api_host=wallet_sim.url
    )
    player = PlayerFactory(operator=operator, user_id="611")
    wallet = wallet_for(player, "EUR", "10.00")
    session = session_for(player, wallet, game_id=1006)
    game = next(g for g in wallet_sim.state.games if g["enabled"])
    form = {
        "mode": "real",
        "game_id": game["id"],
        "token": session.token,
        "currency": "EUR",
        "operator_id": SIM_OPERATOR_ID,
        "stake": "1.00",
    }

    page = requests.post(f"{wallet_sim.url}/launch/spin", data=form, timeout=10)

    assert page.status_code == 200
    booked = wallet_sim.state.book.transactions(operator_id=SIM_OPERATOR_ID)
    assert [(t.transaction_type, t.status) for t in booked if t.transaction_type == "BET"] == [
        ("BET", "OK")
    ]
    (win,) = [t for t in booked if t.transaction_type == "WIN"]
    assert win.status == "OK" and win.round_id == booked[0].round_id
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("9.00") + win.amount
    assert f"{wallet.balance} EUR" in page.text
    assert set(Transaction.objects.values_list("transaction_id", flat=True)) == {
        t.transaction_id for t in booked
    }

    broke = PlayerFactory(operator=operator, user_id="612")
    broke_session = session_for(broke, wallet_for(broke, "EUR", "0.05"))
    refused = requests.post(
        f"{wallet_sim.url}/launch/spin",
        data={**form, "token": broke_session.token, "stake": "0.10"},
        timeout=10,
    )
    assert "OP_31" in refused.text
    bets = [
        t
        for t in wallet_sim.state.book.transactions(operator_id=SIM_OPERATOR_ID)
        if t.user_id == "612"
    ]
    assert [(t.status, t.error_code) for t in bets] == [("ERROR", "OP_31")]
    odd_stake = requests.post(
        f"{wallet_sim.url}/launch/spin", data={**form, "stake": "7"}, timeout=10
    )
    assert odd_stake.status_code == 400
