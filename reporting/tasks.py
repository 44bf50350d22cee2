"""Celery tasks of the reporting jobs. Thin: each calls the service the admin's "run now" calls
too (`backoffice.jobs`).

The scheduled ones (django-celery-beat, defaults created by migration
`reporting.0002_default_schedules`) queue one task per active operator with a PLATFORM API host
(`operators.platform_jobs`), so a new operator is covered without a new schedule and one
operator's failure is retried on its own:

- `reporting.reports_nightly_all` (nightly, yesterday UTC) -> `reporting.reports_reconcile_operator`
  (`business_report_reconcile`: fetch the business report, then reconcile)
- `reporting.balance_limits_check_all` (hourly) -> `reporting.balance_limits_check_operator`
  (`balance_limits_check`)

The catalog sync's tasks are `catalog.tasks`. The per-operator tasks are idempotent (a report
fetch replaces the date's rows, a reconciliation replaces its lines, an open alert is not raised
twice), retried with exponential backoff on `PlatformApiError`, and bounded by soft and hard
time limits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import Task, shared_task

from operators.platform_jobs import (
    PLATFORM_TASK_OPTIONS,
    operator_for_platform_job,
    tasks_queue_per_operator,
    yesterday_utc,
)
from reporting.services.balance_limits import balance_limits_check
from reporting.services.reconciliation import business_report_reconcile

# --- Business report and reconciliation -------------------------------------------------------


@shared_task(name="reporting.reports_nightly_all", soft_time_limit=60, time_limit=90)
def reports_nightly_all(date: str | None = None) -> list[str]:
    """Queue the business report and reconciliation of `date` (Y-m-d; default yesterday UTC)
    for every operator."""
    day = dt.date.fromisoformat(date) if date else yesterday_utc()
    return tasks_queue_per_operator(reports_reconcile_operator, day.isoformat())


@shared_task(
    name="reporting.reports_reconcile_operator",
    soft_time_limit=120,
    time_limit=180,
    **PLATFORM_TASK_OPTIONS,
)
def reports_reconcile_operator(self: Task, operator_pk: int, date: str) -> dict[str, Any] | None:
    operator = operator_for_platform_job(operator_pk)
    if operator is None:
        return None
    done = business_report_reconcile(operator=operator, date=dt.date.fromisoformat(date))
    return {
        "operator": operator.operator_id,
        "date": date,
        "report_rows": done.report_rows,
        "lines": done.reconciliation.line_count,
        "mismatches": done.reconciliation.mismatch_count,
    }


# --- Balance limits ------------------------------------------------------------------------


@shared_task(name="reporting.balance_limits_check_all", soft_time_limit=60, time_limit=90)
def balance_limits_check_all() -> list[str]:
    return tasks_queue_per_operator(balance_limits_check_operator)


@shared_task(
    name="reporting.balance_limits_check_operator",
    soft_time_limit=120,
    time_limit=180,
    **PLATFORM_TASK_OPTIONS,
)
def balance_limits_check_operator(self: Task, operator_pk: int) -> dict[str, Any] | None:
    operator = operator_for_platform_job(operator_pk)
    if operator is None:
        return None
    check = balance_limits_check(operator=operator)
    return {
        "operator": operator.operator_id,
        "alerts_opened": [alert.pk for alert in check.opened],
        "alerts_open": len(check.opened) + len(check.still_open),
        "alerts_resolved": [alert.pk for alert in check.resolved],
    }
