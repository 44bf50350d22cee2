"""Issue 10 section 4 in a real browser (headless Chromium through Playwright) against the live
server: a Finance member asks for a large credit, which waits; a second Finance member sees it
on the dashboard, approves it, and the money moves once with both names on the ledger entry;
the audit trail shows the request and the approval.

Screenshots go to artifacts/screenshots/ (admin-approval-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from audit.models import AuditAction, AuditEvent
from backoffice.models import AdjustmentRequest, AdjustmentStatus
from backoffice.roles import FINANCE
from platform_wallet.models import Player
from tests.admin_fixtures import STAFF_PASSWORD, staff_user
from tests.factories import wallet_for
from tests.lobby_browser import CHROMIUM, chromium_session, shot

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
    page.context.clear_cookies()
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#bo-dashboard")


def test_issue10_a_large_credit_waits_for_a_second_person_who_approves_it_in_the_browser(
    page: Any, live_server: Any, player: Player
) -> None:
    wallet = wallet_for(player, "EUR", "100.00")
    fiona = staff_user("fiona_finance", FINANCE)
    felix = staff_user("felix_finance", FINANCE)

    log_in(page, live_server.url, "fiona_finance")
    page.goto(f"{live_server.url}/admin/backoffice/manualadjustment/add/?wallet={wallet.pk}")
    assert "waits for a second staff member" in page.locator("#bo-threshold").inner_text()
    page.check("input[value=credit]")
    page.fill("#id_amount", "2500.00")
    page.fill("#id_reason", "VIP refund, ticket 4711")
    shot(page, "admin-approval-request-form")
    page.click("input[value='Make the adjustment']")
    page.wait_for_selector(".messagelist")
    assert "waits for a second staff member" in page.locator(".messagelist").inner_text()
    assert page.locator("a:text-is('Approve')").count() == 0  # not for its own author
    shot(page, "admin-approval-requested")
    request = AdjustmentRequest.objects.get()
    assert request.status == AdjustmentStatus.PENDING
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")

    log_in(page, live_server.url, "felix_finance")
    panel = page.locator("#bo-approvals")
    assert "VIP refund, ticket 4711" in panel.inner_text() and "fiona_finance" in panel.inner_text()
    shot(page, "admin-approval-dashboard")
    panel.locator("a:text-is('Approve')").click()
    page.wait_for_selector("#bo-approve-form")
    assert "€2,600.00" in page.locator("#bo-adjustment").inner_text()  # the balance after
    shot(page, "admin-approval-confirm")
    page.click("#bo-approve-form input[value=Approve]")
    page.wait_for_selector(".messagelist")
    message = page.locator(".messagelist").inner_text()
    assert "Approved" in message and "balance is now 2600.00" in message, message
    shot(page, "admin-approval-approved")

    request.refresh_from_db()
    assert request.status == AdjustmentStatus.APPLIED and request.decided_by == felix
    assert request.entry is not None
    assert (request.entry.created_by, request.entry.approved_by) == (fiona, felix)
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("2600.00")

    page.goto(f"{live_server.url}/admin/")
    assert "VIP refund" not in page.locator("#bo-approvals").inner_text()
    page.goto(
        f"{live_server.url}/admin/audit/auditevent/"
        f"?target_type=platform_wallet.player&target_id={player.pk}"
    )
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert "Adjustment approved" in rows.first.inner_text()
    shot(page, "admin-approval-audit-trail")
    assert [e.action for e in AuditEvent.objects.order_by("seq")] == [
        AuditAction.ADJUSTMENT_REQUESTED,
        AuditAction.ADJUSTMENT_APPROVED,
    ]
