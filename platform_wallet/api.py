"""Serving one gameplay API call (spec: Gameplay API), as the WSGI front hands it over.

`serve_call` checks X-Operator-Id and X-Authorization (HTTP 403 when wrong, the only non-200
answer), parses the body, checks the body hash (OP_20), runs the command, and answers with the
signed envelope. Every failure is an ERROR envelope with the exact code; anything unexpected is
OP_50 (the PLATFORM retries it) and is logged with the request.

It reads only the WSGI environ (`meta`) and the body: `platform_wallet.wsgi` takes the calls
straight from the server, in front of Django, and is the only way in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError

from operators.accounts import (
    OperatorAccount,
    OperatorsUnavailable,
    operator_account,
)
from platform_wallet import connections, protocol
from platform_wallet.addresses import client_address
from platform_wallet.call_context import operator_header
from platform_wallet.errors import ErrorCode, InvalidRequest, WalletError
from platform_wallet.gameplay import COMMANDS
from platform_wallet.models import ApiErrorLog
from platform_wallet.redact import mask_tokens_in_body

__all__ = ["Answer", "WalletCall", "serve_call"]

logger = logging.getLogger("platform_wallet.api")

Meta = Mapping[str, Any]
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
PONG = b"PONG"  # the answer to GET /ping
# SQLSTATEs of a statement or lock wait that ran out of time: answered as OP_47, the PLATFORM
# then cancels the BET (nothing was committed).
TIMEOUT_SQLSTATES = {"57014", "55P03"}
LOGGED_BODY = 2000  # characters of a request body in a log line (its tokens masked)


@dataclass(frozen=True)
class WalletCall:
    """What a call was and how it was answered (for the metrics and the call log)."""

    command: str
    operator_id: str
    error_code: str | None
    user_id: str | None
    transaction_id: str | None
    # A refusal that is a security event (a stale or future request_timestamp), else None.
    security_event: str | None = None


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes
    content_type: str
    call: WalletCall | None  # None when refused with 403 (nothing was read)
    # Why a call got no signed answer (for the log): "unknown operator", "address not
    # allowed", "no IP allow-list", "bad X-Authorization", "operators unavailable".
    refusal: str | None = None


def forbidden(refusal: str | None = None) -> Answer:
    return Answer(403, b"Access denied", TEXT_CONTENT_TYPE, None, refusal)


def unavailable() -> Answer:
    """No operator account could be read and none was ever read in this process: the call can
    be neither verified nor signed. Per the spec (Response: "Any other HTTP response code will
    be considered equal to an error response with error code OP_50"), the PLATFORM retries."""
    return Answer(503, b"Service Unavailable", TEXT_CONTENT_TYPE, None, "operators unavailable")


def _refusal(command: str, meta: Meta, operator: OperatorAccount | None) -> str | None:
    """Why the call is refused with HTTP 403 (spec: X-Authorization header; issue 10: the
    operator's IP allow-list, required in production), or None when it may proceed."""
    if operator is None:
        return "unknown operator"
    if not operator.allows(
        client_address(meta), require_allowlist=settings.WALLET_REQUIRE_IP_ALLOWLIST
    ):
        no_list = not operator.allowed_networks and operator.allowlist_valid
        return "no IP allow-list" if no_list else "address not allowed"
    if not protocol.digests_match(
        meta.get("HTTP_X_AUTHORIZATION"),
        protocol.authorization_header(command, operator.secret_key),
    ):
        return "bad X-Authorization"
    return None


def serve_call(command: str, *, method: str, meta: Meta, read_body: Callable[[], bytes]) -> Answer:
    """Answer one call of `command` (one of COMMANDS). `read_body` returns the request body;
    it may raise RequestDataTooBig (answered as an ERROR). Database errors are answered as
    signed ERRORs (OP_47, OP_50), with the last operator accounts read when the database
    cannot be read now (HTTP 503 when none ever was)."""
    operator_id = operator_header(meta)
    try:
        operator = operator_account(operator_id.strip()) if operator_id else None
    except OperatorsUnavailable:
        return unavailable()
    refusal = _refusal(command, meta, operator)
    if refusal is not None or operator is None:
        return forbidden(refusal)

    raw = b""
    request_is_json = False
    data: dict[str, Any] = {}
    security_event: str | None = None
    try:
        try:
            raw = read_body()
        except RequestDataTooBig as exc:
            raise InvalidRequest(f"Request body too large: {exc}") from exc
        if method != "POST":
            raise InvalidRequest(f"{command} is a POST request")
        try:
            body = protocol.parse_json(raw)
        except protocol.MalformedJSON as exc:
            raise InvalidRequest(f"Malformed JSON: {exc}", exc.key) from exc
        request_is_json = True
        data = _check_envelope(body, command, operator)
        answer = COMMANDS[command](operator, data)
        status, payload = "OK", answer
    except WalletError as exc:
        status, payload = "ERROR", {"error_code": str(exc.code), "error_message": exc.message}
        security_event = getattr(exc, "security_event", None)
        _log_error(operator, command, exc.code, exc.message, data, raw)
    except (OperationalError, InterfaceError) as exc:
        code = ErrorCode.OP_47 if _is_timeout(exc) else ErrorCode.OP_50
        message = code.reason if code == ErrorCode.OP_47 else "Database error"
        logger.warning(
            "%s %s: %s; request=%s", command, code, exc, mask_tokens_in_body(raw, LOGGED_BODY)
        )
        status, payload = "ERROR", {"error_code": str(code), "error_message": message}
        if connections.connection_is_broken():
            connections.pool_drop_dead_connections()
        if not connections.connection_is_missing():  # (else the log line above is all)
            _log_error(operator, command, code, message, data, raw)
    except Exception:
        logger.exception(
            "%s OP_50: unexpected error; request=%s", command, mask_tokens_in_body(raw, LOGGED_BODY)
        )
        status = "ERROR"
        payload = {"error_code": "OP_50", "error_message": "Internal error"}
        _log_error(operator, command, ErrorCode.OP_50, "Internal error", data, raw)
    body_out = protocol.envelope(
        raw_request=raw,
        request_is_json=request_is_json,
        status=status,
        data=payload,
        secret_key=operator.secret_key,
    )
    call = WalletCall(
        command=command,
        operator_id=operator.operator_id,
        error_code=payload.get("error_code") if status == "ERROR" else None,
        user_id=_as_str(data.get("user_id")),
        transaction_id=_as_str(data.get("transaction_id")),
        security_event=security_event,
    )
    return Answer(200, body_out, JSON_CONTENT_TYPE, call)


def _is_timeout(exc: BaseException) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in TIMEOUT_SQLSTATES:
        return True
    if type(cause).__name__ == "PoolTimeout":
        return True
    return "database is locked" in str(exc)


def _as_str(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)


def _check_envelope(body: Any, command: str, operator: OperatorAccount) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("The request must be a JSON object")
    if body.get("command") != command:
        raise InvalidRequest(f"command must be {command!r} at this endpoint", "command")
    timestamp = body.get("request_timestamp")
    if not isinstance(timestamp, str):
        raise InvalidRequest("request_timestamp must be a string", "request_timestamp")
    received_hash = body.get("hash")
    if not isinstance(received_hash, str):
        raise InvalidRequest("hash must be a string", "hash")
    expected = protocol.request_hash(command, timestamp, operator.secret_key)
    if not protocol.digests_match(received_hash, expected):
        raise WalletError(ErrorCode.OP_20)
    _check_fresh(timestamp)
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidRequest("data must be a JSON object", "data")
    return data


# The wall clock the freshness check reads (tests of the spec's dated examples replace it).
clock = time.time


def _check_fresh(timestamp: str) -> None:
    """The signature covers command and request_timestamp only, never `data`: a captured
    request's headers and hash would carry any data for as long as its timestamp is accepted.
    So a request older than WALLET_MAX_REQUEST_AGE, or more than WALLET_MAX_REQUEST_SKEW in
    the future, is refused before anything is read or moved (docs/security.md)."""
    sent = protocol.timestamp_epoch(timestamp)
    if sent is None:
        raise InvalidRequest(
            "request_timestamp must be a UTC time as Y-m-d H:i:s", "request_timestamp"
        )
    age = clock() - sent
    if age > settings.WALLET_MAX_REQUEST_AGE:
        raise StaleRequest("stale_request", f"request_timestamp is {int(age)} s old")
    if age < -settings.WALLET_MAX_REQUEST_SKEW:
        raise StaleRequest("future_request", f"request_timestamp is {int(-age)} s in the future")


class StaleRequest(WalletError):
    """A correctly signed request outside the accepted time window: OP_20 (its signature is
    no longer acceptable), counted and logged as a security event."""

    def __init__(self, event: str, detail: str) -> None:
        self.security_event = event
        super().__init__(ErrorCode.OP_20, f"Invalid hash: {detail} (outside the accepted window)")


def _log_error(
    operator: OperatorAccount,
    command: str,
    code: ErrorCode,
    message: str,
    data: dict[str, Any],
    raw: bytes,
) -> None:
    """Keep every ERROR answer for staff ("why was this bet refused?"), outside any money
    transaction; a failure to log never changes the answer."""
    logger.info(
        "%s answered %s: %s (operator=%s user_id=%s transaction_id=%s)",
        command,
        code,
        message,
        operator.operator_id,
        data.get("user_id"),
        data.get("transaction_id"),
    )
    try:
        ApiErrorLog.objects.create(
            operator_id=operator.pk,
            command=command,
            error_code=str(code),
            error_message=message[:500],
            user_id=str(data.get("user_id") or "")[:70],
            transaction_id=_as_int(data.get("transaction_id")),
            round_id=_as_int(data.get("round_id")),
            request_body=mask_tokens_in_body(raw, 20000),
        )
    except DatabaseError:
        logger.exception("could not write the API error log")


def _as_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**63 else None
