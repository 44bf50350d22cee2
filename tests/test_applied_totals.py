"""Bets, wins and GGR, summed once (`platform_wallet.selectors`): what the dashboard,
reconciliation, the rounds and the responsible-gambling limits count."""

from __future__ import annotations

from decimal import Decimal

from platform_wallet.models import GameSession, Player, Transaction
from platform_wallet.selectors import AppliedTotals, applied_total, applied_totals
from tests.admin_fixtures import play
from tests.factories import session_for, wallet_for
from tests.wallet_client import WalletClient, new_id


def test_applied_totals_count_applied_bets_and_wins_with_refunds(
    api: WalletClient, player: Player, session: GameSession
) -> None:
    for kind, amount in (("BET", "10.00"), ("BET", "2.50"), ("WIN", "4.00"), ("REFUND", "1.50")):
        assert play(api, session, kind, amount).status == "OK"
    canceled = new_id()
    assert play(api, session, "BET", "20.00", transaction_id=canceled).status == "OK"
    cancel = {"user_id": "611", "transaction_id": canceled, "round_id": 1, "game_id": 200}
    assert api.call("cancel", cancel).status == "OK"
    assert play(api, session, "BET", "999.00").error_code == "OP_31"  # refused
    gbp_session = session_for(player, wallet_for(player, "GBP", "50.00"))
    assert play(api, gbp_session, "BET", "3.00").status == "OK"

    eur = applied_total(Transaction.objects.filter(currency="EUR"))
    assert eur == AppliedTotals(
        bets=Decimal("12.50"),
        bets_count=2,
        wins=Decimal("5.50"),  # WIN + REFUND
        wins_count=2,
        refunds=Decimal("1.50"),
        refunds_count=1,
    )
    assert (eur.ggr, eur.game_wins, eur.game_wins_count) == (Decimal("7.00"), Decimal("4.00"), 1)

    by_currency = applied_totals(Transaction.objects.all(), group_by=("currency",))
    assert by_currency == {
        ("EUR",): eur,
        ("GBP",): AppliedTotals(bets=Decimal("3.00"), bets_count=1),
    }
    assert by_currency[("GBP",)] + eur == AppliedTotals(
        bets=Decimal("15.50"),
        bets_count=3,
        wins=Decimal("5.50"),
        wins_count=2,
        refunds=Decimal("1.50"),
        refunds_count=1,
    )
    nothing = applied_total(Transaction.objects.filter(currency="USD"))
    assert nothing == AppliedTotals() and nothing.ggr == Decimal("0.00")
