"""Issue 12, Players, the lobby in a real browser: vendor display names and search by them,
favourites (the heart) and recently played rows, login from Play back to the chosen game, the
favicon, and the phone's search field showing its whole placeholder (390 px)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.models import Game
from operators.models import Operator
from platform_wallet.models import Player
from tests.factories import PlayerFactory, wallet_for
from tests.lobby_browser import CHROMIUM, chromium_session, shot
from tests.lobby_fixtures import PASSWORD, catalog_make, game_make, lobbies_make, login_for
from tests.test_launch import IPHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

LAUNCH_HOST = "https://games.example.test/launch/"
SHOTS_COPY = os.environ.get("SCREENSHOTS_COPY_DIR", "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_session()


def snap(page: Any, name: str, *, full_page: bool = True) -> None:
    path = shot(page, name, full_page=full_page)
    if SHOTS_COPY:
        Path(SHOTS_COPY).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS_COPY) / path.name)


@pytest.fixture
def casino(db: None) -> Operator:
    from tests.factories import OperatorFactory

    operator = OperatorFactory(
        operator_id="browsercasino", name="Browser Casino", launch_host=LAUNCH_HOST
    )
    catalog_make(operator)
    lobbies_make(operator)
    game_make(operator, 500, "Book of Dead", vendor="playngo", fun_mode=True)
    game_make(operator, 501, "Reactoonz", vendor="playngo")
    game_make(operator, 502, "Starburst", vendor="netent")
    return operator


@pytest.fixture
def erin(casino: Operator) -> Player:
    player = PlayerFactory(operator=casino, user_name="erin", display_name="Erin")
    wallet_for(player, "EUR", "1234.50")
    login_for(player)
    return player


def log_in(page: Any, live_server: Any, path: str = "/accounts/login/") -> None:
    page.goto(live_server.url + path)
    page.fill("input[name=username]", "erin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_issue12_browser_lobby_names_search_favourites_recent(
    browser: Any, live_server: Any, erin: Player
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.route("https://games.example.test/**", lambda route: route.fulfill(body="game"))
    page = context.new_page()
    # a visitor's Play goes through the login and back to the chosen game
    page.goto(live_server.url + "/?q=Starburst")
    page.locator("[data-game-id='502'] a", has_text="Play").click()
    page.wait_for_url("**/accounts/login/?next=**")
    log_in(page, live_server, path=page.url.removeprefix(live_server.url))
    page.wait_for_url(live_server.url + "/?game=502")
    assert page.locator("[data-testid=chosen-game] [data-game-id='502']").is_visible()
    page.locator("[data-testid=chosen-game] [data-game-id='502'] button", has_text="Play").click()
    page.wait_for_url("**/play/**")

    # vendors by name, and search by name
    page.goto(live_server.url + "/?q=play%27n")
    ids = page.eval_on_selector_all("[data-game-id]", "els => els.map(e => e.dataset.gameId)")
    assert sorted(ids) == ["500", "501"]
    assert "Play'n GO" in page.inner_text("[data-game-id='500'] .card-meta")
    assert page.locator("select[name=vendor] option", has_text="Play'n GO").count() == 1

    # the heart, then the rows
    page.goto(live_server.url + "/")
    page.evaluate("window.scrollTo(0, 400); window.__sameDocument = true")
    page.locator("[data-game-id='500'] [data-testid=favourite]").first.click()
    page.wait_for_selector("[data-game-id='500'] [data-testid=favourite][aria-pressed=true]")
    assert page.evaluate("window.__sameDocument") is True  # the heart turned, no reload
    assert page.evaluate("window.scrollY") == 400
    page.reload()
    page.wait_for_selector("[data-testid=favourites] [data-game-id='500']")
    assert (
        page.get_attribute("[data-testid=favourites] [data-testid=favourite]", "aria-pressed")
        == "true"
    )
    recent = page.eval_on_selector_all(
        "[data-testid=recently-played] [data-game-id]", "els => els.map(e => e.dataset.gameId)"
    )
    assert recent == ["502"]
    page.wait_for_load_state("networkidle")
    snap(page, "lobby-personal-1366", full_page=False)
    page.set_viewport_size({"width": 1440, "height": 900})
    snap(page, "lobby-personal-1440", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "lobby-personal-390", full_page=False)
    context.close()


def test_issue12_browser_favicon_is_linked_and_served(
    browser: Any, live_server: Any, casino: Operator
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    href = page.get_attribute("link[rel=icon]", "href")
    assert href and href.endswith(".svg")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and b"<svg" in response.body()
    context.close()


def test_issue12_browser_phone_search_shows_its_whole_placeholder(
    browser: Any, live_server: Any, casino: Operator
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, user_agent=IPHONE, is_mobile=True
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    # the placeholder typed in as text: the field scrolls when it does not fit
    room = page.eval_on_selector(
        "input[name=q]",
        """el => {
            el.value = el.placeholder;
            const sizes = {scroll: el.scrollWidth, client: el.clientWidth, text: el.value};
            el.value = "";
            return sizes;
        }""",
    )
    assert room["scroll"] <= room["client"], room
    assert page.get_attribute("button.btn-search", "type") == "submit"
    assert page.inner_text("button.btn-search") == "Search"  # named for screen readers
    snap(page, "lobby-phone-390", full_page=False)
    context.close()


def test_issue12_browser_lobby_game_is_found_by_vendor_name_on_a_phone(
    browser: Any, live_server: Any, casino: Operator
) -> None:
    assert Game.objects.filter(vendor="playngo").count() == 2
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, user_agent=IPHONE, is_mobile=True
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "play'n")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=**")
    assert page.locator("[data-game-id]").count() == 2
    page.wait_for_load_state("networkidle")  # no request still in flight when the test ends
    context.close()


def test_issue12_browser_error_pages_for_players_and_staff(
    browser: Any, live_server: Any, casino: Operator
) -> None:
    from tests.admin_fixtures import STAFF_PASSWORD, staff_user

    for width, height in ((1366, 820), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        response = page.goto(live_server.url + "/no-such-page/")
        assert response.status == 404
        assert page.locator("[data-testid=error-back]").is_visible()
        snap(page, f"error-404-player-{width}", full_page=False)
        page.click("[data-testid=error-back]")
        page.wait_for_url(live_server.url + "/")
        context.close()

    staff_user("root_admin", superuser=True)
    context = browser.new_context(viewport={"width": 1366, "height": 820})
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("input[name=username]", "root_admin")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    response = page.goto(live_server.url + "/admin/no-such-section/")
    assert response.status == 404
    snap(page, "error-404-admin-1366", full_page=False)
    page.click("[data-testid=error-back]")
    page.wait_for_url(live_server.url + "/admin/")
    context.close()
