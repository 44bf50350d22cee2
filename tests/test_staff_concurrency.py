"""Issue 10 section 4 under real concurrency, on PostgreSQL: the database decides.

A form sent twice at once moves money once (the unique idempotency key), two approvers
clicking at once move it once (the request's row lock), and two staff actions recorded at once
chain one after the other in the audit trail (the chain's lock). Threads each use their own
connection (and close it), `transaction=True` so that they see each other's commits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import audit_record
from backoffice import adjustments
from backoffice.adjustments import AdjustmentRefused, adjustment_approve, adjustment_submit
from backoffice.models import AdjustmentRequest, AdjustmentStatus
from backoffice.roles import FINANCE
from platform_wallet.models import LedgerEntry, Wallet
from platform_wallet.selectors import ledger_mismatches
from tests.admin_fixtures import logged_in, staff_user
from tests.factories import OperatorFactory, PlayerFactory, wallet_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Start `count` threads released together by a barrier; each result, or its exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call(index)
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def wallet() -> Wallet:
    player = PlayerFactory(operator=OperatorFactory(operator_id="race"), user_id="racer")
    return wallet_for(player, "EUR", "5000.00")


@pytest.fixture
def slow_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    """The money moves, then the transaction stays open a moment: a concurrent submission
    arrives while the first one holds its key uncommitted."""
    real = adjustments.wallet_adjust

    def slow(**kwargs: Any) -> LedgerEntry:
        entry = real(**kwargs)
        time.sleep(0.3)
        return entry

    monkeypatch.setattr(adjustments, "wallet_adjust", slow)


def test_issue10_concurrent_double_submit_moves_money_once(wallet: Wallet, slow_ledger) -> None:
    fiona = staff_user("fiona_finance", FINANCE)
    tabs = [logged_in(fiona), logged_in(fiona)]
    form = {
        "wallet": wallet.pk,
        "direction": "credit",
        "amount": "10.00",
        "reason": "Goodwill",
        "request_id": "one-form",
    }

    def send(index: int) -> int:
        return tabs[index].post(reverse("admin:backoffice_manualadjustment_add"), form).status_code

    assert run_at_once(2, send) == [302, 302]
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("5010.00")
    assert LedgerEntry.objects.filter(wallet=wallet, kind="ADJUSTMENT").count() == 1
    assert AdjustmentRequest.objects.count() == 1
    assert ledger_mismatches() == []


def test_issue10_concurrent_double_submit_through_the_service_replays_the_first(
    wallet: Wallet, slow_ledger
) -> None:
    fiona = staff_user("fiona_finance", FINANCE)

    def send(_index: int) -> Any:
        return adjustment_submit(
            wallet=wallet,
            amount=Decimal("-25.00"),
            reason="Chargeback",
            staff=fiona,
            idempotency_key="same-key",
        )

    results = run_at_once(2, send)
    assert sorted(r.replayed for r in results) == [False, True], results
    assert len({r.request.pk for r in results}) == 1
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("4975.00")
    assert ledger_mismatches() == []


def test_issue10_two_approvers_at_once_move_money_once(wallet: Wallet, slow_ledger) -> None:
    fiona = staff_user("fiona_finance", FINANCE)
    approvers = [staff_user("felix_finance", FINANCE), staff_user("fred_finance", FINANCE)]
    pending = adjustment_submit(
        wallet=wallet,
        amount=Decimal("2500.00"),
        reason="VIP refund",
        staff=fiona,
        idempotency_key="big",
    ).request
    assert pending.status == AdjustmentStatus.PENDING

    def approve(index: int) -> Any:
        return adjustment_approve(request_pk=pending.pk, staff=approvers[index])

    results = run_at_once(2, approve)
    refused = [r for r in results if isinstance(r, AdjustmentRefused)]
    applied = [r for r in results if isinstance(r, AdjustmentRequest)]
    assert len(applied) == 1 and len(refused) == 1, results
    assert "already" in str(refused[0])
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("7500.00")
    assert LedgerEntry.objects.filter(wallet=wallet, kind="ADJUSTMENT").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.ADJUSTMENT_APPROVED).count() == 1
    assert ledger_mismatches() == []


def test_issue10_the_approval_page_clicked_twice_at_once_moves_money_once(
    wallet: Wallet, slow_ledger
) -> None:
    fiona = staff_user("fiona_finance", FINANCE)
    felix = staff_user("felix_finance", FINANCE)
    pending = adjustment_submit(
        wallet=wallet,
        amount=Decimal("-2000.00"),
        reason="Bonus abuse",
        staff=fiona,
        idempotency_key="big-debit",
    ).request
    clients: list[Client] = [logged_in(felix), logged_in(felix)]
    url = reverse("admin:backoffice_adjustmentrequest_approve", args=[pending.pk])
    assert run_at_once(2, lambda i: clients[i].post(url).status_code) == [302, 302]
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("3000.00")
    assert LedgerEntry.objects.filter(wallet=wallet, kind="ADJUSTMENT").count() == 1


def test_issue10_concurrent_audit_appends_chain_one_after_the_other(wallet: Wallet) -> None:
    fiona = staff_user("fiona_finance", FINANCE)
    first_appended = threading.Event()

    def append(index: int) -> int:
        if index == 1:
            first_appended.wait(timeout=10)  # the first holds an uncommitted head
        with transaction.atomic():
            event = audit_record(
                actor=fiona,
                action=AuditAction.PLAYER_BLOCKED,
                target=wallet.player,
                details={"reason": f"append {index}"},
            )
            if index == 0:
                first_appended.set()
                time.sleep(0.3)
        return event.seq

    results = run_at_once(2, append)
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sorted(results) == [1, 2]
    report = audit_chain_verify()
    assert report.intact and report.count == 2
    first, second = AuditEvent.objects.order_by("seq")
    assert second.prev_hash == first.hash
    assert [e.actor for e in (first, second)] == [fiona, fiona]
    assert User.objects.filter(pk=fiona.pk).exists()
