"""What every PLATFORM job shares (the catalog sync, the business report and reconciliation,
the balance limits check), whether Celery runs it (`catalog.tasks`, `reporting.tasks`) or staff
run it now (`backoffice.jobs`):

- the operators it runs for: active, with a PLATFORM API host (`operators_for_platform_jobs`);
  a queued task finds its operator again, or learns it is gone (`operator_for_platform_job`);
- the date a daily job works on by default: yesterday in UTC (`yesterday_utc`);
- its Celery tasks: one per operator, queued by the scheduled task (`tasks_queue_per_operator`),
  retried with backoff on `PlatformApiError` (`PLATFORM_TASK_OPTIONS`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import Task
from django.conf import settings
from django.db.models import QuerySet

from operators.models import Operator
from platform_client import PlatformApiError

logger = logging.getLogger(__name__)

# Retries: PLATFORM_TASK_RETRY_BACKOFF (30 s) doubled each time, up to 30 min apart, with full
# jitter, 6 times: a PLATFORM outage of about an hour is ridden out. Each attempt is bounded by
# the task's time limits.
PLATFORM_TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "autoretry_for": (PlatformApiError,),
    "retry_backoff": settings.PLATFORM_TASK_RETRY_BACKOFF,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
}


def operators_for_platform_jobs() -> QuerySet[Operator]:
    """Active operators with a PLATFORM API host: the ones the nightly and hourly jobs run for
    (an operator without an API host has nothing to call)."""
    return Operator.objects.filter(is_active=True).exclude(api_host="").order_by("operator_id")


def operator_for_platform_job(operator_pk: int) -> Operator | None:
    """The operator a queued task is for, or None when it was deactivated (or lost its API
    host) since."""
    operator = operators_for_platform_jobs().filter(pk=operator_pk).first()
    if operator is None:
        logger.info("operator %s is gone, inactive or has no API host: skipped", operator_pk)
    return operator


def tasks_queue_per_operator(task: Task, *args: Any) -> list[str]:
    """Queue `task(operator.pk, *args)` for every operator of the PLATFORM jobs, so that a new
    operator is covered without a new schedule and one operator's failure is retried on its
    own. Returns the operator ids."""
    operators = list(operators_for_platform_jobs())
    for operator in operators:
        task.delay(operator.pk, *args)
    return [operator.operator_id for operator in operators]


def yesterday_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
