"""Structured logs: a JSON formatter and the wallet context of log lines.

`JsonFormatter` writes one JSON object per line with the standard fields and every `extra`
field of the record (command, operator, user_id, transaction_id, ... on wallet lines).

`WalletContextFilter` adds the wallet call's context to every line logged while a gameplay API
call is served (the middleware sets `wallet_request`): the command and operator from the path
and header, and user_id/transaction_id from the request body, parsed only when such a line is
actually written (an error), never on the hot path.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

# The gameplay API request being served in this thread/context, if any.
wallet_request: ContextVar[HttpRequest | None] = ContextVar("wallet_request", default=None)

WALLET_FIELDS = ("command", "operator", "user_id", "transaction_id")
_STANDARD_ATTRS = frozenset(logging.LogRecord("", logging.INFO, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_CONTEXT_ATTR = "_ops_wallet_log_context"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601), level, logger, message, the record's
    `extra` fields, and exc_info/stack_info when present."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in payload:
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class WalletContextFilter(logging.Filter):
    """Adds command, operator, user_id and transaction_id to lines logged during a wallet
    call (fields the record already carries are kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = wallet_request.get()
        if request is not None:
            for key, value in wallet_log_context(request).items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


def wallet_log_context(request: HttpRequest) -> dict[str, str | None]:
    """The wallet fields of a gameplay API request, computed once per request."""
    cached: dict[str, str | None] | None = getattr(request, _CONTEXT_ATTR, None)
    if cached is not None:
        return cached
    data = _request_data(request)
    context = {
        "command": request.path_info.rstrip("/").rsplit("/", 1)[-1] or None,
        "operator": request.headers.get("X-Operator-Id") or request.headers.get("X-TT-Operator-Id"),
        "user_id": _scalar(data.get("user_id")),
        "transaction_id": _scalar(data.get("transaction_id")),
    }
    setattr(request, _CONTEXT_ATTR, context)
    return context


def _request_data(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body, parse_float=str, parse_int=str)
    except Exception:  # an unreadable or malformed body has no ids to log
        return {}
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def _scalar(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)
