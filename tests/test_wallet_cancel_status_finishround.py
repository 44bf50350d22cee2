"""Spec: API commands > status, cancel, finishround."""

from __future__ import annotations

from decimal import Decimal

import pytest

from platform_wallet.models import LedgerEntry, Round, Transaction, Wallet
from platform_wallet.selectors import ledger_mismatches
from tests.factories import PlayerFactory, wallet_for
from tests.wallet_client import WalletClient, new_id


def balance_of(wallet: Wallet) -> Decimal:
    wallet.refresh_from_db()
    return wallet.balance


def cancel(
    api: WalletClient, transaction_id, *, user_id="611", round_id=145658, round_finished=None
):
    return api.call(
        "cancel",
        {
            "user_id": user_id,
            "transaction_id": transaction_id,
            "round_id": round_id,
            "round_finished": round_finished,
            "game_id": 5523,
        },
    )


def status(api: WalletClient, transaction_id, *, user_id="611"):
    return api.call(
        "status",
        {
            "user_id": user_id,
            "transaction_id": transaction_id,
            "transaction_type": "BET",
            "transaction_date": "2020-11-31",
            "transaction_ts": "1606822496000",
            "round_id": 1225,
        },
    )


def place(api, session, kind="BET", amount="10.00", **data):
    transaction_id = data.pop("transaction_id", new_id())
    answer = api.changebalance(
        transaction_type=kind,
        amount=Decimal(amount),
        user_id="611",
        token=session.token,
        transaction_id=transaction_id,
        round_id=data.pop("round_id", 145658),
        **data,
    )
    assert answer.status == "OK", answer.data
    return transaction_id


# --- status ------------------------------------------------------------------------------


def test_spec_status_example_with_date_2020_11_31_is_answered(api, session) -> None:
    transaction_id = place(api, session)
    answer = status(api, transaction_id)
    assert answer.status == "OK"
    assert answer.data == {
        "user_id": "611",
        "transaction_id": transaction_id,
        "transaction_status": "OK",
    }


def test_spec_status_echoes_ids_as_sent(api, session) -> None:
    transaction_id = place(api, session)
    answer = status(api, str(transaction_id))
    assert answer.data["transaction_id"] == str(transaction_id)


def test_spec_status_op_41_unknown_transaction(api, player) -> None:
    assert status(api, 3568).error_code == "OP_41"


def test_spec_status_op_41_transaction_of_another_player(api, operator, session) -> None:
    transaction_id = place(api, session)
    other = PlayerFactory(operator=operator, user_id="17")
    wallet_for(other)
    assert status(api, transaction_id, user_id="17").error_code == "OP_41"


def test_spec_status_op_34_unknown_player(api, session) -> None:
    assert status(api, place(api, session), user_id="ghost").error_code == "OP_34"


def test_spec_status_canceled(api, session) -> None:
    transaction_id = place(api, session)
    cancel(api, transaction_id)
    assert status(api, transaction_id).data["transaction_status"] == "CANCELED"


def test_status_missing_transaction_id_is_named(api, player) -> None:
    answer = api.call("status", {"user_id": "611"})
    assert answer.error_code == "OP_50" and "transaction_id" in answer.data["error_message"]


# --- cancel ------------------------------------------------------------------------------


def test_spec_cancel_bet_returns_the_amount(api, session, wallet) -> None:
    transaction_id = place(api, session, amount="10.00")
    answer = cancel(api, transaction_id)
    assert answer.status == "OK"
    assert answer.data == {
        "user_id": "611",
        "transaction_id": transaction_id,
        "transaction_status": "CANCELED",
    }
    assert balance_of(wallet) == Decimal("100.00")
    entry = LedgerEntry.objects.get(kind="CANCEL")
    assert entry.amount == Decimal("10.00") and entry.balance_after == Decimal("100.00")


