"""A PLATFORM-side test client for the gameplay API: signs requests as the PLATFORM does and
checks the signature of every answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.test import Client

from platform_wallet.models import Operator
from tests.wsgi_transport import wsgi_request


def utc_now_timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


# Requests are stamped with the current time: the wallet refuses stale ones
# (WALLET_MAX_REQUEST_AGE). Fresh for the length of a test session.
TIMESTAMP = utc_now_timestamp()
_ids = itertools.count(10_000)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass
class Answer:
    http_status: int
    body: dict[str, Any]
    raw: bytes

    @property
    def status(self) -> str:
        return self.body["response"]["status"]

    @property
    def data(self) -> dict[str, Any]:
        return self.body["response"]["data"]

    @property
    def error_code(self) -> str | None:
        return self.data.get("error_code") if self.status == "ERROR" else None


class WalletClient:
    """Calls go to the project's WSGI application as gunicorn serves them (`via="wsgi"`:
    platform_wallet.wsgi in front of Django), or through Django's test Client (`via="django"`:
    the Django views and the whole middleware stack)."""

    def __init__(self, client: Client, operator: Operator, *, via: str = "wsgi") -> None:
        assert via in ("wsgi", "django")
        self.client = client
        self.operator = operator
        self.via = via

    def post_raw(
        self,
        command: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        authorization: str | None = None,
    ) -> Answer:
        all_headers = {
            "X-Operator-Id": self.operator.operator_id,
            "X-Authorization": authorization or sha1(command + self.operator.secret_key),
        }
        all_headers.update(headers or {})
        sent_headers = {k: v for k, v in all_headers.items() if v is not None}
        response: Any
        if self.via == "wsgi":
            response = wsgi_request("POST", f"/api/wallet/{command}", body, headers=sent_headers)
        else:
            response = self.client.post(
                f"/api/wallet/{command}",
                data=body,
                content_type="application/json; charset=utf-8",
                headers=sent_headers,
            )
        if response.status_code != 200:
            return Answer(response.status_code, {}, response.content)
        assert response["Content-Type"] == "application/json; charset=utf-8"
        parsed = json.loads(response.content, parse_float=Decimal)
        reply = parsed["response"]
        assert reply["hash"] == sha1(
            reply["status"] + reply["response_timestamp"] + self.operator.secret_key
        ), "response hash does not verify"
        return Answer(200, parsed, response.content)

    def call(
        self,
        command: str,
        data: dict[str, Any],
        *,
        timestamp: str | None = None,
        request_hash: str | None = None,
    ) -> Answer:
        timestamp = timestamp or utc_now_timestamp()
        body = {
            "command": command,
            "request_timestamp": timestamp,
            "hash": request_hash or sha1(command + timestamp + self.operator.secret_key),
            "data": data,
        }
        return self.post_raw(command, dumps(body).encode())

    def changebalance(self, **data: Any) -> Answer:
        payload: dict[str, Any] = {
            "transaction_type": "BET",
            "transaction_id": next(_ids),
            "round_id": next(_ids),
            "round_finished": False,
            "game_id": 200,
            "currency_code": "EUR",
            # the PLATFORM stamps a transaction when it creates it (UTC)
            "transaction_timestamp": utc_now_timestamp(),
            "context": {"reason": "not_provided", "history_id": "h-1"},
        }
        payload.update(data)
        return self.call("changebalance", payload)


def dumps(value: Any) -> str:
    """JSON with Decimals written as numbers, as the PLATFORM sends amounts."""
    from platform_wallet.protocol import dumps as protocol_dumps

    return protocol_dumps(value)


def new_id() -> int:
    return next(_ids)
