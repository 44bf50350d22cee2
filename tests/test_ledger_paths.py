"""The ledger's rules on both of its ways of writing a changebalance: one statement (PostgreSQL)
and the portable transaction (SQLite, and players with responsible-gambling limits, here limits
that nothing reaches). Then its round trips, and its own exception type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from platform_wallet.ledger import AdjustmentRefused, LedgerError, sql, wallet_adjust, wallet_open
from platform_wallet.models import (
    GameSession,
    LedgerEntry,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    Wallet,
)
from platform_wallet.selectors import ledger_mismatches
from tests.wallet_client import WalletClient, new_id


@pytest.fixture(params=["one round trip", "one statement", "portable"])
def path(request, player, settings) -> str:
    """One round trip: the read carries the write (PostgreSQL); one statement: the read, then
    the write (PostgreSQL, how refused and replayed calls go); portable: a transaction of
    statements (SQLite, and on PostgreSQL players with limits)."""
    if request.param == "one statement":
        settings.WALLET_ONE_ROUND_TRIP = False
    if request.param == "portable":
        ResponsibleGamblingLimits.objects.create(
            player=player, daily_wager_limit=Decimal("1000000.00")
        )
    return request.param


def bet(api: WalletClient, session, amount: str = "10.00", **data):
    data.setdefault("transaction_type", "BET")
    return api.changebalance(amount=Decimal(amount), user_id="611", token=session.token, **data)


def balance_of(wallet: Wallet) -> Decimal:
    wallet.refresh_from_db()
    return wallet.balance


def test_a_bet_writes_its_transaction_entry_round_and_session(
    api, session, wallet, path, settings
) -> None:
    stale = timezone.now() - dt.timedelta(seconds=settings.WALLET_SESSION_TOUCH_SECONDS + 5)
    GameSession.objects.filter(pk=session.pk).update(last_activity_at=stale)
    transaction_id, round_id = new_id(), new_id()
    answer = bet(
        api,
        session,
        "12.34",
        transaction_id=transaction_id,
        round_id=round_id,
        round_finished=True,
    )
    assert answer.status == "OK" and answer.data["balance"] == Decimal("87.66")
    tx = Transaction.objects.get(transaction_id=transaction_id)
    assert (tx.status, tx.error_code, tx.amount) == ("OK", "", Decimal("12.34"))
    assert tx.game_round == Round.objects.get(round_id=round_id)
    assert tx.game_round.is_finished
    entry = LedgerEntry.objects.get(transaction=tx)
    assert (entry.kind, entry.amount, entry.balance_after) == (
        "BET",
        Decimal("-12.34"),
        Decimal("87.66"),
    )
    session.refresh_from_db()
    assert session.last_activity_at > stale
    assert not ledger_mismatches()


def test_op_31_is_recorded_with_its_round_and_replayed(api, session, wallet, path) -> None:
    round_id = new_id()
    assert bet(api, session, "1.00", round_id=round_id).status == "OK"
    transaction_id = new_id()
    refused = {"transaction_id": transaction_id, "round_id": round_id, "round_finished": True}
    assert bet(api, session, "500.00", **refused).error_code == "OP_31"
    tx = Transaction.objects.get(transaction_id=transaction_id)
    assert (tx.status, tx.error_code) == ("ERROR", "OP_31")
    assert tx.game_round is not None and tx.game_round.is_finished  # a later call finished it
    assert not LedgerEntry.objects.filter(transaction=tx).exists()
    assert bet(api, session, "500.00", **refused).error_code == "OP_31"
    assert balance_of(wallet) == Decimal("99.00")


def test_a_refusal_is_recorded_with_its_own_code(api, player, session, wallet, path) -> None:
    player.is_blocked = True
    player.save()
    transaction_id = new_id()
    assert bet(api, session, transaction_id=transaction_id).error_code == "OP_33"
    tx = Transaction.objects.get(transaction_id=transaction_id)
    assert (tx.status, tx.error_code) == ("ERROR", "OP_33")
    assert balance_of(wallet) == Decimal("100.00")


def test_a_win_credits_a_negative_balance_and_a_bet_is_refused(api, session, wallet, path) -> None:
    wallet_adjust(wallet=wallet, amount=Decimal("-150.00"), reason="test", allow_negative=True)
    assert bet(api, session, "1.00").error_code == "OP_31"
    win = bet(api, session, "10.00", transaction_type="WIN")
    assert win.status == "OK" and win.data["balance"] == Decimal("-40.00")
    assert not ledger_mismatches()


def test_a_zero_bet_is_accepted_on_an_empty_wallet(api, session, wallet, path) -> None:
    wallet_adjust(wallet=wallet, amount=Decimal("-100.00"), reason="test")
    answer = bet(api, session, "0.00")
    assert answer.status == "OK" and answer.data["balance"] == Decimal("0.00")
    assert bet(api, session, "0.01").error_code == "OP_31"


def test_a_closed_account_still_replays_its_recorded_transactions(
    api, player, session, wallet
) -> None:
    transaction_id, round_id = new_id(), new_id()
    assert bet(api, session, transaction_id=transaction_id, round_id=round_id).status == "OK"
    player.is_closed = True
    player.save()
    replay = bet(api, session, transaction_id=transaction_id, round_id=round_id)
    assert replay.status == "OK" and replay.data["balance"] == Decimal("90.00")
    assert bet(api, session).error_code == "OP_49"


@pytest.mark.postgres
def test_issue13_a_bet_on_postgresql_is_one_statement(api, session, wallet, monkeypatch) -> None:
    """The hot path's cost: one prepared statement (the read carrying the write); a retry the
    same one, which finds the transaction and writes nothing; a refusal the read, then the
    write of its record."""
    statements: list[str] = []
    real_fetch_one, real_run = sql.fetch_one, sql.run

    def fetch_one(statement, params):
        statements.append("fetch_one")
        return real_fetch_one(statement, params)

    def run(cursor, statement, params):
        statements.append("run")
        return real_run(cursor, statement, params)

    monkeypatch.setattr(sql, "fetch_one", fetch_one)
    monkeypatch.setattr(sql, "run", run)
    ids = {"transaction_id": new_id(), "round_id": new_id()}
    assert bet(api, session, **ids).status == "OK"
    assert statements == ["fetch_one"]
    statements.clear()
    assert bet(api, session, **ids).status == "OK"
    assert statements == ["fetch_one"]
    assert Transaction.objects.filter(transaction_id=ids["transaction_id"]).count() == 1
    statements.clear()
    session.ended_at = timezone.now()
    session.save()
    assert bet(api, session).error_code == "OP_21"
    assert statements == ["fetch_one", "fetch_one"]


# --- The ledger's own exception type -------------------------------------------------------


def test_ledger_refusals_are_not_value_errors(player) -> None:
    """A caller catching ValueError around money would also swallow a bug's ValueError."""
    assert issubclass(AdjustmentRefused, LedgerError)
    assert not issubclass(LedgerError, ValueError)
    with pytest.raises(AdjustmentRefused, match="negative"):
        wallet_open(player=player, currency="EUR", opening_balance=Decimal("-1.00"))
    wallet = wallet_open(player=player, currency="EUR", opening_balance=Decimal("5.00"))
    for amount, why in (("0.001", "decimal places"), ("0", "move money"), ("-9", "Insufficient")):
        with pytest.raises(AdjustmentRefused, match=why):
            wallet_adjust(wallet=wallet, amount=Decimal(amount), reason="test")
    assert balance_of(wallet) == Decimal("5.00")


