# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""The PLATFORM jobs as Celery tasks: default beat schedules, thin tasks that iterate every
active operator, idempotent, retried on PlatformApiError. Run eagerly here (in the test's
process); tests/test_celery_worker.py runs a real worker and beat on Redis."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from casino_project.celery import app as celery_app
from catalog import tasks as catalog_tasks
from catalog.models import Game
from operators.models import Operator
from platform_client import PlatformApiError
from reporting import tasks
from reporting.models import BusinessReport, LimitKind, LimitSnapshot, Reconciliation
from simulator.server import RunningSimulator
from tests.factories import OperatorFactory
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    book_entry,
    book_path,
    platform,
    platform_operator,
)

DEFAULTS = importlib.import_module("reporting.migrations.0002_default_schedules")


@pytest.fixture
def eager() -> Iterator[None]:
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.mark.django_db
def test_default_schedules_created_by_migration() -> None:
    by_name = {t.name: t for t in PeriodicTask.objects.filter(task__startswith="reporting.")}
    catalog = by_name["PLATFORM catalog sync (nightly)"]
    assert catalog.task == "reporting.catalog_sync_all"
    assert (catalog.crontab.minute, catalog.crontab.hour) == ("0", "2")
    reports = by_name["PLATFORM business report and reconciliation of yesterday (nightly)"]
    assert reports.task == "reporting.reports_nightly_all"
    assert (reports.crontab.minute, reports.crontab.hour) == ("30", "3")
    limits = by_name["PLATFORM balance limits check (hourly)"]
    assert limits.task == "reporting.balance_limits_check_all"
    assert (limits.crontab.minute, limits.crontab.hour) == ("5", "*")
    assert all(t.enabled for t in by_name.values())
    assert str(catalog.crontab.timezone) == "UTC"
    # Every scheduled task name is a registered task.
    celery_app.loader.import_default_modules()
    assert {t.task for t in by_name.values()} <= set(celery_app.tasks)


@pytest.mark.django_db
def test_default_schedules_keep_what_staff_changed() -> None:
    limits = PeriodicTask.objects.get(name="PLATFORM balance limits check (hourly)")
    limits.enabled = False
    limits.save()
    DEFAULTS.create_schedules(apps, None)  # running the defaults again changes nothing
    limits.refresh_from_db()
    assert limits.enabled is False
    assert PeriodicTask.objects.filter(task__startswith="reporting.").count() == 3


def test_platform_tasks_retry_with_backoff_and_have_time_limits() -> None:
    for task in (
        catalog_tasks.catalog_sync_operator,
        tasks.reports_reconcile_operator,
        tasks.balance_limits_check_operator,
    ):
        assert task.autoretry_for == (PlatformApiError,)
        assert task.retry_backoff and task.retry_jitter
        assert task.max_retries == 6
        assert task.soft_time_limit is not None and task.time_limit is not None
        assert task.soft_time_limit < task.time_limit


def test_spec_balance_limits_hourly_task_checks_every_active_operator(
    eager: None, platform: RunningSimulator, platform_operator: Operator
) -> None:
    OperatorFactory(operator_id="gone", is_active=False, api_host=platform.url)
    OperatorFactory(operator_id="no-host", api_host="")
    result = tasks.balance_limits_check_all.delay()
    assert result.get() == [platform_operator.operator_id]
    assert LimitSnapshot.objects.get(kind=LimitKind.BALANCE).operator == platform_operator


def test_spec_nightly_reports_task_fetches_and_reconciles_yesterday(
    eager: None, platform: RunningSimulator, platform_operator: Operator
) -> None:
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    book_entry(platform.state.book, transaction_type="BET", amount="5.00", date=yesterday)
    tasks.reports_nightly_all.delay().get()
    report = BusinessReport.objects.get(operator=platform_operator, date=yesterday)
    assert report.rows.get().bets_sum == Decimal("5.00")
    reconciliation = Reconciliation.objects.get(operator=platform_operator, date=yesterday)
    assert reconciliation.mismatch_count == 1  # the PLATFORM saw a BET our ledger does not have
    # Idempotent: running it again replaces, never duplicates.
    tasks.reports_nightly_all.delay(date=yesterday.isoformat()).get()
    assert BusinessReport.objects.get().fetch_count == 2
    assert Reconciliation.objects.count() == 1


def test_spec_catalog_sync_nightly_task(
    eager: None, platform: RunningSimulator, platform_operator: Operator
) -> None:
    catalog_tasks.catalog_sync_all.delay().get()
    assert Game.objects.filter(operator=platform_operator).count() == len(platform.state.games)
    catalog_tasks.catalog_sync_all.delay().get()  # idempotent
    assert Game.objects.filter(operator=platform_operator).count() == len(platform.state.games)


def test_platform_task_is_retried_with_backoff_after_a_platform_error(
    eager: None, platform: RunningSimulator, platform_operator: Operator
) -> None:
    """A PLATFORM error makes the task ask Celery for a retry, delayed by the backoff (eager
    mode stops there; tests/test_celery_worker.py sees a real worker run the retry)."""
    platform.state.inject_fault("balanceLimits", status=403)  # 4xx: the client does not retry
    with pytest.raises(Retry) as retry:
        tasks.balance_limits_check_operator.delay(platform_operator.pk)
    # (Celery wraps the exception for transport: PlatformApiError does not pickle itself.)
    assert "PlatformApiError" in repr(retry.value.exc)
    assert "balanceLimits" in str(retry.value.exc) and "HTTP 403" in str(retry.value.exc)
    assert 0 <= float(retry.value.when) <= tasks.PLATFORM_TASK_OPTIONS["retry_backoff"]
    assert not LimitSnapshot.objects.exists()
    # The retry, when it runs, succeeds.
    tasks.balance_limits_check_operator.delay(platform_operator.pk).get()
    assert LimitSnapshot.objects.filter(kind=LimitKind.BALANCE).count() == 1


def test_platform_task_for_a_deactivated_operator_does_nothing(
    eager: None, platform: RunningSimulator, platform_operator: Operator
) -> None:
    Operator.objects.filter(pk=platform_operator.pk).update(is_active=False)
    assert tasks.balance_limits_check_operator.delay(platform_operator.pk).get() is None
    assert platform.state.requests["balanceLimits"] == 0
