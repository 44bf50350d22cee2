"""Issue 12, Players: the play page's live balance (a JSON endpoint the page polls, and the
game frame's message), the reality check's figures, and the simulator's game page behaving as
a real game does (home link leaves the frame, balance message after a spin, fun mode playable,
a lobby launch lists games to play)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from django.test import Client
from django.test.utils import override_settings

from catalog.models import Game
from operators.models import Operator
from platform_wallet.models import GameSession, Player, Wallet
from simulator.server import RunningSimulator, start_in_thread
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_fixtures import catalog_make, login_for
from tests.test_launch import DESKTOP
from tests.wallet_client import WalletClient

LAUNCH_HOST = "https://games.example.test/launch/"


@pytest.fixture
def games(operator: Operator) -> dict[str, Game]:
    operator.launch_host = LAUNCH_HOST
    operator.save()
    return catalog_make(operator)


@pytest.fixture
def player_client(client: Client, player: Player, wallet: Wallet) -> Client:
    client.force_login(login_for(player, "john"))
    return client


def play_key(client: Client, game_id: int) -> str:
    response = client.post(f"/play/game/{game_id}/", headers={"User-Agent": DESKTOP})
    assert response.status_code == 302, response.content[:300]
    location = response["Location"]
    assert location.startswith("/play/")
    return location.strip("/").split("/")[-1]


# --- 1. the live balance --------------------------------------------------------------------------


def test_issue12_play_status_is_the_sessions_wallet_as_json(
    player_client: Client, games: dict[str, Game], operator: Operator, wallet: Wallet
) -> None:
    key = play_key(player_client, games["apocalypse"].game_id)
    session = GameSession.objects.get(player=wallet.player)
    client = WalletClient(operator)
    bet = client.changebalance(token=session.token, user_id="611", amount=Decimal("2.50"))
    assert bet.status == "OK", bet.data
    win = client.changebalance(
        token=session.token, user_id="611", amount=Decimal("1.00"), transaction_type="WIN"
    )
    assert win.status == "OK"

    response = player_client.get(f"/play/{key}/status/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["currency"] == "EUR"
    assert body["balance"] == "98.50"
    assert body["balance_formatted"] == "€98.50"
    assert body["net_result"] == "-1.50"
    assert body["net_result_formatted"] == "-€1.50"
    assert body["played_seconds"] >= 0


def test_issue12_play_status_requires_login(client: Client, games: dict[str, Game]) -> None:
    response = client.get("/play/anything/status/")
    assert response.status_code == 401
    assert response.json() == {"error": "login required"}


def test_issue12_play_status_only_reads_the_players_own_wallet(
    player_client: Client, games: dict[str, Game], operator: Operator
) -> None:
    """A launch whose session is someone else's (a forged browser session) reads nothing."""
    other = PlayerFactory(operator=operator)
    other_session = session_for(other, wallet_for(other, "EUR", "777.00"))
    session = player_client.session
    session["lobby_launches"] = {
        "forged": {"url": LAUNCH_HOST, "title": "x", "fun": False, "session": other_session.pk}
    }
    session.save()

    response = player_client.get("/play/forged/status/")

    assert response.status_code == 404
    assert "777" not in response.content.decode()


def test_issue12_play_status_of_an_unknown_or_fun_launch_is_404(
    player_client: Client, games: dict[str, Game]
) -> None:
    assert player_client.get("/play/nope/status/").status_code == 404
    demo = player_client.get(
        f"/demo/{games['apocalypse'].game_id}/", headers={"User-Agent": DESKTOP}
    )
    key = demo["Location"].strip("/").split("/")[-1]
    assert player_client.get(f"/play/{key}/").status_code == 200
    assert player_client.get(f"/play/{key}/status/").status_code == 404


def test_issue12_play_page_shows_the_sessions_balance_and_polls_it(
    player_client: Client, games: dict[str, Game]
) -> None:
    key = play_key(player_client, games["apocalypse"].game_id)
    page = player_client.get(f"/play/{key}/").content.decode()
    assert 'data-testid="play-balance"' in page and "€100.00" in page
    assert f'data-status-url="/play/{key}/status/"' in page
    assert 'data-game-origin="https://games.example.test"' in page
    assert "lobby/play" in page and ".js" in page


@override_settings(REALITY_CHECK_MINUTES=0.5)
def test_issue12_play_page_carries_the_reality_check(
    player_client: Client, games: dict[str, Game]
) -> None:
    key = play_key(player_client, games["apocalypse"].game_id)
    page = player_client.get(f"/play/{key}/").content.decode()
    assert 'data-reality-check-seconds="30"' in page
    assert 'data-testid="reality-check"' in page
    assert "Keep playing" in page and "Leave" in page


@override_settings(REALITY_CHECK_MINUTES=0)
def test_issue12_reality_check_off_with_zero(player_client: Client, games: dict[str, Game]) -> None:
    key = play_key(player_client, games["apocalypse"].game_id)
    page = player_client.get(f"/play/{key}/").content.decode()
    assert 'data-testid="reality-check"' not in page


