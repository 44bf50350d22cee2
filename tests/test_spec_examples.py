"""The spec's own example requests, sent as printed, with real hashes.

The document's sample hashes are illustrative and do not verify (they are the same string in
most examples): each example is sent with its hash recomputed as
sha1(command + request_timestamp + secret_key), and its signature is then checked."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.factories import PlayerFactory, session_for, wallet_for
from tests.wallet_client import WalletClient, dumps, sha1

SECRET = "secret_key"


_example_sent_at = [0.0]


@pytest.fixture(autouse=True)
def _wallet_clock_at_the_examples_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples are dated (2020-12-01 13:44:54 UTC, ...): the wallet refuses requests that
    old (WALLET_MAX_REQUEST_AGE), so its clock reads a few seconds after each example's time."""
    from platform_wallet import api

    monkeypatch.setattr(api, "clock", lambda: _example_sent_at[0] + 5)


def send(api: WalletClient, example: dict) -> dict:
    from platform_wallet.protocol import timestamp_epoch

    sent_at = timestamp_epoch(example["request_timestamp"])
    assert sent_at is not None
    _example_sent_at[0] = sent_at
    example["hash"] = sha1(example["command"] + example["request_timestamp"] + SECRET)
    text = dumps(example)
    answer = api.post_raw(example["command"], text.encode())
    assert answer.http_status == 200
    assert answer.body["request"] == json.loads(text, parse_float=Decimal)
    return answer.body["response"]


@pytest.fixture
def casino(operator):
    """The players of the examples: 25343 (authenticate), 611 (balance, changebalance),
    17 (status), 113 (cancel), 398 (finishround)."""
    tokens = {}
    for user_id, token in [
        ("25343", "eqkB1WoKQCvjrV6taJRN"),
        ("611", "eqkB1WoKQCvjrvV6taJRN"),
        ("17", None),
        ("113", None),
        ("398", None),
    ]:
        player = PlayerFactory(operator=operator, user_id=user_id, user_name=f"user{user_id}")
        wallet = wallet_for(player, "EUR", "420.76")
        session = session_for(player, wallet)
        if token:
            session.token = token
            session.save()
        tokens[user_id] = session
    return tokens


def test_spec_example_authenticate(api, casino) -> None:
    response = send(
        api,
        {
            "command": "authenticate",
            "request_timestamp": "2020-12-01 13:44:54",
            "hash": "43afab643ee5b94e3b4edbe438f30fa3e97e10c4",
            "data": {"token": "eqkB1WoKQCvjrV6taJRN"},
        },
    )
    assert response["status"] == "OK"
    assert response["data"]["user_id"] == "25343"
    assert response["data"]["balance"] == Decimal("420.76")


def test_spec_example_balance(api, casino) -> None:
    response = send(
        api,
        {
            "command": "balance",
            "request_timestamp": "2020-12-01 13:44:54",
            "hash": "43afab643ee5b94e3b4edbe438f30fa3e97e10c4",
            "data": {"token": "eqkB1WoKQCvjrvV6taJRN", "user_id": "611", "currency_code": "EUR"},
        },
    )
    assert response == {**response, "status": "OK"}
    assert response["data"] == {"balance": Decimal("420.76"), "currency_code": "EUR"}


def test_spec_example_changebalance_win_then_status_then_cancel(api, casino) -> None:
    win = send(
        api,
        {
            "command": "changebalance",
            "request_timestamp": "2020-12-01 13:44:54",
            "hash": "43afab643ee5b94e3b4edbe438f30fa3e97e10c4",
            "data": {
                "transaction_type": "WIN",
                "reason": "not_provided",
                "amount": Decimal("17.25"),
                "currency_code": "EUR",
                "transaction_id": 3568,
                "transaction_timestamp": "2020-12-01 13:44:54",
                "round_id": 1727,
                "round_finished": False,
                "game_id": 200,
                "user_id": "611",
                "token": "eqkB1WoKQCvjrvV6taJRN",
                "context": {"reason": "not_provided", "rake": Decimal("0.0328")},
            },
        },
    )
    assert win["status"] == "OK"
    assert win["data"] == {"currency_code": "EUR", "balance": Decimal("438.01")}
    # the status example's own date, 2020-11-31, does not exist: it is informative only
    status = send(
        api,
        {
            "command": "status",
            "request_timestamp": "2020-12-01 13:44:54",
            "hash": "43afab643ee5b94e3b4edbe438f30fa3e97e10c4",
            "data": {
                "user_id": "611",
                "transaction_id": 3568,
                "transaction_type": "WIN",
                "transaction_date": "2020-11-31",
                "transaction_ts": "1606822496000",
                "round_id": 1727,
            },
        },
    )
    assert status["data"] == {"user_id": "611", "transaction_id": 3568, "transaction_status": "OK"}


