"""Prometheus: the site's own metrics (rate limiting) and the exposition of every metric
(the wallet's are defined with its call log, `platform_wallet.call_log`).

Under casino-web, PROMETHEUS_MULTIPROC_DIR is set before any worker starts: each worker then
writes its samples to memory-mapped files in that directory, and /metrics adds up all workers'
files (prometheus_client's multiprocess mode), whichever worker answers. Without it (the demo,
tests), the process's own registry is served.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)

http_rate_limited = Counter(
    "http_rate_limited",
    "Requests answered 429 by the rate limiter, by scope (pages, login)",
    ("scope",),
)


def metrics_exposition() -> tuple[bytes, str]:
    """The text exposition of every metric, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