# --- 2, 3. the simulator's game page --------------------------------------------------------------

SIM_OPERATOR_ID = "simplay"
SIM_SECRET_KEY = "sim-play-secret"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[RunningSimulator]:
    running = start_in_thread(
        operator_id=SIM_OPERATOR_ID,
        secret_key=SIM_SECRET_KEY,
        book_path=tmp_path / "book.sqlite3",
        game_count=60,
    )
    try:
        yield running
    finally:
        running.stop()


def sim_get(sim: RunningSimulator, **params: Any) -> requests.Response:
    query = {"operator_id": SIM_OPERATOR_ID, "currency": "EUR", "language": "en", **params}
    return requests.get(f"{sim.url}/launch/?{urlencode(query)}", timeout=10)


def test_issue12_simulator_home_link_takes_the_whole_window(sim: RunningSimulator) -> None:
    fun = next(g for g in sim.state.games if int(g["fun_mode"]) and int(g["enabled"]))
    page = sim_get(sim, mode="fun", game_id=fun["id"], home_url="http://casino.test/")
    assert '<a href="http://casino.test/" target="_top" data-testid="home">' in page.text
    error = sim_get(sim, mode="fun", game_id=999999, home_url="http://casino.test/")
    assert 'target="_top"' in error.text


def test_issue12_simulator_fun_mode_spins_with_play_money_and_no_wallet(
    sim: RunningSimulator,
) -> None:
    fun = next(g for g in sim.state.games if int(g["fun_mode"]) and int(g["enabled"]))
    page = sim_get(sim, mode="fun", game_id=fun["id"])
    assert 'data-testid="spin"' in page.text and "1000.00 FUN" in page.text
    form = {
        "mode": "fun",
        "game_id": fun["id"],
        "operator_id": SIM_OPERATOR_ID,
        "fun_balance": "1000.00",
        "stake": "5.00",
    }
    balances = set()
    for _ in range(8):
        spun = requests.post(f"{sim.url}/launch/spin", data=form, timeout=10)
        assert spun.status_code == 200 and 'data-testid="outcome"' in spun.text
        balances.add(spun.text.split('data-testid="balance">')[1].split(" FUN")[0])
    assert "1000.00" not in balances or len(balances) > 1  # the stake was taken, wins vary
    assert all(Decimal(b) >= Decimal("995.00") for b in balances)
    assert sim.state.book.transactions(operator_id=SIM_OPERATOR_ID) == []  # nothing booked
    broke = requests.post(
        f"{sim.url}/launch/spin", data={**form, "fun_balance": "1.00"}, timeout=10
    )
    assert "Not enough fun money" in broke.text and "1.00 FUN" in broke.text
    forged = requests.post(
        f"{sim.url}/launch/spin", data={**form, "fun_balance": "1e12"}, timeout=10
    )
    forged_balance = Decimal(forged.text.split('data-testid="balance">')[1].split(" FUN")[0])
    assert Decimal("995.00") <= forged_balance <= Decimal("1045.00")  # started over at 1000.00


def test_issue12_simulator_lobby_launch_lists_its_games(sim: RunningSimulator) -> None:
    lobby = next(x for x in sim.state.lobbies if x["vendor"] == "pragmatic")
    page = sim_get(sim, mode="real", lobby_id=lobby["lobby_id"], token="A" * 24)
    # without a wallet configured the lobby still lists its games
    assert page.status_code == 200
    assert 'data-testid="lobby-game"' in page.text
    vendor_games = {g["title"] for g in sim.state.games if g["vendor"] == "pragmatic"}
    listed = [
        html.unescape(part.split("</a>")[0].split(">")[-1])
        for part in page.text.split('data-testid="lobby-game"')[1:]
    ]
    assert listed and set(listed) <= vendor_games
    other = next(g for g in sim.state.games if g["vendor"] != "pragmatic" and int(g["enabled"]))
    refused = sim_get(
        sim, mode="real", lobby_id=lobby["lobby_id"], game_id=other["id"], token="A" * 24
    )
    assert refused.status_code == 404 and "not in this lobby" in refused.text


def test_issue12_header_balance_in_one_money_format(
    client: Client, games: dict[str, Game], player: Player
) -> None:
    """The lobby's top bar and the play page's speak money.format_money: "¥500", "€1,234.50"."""
    wallet_for(player, "JPY", "500.00")
    client.force_login(login_for(player, "john"))
    session = client.session
    session["lobby_currency"] = "JPY"
    session.save()
    html = client.get("/").content.decode()
    assert '<strong class="balance-amount">¥500</strong>' in html
    assert "EUR &middot; €100.00" not in html  # one wallet: no switch
    wallet_for(player, "EUR", "1234.50")
    html = client.get("/").content.decode()
    assert "EUR &middot; €1,234.50" in html and "JPY &middot; ¥500" in html
