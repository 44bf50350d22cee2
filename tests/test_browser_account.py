"""Issue 12, the player's account pages in a real browser (headless Chromium through
Playwright) against the live server, on a laptop (1366 px) and a phone (390 px): My activity
(totals, canceled and refused rows marked, "Older" pages), the responsible-gaming page (a
limit set, decreased at once, increased as pending), a break after its confirmation, and what
an excluded player then sees (the lobby's notice, the page instead of a game). BETs go
through the signed gameplay API. Screenshots go to artifacts/screenshots/ (and to
$SHOTS_COPY_DIR when set)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from operators.models import Operator
from platform_wallet.models import (
    GameSession,
    Player,
    ResponsibleGamblingLimits,
    Transaction,
    TransactionStatus,
    Wallet,
)
from tests.factories import session_for
from tests.lobby_browser import CHROMIUM, chromium_session, shot
from tests.lobby_fixtures import PASSWORD, catalog_make, login_for
from tests.test_wallet_cancel_status_finishround import cancel
from tests.wallet_client import WalletClient, new_id

# Screenshots are also copied where a reviewer looks at them (e.g. /tmp/shots-account/).
LOOKED_AT = os.environ.get("SHOTS_COPY_DIR", "")
WIDTHS = {"laptop": (1366, 860), "phone": (390, 844)}
_ids = itertools.count(700_000)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_session()


def snap(page: Any, name: str) -> None:
    path = shot(page, name)
    if LOOKED_AT:
        Path(LOOKED_AT).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(LOOKED_AT) / path.name)


def play(api: WalletClient, session: GameSession, kind: str, amount: str, game_id: int) -> int:
    transaction_id = new_id()
    answer = api.changebalance(
        transaction_type=kind,
        amount=Decimal(amount),
        user_id="611",
        token=session.token,
        transaction_id=transaction_id,
        game_id=game_id,
    )
    assert answer.http_status == 200
    return transaction_id


@pytest.fixture
def history(operator: Operator, player: Player, wallet: Wallet, api: WalletClient) -> None:
    """Thirty older rounds from last week, then today's play through the gameplay API: bets,
    a win, a refund, a canceled bet and a bet refused for want of money."""
    operator.name = "Example Casino"
    operator.launch_host = "https://games.example.test/launch/"
    operator.save()
    catalog_make(operator)
    login_for(player, "john")
    last_week = timezone.now() - dt.timedelta(days=3)
    for n in range(30):
        Transaction.objects.create(
            operator=operator,
            transaction_id=next(_ids),
            transaction_type="BET" if n % 3 else "WIN",
            status=TransactionStatus.OK,
            player=player,
            wallet=wallet,
            round_id=next(_ids),
            game_id=38 if n % 2 else 200,
            currency="EUR",
            amount=Decimal("2.00") if n % 3 else Decimal("3.50"),
            created_at=last_week + dt.timedelta(minutes=n),
        )
    session = session_for(player, wallet, game_id=200)
    play(api, session, "BET", "10.00", 200)
    play(api, session, "WIN", "24.50", 200)
    play(api, session, "BET", "5.00", 38)
    play(api, session, "REFUND", "5.00", 38)
    canceled = play(api, session, "BET", "3.00", 200)
    assert cancel(api, canceled).status == "OK"
    play(api, session, "BET", "5000.00", 200)  # OP_31


def log_in(page: Any, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "john")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


@pytest.mark.parametrize("device", list(WIDTHS))
def test_issue12_browser_my_activity(
    browser: Any, live_server: Any, history: None, device: str
) -> None:
    width, height = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    base = live_server.url
    log_in(page, base)
    page.get_by_test_id("my-account").click()
    page.wait_for_url("**/account/activity/")
    assert (
        page.inner_text("[data-testid=total-bets]") == "€55.00"
    )  # 20 x 2.00 last week, 10.00 + 5.00 today
    snap(page, f"account-activity-{device}")
    no_sideways_scroll(page)
    rows = page.locator("[data-testid=activity-table] tbody tr")
    assert rows.count() == 25
    assert page.locator("[data-testid=status-canceled]").count() == 1
    assert "Refused: not enough funds" in rows.first.inner_text()
    page.get_by_test_id("older").click()
    page.wait_for_url("**cursor=**")
    assert page.locator("[data-testid=activity-table] tbody tr").count() == 11
    assert page.locator("[data-testid=older]").count() == 0
    snap(page, f"account-activity-older-{device}")
    # Today only: the six rows played through the API.
    today = timezone.now().astimezone(dt.UTC).date().isoformat()
    page.fill("input[name=start]", today)
    page.fill("input[name=end]", today)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**start={today}**")
    assert page.locator("[data-testid=activity-table] tbody tr").count() == 6
    assert page.inner_text("[data-testid=total-net]") == "€14.50"
    # A row's game opens its round: that round's transactions and totals.
    page.locator("[data-testid=activity-table] .col-game a").nth(2).click()
    page.wait_for_selector("[data-testid=round-title]")
    assert "Roulette Royale" in page.inner_text("[data-testid=round-title]")
    assert page.locator("[data-testid=activity-table] tbody tr").count() == 1
    snap(page, f"account-round-{device}")
    no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("device", list(WIDTHS))
def test_issue12_browser_limits_and_a_break(
    browser: Any, live_server: Any, history: None, player: Player, device: str
) -> None:
    width, height = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    base = live_server.url
    log_in(page, base)
    page.goto(base + "/account/limits/")

    def save(field: str, value: str) -> None:
        page.fill(f"input[name={field}]", value)
        page.get_by_role("button", name="Save limits").click()
        page.wait_for_load_state("load")

    save("daily_loss_limit", "50")
    assert page.inner_text("[data-testid=in-force-daily_loss_limit]") == "€50.00"
    save("daily_loss_limit", "30")  # a decrease: at once
    assert page.inner_text("[data-testid=in-force-daily_loss_limit]") == "€30.00"
    save("weekly_wager_limit", "500")
    save("daily_loss_limit", "80")  # an increase: pending for 24 hours
    assert page.inner_text("[data-testid=in-force-daily_loss_limit]") == "€30.00"
    pending = page.inner_text("[data-testid=pending-daily_loss_limit]")
    assert pending.startswith("€80.00 from ") and pending.endswith(" UTC")
    assert "after 24 hours" in page.inner_text(".messages")
    snap(page, f"account-limits-pending-{device}")
    no_sideways_scroll(page)

    # A break: choosing a period asks first; only the confirmation starts it.
    page.get_by_text("7 days", exact=True).click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("[data-testid=break-confirm]")
    assert "cannot be shortened" in page.inner_text("[data-testid=break-confirm]")
    limits = ResponsibleGamblingLimits.objects.get(player=player)
    assert limits.self_excluded_until is None
    snap(page, f"account-break-confirm-{device}")
    page.get_by_test_id("confirm-break").click()
    page.wait_for_selector("[data-testid=excluded-panel]")
    limits.refresh_from_db()
    assert limits.self_excluded_until is not None
    assert limits.self_excluded_until > timezone.now() + dt.timedelta(days=6)
    snap(page, f"account-limits-excluded-{device}")

    # The lobby says so and its Play buttons are off; a launch posted anyway (from a lobby page
    # opened before the break) shows the page instead of a game.
    page.goto(base + "/")
    assert "taking a break until" in page.inner_text("[data-testid=exclusion-notice]")
    assert page.locator("[data-game-id='38'] button", has_text="Play").first.is_disabled()
    snap(page, f"account-lobby-excluded-{device}")
    page.eval_on_selector("[data-game-id='38'] form[action*='/play/game/']", "f => f.submit()")
    page.wait_for_selector("[data-testid=excluded-page]")
    assert not GameSession.objects.filter(player=player, ended_at__isnull=True).exists()
    snap(page, f"account-launch-excluded-{device}")
    context.close()
