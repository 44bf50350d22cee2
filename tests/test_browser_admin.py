# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""The backoffice in a real browser (headless Chromium through Playwright) against the live
server: a Finance user runs the business report job, finds the reconciliation with a mismatch
and sees the GGR chart; a Support user blocks a player from the players list, after which the
PLATFORM's BET for that player is refused (spec: changebalance, OP_33 Player is blocked).

Screenshots go to artifacts/screenshots/ (admin-*.png).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from backoffice.roles import FINANCE, SUPPORT
from catalog.models import Game
from operators.models import Operator
from platform_wallet.models import Player, Transaction
from platform_wallet.services.sessions import session_create
from reporting.models import Reconciliation
from simulator.server import RunningSimulator
from tests.admin_fixtures import STAFF_PASSWORD, play, staff_user
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_browser import CHROMIUM, chromium_session, shot
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    book_entry,
    book_path,
    platform,
    platform_operator,
)
from tests.wallet_client import WalletClient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_session()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#bo-dashboard")


def test_spec_business_report_finance_opens_a_reconciliation_with_a_mismatch_and_sees_the_chart(
    page: Any,
    live_server: Any,
    client: Client,
    platform: RunningSimulator,
    platform_operator: Operator,
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    yesterday = today - dt.timedelta(days=1)
    Game.objects.create(
        operator=platform_operator, game_id=1001, title="Starburst", vendor="netent"
    )
    player = PlayerFactory(operator=platform_operator, user_id="611")
    wallet = wallet_for(player, "EUR", "500.00")
    session = session_for(player, wallet, game_id=1001)
    api = WalletClient(platform_operator)
    # Yesterday both sides agree: a BET of 30.00 and a WIN of 10.00 (GGR 20.00).
    for kind, amount in (("BET", "30.00"), ("WIN", "10.00")):
        stamp = f"{yesterday.isoformat()} 12:00:00"
        answer = play(api, session, kind, amount, game_id=1001, transaction_timestamp=stamp)
        assert answer.status == "OK"
    # (our side of a day: the PLATFORM's transaction_timestamp, or when we recorded it)
    Transaction.objects.update(created_at=dt.datetime.combine(yesterday, dt.time(12), dt.UTC))
    book_entry(platform.state.book, transaction_type="BET", amount="30.00", date=yesterday)
    book_entry(platform.state.book, transaction_type="WIN", amount="10.00", date=yesterday)
    # Today our ledger has BETs of 12.00 and 8.00 and a WIN of 5.00 (GGR 15.00)...
    for kind, amount in (("BET", "12.00"), ("BET", "8.00"), ("WIN", "5.00")):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        answer = play(api, session, kind, amount, game_id=1001, transaction_timestamp=stamp)
        assert answer.status == "OK"
    # ... the PLATFORM's book says BETs of 12.00 only and the same WIN (GGR 7.00).
    book_entry(platform.state.book, transaction_type="BET", amount="12.00", date=today)
    book_entry(platform.state.book, transaction_type="WIN", amount="5.00", date=today)
    staff_user("fiona_finance", FINANCE)

    log_in(page, live_server.url, "fiona_finance")
    assert page.locator("#bo-limits").is_visible()  # Finance sees the balance limits panel
    shot(page, "admin-finance-dashboard")

    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/run-job/")
    for day, mismatches in ((yesterday, "0 mismatches"), (today, "1 mismatches")):
        page.select_option("#id_job", "business_report")
        page.fill("#id_date", day.isoformat())
        page.click("input[value='Run now']")
        page.wait_for_selector("#job-outcomes")
        outcome = page.locator("#job-outcomes tbody tr").first.inner_text()
        assert "OK" in outcome and mismatches in outcome, outcome
    shot(page, "admin-finance-run-job")

    page.goto(f"{live_server.url}/admin/reporting/reconciliation/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    row = rows.first  # the latest date first
    assert "MISMATCH" in row.inner_text() and "MISMATCH" not in rows.nth(1).inner_text()
    background = row.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
    assert background == "rgb(253, 226, 225)", background  # the mismatch row is highlighted
    ggr = "#bo-chart svg:nth-of-type(1)"  # then free spins and jackpots paid (issue 14)
    assert page.locator(f"{ggr} polyline").count() == 2  # EUR ours, EUR PLATFORM
    assert page.locator("#bo-chart svg").count() == 3
    shot(page, "admin-finance-reconciliations")

    row.locator("th a, td a").first.click()
    page.wait_for_selector("#bo-chart svg")
    reconciliation = Reconciliation.objects.get(operator=platform_operator, date=today)
    assert page.url.endswith(f"/admin/reporting/reconciliation/{reconciliation.pk}/change/")
    chart = page.locator(ggr)
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 150
    assert page.locator(f"{ggr} .bo-mismatch-band").count() == 1
    assert page.locator(f"{ggr} circle").count() == 4  # 2 days x (ours, PLATFORM)
    lines = page.locator("[data-inline-type]").first.inner_text()
    assert "MISMATCH" in lines and "netent" in lines and "8.00" in lines
    shot(page, "admin-finance-reconciliation-mismatch")

    page.goto(f"{live_server.url}/admin/reporting/businessreportrow/")
    assert page.locator("#bo-chart svg polyline[data-series='EUR']").count() == 1
    assert page.locator("#result_list tbody tr").count() == 2  # netent EUR, two days
    shot(page, "admin-finance-business-report-rows")


def test_spec_op_33_support_blocks_a_player_in_the_browser_and_the_bet_is_refused(
    page: Any, live_server: Any, client: Client, operator: Operator, player: Player
) -> None:
    wallet = wallet_for(player, "EUR", "100.00")
    session = session_for(player, wallet, game_id=200)
    api = WalletClient(operator)
    assert play(api, session, "BET", "1.00").status == "OK"
    launching = Player.objects.get(pk=player.pk)  # a launch already under way loaded the player
    staff_user("sam_support", SUPPORT)

    log_in(page, live_server.url, "sam_support")
    page.click("a[href='/admin/platform_wallet/player/']")
    page.fill("#searchbar", "611")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1
    page.check("#result_list tbody tr input.action-select")
    page.select_option("select[name=action]", "block_players")
    page.click("button[name=index]")
    page.wait_for_selector("#id_reason")
    shot(page, "admin-support-block-reason")
    page.fill("#id_reason", "Chargeback on card")
    page.click("input[value=Block]")
    page.wait_for_selector(".messagelist")
    assert "Blocked 1 player" in page.locator(".messagelist").inner_text()
    shot(page, "admin-support-blocked")

    player.refresh_from_db()
    assert player.is_blocked and "Chargeback on card" in player.blocked_reason
    # The session open at the block was ended by it, and its BET is refused: player blocked.
    assert play(api, session, "BET", "1.00").error_code == "OP_33"
    # A session the launch under way opened after the block is live, and its BET is OP_33.
    racing = session_create(player=launching, currency="EUR", game_id=200)
    assert play(api, racing, "BET", "1.00").error_code == "OP_33"
    wallet.refresh_from_db()
    assert str(wallet.balance) == "99.00"

    page.goto(f"{live_server.url}/admin/platform_wallet/apierrorlog/?q=OP_33")
    assert "OP_33" in page.locator("#result_list").inner_text()
    shot(page, "admin-support-api-log")


def test_spec_hand_history_support_answers_why_a_bet_was_refused(
    page: Any,
    live_server: Any,
    client: Client,
    platform: RunningSimulator,
    platform_operator: Operator,
) -> None:
    Game.objects.create(
        operator=platform_operator, game_id=7001, title="Baccarat A", vendor="evolution"
    )
    player = PlayerFactory(operator=platform_operator, user_id="4242", user_name="kim")
    wallet = wallet_for(player, "EUR", "20.00")
    session = session_for(player, wallet, game_id=7001)
    api = WalletClient(platform_operator)
    context = {"reason": "not_provided", "history_id": "350-a1B"}
    assert play(api, session, "BET", "15.00", game_id=7001, context=context).status == "OK"
    refused = play(api, session, "BET", "9.00", game_id=7001, context=context)
    assert refused.error_code == "OP_31"
    staff_user("sam_support", SUPPORT)

    log_in(page, live_server.url, "sam_support")
    page.goto(f"{live_server.url}/admin/platform_wallet/apierrorlog/")
    page.fill("#searchbar", "4242")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#result_list")
    assert "OP_31" in page.locator("#result_list").inner_text()
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_selector("pre.bo-json")
    assert "Insufficient funds" in page.content()
    assert session.token not in page.content()  # the token is a credential: masked
    shot(page, "admin-support-api-error")

    page.click("a:text-is('transaction')")  # the refused transaction, recorded with its outcome
    page.wait_for_selector("pre.bo-json")
    assert "ERROR OP_31" in page.locator("#content-main").inner_text()
    shot(page, "admin-support-transaction")

    page.goto(f"{live_server.url}/admin/platform_wallet/transaction/?user=4242&status__exact=OK")
    page.locator("#result_list tbody tr th a").first.click()
    page.click("a:text-is('Hand history')")
    page.wait_for_selector("pre.bo-json")
    history = page.locator("pre.bo-json").inner_text()
    assert '"gameType"' in history and '"participants"' in history
    shot(page, "admin-support-hand-history")