def test_spec_cancel_win_takes_it_back_even_into_the_negative(api, session, wallet) -> None:
    win = place(api, session, kind="WIN", amount="50.00")
    place(api, session, kind="BET", amount="150.00")
    assert balance_of(wallet) == Decimal("0.00")
    assert cancel(api, win).status == "OK"
    assert balance_of(wallet) == Decimal("-50.00")
    assert list(Wallet.objects.filter(balance__lt=0)) == [wallet]
    assert not ledger_mismatches()


def test_spec_cancel_refund_takes_it_back(api, session, wallet) -> None:
    refund = place(api, session, kind="REFUND", amount="5.00")
    cancel(api, refund)
    assert balance_of(wallet) == Decimal("100.00")


def test_spec_cancel_twice_answers_canceled_and_moves_nothing(api, session, wallet) -> None:
    transaction_id = place(api, session, amount="10.00")
    assert cancel(api, transaction_id).status == "OK"
    again = cancel(api, transaction_id)
    assert again.status == "OK" and again.data["transaction_status"] == "CANCELED"
    assert balance_of(wallet) == Decimal("100.00")
    assert LedgerEntry.objects.filter(kind="CANCEL").count() == 1


def test_spec_cancel_op_41_unknown_transaction_and_it_is_remembered(api, session, wallet) -> None:
    transaction_id, round_id = new_id(), new_id()
    answer = cancel(api, transaction_id, round_id=round_id)
    assert answer.error_code == "OP_41"
    assert answer.data["error_message"] == "Transaction not found"
    # The BET arrives after its cancel: it is refused and never applied.
    late = api.changebalance(
        transaction_type="BET",
        amount=Decimal("10.00"),
        user_id="611",
        token=session.token,
        transaction_id=transaction_id,
        round_id=round_id,
    )
    assert late.status == "ERROR" and late.error_code == "OP_49"
    assert balance_of(wallet) == Decimal("100.00")
    assert status(api, transaction_id).data["transaction_status"] == "CANCELED"
    # and cancel stays OP_41: we never had that transaction
    assert cancel(api, transaction_id, round_id=round_id).error_code == "OP_41"


def test_spec_cancel_op_34_unknown_player(api, session) -> None:
    assert cancel(api, place(api, session), user_id="ghost").error_code == "OP_34"


def test_cancel_of_another_players_transaction_is_op_41(api, operator, session, wallet) -> None:
    transaction_id = place(api, session)
    other = PlayerFactory(operator=operator, user_id="17")
    wallet_for(other)
    assert cancel(api, transaction_id, user_id="17").error_code == "OP_41"
    assert balance_of(wallet) == Decimal("90.00")


def test_cancel_of_a_refused_bet_moves_nothing(api, session, wallet) -> None:
    transaction_id = new_id()
    refused = api.changebalance(
        transaction_type="BET",
        amount=Decimal("500.00"),
        user_id="611",
        token=session.token,
        transaction_id=transaction_id,
    )
    assert refused.error_code == "OP_31"
    assert cancel(api, transaction_id).data["transaction_status"] == "CANCELED"
    assert balance_of(wallet) == Decimal("100.00")


def test_spec_cancel_round_finished_updates_the_round(api, session) -> None:
    round_id = new_id()
    transaction_id = place(api, session, round_id=round_id)
    cancel(api, transaction_id, round_id=round_id, round_finished=True)
    assert Round.objects.get(round_id=round_id).is_finished


def test_canceled_transactions_are_marked_for_reports(api, session) -> None:
    transaction_id = place(api, session)
    cancel(api, transaction_id)
    tx = Transaction.objects.get(transaction_id=transaction_id)
    assert tx.status == "CANCELED" and tx.canceled_at is not None


def test_identical_retry_of_a_canceled_bet_does_not_charge_again(api, session, wallet) -> None:
    """Issue 10: a retry of a canceled transaction never looks applied: OP_49 (it will never
    be applied; the PLATFORM does not retry OP_49), and no money moves."""
    transaction_id, round_id = new_id(), 145658
    place(api, session, transaction_id=transaction_id, round_id=round_id)
    cancel(api, transaction_id)
    retry = api.changebalance(
        transaction_type="BET",
        amount=Decimal("10.00"),
        user_id="611",
        token=session.token,
        transaction_id=transaction_id,
        round_id=round_id,
    )
    assert retry.status == "ERROR" and retry.error_code == "OP_49"
    assert balance_of(wallet) == Decimal("100.00")
    assert status(api, transaction_id).data["transaction_status"] == "CANCELED"


