"""The gameplay API served in front of Django (platform_wallet.wsgi.DirectWalletApi, what
gunicorn runs) answers exactly as the Django views behind the whole middleware stack do: the
same bodies, status codes and headers, the same call log and metrics, and it hands the
database connection back after every call. (The rest of the wallet suite calls it too: the
`api` fixture posts to the WSGI application.)"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core import signals
from django.db import connection
from django.test import Client, override_settings

from casino_project.wsgi import application, django_application
from operators.models import Operator
from ops.metrics import wallet_requests
from platform_wallet.wsgi import DirectWalletApi
from tests.wallet_client import TIMESTAMP, Answer, WalletClient, new_id, sha1
from tests.wsgi_transport import wsgi_request

# Headers a server or Django's test Client may add on its own, not part of the answer.
NOT_COMPARED = {"date", "server", "cookies"}


def both(operator: Operator) -> tuple[WalletClient, WalletClient]:
    return WalletClient(Client(), operator, via="wsgi"), WalletClient(
        Client(), operator, via="django"
    )


def same_answer(direct: Answer, django: Answer) -> None:
    assert direct.http_status == django.http_status
    if direct.http_status != 200:
        assert direct.raw == django.raw
        return
    assert direct.body["request"] == django.body["request"]
    assert direct.status == django.status
    assert direct.data == django.data


def status_request() -> bytes:
    """A signed status request of player 611 for transaction 1."""
    return json.dumps(
        {
            "command": "status",
            "request_timestamp": TIMESTAMP,
            "hash": sha1("status" + TIMESTAMP + "secret_key"),
            "data": {"user_id": "611", "transaction_id": 1},
        }
    ).encode()


def test_the_wsgi_application_answers_wallet_calls_itself() -> None:
    assert isinstance(application, DirectWalletApi)
    assert application.django_app is django_application


@pytest.mark.django_db
def test_spec_every_command_same_answer_through_both_fronts(
    operator: Operator, player, wallet, session
) -> None:
    direct, django = both(operator)
    transaction_id, round_id = new_id(), new_id()
    bet = {"transaction_id": transaction_id, "round_id": round_id, "amount": 1.25}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("authenticate", {"token": session.token}),
        ("balance", {"token": session.token, "user_id": "611", "currency_code": "EUR"}),
        (
            "status",
            {"user_id": "611", "transaction_id": transaction_id, "transaction_type": "BET"},
        ),
        ("finishround", {"user_id": "611", "round_id": round_id, "game_id": 200}),
    ]
    # the BET through one front, its identical retry through the other: one outcome
    first = direct.changebalance(user_id="611", token=session.token, **bet)
    retry = django.changebalance(
        user_id="611",
        token=session.token,
        transaction_timestamp=first.body["request"]["data"]["transaction_timestamp"],
        **bet,
    )
    assert first.status == "OK" and first.data["balance"] == pytest.approx(98.75)
    same_answer(first, retry)
    for command, data in calls:
        same_answer(direct.call(command, data), django.call(command, data))
    cancel = {"user_id": "611", "transaction_id": transaction_id, "round_id": round_id}
    cancel |= {"game_id": 200, "round_finished": True}
    same_answer(direct.call("cancel", cancel), django.call("cancel", cancel))
    wallet.refresh_from_db()
    assert str(wallet.balance) == "100.00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"command": "balance", ', "OP_50"),  # malformed JSON
        (json.dumps({"command": "balance", "request_timestamp": TIMESTAMP}).encode(), "OP_50"),
        (
            json.dumps(
                {"command": "balance", "request_timestamp": TIMESTAMP, "hash": "0" * 40}
            ).encode(),
            "OP_20",
        ),
    ],
)
def test_spec_errors_same_answer_through_both_fronts(
    operator: Operator, player, body: bytes, code: str
) -> None:
    direct, django = both(operator)
    answers = direct.post_raw("balance", body), django.post_raw("balance", body)
    assert [a.error_code for a in answers] == [code, code]
    assert answers[0].raw.split(b',"response"')[0] == answers[1].raw.split(b',"response"')[0]
    same_answer(*answers)


@pytest.mark.django_db
def test_spec_http_403_same_answer_through_both_fronts(operator: Operator) -> None:
    direct, django = both(operator)
    wrong = sha1("balance" + "not-the-secret")
    same_answer(
        direct.post_raw("balance", b"{}", authorization=wrong),
        django.post_raw("balance", b"{}", authorization=wrong),
    )
    unknown = {"X-Operator-Id": "nobody"}
    assert direct.post_raw("balance", b"{}", headers=unknown).http_status == 403


@pytest.mark.django_db
def test_headers_are_those_of_the_django_stack(operator: Operator, player) -> None:
    body = status_request()
    headers = {"X-Operator-Id": "examplecasino", "X-Authorization": sha1("statussecret_key")}
    direct = wsgi_request("POST", "/api/wallet/status", body, headers=headers)
    django = Client().post(
        "/api/wallet/status", body, content_type="application/json; charset=utf-8", headers=headers
    )
    expected = {k.lower(): v for k, v in django.headers.items() if k.lower() not in NOT_COMPARED}
    expected["content-length"] = str(len(direct.content))  # the timestamps may differ by a second
    assert direct.headers == expected
    assert direct["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.django_db
@override_settings(
    SECURE_HSTS_SECONDS=3600,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_tls_the_answer_carries_hsts_as_django_sets_it(operator: Operator) -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Operator-Id": "nobody"}
    direct = wsgi_request("POST", "/api/wallet/balance", b"{}", headers=headers)
    django = Client().post(
        "/api/wallet/balance", b"{}", content_type="application/json", headers=headers
    )
    assert direct.status_code == django.status_code == 403
    assert direct["Strict-Transport-Security"] == django["Strict-Transport-Security"]
    plain = wsgi_request("POST", "/api/wallet/balance", b"{}", headers={"X-Operator-Id": "x"})
    assert "strict-transport-security" not in plain.headers


@pytest.mark.django_db
def test_ping_through_both_fronts() -> None:
    direct = wsgi_request("GET", "/api/wallet/ping")
    django = Client().get("/api/wallet/ping")
    assert direct.status_code == django.status_code == 200
    assert direct.content == django.content == b"PONG"
    assert direct["Content-Type"] == django["Content-Type"]


@pytest.mark.django_db
def test_other_paths_and_disallowed_hosts_are_left_to_django(operator: Operator) -> None:
    """Only the exact gameplay API paths are answered in front of Django: a trailing slash,
    an unknown command and a Host outside ALLOWED_HOSTS get Django's own answers."""
    headers = {"X-Operator-Id": "examplecasino", "X-Authorization": sha1("balancesecret_key")}
    assert wsgi_request("POST", "/api/wallet/balance/", b"{}", headers=headers).status_code == 404
    assert wsgi_request("POST", "/api/wallet/deposit", b"{}", headers=headers).status_code == 404
    evil = wsgi_request(
        "POST", "/api/wallet/balance", b"{}", headers=headers, HTTP_HOST="evil.test"
    )
    assert evil.status_code == 400
    assert wsgi_request("GET", "/healthz").status_code == 200


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_over_the_upload_limit_is_an_error_not_read(operator: Operator) -> None:
    direct, django = both(operator)
    big = b'{"command": "balance", "data": "' + b"x" * 200 + b'"}'
    answers = direct.post_raw("balance", big), django.post_raw("balance", big)
    for answer in answers:
        assert answer.error_code == "OP_50"
        assert "too large" in answer.data["error_message"]
        assert answer.body["request"] == ""  # never read, so not passed back


