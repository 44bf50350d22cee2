"""Issue 12, "My activity": the logged-in player's own transactions (bets, wins, refunds;
canceled and refused ones marked), newest first, a page at a time by keyset (never a COUNT),
filtered by whole UTC days and currency, with the period's totals."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lobby import activity
from platform_wallet.models import (
    GameSession,
    Player,
    Transaction,
    TransactionStatus,
    Wallet,
)
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_fixtures import game_make, login_for
from tests.test_wallet_cancel_status_finishround import cancel
from tests.wallet_client import WalletClient, new_id

D = Decimal
URL = "/account/activity/"
_ids = itertools.count(900_000)


@pytest.fixture
def player_client(client: Client, player: Player, wallet: Wallet) -> Client:
    client.force_login(login_for(player, "john"))
    return client


def play(api: WalletClient, session: GameSession, kind: str, amount: str, **data) -> int:
    transaction_id = new_id()
    api.changebalance(
        transaction_type=kind,
        amount=D(amount),
        user_id=session.player.user_id,
        token=session.token,
        transaction_id=transaction_id,
        currency_code=session.wallet.currency,
        **data,
    )
    return transaction_id


def row(player: Player, wallet: Wallet, at: dt.datetime, **fields) -> Transaction:
    """A stored transaction at a chosen moment (the API stamps the current time)."""
    values = {
        "transaction_type": "BET",
        "status": TransactionStatus.OK,
        "amount": D("1.00"),
        "round_id": next(_ids),
        "game_id": 200,
        **fields,
    }
    return Transaction.objects.create(
        operator=player.operator,
        transaction_id=next(_ids),
        player=player,
        wallet=wallet,
        currency=wallet.currency,
        created_at=at,
        **values,
    )


def shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-transaction-id="(\d+)"', html)]


def test_issue12_activity_shows_the_players_own_rows_marked_with_totals(
    player_client: Client, api: WalletClient, player: Player, session: GameSession, operator
) -> None:
    game_make(operator, 200, "Fruit Party")
    bet1 = play(api, session, "BET", "10.00")
    win = play(api, session, "WIN", "4.50")
    refund = play(api, session, "REFUND", "1.25")
    canceled = play(api, session, "BET", "3.00")
    assert cancel(api, canceled).status == "OK"
    refused = play(api, session, "BET", "1000.00")  # more than the balance: OP_31
    # Another player's rows, in the same currency and the same moments.
    other = PlayerFactory(operator=player.operator, user_id="612")
    other_session = session_for(other, wallet_for(other, "EUR", "100.00"))
    theirs = play(api, other_session, "BET", "7.00")

    response = player_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert shown_ids(html) == [refused, canceled, refund, win, bet1]  # newest first
    assert theirs not in shown_ids(html) and "7.00" not in html
    assert html.count('data-testid="status-canceled"') == 1
    assert re.search(rf'data-transaction-id="{canceled}".*?Canceled', html, re.S)
    assert re.search(rf'data-transaction-id="{refused}".*?Refused: not enough funds', html, re.S)
    assert "Fruit Party" in html
    # Totals: applied ones only (the canceled and the refused BET do not count).
    assert 'data-testid="total-bets">€10.00<' in html
    assert 'data-testid="total-wins">€4.50<' in html
    assert 'data-testid="total-refunds">€1.25<' in html
    assert 'data-testid="total-net">-€4.25<' in html


def test_issue12_activity_totals_per_currency(player: Player, wallet: Wallet) -> None:
    usd = wallet_for(player, "USD", "100.00")
    at = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    row(player, wallet, at, amount=D("5.00"))
    row(player, wallet, at, transaction_type="WIN", amount=D("2.00"))
    row(player, wallet, at, transaction_type="REFUND", amount=D("1.00"))
    row(player, wallet, at, amount=D("9.00"), status=TransactionStatus.CANCELED)
    row(player, wallet, at, amount=D("8.00"), status=TransactionStatus.ERROR, error_code="OP_32")
    row(player, usd, at, amount=D("50.00"))
    period = activity.period_bounds(dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    eur = activity.activity_totals(player=player, currency="EUR", period=period)
    assert (eur.bets, eur.game_wins, eur.refunds, eur.wins - eur.bets) == (
        D("5.00"),
        D("2.00"),
        D("1.00"),
        D("-2.00"),
    )
    dollars = activity.activity_totals(player=player, currency="USD", period=period)
    assert dollars.bets == D("50.00")
    page = activity.activity_page(player=player, currency="USD", period=period)
    assert [r.amount for r in page.rows] == [D("50.00")]


def test_issue12_activity_date_filter_is_whole_utc_days(player: Player, wallet: Wallet) -> None:
    day_start = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    before = row(player, wallet, day_start - dt.timedelta(microseconds=1))
    first = row(player, wallet, day_start)
    last = row(player, wallet, day_start + dt.timedelta(days=2) - dt.timedelta(microseconds=1))
    after = row(player, wallet, day_start + dt.timedelta(days=2))
    period = activity.period_bounds(dt.date(2026, 3, 10), dt.date(2026, 3, 11))
    assert (period.start, period.end) == (day_start, day_start + dt.timedelta(days=2))
    page = activity.activity_page(player=player, currency="EUR", period=period)
    ids = [r.transaction_id for r in page.rows]
    assert ids == [last.transaction_id, first.transaction_id]
    assert before.transaction_id not in ids and after.transaction_id not in ids
    totals = activity.activity_totals(player=player, currency="EUR", period=period)
    assert totals.bets_count == 2
    # Given the wrong way round, the dates are swapped; a period is at most MAX_DAYS long.
    assert activity.period_bounds(dt.date(2026, 3, 11), dt.date(2026, 3, 10)) == period
    long = activity.period_bounds(dt.date(2020, 1, 1), dt.date(2026, 3, 10))
    assert (long.last - long.first).days == activity.MAX_DAYS - 1
    # Dates at the calendar's ends never overflow (a 500): they are clamped.
    for extreme in (dt.date.min, dt.date.max):
        clamped = activity.period_bounds(extreme, extreme)
        assert clamped.start < clamped.end


def test_issue12_activity_survives_odd_dates(player_client: Client) -> None:
    for query in (
        "?start=0001-01-01&end=0001-01-01",
        "?start=9999-12-31&end=9999-12-31",
        "?start=nonsense&end=2026-02-30",
        "?cursor=" + "9" * 70,
    ):
        assert player_client.get(URL + query).status_code == 200, query


def test_issue12_activity_pages_by_keyset_without_a_count(
    player_client: Client, player: Player, wallet: Wallet
) -> None:
    base = dt.datetime(2026, 3, 10, 8, tzinfo=dt.UTC)
    # 7 rows, three of them at the very same moment (the id breaks the tie).
    moments = [base, base, base, *(base + dt.timedelta(minutes=m) for m in (1, 2, 3, 4))]
    rows = [row(player, wallet, at) for at in moments]
    newest_first = [
        r.transaction_id for r in sorted(rows, key=lambda r: (r.created_at, r.pk), reverse=True)
    ]
    period = activity.period_bounds(dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    seen: list[int] = []
    cursor = ""
    with CaptureQueriesContext(connection) as queries:
        for _ in range(4):
            page = activity.activity_page(
                player=player, currency="EUR", period=period, cursor=cursor, size=3
            )
            seen += [r.transaction_id for r in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert seen == newest_first
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    # Through the page: "Older" links carry the cursor; a bad cursor shows the first page.
    query = "?start=2026-03-10&end=2026-03-10&currency=EUR"
    html = player_client.get(URL + query).content.decode()
    assert shown_ids(html) == newest_first  # 7 rows fit one page of 25
    assert 'data-testid="older"' not in html
    assert shown_ids(player_client.get(URL + query + "&cursor=x.y.z").content.decode()) == (
        newest_first
    )


def test_issue12_activity_cursor_round_trips() -> None:
    moment = dt.datetime(2026, 3, 10, 8, 30, 5, 123456, tzinfo=dt.UTC)
    assert activity.cursor_decode(activity.cursor_encode(moment, 42)) == (moment, 42)
    for bad in ("", "1.2", "a.b.c", "1.1000000.3", "-1.0.3", "99999999999999.0.1"):
        assert activity.cursor_decode(bad) is None


def test_issue12_activity_needs_a_login_and_a_player(client: Client, django_user_model) -> None:
    assert client.get(URL).status_code == 302
    client.force_login(django_user_model.objects.create_user("staffer", password="x"))
    assert client.get(URL).status_code == 302  # no player account: back to the lobby


@pytest.mark.postgres
def test_issue12_activity_query_uses_the_player_created_at_index(
    player: Player, wallet: Wallet
) -> None:
    """The page's query is served by transaction_player_recent (player, created_at DESC)."""
    period = activity.period_bounds(dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    rows = activity._player_transactions(player=player, currency="EUR", period=period)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = rows.order_by("-created_at", "-pk")[:26].explain()
    assert "transaction_player_recent" in plan


def test_issue12_a_round_shows_its_transactions_and_never_anothers(
    player_client: Client, api: WalletClient, player: Player, session: GameSession, operator
) -> None:
    game_make(operator, 200, "Fruit Party")
    round_id = new_id()
    bet_id = play(api, session, "BET", "2.00", round_id=round_id)
    win_id = play(api, session, "WIN", "5.00", round_id=round_id, round_finished=True)
    play(api, session, "BET", "1.00")  # another round
    other = PlayerFactory(operator=player.operator, user_id="612")
    other_round = new_id()
    play(
        api,
        session_for(other, wallet_for(other, "EUR", "100.00")),
        "BET",
        "7.00",
        round_id=other_round,
    )

    html = player_client.get(f"{URL}round/{round_id}/").content.decode()
    assert shown_ids(html) == [bet_id, win_id]  # as the round was played
    assert "Fruit Party" in html and 'data-testid="round-net">€3.00<' in html
    assert f'href="/account/activity/round/{round_id}/"' in player_client.get(URL).content.decode()
    assert player_client.get(f"{URL}round/{other_round}/").status_code == 404
    assert player_client.get(f"{URL}round/{2**64}/").status_code == 404
