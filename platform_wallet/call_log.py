"""The record of every gameplay API call: one metric sample and one structured log line.

Called once per call by the gameplay API's WSGI front (`platform_wallet.wsgi`). It reads what
the call was from the `WalletCall` the wallet returned (no database work, no body parsing); a
call refused with 403 has none and is described from its path and headers. /metrics serves
the samples (`ops.metrics`, every casino-web worker added up).

Calls without a `WalletCall` (refused with 403, unknown paths, 503) come from anyone on the
internet, so a flood of them must not write a line each (issue 10): their lines are throttled
to one per WALLET_DENIED_LOG_SECONDS, command and reason, with the count of calls it stands for
(`calls`). The metric counts every call; its labels never carry what such a caller sent
(the command is one of the known ones or "other", never the operator id).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from prometheus_client import Counter, Histogram

from platform_wallet.addresses import client_address
from platform_wallet.api import WalletCall
from platform_wallet.call_context import operator_header
from platform_wallet.gameplay import COMMANDS
from platform_wallet.throttle import LogThrottle

WALLET_COMMANDS = frozenset((*COMMANDS, "ping"))
# Latency buckets (seconds) around the PLATFORM's few-second timeout.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)

WALLET_LABELS = ("command", "status", "error_code")
wallet_requests = Counter(
    "wallet_requests",
    "Gameplay API calls by command and answer: status OK or ERROR (error_code OP_xx), "
    "DENIED (HTTP 403: unknown operator, bad X-Authorization, address not allowed), HTTP_<code>",
    WALLET_LABELS,
)
wallet_request_duration = Histogram(
    "wallet_request_duration_seconds",
    "Time to answer a gameplay API call, by command and answer",
    WALLET_LABELS,
    buckets=LATENCY_BUCKETS,
)
wallet_security_events = Counter(
    "wallet_security_events",
    "Correctly signed gameplay API calls refused as a security event, by event "
    "(stale_request, future_request: request_timestamp outside the accepted window)",
    ("event",),
)
# The labelled children per (command, status, error_code), looked up once per process: a
# `labels()` call costs more than the increment itself.
_wallet_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}


def wallet_command_label(command: str) -> str:
    """The command as a label: one of the gameplay API's, else "other" (a scan of made-up
    paths must not create a time series, or a log key, per path)."""
    return command if command in WALLET_COMMANDS else "other"


def wallet_call_observe(*, command: str, status: str, error_code: str, seconds: float) -> None:
    command = wallet_command_label(command)
    key = (command, status, error_code)
    children = _wallet_children.get(key)
    if children is None:
        children = (wallet_requests.labels(*key), wallet_request_duration.labels(*key))
        _wallet_children[key] = children
    children[0].inc()
    children[1].observe(seconds)


call_logger = logging.getLogger("wallet.calls")
security_logger = logging.getLogger("wallet.security")
OPERATOR_LOGGED_CHARS = 40  # of an operator id (or a path) no account was found for
_unverified_lines: LogThrottle | None = None


def _unverified_throttle() -> LogThrottle:
    global _unverified_lines
    interval = settings.WALLET_DENIED_LOG_SECONDS
    if _unverified_lines is None or _unverified_lines.interval_seconds != interval:
        _unverified_lines = LogThrottle(interval)
    return _unverified_lines


def observe_wallet_call(
    *,
    path_command: str,
    call: WalletCall | None,
    http_status: int,
    seconds: float,
    meta: Mapping[str, Any],
    refusal: str | None = None,
) -> None:
    """`path_command` is the last part of the path (the command the URL names); `refusal`
    says why a call without `call` was refused (the wallet's `Answer.refusal`)."""
    operator: str | None
    calls = 1
    if call is not None:
        command, operator = call.command, call.operator_id
        status, error_code = ("ERROR", call.error_code) if call.error_code else ("OK", "")
        user_id, transaction_id = call.user_id, call.transaction_id
    else:
        command = (path_command or "other")[:OPERATOR_LOGGED_CHARS]
        operator = operator_header(meta)
        if operator is not None:
            operator = operator[:OPERATOR_LOGGED_CHARS]
        status = (
            "DENIED"
            if http_status == 403
            else ("OK" if http_status == 200 else f"HTTP_{http_status}")
        )
        error_code, user_id, transaction_id = "", None, None
    wallet_call_observe(command=command, status=status, error_code=error_code, seconds=seconds)
    if call is not None and call.security_event:
        _security_event(call, meta)
    if status == "OK" and command == "ping":
        return
    level = logging.INFO
    if status == "DENIED" or status.startswith("HTTP_") or error_code in ("OP_47", "OP_50"):
        level = logging.WARNING
    if not call_logger.isEnabledFor(level):
        return
    if call is None and status != "OK":
        key = f"{wallet_command_label(command)} {status} {refusal or ''}"
        admitted = _unverified_throttle().admit(key)
        if admitted is None:
            return
        calls = admitted
    duration_ms = round(seconds * 1000, 2)
    # makeRecord + handle: what logger.log does, less the stack walk for the caller's file and
    # line (the same for every line here), on the wallet's hot path.
    record = call_logger.makeRecord(
        call_logger.name,
        level,
        __file__,
        0,
        "%s %s%s operator=%s user_id=%s transaction_id=%s %.1fms%s",
        (
            command,
            status,
            f" {error_code}" if error_code else "",
            operator,
            user_id,
            transaction_id,
            duration_ms,
            f" ({refusal or status}: {calls} such calls since the last line)"
            if call is None
            else "",
        ),
        None,
        extra={
            "command": command,
            "operator": operator,
            "user_id": user_id,
            "transaction_id": transaction_id,
            "status": status,
            "error_code": error_code or None,
            "duration_ms": duration_ms,
            "http_status": http_status,
            "client_ip": client_address(meta),
            "refusal": refusal,
            "calls": calls,
        },
    )
    call_logger.handle(record)


_security_lines = LogThrottle(60)


def _security_event(call: WalletCall, meta: Mapping[str, Any]) -> None:
    """Count every refusal that may be an attack (a replayed, captured request); log it at
    most once a minute per event, operator and command, with the count it stands for."""
    event = str(call.security_event)
    wallet_security_events.labels(event).inc()
    calls = _security_lines.admit(f"{event}:{call.operator_id}:{call.command}")
    if calls is None:
        return
    client_ip = client_address(meta)
    security_logger.warning(
        "security event %s: %s refused (operator=%s client_ip=%s, %d call(s))",
        event,
        call.command,
        call.operator_id,
        client_ip,
        calls,
        extra={
            "security_event": event,
            "command": call.command,
            "operator": call.operator_id,
            "client_ip": client_ip,
            "calls": calls,
        },
    )
