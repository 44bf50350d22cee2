"""Spec: API commands > authenticate, balance; Player game session token."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from platform_wallet.models import GameSession
from platform_wallet.services.sessions import session_create, session_end
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.wallet_client import WalletClient


def test_spec_authenticate_example_returns_player_data(api: WalletClient, player, session) -> None:
    player.group = "vip"
    player.save()
    answer = api.call("authenticate", {"token": session.token})
    assert answer.status == "OK"
    assert answer.data == {
        "user_id": "611",
        "user_name": "john_doe",
        "user_country": "Germany",
        "currency_code": "EUR",
        "balance": Decimal("100.00"),
        "display_name": "John Doe",
        "group": "vip",
    }


def test_authenticate_without_display_name_and_group_omits_them(api, operator) -> None:
    player = PlayerFactory(operator=operator, display_name="", group="")
    session = session_for(player, wallet_for(player, "USD", "5.00"))
    answer = api.call("authenticate", {"token": session.token})
    assert "display_name" not in answer.data and "group" not in answer.data
    assert answer.data["currency_code"] == "USD"


def test_spec_authenticate_op_21_unknown_token(api: WalletClient, player) -> None:
    assert api.call("authenticate", {"token": "A" * 30}).error_code == "OP_21"


def test_spec_authenticate_op_21_expired_token(api: WalletClient, session, settings) -> None:
    GameSession.objects.filter(pk=session.pk).update(
        last_activity_at=timezone.now()
        - dt.timedelta(seconds=settings.WALLET_SESSION_IDLE_SECONDS + 1)
    )
    assert api.call("authenticate", {"token": session.token}).error_code == "OP_21"


def test_spec_authenticate_op_21_ended_session(api: WalletClient, session) -> None:
    session_end(session=session, reason="logout")
    assert api.call("authenticate", {"token": session.token}).error_code == "OP_21"


def test_spec_authenticate_op_22_blocked_player(api: WalletClient, player, session) -> None:
    player.is_blocked = True
    player.save()
    assert api.call("authenticate", {"token": session.token}).error_code == "OP_22"


def test_authenticate_missing_token_names_the_field(api: WalletClient, player) -> None:
    answer = api.call("authenticate", {})
    assert answer.error_code == "OP_50" and "token" in answer.data["error_message"]


def test_authenticate_token_of_wrong_type_names_the_field(api: WalletClient, player) -> None:
    answer = api.call("authenticate", {"token": ["x"]})
    assert answer.error_code == "OP_50" and "token" in answer.data["error_message"]


def test_authenticate_keeps_the_session_alive(api: WalletClient, session) -> None:
    stale = timezone.now() - dt.timedelta(minutes=10)
    GameSession.objects.filter(pk=session.pk).update(last_activity_at=stale)
    api.call("authenticate", {"token": session.token})
    session.refresh_from_db()
    assert session.last_activity_at > stale


def test_spec_session_token_is_20_to_50_alphanumerics_and_unique(player, wallet) -> None:
    tokens = {session_create(player=player, currency="EUR", game_id=1).token for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert 20 <= len(token) <= 50 and token.isalnum() and token.isascii()


def _balance(api: WalletClient, token: str, user_id: str = "611", currency: str = "EUR"):
    return api.call("balance", {"token": token, "user_id": user_id, "currency_code": currency})


def test_spec_balance_example(api: WalletClient, session) -> None:
    answer = _balance(api, session.token)
    assert answer.status == "OK"
    assert answer.data == {"balance": Decimal("100.00"), "currency_code": "EUR"}


def test_balance_picks_the_wallet_of_the_requested_currency(api, player, session) -> None:
    wallet_for(player, "USD", "7.50")
    assert _balance(api, session.token, currency="USD").data["balance"] == Decimal("7.50")


def test_spec_balance_op_30_currency_the_player_does_not_hold(api, session) -> None:
    assert _balance(api, session.token, currency="GBP").error_code == "OP_30"


def test_spec_balance_op_21_invalid_token(api, session) -> None:
    assert _balance(api, "B" * 25).error_code == "OP_21"


def test_spec_balance_op_21_token_of_another_player(api, operator, session) -> None:
    other = PlayerFactory(operator=operator, user_id="777")
    wallet_for(other)
    assert _balance(api, session.token, user_id="777").error_code == "OP_21"


def test_spec_balance_op_33_blocked_player(api, player, session) -> None:
    player.is_blocked = True
    player.save()
    assert _balance(api, session.token).error_code == "OP_33"


def test_spec_balance_op_33_blocked_player_after_the_block_ended_the_session(api, player, session):
    from platform_wallet.services.accounts import player_block

    player_block(player=player, reason="chargeback")
    assert _balance(api, session.token).error_code == "OP_33"


def test_spec_balance_op_34_unknown_player(api, session) -> None:
    assert _balance(api, session.token, user_id="nobody").error_code == "OP_34"


@pytest.mark.parametrize("missing", ["token", "user_id", "currency_code"])
def test_balance_missing_fields_are_named(api, session, missing) -> None:
    data = {"token": session.token, "user_id": "611", "currency_code": "EUR"}
    del data[missing]
    answer = api.call("balance", data)
    assert answer.error_code == "OP_50" and missing in answer.data["error_message"]


def test_balance_user_id_sent_as_a_number_is_read_as_its_digits(api, session) -> None:
    answer = api.call("balance", {"token": session.token, "user_id": 611, "currency_code": "EUR"})
    assert answer.status == "OK"
