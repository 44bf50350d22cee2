# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""End to end: a real Celery worker with its beat (`celery -A casino_project worker --beat`,
as production runs it) on the local Redis, reading the schedules from the database
(django-celery-beat), runs the scheduled balance limits job against the PLATFORM simulator.

The worker is a separate process, so it needs a database it can share with the test:
PostgreSQL (the test database). Everything is bounded in time, and the worker is stopped
whatever happens.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from operators.models import Operator
from reporting.models import AlertKind, LimitAlert, LimitKind, LimitSnapshot
from simulator.server import RunningSimulator
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    SIM_OPERATOR_ID,
    book_path,
    platform,
    platform_operator,
)

pytestmark = [pytest.mark.celery, pytest.mark.postgres]

DEFAULTS = importlib.import_module("reporting.migrations.0002_default_schedules")
BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 90


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis is not reachable at {settings.CELERY_BROKER_URL}: {exc}")


@dataclass(frozen=True)
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    """Start `celery worker --beat` on a queue of its own, against the test database; stop it
    (TERM, then KILL) at the end."""
    _redis_or_skip()
    log_path = tmp_path / "worker.log"
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_POOL": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PLATFORM_TASK_RETRY_BACKOFF": "1",
        "DJANGO_ADMINS": "Ops:ops@casino.test",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "casino_project", "worker", "--beat",
        "--queues", queue, "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--schedule", str(tmp_path / "beat-schedule"),
        "--hostname", f"{queue}@%h",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield Worker(process, log_path)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)


def _wait_for(condition: Callable[[], bool], worker: Worker, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited ({worker.process.returncode}):\n{worker.log()[-6000:]}")
        time.sleep(0.5)
    pytest.fail(f"{what} within {WAIT_SECONDS} s. Worker log:\n{worker.log()[-6000:]}")


@pytest.mark.django_db(transaction=True)
def test_spec_scheduled_balance_limits_job_runs_on_a_real_worker(
    platform: RunningSimulator,
    platform_operator: Operator,
    worker: Worker,
) -> None:
    # The default schedules (the data migration; a transactional test may have flushed them).
    DEFAULTS.create_schedules(apps, None)
    job = PeriodicTask.objects.get(name=DEFAULTS.BALANCE_LIMITS)
    PeriodicTask.objects.filter(task__startswith="reporting.").exclude(pk=job.pk).update(
        enabled=False
    )
    # Staff make the hourly check run every 2 seconds, as they would in the admin.
    every_2s, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    job.crontab = None
    job.interval = every_2s
    job.last_run_at = None
    job.save()
    # The PLATFORM's first answer is an error: the task is retried (backoff 1 s here).
    platform.state.inject_fault("balanceLimits", status=403)
    with platform.state.lock:
        platform.state.available_balance = Decimal("500.00")  # under the 1000 threshold

    def checked() -> bool:
        return LimitSnapshot.objects.filter(
            operator=platform_operator, kind=LimitKind.BALANCE
        ).exists()

    _wait_for(checked, worker, "no balance limits snapshot stored by the worker")
    snapshot = LimitSnapshot.objects.filter(kind=LimitKind.BALANCE).earliest("fetched_at")
    assert snapshot.available_balance == Decimal("500.00")
    alert = LimitAlert.objects.get(operator=platform_operator, kind=AlertKind.LOW_BALANCE)
    assert alert.currency == "USD" and alert.is_open

    # Beat sent it, by the schedule's name in the database (it writes run counts back to the
    # database only every few minutes, so its log is the evidence here).
    assert f"Sending due task {DEFAULTS.BALANCE_LIMITS} (reporting.balance_limits_check_all)" in (
        worker.log()
    )

    def mailed() -> bool:
        log = worker.log()
        return "ops@casino.test" in log and "Available balance 500.00 USD" in log

    _wait_for(mailed, worker, "no alert mail in the worker's output")
    log = worker.log()
    assert "reporting.balance_limits_check_all" in log
    assert "Retry in" in log  # the PLATFORM error was retried...
    assert platform.state.requests["balanceLimits"] >= 2  # ...and the retry succeeded
    assert "succeeded" in log
