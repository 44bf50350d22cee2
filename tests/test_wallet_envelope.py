"""Spec: Gameplay API > X-Authorization header, X-Operator-Id header, Request and response
signing, Request, Response, Exception handling: what every command shares."""

from __future__ import annotations

import json

import pytest

from platform_wallet.models import ApiErrorLog
from platform_wallet.redact import mask_token
from tests.factories import OperatorFactory, PlayerFactory, session_for, wallet_for
from tests.wallet_client import TIMESTAMP, WalletClient, sha1
from tests.wsgi_transport import wsgi_request

COMMANDS = ["authenticate", "balance", "changebalance", "status", "cancel", "finishround"]


@pytest.mark.parametrize("command", COMMANDS)
def test_spec_x_authorization_missing_is_http_403(api: WalletClient, command: str) -> None:
    answer = api.post_raw(command, b"{}", headers={"X-Authorization": None})  # type: ignore[dict-item]
    assert answer.http_status == 403


@pytest.mark.parametrize("command", COMMANDS)
def test_spec_x_authorization_wrong_is_http_403(api: WalletClient, command: str) -> None:
    answer = api.post_raw(command, b"{}", authorization=sha1("balance" + "other-secret"))
    assert answer.http_status == 403


def test_spec_x_authorization_of_another_command_is_http_403(api: WalletClient) -> None:
    answer = api.post_raw("changebalance", b"{}", authorization=sha1("balance" + "secret_key"))
    assert answer.http_status == 403


def test_spec_x_operator_id_unknown_or_missing_is_http_403(api: WalletClient) -> None:
    assert api.post_raw("status", b"{}", headers={"X-Operator-Id": "nobody"}).http_status == 403
    assert api.post_raw("status", b"{}", headers={"X-Operator-Id": None}).http_status == 403  # type: ignore[dict-item]


def test_changelog_2_31_x_tt_operator_id_still_accepted(api: WalletClient, player) -> None:
    body = json.dumps(
        {
            "command": "status",
            "request_timestamp": TIMESTAMP,
            "hash": sha1("status" + TIMESTAMP + "secret_key"),
            "data": {"user_id": "611", "transaction_id": 1, "round_id": 1},
        }
    ).encode()
    answer = api.post_raw(
        "status",
        body,
        headers={"X-Operator-Id": None, "X-TT-Operator-Id": "examplecasino"},  # type: ignore[dict-item]
    )
    assert answer.http_status == 200
    assert answer.error_code == "OP_41"


def test_x_operator_id_selects_the_account_secret_and_players(client, db) -> None:
    """A casino with two operator ids: each has its own secret key and its own players."""
    first = OperatorFactory(operator_id="brand-a", secret_key="key-a")
    second = OperatorFactory(operator_id="brand-b", secret_key="key-b")
    player_a = PlayerFactory(operator=first, user_id="7")
    session = session_for(player_a, wallet_for(player_a, "EUR", "10.00"))
    answer_a = WalletClient(first).call("authenticate", {"token": session.token})
    assert answer_a.status == "OK" and answer_a.data["user_id"] == "7"
    # The same token under the other operator id is unknown there.
    answer_b = WalletClient(second).call("authenticate", {"token": session.token})
    assert answer_b.error_code == "OP_21"


def test_inactive_operator_is_http_403(api: WalletClient, operator) -> None:
    operator.is_active = False
    operator.save()
    from operators.accounts import operator_cache_clear

    operator_cache_clear()
    assert api.post_raw("status", b"{}").http_status == 403


@pytest.mark.parametrize("command", COMMANDS)
def test_spec_op_20_invalid_request_hash(api: WalletClient, command: str) -> None:
    answer = api.call(command, {"token": "x"}, request_hash=sha1("wrong"))
    assert answer.http_status == 200
    assert answer.status == "ERROR"
    assert answer.error_code == "OP_20"
    assert answer.data["error_message"] == "Invalid hash"


def test_spec_op_20_hash_over_another_timestamp(api: WalletClient) -> None:
    answer = api.call(
        "status",
        {"user_id": "1", "transaction_id": 1},
        timestamp="2020-12-01 13:44:55",
        request_hash=sha1("status" + TIMESTAMP + "secret_key"),
    )
    assert answer.error_code == "OP_20"


def test_malformed_json_is_a_signed_error_naming_the_problem(api: WalletClient) -> None:
    answer = api.post_raw("balance", b'{"command": "balance", ')
    assert answer.http_status == 200
    assert answer.error_code == "OP_50"
    assert "Malformed JSON" in answer.data["error_message"]
    assert answer.body["request"] == '{"command": "balance", '


def test_body_command_other_than_the_endpoint_is_an_error(api: WalletClient) -> None:
    body = json.dumps(
        {
            "command": "balance",
            "request_timestamp": TIMESTAMP,
            "hash": sha1("balance" + TIMESTAMP + "secret_key"),
            "data": {},
        }
    ).encode()
    answer = api.post_raw("changebalance", body)
    assert answer.error_code == "OP_50"
    assert "command" in answer.data["error_message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"command": "status", "hash": "x", "data": {}}, "request_timestamp"),
        ({"command": "status", "request_timestamp": TIMESTAMP, "data": {}}, "hash"),
    ],
)
def test_missing_envelope_fields_are_named(api: WalletClient, body, field) -> None:
    answer = api.post_raw("status", json.dumps(body).encode())
    assert answer.error_code == "OP_50"
    assert field in answer.data["error_message"]


