"""The gameplay API call being served, for the lines logged while it is served.

`platform_wallet.wsgi` sets `wallet_request` for the length of a call; the logging filter
(`ops.logs.WalletContextFilter`) adds the call's command, operator, user_id and transaction_id
to every line written meanwhile. The ids come from the request body, parsed only when such a
line is actually written (an error), never on the hot path.

Pure (standard library only): it is loaded with the logging settings, before Django's apps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any


def operator_header(meta: Mapping[str, Any]) -> str | None:
    """X-Operator-Id, or X-TT-Operator-Id (accepted for backward compatibility, spec 2.31)."""
    return meta.get("HTTP_X_OPERATOR_ID") or meta.get("HTTP_X_TT_OPERATOR_ID")


class WalletCallSource:
    """The call being served: its path, WSGI environ and body (read only when a line is
    actually logged)."""

    def __init__(self, path: str, meta: Mapping[str, Any], read_body: Callable[[], bytes]):
        self.path = path
        self.meta = meta
        self.read_body = read_body
        self._context: dict[str, str | None] | None = None

    def context(self) -> dict[str, str | None]:
        """The wallet fields of the call, computed once."""
        if self._context is None:
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


def _request_data(read_body: Callable[[], bytes]) -> dict[str, Any]:
    try:
        body = json.loads(read_body(), parse_float=str, parse_int=str)
    except Exception:  # an unreadable or malformed body has no ids to log
        return {}
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def _scalar(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)
