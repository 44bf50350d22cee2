"""Issue 10, "External data never takes a page down": the lobby pages survive whatever is
stored. Rows are written directly (as an old sync, a fixture or a hand in the database would),
then "/" is loaded as a visitor and as a logged-in player."""

from __future__ import annotations

import pytest
from django.test import Client

from operators.models import Operator
from platform_wallet.models import Player, Wallet
from tests.lobby_fixtures import game_make, lobbies_make, lobby_make, login_for

pytestmark = pytest.mark.django_db

BAD_LOBBY_IDS = ["a/b", "", "..", "../x", "<script>alert('lobby')</script>", "a b", "x?y=1"]


@pytest.fixture
def bad_catalog(operator: Operator) -> None:
    lobbies_make(operator)
    for lobby_id in BAD_LOBBY_IDS:
        lobby_make(operator, lobby_id, "evolution")
    game_make(operator, 1, "Good Game", fun_mode=True)
    game_make(operator, -5, "Negative Id", fun_mode=True)
    game_make(operator, 0, "Zero Id", fun_mode=True)
    game_make(
        operator,
        7,
        "<script>alert('title')</script>",
        vendor="<b>vendor</b>",
        game_type='"><img src=x onerror=alert(1)>',
        fun_mode=True,
        details={
            "thumbnails": {"300x300": "javascript:alert('thumb')"},
            "description": {"en": '"><script>alert("description")</script>'},
        },
    )
    game_make(
        operator,
        8,
        "Data Picture",
        details={"thumbnails": {"300x300": "data:image/svg+xml,<svg onload=alert(1)>"}},
    )
    game_make(operator, 9, "Odd Details", details=["not", "an", "object"])
    lobby_make(
        operator,
        "picture_lobby",
        "evolution",
        details={"title": "<i>Lobby</i>", "thumbnails": "javascript:alert('lobby')"},
    )


@pytest.fixture
def player_client(client: Client, player: Player, wallet: Wallet) -> Client:
    client.force_login(login_for(player, "john"))
    return client


def assert_safe(html: str) -> None:
    assert "javascript:" not in html and "data:image" not in html
    assert "<script>alert" not in html and "<b>vendor</b>" not in html and "<i>Lobby" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html  # shown, escaped


def test_issue10_lobby_with_bad_id_in_database_is_skipped_for_a_logged_in_player(
    player_client: Client, bad_catalog: None
) -> None:
    response = player_client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    tiles = [lobby.lobby_id for lobby in response.context["lobbies"]]
    assert tiles == [
        "evolution_game_shows",
        "picture_lobby",
        "live168",
        "portomaso",
    ]
    assert 'action="/play/lobby/portomaso/"' in html
    assert_safe(html)


def test_issue10_bad_rows_in_database_do_not_break_the_lobby_for_a_visitor(
    client: Client, bad_catalog: None
) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    shown = {game.game_id for game in response.context["page"].object_list}
    assert shown == {1, 7, 8, 9}  # ids under 1 fit no URL: never offered
    assert 'href="/demo/1/"' in html and "/demo/-5/" not in html
    assert_safe(html)


def test_issue10_thumbnails_are_http_only_when_read(bad_catalog: None) -> None:
    from catalog.models import Game

    assert Game.objects.get(game_id=7).thumbnail_url == ""
    assert Game.objects.get(game_id=8).thumbnail_url == ""
    assert Game.objects.get(game_id=9).thumbnail_url == ""


def test_issue10_a_lobby_not_shown_cannot_be_launched_either(
    player_client: Client, bad_catalog: None
) -> None:
    response = player_client.post("/play/lobby/a%20b/", follow=True)
    assert response.status_code == 200
    assert "This lobby is not available." in response.content.decode()
