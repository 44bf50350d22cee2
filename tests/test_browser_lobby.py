"""The lobby in a real browser (headless Chromium through Playwright) against the live server:
log in, filter, search, Play into a framed desktop game whose fresh token authenticate
accepts; the same on a phone, where the game is never framed; Demo as a visitor; live168 in a
new tab (spec: "Game and lobby launch", "Player game session token").

The PLATFORM's GAME_LAUNCH_HOST and media host are answered by the browser itself (Playwright
routes): the pages under test are ours, and the launch URL is checked where it arrives.
Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from catalog.models import Game
from operators.models import Operator
from platform_wallet.models import GameSession, Player, Wallet
from tests.lobby_browser import CHROMIUM, chromium_session, shot
from tests.lobby_fixtures import PASSWORD, catalog_make, game_make, lobbies_make, login_for
from tests.test_launch import IPHONE
from tests.wallet_client import WalletClient

LAUNCH_HOST = "https://games.example.test/launch/"
MEDIA = "https://media.example.test/"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_session()


def _thumbnail_svg(name: str) -> str:
    hue = sum(map(ord, name)) * 37 % 360
    label = html.escape(name.replace("-", " ").title()[:14])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" viewBox="0 0 300 300">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="hsl({hue},80%,55%)"/>'
        f'<stop offset="1" stop-color="hsl({(hue + 70) % 360},70%,25%)"/></linearGradient></defs>'
        '<rect width="300" height="300" fill="url(#g)"/>'
        '<circle cx="150" cy="125" r="62" fill="rgba(255,255,255,.18)"/>'
        f'<text x="150" y="250" font-family="sans-serif" font-size="30" font-weight="700" '
        f'fill="#fff" text-anchor="middle">{label}</text></svg>'
    )


class FakePlatform:
    """The PLATFORM's hosts as the browser sees them: a game page at GAME_LAUNCH_HOST that
    records every launch URL, and SVG thumbnails on the media host."""

    def __init__(self) -> None:
        self.launches: list[str] = []

    def install(self, context: Any) -> None:
        context.route(LAUNCH_HOST + "**", self._game)
        context.route(MEDIA + "**", self._media)

    def _game(self, route: Any) -> None:
        url = route.request.url
        self.launches.append(url)
        params = dict(parse_qsl(urlsplit(url).query))
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in params.items()
        )
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=(
                "<!doctype html><title>PLATFORM game</title><body style='margin:0;min-height:100vh;"
                "display:grid;place-items:center;background:#06281f;color:#e8fff6;"
                "font:16px sans-serif'><main><h1 data-testid='fake-game'>PLATFORM game "
                f"({html.escape(params.get('mode', '?'))} mode)</h1>"
                f"<table>{rows}</table></main></body>"
            ),
        )

    def _media(self, route: Any) -> None:
        name = urlsplit(route.request.url).path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        route.fulfill(status=200, content_type="image/svg+xml", body=_thumbnail_svg(name))


@pytest.fixture
def shop(operator: Operator, player: Player, wallet: Wallet) -> dict[str, Game]:
    """A lobby worth looking at: the test catalog, a dozen more games with pictures, lobbies,
    and a player with a login."""
    operator.launch_host = LAUNCH_HOST
    operator.name = "Example Casino"
    operator.save()
    games = catalog_make(operator)
    extra = [
        ("Gates of Olympus", "pragmatic", "slots", True),
        ("Sweet Bonanza", "pragmatic", "slots", True),
        ("Lightning Roulette", "evolution", "live", False),
        ("Crazy Time", "evolution", "live", False),
        ("Book of Dead", "playngo", "slots", True),
        ("Reactoonz", "playngo", "slots", True),
        ("Mega Moolah", "microgaming", "slots", False),
        ("European Blackjack", "microgaming", "table", True),
        ("Starburst", "netent", "slots", True),
        ("Gonzo's Quest", "netent", "slots", True),
    ]
    for n, (title, vendor, game_type, fun) in enumerate(extra):
        slug = title.lower().replace(" ", "-").replace("'", "")
        game_make(
            operator,
            500 + n,
            title,
            vendor=vendor,
            game_type=game_type,
            fun_mode=fun,
            details={"thumbnails": {"300x300": f"{MEDIA}300/{slug}.svg"}},
        )
    Game.objects.filter(operator=operator, game_id=1).update(
        details={"thumbnails": {"300x300": f"{MEDIA}300/apocalypse.svg"}}
    )
    lobbies = lobbies_make(operator)
    lobbies["shows"].details = {"thumbnails": {"300x300": f"{MEDIA}359/game-shows.svg"}}
    lobbies["shows"].save()
    login_for(player, "john")
    return games


def log_in(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Log in").first.click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "john")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    assert "100.00" in page.inner_text("[data-testid=balance]")


def card_ids(page: Any) -> list[int]:
    return sorted(
        int(x)
        for x in page.eval_on_selector_all(
            "[data-testid=game-grid] .card", "cards => cards.map(c => c.dataset.gameId)"
        )
    )


def assert_authenticates(operator: Operator, token: str, user_id: str = "611") -> None:
    answer = WalletClient(operator).call("authenticate", {"token": token})
    assert answer.status == "OK", answer.body
    assert answer.data["user_id"] == user_id and answer.data["currency_code"] == "EUR"


def test_spec_browser_login_filter_search_and_play_in_a_frame(
    browser: Any, live_server: Any, shop: dict[str, Game], operator: Operator, player: Player
) -> None:
    platform = FakePlatform()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    platform.install(context)
    page = context.new_page()
    base = live_server.url

    page.goto(base + "/accounts/login/")
    shot(page, "lobby-login")
    log_in(page, base)
    page.wait_for_load_state("networkidle")
    shot(page, "lobby-desktop")
    assert len(card_ids(page)) == 15

    # vendor filter (applies on change), then a type chip, then search
    page.select_option("select[name=vendor]", "evolution")
    page.wait_for_url("**vendor=evolution**")
    assert card_ids(page) == [37, 38, 502, 503]
    page.get_by_role("link", name="Live", exact=True).click()
    page.wait_for_url("**type=live**")
    assert card_ids(page) == [37, 502, 503]
    page.get_by_role("link", name="All games").click()
    page.fill("input[name=q]", "roulette")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=roulette**")
    assert card_ids(page) == [38, 502]
    shot(page, "lobby-desktop-search")

    # Play: a new session, and our play page framing the launch URL
    page.locator("[data-game-id='38'] button", has_text="Play").click()
    page.wait_for_url("**/play/**")
    frame_element = page.wait_for_selector("iframe#game-frame")
    frame = frame_element.content_frame()
    frame.wait_for_selector("[data-testid=fake-game]")
    params = dict(parse_qsl(urlsplit(frame.url).query))
    session = GameSession.objects.get(player=player)
    assert params["mode"] == "real" and params["game_id"] == "38"
    assert params["token"] == session.token and params["device"] == "desktop"
    assert params["home_url"] == base + "/" and params["operator_id"] == "examplecasino"
    assert_authenticates(operator, params["token"])
    shot(page, "lobby-desktop-play-frame")

    page.get_by_test_id("back-to-lobby").click()
    page.wait_for_url(base + "/")
    # a second launch gets a fresh token
    page.locator("[data-game-id='37'] button", has_text="Play").click()
    page.wait_for_url("**/play/**")
    page.wait_for_selector("iframe#game-frame")
    second = dict(parse_qsl(urlsplit(platform.launches[-1]).query))["token"]
    assert second != params["token"]
    assert_authenticates(operator, second)

    # logging out ends the sessions: authenticate refuses the tokens
    page.goto(base + "/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(base + "/")
    refused = WalletClient(operator).call("authenticate", {"token": second})
    assert refused.status == "ERROR" and refused.error_code == "OP_21"
    context.close()


def test_spec_browser_phone_play_is_a_redirect_never_a_frame(
    browser: Any, live_server: Any, shop: dict[str, Game], operator: Operator
) -> None:
    platform = FakePlatform()
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        user_agent=IPHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    platform.install(context)
    page = context.new_page()
    base = live_server.url
    log_in(page, base)
    page.wait_for_load_state("networkidle")
    shot(page, "lobby-phone")
    shot(page, "lobby-phone-top", full_page=False)
    # no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("[data-game-id='500'] button", has_text="Play").click()
    page.wait_for_url(LAUNCH_HOST + "**")
    page.wait_for_selector("[data-testid=fake-game]")
    assert len(page.frames) == 1  # the game is the page itself: no iframe
    params = dict(parse_qsl(urlsplit(page.url).query))
    assert params["device"] == "mobile" and params["game_id"] == "500"
    assert_authenticates(operator, params["token"])
    shot(page, "lobby-phone-game")
    context.close()


def test_spec_browser_demo_for_a_visitor(
    browser: Any, live_server: Any, shop: dict[str, Game]
) -> None:
    platform = FakePlatform()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    platform.install(context)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("[data-game-id='37'] a", has_text="Demo").count() == 0  # no fun mode
    page.locator("[data-game-id='38'] a", has_text="Demo").click()
    page.wait_for_url("**/play/**")
    frame = page.wait_for_selector("iframe#game-frame").content_frame()
    frame.wait_for_selector("[data-testid=fake-game]")
    params = dict(parse_qsl(urlsplit(frame.url).query))
    assert params["mode"] == "fun" and params["game_id"] == "38" and "token" not in params
    assert not GameSession.objects.exists()
    shot(page, "lobby-demo-visitor")
    context.close()


def test_spec_browser_demo_on_a_phone_is_a_redirect(
    browser: Any, live_server: Any, shop: dict[str, Game]
) -> None:
    platform = FakePlatform()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, user_agent=IPHONE, is_mobile=True
    )
    platform.install(context)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator("[data-game-id='38'] a", has_text="Demo").click()
    page.wait_for_url(LAUNCH_HOST + "**")
    assert len(page.frames) == 1
    assert dict(parse_qsl(urlsplit(page.url).query))["mode"] == "fun"
    context.close()


def test_spec_browser_live168_lobby_opens_in_a_new_tab(
    browser: Any, live_server: Any, shop: dict[str, Game], operator: Operator
) -> None:
    platform = FakePlatform()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    platform.install(context)
    page = context.new_page()
    log_in(page, live_server.url)
    with context.expect_page() as new_tab:
        page.locator("[data-lobby-id='live168'] button").click()
    tab = new_tab.value
    tab.wait_for_url(LAUNCH_HOST + "**")
    params = dict(parse_qsl(urlsplit(tab.url).query))
    assert params["lobby_id"] == "live168" and "game_id" not in params
    assert page.url == live_server.url + "/"  # the lobby stays where it was
    assert_authenticates(operator, params["token"])
    context.close()
