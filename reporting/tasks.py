"""Celery tasks of the PLATFORM jobs. Thin: each calls a service.

The scheduled ones (django-celery-beat, defaults created by migration
`reporting.0002_default_schedules`) iterate every active operator with a PLATFORM API host and
queue one task per operator, so a new operator is covered without a new schedule and one
operator's failure is retried on its own:

- `reporting.catalog_sync_all` (nightly) -> `reporting.catalog_sync_operator`
- `reporting.reports_nightly_all` (nightly, yesterday UTC) -> `reporting.reports_reconcile_operator`
  (fetch the business report, then reconcile)
- `reporting.balance_limits_check_all` (hourly) -> `reporting.balance_limits_check_operator`

The per-operator tasks are idempotent (a report fetch replaces the date's rows, a
reconciliation replaces its lines, a sync upserts, an open alert is not raised twice), retried
with exponential backoff on `PlatformApiError`, and bounded by soft and hard time limits.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from operators.models import Operator
from platform_client import PlatformApiError
from reporting.selectors import operators_for_platform_jobs
from reporting.services.business_reports import business_report_fetch
from reporting.services.limits import balance_limits_check
from reporting.services.reconciliation import reconciliation_run

logger = logging.getLogger(__name__)

# Retries: PLATFORM_TASK_RETRY_BACKOFF (30 s) doubled each time, up to 30 min apart, with full
# jitter, 6 times: a PLATFORM outage of about an hour is ridden out. Each attempt is bounded by
# the time limits.
PLATFORM_TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "autoretry_for": (PlatformApiError,),
    "retry_backoff": settings.PLATFORM_TASK_RETRY_BACKOFF,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
}


def yesterday_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


def _operator(operator_pk: int) -> Operator | None:
    """The operator a queued task is for, or None when it was deactivated since."""
    operator = Operator.objects.filter(pk=operator_pk).first()
    if operator is None or not operator.is_active or not operator.api_host:
        logger.info("operator %s is gone, inactive or has no API host: skipped", operator_pk)
        return None
    return operator


# --- Catalog --------------------------------------------------------------------------------


@shared_task(name="reporting.catalog_sync_all", soft_time_limit=60, time_limit=90)
def catalog_sync_all() -> list[str]:
    operators = list(operators_for_platform_jobs())
    for operator in operators:
        catalog_sync_operator.delay(operator.pk)
    return [operator.operator_id for operator in operators]


@shared_task(
    name="reporting.catalog_sync_operator",
    soft_time_limit=240,
    time_limit=300,
    **PLATFORM_TASK_OPTIONS,
)
def catalog_sync_operator(self: Task, operator_pk: int) -> dict[str, Any] | None:
    from catalog.services import catalog_sync

    operator = _operator(operator_pk)
    if operator is None:
        return None
    result = catalog_sync(operator=operator)
    return {
        "operator": operator.operator_id,
        "result": str(result),
        "skipped": [str(row) for row in result.skipped],
    }


# --- Business report and reconciliation -------------------------------------------------------


@shared_task(name="reporting.reports_nightly_all", soft_time_limit=60, time_limit=90)
def reports_nightly_all(date: str | None = None) -> list[str]:
    """Queue the business report and reconciliation of `date` (Y-m-d; default yesterday UTC)
    for every operator."""
    day = dt.date.fromisoformat(date) if date else yesterday_utc()
    operators = list(operators_for_platform_jobs())
    for operator in operators:
        reports_reconcile_operator.delay(operator.pk, day.isoformat())
    return [operator.operator_id for operator in operators]


@shared_task(
    name="reporting.reports_reconcile_operator",
    soft_time_limit=120,
    time_limit=180,
    **PLATFORM_TASK_OPTIONS,
)
def reports_reconcile_operator(self: Task, operator_pk: int, date: str) -> dict[str, Any] | None:
    operator = _operator(operator_pk)
    if operator is None:
        return None
    day = dt.date.fromisoformat(date)
    report = business_report_fetch(operator=operator, date=day)
    reconciliation = reconciliation_run(operator=operator, date=day)
    return {
        "operator": operator.operator_id,
        "date": date,
        "report_rows": report.rows.count(),
        "lines": reconciliation.line_count,
        "mismatches": reconciliation.mismatch_count,
    }


# --- Balance limits ------------------------------------------------------------------------


@shared_task(name="reporting.balance_limits_check_all", soft_time_limit=60, time_limit=90)
def balance_limits_check_all() -> list[str]:
    operators = list(operators_for_platform_jobs())
    for operator in operators:
        balance_limits_check_operator.delay(operator.pk)
    return [operator.operator_id for operator in operators]


@shared_task(
    name="reporting.balance_limits_check_operator",
    soft_time_limit=120,
    time_limit=180,
    **PLATFORM_TASK_OPTIONS,
)
def balance_limits_check_operator(self: Task, operator_pk: int) -> dict[str, Any] | None:
    operator = _operator(operator_pk)
    if operator is None:
        return None
    check = balance_limits_check(operator=operator)
    return {
        "operator": operator.operator_id,
        "alerts_opened": [alert.pk for alert in check.opened],
        "alerts_open": len(check.opened) + len(check.still_open),
        "alerts_resolved": [alert.pk for alert in check.resolved],
    }