def test_an_adjustment_records_its_author_and_a_different_approver(
    wallet, django_user_model
) -> None:
    author = django_user_model.objects.create_user("author")
    approver = django_user_model.objects.create_user("approver")
    with pytest.raises(AdjustmentRefused, match="other than its author"):
        wallet_adjust(
            wallet=wallet, amount=Decimal("5.00"), reason="x", staff=author, approved_by=author
        )
    with pytest.raises(AdjustmentRefused, match="needs a reason"):
        wallet_adjust(wallet=wallet, amount=Decimal("5.00"), reason="  ", staff=author)
    entry = wallet_adjust(
        wallet=wallet, amount=Decimal("5.00"), reason=" bonus ", staff=author, approved_by=approver
    )
    assert (entry.kind, entry.created_by, entry.approved_by, entry.reason) == (
        "ADJUSTMENT",
        author,
        approver,
        "bonus",
    )
    assert entry.balance_after == balance_of(wallet) == Decimal("105.00")
    assert not ledger_mismatches()


def test_create_player_answers_a_ledger_refusal_as_a_command_error(operator, monkeypatch) -> None:
    from platform_wallet.services import accounts

    def refused(**kwargs):
        raise AdjustmentRefused("An opening balance cannot be negative")

    monkeypatch.setattr(accounts, "wallet_open", refused)
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command(
            "create_player",
            operator="examplecasino",
            user_id="new",
            user_name="new",
            country="DE",
            currency="EUR",
            balance="1.00",
        )
    assert not Player.objects.filter(user_id="new").exists()
