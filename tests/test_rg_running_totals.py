"""Issue 13, flat at scale: responsible-gambling limits are checked on running totals
(`platform_wallet.ledger.day_totals`), exact and race-free, never by summing the period's
transactions on every BET. Spec: changebalance, OP_32 (Exception handling)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from platform_wallet.ledger import day_totals
from platform_wallet.models import (
    GameSession,
    Player,
    ResponsibleGamblingLimits,
    Transaction,
    Wallet,
    WalletDayTotal,
)
from platform_wallet.selectors import applied_total
from tests.admin_fixtures import play
from tests.wallet_client import Answer, WalletClient, new_id

T_TX = Transaction._meta.db_table


def cancel(api: WalletClient, transaction_id: int) -> Answer:
    data = {"user_id": "611", "transaction_id": transaction_id, "round_id": 1, "game_id": 200}
    return api.call("cancel", data)


def kept_today(wallet: Wallet) -> tuple[Decimal, Decimal]:
    row = WalletDayTotal.objects.get(wallet=wallet, day=timezone.now().date())
    return row.bets, row.wins


def test_issue13_no_totals_are_kept_for_a_player_without_limits(
    api: WalletClient, session: GameSession, wallet: Wallet
) -> None:
    assert play(api, session, "BET", "10.00").status == "OK"
    assert play(api, session, "WIN", "4.00").status == "OK"
    wallet.refresh_from_db()
    assert wallet.totals_since is None
    assert not WalletDayTotal.objects.exists()


def test_issue13_spec_op_32_the_first_limited_bet_counts_the_history_before_the_limits(
    api: WalletClient, player: Player, session: GameSession, wallet: Wallet
) -> None:
    """Bets made before the limit was set count in its period (summed once, at the start)."""
    assert play(api, session, "BET", "10.00").status == "OK"
    assert play(api, session, "WIN", "1.00").status == "OK"
    ResponsibleGamblingLimits.objects.create(player=player, daily_wager_limit=Decimal("15.00"))
    assert play(api, session, "BET", "6.00").error_code == "OP_32"
    assert play(api, session, "BET", "5.00").status == "OK"
    wallet.refresh_from_db()
    assert wallet.totals_since is not None and wallet.totals_since <= timezone.now().date()
    assert kept_today(wallet) == (Decimal("15.00"), Decimal("1.00"))


def test_issue13_every_money_movement_keeps_the_totals_exact(
    api: WalletClient, player: Player, session: GameSession, wallet: Wallet
) -> None:
    """BETs, WINs, REFUNDs, refusals and cancels of either: the day's row always equals what
    `applied_total` sums from the transactions, on both write paths (a BET of a limited player
    takes the portable one, its WINs the single statement on PostgreSQL)."""
    ResponsibleGamblingLimits.objects.create(player=player, monthly_loss_limit=Decimal("100000.00"))
    assert play(api, session, "BET", "10.00").status == "OK"  # starts the totals
    canceled_bet, canceled_win = new_id(), new_id()
    steps = [
        ("BET", "7.25", None),
        ("WIN", "3.10", None),
        ("REFUND", "1.00", None),
        ("BET", "5000.00", "OP_31"),  # refused: counts nothing
        ("BET", "20.00", canceled_bet),
        ("WIN", "8.00", canceled_win),
    ]
    for kind, amount, extra in steps:
        kwargs = {"transaction_id": extra} if isinstance(extra, int) else {}
        answer = play(api, session, kind, amount, **kwargs)
        assert (answer.error_code or answer.status) == (extra if isinstance(extra, str) else "OK")
    assert cancel(api, canceled_bet).status == "OK"
    assert cancel(api, canceled_win).status == "OK"
    assert cancel(api, canceled_win).status == "OK"  # a repeat moves nothing
    expected = applied_total(Transaction.objects.filter(wallet=wallet))
    assert (
        kept_today(wallet) == (expected.bets, expected.wins) == (Decimal("17.25"), Decimal("4.10"))
    )
    assert day_totals.mismatches() == []
    call_command("check_ledger")


def test_issue13_a_cancel_takes_the_amount_back_from_the_day_it_was_counted_in(
    api: WalletClient, player: Player, session: GameSession, wallet: Wallet
) -> None:
    ResponsibleGamblingLimits.objects.create(player=player, weekly_wager_limit=Decimal("500.00"))
    old_bet = new_id()
    assert play(api, session, "BET", "30.00", transaction_id=old_bet).status == "OK"
    assert play(api, session, "BET", "1.00").status == "OK"
    # The first BET was made yesterday (the totals kept from the day before).
    yesterday = timezone.now() - dt.timedelta(days=1)
    Transaction.objects.filter(transaction_id=old_bet).update(created_at=yesterday)
    WalletDayTotal.objects.filter(wallet=wallet).delete()
    Wallet.objects.filter(pk=wallet.pk).update(totals_since=None)
    assert play(api, session, "BET", "2.00").status == "OK"  # starts again: sums per day
    rows = dict(WalletDayTotal.objects.filter(wallet=wallet).values_list("day", "bets"))
    assert rows[yesterday.date()] == Decimal("30.00")
    assert rows[timezone.now().date()] == Decimal("3.00")
    assert cancel(api, old_bet).status == "OK"
    rows = dict(WalletDayTotal.objects.filter(wallet=wallet).values_list("day", "bets"))
    assert rows[yesterday.date()] == Decimal("0.00")
    assert rows[timezone.now().date()] == Decimal("3.00")
    assert day_totals.mismatches() == []


def test_issue13_a_day_outside_every_period_is_not_counted(
    api: WalletClient, player: Player, session: GameSession, wallet: Wallet
) -> None:
    ResponsibleGamblingLimits.objects.create(player=player, daily_wager_limit=Decimal("10.00"))
    assert play(api, session, "BET", "4.00").status == "OK"
    WalletDayTotal.objects.create(
        wallet=wallet, day=timezone.now().date() - dt.timedelta(days=1), bets=Decimal("90.00")
    )
    assert play(api, session, "BET", "6.00").status == "OK"  # yesterday is not today
    assert play(api, session, "BET", "0.01").error_code == "OP_32"


def test_issue13_a_limited_bet_sums_no_transactions(
    api: WalletClient, player: Player, session: GameSession
) -> None:
    """The point of running totals: once started, a BET's limit check reads the day rows only,
    never an aggregate over the transactions table."""
    ResponsibleGamblingLimits.objects.create(
        player=player,
        daily_wager_limit=Decimal("500.00"),
        weekly_loss_limit=Decimal("500.00"),
        monthly_wager_limit=Decimal("500.00"),
    )
    assert play(api, session, "BET", "1.00").status == "OK"  # starts the totals
    with CaptureQueriesContext(connection) as queries:
        assert play(api, session, "BET", "1.00").status == "OK"
    summing = [
        q["sql"]
        for q in queries.captured_queries
        if "SUM(" in q["sql"].upper() and T_TX in q["sql"]
    ]
    assert summing == []


def test_issue13_check_ledger_finds_a_running_total_that_drifted(
    api: WalletClient, player: Player, session: GameSession, wallet: Wallet
) -> None:
    ResponsibleGamblingLimits.objects.create(player=player, daily_wager_limit=Decimal("500.00"))
    assert play(api, session, "BET", "1.00").status == "OK"
    WalletDayTotal.objects.filter(wallet=wallet).update(bets=Decimal("2.00"))
    assert day_totals.mismatches() == [(wallet.pk, timezone.now().date())]
    with pytest.raises(Exception, match="running totals"):
        call_command("check_ledger")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_issue13_concurrent_bets_wins_and_cancels_keep_the_totals_exact() -> None:
    """Race-free: BETs (portable path, under the wallet's lock) and WINs (the single statement)
    of a limited player at once, then cancels at once: the totals equal the transactions."""
    from tests.factories import OperatorFactory, PlayerFactory, session_for, wallet_for
    from tests.test_wallet_concurrency import run_at_once

    operator = OperatorFactory(operator_id="race", secret_key="race-secret")
    PlayerFactory(operator=operator, user_id="racer")
    player = Player.objects.get(operator__operator_id="race", user_id="racer")
    wallet = wallet_for(player, "EUR", "100.00")
    session = session_for(player, wallet)
    ResponsibleGamblingLimits.objects.create(player=player, daily_wager_limit=Decimal("55.00"))
    ids = [new_id() for _ in range(12)]

    def call(index: int) -> Answer:
        return WalletClient(operator).changebalance(
            transaction_type="BET" if index % 2 == 0 else "WIN",
            amount=Decimal("10.00"),
            user_id="racer",
            token=session.token,
            transaction_id=ids[index],
        )

    answers = run_at_once(12, call)
    outcome = Counter(a.status if a.status == "OK" else a.error_code for a in answers)
    assert outcome == {"OK": 11, "OP_32": 1}  # six BETs of 10.00 against 55.00: five pass

    def cancel_call(index: int) -> Answer:
        data = {"user_id": "racer", "transaction_id": ids[index], "round_id": 1, "game_id": 200}
        return WalletClient(operator).call("cancel", data)

    run_at_once(6, cancel_call)
    assert day_totals.mismatches() == []
    expected = applied_total(Transaction.objects.filter(wallet=wallet))
    assert kept_today(wallet) == (expected.bets, expected.wins)
