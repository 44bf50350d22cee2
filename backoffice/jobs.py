""" "Run now" for the PLATFORM jobs that Celery beat runs on schedule.

Staff run a job synchronously, for each operator of the PLATFORM jobs (or the ones chosen), and
see the outcome at once; one operator's failure does not stop the others. Each job is the one
service its Celery task calls (`catalog.tasks`, `reporting.tasks`): `catalog_sync`,
`business_report_reconcile` (with or without fetching the report first) and
`balance_limits_check`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from catalog import tasks as catalog_tasks
from catalog.services import catalog_sync
from operators.models import Operator
from operators.platform_jobs import operators_for_platform_jobs, yesterday_utc
from platform_client import PlatformApiError
from platform_wallet.connections import statement_timeout
from reporting import tasks as reporting_tasks
from reporting.errors import ReportingError
from reporting.services.balance_limits import balance_limits_check
from reporting.services.reconciliation import business_report_reconcile

logger = logging.getLogger(__name__)


class Job(StrEnum):
    CATALOG_SYNC = "catalog_sync"
    BUSINESS_REPORT = "business_report"
    RECONCILE = "reconcile"
    BALANCE_LIMITS = "balance_limits"

    @property
    def label(self) -> str:
        return JOB_LABELS[self]


JOB_LABELS = {
    Job.CATALOG_SYNC: "Sync games and lobbies from the PLATFORM",
    Job.BUSINESS_REPORT: "Fetch the business report of a date and reconcile it",
    Job.RECONCILE: "Reconcile a date again (with the stored business report)",
    Job.BALANCE_LIMITS: "Check balance limits",
}

# The Celery tasks of the beat schedules, by name, and the job each one runs.
TASK_JOBS = {
    task.name: job
    for job, tasks in (
        (Job.CATALOG_SYNC, [catalog_tasks.catalog_sync_all, catalog_tasks.catalog_sync_operator]),
        (
            Job.BUSINESS_REPORT,
            [reporting_tasks.reports_nightly_all, reporting_tasks.reports_reconcile_operator],
        ),
        (
            Job.BALANCE_LIMITS,
            [
                reporting_tasks.balance_limits_check_all,
                reporting_tasks.balance_limits_check_operator,
            ],
        ),
    )
    for task in tasks
}


@dataclass(frozen=True)
class JobOutcome:
    operator_id: str
    ok: bool
    detail: str


def _run_one(job: Job, operator: Operator, date: dt.date) -> str:
    match job:
        case Job.CATALOG_SYNC:
            return f"catalog synced: {catalog_sync(operator=operator)}"
        case Job.BUSINESS_REPORT | Job.RECONCILE:
            fetch = job == Job.BUSINESS_REPORT
            return str(business_report_reconcile(operator=operator, date=date, fetch=fetch))
        case Job.BALANCE_LIMITS:
            return str(balance_limits_check(operator=operator))


def job_run(
    *, job: Job, operators: Iterable[Operator] | None = None, date: dt.date | None = None
) -> list[JobOutcome]:
    """Run a job now for each operator (default: every active operator with an API host), for
    `date` (default: yesterday UTC; only the business report and reconciliation use it)."""
    day = date or yesterday_utc()
    outcomes = []
    for operator in operators_for_platform_jobs() if operators is None else operators:
        try:
            # the job's statement timeout, as in Celery (a staff page's would cut it short)
            with statement_timeout(settings.JOB_STATEMENT_TIMEOUT_MS):
                detail = _run_one(job, operator, day)
        except (PlatformApiError, ReportingError, ValueError) as error:
            logger.warning("%s for %s failed: %s", job, operator.operator_id, error)
            outcomes.append(JobOutcome(operator.operator_id, False, str(error)))
        else:
            logger.info("%s for %s: %s", job, operator.operator_id, detail)
            outcomes.append(JobOutcome(operator.operator_id, True, detail))
    return outcomes
