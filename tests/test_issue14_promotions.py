"""Issue 14, our side of the books: every transaction knows whether it is a promotional
free-spin win (context.reason PROMO-FREESPIN), its campaign (context.campaign_code) and whether
it is a jackpot win (context.reason in JACKPOT_REASONS), on both of the ledger's paths; the
spec's context.campaign_details (OBJECT, ARRAY or STRING) is stored as it came and never fails
a WIN. Sent through the signed API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from platform_wallet.models import ResponsibleGamblingLimits, Transaction, Wallet
from platform_wallet.promotions import recognise
from platform_wallet.selectors import ledger_mismatches
from tests.wallet_client import WalletClient, new_id


@pytest.fixture(params=["one statement", "portable"])
def path(request, player) -> str:
    """The single statement (PostgreSQL) or the portable transaction (SQLite, and players with
    responsible-gambling limits: here limits nothing reaches)."""
    if request.param == "portable":
        ResponsibleGamblingLimits.objects.create(
            player=player, daily_wager_limit=Decimal("1000000.00")
        )
    return request.param


def win(api: WalletClient, session, context: dict, amount: str = "5.00", **data):
    """A free-spin style WIN: no BET in its round, token null, as vendors send them."""
    data.setdefault("transaction_type", "WIN")
    data.setdefault("round_finished", True)
    return api.changebalance(
        amount=Decimal(amount), user_id="611", token=None, context=context, **data
    )


def recorded(transaction_id: int) -> Transaction:
    return Transaction.objects.get(transaction_id=transaction_id)


def test_issue14_promo_freespin_win_with_campaign_is_recognised(api, session, wallet, path):
    transaction_id = new_id()
    answer = win(
        api,
        session,
        {
            "reason": "PROMO-FREESPIN",
            "history_id": "h-1",
            "campaign_code": "WELCOME-10",
            "campaign_details": {"total_spins": 10, "remaining_spins": 9, "bet": 0.2},
        },
        transaction_id=transaction_id,
    )
    assert answer.status == "OK" and answer.data["balance"] == Decimal("105.00")
    tx = recorded(transaction_id)
    assert (tx.is_freespin, tx.campaign_code, tx.is_jackpot) == (True, "WELCOME-10", False)
    assert tx.round_id and tx.game_round is not None  # a round of its own, with no BET
    # stored as it came: numbers stay numbers
    assert tx.context["campaign_details"] == {"total_spins": 10, "remaining_spins": 9, "bet": 0.2}
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("105.00") and not ledger_mismatches()


@pytest.mark.parametrize("reason", ["JACKPOT-WIN", "jackpot", "JACKPOT_WIN"])
def test_issue14_jackpot_win_is_recognised_by_its_reason(api, session, wallet, path, reason):
    transaction_id = new_id()
    assert win(api, session, {"reason": reason}, transaction_id=transaction_id).status == "OK"
    tx = recorded(transaction_id)
    assert (tx.is_freespin, tx.campaign_code, tx.is_jackpot) == (False, "", True)


def test_issue14_jackpot_reasons_are_a_setting(api, session, wallet, settings):
    settings.JACKPOT_REASONS = ["MEGA-POT"]
    mega, plain = new_id(), new_id()
    assert win(api, session, {"reason": "mega-pot"}, transaction_id=mega).status == "OK"
    assert win(api, session, {"reason": "JACKPOT-WIN"}, transaction_id=plain).status == "OK"
    assert recorded(mega).is_jackpot and not recorded(plain).is_jackpot


def test_issue14_ordinary_transactions_are_not_promotions(api, session, wallet, path):
    bet_id, win_id = new_id(), new_id()
    round_id = new_id()
    bet = api.changebalance(
        transaction_type="BET",
        amount=Decimal("1.00"),
        user_id="611",
        token=session.token,
        transaction_id=bet_id,
        round_id=round_id,
        context={"reason": "PROMO-FREESPIN", "history_id": "h"},  # a BET is never a win
    )
    assert bet.status == "OK"
    assert win(api, session, {"reason": "SPIN"}, transaction_id=win_id).status == "OK"
    for transaction_id in (bet_id, win_id):
        tx = recorded(transaction_id)
        assert (tx.is_freespin, tx.campaign_code, tx.is_jackpot) == (False, "", False)


def test_issue14_a_refused_freespin_win_is_recorded_with_its_columns(api, session, player, path):
    """A WIN in a currency the player has no wallet in is refused (OP_30) and recorded: its
    columns are still filled (reports count only applied ones)."""
    transaction_id = new_id()
    answer = win(
        api,
        session,
        {"reason": "PROMO-FREESPIN", "campaign_code": "X"},
        transaction_id=transaction_id,
        currency_code="USD",
    )
    assert answer.error_code == "OP_30"
    tx = recorded(transaction_id)
    assert (tx.status, tx.is_freespin, tx.campaign_code) == ("ERROR", True, "X")


@pytest.mark.parametrize(
    "details",
    [
        {"total": 10, "remaining": 0, "vendor": {"id": "abc", "tags": ["a", 1]}},
        [{"spins": 5}, "bonus", 3, None, 1.5],
        "10 of 10 spins used",
        "",
        None,
        [],
        {},
        12,
        True,
        "MISSING",
    ],
    ids=[
        "object",
        "array",
        "string",
        "empty-string",
        "null",
        "empty-array",
        "empty-object",
        "number",
        "bool",
        "missing",
    ],
)
def test_issue14_campaign_details_of_any_shape_never_fail_a_win(
    api, session, wallet, path, details
):
    transaction_id = new_id()
    context = {"reason": "PROMO-FREESPIN", "campaign_code": "SHAPES"}
    if details != "MISSING":
        context["campaign_details"] = details
    answer = win(api, session, context, amount="2.50", transaction_id=transaction_id)
    assert answer.status == "OK" and answer.data["balance"] == Decimal("102.50")
    tx = recorded(transaction_id)
    assert tx.is_freespin and tx.campaign_code == "SHAPES"
    if details == "MISSING":
        assert "campaign_details" not in tx.context
    else:
        assert tx.context["campaign_details"] == details


@pytest.mark.parametrize(
    ("code", "stored"),
    [(12345, "12345"), ({"id": 1}, ""), (["A"], ""), (None, ""), ("x" * 256, ""), ("C-1", "C-1")],
    ids=["number", "object", "array", "null", "too-long", "string"],
)
def test_issue14_odd_campaign_codes_never_fail_a_win(api, session, wallet, code, stored):
    transaction_id = new_id()
    context = {"reason": "PROMO-FREESPIN", "campaign_code": code}
    assert win(api, session, context, transaction_id=transaction_id).status == "OK"
    tx = recorded(transaction_id)
    assert tx.campaign_code == stored and tx.context["campaign_code"] == code


def test_issue14_a_retry_replays_and_keeps_the_columns(api, session, wallet: Wallet, path):
    transaction_id = new_id()
    context = {"reason": "PROMO-FREESPIN", "campaign_code": "R", "campaign_details": "1/1"}
    first = win(api, session, context, transaction_id=transaction_id, round_id=new_id())
    round_id = recorded(transaction_id).round_id
    again = win(api, session, context, transaction_id=transaction_id, round_id=round_id)
    assert first.status == again.status == "OK"
    assert again.data["balance"] == first.data["balance"] == Decimal("105.00")
    assert Transaction.objects.filter(campaign_code="R").count() == 1


def test_issue14_recognise_is_pure():
    assert recognise(transaction_type="REFUND", reason="PROMO-FREESPIN", context={}) == (
        recognise(transaction_type="BET", reason="JACKPOT", context={})
    )
    promo = recognise(
        transaction_type="WIN", reason="promo-freespin", context={"campaign_code": "A"}
    )
    assert (promo.is_freespin, promo.campaign_code, promo.is_jackpot) == (True, "A", False)
    coded_bet = recognise(transaction_type="BET", reason="SPIN", context={"campaign_code": 7})
    assert (coded_bet.is_freespin, coded_bet.campaign_code) == (False, "7")


def test_issue14_backfill_fills_rows_written_before_the_columns(api, session, wallet):
    """Rows written before migration 0010 have the columns' defaults: the backfill command
    gives them what the wallet gives a new transaction, and nothing else."""
    sent = {
        "fs": {"reason": "promo-freespin", "campaign_code": "OLD-1", "campaign_details": []},
        "jp": {"reason": "JACKPOT-WIN"},
        "coded-bet": {"reason": "SPIN", "campaign_code": 77},
        "odd-code": {"reason": "PROMO-FREESPIN", "campaign_code": {"id": 1}},
        "plain": {"reason": "SPIN"},
    }
    ids = {}
    for name, context in sent.items():
        ids[name] = new_id()
        kind = "BET" if name == "coded-bet" else "WIN"
        answer = api.changebalance(
            transaction_type=kind,
            amount=Decimal("1.00"),
            user_id="611",
            token=session.token if kind == "BET" else None,
            transaction_id=ids[name],
            context=context,
        )
        assert answer.status == "OK"
    expected = {
        name: (tx.is_freespin, tx.is_jackpot, tx.campaign_code)
        for name, tx in ((name, recorded(i)) for name, i in ids.items())
    }
    assert expected["fs"] == (True, False, "OLD-1") and expected["coded-bet"][2] == "77"
    Transaction.objects.update(is_freespin=False, is_jackpot=False, campaign_code="")
    today = dt.datetime.now(dt.UTC).date()
    out = StringIO()
    call_command(
        "backfill_promotions", date_from=str(today - dt.timedelta(days=1)), date_to=str(today),
        stdout=out,
    )  # fmt: skip
    assert f"{today}: 2 free spins, 1 jackpots, 2 campaign codes" in out.getvalue()
    for name, i in ids.items():
        tx = recorded(i)
        assert (tx.is_freespin, tx.is_jackpot, tx.campaign_code) == expected[name], name
    call_command("backfill_promotions", date_from=str(today), date_to=str(today), stdout=out)
    assert f"{today}: 0 free spins, 0 jackpots, 0 campaign codes" in out.getvalue()
