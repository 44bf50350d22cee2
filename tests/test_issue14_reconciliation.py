# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""Issue 14: reconciliation compares free spins (sum and count) and jackpots (sum and count)
per day, vendor and currency, beside bets and wins; every difference is flagged. Our side is
the wallet's ledger (sent through the signed API), the PLATFORM's the simulator's business
report computed from its own book (PROMO-FREESPIN and JACKPOT wins)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from catalog.services import catalog_sync
from operators.models import Operator
from platform_wallet.models import Player, Transaction
from reporting.models import ReconciliationLine
from reporting.services.business_reports import business_report_fetch
from reporting.services.reconciliation import reconciliation_run
from simulator.ledger_book import LedgerBook
from simulator.server import RunningSimulator
from tests.admin_fixtures import finance_client, finance_user  # noqa: F401 - fixtures
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_fixtures import game_make
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    book_entry,
    book_path,
    platform,
    platform_operator,
)
from tests.wallet_client import WalletClient, new_id

FREESPIN, JACKPOT = "PROMO-FREESPIN", "JACKPOT-WIN"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def wallet_api(client: Client, platform_operator: Operator) -> WalletClient:
    return WalletClient(platform_operator)


@pytest.fixture
def gambler(platform_operator: Operator) -> Player:
    game_make(platform_operator, 1001, "Starburst", vendor="netent")
    player = PlayerFactory(operator=platform_operator, user_id="611")
    wallet = wallet_for(player, "EUR", "500.00")
    player.session = session_for(player, wallet, game_id=1001)  # type: ignore[attr-defined]
    return player


def ours(api: WalletClient, kind: str, amount: str, reason: str = "SPIN") -> None:
    """One applied transaction in our ledger; WINs come with no BET and token null, as free
    spins do."""
    context: dict[str, object] = {"reason": reason, "history_id": "h"}
    if reason == FREESPIN:
        context |= {"campaign_code": "WELCOME", "campaign_details": {"left": 1}}
    answer = api.changebalance(
        user_id="611",
        token=None if kind == "WIN" else api.token,  # type: ignore[attr-defined]
        transaction_type=kind,
        transaction_id=new_id(),
        round_finished=kind == "WIN",
        game_id=1001,
        amount=Decimal(amount),
        context=context,
    )
    assert answer.status == "OK", answer.body


def theirs(platform: RunningSimulator, kind: str, amount: str, reason: str = "SPIN") -> None:
    book_entry(platform.state.book, transaction_type=kind, amount=amount, reason=reason)


def reconcile(operator: Operator) -> ReconciliationLine:
    business_report_fetch(operator=operator, date=_today())
    return reconciliation_run(operator=operator, date=_today()).lines.get()


def test_issue14_free_spins_and_jackpots_reconciled_when_both_books_agree(
    platform: RunningSimulator, platform_operator: Operator, wallet_api: WalletClient, gambler
) -> None:
    wallet_api.token = gambler.session.token  # type: ignore[attr-defined]
    for kind, amount, reason in (
        ("BET", "2.00", "SPIN"),
        ("WIN", "7.50", FREESPIN),
        ("WIN", "0.00", FREESPIN),
        ("WIN", "100.00", JACKPOT),
        ("WIN", "1.00", "SPIN"),
    ):
        ours(wallet_api, kind, amount, reason)
        theirs(platform, kind, amount, reason)
    line = reconcile(platform_operator)
    assert not line.mismatch, line.notes
    assert (line.ledger_freespins_sum, line.ledger_freespins_count) == (Decimal("7.50"), 2)
    assert (line.platform_freespins_sum, line.platform_freespins_count) == (Decimal("7.50"), 2)
    assert (line.ledger_jackpots_sum, line.ledger_jackpots_count) == (Decimal("100.00"), 1)
    assert (line.platform_jackpots_sum, line.platform_jackpots_count) == (Decimal("100.00"), 1)
    # free spins and jackpots are wins too, on both sides
    assert (line.ledger_wins_sum, line.ledger_wins_count) == (Decimal("108.50"), 4)


# Each case differs on exactly one of the four columns: bets, wins and GGR agree.
Case = tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], str, dict[str, object]]
DIFFERENCES: dict[str, Case] = {
    "freespins sum": (
        [("WIN", "5.00", FREESPIN), ("WIN", "1.00", "SPIN")],
        [("WIN", "6.00", FREESPIN), ("WIN", "0.00", "SPIN")],
        "free spins sum differs by -1.00",
        {"freespins_sum_diff": Decimal("-1.00")},
    ),
    "freespins count": (
        [("WIN", "3.00", FREESPIN), ("WIN", "0.00", FREESPIN)],
        [("WIN", "3.00", FREESPIN), ("WIN", "0.00", "SPIN")],
        "free spins count differs by +1",
        {"freespins_count_diff": 1},
    ),
    "jackpots sum": (
        [("WIN", "50.00", JACKPOT), ("WIN", "10.00", "SPIN")],
        [("WIN", "60.00", JACKPOT), ("WIN", "0.00", "SPIN")],
        "jackpots sum differs by -10.00",
        {"jackpots_sum_diff": Decimal("-10.00")},
    ),
    "jackpots count": (
        [("WIN", "9.00", "SPIN"), ("WIN", "0.00", "SPIN")],
        [("WIN", "9.00", "SPIN"), ("WIN", "0.00", JACKPOT)],
        "jackpots count differs by -1",
        {"jackpots_count_diff": -1},
    ),
}


