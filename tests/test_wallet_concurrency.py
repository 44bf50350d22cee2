"""Spec: Important notes 2 and 4 (idempotency) under real concurrency, on PostgreSQL.

Threads each use their own database connection (and close it), the way the web server's threads do;
`transaction=True` so that they see each other's commits.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from platform_wallet.models import LedgerEntry, ResponsibleGamblingLimits, Transaction, Wallet
from platform_wallet.selectors import ledger_mismatches
from tests.factories import OperatorFactory, PlayerFactory, session_for, wallet_for
from tests.wallet_client import Answer, WalletClient, new_id

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(count: int, call: Callable[[int], Answer]) -> list[Answer]:
    """Start `count` threads that each make one call, released together by a barrier."""
    barrier = threading.Barrier(count)
    answers: list[Answer | BaseException] = [None] * count  # type: ignore[list-item]

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            answers[index] = call(index)
        except BaseException as exc:
            answers[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return answers


@pytest.fixture
def setup():
    operator = OperatorFactory(operator_id="race", secret_key="race-secret")
    player = PlayerFactory(operator=operator, user_id="racer")
    wallet = wallet_for(player, "EUR", "100.00")
    session = session_for(player, wallet)
    return operator, player, wallet, session


def test_note_2_twenty_identical_retries_at_once_debit_once(setup) -> None:
    operator, _player, wallet, session = setup
    transaction_id, round_id = new_id(), new_id()

    def call(_index: int) -> Answer:
        return WalletClient(operator).changebalance(
            transaction_type="BET",
            amount=Decimal("10.00"),
            user_id="racer",
            token=session.token,
            transaction_id=transaction_id,
            round_id=round_id,
        )

    answers = run_at_once(20, call)
    assert Counter(a.status for a in answers) == {"OK": 20}
    assert {a.data["balance"] for a in answers} == {Decimal("90.00")}
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("90.00")
    assert Transaction.objects.filter(transaction_id=transaction_id).count() == 1
    assert LedgerEntry.objects.filter(wallet=wallet, kind="BET").count() == 1
    assert not ledger_mismatches()


def test_forty_concurrent_bets_never_overdraw(setup) -> None:
    operator, _player, wallet, session = setup

    def call(_index: int) -> Answer:
        return WalletClient(operator).changebalance(
            transaction_type="BET",
            amount=Decimal("7.00"),
            user_id="racer",
            token=session.token,
        )

    answers = run_at_once(40, call)
    outcome = Counter(a.status if a.status == "OK" else a.error_code for a in answers)
    # 100.00 covers exactly fourteen bets of 7.00
    assert outcome == {"OK": 14, "OP_31": 26}
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("2.00")
    assert Wallet.objects.filter(balance__lt=0).count() == 0
    assert not ledger_mismatches()


def test_concurrent_wins_bets_and_cancels_keep_the_ledger_exact(setup) -> None:
    operator, _player, wallet, session = setup
    bet_ids = [new_id() for _ in range(10)]

    def place(index: int) -> Answer:
        return WalletClient(operator).changebalance(
            transaction_type="BET" if index % 2 == 0 else "WIN",
            amount=Decimal("3.10"),
            user_id="racer",
            token=session.token,
            transaction_id=bet_ids[index],
            round_id=1,
        )

    assert {a.status for a in run_at_once(10, place)} == {"OK"}

    def cancel(index: int) -> Answer:
        return WalletClient(operator).call(
            "cancel",
            {
                "user_id": "racer",
                "transaction_id": bet_ids[index // 2],
                "round_id": 1,
                "round_finished": None,
                "game_id": 200,
            },
        )

    # every transaction canceled twice, all at once: each reversal happens exactly once
    answers = run_at_once(20, cancel)
    assert {a.data.get("transaction_status") for a in answers} == {"CANCELED"}
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")
    assert LedgerEntry.objects.filter(kind="CANCEL").count() == 10
    assert not ledger_mismatches()


def test_cancel_racing_its_own_bet_never_leaves_money_moved(setup) -> None:
    """Cancel and BET of the same transaction_id at once: either the BET lands and is
    reversed, or the cancel comes first and the BET is refused. Never a lost debit."""
    operator, _player, wallet, session = setup
    for _ in range(5):
        transaction_id = new_id()

        def call(index: int, transaction_id: int = transaction_id) -> Answer:
            client = WalletClient(operator)
            if index == 0:
                return client.changebalance(
                    transaction_type="BET",
                    amount=Decimal("5.00"),
                    user_id="racer",
                    token=session.token,
                    transaction_id=transaction_id,
                    round_id=9,
                )
            return client.call(
                "cancel",
                {
                    "user_id": "racer",
                    "transaction_id": transaction_id,
                    "round_id": 9,
                    "round_finished": None,
                    "game_id": 200,
                },
            )

        run_at_once(2, call)
        wallet.refresh_from_db()
        assert wallet.balance == Decimal("100.00")
        assert Transaction.objects.get(transaction_id=transaction_id).status == "CANCELED"
    assert not ledger_mismatches()


def test_op_47_lock_timeout_commits_nothing(setup) -> None:
    """A wallet row held locked longer than the lock timeout (DB_LOCK_TIMEOUT_MS): the BET
    answers OP_47 and nothing of it is committed."""
    operator, _player, wallet, session = setup
    from django.db import connections

    locker = connections.create_connection("default")
    try:
        locker.set_autocommit(False)
        with locker.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
            cursor.execute(
                f"SELECT id FROM {Wallet._meta.db_table} WHERE id = %s FOR UPDATE", [wallet.pk]
            )
        transaction_id = new_id()
        with connection.cursor() as cursor:  # the request below runs on this connection
            cursor.execute("SET statement_timeout = 2000; SET lock_timeout = 1000")
        answer = WalletClient(operator).changebalance(
            transaction_type="BET",
            amount=Decimal("1.00"),
            user_id="racer",
            token=session.token,
            transaction_id=transaction_id,
        )
        assert answer.error_code == "OP_47"
    finally:
        locker.rollback()
        locker.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout; RESET lock_timeout")
    assert not Transaction.objects.filter(transaction_id=transaction_id).exists()
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")


# --- Players with responsible-gambling limits: the portable path, under the wallet's lock ------


def test_concurrent_bets_never_pass_a_wager_limit_together(setup) -> None:
    operator, player, wallet, session = setup
    ResponsibleGamblingLimits.objects.create(player=player, daily_wager_limit=Decimal("30.00"))

    def call(_index: int) -> Answer:
        return WalletClient(operator).changebalance(
            transaction_type="BET",
            amount=Decimal("10.00"),
            user_id="racer",
            token=session.token,
        )

    answers = run_at_once(12, call)
    outcome = Counter(a.status if a.status == "OK" else a.error_code for a in answers)
    assert outcome == {"OK": 3, "OP_32": 9}
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("70.00")
    assert not ledger_mismatches()


def test_identical_retries_at_once_of_a_player_with_limits_debit_once(setup) -> None:
    operator, player, wallet, session = setup
    ResponsibleGamblingLimits.objects.create(player=player, daily_wager_limit=Decimal("500.00"))
    transaction_id, round_id = new_id(), new_id()

    def call(_index: int) -> Answer:
        return WalletClient(operator).changebalance(
            transaction_type="BET",
            amount=Decimal("10.00"),
            user_id="racer",
            token=session.token,
            transaction_id=transaction_id,
            round_id=round_id,
        )

    answers = run_at_once(12, call)
    assert Counter(a.status for a in answers) == {"OK": 12}
    assert {a.data["balance"] for a in answers} == {Decimal("90.00")}
    assert Transaction.objects.filter(transaction_id=transaction_id).count() == 1
    assert LedgerEntry.objects.filter(wallet=wallet, kind="BET").count() == 1
    assert not ledger_mismatches()
