"""Structured logs: a JSON formatter and the wallet context of log lines.

`JsonFormatter` writes one JSON object per line with the standard fields and every `extra`
field of the record (command, operator, user_id, transaction_id, ... on wallet lines).

`WalletContextFilter` adds the wallet call's context to every line logged while a gameplay API
call is served (whichever front serves it sets `wallet_request`): the command and operator
from the path and header, and user_id/transaction_id from the request body, parsed only when
such a line is actually written (an error), never on the hot path.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any


class WalletCallSource:
    """The gameplay API call being served: its path, WSGI environ and body (read only when a
    line is actually logged). Set in `wallet_request` by whichever front serves the call."""

    def __init__(self, path: str, meta: Mapping[str, Any], read_body: Callable[[], bytes]):
        self.path = path
        self.meta = meta
        self.read_body = read_body
        self._context: dict[str, str | None] | None = None

    def context(self) -> dict[str, str | None]:
        """The wallet fields of the call, computed once."""
        if self._context is None:
            # (imported here: this module is loaded with the logging settings, before the apps)
            from platform_wallet.api import operator_header

            data = _request_data(self.read_body)
            self._context = {
                "command": self.path.rstrip("/").rsplit("/", 1)[-1] or None,
                "operator": operator_header(self.meta),
                "user_id": _scalar(data.get("user_id")),
                "transaction_id": _scalar(data.get("transaction_id")),
            }
        return self._context


# The gameplay API call being served in this thread/context, if any.
wallet_request: ContextVar[WalletCallSource | None] = ContextVar("wallet_request", default=None)

WALLET_FIELDS = ("command", "operator", "user_id", "transaction_id")
_STANDARD_ATTRS = frozenset(logging.LogRecord("", logging.INFO, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


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
        source = wallet_request.get()
        if source is not None:
            for key, value in source.context().items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


def _request_data(read_body: Callable[[], bytes]) -> dict[str, Any]:
    try:
        body = json.loads(read_body(), parse_float=str, parse_int=str)
    except Exception:  # an unreadable or malformed body has no ids to log
        return {}
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def _scalar(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)
