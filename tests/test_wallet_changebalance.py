"""Spec: API commands > changebalance; Important notes 2-4 (idempotency, session check,
duplicate transaction); Exception handling (OP_21 ... OP_50 for changebalance)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Game
from platform_wallet.models import (
    GameSession,
    LedgerEntry,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    Wallet,
)
from platform_wallet.selectors import ledger_mismatches
from tests.factories import OperatorFactory, PlayerFactory, session_for, wallet_for
from tests.wallet_client import WalletClient, new_id


def balance_of(wallet: Wallet) -> Decimal:
    wallet.refresh_from_db()
    return wallet.balance


def bet(api: WalletClient, session, amount: Decimal | int = Decimal("10.00"), **data):
    data.setdefault("user_id", "611")
    data.setdefault("token", session.token)
    data.setdefault("transaction_type", "BET")
    return api.changebalance(amount=amount, **data)


def test_spec_changebalance_bet_debits_and_answers_the_new_balance(api, session, wallet) -> None:
    answer = bet(api, session, Decimal("17.25"))
    assert answer.status == "OK"
    assert answer.data == {"currency_code": "EUR", "balance": Decimal("82.75")}
    assert balance_of(wallet) == Decimal("82.75")
    entry = LedgerEntry.objects.filter(kind="BET").get()
    assert entry.amount == Decimal("-17.25") and entry.balance_after == Decimal("82.75")
    assert entry.transaction.status == "OK"


def test_spec_changebalance_win_example_credits_with_rake(api, session, wallet) -> None:
    answer = api.changebalance(
        transaction_type="WIN",
        amount=Decimal("17.25"),
        transaction_id=3568,
        round_id=1727,
        user_id="611",
        token=session.token,
        context={"reason": "not_provided", "rake": Decimal("0.0328"), "history_id": "350-a1B"},
    )
    assert answer.status == "OK"
    assert answer.data["balance"] == Decimal("117.25")
    tx = Transaction.objects.get(transaction_id=3568)
    assert (
        tx.rake == Decimal("0.0328") and tx.history_id == "350-a1B" and tx.reason == "not_provided"
    )
    assert tx.game_round.round_id == 1727


def test_exact_decimals_5_81_minus_4_25(api, operator) -> None:
    player = PlayerFactory(operator=operator, user_id="exact")
    wallet = wallet_for(player, "EUR", "5.81")
    session = session_for(player, wallet)
    answer = bet(api, session, Decimal("4.25"), user_id="exact")
    assert answer.data["balance"] == Decimal("1.56")
    assert '"balance":1.56' in answer.raw.decode()
    assert balance_of(wallet) == Decimal("1.56")


def test_exact_decimals_ten_bets_of_ten_cents(api, operator) -> None:
    player = PlayerFactory(operator=operator, user_id="dimes")
    wallet = wallet_for(player, "EUR", "1.00")
    session = session_for(player, wallet)
    for _ in range(10):
        assert bet(api, session, Decimal("0.10"), user_id="dimes").status == "OK"
    assert balance_of(wallet) == Decimal("0.00")
    assert bet(api, session, Decimal("0.10"), user_id="dimes").error_code == "OP_31"
    assert not ledger_mismatches()


def test_zero_amount_bet_is_valid_free_spin(api, session, wallet) -> None:
    answer = bet(api, session, 0)
    assert answer.status == "OK" and answer.data["balance"] == Decimal("100.00")


def test_amount_sent_as_integer_is_exact(api, session, wallet) -> None:
    assert bet(api, session, 3).data["balance"] == Decimal("97.00")


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        (Decimal("-1.00"), "negative"),
        (Decimal("1.001"), "2 decimal"),
        ("10.00", "number"),
        (True, "number"),
        (None, "number"),
        (Decimal("1E+20"), "too large"),
        (10**17, "too large"),
    ],
)
def test_bad_amounts_are_refused_and_change_nothing(api, session, wallet, amount, why) -> None:
    answer = bet(api, session, amount)
    assert answer.error_code == "OP_50"
    assert "amount" in answer.data["error_message"] and why in answer.data["error_message"]
    assert balance_of(wallet) == Decimal("100.00")
    assert not Transaction.objects.exists()


def test_amount_with_trailing_zeros_is_exact_not_refused(api, session, wallet) -> None:
    assert bet(api, session, Decimal("1.500")).data["balance"] == Decimal("98.50")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("transaction_type", "DEPOSIT"),
        ("transaction_id", "12a"),
        ("transaction_id", -5),
        ("transaction_id", 1.5),
        ("round_id", None),
        ("game_id", 1234567),
        ("round_finished", "yes"),
        ("currency_code", 978),
        ("user_id", None),
        ("context", "text"),
    ],
)
def test_mistyped_fields_are_named_and_change_nothing(api, session, wallet, field, value) -> None:
    answer = bet(api, session, **{field: value})
    assert answer.error_code == "OP_50"
    assert field in answer.data["error_message"]
    assert balance_of(wallet) == Decimal("100.00")


def test_bad_rake_is_refused(api, session, wallet) -> None:
    answer = api.changebalance(
        transaction_type="WIN",
        amount=Decimal("1"),
        user_id="611",
        token=None,
        context={"reason": "x", "rake": Decimal("0.00001")},
    )
    assert answer.error_code == "OP_50" and "rake" in answer.data["error_message"]


def test_ids_may_arrive_as_strings(api, session, wallet) -> None:
    answer = bet(api, session, transaction_id="987654321", round_id="55", game_id="200")
    assert answer.status == "OK"
    assert Transaction.objects.get().transaction_id == 987654321
    assert (
        api.call("status", {"user_id": "611", "transaction_id": 987654321}).data[
            "transaction_status"
        ]
        == "OK"
    )


# --- Errors ------------------------------------------------------------------------------


def test_spec_changebalance_op_31_insufficient_funds(api, session, wallet) -> None:
    answer = bet(api, session, Decimal("100.01"))
    assert answer.error_code == "OP_31"
    assert answer.data["error_message"] == "Insufficient funds"
    assert balance_of(wallet) == Decimal("100.00")


def test_spec_changebalance_op_21_bet_with_expired_token(api, session, wallet, settings) -> None:
    GameSession.objects.filter(pk=session.pk).update(
        last_activity_at=timezone.now()
        - dt.timedelta(seconds=settings.WALLET_SESSION_IDLE_SECONDS + 5)
    )
    assert bet(api, session).error_code == "OP_21"
    assert balance_of(wallet) == Decimal("100.00")


def test_spec_changebalance_op_21_bet_with_null_token(api, session, wallet) -> None:
    assert bet(api, session, token=None).error_code == "OP_21"


def test_spec_changebalance_op_21_bet_with_another_players_token(api, operator, session) -> None:
    other = PlayerFactory(operator=operator, user_id="other")
    wallet_for(other)
    assert bet(api, session, user_id="other").error_code == "OP_21"


def test_spec_changebalance_op_30_currency_not_held(api, session, wallet) -> None:
    assert bet(api, session, currency_code="USD").error_code == "OP_30"


def test_spec_changebalance_op_30_bet_in_another_currency_than_the_session(api, player, session):
    wallet_for(player, "USD", "50.00")
    assert bet(api, session, currency_code="USD").error_code == "OP_30"


def test_spec_changebalance_op_32_limits_reached(api, player, session, wallet) -> None:
    ResponsibleGamblingLimits.objects.create(player=player, daily_wager_limit=Decimal("15.00"))
    assert bet(api, session, Decimal("10.00")).status == "OK"
    answer = bet(api, session, Decimal("5.01"))
    assert answer.error_code == "OP_32"
    assert "wager" in answer.data["error_message"]
    assert balance_of(wallet) == Decimal("90.00")


def test_spec_changebalance_op_32_loss_limit_counts_wins(api, player, session, wallet) -> None:
    ResponsibleGamblingLimits.objects.create(player=player, daily_loss_limit=Decimal("10.00"))
    assert bet(api, session, Decimal("10.00")).status == "OK"
    assert bet(api, session, Decimal("1.00")).error_code == "OP_32"
    api.changebalance(transaction_type="WIN", amount=Decimal("4.00"), user_id="611", token=None)
    assert bet(api, session, Decimal("4.00")).status == "OK"


def test_spec_changebalance_op_32_self_exclusion(api, player, session) -> None:
    ResponsibleGamblingLimits.objects.create(
        player=player, self_excluded_until=timezone.now() + dt.timedelta(days=30)
    )
    assert bet(api, session).error_code == "OP_32"


def test_spec_changebalance_op_33_blocked_player_cannot_bet(api, player, session, wallet):
    player.is_blocked = True
    player.save()
    assert bet(api, session).error_code == "OP_33"
    assert balance_of(wallet) == Decimal("100.00")


def test_spec_changebalance_op_33_after_staff_block_ends_the_session(api, player, session, wallet):
    from platform_wallet.services.accounts import player_block

    player_block(player=player, reason="fraud check")
    assert bet(api, session).error_code == "OP_33"
    assert balance_of(wallet) == Decimal("100.00")


def test_spec_changebalance_op_34_unknown_player(api, session) -> None:
    assert bet(api, session, user_id="ghost").error_code == "OP_34"


def test_spec_changebalance_op_35_disabled_game(api, operator, session, wallet) -> None:
    Game.objects.create(
        operator=operator, game_id=200, title="Slot", vendor="v", disabled_by_operator=True
    )
    assert bet(api, session).error_code == "OP_35"
    win = api.changebalance(transaction_type="WIN", amount=Decimal("2"), user_id="611", token=None)
    assert win.status == "OK"
    assert balance_of(wallet) == Decimal("102.00")


def test_bet_on_a_game_the_platform_disabled_is_op_35(api, operator, session) -> None:
    Game.objects.create(operator=operator, game_id=200, title="Slot", vendor="v", enabled=False)
    assert bet(api, session).error_code == "OP_35"


def test_bet_on_a_game_the_catalog_does_not_know_is_accepted(api, session) -> None:
    assert bet(api, session, game_id=999).status == "OK"


def test_spec_changebalance_op_49_closed_account(api, player, session) -> None:
    player.is_closed = True
    player.save()
    assert bet(api, session).error_code == "OP_49"


def test_spec_op_47_when_the_database_times_out(api, session, wallet, monkeypatch) -> None:
    from django.db import OperationalError

    from platform_wallet.ledger import write

    class QueryCanceled(Exception):
        sqlstate = "57014"

    def stuck(*args, **kwargs):
        try:
            raise QueryCanceled("canceling statement due to lock timeout")
        except QueryCanceled as cause:
            raise OperationalError("canceling statement") from cause

    monkeypatch.setattr(write, "apply", stuck)
    monkeypatch.setattr(write, "lookup_and_apply", stuck)  # (the read carrying the write)
    assert bet(api, session).error_code == "OP_47"
    assert balance_of(wallet) == Decimal("100.00")


# --- Session check (important note 3) ------------------------------------------------------


def test_note_3_win_with_null_or_expired_token_is_credited(api, session, wallet, settings) -> None:
    GameSession.objects.filter(pk=session.pk).update(
        last_activity_at=timezone.now() - dt.timedelta(days=2)
    )
    win = api.changebalance(
        transaction_type="WIN", amount=Decimal("5.00"), user_id="611", token=session.token
    )
    refund = api.changebalance(
        transaction_type="REFUND", amount=Decimal("1.00"), user_id="611", token=None
    )
    assert win.status == "OK" and refund.status == "OK"
    assert balance_of(wallet) == Decimal("106.00")


def test_win_is_credited_to_a_blocked_player(api, player, wallet) -> None:
    player.is_blocked = True
    player.save()
    answer = api.changebalance(
        transaction_type="WIN", amount=Decimal("3.00"), user_id="611", token=None
    )
    assert answer.status == "OK" and balance_of(wallet) == Decimal("103.00")


def test_bet_keeps_a_session_alive(api, session, settings) -> None:
    stale = timezone.now() - dt.timedelta(seconds=settings.WALLET_SESSION_TOUCH_SECONDS + 5)
    GameSession.objects.filter(pk=session.pk).update(last_activity_at=stale)
    bet(api, session)
    session.refresh_from_db()
    assert session.last_activity_at > stale


# --- Idempotency (important notes 2 and 4) -----------------------------------------------


def test_note_2_identical_retry_is_processed_once(api, session, wallet) -> None:
    transaction_id, round_id = new_id(), new_id()
    answers = [
        bet(api, session, Decimal("10.00"), transaction_id=transaction_id, round_id=round_id)
        for _ in range(5)
    ]
    assert {a.status for a in answers} == {"OK"}
    assert {a.data["balance"] for a in answers} == {Decimal("90.00")}
    assert balance_of(wallet) == Decimal("90.00")
    assert LedgerEntry.objects.filter(kind="BET").count() == 1


def test_note_4_identical_retry_after_session_expiry_still_replays_ok(api, session) -> None:
    transaction_id, round_id = new_id(), new_id()
    assert bet(api, session, transaction_id=transaction_id, round_id=round_id).status == "OK"
    GameSession.objects.filter(pk=session.pk).update(ended_at=timezone.now())
    assert bet(api, session, transaction_id=transaction_id, round_id=round_id).status == "OK"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("11.00")},
        {"game_id": 201},
        {"round_id": 1},
        {"transaction_type": "WIN"},
        {"currency_code": "USD"},
        {"user_id": "someone-else"},
    ],
)
def test_spec_op_40_same_transaction_id_with_different_data(
    api, operator, player, session, wallet, change
):
    other = PlayerFactory(operator=operator, user_id="someone-else")
    wallet_for(other)
    wallet_for(player, "USD", "10.00")
    transaction_id, round_id = new_id(), new_id()
    first = {"transaction_id": transaction_id, "round_id": round_id}
    assert bet(api, session, Decimal("10.00"), **first).status == "OK"
    retry = {**first, "amount": Decimal("10.00"), **change}
    answer = api.changebalance(token=session.token, **{"user_id": "611", **retry})
    assert answer.error_code == "OP_40"
    assert balance_of(wallet) == Decimal("90.00")
    assert Transaction.objects.filter(transaction_id=transaction_id).count() == 1


def test_business_error_is_recorded_and_replayed(api, session, wallet) -> None:
    transaction_id, round_id = new_id(), new_id()
    assert (
        bet(
            api, session, Decimal("150.00"), transaction_id=transaction_id, round_id=round_id
        ).error_code
        == "OP_31"
    )
    # Money arrives; the identical retry is still answered as the original was.
    api.changebalance(transaction_type="WIN", amount=Decimal("100.00"), user_id="611", token=None)
    replay = bet(api, session, Decimal("150.00"), transaction_id=transaction_id, round_id=round_id)
    assert replay.error_code == "OP_31"
    assert balance_of(wallet) == Decimal("200.00")
    status = api.call("status", {"user_id": "611", "transaction_id": transaction_id})
    assert status.data["transaction_status"] == "ERROR"


def test_rounds_are_tracked_from_every_call(api, session) -> None:
    round_id = new_id()
    bet(api, session, Decimal("1.00"), round_id=round_id)
    api.changebalance(
        transaction_type="WIN",
        amount=Decimal("2.00"),
        user_id="611",
        token=None,
        round_id=round_id,
        round_finished=True,
    )
    game_round = Round.objects.get(round_id=round_id)
    assert game_round.is_finished
    assert game_round.transactions.count() == 2


def test_check_ledger_command_proves_balances(api, session, capsys) -> None:
    bet(api, session, Decimal("3.33"))
    call_command("check_ledger")
    assert "equal the sum of their ledger entries" in capsys.readouterr().out
    Wallet.objects.update(balance=Decimal("1.00"))
    with pytest.raises(Exception, match="do not match"):
        call_command("check_ledger")


def test_issue13_check_ledger_proves_each_rows_operator_is_its_players(api, session) -> None:
    """The operator of a transaction and of a round has no foreign key (its check would lock
    the operator's row in every BET): check_ledger proves it is the player's instead."""
    bet(api, session, Decimal("1.00"))
    call_command("check_ledger")
    other = OperatorFactory(operator_id="othercasino")
    Transaction.objects.update(operator=other)
    with pytest.raises(Exception, match="1 transactions"):
        call_command("check_ledger")
    Transaction.objects.update(operator=session.operator)
    Round.objects.update(operator_id=Transaction.objects.get().operator_id + 1000)  # no such one
    with pytest.raises(Exception, match="1 rounds"):
        call_command("check_ledger")


def test_exact_decimals_a_bet_of_the_whole_remaining_balance(api, operator) -> None:
    """3.00 - 1.10 - 1.10 leaves exactly 0.80, which a BET of 0.80 may take (in binary floating
    point it would be 0.7999999999999998 and refused)."""
    player = PlayerFactory(operator=operator, user_id="whole")
    wallet = wallet_for(player, "EUR", "3.00")
    session = session_for(player, wallet)
    for amount in ("1.10", "1.10", "0.80"):
        assert bet(api, session, Decimal(amount), user_id="whole").status == "OK"
    assert balance_of(wallet) == Decimal("0.00")
    win = api.changebalance(
        transaction_type="WIN", amount=Decimal("0.30"), user_id="whole", token=None
    )
    assert win.data["balance"] == Decimal("0.30")
    assert not ledger_mismatches()


@pytest.mark.parametrize("field", ["transaction_id", "round_id", "game_id"])
@pytest.mark.parametrize("text", ["123\n", "123 ", " 123", "12\n3", "+123", "1_23", "١٢٣"])
def test_issue10_an_id_string_is_digits_only(api, session, wallet, field, text) -> None:
    """Ids may arrive as strings (digits), but "123\\n" is not the id 123: refused, named."""
    answer = bet(api, session, **{field: text})
    assert answer.status == "ERROR" and answer.error_code == "OP_50"
    assert field in answer.data["error_message"]
    assert not Transaction.objects.exists()
    assert balance_of(wallet) == Decimal("100.00")


def test_issue10_a_key_given_twice_is_refused_naming_it(api, session, wallet) -> None:
    """{"amount": 1.00, "amount": 50.00}: parsers disagree on which one wins; refused."""
    from tests.wallet_client import TIMESTAMP, sha1

    body = (
        '{"command":"changebalance","request_timestamp":"%s","hash":"%s","data":{'
        '"token":"%s","user_id":"611","transaction_type":"BET","transaction_id":%d,'
        '"round_id":1,"game_id":200,"currency_code":"EUR","amount":1.00,"amount":50.00}}'
    ) % (TIMESTAMP, sha1("changebalance" + TIMESTAMP + "secret_key"), session.token, new_id())
    answer = api.post_raw("changebalance", body.encode())
    assert answer.error_code == "OP_50"
    assert "duplicate key 'amount'" in answer.data["error_message"]
    assert answer.body["request"] == body  # not one JSON document: echoed as text
    assert not Transaction.objects.exists()
    assert balance_of(wallet) == Decimal("100.00")


def test_issue10_a_top_level_key_given_twice_is_refused(api, session) -> None:
    from tests.wallet_client import TIMESTAMP, sha1

    good = sha1("balance" + TIMESTAMP + "secret_key")
    body = '{"command":"balance","request_timestamp":"%s","hash":"%s","hash":"%s","data":{}}' % (
        TIMESTAMP,
        good,
        "0" * 40,
    )
    answer = api.post_raw("balance", body.encode())
    assert answer.error_code == "OP_50"
    assert "duplicate key 'hash'" in answer.data["error_message"]