@pytest.mark.parametrize("column", list(DIFFERENCES))
def test_issue14_a_difference_on_each_column_is_flagged(
    platform: RunningSimulator,
    platform_operator: Operator,
    wallet_api: WalletClient,
    gambler,
    column: str,
) -> None:
    mine, platforms, note, diffs = DIFFERENCES[column]
    wallet_api.token = gambler.session.token  # type: ignore[attr-defined]
    for kind, amount, reason in mine:
        ours(wallet_api, kind, amount, reason)
    for kind, amount, reason in platforms:
        theirs(platform, kind, amount, reason)
    line = reconcile(platform_operator)
    assert line.mismatch and line.notes == note
    for name in ("bets_sum_diff", "wins_sum_diff", "wins_count_diff", "ggr_diff"):
        assert not getattr(line, name)
    for name in (
        "freespins_sum_diff",
        "freespins_count_diff",
        "jackpots_sum_diff",
        "jackpots_count_diff",
    ):
        assert getattr(line, name) == diffs.get(name, 0)
    assert line.reconciliation.mismatch_count == 1


def test_issue14_reconciliation_page_shows_free_spins_and_jackpots(
    platform: RunningSimulator,
    platform_operator: Operator,
    wallet_api: WalletClient,
    gambler,
    finance_client: Client,
) -> None:
    wallet_api.token = gambler.session.token  # type: ignore[attr-defined]
    ours(wallet_api, "WIN", "4.00", FREESPIN)
    theirs(platform, "WIN", "4.00", FREESPIN)
    theirs(platform, "WIN", "25.00", JACKPOT)
    line = reconcile(platform_operator)
    assert "jackpots sum differs by -25.00" in line.notes
    page = finance_client.get(
        reverse("admin:reporting_reconciliation_change", args=[line.reconciliation_id])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Free spins count ours / PLATFORM" in html and "Jackpots diff" in html
    assert '<strong class="bo-negative">-25.00</strong>' in html  # the jackpots difference
    assert "Free spins paid of the 30 days" in html and "Jackpots paid of the 30 days" in html
    listing = finance_client.get(reverse("admin:reporting_reconciliation_changelist"))
    assert listing.status_code == 200
    assert "Jackpots paid per day" in listing.content.decode()
    export = finance_client.post(
        reverse("admin:reporting_reconciliation_changelist"),
        {"action": "export_csv", "_selected_action": [line.reconciliation_id]},
    )
    csv_text = export.content.decode()
    assert "platform_jackpots_sum" in csv_text.splitlines()[0] and "25.00" in csv_text


def test_issue14_reconcile_command_prints_and_fails_on_a_jackpots_difference(
    platform: RunningSimulator, platform_operator: Operator, wallet_api: WalletClient, gambler
) -> None:
    wallet_api.token = gambler.session.token  # type: ignore[attr-defined]
    ours(wallet_api, "WIN", "3.00", FREESPIN)
    theirs(platform, "WIN", "3.00", FREESPIN)
    theirs(platform, "WIN", "0.00", JACKPOT)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 lines mismatch"):
        call_command(
            "reconcile", operator=platform_operator.operator_id, fetch=True, date=str(_today()),
            stdout=out,
        )  # fmt: skip
    text = out.getvalue()
    assert "free spins 3.00/3.00 (1/1)  jackpots 0.00/0.00 (0/1)" in text
    assert "jackpots count differs by -1" in text


@pytest.mark.django_db(transaction=True)
def test_issue14_simulated_play_reconciles_free_spins_and_jackpots_then_catches_a_difference(
    live_server: object,
    platform: RunningSimulator,
    platform_operator: Operator,
    book_path: Path,
) -> None:
    """simulate_play (free-spin rounds with campaigns, jackpot WINs) -> the simulator's report
    from its own book -> reconcile: clean, with free spins and jackpots on both sides. Then the
    PLATFORM's book drops one free-spin WIN: the free spins columns are flagged."""
    catalog_sync(operator=platform_operator)
    out = StringIO()
    call_command(
        "simulate_play",
        operator=platform_operator.operator_id,
        wallet_url=f"{live_server.url}/api/wallet/",  # type: ignore[attr-defined]
        players=3,
        rounds=30,
        concurrency=3,
        book=book_path,
        seed=14,
        stdout=out,
    )
    assert "All answers as expected." in out.getvalue()
    today = _today()
    business_report_fetch(operator=platform_operator, date=today)
    clean = reconciliation_run(operator=platform_operator, date=today)
    lines = list(clean.lines.all())
    assert clean.is_clean, [line.notes for line in lines]
    freespins = sum(line.ledger_freespins_count for line in lines)
    jackpots = sum(line.ledger_jackpots_count for line in lines)
    assert freespins == sum(line.platform_freespins_count for line in lines) > 0
    assert jackpots == sum(line.platform_jackpots_count for line in lines) > 0
    assert Transaction.objects.exclude(campaign_code="").count() >= freespins

    book = LedgerBook(book_path)
    dropped = next(
        tx
        for tx in book.transactions(operator_id=platform_operator.operator_id)
        if tx.counts and tx.reason == FREESPIN and tx.amount > 0
    )
    assert book.mark_canceled(
        operator_id=platform_operator.operator_id, transaction_id=dropped.transaction_id
    )
    business_report_fetch(operator=platform_operator, date=today)
    flagged = reconciliation_run(operator=platform_operator, date=today).lines.get(mismatch=True)
    assert flagged.vendor == dropped.vendor
    assert (flagged.freespins_sum_diff, flagged.freespins_count_diff) == (dropped.amount, 1)
    assert (flagged.wins_sum_diff, flagged.wins_count_diff) == (dropped.amount, 1)
    assert (flagged.jackpots_sum_diff, flagged.jackpots_count_diff) == (0, 0)
