"""The PLATFORM's side of the gameplay API, the one copy that the simulator's launch page, the
`simulate_play` player, the tests' `WalletClient` and the benchmark all use.

Written from the spec (v2.49: X-Authorization header, Request and response signing, Request,
Response) and deliberately independent of `platform_wallet.protocol`: it never imports
`platform_wallet`, so that it stays a second opinion on our wallet's side of the protocol.

Interface::

    credentials = Credentials(operator_id="op", secret_key="s")   # the secret is never shown
    request = sign_request(credentials, "changebalance", {"amount": Decimal("1.50"), ...})
    request.body        # bytes: {"command", "request_timestamp" (UTC now, Y-m-d H:i:s),
                        #  "hash" = sha1(command + request_timestamp + secret), "data"};
                        #  Decimals are JSON numbers with their exact digits
    request.headers     # Content-Type, X-Operator-Id, X-Authorization = sha1(command + secret)
    answer = check_answer(credentials, status_code=200, content_type=..., content=b"...",
                          request=request)   # request=None: the echo is not compared
    answer = post(credentials, "http://host/api/wallet/", request, timeout=5,
                  session=None)   # over HTTP (requests; a Session to keep connections)
    answer.status       # "OK" | "ERROR"
    answer.data         # the response's data, numbers with a fraction parsed as Decimal
    answer.error_code   # "OP_xx" for an ERROR, else None
    answer.balance      # data["balance"] as a Decimal with 2 decimals, None if none
    answer.envelope     # the whole parsed answer: {"request": ..., "response": ...}

A checked answer is HTTP 200 with Content-Type application/json; charset=utf-8, one JSON object
{"request": ..., "response": {"status", "response_timestamp", "hash", "data"}}, status OK or
ERROR (an ERROR with an OP_xx error_code), response hash = sha1(status + response_timestamp +
secret), and the request passed back unchanged (when `request` is given). Anything else raises
`WalletProtocolError`, whose `failed` names the check: "connection", "http_status",
"content_type", "envelope", "response_hash", "request_echo" or "error_code"; `http_status` is
the answer's HTTP status (None without an answer).

`Credentials`, `SignedRequest` and `WalletAnswer` are frozen dataclasses.
`changebalance_data(...)` is a changebalance's data, every field the spec names, stamped now.
Helpers: `sha1`, `authorization`, `request_hash`, `response_hash`, `utc_timestamp`, `dumps`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
CONTENT_TYPE = "application/json; charset=utf-8"
STATUSES = ("OK", "ERROR")
CENT = Decimal("0.01")


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def authorization(command: str, secret_key: str) -> str:
    """The X-Authorization header of a request."""
    return sha1(command + secret_key)


def request_hash(command: str, request_timestamp: str, secret_key: str) -> str:
    return sha1(command + request_timestamp + secret_key)


def response_hash(status: str, response_timestamp: str, secret_key: str) -> str:
    return sha1(status + response_timestamp + secret_key)


def utc_timestamp() -> str:
    """Now in UTC, as the spec writes request timestamps (the wallet refuses stale ones)."""
    return dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)


def dumps(value: Any) -> str:
    """JSON text in which a Decimal is a number with its exact digits (the PLATFORM sends
    amounts as JSON numbers: 1.50 stays 1.50)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return format(value, "f")
    if isinstance(value, Mapping):
        items = (json.dumps(str(key)) + ":" + dumps(item) for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(map(dumps, value)) + "]"
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Credentials:
    """What the PLATFORM signs with for one operator."""

    operator_id: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class SignedRequest:
    """One gameplay API call as the PLATFORM sends it (`body` and `headers` derive from the
    fields, so a test may `dataclasses.replace` the hash or timestamp)."""

    operator_id: str
    authorization: str
    command: str
    request_timestamp: str
    hash: str
    data: Mapping[str, Any]

    @property
    def document(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "request_timestamp": self.request_timestamp,
            "hash": self.hash,
            "data": self.data,
        }

    @property
    def body(self) -> bytes:
        return dumps(self.document).encode()

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": CONTENT_TYPE,
            "X-Operator-Id": self.operator_id,
            "X-Authorization": self.authorization,
        }