@pytest.mark.parametrize("kind", ["WIN", "REFUND"])
def test_issue10_retry_of_a_canceled_win_is_op_49_and_takes_nothing_back_twice(
    api, session, wallet, kind
) -> None:
    transaction_id, round_id = new_id(), 145658
    place(api, session, kind=kind, amount="7.00", transaction_id=transaction_id, round_id=round_id)
    cancel(api, transaction_id)
    retry = api.changebalance(
        transaction_type=kind,
        amount=Decimal("7.00"),
        user_id="611",
        token=session.token,
        transaction_id=transaction_id,
        round_id=round_id,
    )
    assert retry.error_code == "OP_49"
    assert balance_of(wallet) == Decimal("100.00")


def test_issue10_refused_bet_then_canceled_retry_is_the_recorded_refusal_not_ok(
    api, session, wallet
) -> None:
    """The issue's reproduction: BET 50.00 on 10.00 -> OP_31; cancel -> CANCELED; the same
    BET again must not answer OK (the PLATFORM would believe a bet stands that took no money):
    it hears its recorded refusal, OP_31, again."""
    wallet_balance_to(wallet, "10.00")
    transaction_id = new_id()
    bet = {
        "transaction_type": "BET",
        "amount": Decimal("50.00"),
        "user_id": "611",
        "token": session.token,
        "transaction_id": transaction_id,
        "round_id": 145658,
    }
    assert api.changebalance(**bet).error_code == "OP_31"
    assert cancel(api, transaction_id).data["transaction_status"] == "CANCELED"
    retry = api.changebalance(**bet)
    assert retry.status == "ERROR" and retry.error_code == "OP_31"
    assert balance_of(wallet) == Decimal("10.00")
    assert LedgerEntry.objects.filter(transaction__transaction_id=transaction_id).count() == 0


def wallet_balance_to(wallet: Wallet, amount: str) -> None:
    from platform_wallet.ledger import wallet_adjust

    wallet_adjust(wallet=wallet, amount=Decimal(amount) - wallet.balance, reason="test set-up")
    wallet.refresh_from_db()


@pytest.mark.parametrize("missing", ["user_id", "transaction_id", "round_id", "game_id"])
def test_cancel_missing_fields_are_named(api, player, missing) -> None:
    data = {
        "user_id": "611",
        "transaction_id": 1,
        "round_id": 2,
        "round_finished": None,
        "game_id": 3,
    }
    del data[missing]
    answer = api.call("cancel", data)
    assert answer.error_code == "OP_50" and missing in answer.data["error_message"]


# --- finishround -------------------------------------------------------------------------


def finishround(api, round_id, user_id="611"):
    return api.call(
        "finishround",
        {
            "round_id": round_id,
            "user_id": user_id,
            "game_id": 46,
            "round_date": "2023-09-14",
            "round_ts": "1694704880325",
        },
    )


def test_spec_finishround_marks_the_round_finished_and_echoes(api, session) -> None:
    round_id = new_id()
    place(api, session, round_id=round_id)
    answer = finishround(api, round_id)
    assert answer.status == "OK"
    assert answer.data == {"round_id": round_id, "user_id": "611", "game_id": 46}
    assert Round.objects.get(round_id=round_id).is_finished


def test_spec_finishround_repeat_is_ok(api, session) -> None:
    round_id = new_id()
    place(api, session, round_id=round_id)
    assert finishround(api, round_id).status == "OK"
    assert finishround(api, round_id).status == "OK"


def test_spec_finishround_op_41_unknown_round(api, player) -> None:
    assert finishround(api, 533281).error_code == "OP_41"


def test_spec_finishround_op_34_unknown_player(api, session) -> None:
    round_id = new_id()
    place(api, session, round_id=round_id)
    assert finishround(api, round_id, user_id="ghost").error_code == "OP_34"
