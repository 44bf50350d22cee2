# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""Issue 10 section 4: staff money moves once, and large amounts with four eyes.

Every manual adjustment carries the idempotency key of the form it came from, held by a unique
constraint: the same form sent twice (double-click, two tabs, two sessions) moves money once and
shows the first submission's outcome. Above the approval threshold of its currency (absolute
amount) an adjustment waits for a second staff member, who approves it (the money moves then,
once) or rejects it with a reason; nobody approves their own.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from backoffice.adjustments import (
    AdjustmentRefused,
    AdjustmentSubmission,
    adjustment_approve,
    adjustment_reject,
    adjustment_submit,
    approval_threshold,
)
from backoffice.models import AdjustmentRequest, AdjustmentStatus, ManualAdjustment
from backoffice.roles import FINANCE, ROLES, SUPPORT
from platform_wallet.models import LedgerEntry, Player, Wallet
from platform_wallet.selectors import ledger_mismatches
from tests.admin_fixtures import (  # noqa: F401 - fixtures
    finance_client,
    finance_user,
    logged_in,
    staff_user,
    support_client,
    support_user,
)
from tests.factories import wallet_for

ADJUST = reverse("admin:backoffice_manualadjustment_add")


def new_key() -> str:
    return uuid.uuid4().hex


def submit(
    staff: User, wallet: Wallet, amount: str, reason: str = "Goodwill", key: str | None = None
) -> AdjustmentSubmission:
    return adjustment_submit(
        wallet=wallet,
        amount=Decimal(amount),
        reason=reason,
        staff=staff,
        idempotency_key=key or new_key(),
    )


