# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""Reconciliation: our ledger of a date beside the PLATFORM's business report of that date,
per vendor and currency, every difference flagged. The PLATFORM's side is the simulator, whose
report comes from its own book of what it sent, never from our ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.test import Client

from catalog.services import catalog_sync
from operators.models import Operator
from platform_wallet.models import Player, Transaction, TransactionStatus
from reporting.errors import BusinessReportMissing
from reporting.models import Reconciliation
from reporting.services.business_reports import business_report_fetch
from reporting.services.reconciliation import reconciliation_run
from simulator.ledger_book import BookTransaction, LedgerBook
from simulator.server import RunningSimulator
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_fixtures import game_make
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    SIM_OPERATOR_ID,
    book_entry,
    book_path,
    fast_client,
    platform,
    platform_operator,
)
from tests.wallet_client import WalletClient, new_id


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def wallet_api(client: Client, platform_operator: Operator) -> WalletClient:
    return WalletClient(platform_operator)


@pytest.fixture
def gambler(platform_operator: Operator) -> Player:
    player = PlayerFactory(operator=platform_operator, user_id="611")
    wallet = wallet_for(player, "EUR", "500.00")
    player.session = session_for(player, wallet, game_id=1001)  # type: ignore[attr-defined]
    return player


def _bet(api: WalletClient, player: Player, game_id: int, amount: str, **extra: object) -> int:
    transaction_id = int(extra.pop("transaction_id", 0)) or new_id()  # type: ignore[call-overload]
    answer = api.changebalance(
        user_id=player.user_id,
        token=player.session.token,  # type: ignore[attr-defined]
        transaction_type=extra.pop("transaction_type", "BET"),
        transaction_id=transaction_id,
        game_id=game_id,
        amount=Decimal(amount),
        **extra,
    )
    assert answer.status == "OK", answer.body
    return transaction_id


def test_spec_reconciliation_per_vendor_and_currency_flags_every_difference(
    platform: RunningSimulator,
    platform_operator: Operator,
    wallet_api: WalletClient,
    gambler: Player,
) -> None:
    game_make(platform_operator, 1001, "Starburst", vendor="netent")
    game_make(platform_operator, 2002, "Lightning Roulette", vendor="evolution")
    # Our ledger today: netent bets 10 + 2, wins: a WIN of 4 and a REFUND of 2.
    _bet(wallet_api, gambler, 1001, "10.00")
    _bet(wallet_api, gambler, 1001, "2.00")
    _bet(wallet_api, gambler, 1001, "4.00", transaction_type="WIN")
    _bet(wallet_api, gambler, 1001, "2.00", transaction_type="REFUND")
    # Canceled: not counted.
    canceled = _bet(wallet_api, gambler, 1001, "5.00")
    assert wallet_api.call(
        "cancel",
        {"user_id": "611", "transaction_id": canceled, "round_id": 1, "round_finished": True,
         "game_id": 1001},
    ).status == "OK"  # fmt: skip
    # Refused (OP_31): not counted.
    refused = wallet_api.changebalance(
        user_id="611",
        token=gambler.session.token,  # type: ignore[attr-defined]
        game_id=1001,
        amount=Decimal("9999.00"),
    )
    assert refused.error_code == "OP_31"
    # A game the catalog does not know: under "unknown".
    _bet(wallet_api, gambler, 3003, "3.00")
    # Yesterday's BET (recorded before midnight UTC): not in today's figures.
    old = _bet(wallet_api, gambler, 1001, "40.00")
    before_midnight = dt.datetime.combine(_today(), dt.time.min, tzinfo=dt.UTC) - dt.timedelta(
        seconds=1
    )
    Transaction.objects.filter(transaction_id=old).update(
        created_at=before_midnight,
        transaction_timestamp=before_midnight.strftime("%Y-%m-%d %H:%M:%S"),
    )
    # Stamped by the PLATFORM at 23:59:59 yesterday, reaching us after midnight: yesterday's.
    late = _bet(wallet_api, gambler, 1001, "50.00")
    Transaction.objects.filter(transaction_id=late).update(
        transaction_timestamp=before_midnight.strftime("%Y-%m-%d %H:%M:%S")
    )
    # The PLATFORM's book of the same day: netent agrees, evolution GBP only on its side.
    book = platform.state.book
    for kind, amount in (("BET", "10.00"), ("BET", "2.00"), ("WIN", "4.00"), ("REFUND", "2.00")):
        book_entry(book, transaction_type=kind, amount=amount, vendor="netent")
    book_entry(book, transaction_type="BET", amount="7.00", vendor="evolution", currency="GBP")

    business_report_fetch(operator=platform_operator, date=_today())
    result = reconciliation_run(operator=platform_operator, date=_today())

    lines = {(line.vendor, line.currency): line for line in result.lines.all()}
    assert set(lines) == {("netent", "EUR"), ("unknown", "EUR"), ("evolution", "GBP")}
    netent = lines["netent", "EUR"]
    assert not netent.mismatch, netent.notes
    assert (netent.ledger_bets_sum, netent.ledger_bets_count) == (Decimal("12.00"), 2)
    assert (netent.ledger_wins_sum, netent.ledger_wins_count) == (Decimal("6.00"), 2)
    assert netent.ledger_ggr == netent.platform_ggr == Decimal("6.00")
    assert netent.in_ledger and netent.in_report

    unknown = lines["unknown", "EUR"]
    assert unknown.mismatch and unknown.in_ledger and not unknown.in_report
    assert (unknown.bets_sum_diff, unknown.bets_count_diff) == (Decimal("3.00"), 1)
    assert unknown.ggr_diff == Decimal("3.00")
    assert "only in our ledger" in unknown.notes

    evolution = lines["evolution", "GBP"]
    assert evolution.mismatch and evolution.in_report and not evolution.in_ledger
    assert evolution.platform_bets_sum == Decimal("7.00")
    assert evolution.bets_sum_diff == Decimal("-7.00")
    assert evolution.ggr_diff == Decimal("-7.00")

    assert (result.line_count, result.mismatch_count, result.is_clean) == (3, 2, False)