def test_spec_example_status_of_unknown_transaction(api, casino) -> None:
    response = send(
        api,
        {
            "command": "status",
            "request_timestamp": "2020-12-01 13:44:54",
            "hash": "43afab643ee5b94e3b4edbe438f30fa3e97e10c4",
            "data": {
                "user_id": "17",
                "transaction_id": 3568,
                "transaction_type": "BET",
                "transaction_date": "2020-11-31",
                "transaction_ts": "1606822496000",
                "round_id": 1225,
            },
        },
    )
    assert response["status"] == "ERROR"
    assert response["data"]["error_code"] == "OP_41"


def test_spec_example_cancel_of_unknown_transaction_is_op_41(api, casino) -> None:
    response = send(
        api,
        {
            "command": "cancel",
            "data": {
                "user_id": "113",
                "transaction_id": 327146,
                "round_id": 145666,
                "round_finished": None,
                "game_id": 5523,
            },
            "request_timestamp": "2020-07-29 07:28:26",
            "hash": "97c77dcd649afa2e1841166142495f8c119e4aa7",
        },
    )
    assert response["data"] == {"error_code": "OP_41", "error_message": "Transaction not found"}


def test_spec_example_cancel_with_debug_member(api, casino) -> None:
    bet = send(
        api,
        {
            "command": "changebalance",
            "request_timestamp": "2020-07-29 07:20:00",
            "hash": "",
            "data": {
                "transaction_type": "BET",
                "amount": Decimal("20.76"),
                "currency_code": "EUR",
                "transaction_id": 327128,
                "transaction_timestamp": "2020-07-29 07:20:00",
                "round_id": 145658,
                "round_finished": False,
                "game_id": 5523,
                "user_id": "113",
                "token": casino["113"].token,
                "context": {"reason": "SPIN"},
            },
        },
    )
    assert bet["data"]["balance"] == Decimal("400.00")
    response = send(
        api,
        {
            "command": "cancel",
            "data": {
                "user_id": "113",
                "transaction_id": 327128,
                "round_id": 145658,
                "round_finished": None,
                "game_id": 5523,
            },
            "request_timestamp": "2020-07-29 07:21:16",
            "hash": "f9267174537b8f279561e0b04cc36120b160ff88",
            "debug": {"code": 200, "time": "0.04"},
        },
    )
    assert response["data"] == {
        "user_id": "113",
        "transaction_id": 327128,
        "transaction_status": "CANCELED",
    }


def test_spec_example_finishround(api, casino) -> None:
    send(
        api,
        {
            "command": "changebalance",
            "request_timestamp": "2023-09-14 15:21:20",
            "hash": "",
            "data": {
                "transaction_type": "BET",
                "amount": Decimal("1.00"),
                "currency_code": "EUR",
                "transaction_id": 9001,
                "transaction_timestamp": "2023-09-14 15:21:20",
                "round_id": 533281,
                "round_finished": None,
                "game_id": 46,
                "user_id": "398",
                "token": casino["398"].token,
                "context": {"reason": "SPIN"},
            },
        },
    )
    response = send(
        api,
        {
            "command": "finishround",
            "data": {
                "round_id": 533281,
                "user_id": "398",
                "game_id": 46,
                "round_date": "2023-09-14",
                "round_ts": "1694704880325",
            },
            "request_timestamp": "2023-09-15 22:22:38",
            "hash": "f3dde71cb8673ce5c894dd50309859192a68e5c8",
        },
    )
    assert response["status"] == "OK"
    assert response["data"] == {"round_id": 533281, "user_id": "398", "game_id": 46}


def test_spec_example_hashes_do_not_verify_as_printed(api, casino) -> None:
    """Sent with the document's printed hash, the authenticate example is OP_20."""
    body = {
        "command": "authenticate",
        "request_timestamp": "2020-12-01 13:44:54",
        "hash": "43afab643ee5b94e3b4edbe438f30fa3e97e10c4",
        "data": {"token": "eqkB1WoKQCvjrV6taJRN"},
    }
    answer = api.post_raw("authenticate", json.dumps(body).encode())
    assert answer.error_code == "OP_20"
