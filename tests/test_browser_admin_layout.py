"""The backoffice fits the screen (issue 12, Staff: "Tables fit the screen"): a superuser opens
EVERY changelist of the admin (each ModelAdmin registered) at 1366 and 1440 px with some data in
it, and no page content is wider than the viewport; the players, transactions, rounds and API
log lists fit without scrolling sideways at all (their default columns are chosen for it), while
any wider table scrolls inside its own container. Money reads as money (one format, two decimals
for EUR, none for JPY) and "blocked" as a red badge.

Screenshots go to artifacts/screenshots/ (admin-layout-*.png).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from backoffice.adjustments import adjustment_submit
from backoffice.services import player_block_by_staff
from operators.models import Operator
from platform_wallet.models import ApiErrorLog, Player, Round, Transaction
from reporting.models import (
    BusinessReport,
    BusinessReportRow,
    LimitAlert,
    LimitSnapshot,
    Reconciliation,
    ReconciliationLine,
)
from tests.admin_fixtures import STAFF_PASSWORD, play, staff_user
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_browser import CHROMIUM, chromium_session, shot
from tests.wallet_client import WalletClient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

WIDTHS = (1366, 1440)
# The lists staff live in: their default columns fit without a sideways scroll.
MAIN_LISTS = ("player", "transaction", "round", "apierrorlog", "campaign")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_session()


def seed(operator: Operator) -> User:
    """Some of everything: players (one blocked) with EUR and JPY wallets, rounds played
    through the signed wallet API (a refused BET too: an API error), an adjustment, reports,
    a reconciliation with a mismatch, limits; returns the superuser."""
    admin_user = staff_user("root_admin", superuser=True)
    api = WalletClient(operator)
    for index in range(3):
        player = PlayerFactory(
            operator=operator,
            user_id=f"70{index}",
            user_name=f"long_player_name_number_{index}",
            display_name=f"A Rather Long Display Name {index}",
        )
        eur = wallet_for(player, "EUR", "1000.00")
        jpy = wallet_for(player, "JPY", "500000.00")
        for wallet, bet, win in ((eur, "12.40", "3.10"), (jpy, "1500.00", "700.00")):
            session = session_for(player, wallet)
            round_id = 9_000_000_000_000 + index * 10 + (wallet.currency == "JPY")
            assert play(api, session, "BET", bet, round_id=round_id).status == "OK"
            assert play(api, session, "WIN", win, round_id=round_id).status == "OK"
        refused = play(api, session_for(player, eur), "BET", "999999.00")
        assert refused.error_code == "OP_31"
        if index:
            continue
        free_spin = api.changebalance(  # a promotional free spin of a campaign (issue 14)
            transaction_type="WIN",
            amount=Decimal("4.20"),
            user_id=player.user_id,
            token=None,
            context={
                "reason": "PROMO-FREESPIN",
                "campaign_code": "WELCOME-SPINS-2026",
                "campaign_details": {"spins": 50},
            },
        )
        assert free_spin.status == "OK"
    adjustment_submit(
        wallet=eur,
        amount=Decimal("25.00"),
        reason="Goodwill after a disconnect",
        staff=admin_user,
        idempotency_key=uuid.uuid4().hex,
    )
    player_block_by_staff(player=player, reason="Chargeback on card", staff=admin_user)
    today = dt.datetime.now(dt.UTC).date()
    report = BusinessReport.objects.create(operator=operator, date=today)
    for vendor in ("netent", "pragmaticplay", "evolution"):
        BusinessReportRow.objects.create(
            report=report,
            entity_name="Example casino entity",
            vendor=vendor,
            currency="EUR",
            bets_sum=Decimal("123456.78"),
            wins_sum=Decimal("120000.00"),
            bets_count=12345,
            wins_count=2345,
            gross_gaming_revenue=Decimal("3456.78"),
        )
    reconciliation = Reconciliation.objects.create(
        operator=operator, date=today, report=report, line_count=1, mismatch_count=1
    )
    ReconciliationLine.objects.create(
        reconciliation=reconciliation,
        vendor="netent",
        currency="EUR",
        in_ledger=True,
        in_report=True,
        ledger_bets_sum=Decimal("123456.78"),
        platform_bets_sum=Decimal("123450.00"),
        bets_sum_diff=Decimal("6.78"),
        ledger_ggr=Decimal("3456.78"),
        platform_ggr=Decimal("3450.00"),
        ggr_diff=Decimal("6.78"),
        mismatch=True,
        notes="GGR differs",
    )
    LimitSnapshot.objects.create(
        operator=operator,
        kind="balance",
        enabled=True,
        currency="EUR",
        available_balance=Decimal("12345.67"),
        currencies={"EUR": "12345.67", "USD": "100.00"},
        limit_exceeded=False,
        raw={},
    )
    LimitAlert.objects.create(
        operator=operator,
        kind="low_balance",
        currency="USD",
        message="Available balance USD 100.00 under the threshold 1000.00",
        available_balance=Decimal("100.00"),
        threshold=Decimal("1000.00"),
    )
    assert ApiErrorLog.objects.exists() and Round.objects.exists()
    return admin_user


def log_in(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", "root_admin")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#bo-dashboard")


def widths(page: Any) -> dict[str, int]:
    return page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            const box = table && table.closest('[data-simplebar], .overflow-x-auto');
            return {
                page: document.documentElement.scrollWidth,
                viewport: window.innerWidth,
                table: table ? Math.ceil(table.getBoundingClientRect().width) : 0,
                container: box ? Math.ceil(box.getBoundingClientRect().width) : 0,
            };
        }"""
    )