def post_form(
    client: Client, wallet: Wallet, direction: str, amount: str, key: str, reason: str = "Fix"
):
    return client.post(
        ADJUST,
        {
            "wallet": wallet.pk,
            "direction": direction,
            "amount": amount,
            "reason": reason,
            "request_id": key,
        },
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def balance(wallet: Wallet) -> Decimal:
    wallet.refresh_from_db()
    return wallet.balance


@pytest.fixture
def approver(db: None) -> User:
    return staff_user("felix_finance", FINANCE)


@pytest.fixture
def approver_client(approver: User) -> Client:
    return logged_in(approver)


@pytest.fixture
def rich_wallet(player: Player) -> Wallet:
    return wallet_for(player, "EUR", "5000.00")


def approve_url(request: AdjustmentRequest) -> str:
    return reverse("admin:backoffice_adjustmentrequest_approve", args=[request.pk])


def reject_url(request: AdjustmentRequest) -> str:
    return reverse("admin:backoffice_adjustmentrequest_reject", args=[request.pk])


# --- One form, one movement of money ----------------------------------------------------------


def test_issue10_double_submit_moves_money_once(finance_user: User, wallet: Wallet) -> None:
    first = submit(finance_user, wallet, "10.00", key="form-1")
    second = submit(finance_user, wallet, "10.00", key="form-1")
    assert not first.replayed and second.replayed
    assert second.request.pk == first.request.pk
    assert second.request.status == AdjustmentStatus.APPLIED
    assert balance(wallet) == Decimal("110.00")
    assert ManualAdjustment.objects.count() == 1
    assert ledger_mismatches() == []


def test_issue10_double_submit_from_two_sessions_moves_money_once_and_shows_the_first_outcome(
    finance_user: User, wallet: Wallet
) -> None:
    # Two tabs of two browser sessions: nothing in the session can tell them apart.
    tab_1, tab_2 = logged_in(finance_user), logged_in(finance_user)
    key = tab_1.get(ADJUST, {"wallet": wallet.pk}).context["form"]["request_id"].value()
    assert key and key != tab_2.get(ADJUST).context["form"]["request_id"].value()
    first = post_form(tab_1, wallet, "credit", "10", key)
    second = post_form(tab_2, wallet, "credit", "10", key)
    assert first.status_code == second.status_code == 302
    assert balance(wallet) == Decimal("110.00")
    assert ManualAdjustment.objects.count() == 1
    [shown] = messages_of(second)
    assert "already" in shown and "nothing more moved" in shown
    assert "Credited 10.00 EUR" in shown and "balance is now 110.00" in shown


def test_issue10_the_same_key_with_other_data_is_refused(
    finance_user: User, wallet: Wallet
) -> None:
    submit(finance_user, wallet, "10.00", key="form-2")
    with pytest.raises(AdjustmentRefused, match="another adjustment"):
        submit(finance_user, wallet, "20.00", key="form-2")
    assert balance(wallet) == Decimal("110.00")
    assert AdjustmentRequest.objects.count() == 1


def test_issue10_a_refused_submission_stores_nothing_and_may_be_sent_again_corrected(
    finance_user: User, wallet: Wallet
) -> None:
    with pytest.raises(AdjustmentRefused, match="Insufficient funds"):
        submit(finance_user, wallet, "-200.00", key="form-3")
    assert not AdjustmentRequest.objects.exists()
    submit(finance_user, wallet, "-50.00", key="form-3")
    assert balance(wallet) == Decimal("50.00")


def test_issue10_keys_belong_to_the_staff_member_who_sent_them(
    finance_user: User, approver: User, wallet: Wallet
) -> None:
    submit(finance_user, wallet, "10.00", key="same")
    other = submit(approver, wallet, "10.00", key="same")
    assert not other.replayed
    assert balance(wallet) == Decimal("120.00")


def test_issue10_an_adjustment_is_recorded_with_its_key_and_author(
    finance_client: Client, finance_user: User, wallet: Wallet
) -> None:
    assert post_form(finance_client, wallet, "debit", "5.25", "form-4").status_code == 302
    request = AdjustmentRequest.objects.get()
    assert request.idempotency_key == "form-4" and request.requested_by == finance_user
    assert request.entry is not None and request.entry.created_by == finance_user
    assert request.entry.amount == Decimal("-5.25") and request.entry.approved_by is None


# --- Four eyes above the threshold ------------------------------------------------------------


def test_issue10_a_large_adjustment_waits_for_a_second_person(
    finance_user: User, wallet: Wallet
) -> None:
    at_threshold = submit(finance_user, wallet, "1000.00")
    assert at_threshold.request.status == AdjustmentStatus.APPLIED
    above = submit(finance_user, wallet, "1000.01")
    assert above.request.status == AdjustmentStatus.PENDING and above.request.needs_approval
    assert above.request.entry is None
    assert balance(wallet) == Decimal("1100.00")
    assert LedgerEntry.objects.filter(kind="ADJUSTMENT").count() == 1


def test_issue10_a_large_debit_needs_approval_too(finance_user: User, rich_wallet: Wallet) -> None:
    pending = submit(finance_user, rich_wallet, "-1500.00").request
    assert pending.status == AdjustmentStatus.PENDING
    assert balance(rich_wallet) == Decimal("5000.00")


def test_issue10_thresholds_come_from_settings_per_currency(
    settings, finance_user: User, player: Player
) -> None:
    settings.ADJUSTMENT_APPROVAL_THRESHOLD = "50"
    settings.ADJUSTMENT_APPROVAL_THRESHOLDS = {"JPY": "150000"}
    assert approval_threshold("EUR") == Decimal("50")
    assert approval_threshold("JPY") == Decimal("150000")
    eur = wallet_for(player, "EUR", "100.00")
    jpy = wallet_for(player, "JPY", "0")
    assert submit(finance_user, eur, "60.00").request.status == AdjustmentStatus.PENDING
    assert submit(finance_user, jpy, "150000.00").request.status == AdjustmentStatus.APPLIED
    assert submit(finance_user, jpy, "150000.01").request.status == AdjustmentStatus.PENDING


@pytest.mark.parametrize(
    ("default", "per_currency"), [("lots", {}), ("1000", {"JPY": "-5"}), ("NaN", {})]
)
def test_issue10_a_bad_threshold_setting_stops_the_start_up(
    settings, default: str, per_currency: dict[str, str]
) -> None:
    from backoffice.checks import approval_thresholds_check

    settings.ADJUSTMENT_APPROVAL_THRESHOLD = default
    settings.ADJUSTMENT_APPROVAL_THRESHOLDS = per_currency
    [error] = approval_thresholds_check()
    assert error.id == "backoffice.E001" and "ADJUSTMENT_APPROVAL_THRESHOLD" in error.msg


def test_issue10_a_large_debit_beyond_the_balance_is_refused_at_once(
    finance_user: User, wallet: Wallet
) -> None:
    with pytest.raises(AdjustmentRefused, match="Insufficient funds"):
        submit(finance_user, wallet, "-1500.00")
    assert not AdjustmentRequest.objects.exists()


def test_issue10_approval_moves_money_once_and_records_requester_and_approver(
    finance_user: User, approver: User, rich_wallet: Wallet
) -> None:
    pending = submit(finance_user, rich_wallet, "2500.00", reason="VIP refund").request
    approved = adjustment_approve(request_pk=pending.pk, staff=approver)
    assert approved.status == AdjustmentStatus.APPLIED
    assert approved.decided_by == approver and approved.decided_at is not None
    entry = approved.entry
    assert entry is not None
    assert (entry.amount, entry.reason) == (Decimal("2500.00"), "VIP refund")
    assert entry.created_by == finance_user and entry.approved_by == approver
    assert entry.balance_after == Decimal("7500.00") == balance(rich_wallet)
    third = staff_user("fred_finance", FINANCE)
    for staff in (approver, third):
        with pytest.raises(AdjustmentRefused, match="already"):
            adjustment_approve(request_pk=pending.pk, staff=staff)
    assert balance(rich_wallet) == Decimal("7500.00")
    assert LedgerEntry.objects.filter(kind="ADJUSTMENT").count() == 1
    assert ledger_mismatches() == []


def test_issue10_nobody_approves_their_own_adjustment(
    finance_user: User, finance_client: Client, rich_wallet: Wallet
) -> None:
    assert finance_user.has_perm("backoffice.approve_adjustment")
    pending = submit(finance_user, rich_wallet, "2500.00").request
    with pytest.raises(AdjustmentRefused, match="own"):
        adjustment_approve(request_pk=pending.pk, staff=finance_user)
    response = finance_client.post(approve_url(pending), follow=True)
    assert "own" in " ".join(messages_of(response))
    pending.refresh_from_db()
    assert pending.status == AdjustmentStatus.PENDING
    assert balance(rich_wallet) == Decimal("5000.00")


def test_issue10_the_database_refuses_an_approval_by_the_author(
    finance_user: User, rich_wallet: Wallet
) -> None:
    pending = submit(finance_user, rich_wallet, "2500.00").request
    entry = LedgerEntry.objects.create(
        wallet=rich_wallet, kind="ADJUSTMENT", amount=0, balance_after=rich_wallet.balance
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AdjustmentRequest.objects.filter(pk=pending.pk).update(
            status=AdjustmentStatus.APPLIED, decided_by=finance_user, entry=entry
        )


def test_issue10_approving_needs_the_permission(
    finance_user: User, support_user: User, support_client: Client, rich_wallet: Wallet
) -> None:
    pending = submit(finance_user, rich_wallet, "2500.00").request
    with pytest.raises(AdjustmentRefused, match="permission"):
        adjustment_approve(request_pk=pending.pk, staff=support_user)
    with pytest.raises(AdjustmentRefused, match="permission"):
        adjustment_reject(request_pk=pending.pk, staff=support_user, reason="no")
    assert support_client.post(approve_url(pending)).status_code == 403
    assert support_client.post(reject_url(pending), {"reason": "no"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == AdjustmentStatus.PENDING
    assert balance(rich_wallet) == Decimal("5000.00")


def test_issue10_finance_may_approve_and_support_may_not() -> None:
    assert "backoffice.approve_adjustment" in ROLES[FINANCE]
    assert "backoffice.approve_adjustment" not in ROLES[SUPPORT]


def test_issue10_a_rejection_records_who_and_why_and_moves_nothing(
    finance_user: User, approver: User, rich_wallet: Wallet
) -> None:
    pending = submit(finance_user, rich_wallet, "-2500.00").request
    with pytest.raises(AdjustmentRefused, match="reason"):
        adjustment_reject(request_pk=pending.pk, staff=approver, reason="  ")
    rejected = adjustment_reject(
        request_pk=pending.pk, staff=approver, reason="No ticket for this debit"
    )
    assert rejected.status == AdjustmentStatus.REJECTED
    assert rejected.decided_by == approver and rejected.decided_at is not None
    assert rejected.rejection_reason == "No ticket for this debit"
    with pytest.raises(AdjustmentRefused, match="already"):
        adjustment_approve(request_pk=pending.pk, staff=approver)
    assert balance(rich_wallet) == Decimal("5000.00")
    assert not LedgerEntry.objects.filter(kind="ADJUSTMENT").exists()


def test_issue10_the_author_may_withdraw_a_request(finance_user: User, rich_wallet: Wallet) -> None:
    pending = submit(finance_user, rich_wallet, "2500.00").request
    withdrawn = adjustment_reject(request_pk=pending.pk, staff=finance_user, reason="Typo")
    assert withdrawn.status == AdjustmentStatus.REJECTED and withdrawn.decided_by == finance_user


def test_issue10_an_approval_that_can_no_longer_move_the_money_fails_visibly(
    finance_user: User, approver: User, approver_client: Client, player: Player
) -> None:
    wallet = wallet_for(player, "EUR", "2000.00")
    pending = submit(finance_user, wallet, "-1500.00").request
    submit(finance_user, wallet, "-600.00")  # the balance is 1400.00 now
    with pytest.raises(AdjustmentRefused, match="Insufficient funds"):
        adjustment_approve(request_pk=pending.pk, staff=approver)
    response = approver_client.post(approve_url(pending), follow=True)
    shown = " ".join(messages_of(response))
    assert "Insufficient funds" in shown and "nothing moved" in shown
    pending.refresh_from_db()
    assert pending.status == AdjustmentStatus.PENDING and pending.entry is None
    assert balance(wallet) == Decimal("1400.00")
    assert LedgerEntry.objects.filter(kind="ADJUSTMENT").count() == 1


# --- The pages --------------------------------------------------------------------------------


def test_issue10_a_large_adjustment_through_the_form_says_it_waits_for_approval(
    finance_client: Client, rich_wallet: Wallet
) -> None:
    response = post_form(finance_client, rich_wallet, "credit", "2500", "form-5")
    pending = AdjustmentRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:backoffice_adjustmentrequest_change", args=[pending.pk]
    )
    [shown] = messages_of(response)
    assert "waits for a second staff member" in shown and "no money has moved" in shown
    assert balance(rich_wallet) == Decimal("5000.00")


def test_issue10_finance_sees_pending_approvals_on_the_dashboard_with_links(
    finance_client: Client,
    finance_user: User,
    approver_client: Client,
    support_client: Client,
    rich_wallet: Wallet,
) -> None:
    pending = submit(finance_user, rich_wallet, "2500.00", reason="VIP refund").request
    html = approver_client.get(reverse("admin:index")).content.decode()
    assert 'id="bo-approvals"' in html and "VIP refund" in html and "2,500.00" in html
    assert approve_url(pending) in html and reject_url(pending) in html
    own = finance_client.get(reverse("admin:index")).content.decode()
    assert "VIP refund" in own and approve_url(pending) not in own  # not their own
    assert 'id="bo-approvals"' not in support_client.get(reverse("admin:index")).content.decode()
    adjustment_approve(request_pk=pending.pk, staff=User.objects.get(username="felix_finance"))
    html = approver_client.get(reverse("admin:index")).content.decode()
    assert "VIP refund" not in html


def test_issue10_approve_and_reject_pages(
    finance_user: User, approver_client: Client, rich_wallet: Wallet
) -> None:
    first = submit(finance_user, rich_wallet, "2500.00", reason="VIP refund").request
    second = submit(finance_user, rich_wallet, "-3000.00", reason="Bonus abuse").request
    page = approver_client.get(approve_url(first))
    assert page.status_code == 200 and "VIP refund" in page.content.decode()
    response = approver_client.post(approve_url(first))
    assert response.status_code == 302
    assert "balance is now 7500.00" in " ".join(messages_of(response))
    assert approver_client.get(reject_url(second)).status_code == 200
    response = approver_client.post(reject_url(second), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = approver_client.post(reject_url(second), {"reason": "Not proven"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == AdjustmentStatus.REJECTED and second.rejection_reason == "Not proven"
    assert balance(rich_wallet) == Decimal("7500.00")
    listing = approver_client.get(reverse("admin:backoffice_adjustmentrequest_changelist"))
    assert listing.status_code == 200 and "Not proven" in listing.content.decode()
