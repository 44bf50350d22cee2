"""`casino-web`: the production web server (Granian serving `casino_project.wsgi:application`).

    casino-web            # settings from the environment, see below and the README

It replaces itself with the server process (exec), so that signals and the PID are the
server's, as a container needs: SIGTERM/SIGINT stop it gracefully (workers finish their
requests within WEB_GRACEFUL_TIMEOUT), SIGHUP restarts the workers one by one.

Chosen by measurement over gunicorn's gthread workers (README, "Speed"): Granian's HTTP layer
is Rust and its WSGI workers hand requests to a pool of blocking threads, which leaves the
Python CPU to the wallet. What gunicorn gave us and how it is kept:
- Prometheus metrics of all workers added up: PROMETHEUS_MULTIPROC_DIR, created (or emptied)
  here before any worker starts; counters and histograms only, so a dead worker's files keep
  counting (nothing to mark dead).
- Operator accounts read before the first call (gunicorn's post_worker_init): each worker does
  it when it loads the application (CASINO_WEB_WORKER, see casino_project.wsgi).
- Worker recycling: by age (WEB_WORKER_LIFETIME) or memory (WEB_WORKER_MAX_RSS), not by request
  count. Timeouts: the database's statement and lock timeouts bound every wallet call; Granian
  has no per-request kill timer, a stuck worker is replaced when it dies
  (--respawn-failed-workers).
- Forwarded headers: Granian passes them through; the application decides whom to trust
  (WALLET_TRUSTED_PROXIES, SECURE_PROXY_SSL_HEADER). /healthz is the application's.

Environment: HOST (0.0.0.0) and PORT (8000), or WEB_BIND "host:port"; WEB_WORKERS (or
WEB_CONCURRENCY; default: the CPUs this process may use), WEB_THREADS (blocking threads per
worker, 4; each keeps a pooled database connection between wallet calls, so DB_POOL_MAX_SIZE
must be at least as large), WEB_BACKLOG (1024), WEB_WORKER_LIFETIME (seconds, 0: never),
WEB_WORKER_MAX_RSS (MiB, 0: no limit), WEB_GRACEFUL_TIMEOUT (30), WEB_ACCESS_LOG (false),
WEB_LOG_LEVEL (info).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path


class WebConfigError(Exception):
    """A web server setting in the environment is not usable; the message names it."""


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise WebConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise WebConfigError(f"{name}={value} must be at least {minimum}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise WebConfigError(f"{name}={raw!r} is neither true nor false")


def _bind(env: Mapping[str, str]) -> tuple[str, int]:
    bind = env.get("WEB_BIND", "").strip()
    if bind:
        host, sep, port = bind.rpartition(":")
        if not sep or not host:
            raise WebConfigError(f"WEB_BIND={bind!r} is not host:port")
        try:
            return host.strip("[]"), int(port)
        except ValueError:
            raise WebConfigError(f"WEB_BIND={bind!r}: the port is not a number") from None
    return env.get("HOST", "").strip() or "0.0.0.0", _int(env, "PORT", 8000, minimum=1)  # noqa: S104


def server_args(env: Mapping[str, str]) -> list[str]:
    """The Granian command line for these settings (raises WebConfigError)."""
    host, port = _bind(env)
    cpus = len(os.sched_getaffinity(0))
    workers = _int(env, "WEB_WORKERS", _int(env, "WEB_CONCURRENCY", cpus, minimum=1), minimum=1)
    threads = _int(env, "WEB_THREADS", 4, minimum=1)
    _check_pool(env, threads)
    args = [
        "--interface",
        "wsgi",
        "--no-ws",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backlog",
        str(_int(env, "WEB_BACKLOG", 1024, minimum=128)),
        "--workers-kill-timeout",
        str(_int(env, "WEB_GRACEFUL_TIMEOUT", 30, minimum=1)),
        "--respawn-failed-workers",
        "--log-level",
        env.get("WEB_LOG_LEVEL", "").strip().lower() or "info",
        "--access-log" if _bool(env, "WEB_ACCESS_LOG", False) else "--no-access-log",
        "--process-name",
        "casino-web",
    ]
    lifetime = _int(env, "WEB_WORKER_LIFETIME", 0)
    if lifetime:
        args += ["--workers-lifetime", str(max(lifetime, 60))]
    max_rss = _int(env, "WEB_WORKER_MAX_RSS", 0)
    if max_rss:
        args += ["--workers-max-rss", str(max_rss)]
    return [*args, "casino_project.wsgi:application"]


def _check_pool(env: Mapping[str, str], threads: int) -> None:
    """Each blocking thread keeps its pooled connection between wallet calls
    (WALLET_KEEP_CONNECTION_SECONDS, `platform_wallet.connections`): a pool smaller than the
    threads would leave a thread waiting for a connection that an idle one holds."""
    url = env.get("DATABASE_URL", "").strip()
    if not url.startswith(("postgres", "pgsql")) or not _bool(env, "DB_POOL", True):
        return
    if _int(env, "WALLET_KEEP_CONNECTION_SECONDS", 60) == 0:
        return
    pool = _int(env, "DB_POOL_MAX_SIZE", 8, minimum=1)
    if pool < threads:
        raise WebConfigError(
            f"DB_POOL_MAX_SIZE={pool} is below WEB_THREADS={threads}: each thread keeps a "
            "pooled connection between wallet calls (or set WALLET_KEEP_CONNECTION_SECONDS=0)"
        )


def metrics_dir_prepare(env: dict[str, str]) -> Path:
    """PROMETHEUS_MULTIPROC_DIR for the workers' metric files: a new directory unless set,
    emptied of an earlier run's files (they are not this run's)."""
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="casino-prometheus-")
    path = Path(env["PROMETHEUS_MULTIPROC_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path


def main(argv: Sequence[str] | None = None) -> None:
    if list(argv if argv is not None else sys.argv[1:]):
        sys.exit("casino-web takes no arguments: its settings come from the environment")
    env = dict(os.environ)
    try:
        args = server_args(env)
    except WebConfigError as exc:
        sys.exit(f"casino-web: {exc}")
    metrics_dir_prepare(env)
    env.setdefault("DJANGO_SETTINGS_MODULE", "casino_project.settings")
    env["CASINO_WEB_WORKER"] = "1"
    os.execve(sys.executable, [sys.executable, "-m", "granian", *args], env)  # noqa: S606


if __name__ == "__main__":
    main()
