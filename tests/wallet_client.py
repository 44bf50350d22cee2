"""A PLATFORM-side test client for the gameplay API: signs requests as the PLATFORM does and
checks every answer, both through the simulator's side of the protocol
(`simulator.wallet_protocol`, independent of `platform_wallet.protocol`)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, replace
from typing import Any

from operators.models import Operator
from simulator import wallet_protocol
from simulator.wallet_protocol import dumps, sha1
from tests.wsgi_transport import wsgi_request

__all__ = ["TIMESTAMP", "Answer", "WalletClient", "dumps", "new_id", "sha1", "utc_now_timestamp"]

utc_now_timestamp = wallet_protocol.utc_timestamp

# Requests are stamped with the current time: the wallet refuses stale ones
# (WALLET_MAX_REQUEST_AGE). Fresh for the length of a test session.
TIMESTAMP = utc_now_timestamp()
_ids = itertools.count(10_000)


def status_request(user_id: str = "611", transaction_id: int = 1, **data: Any) -> bytes:
    """A signed status request body (operator secret "secret_key"), as the WSGI front reads it."""
    return json.dumps(
        {
            "command": "status",
            "request_timestamp": TIMESTAMP,
            "hash": sha1("status" + TIMESTAMP + "secret_key"),
            "data": {"user_id": user_id, "transaction_id": transaction_id, **data},
        }
    ).encode()


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
    """Calls go to the project's WSGI application as casino-web serves them (the gameplay API's
    front, platform_wallet.wsgi, in front of Django)."""

    def __init__(self, operator: Operator) -> None:
        self.operator = operator

    @property
    def credentials(self) -> wallet_protocol.Credentials:
        return wallet_protocol.Credentials(self.operator.operator_id, self.operator.secret_key)

    def post_raw(
        self,
        command: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        authorization: str | None = None,
        sent: wallet_protocol.SignedRequest | None = None,
    ) -> Answer:
        """`body` posted as `command`; the answer checked (its echo too when `sent` is given)."""
        all_headers = {
            "X-Operator-Id": self.operator.operator_id,
            "X-Authorization": authorization
            or wallet_protocol.authorization(command, self.operator.secret_key),
        }
        all_headers.update(headers or {})
        sent_headers = {k: v for k, v in all_headers.items() if v is not None}
        response = wsgi_request("POST", f"/api/wallet/{command}", body, headers=sent_headers)
        try:
            checked = wallet_protocol.check_answer(
                self.credentials,
                status_code=response.status_code,
                content_type=response["Content-Type"] if response.status_code == 200 else None,
                content=response.content,
                request=sent,
            )
        except wallet_protocol.WalletProtocolError as exc:
            if exc.failed != "http_status":
                raise
            return Answer(response.status_code, {}, response.content)
        return Answer(200, dict(checked.envelope), response.content)

    def call(
        self,
        command: str,
        data: dict[str, Any],
        *,
        timestamp: str | None = None,
        request_hash: str | None = None,
    ) -> Answer:
        request = wallet_protocol.sign_request(self.credentials, command, data, timestamp=timestamp)
        if request_hash:
            request = replace(request, hash=request_hash)
        return self.post_raw(command, request.body, sent=request)

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


def new_id() -> int:
    return next(_ids)
