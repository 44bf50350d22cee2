# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""Hand history API for one of our transactions: its transaction_id, its changebalance
context.history_id and its game's vendor (X-Vendor-Id); both answer types, json and url."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from operators.models import Operator
from platform_client import PlatformApiError
from platform_wallet.models import Transaction
from reporting.errors import HandHistoryUnavailable
from reporting.services.hand_history import hand_history_fetch
from simulator.server import RunningSimulator
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.lobby_fixtures import game_make
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    book_path,
    fast_client,
    platform,
    platform_operator,
)
from tests.wallet_client import WalletClient, new_id


def _played(
    operator: Operator, game_id: int, history_id: str | None = "350-a1Basdf"
) -> Transaction:
    """A BET recorded by our wallet through the gameplay API."""
    player = PlayerFactory(operator=operator)
    wallet = wallet_for(player, "EUR", "50.00")
    session = session_for(player, wallet, game_id=game_id)
    context = {"reason": "SPIN"}
    if history_id is not None:
        context["history_id"] = history_id
    transaction_id = new_id()
    answer = WalletClient(operator).changebalance(
        user_id=player.user_id,
        token=session.token,
        transaction_id=transaction_id,
        game_id=game_id,
        amount=Decimal("1.00"),
        context=context,
    )
    assert answer.status == "OK"
    return Transaction.objects.get(operator=operator, transaction_id=transaction_id)


def test_spec_hand_history_json_type_for_a_live_vendor(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    game_make(platform_operator, 2002, "Speed Baccarat", vendor="evolution")
    transaction = _played(platform_operator, 2002)
    history = hand_history_fetch(transaction=transaction)
    assert history.type == "json"
    assert history.url is None
    assert history.data is not None
    # The simulator answered for this transaction, its history_id and X-Vendor-Id.
    assert history.data["historyId"] == "350-a1Basdf"
    assert history.data["vendor"] == "evolution"
    assert history.data["id"].startswith(f"{transaction.transaction_id:x}")
    assert platform.state.requests["handHistory"] == 1


def test_spec_hand_history_url_type_names_a_page(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    game_make(platform_operator, 1001, "Starburst", vendor="netent")
    transaction = _played(platform_operator, 1001, history_id="h/1 x")
    history = hand_history_fetch(transaction=transaction)
    assert history.type == "url" and history.data is None
    assert history.url == f"{platform.url}/hand/{transaction.transaction_id}/h%2F1%20x"
    page = requests.get(history.url, timeout=5)
    assert page.status_code == 200


def test_hand_history_needs_a_history_id(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    game_make(platform_operator, 1001, "Starburst", vendor="netent")
    transaction = _played(platform_operator, 1001, history_id=None)
    with pytest.raises(HandHistoryUnavailable, match="history_id"):
        hand_history_fetch(transaction=transaction)
    assert platform.state.requests["handHistory"] == 0


def test_hand_history_needs_the_games_vendor_from_the_catalog(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    transaction = _played(platform_operator, 4242)
    with pytest.raises(HandHistoryUnavailable, match="not in the catalog"):
        hand_history_fetch(transaction=transaction)


def test_hand_history_platform_error(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    game_make(platform_operator, 1001, "Starburst", vendor="netent")
    transaction = _played(platform_operator, 1001)
    platform.state.inject_fault("handHistory", status=200, body='{"success": false}')
    with pytest.raises(PlatformApiError, match="handHistory"):
        hand_history_fetch(transaction=transaction)
