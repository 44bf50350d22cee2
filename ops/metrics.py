"""Prometheus metrics of the gameplay API and the site.

Under gunicorn, `gunicorn.conf.py` sets PROMETHEUS_MULTIPROC_DIR before any worker starts:
each worker then writes its samples to memory-mapped files in that directory, and /metrics
adds up all workers' files (prometheus_client's multiprocess mode), whichever worker answers.
Without it (runserver, tests), the process's own registry is served.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

WALLET_COMMANDS = frozenset(
    {"authenticate", "balance", "changebalance", "status", "cancel", "finishround", "ping"}
)
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
http_rate_limited = Counter(
    "http_rate_limited",
    "Requests answered 429 by the rate limiter, by scope (pages, login)",
    ("scope",),
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


def metrics_exposition() -> tuple[bytes, str]:
    """The text exposition of every metric, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