@dataclass(frozen=True)
class WalletAnswer:
    """A checked answer of the wallet."""

    status: str
    data: Mapping[str, Any]
    response_timestamp: str
    envelope: Mapping[str, Any]

    @property
    def error_code(self) -> str | None:
        return str(self.data["error_code"]) if self.status == "ERROR" else None

    @property
    def balance(self) -> Decimal | None:
        """The data's balance with 2 decimals; None when it has none or it is not a number."""
        try:
            return Decimal(str(self.data["balance"])).quantize(CENT)
        except (KeyError, ArithmeticError, ValueError):
            return None


class WalletProtocolError(Exception):
    """An answer that is not what the protocol calls for; `failed` names the check."""

    def __init__(self, failed: str, message: str, *, http_status: int | None = 200) -> None:
        super().__init__(message)
        self.failed = failed
        self.http_status = http_status


def sign_request(
    credentials: Credentials,
    command: str,
    data: Mapping[str, Any],
    *,
    timestamp: str | None = None,
) -> SignedRequest:
    """`command` with `data`, stamped `timestamp` (default: now, UTC) and signed."""
    stamp = timestamp or utc_timestamp()
    secret = credentials.secret_key
    return SignedRequest(
        operator_id=credentials.operator_id,
        authorization=authorization(command, secret),
        command=command,
        request_timestamp=stamp,
        hash=request_hash(command, stamp, secret),
        data=data,
    )


def changebalance_data(
    *,
    token: str | None,
    user_id: str,
    transaction_type: str,
    transaction_id: int,
    round_id: int,
    round_finished: bool | None,
    game_id: int,
    currency_code: str,
    amount: Decimal,
    reason: str,
    history_id: str,
    campaign: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The data of a changebalance (spec: Change balance), stamped now (UTC). `campaign`: the
    context's campaign_code and campaign_details of a promotional free spin."""
    context: dict[str, Any] = {"reason": reason, "history_id": history_id}
    if campaign:
        context.update(campaign)
    return {
        "token": token,
        "user_id": user_id,
        "transaction_type": transaction_type,
        "transaction_id": transaction_id,
        "round_id": round_id,
        "round_finished": round_finished,
        "game_id": game_id,
        "currency_code": currency_code,
        "amount": amount,
        "transaction_timestamp": utc_timestamp(),
        "context": context,
    }


def check_answer(
    credentials: Credentials,
    *,
    status_code: int,
    content_type: str | None,
    content: bytes,
    request: SignedRequest | None = None,
) -> WalletAnswer:
    """The wallet's answer, checked (see the module docstring); raises WalletProtocolError."""
    if status_code != 200:
        raise WalletProtocolError("http_status", f"HTTP {status_code}", http_status=status_code)
    if content_type != CONTENT_TYPE:
        raise WalletProtocolError("content_type", f"Content-Type {content_type!r}")
    try:
        envelope = json.loads(content.decode("utf-8"), parse_float=Decimal)
        reply = envelope["response"]
        status, stamp, digest, data = (
            reply["status"],
            reply["response_timestamp"],
            reply["hash"],
            reply["data"],
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise WalletProtocolError("envelope", f"not a signed envelope ({exc!r})") from exc
    if status not in STATUSES or not isinstance(data, dict):
        raise WalletProtocolError("envelope", f"status {status!r} / data not an object")
    expected = response_hash(str(status), str(stamp), credentials.secret_key)
    if not hmac.compare_digest(str(digest).encode(), expected.encode()):
        raise WalletProtocolError("response_hash", "response hash does not verify")
    if request is not None and envelope.get("request") != json.loads(
        request.body, parse_float=Decimal
    ):
        raise WalletProtocolError("request_echo", "the request is not passed back unchanged")
    if status == "ERROR" and not str(data.get("error_code", "")).startswith("OP_"):
        raise WalletProtocolError("error_code", "ERROR without an OP_xx error_code")
    return WalletAnswer(status=status, data=data, response_timestamp=stamp, envelope=envelope)


def post(
    credentials: Credentials,
    base_url: str,
    request: SignedRequest,
    *,
    timeout: float | tuple[float, float],
    session: requests.Session | None = None,
) -> WalletAnswer:
    """Send `request` to `base_url` + command over HTTP and check the answer."""
    url = f"{base_url.rstrip('/')}/{request.command}"
    try:
        response = (session or requests).post(
            url, data=request.body, headers=request.headers, timeout=timeout
        )
    except requests.RequestException as exc:
        message = f"no answer ({type(exc).__name__})"
        raise WalletProtocolError("connection", message, http_status=None) from exc
    return check_answer(
        credentials,
        status_code=response.status_code,
        content_type=response.headers.get("Content-Type"),
        content=response.content,
        request=request,
    )