def test_spec_reconciliation_flags_a_changed_amount(
    platform: RunningSimulator,
    platform_operator: Operator,
    wallet_api: WalletClient,
    gambler: Player,
) -> None:
    game_make(platform_operator, 1001, "Starburst", vendor="netent")
    transaction_id = _bet(wallet_api, gambler, 1001, "10.00")
    # The PLATFORM's book says the same transaction was 10.50.
    platform.state.book.record(
        BookTransaction(
            operator_id=SIM_OPERATOR_ID,
            transaction_id=transaction_id,
            transaction_type="BET",
            round_id=1,
            user_id="611",
            game_id=1001,
            vendor="netent",
            currency_code="EUR",
            amount=Decimal("10.50"),
            transaction_timestamp=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        )
    )
    business_report_fetch(operator=platform_operator, date=_today())
    line = reconciliation_run(operator=platform_operator, date=_today()).lines.get()
    assert line.mismatch
    assert line.bets_count_diff == 0
    assert line.bets_sum_diff == Decimal("-0.50")
    assert line.ggr_diff == Decimal("-0.50")
    assert "bets sum differs by -0.50" in line.notes


def test_reconciliation_rerun_replaces_its_lines(
    platform: RunningSimulator,
    platform_operator: Operator,
    wallet_api: WalletClient,
    gambler: Player,
) -> None:
    game_make(platform_operator, 1001, "Starburst", vendor="netent")
    _bet(wallet_api, gambler, 1001, "10.00")
    business_report_fetch(operator=platform_operator, date=_today())
    first = reconciliation_run(operator=platform_operator, date=_today())
    assert first.mismatch_count == 1
    book_entry(platform.state.book, transaction_type="BET", amount="10.00", vendor="netent")
    business_report_fetch(operator=platform_operator, date=_today())
    second = reconciliation_run(operator=platform_operator, date=_today())
    assert second.pk == first.pk
    assert second.is_clean
    assert Reconciliation.objects.count() == 1
    assert second.lines.count() == 1


def test_reconciliation_needs_the_business_report_of_the_date(
    platform_operator: Operator,
) -> None:
    with pytest.raises(BusinessReportMissing, match="fetch it first"):
        reconciliation_run(operator=platform_operator, date=_today())
    with pytest.raises(CommandError, match="fetch it first"):
        call_command("reconcile", operator=SIM_OPERATOR_ID, date=_today().isoformat())