def test_issue12_every_changelist_fits_the_screen_at_1366_and_1440(
    browser: Any, live_server: Any, operator: Operator
) -> None:
    seed(operator)
    changelists = sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server.url)
        for url in changelists:
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            page.wait_for_selector("#changelist")
            size = widths(page)
            name = url.strip("/").replace("/", "-")
            main_list = url.rstrip("/").rsplit("/", 1)[-1] in MAIN_LISTS
            if main_list:  # (before the asserts: a failure leaves its picture)
                shot(page, f"admin-layout-{name}-{width}", full_page=False)
            assert size["page"] <= size["viewport"], (url, width, size)
            if main_list:
                assert size["table"] <= size["container"], (url, width, size)
        context.close()


def test_issue12_money_and_blocked_read_as_such_in_the_lists(
    browser: Any, live_server: Any, operator: Operator
) -> None:
    seed(operator)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/admin/platform_wallet/round/")
    rounds = page.locator("#result_list").inner_text()
    assert "€12.40" in rounds and "€9.30" in rounds  # bets, net: two decimals, never 12.4000…
    assert "¥1,500" in rounds and "¥800" in rounds and "¥1,500.00" not in rounds  # JPY: none
    cell = page.locator("#result_list td.field-bets_money").first
    assert cell.evaluate("td => getComputedStyle(td).textAlign") == "right"
    shot(page, "admin-layout-money-rounds", full_page=False)

    page.goto(f"{live_server.url}/admin/platform_wallet/player/?q=702")
    badge = page.locator("#result_list .bo-badge-red")
    assert badge.inner_text() == "Blocked"
    assert badge.evaluate("b => getComputedStyle(b).color") == "rgb(185, 28, 28)"  # red
    assert page.locator("#result_list .bo-badge-green").count() == 0  # no green for blocked

    tx = Transaction.objects.filter(currency="JPY", transaction_type="BET").first()
    assert tx is not None
    page.goto(f"{live_server.url}/admin/platform_wallet/transaction/{tx.pk}/change/")
    assert "¥1,500" in page.locator("#content-main").inner_text()
    context.close()