@pytest.mark.django_db
def test_one_log_line_and_one_metric_sample_per_call_through_the_direct_front(
    operator: Operator, player, caplog: pytest.LogCaptureFixture
) -> None:
    labels = ("status", "ERROR", "OP_41")
    before = wallet_requests.labels(*labels)._value.get()
    direct, _ = both(operator)
    with caplog.at_level(logging.INFO, logger="wallet.calls"):
        answer = direct.call("status", {"user_id": "611", "transaction_id": 424242})
    assert answer.error_code == "OP_41"
    assert wallet_requests.labels(*labels)._value.get() == before + 1
    [record] = [r for r in caplog.records if r.name == "wallet.calls"]
    assert record.command == "status"  # type: ignore[attr-defined]
    assert record.operator == "examplecasino"  # type: ignore[attr-defined]
    assert record.transaction_id == "424242"  # type: ignore[attr-defined]
    assert record.user_id == "611"  # type: ignore[attr-defined]
    assert record.http_status == 200  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_the_database_connection_is_handed_back_after_every_call(operator: Operator) -> None:
    """The request signals run as under Django: after a call the thread holds no connection
    (with the pool it went back to the pool), so idle workers keep none checked out."""
    connection.close()
    sent: list[str] = []

    def started(**kwargs: Any) -> None:
        sent.append("started")

    def finished(**kwargs: Any) -> None:
        sent.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        answer = wsgi_request(
            "POST",
            "/api/wallet/status",
            status_request(),
            headers={"X-Operator-Id": "examplecasino", "X-Authorization": sha1("statussecret_key")},
            keep_connection=False,
        )
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert answer.status_code == 200
    assert b'"error_code":"OP_34"' in answer.content  # the database was read: no player 611
    assert sent == ["started", "finished"]
    if connection.vendor == "postgresql":  # (an in-memory SQLite test database stays open)
        assert connection.connection is None