def test_missing_data_object_is_named(api: WalletClient) -> None:
    body = {
        "command": "status",
        "request_timestamp": TIMESTAMP,
        "hash": sha1("status" + TIMESTAMP + "secret_key"),
    }
    answer = api.post_raw("status", json.dumps(body).encode())
    assert answer.error_code == "OP_50" and "data" in answer.data["error_message"]


def test_response_passes_back_the_request_unchanged_with_exact_digits(
    api: WalletClient, session, wallet
) -> None:
    raw = (
        '{"command":"changebalance","request_timestamp":"%s","hash":"%s","data":{'
        '"transaction_type":"WIN","amount":17.250,"currency_code":"EUR","transaction_id":"3568",'
        '"transaction_timestamp":"2020-12-01 13:44:54","round_id":1727,"round_finished":false,'
        '"game_id":200,"user_id":"611","token":null,"context":{"reason":"not_provided","rake":0.0328}},'
        '"debug":{"code":200,"time":"0.04"}}'
    ) % (TIMESTAMP, sha1("changebalance" + TIMESTAMP + "secret_key"))
    answer = api.post_raw("changebalance", raw.encode())
    assert answer.status == "OK"
    assert answer.raw.decode().startswith('{"request":' + raw + ',"response":')
    assert answer.data == {"currency_code": "EUR", "balance": pytest.approx(117.25)}
    assert '"balance":117.25' in answer.raw.decode()


def test_response_timestamp_is_utc_and_hash_signs_it(api: WalletClient, session) -> None:
    answer = api.call("authenticate", {"token": session.token})
    stamp = answer.body["response"]["response_timestamp"]
    import datetime as dt

    parsed = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - parsed).total_seconds()) < 5


def test_every_error_answer_is_kept_in_the_api_log(api: WalletClient, player) -> None:
    api.call("status", {"user_id": "611", "transaction_id": 424242, "round_id": 1})
    entry = ApiErrorLog.objects.get()
    assert entry.command == "status"
    assert entry.error_code == "OP_41"
    assert entry.user_id == "611"
    assert entry.transaction_id == 424242
    assert '"transaction_id":424242' in entry.request_body


def test_get_on_a_command_endpoint_is_a_signed_error_not_a_crash(client, operator) -> None:
    response = wsgi_request(
        "GET",
        "/api/wallet/balance",
        headers={
            "X-Operator-Id": operator.operator_id,
            "X-Authorization": sha1("balance" + operator.secret_key),
        },
    )
    assert response.status_code == 200
    assert json.loads(response.content)["response"]["data"]["error_code"] == "OP_50"


def test_spec_ping_answers_200_pong(client, db) -> None:
    response = wsgi_request("GET", "/api/wallet/ping")
    assert response.status_code == 200
    assert response.content == b"PONG"


def test_unexpected_exception_is_op_50_and_logged(api: WalletClient, session, monkeypatch, caplog):
    from platform_wallet import gameplay

    def explode(operator, data):
        raise RuntimeError("boom")

    monkeypatch.setitem(gameplay.COMMANDS, "authenticate", explode)
    answer = api.call("authenticate", {"token": session.token})
    assert answer.error_code == "OP_50"
    assert answer.data["error_message"] == "Internal error"
    # logged with the request, its session token masked (issue 10: never in full in a log)
    assert "boom" in caplog.text and mask_token(session.token) in caplog.text
    assert session.token not in caplog.text


def test_operator_ip_allow_list_refuses_other_addresses_with_403(
    api: WalletClient, operator, player
):
    operator.allowed_ips = "10.1.2.0/24, 192.0.2.7"
    operator.save()
    from operators.accounts import operator_cache_clear

    operator_cache_clear()
    body = {"user_id": "611", "transaction_id": 1}
    # the test client calls from 127.0.0.1: not on the list
    assert api.call("status", body).http_status == 403
    operator.allowed_ips = "127.0.0.0/8"
    operator.save()
    operator_cache_clear()
    assert api.call("status", body).error_code == "OP_41"


def test_operator_ip_allow_list_behind_a_proxy_reads_x_forwarded_for(
    client, operator, player, settings
):
    settings.WALLET_TRUSTED_PROXY_HOPS = 1
    operator.allowed_ips = "203.0.113.9"
    operator.save()
    from operators.accounts import operator_cache_clear

    operator_cache_clear()
    api = WalletClient(operator)
    body = b'{"command":"status"}'
    assert (
        api.post_raw("status", body, headers={"X-Forwarded-For": "203.0.113.9"}).http_status == 200
    )
    assert (
        api.post_raw("status", body, headers={"X-Forwarded-For": "198.51.100.1"}).http_status == 403
    )
