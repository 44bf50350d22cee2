"""Issue 12, Players: logging in from Play keeps the chosen game (?next=, safe redirects only);
"Recently played" and "Favourites" rows per player (a heart on each card, POST with CSRF)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from catalog.models import Game
from lobby.models import Favourite
from operators.models import Operator
from platform_wallet.models import Player, Wallet
from tests.factories import OperatorFactory, PlayerFactory, session_for, wallet_for
from tests.lobby_fixtures import PASSWORD, catalog_make, game_make, login_for
from tests.test_launch import DESKTOP

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


def section_ids(page: str, testid: str) -> list[int]:
    match = re.search(rf'data-testid="{testid}".*?</section>', page, re.S)
    if match is None:
        return []
    return [int(x) for x in re.findall(r'data-game-id="(\d+)"', match.group(0))]


# --- ?next= ---------------------------------------------------------------------------------------


def test_issue12_login_from_play_comes_back_to_the_chosen_game(
    client: Client, games: dict[str, Game], player: Player, wallet: Wallet
) -> None:
    login_for(player, "john")
    page = client.get("/").content.decode()
    link = re.search(r'data-game-id="37".*?<a class="btn btn-play" href="([^"]+)"', page, re.S)
    assert link is not None
    assert unescape(link.group(1)) == "/accounts/login/?next=%2F%3Fgame%3D37"

    login_page = client.get(unescape(link.group(1))).content.decode()
    assert 'name="next" value="/?game=37"' in login_page
    response = client.post(
        "/accounts/login/", {"username": "john", "password": PASSWORD, "next": "/?game=37"}
    )
    assert response.status_code == 302 and response["Location"] == "/?game=37"
    chosen = client.get("/?game=37").content.decode()
    assert section_ids(chosen, "chosen-game") == [37]
    assert 'action="/play/game/37/"' in chosen  # Play is one click away


def test_issue12_login_next_refuses_other_sites(
    client: Client, games: dict[str, Game], player: Player
) -> None:
    login_for(player, "john")
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(
            "/accounts/login/", {"username": "john", "password": PASSWORD, "next": target}
        )
        assert response.status_code == 302 and response["Location"] == "/", target
        client.logout()


def test_issue12_chosen_game_must_be_available(client: Client, games: dict[str, Game]) -> None:
    assert section_ids(client.get("/?game=300").content.decode(), "chosen-game") == []
    assert client.get("/?game=abc").status_code == 200


# --- favourites -----------------------------------------------------------------------------------


def test_issue12_favourite_toggle_adds_and_removes(
    player_client: Client, games: dict[str, Game], player: Player
) -> None:
    assert section_ids(player_client.get("/").content.decode(), "favourites") == []
    response = player_client.post("/favourites/38/", {"favourite": "on", "next": "/?type=table"})
    assert response.status_code == 302 and response["Location"] == "/?type=table"
    player_client.post("/favourites/1/", {"favourite": "on"})
    player_client.post("/favourites/1/", {"favourite": "on"})  # idempotent
    assert Favourite.objects.filter(player=player).count() == 2
    page = player_client.get("/").content.decode()
    assert section_ids(page, "favourites") == [1, 38]  # the latest marked first
    assert 'aria-pressed="true"' in page

    answer = player_client.post("/favourites/38/", headers={"Accept": "application/json"})
    assert answer.json() == {"game_id": 38, "favourite": False}  # the lobby's script
    player_client.post("/favourites/38/", {"favourite": "on", "next": "https://evil.example/"})
    evil = player_client.post("/favourites/38/", {"next": "https://evil.example/"})
    assert evil["Location"] == "/"  # never an open redirect
    assert section_ids(player_client.get("/").content.decode(), "favourites") == [1]


def test_issue12_favourite_needs_login_post_csrf_and_an_available_game(
    client: Client, games: dict[str, Game], player: Player, wallet: Wallet
) -> None:
    response = client.post("/favourites/1/", {"favourite": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(login_for(player, "john"))
    assert csrf_client.post("/favourites/1/", {"favourite": "on"}).status_code == 403
    assert csrf_client.get("/favourites/1/").status_code == 405
    client.force_login(player.login)
    client.post("/favourites/300/", {"favourite": "on"})  # disabled by the PLATFORM
    other = OperatorFactory(operator_id="othercasino")
    foreign = game_make(other, 999, "Elsewhere")
    client.post(f"/favourites/{foreign.game_id}/", {"favourite": "on"})
    assert not Favourite.objects.exists()


def test_issue12_favourites_are_per_player(
    player_client: Client, games: dict[str, Game], operator: Operator
) -> None:
    player_client.post("/favourites/1/", {"favourite": "on"})
    other = PlayerFactory(operator=operator)
    wallet_for(other)
    other_client = Client()
    other_client.force_login(login_for(other, "mary"))
    assert section_ids(other_client.get("/").content.decode(), "favourites") == []


# --- recently played ------------------------------------------------------------------------------


def test_issue12_recently_played_from_the_players_launches(
    player_client: Client, games: dict[str, Game], player: Player, wallet: Wallet
) -> None:
    assert 'data-testid="recently-played"' not in player_client.get("/").content.decode()
    for game_id in (38, 1, 38, 200):
        player_client.post(f"/play/game/{game_id}/", headers={"User-Agent": DESKTOP})
    session_for(player, wallet, game_id=300)  # a game no longer available: left out
    page = player_client.get("/").content.decode()
    assert section_ids(page, "recently-played") == [200, 38, 1]
    # not for a visitor, and not while filtering
    assert 'data-testid="recently-played"' not in player_client.get("/?q=fruit").content.decode()
    assert 'data-testid="recently-played"' not in Client().get("/").content.decode()