def test_issue12_dashboard_player_page_and_reconciliation_at_1366_and_1440(
    browser: Any, live_server: Any, operator: Operator
) -> None:
    seed(operator)
    blocked = Player.objects.get(user_id="702")
    reconciliation = Reconciliation.objects.get()
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server.url)

        for panel in ("#bo-today", "#bo-errors-day svg", "#bo-pending-bets", "#bo-limits"):
            assert page.locator(panel).is_visible(), panel
        charts = page.locator("#bo-ggr svg")  # one per currency: EUR and JPY never share an axis
        assert charts.count() == 2 and charts.nth(1).is_visible()
        assert page.locator("#bo-ggr svg polyline[data-series='JPY']").count() == 1
        assert page.locator("#bo-fetch-limits").count() == 1  # a superuser may run the jobs
        size = widths(page)
        assert size["page"] <= size["viewport"], ("dashboard", width, size)
        shot(page, f"admin-layout-dashboard-{width}")

        page.goto(f"{live_server.url}/admin/platform_wallet/player/{blocked.pk}/change/")
        balances = page.locator("#bo-balances").inner_text()
        # 1000.00 - 12.40 + 3.10 + the adjustment of 25.00; 500000 - 1500 + 700
        assert "€1,015.70" in balances and "¥499,200" in balances
        assert "Blocked" in page.locator("#bo-player-glance .bo-warning").inner_text()
        glance = " ".join(page.locator(".bo-glance").inner_text().split())
        for expected in ("5 Transactions", "3 Rounds", "1 API errors", "1 Adjustments"):
            assert expected in glance, glance  # (the refused BET opened a round too)
        assert "2 Audit entries" in glance  # the adjustment and the block
        size = widths(page)
        assert size["page"] <= size["viewport"], ("player", width, size)
        shot(page, f"admin-layout-player-{width}")
        page.click(".bo-glance a:has-text('Transactions')")
        page.wait_for_selector("#result_list")
        assert page.locator("#result_list tbody tr").count() == 5

        page.goto(f"{live_server.url}/admin/reporting/reconciliation/{reconciliation.pk}/change/")
        assert page.locator("#bo-chart svg .bo-mismatch-band").count() == 1
        assert "MISMATCH" in page.locator("[data-inline-type]").first.inner_text()
        size = widths(page)
        assert size["page"] <= size["viewport"], ("reconciliation", width, size)
        shot(page, f"admin-layout-reconciliation-{width}")
        context.close()


# Our own pieces (classes bo-*, the mismatch rows, our filter fields) whose background must not
# stay light when the theme is dark.
LIGHT_BACKGROUNDS = """() => {
    const light = [];
    const nodes = document.querySelectorAll(
        '[class*="bo-"], .bo-filter-field input, .bo-filter-field select,'
        + ' #result_list tr:has(.bo-mismatch-flag) td, .tabular tr:has(.bo-mismatch-flag) td');
    for (const node of nodes) {
        const match = getComputedStyle(node).backgroundColor.match(/[0-9.]+/g);
        if (!match) continue;
        const [r, g, b, a = 1] = match.map(Number);
        const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        if (a > 0.3 && luminance > 0.75) light.push(node.className || node.tagName);
    }
    return light;
}"""


def test_issue12_the_backoffice_follows_the_dark_theme(
    browser: Any, live_server: Any, operator: Operator
) -> None:
    """A staff member whose system is dark gets unfold's dark theme: our own dashboard panels,
    charts, badges, warnings, mismatch rows, buttons and filter fields follow it (none stays
    a light box on the dark page)."""
    seed(operator)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url)
    assert "dark" in (page.get_attribute("html", "class") or "")
    player = Player.objects.get(user_id="702")  # blocked
    reconciliation = Reconciliation.objects.get()
    pages = {
        "dashboard": "/admin/",
        "players": reverse("admin:platform_wallet_player_changelist"),
        "player": reverse("admin:platform_wallet_player_change", args=[player.pk]),
        "transactions": reverse("admin:platform_wallet_transaction_changelist"),
        "reconciliations": reverse("admin:reporting_reconciliation_changelist"),
        "reconciliation": reverse(
            "admin:reporting_reconciliation_change", args=[reconciliation.pk]
        ),
        "campaigns": reverse("admin:backoffice_campaign_changelist"),
    }
    found = {}
    for name, url in pages.items():
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, url
        shot(page, f"admin-dark-{name}", full_page=False)
        light = page.evaluate(LIGHT_BACKGROUNDS)
        if light:
            found[name] = light
    context.close()
    assert not found, found
