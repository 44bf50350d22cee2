"""End to end in a real browser: the catalog synced from the PLATFORM simulator, the lobby
on the live server, Play, and the simulator's game page (GAME_LAUNCH_HOST) authenticating the
launch token against our wallet over HTTP (spec: "Integration Workflow" steps 1-6, "Game and
lobby launch"). Also: Demo of a fun-mode game on a phone, a redirect to the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from catalog.models import Game
from catalog.services import catalog_sync
from operators.models import Operator
from platform_wallet.models import GameSession, Player
from simulator.server import RunningSimulator, start_in_thread
from tests.factories import OperatorFactory, PlayerFactory, wallet_for
from tests.lobby_browser import CHROMIUM, chromium_session, shot
from tests.lobby_fixtures import PASSWORD, login_for
from tests.test_launch import IPHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

SIM_OPERATOR_ID = "simlobby"
SIM_SECRET_KEY = "sim-lobby-secret-7c1e"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_session()


@pytest.fixture
def simulator(live_server: Any, tmp_path: Path) -> Iterator[RunningSimulator]:
    sim = start_in_thread(
        operator_id=SIM_OPERATOR_ID,
        secret_key=SIM_SECRET_KEY,
        wallet_url=f"{live_server.url}/api/wallet/",
        book_path=tmp_path / "book.sqlite3",
        game_count=40,
    )
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim_operator(simulator: RunningSimulator) -> Operator:
    operator = OperatorFactory(
        operator_id=SIM_OPERATOR_ID,
        secret_key=SIM_SECRET_KEY,
        api_host=simulator.url,
        launch_host=f"{simulator.url}/launch/",
        name="Simulated Casino",
    )
    catalog_sync(operator=operator)
    return operator


@pytest.fixture
def sim_player(sim_operator: Operator) -> Player:
    player = PlayerFactory(operator=sim_operator, user_name="erin", display_name="Erin")
    wallet_for(player, "EUR", "250.00")
    login_for(player)
    return player


def desktop_game(operator: Operator) -> Game:
    game = (
        Game.objects.filter(operator=operator, enabled=True, listed=True)
        .exclude(platform="mobile")
        .order_by("game_id")
        .first()
    )
    assert game is not None, "the simulator's catalog has no desktop game"
    return game


def test_spec_browser_play_real_game_authenticated_by_the_platform_simulator(
    browser: Any,
    live_server: Any,
    sim_operator: Operator,
    sim_player: Player,
) -> None:
    game = desktop_game(sim_operator)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "erin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    page.fill("input[name=q]", game.title)
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=**")
    page.wait_for_load_state("networkidle")
    shot(page, "lobby-simulator-search")
    page.locator(f"[data-game-id='{game.game_id}'] button", has_text="Play").click()
    page.wait_for_url("**/play/**")
    frame = page.wait_for_selector("iframe#game-frame").content_frame()
    # the simulator's page called our authenticate with the token and shows what it answered
    frame.wait_for_selector("[data-testid=player]")
    assert frame.inner_text("[data-testid=player]") == "Erin"
    assert frame.inner_text("[data-testid=balance]") == "250.00 EUR"
    token = dict(parse_qsl(urlsplit(frame.url).query))["token"]
    session = GameSession.objects.get(token=token)
    assert session.player_id == sim_player.pk and session.game_id == game.game_id
    assert session.last_activity_at > session.created_at  # touched by authenticate
    shot(page, "lobby-simulator-play")
    context.close()


def test_spec_browser_phone_demo_redirects_to_the_platform_simulator(
    browser: Any,
    live_server: Any,
    sim_operator: Operator,
) -> None:
    game = (
        Game.objects.filter(operator=sim_operator, enabled=True, fun_mode=True)
        .order_by("game_id")
        .first()
    )
    assert game is not None
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, user_agent=IPHONE, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/?q={game.game_id}")
    page.locator(f"[data-game-id='{game.game_id}'] a", has_text="Demo").click()
    page.wait_for_selector("[data-testid=mode]")
    assert page.url.startswith(f"{sim_operator.launch_host}?")
    assert len(page.frames) == 1
    assert page.inner_text("[data-testid=mode]") == "Demo (fun money)"
    shot(page, "lobby-simulator-phone-demo", full_page=False)
    context.close()
