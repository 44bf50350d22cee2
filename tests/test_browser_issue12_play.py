# ruff: noqa: F811 - pytest fixtures imported from tests.test_browser_lobby_simulator
"""Issue 12, Players, in a real browser against the PLATFORM simulator: the play page's
balance follows the framed game's spins without a reload (the game's message, our JSON
endpoint), "Back to the casino" takes the whole window to the lobby, demo mode spins with play
money, a lobby launch offers games to play, and the reality check shows on time."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test.utils import override_settings

from catalog.models import Game, Lobby
from operators.models import Operator
from platform_wallet.models import Player, Transaction, Wallet
from tests.lobby_browser import CHROMIUM, chromium_session, shot
from tests.lobby_fixtures import PASSWORD
from tests.test_browser_lobby_simulator import (  # noqa: F401 - fixtures
    desktop_game,
    sim_operator,
    sim_player,
    simulator,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

# Also copy each screenshot here when set (a reviewer's folder), besides artifacts/screenshots/.
SHOTS_COPY = os.environ.get("SCREENSHOTS_COPY_DIR", "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_session()


def snap(page: Any, name: str, *, full_page: bool = False) -> None:
    path = shot(page, name, full_page=full_page)
    if SHOTS_COPY:
        Path(SHOTS_COPY).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS_COPY) / path.name)


def logged_in_page(browser: Any, live_server: Any, width: int = 1366) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": 820})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "erin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    return context, page


def play_game(page: Any, game: Game) -> Any:
    page.goto(page.url.split("?")[0] + f"?q={game.game_id}")
    page.locator(f"[data-game-id='{game.game_id}'] button", has_text="Play").click()
    page.wait_for_url("**/play/**")
    return page.wait_for_selector("iframe#game-frame").content_frame()


def set_visibility(page: Any, state: str) -> None:
    """What the browser does when the tab is hidden or shown again."""
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_issue12_browser_spin_in_the_framed_game_updates_the_top_bar_without_a_reload(
    browser: Any, live_server: Any, sim_operator: Operator, sim_player: Player
) -> None:
    context, page = logged_in_page(browser, live_server)
    frame = play_game(page, desktop_game(sim_operator))
    frame.wait_for_selector("[data-testid=spin]")
    assert page.inner_text("[data-testid=play-balance]") == "€250.00"
    page.evaluate("window.__sameDocument = true")  # gone if the play page reloads

    frame.select_option("select[name=stake]", "5.00")
    frame.click("[data-testid=spin]")
    frame.wait_for_selector("[data-testid=outcome]")
    wallet = Wallet.objects.get(player=sim_player)
    assert wallet.balance != Decimal("250.00") or "won 5.00" in frame.inner_text("body")
    # the game's message makes the page read our endpoint at once (the poll is every 10 s)
    page.wait_for_function(
        "b => document.querySelector('[data-testid=play-balance]').dataset.raw === b",
        arg=str(wallet.balance),
        timeout=5000,
    )
    assert page.evaluate("window.__sameDocument") is True
    assert frame.inner_text("[data-testid=balance]") == f"{wallet.balance} EUR"
    snap(page, "play-live-balance-1366")
    context.close()


def test_issue12_browser_back_to_the_casino_leaves_the_frame(
    browser: Any, live_server: Any, sim_operator: Operator, sim_player: Player
) -> None:
    context, page = logged_in_page(browser, live_server, width=1440)
    frame = play_game(page, desktop_game(sim_operator))
    frame.wait_for_selector("[data-testid=home]")
    snap(page, "play-page-1440")
    frame.click("[data-testid=home]")
    page.wait_for_url(live_server.url + "/")
    assert len(page.frames) == 1  # the whole window went back, not the frame
    assert page.locator("[data-testid=game-grid]").is_visible()
    context.close()


def test_issue12_browser_demo_spins_with_play_money(
    browser: Any, live_server: Any, sim_operator: Operator
) -> None:
    game = (
        Game.objects.filter(operator=sim_operator, enabled=True, fun_mode=True)
        .exclude(platform="mobile")
        .order_by("game_id")
        .first()
    )
    assert game is not None
    context = browser.new_context(viewport={"width": 1366, "height": 820})
    page = context.new_page()
    page.goto(f"{live_server.url}/?q={game.game_id}")
    page.locator(f"[data-game-id='{game.game_id}'] a", has_text="Demo").click()
    page.wait_for_url("**/play/**")
    frame = page.wait_for_selector("iframe#game-frame").content_frame()
    frame.wait_for_selector("[data-testid=spin]")
    assert frame.inner_text("[data-testid=balance]") == "1000.00 FUN"
    for _ in range(3):
        frame.click("[data-testid=spin]")
        frame.wait_for_selector("[data-testid=outcome]")
    assert frame.inner_text("[data-testid=balance]") != "1000.00 FUN" or "won" in frame.inner_text(
        "[data-testid=outcome]"
    )
    assert page.locator("[data-testid=play-balance]").count() == 0  # no wallet in demo mode
    assert not Transaction.objects.exists()  # play money: the wallet was never called
    snap(page, "play-demo-1366")
    context.close()


def test_issue12_browser_lobby_launch_offers_games_to_play(
    browser: Any, live_server: Any, sim_operator: Operator, sim_player: Player, simulator: Any
) -> None:
    vendors = {g["vendor"] for g in simulator.state.games if int(g["enabled"])}
    lobby = (
        Lobby.objects.filter(operator=sim_operator, vendor__in=vendors)
        .exclude(lobby_id="live168")
        .order_by("lobby_id")
        .first()
    )
    assert lobby is not None
    context, page = logged_in_page(browser, live_server)
    page.locator(f"[data-lobby-id='{lobby.lobby_id}'] button").click()
    page.wait_for_url("**/play/**")
    frame = page.wait_for_selector("iframe#game-frame").content_frame()
    frame.wait_for_selector("[data-testid=lobby-game]")
    snap(page, "play-lobby-launch-1366")
    frame.click("[data-testid=lobby-game] >> nth=0")
    frame.wait_for_selector("[data-testid=spin]")
    frame.click("[data-testid=spin]")
    frame.wait_for_selector("[data-testid=outcome]")
    wallet = Wallet.objects.get(player=sim_player)
    page.wait_for_function(
        "b => document.querySelector('[data-testid=play-balance]').dataset.raw === b",
        arg=str(wallet.balance),
        timeout=5000,
    )
    snap(page, "play-lobby-game-1366")
    context.close()


@override_settings(REALITY_CHECK_MINUTES=0.05)  # every 3 seconds
def test_issue12_browser_reality_check_shows_time_and_net_result(
    browser: Any, live_server: Any, sim_operator: Operator, sim_player: Player
) -> None:
    context, page = logged_in_page(browser, live_server)
    frame = play_game(page, desktop_game(sim_operator))
    frame.wait_for_selector("[data-testid=spin]")
    frame.click("[data-testid=spin]")
    frame.wait_for_selector("[data-testid=outcome]")
    dialog = page.wait_for_selector("[data-testid=reality-check]", state="visible", timeout=8000)
    wallet = Wallet.objects.get(player=sim_player)
    net = wallet.balance - Decimal("250.00")
    shown = page.inner_text("[data-testid=reality-net]")
    assert shown == (f"-€{-net:.2f}" if net < 0 else f"€{net:.2f}")
    assert page.inner_text("[data-testid=reality-time]").endswith(("s", "min"))
    snap(page, "play-reality-check-1366")
    page.click("[data-testid=keep-playing]")
    assert not dialog.is_visible()
    page.wait_for_selector("[data-testid=reality-check]", state="visible", timeout=8000)
    page.click("[data-testid=leave]")
    page.wait_for_url(live_server.url + "/")
    assert len(page.frames) == 1
    context.close()


def test_issue12_browser_balance_is_polled_only_while_the_page_is_visible(
    browser: Any, live_server: Any, sim_operator: Operator, sim_player: Player
) -> None:
    context, page = logged_in_page(browser, live_server)
    polls: list[str] = []
    page.on(
        "request", lambda request: polls.append(request.url) if "/status/" in request.url else None
    )
    page.clock.install()  # the page's timers run when the test says so
    frame = play_game(page, desktop_game(sim_operator))
    frame.wait_for_selector("[data-testid=spin]")
    assert polls == []
    page.clock.run_for(10_500)  # one poll period
    page.wait_for_timeout(300)
    assert len(polls) == 1

    set_visibility(page, "hidden")
    page.clock.run_for(60_000)  # six periods while hidden: no poll
    page.wait_for_timeout(300)
    assert len(polls) == 1

    set_visibility(page, "visible")
    page.wait_for_timeout(300)
    assert len(polls) == 2  # read at once when shown again
    page.clock.run_for(10_500)
    page.wait_for_timeout(300)
    assert len(polls) == 3
    context.close()
