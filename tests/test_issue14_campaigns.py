# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""Issue 14, campaigns in the backoffice: per campaign code (and currency) its vendors,
players, spins, total paid, first and last use; CSV export; a player's free-spin history from
the player page. Transactions are sent through the signed API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from operators.models import Operator
from platform_wallet.models import Player, Transaction
from reporting.selectors import campaign_summaries, campaign_wins
from tests.admin_fixtures import (  # noqa: F401 - fixtures
    finance_client,
    finance_user,
    support_client,
    support_user,
)
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_fixtures import game_make
from tests.wallet_client import WalletClient, new_id

URL = "/admin/backoffice/campaign/"


@pytest.fixture
def played(operator: Operator, api: WalletClient) -> dict[str, Player]:
    """WELCOME paid 3 spins to two players on two vendors' games; FRIDAY one in GBP; a refused,
    a canceled and an ordinary WIN that do not count."""
    game_make(operator, 1001, "Starburst", vendor="netent")
    game_make(operator, 2002, "Sweet Bonanza", vendor="pragmatic")
    players = {}
    for user_id, currency in (("611", "EUR"), ("612", "EUR"), ("613", "GBP")):
        player = PlayerFactory(operator=operator, user_id=user_id)
        wallet = wallet_for(player, currency, "10.00")
        session_for(player, wallet, game_id=1001)
        players[user_id] = player

    def spin(user_id, code, amount, game_id=1001, currency="EUR", reason="PROMO-FREESPIN"):
        transaction_id = new_id()
        answer = api.changebalance(
            transaction_type="WIN",
            transaction_id=transaction_id,
            round_finished=True,
            user_id=user_id,
            token=None,
            game_id=game_id,
            currency_code=currency,
            amount=Decimal(amount),
            context={"reason": reason, "campaign_code": code, "campaign_details": {"n": 1}},
        )
        return transaction_id, answer

    spin("611", "WELCOME", "1.50")
    spin("611", "WELCOME", "0.00", game_id=2002)
    spin("612", "WELCOME", "2.25")
    spin("613", "FRIDAY", "4.00", currency="GBP")
    _tx, refused = spin("612", "WELCOME", "9.00", currency="USD")  # no USD wallet: OP_30
    assert refused.error_code == "OP_30"
    canceled, answer = spin("612", "WELCOME", "5.00")
    assert answer.status == "OK"
    assert (
        api.call(
            "cancel",
            {
                "user_id": "612",
                "transaction_id": canceled,
                "round_id": Transaction.objects.get(transaction_id=canceled).round_id,
                "round_finished": True,
                "game_id": 1001,
            },
        ).status
        == "OK"
    )
    spin("611", "", "3.00", reason="SPIN")  # no campaign
    return players


def test_issue14_campaign_summaries_per_code_and_currency(played) -> None:
    summaries = {(s.campaign_code, s.currency): s for s in campaign_summaries(campaign_wins())}
    assert set(summaries) == {("WELCOME", "EUR"), ("FRIDAY", "GBP")}
    welcome = summaries["WELCOME", "EUR"]
    assert welcome.vendors == ("netent", "pragmatic")
    assert (welcome.players, welcome.spins, welcome.paid) == (2, 3, Decimal("3.75"))
    assert welcome.first_use <= welcome.last_use
    friday = summaries["FRIDAY", "GBP"]
    assert (friday.vendors, friday.players, friday.spins, friday.paid) == (
        ("netent",),
        1,
        1,
        Decimal("4.00"),
    )
    assert [s.campaign_code for s in campaign_summaries(campaign_wins(code="FRIDAY"))] == ["FRIDAY"]
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert campaign_summaries(campaign_wins(start=tomorrow)) == []


def test_issue14_campaigns_page_and_csv(played, finance_client: Client) -> None:
    page = finance_client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "WELCOME" in html and "FRIDAY" in html and "netent, pragmatic" in html
    assert "€3.75" in html and "£4.00" in html
    # each code links to its transactions
    transactions = finance_client.get(reverse("admin:platform_wallet_transaction_changelist"), {
        "campaign": "WELCOME"
    })  # fmt: skip
    assert transactions.status_code == 200
    assert len(transactions.context["cl"].result_list) == 5  # 3 paid, the refused, the canceled

    export = finance_client.get(URL, {"export": "csv", "code": "WELCOME"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [(r["campaign_code"], r["currency"], r["spins"], r["total_paid"]) for r in rows] == [
        ("WELCOME", "EUR", "3", "3.75")
    ]
    assert rows[0]["vendors"] == "netent pragmatic" and rows[0]["players"] == "2"

    filtered = finance_client.get(URL, {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert "No campaign has paid a spin with these filters" in filtered.content.decode()


def test_issue14_campaigns_page_shows_the_last_30_days_unless_asked(
    played, finance_client: Client
) -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)
    Transaction.objects.filter(campaign_code="FRIDAY").update(created_at=long_ago)
    html = finance_client.get(URL).content.decode()
    assert "WELCOME" in html and "FRIDAY" not in html
    assert "FRIDAY" in finance_client.get(URL, {"date_from": "2000-01-01"}).content.decode()


def test_issue14_campaigns_page_is_for_staff_with_the_permission(
    played, support_client: Client, client: Client
) -> None:
    assert support_client.get(URL).status_code == 200
    assert client.get(URL).status_code == 302  # to the admin login


def test_issue14_player_page_shows_free_spin_history(played, support_client: Client) -> None:
    player = played["611"]
    page = support_client.get(reverse("admin:platform_wallet_player_change", args=[player.pk]))
    html = page.content.decode()
    assert "2 paid €1.50 (history)" in html
    link = reverse("admin:platform_wallet_transaction_changelist")
    history = support_client.get(
        link,
        {"operator__id__exact": player.operator_id, "user": "611", "is_freespin__exact": "1"},
    )
    assert history.status_code == 200
    assert {t.amount for t in history.context["cl"].result_list} == {
        Decimal("1.50"),
        Decimal("0.00"),
    }
    other = support_client.get(
        reverse("admin:platform_wallet_player_change", args=[played["613"].pk])
    )
    assert "1 paid £4.00 (history)" in other.content.decode()
