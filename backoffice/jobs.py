""" "Run now" for the PLATFORM jobs that Celery beat runs on schedule.

Staff run them synchronously through the same services the Celery tasks call (one operator's
failure does not stop the others), so the outcome is shown at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from operators.models import Operator
from platform_client import PlatformApiError
from reporting.errors import ReportingError

logger = logging.getLogger(__name__)


class Job(StrEnum):
    CATALOG_SYNC = "catalog_sync"
    BUSINESS_REPORT = "business_report"
    RECONCILE = "reconcile"
    BALANCE_LIMITS = "balance_limits"

    @property
    def label(self) -> str:
        return JOB_LABELS[self]

    @property
    def needs_date(self) -> bool:
        return self in {Job.BUSINESS_REPORT, Job.RECONCILE}


JOB_LABELS = {
    Job.CATALOG_SYNC: "Sync games and lobbies from the PLATFORM",
    Job.BUSINESS_REPORT: "Fetch the business report of a date and reconcile it",
    Job.RECONCILE: "Reconcile a date again (with the stored business report)",
    Job.BALANCE_LIMITS: "Check balance limits",
}

# The Celery tasks of the beat schedules (reporting.tasks) and the job each one runs.
TASK_JOBS = {
    "reporting.catalog_sync_all": Job.CATALOG_SYNC,
    "reporting.catalog_sync_operator": Job.CATALOG_SYNC,
    "reporting.reports_nightly_all": Job.BUSINESS_REPORT,
    "reporting.reports_reconcile_operator": Job.BUSINESS_REPORT,
    "reporting.balance_limits_check_all": Job.BALANCE_LIMITS,
    "reporting.balance_limits_check_operator": Job.BALANCE_LIMITS,
}


@dataclass(frozen=True)
class JobOutcome:
    operator_id: str
    ok: bool
    detail: str


def yesterday_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


def job_operators() -> list[Operator]:
    from reporting.selectors import operators_for_platform_jobs

    return list(operators_for_platform_jobs())


def _run_one(job: Job, operator: Operator, date: dt.date) -> str:
    if job == Job.CATALOG_SYNC:
        from catalog.services import catalog_sync

        return f"catalog synced: {catalog_sync(operator=operator)}"
    if job in {Job.BUSINESS_REPORT, Job.RECONCILE}:
        from reporting.services.reconciliation import reconciliation_run

        rows = ""
        if job == Job.BUSINESS_REPORT:
            from reporting.services.business_reports import business_report_fetch

            report = business_report_fetch(operator=operator, date=date)
            rows = f"business report {date.isoformat()}: {report.rows.count()} rows; "
        reconciliation = reconciliation_run(operator=operator, date=date)
        return (
            f"{rows}reconciliation {date.isoformat()}: {reconciliation.line_count} lines, "
            f"{reconciliation.mismatch_count} mismatches"
        )
    from reporting.services.limits import balance_limits_check

    check = balance_limits_check(operator=operator)
    exceeded = " LIMIT EXCEEDED" if check.balance.limit_exceeded else ""
    return (
        f"balance limits checked{exceeded}: {len(check.opened)} alerts opened, "
        f"{len(check.still_open)} still open, {len(check.resolved)} resolved"
    )


def job_run(
    *, job: Job, operators: Iterable[Operator] | None = None, date: dt.date | None = None
) -> list[JobOutcome]:
    """Run a job now for each operator (default: every active operator with an API host)."""
    day = date or yesterday_utc()
    outcomes = []
    for operator in job_operators() if operators is None else operators:
        try:
            detail = _run_one(job, operator, day)
        except (PlatformApiError, ReportingError, ValueError) as error:
            logger.warning("%s for %s failed: %s", job, operator.operator_id, error)
            outcomes.append(JobOutcome(operator.operator_id, False, str(error)))
        else:
            logger.info("%s for %s: %s", job, operator.operator_id, detail)
            outcomes.append(JobOutcome(operator.operator_id, True, detail))
    return outcomes
