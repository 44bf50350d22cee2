"""Celery tasks of the catalog sync. Thin: each calls `catalog.services.catalog_sync`, as the
admin's "run now" does (`backoffice.jobs`).

- `reporting.catalog_sync_all` (nightly; default schedule from migration
  `reporting.0002_default_schedules`) queues `reporting.catalog_sync_operator` for every active
  operator with a PLATFORM API host (`operators.platform_jobs`).
- `reporting.catalog_sync_operator` syncs one operator's games and lobbies: idempotent (an
  upsert), retried with backoff on `PlatformApiError`, bounded by time limits.

The task names keep their "reporting." prefix: django-celery-beat's schedules (PeriodicTask
rows) and queued messages refer to the tasks by these names.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from catalog.services import catalog_sync
from operators.platform_jobs import (
    PLATFORM_TASK_OPTIONS,
    operator_for_platform_job,
    tasks_queue_per_operator,
)


@shared_task(name="reporting.catalog_sync_all", soft_time_limit=60, time_limit=90)
def catalog_sync_all() -> list[str]:
    return tasks_queue_per_operator(catalog_sync_operator)


@shared_task(
    name="reporting.catalog_sync_operator",
    soft_time_limit=240,
    time_limit=300,
    **PLATFORM_TASK_OPTIONS,
)
def catalog_sync_operator(self: Task, operator_pk: int) -> dict[str, Any] | None:
    operator = operator_for_platform_job(operator_pk)
    if operator is None:
        return None
    result = catalog_sync(operator=operator)
    return {
        "operator": operator.operator_id,
        "result": str(result),
        "skipped": [str(row) for row in result.skipped],
    }
