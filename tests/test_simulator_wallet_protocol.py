"""The simulator's side of the gameplay API (`simulator.wallet_protocol`): signing as the spec
says (X-Authorization header, Request and response signing, Request), every answer checked
(Response), and independent of `platform_wallet` so that it stays a second opinion."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from simulator.wallet_protocol import (
    CONTENT_TYPE,
    Credentials,
    SignedRequest,
    WalletProtocolError,
    changebalance_data,
    check_answer,
    dumps,
    response_hash,
    sign_request,
)

CREDENTIALS = Credentials(operator_id="op-1", secret_key="secret_key")


def test_spec_signed_request_headers_and_body() -> None:
    request = sign_request(
        CREDENTIALS, "authenticate", {"token": "T" * 20}, timestamp="2020-12-01 13:44:54"
    )
    assert request.headers == {
        "Content-Type": "application/json; charset=utf-8",
        "X-Operator-Id": "op-1",
        "X-Authorization": hashlib.sha1(b"authenticatesecret_key").hexdigest(),
    }
    assert json.loads(request.body) == {
        "command": "authenticate",
        "request_timestamp": "2020-12-01 13:44:54",
        "hash": hashlib.sha1(b"authenticate2020-12-01 13:44:54secret_key").hexdigest(),
        "data": {"token": "T" * 20},
    }


def test_spec_request_timestamp_is_now_in_utc() -> None:
    stamp = sign_request(CREDENTIALS, "balance", {}).request_timestamp
    sent = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - sent).total_seconds()) < 5


def test_amounts_are_json_numbers_with_their_exact_digits() -> None:
    data = changebalance_data(
        token=None,
        user_id="611",
        transaction_type="WIN",
        transaction_id=3568,
        round_id=1727,
        round_finished=True,
        game_id=200,
        currency_code="EUR",
        amount=Decimal("1.50"),
        reason="SPIN",
        history_id="h-1",
    )
    body = sign_request(CREDENTIALS, "changebalance", data).body.decode()
    assert '"amount":1.50,' in body and '"token":null' in body
    assert dumps([Decimal("0.10"), Decimal("1E+2"), "ü"]) == '[0.10,100,"ü"]'
    with pytest.raises(ValueError, match="not a JSON number"):
        dumps({"amount": Decimal("NaN")})


def test_the_secret_is_never_in_a_repr() -> None:
    request = sign_request(CREDENTIALS, "balance", {"user_id": "611"})
    assert "secret_key" not in repr(CREDENTIALS) and "secret_key" not in repr(request)


def _answer(
    request: SignedRequest,
    *,
    status: str = "OK",
    data: dict[str, Any] | None = None,
    signer: Credentials = CREDENTIALS,
    echo: Any = None,
) -> bytes:
    stamp = "2020-12-01 15:33:11"
    return json.dumps(
        {
            "request": json.loads(request.body) if echo is None else echo,
            "response": {
                "status": status,
                "response_timestamp": stamp,
                "hash": response_hash(status, stamp, signer.secret_key),
                "data": {"balance": 17.25, "currency_code": "EUR"} if data is None else data,
            },
        }
    ).encode()


def test_spec_a_signed_answer_passes_and_is_parsed_with_decimal() -> None:
    request = sign_request(CREDENTIALS, "balance", {"user_id": "611", "amount": Decimal("0.10")})
    answer = check_answer(
        CREDENTIALS,
        status_code=200,
        content_type=CONTENT_TYPE,
        content=_answer(request),
        request=request,
    )
    assert answer.status == "OK" and answer.error_code is None
    assert answer.data["balance"] == Decimal("17.25") and answer.balance == Decimal("17.25")
    assert answer.response_timestamp == "2020-12-01 15:33:11"
    refused = check_answer(
        CREDENTIALS,
        status_code=200,
        content_type=CONTENT_TYPE,
        content=_answer(request, status="ERROR", data={"error_code": "OP_31"}),
        request=request,
    )
    assert (refused.status, refused.error_code, refused.balance) == ("ERROR", "OP_31", None)


@pytest.mark.parametrize(
    ("failed", "status_code", "content_type", "answer"),
    [
        ("http_status", 403, CONTENT_TYPE, {}),
        ("content_type", 200, "text/html", {}),
        ("envelope", 200, CONTENT_TYPE, {"content": b"not json"}),
        ("envelope", 200, CONTENT_TYPE, {"content": b'{"response": {"status": "OK"}}'}),
        ("envelope", 200, CONTENT_TYPE, {"status": "MAYBE"}),
        ("response_hash", 200, CONTENT_TYPE, {"signer": Credentials("op-1", "another")}),
        ("request_echo", 200, CONTENT_TYPE, {"echo": {}}),
        ("error_code", 200, CONTENT_TYPE, {"status": "ERROR", "data": {"error_code": "E1"}}),
    ],
)
def test_spec_an_answer_that_is_not_what_the_protocol_calls_for_names_the_failed_check(
    failed: str, status_code: int, content_type: str, answer: dict[str, Any]
) -> None:
    request = sign_request(CREDENTIALS, "balance", {"user_id": "611"})
    content = answer.pop("content", None) or _answer(request, **answer)
    with pytest.raises(WalletProtocolError) as caught:
        check_answer(
            CREDENTIALS,
            status_code=status_code,
            content_type=content_type,
            content=content,
            request=request,
        )
    assert caught.value.failed == failed
    assert caught.value.http_status == status_code


def test_a_test_may_send_a_request_with_another_hash() -> None:
    request = sign_request(CREDENTIALS, "balance", {})
    tampered = replace(request, hash="0" * 40)
    assert json.loads(tampered.body)["hash"] == "0" * 40
    assert tampered.headers == request.headers


def test_the_protocol_module_is_independent_of_platform_wallet_and_django() -> None:
    code = (
        "import sys, simulator.wallet_protocol; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('platform_wallet', 'django')))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
