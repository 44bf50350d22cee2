"""Structured logs: a JSON formatter and the wallet context of log lines.

`JsonFormatter` writes one JSON object per line with the standard fields and every `extra`
field of the record (command, operator, user_id, transaction_id, ... on wallet lines).

`WalletContextFilter` adds the wallet call's context (`platform_wallet.call_context`) to every
line logged while a gameplay API call is served: command, operator, user_id, transaction_id.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from platform_wallet.call_context import wallet_request

# One encoder for every line (json.dumps would build one per call with these options).
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)
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
        fields = record.__dict__
        extra = fields.keys() - _STANDARD_ATTRS  # (one C-level pass: a wallet call's line)
        if extra:
            for key, value in fields.items():  # in the order they were given
                if key in extra and key[0] != "_" and key not in payload:
                    payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return _ENCODER.encode(payload)


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