def _ledger_totals(operator: Operator) -> dict[str, object]:
    ok = Q(status=TransactionStatus.OK)
    return Transaction.objects.filter(ok, operator=operator).aggregate(
        bets=Sum("amount", filter=Q(transaction_type="BET")),
        wins=Sum("amount", filter=~Q(transaction_type="BET")),
        n=Count("id"),
    )


@pytest.mark.django_db(transaction=True)
def test_spec_reconciliation_of_simulated_play_is_clean_then_flags_a_deliberate_mismatch(
    live_server: object,
    platform: RunningSimulator,
    platform_operator: Operator,
    book_path: Path,
) -> None:
    """simulate_play against our wallet over HTTP -> the simulator's own report -> fetch ->
    reconcile: two independent books agree. Then one WIN only our ledger knows, and one BET
    the PLATFORM canceled without telling us: both flagged."""
    catalog_sync(operator=platform_operator)
    out = StringIO()
    call_command(
        "simulate_play",
        operator=SIM_OPERATOR_ID,
        wallet_url=f"{live_server.url}/api/wallet/",  # type: ignore[attr-defined]
        players=4,
        rounds=8,
        concurrency=3,
        book=book_path,
        seed=20240503,
        stdout=out,
    )
    assert "All answers as expected." in out.getvalue()
    assert Transaction.objects.filter(status=TransactionStatus.CANCELED).exists()

    out = StringIO()
    call_command(
        "reconcile", operator=SIM_OPERATOR_ID, date=_today().isoformat(), fetch=True, stdout=out
    )
    clean = Reconciliation.objects.get(operator=platform_operator, date=_today())
    assert clean.is_clean, out.getvalue()
    assert clean.line_count >= 2  # several vendors played
    assert "no mismatch" in out.getvalue()
    ours = _ledger_totals(platform_operator)
    lines = list(clean.lines.all())
    assert sum(line.ledger_bets_sum for line in lines) == ours["bets"]
    assert sum(line.platform_wins_sum for line in lines) == ours["wins"]
    assert all(line.vendor != "unknown" for line in lines)

    # 1. A WIN recorded in our ledger that the PLATFORM's book does not know.
    player = Player.objects.filter(operator=platform_operator).first()
    assert player is not None
    played = Transaction.objects.filter(player=player, status=TransactionStatus.OK).first()
    assert played is not None and played.game_id is not None
    extra = WalletClient(platform_operator).changebalance(
        user_id=player.user_id,
        token=None,
        transaction_type="WIN",
        game_id=played.game_id,
        currency_code=played.currency,
        amount=Decimal("12.34"),
    )
    assert extra.status == "OK"
    # 2. A BET the PLATFORM's book holds as canceled while our ledger has it OK.
    book = LedgerBook(book_path)
    win_vendor = platform.state.vendor_of(played.game_id)
    bet = next(
        tx
        for tx in book.transactions(operator_id=SIM_OPERATOR_ID)
        if tx.counts and tx.transaction_type == "BET" and tx.vendor != win_vendor
    )
    assert book.mark_canceled(operator_id=SIM_OPERATOR_ID, transaction_id=bet.transaction_id)

    with pytest.raises(CommandError, match=r"2 of \d+ lines mismatch"):
        call_command(
            "reconcile", operator=SIM_OPERATOR_ID, date=_today().isoformat(), fetch=True,
            stdout=StringIO(),
        )  # fmt: skip
    flagged = {line.vendor: line for line in clean.lines.filter(mismatch=True)}
    assert set(flagged) == {win_vendor, bet.vendor}
    assert flagged[str(win_vendor)].wins_sum_diff == Decimal("12.34")
    assert flagged[str(win_vendor)].wins_count_diff == 1
    assert flagged[str(win_vendor)].bets_sum_diff == 0
    assert flagged[bet.vendor].bets_sum_diff == bet.amount
    assert flagged[bet.vendor].bets_count_diff == 1
    assert flagged[bet.vendor].wins_sum_diff == 0
