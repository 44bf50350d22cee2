"""gunicorn settings, read from the environment (gunicorn loads this file from the working
directory: `gunicorn casino_project.wsgi`). Command-line flags override it.

Prometheus multiprocess mode: every worker writes its metrics to files in
PROMETHEUS_MULTIPROC_DIR (set here before any worker starts, emptied at start), /metrics adds
them up, and a worker that exits is marked dead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

# Must be in the environment before prometheus_client is first imported (here and in workers).
# By default a new directory per gunicorn master, so that two servers on one host never mix.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="casino-prometheus-")
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])

from prometheus_client import multiprocess  # noqa: E402

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Default: 2 per CPU this process may run on, plus one, at most 9 (each worker has its own
# database pool of up to DB_POOL_MAX_SIZE connections).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * len(os.sched_getaffinity(0)) + 1, 9)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Under the PLATFORM's few-second timeout a request never legitimately runs this long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the load balancer's idle timeout, so that the balancer closes idle connections.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# Heartbeat files on tmpfs (a container's /tmp may be an overlay disk).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# The application logs one JSON line per wallet call; gunicorn's access log is optional.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-* are trusted from these addresses (gunicorn also reads FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "casino-web"


def on_starting(server: Any) -> None:
    """Start with an empty metrics directory: files of a previous run are not this run's."""
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in _metrics_dir.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """Read the operator accounts before the first call (issue 10): a worker that has read
    them once answers signed errors (OP_50/OP_47) if the database goes away later; one that
    never could answers 503 (which the PLATFORM treats as OP_50 and retries)."""
    from django.db import connections

    from operators.accounts import operator_accounts_warm

    operator_accounts_warm()
    connections.close_all()  # (this thread serves no calls: its connection goes back)
