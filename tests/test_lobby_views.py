"""The lobby pages: the game grid, Play (real mode), Demo (fun mode), the opening rules, and
the sessions a launch opens and a logout ends (spec: "Game and lobby launch",
"Player game session token")."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.test.utils import override_settings

from catalog.models import Game, Lobby
from operators.models import Operator
from platform_wallet.models import GameSession, Player, Wallet
from tests.factories import OperatorFactory, PlayerFactory, wallet_for
from tests.lobby_fixtures import PASSWORD, catalog_make, game_make, lobbies_make, login_for
from tests.test_launch import ANDROID, DESKTOP, IPHONE
from tests.wallet_client import WalletClient

LAUNCH_HOST = "https://games.example.test/launch/"


@pytest.fixture
def games(operator: Operator) -> dict[str, Game]:
    operator.launch_host = LAUNCH_HOST
    operator.name = "Example Casino"
    operator.save()
    return catalog_make(operator)


@pytest.fixture
def lobbies(operator: Operator) -> dict[str, Lobby]:
    return lobbies_make(operator)


@pytest.fixture
def player_client(client: Client, player: Player, wallet: Wallet) -> Client:
    user = login_for(player, "john")
    client.force_login(user)
    return client


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def iframe_src(html: str) -> str:
    match = re.search(r'<iframe id="game-frame"[^>]*\ssrc="([^"]+)"', html)
    assert match, "no game frame on the page"
    return unescape(match.group(1))


def play(client: Client, game_id: int, ua: str = DESKTOP, **data: str) -> Any:
    return client.post(f"/play/game/{game_id}/", data, headers={"User-Agent": ua})


def follow_to_launch(client: Client, response: Any) -> str:
    """The launch URL of a Play/Demo answer: a redirect to it, or our play page framing it."""
    assert response.status_code == 302, response.content[:300]
    location = response["Location"]
    if location.startswith(LAUNCH_HOST):
        return location
    page = client.get(location)
    assert page.status_code == 200
    return iframe_src(page.content.decode())


def messages_of(client: Client) -> str:
    return client.get("/").content.decode()


# --- the game grid --------------------------------------------------------------------------------


def grid_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-game-id="(\d+)"', html)]


def test_lobby_lists_only_available_games(client: Client, games: dict[str, Game]) -> None:
    other = OperatorFactory(operator_id="othercasino")
    game_make(other, 999, "Other Operator's Game")
    html = client.get("/").content.decode()
    assert sorted(grid_ids(html)) == [1, 37, 38, 200, 201]
    assert "Disabled Dragons" not in html and "Vanished Vikings" not in html
    assert "Switched-off Sevens" not in html and "Other Operator" not in html
    assert "5 games" in html


def test_lobby_filters_by_vendor_and_type(client: Client, games: dict[str, Game]) -> None:
    assert sorted(grid_ids(client.get("/?vendor=evolution").content.decode())) == [37, 38]
    assert grid_ids(client.get("/?type=table").content.decode()) == [38]
    assert grid_ids(client.get("/?vendor=evolution&type=live").content.decode()) == [37]
    html = client.get("/").content.decode()
    assert 'href="?type=poker"' in html  # type chips, with the other filters kept
    assert '<option value="pragmatic">Pragmatic Play</option>' in html


def test_lobby_search_by_title_vendor_or_id(client: Client, games: dict[str, Game]) -> None:
    assert grid_ids(client.get("/?q=roul").content.decode()) == [38]
    assert sorted(grid_ids(client.get("/?q=PRAGMATIC").content.decode())) == [200, 201]
    assert grid_ids(client.get("/?q=37").content.decode()) == [37]
    html = client.get("/?q=nothing-like-this").content.decode()
    assert grid_ids(html) == [] and 'data-testid="no-games"' in html


@override_settings(LOBBY_PAGE_SIZE=2)
def test_lobby_paginates_and_keeps_filters(client: Client, games: dict[str, Game]) -> None:
    first = client.get("/?vendor=pragmatic&q=").content.decode()
    assert len(grid_ids(first)) == 2
    all_ids = grid_ids(client.get("/?page=1").content.decode())
    all_ids += grid_ids(client.get("/?page=2").content.decode())
    all_ids += grid_ids(client.get("/?page=3").content.decode())
    assert sorted(all_ids) == [1, 37, 38, 200, 201]
    html = client.get("/?q=e&page=1").content.decode()  # 4 games match "e"
    assert 'href="?q=e&amp;page=2"' in html and "Page 1 of 2" in html
    assert "Page 2 of 2" in client.get("/?q=e&page=2").content.decode()


def test_lobby_shows_thumbnails_and_placeholders(client: Client, games: dict[str, Game]) -> None:
    html = client.get("/").content.decode()
    assert 'src="https://media.example.test/300/apocalypse.png"' in html
    assert 'title="A dark knight rides a horse."' in html
    assert ">FP<" in html  # Fruit Party has no picture: its initials


def test_lobby_shows_platform_lobbies_as_tiles(
    player_client: Client, games: dict[str, Game], lobbies: dict[str, Lobby]
) -> None:
    html = player_client.get("/").content.decode()
    assert 'data-lobby-id="portomaso"' in html and 'data-lobby-id="evolution_game_shows"' in html
    assert "hidden_lobby" not in html
    # live168 only works in a new tab: its tile posts into one
    assert re.search(r'action="/play/lobby/live168/"\s+target="_blank"', html)
    assert not re.search(r'action="/play/lobby/portomaso/"\s+target="_blank"', html)


def test_visitor_sees_demo_only_for_fun_mode_games_and_login_to_play(
    client: Client, games: dict[str, Game]
) -> None:
    html = client.get("/").content.decode()
    assert sorted(int(x) for x in re.findall(r'href="/demo/(\d+)/"', html)) == [1, 38, 200]
    assert "/play/game/" not in html
    assert 'href="/accounts/login/"' in html


def test_header_shows_the_players_balance(player_client: Client, games: dict[str, Game]) -> None:
    html = player_client.get("/").content.decode()
    assert '<strong class="balance-amount">€100.00</strong>' in html  # money.format_money
    assert "John Doe" in html


# --- login and logout -----------------------------------------------------------------------------


def test_login_page_and_login(client: Client, player: Player, games: dict[str, Game]) -> None:
    login_for(player, "john")
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "Example Casino" in page.content.decode()
    bad = client.post("/accounts/login/", {"username": "john", "password": "wrong"})
    assert bad.status_code == 200 and "correct username and password" in bad.content.decode()
    ok = client.post("/accounts/login/", {"username": "john", "password": PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_logout_ends_the_players_sessions(
    player_client: Client, player: Player, games: dict[str, Game]
) -> None:
    play(player_client, 37)
    play(player_client, 200)
    assert GameSession.objects.filter(player=player, ended_at__isnull=True).count() == 2
    response = player_client.post("/accounts/logout/")
    assert response.status_code == 302
    sessions = GameSession.objects.filter(player=player)
    assert all(s.ended_at is not None and s.end_reason == "logout" for s in sessions)


# --- Play (real mode) -----------------------------------------------------------------------------


@override_settings(
    LOBBY_DEPOSIT_URL="https://casino.example.test/cashier/deposit?src=game",
    LOBBY_CLIENT_NAME="examplebrand",
)
def test_spec_real_mode_play_builds_the_launch_url(
    player_client: Client, player: Player, games: dict[str, Game], operator: Operator
) -> None:
    player.language = "de-DE"
    player.group = "VIP1"
    player.save()
    url = follow_to_launch(player_client, play(player_client, 37))
    session = GameSession.objects.get(player=player)
    assert url.startswith(LAUNCH_HOST + "?")
    assert query(url) == {
        "mode": "real",
        "game_id": "37",
        "token": session.token,
        "currency": "EUR",
        "language": "de-DE",
        "operator_id": "examplecasino",
        "home_url": "http://testserver/",
        "deposit_url": "https://casino.example.test/cashier/deposit?src=game",
        "device": "desktop",
        "group": "VIP1",
        "clientName": "examplebrand",
    }
    assert session.game_id == 37 and session.wallet.currency == "EUR"


def test_spec_token_of_each_launch_is_fresh_and_authenticate_accepts_it(
    player_client: Client, client: Client, games: dict[str, Game], operator: Operator
) -> None:
    first = query(follow_to_launch(player_client, play(player_client, 37)))["token"]
    second = query(follow_to_launch(player_client, play(player_client, 37)))["token"]
    assert first != second
    assert re.fullmatch(r"[A-Za-z0-9]{20,50}", first)
    answer = WalletClient(operator).call("authenticate", {"token": second})
    assert answer.status == "OK", answer.body
    assert answer.data["user_id"] == "611" and answer.data["currency_code"] == "EUR"


def test_spec_language_from_accept_language_then_english(
    player_client: Client, games: dict[str, Game]
) -> None:
    response = player_client.post(
        "/play/game/37/", headers={"User-Agent": DESKTOP, "Accept-Language": "fr-CA,fr;q=0.8"}
    )
    assert query(follow_to_launch(player_client, response))["language"] == "fr-CA"
    assert query(follow_to_launch(player_client, play(player_client, 37)))["language"] == "en"


def test_spec_desktop_game_opens_in_a_frame_with_a_bar_back_to_the_lobby(
    player_client: Client, games: dict[str, Game]
) -> None:
    response = play(player_client, 37)
    assert response["Location"].startswith("/play/")
    page = player_client.get(response["Location"]).content.decode()
    assert 'id="game-frame"' in page and 'data-testid="back-to-lobby"' in page
    assert "Blackjack Classic" in page
    assert query(iframe_src(page))["device"] == "desktop"


@pytest.mark.parametrize("ua", [IPHONE, ANDROID])
def test_spec_mobile_game_is_never_framed_but_redirected(
    player_client: Client, games: dict[str, Game], ua: str
) -> None:
    response = play(player_client, 37, ua=ua)
    assert response.status_code == 302 and response["Location"].startswith(LAUNCH_HOST)
    assert query(response["Location"])["device"] == "mobile"


def test_spec_device_can_be_overridden_by_the_form(
    player_client: Client, games: dict[str, Game]
) -> None:
    to_mobile = play(player_client, 37, ua=DESKTOP, device="mobile")
    assert to_mobile["Location"].startswith(LAUNCH_HOST)
    assert query(to_mobile["Location"])["device"] == "mobile"
    to_desktop = play(player_client, 37, ua=IPHONE, device="desktop")
    assert to_desktop["Location"].startswith("/play/")


def test_spec_mobile_only_game_is_redirected_even_on_desktop(
    player_client: Client, games: dict[str, Game]
) -> None:
    response = play(player_client, 201)
    assert response["Location"].startswith(LAUNCH_HOST)


def test_spec_lobby_launch_carries_lobby_id_and_device(
    player_client: Client, player: Player, games: dict[str, Game], lobbies: dict[str, Lobby]
) -> None:
    response = player_client.post("/play/lobby/portomaso/", headers={"User-Agent": IPHONE})
    url = response["Location"]
    session = GameSession.objects.get(player=player)
    params = query(url)
    assert params["lobby_id"] == "portomaso" and "game_id" not in params
    assert params["device"] == "mobile" and params["token"] == session.token
    assert session.lobby_id == "portomaso" and session.game_id is None


def test_spec_live168_lobby_is_never_framed(
    player_client: Client, games: dict[str, Game], lobbies: dict[str, Lobby]
) -> None:
    response = player_client.post("/play/lobby/live168/", headers={"User-Agent": DESKTOP})
    assert response.status_code == 302 and response["Location"].startswith(LAUNCH_HOST)
    assert query(response["Location"])["lobby_id"] == "live168"


@pytest.mark.parametrize("game_id", [300, 301, 302, 424242])
def test_spec_unavailable_or_unknown_game_is_refused(
    player_client: Client, player: Player, games: dict[str, Game], game_id: int
) -> None:
    response = play(player_client, game_id)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "This game is not available." in messages_of(player_client)
    assert not GameSession.objects.filter(player=player).exists()


def test_unavailable_lobby_is_refused(
    player_client: Client, player: Player, games: dict[str, Game], lobbies: dict[str, Lobby]
) -> None:
    response = player_client.post("/play/lobby/hidden_lobby/")
    assert response["Location"] == "/"
    assert "This lobby is not available." in messages_of(player_client)
    assert not GameSession.objects.filter(player=player).exists()


def test_blocked_player_cannot_launch_real_money_games(
    player_client: Client, player: Player, games: dict[str, Game]
) -> None:
    player.is_blocked = True
    player.save()
    html = player_client.get("/").content.decode()
    assert 'data-testid="blocked-notice"' in html
    assert 'disabled title="Real-money games cannot be launched now">Play<' in html
    response = play(player_client, 37)
    assert response["Location"] == "/"
    assert "Your account is blocked" in messages_of(player_client)
    assert not GameSession.objects.filter(player=player).exists()
    # demo stays open
    assert query(follow_to_launch(player_client, player_client.get("/demo/38/")))["mode"] == "fun"


def test_closed_player_cannot_launch(
    player_client: Client, player: Player, games: dict[str, Game]
) -> None:
    player.is_closed = True
    player.save()
    play(player_client, 37)
    assert "Your account is closed." in messages_of(player_client)
    assert not GameSession.objects.exists()


def test_play_needs_login_post_and_csrf(
    client: Client, player: Player, wallet: Wallet, games: dict[str, Game]
) -> None:
    assert client.post("/play/game/37/")["Location"].startswith("/accounts/login/")
    user = login_for(player, "john")
    client.force_login(user)
    assert client.get("/play/game/37/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post("/play/game/37/").status_code == 403
    assert not GameSession.objects.exists()


def test_login_without_player_account_cannot_play(
    client: Client, django_user_model: Any, games: dict[str, Game]
) -> None:
    client.force_login(django_user_model.objects.create_user("staff", password="x" * 12))
    play(client, 37)
    assert "This login has no player account." in messages_of(client)


@override_settings(LOBBY_CLIENT_NAME="a-name-far-too-long")
def test_bad_configured_parameter_is_a_clear_error_and_leaves_no_session(
    player_client: Client, player: Player, games: dict[str, Game]
) -> None:
    response = play(player_client, 37)
    assert response["Location"] == "/"
    html = messages_of(player_client)
    assert "launch parameter &#x27;clientName&#x27; is not valid" in html
    assert not GameSession.objects.filter(player=player).exists()


def test_player_group_that_the_spec_refuses_is_a_clear_error(
    player_client: Client, player: Player, games: dict[str, Game]
) -> None:
    player.group = "vip-players"
    player.save()
    play(player_client, 37)
    assert "&#x27;group&#x27; is not valid" in messages_of(player_client)
    assert not GameSession.objects.exists()


def test_operator_without_launch_host_is_a_clear_error(
    player_client: Client, operator: Operator, games: dict[str, Game]
) -> None:
    operator.launch_host = ""
    operator.save()
    play(player_client, 37)
    assert "GAME_LAUNCH_HOST" in messages_of(player_client)
    assert not GameSession.objects.exists()


def test_player_with_two_wallets_plays_in_the_chosen_currency(
    player_client: Client, player: Player, games: dict[str, Game]
) -> None:
    wallet_for(player, "GBP", "50.00")
    html = player_client.get("/").content.decode()
    assert 'name="currency"' in html and "GBP &middot; £50.00" in html
    assert player_client.post("/currency/", {"currency": "GBP"}).status_code == 302
    assert query(follow_to_launch(player_client, play(player_client, 37)))["currency"] == "GBP"
    assert (
        query(follow_to_launch(player_client, play(player_client, 37, currency="EUR")))["currency"]
        == "EUR"
    )
    play(player_client, 37, currency="USD")
    assert "no USD wallet" in messages_of(player_client)


def test_play_page_of_an_unknown_launch_is_404(player_client: Client) -> None:
    assert player_client.get("/play/not-a-launch/").status_code == 404


def test_play_page_is_private_to_the_browser_that_launched(
    player_client: Client, games: dict[str, Game]
) -> None:
    location = play(player_client, 37)["Location"]
    assert Client().get(location).status_code == 404


# --- Demo (fun mode) ------------------------------------------------------------------------------


def test_spec_fun_mode_demo_for_visitors_without_token(
    client: Client, games: dict[str, Game]
) -> None:
    url = follow_to_launch(client, client.get("/demo/38/", headers={"User-Agent": DESKTOP}))
    assert query(url) == {
        "mode": "fun",
        "game_id": "38",
        "currency": "EUR",
        "language": "en",
        "operator_id": "examplecasino",
        "home_url": "http://testserver/",
        "lobby_url": "http://testserver/",
        "device": "desktop",
    }
    assert not GameSession.objects.exists()


def test_spec_fun_mode_on_a_phone_is_a_redirect(client: Client, games: dict[str, Game]) -> None:
    response = client.get("/demo/38/", headers={"User-Agent": IPHONE})
    assert response["Location"].startswith(LAUNCH_HOST)
    assert query(response["Location"])["device"] == "mobile"
    overridden = client.get("/demo/38/?device=mobile", headers={"User-Agent": DESKTOP})
    assert overridden["Location"].startswith(LAUNCH_HOST)


def test_spec_fun_mode_only_for_games_with_fun_mode(client: Client, games: dict[str, Game]) -> None:
    response = client.get("/demo/37/")
    assert response["Location"] == "/"
    assert "Blackjack Classic has no demo mode." in messages_of(client)
    client.get("/demo/300/")
    assert "This game is not available." in messages_of(client)


def test_fun_mode_for_a_player_uses_the_players_currency_and_language(
    client: Client, operator: Operator, games: dict[str, Game]
) -> None:
    bob = PlayerFactory(operator=operator, user_name="bob", language="en-GB")
    wallet_for(bob, "GBP", "10.00")
    client.force_login(login_for(bob))
    params = query(follow_to_launch(client, client.get("/demo/1/")))
    assert params["currency"] == "GBP" and params["language"] == "en-GB"
    assert "token" not in params


@override_settings(LOBBY_HOME_URL="https://casino.example.com/lobby/")
def test_home_url_setting_overrides_the_request_host(
    client: Client, games: dict[str, Game]
) -> None:
    params = query(follow_to_launch(client, client.get("/demo/1/")))
    assert params["home_url"] == "https://casino.example.com/lobby/"


def test_a_bad_filter_value_drops_only_that_filter(client: Client, games: dict[str, Game]) -> None:
    html = client.get("/?vendor=evolution&device=tablet&q=" + "x" * 101).content.decode()
    assert sorted(grid_ids(html)) == [37, 38]


def test_lobby_tiles_use_the_platforms_title(
    client: Client, games: dict[str, Game], lobbies: dict[str, Lobby]
) -> None:
    lobbies["portomaso"].details = {"title": "Portomaso Live Casino"}
    lobbies["portomaso"].save()
    html = client.get("/").content.decode()
    assert "<strong>Portomaso Live Casino</strong>" in html
    assert "<strong>Evolution game shows</strong>" in html
