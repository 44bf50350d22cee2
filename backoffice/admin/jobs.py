"""Scheduled jobs in the backoffice: django-celery-beat's schedules, plus running a PLATFORM job
here and now (`backoffice.jobs.job_run`, the services the Celery tasks call): "Run now, here" on
the schedules, the "Run a PLATFORM job now" page, and the reports' "fetch again" and "reconcile
again" actions (`RunJobsMixin`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django_celery_beat.admin import (
    ClockedScheduleAdmin,
    CrontabScheduleAdmin,
    IntervalScheduleAdmin,
    PeriodicTaskAdmin,
    PeriodicTaskForm,
    PeriodicTaskInline,
    SolarScheduleAdmin,
)
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from unfold.admin import ModelAdmin, TabularInline

from backoffice.admin_helpers import ThemedFormMixin
from backoffice.jobs import JOB_LABELS, TASK_JOBS, Job, JobOutcome, job_run
from operators.platform_jobs import operators_for_platform_jobs, yesterday_utc


class RunJobsMixin:
    """Who may run the PLATFORM jobs now, and actions that run a reporting job again for the
    selected objects' operator and date."""

    def has_run_jobs_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.run_jobs")

    def _run(self, request: HttpRequest, job: Job, targets: Sequence[Any]) -> None:
        for target in targets:
            for outcome in job_run(job=job, operators=[target.operator], date=target.date):
                self.message_user(  # type: ignore[attr-defined]
                    request,
                    f"{outcome.operator_id} {target.date}: {outcome.detail}",
                    messages.SUCCESS if outcome.ok else messages.ERROR,
                )


class RunJobForm(ThemedFormMixin, forms.Form):
    job = forms.ChoiceField(choices=[(job.value, job.label) for job in Job])
    operator = forms.ModelChoiceField(
        queryset=operators_for_platform_jobs(),
        required=False,
        empty_label="Every active operator",
    )
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Business report and reconciliation: the UTC date (default yesterday).",
    )


# django-celery-beat's own admins, replaced by the same in the backoffice's theme.
for _model in (PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ScheduledTaskInline(PeriodicTaskInline, TabularInline):
    """The periodic tasks using a schedule, on the schedule's page."""


@admin.register(IntervalSchedule)
class IntervalScheduleThemedAdmin(IntervalScheduleAdmin, ModelAdmin):
    inlines = [ScheduledTaskInline]


@admin.register(CrontabSchedule)
class CrontabScheduleThemedAdmin(CrontabScheduleAdmin, ModelAdmin):
    inlines = [ScheduledTaskInline]


@admin.register(SolarSchedule)
class SolarScheduleThemedAdmin(SolarScheduleAdmin, ModelAdmin):
    inlines = [ScheduledTaskInline]


@admin.register(ClockedSchedule)
class ClockedScheduleThemedAdmin(ClockedScheduleAdmin, ModelAdmin):
    inlines = [ScheduledTaskInline]


class ScheduledJobForm(ThemedFormMixin, PeriodicTaskForm):
    """django-celery-beat's form (its task chooser is its own widget), in the theme's look."""


@admin.register(PeriodicTask)
class ScheduledJobAdmin(RunJobsMixin, PeriodicTaskAdmin, ModelAdmin):
    """django-celery-beat's schedules, plus running a PLATFORM job here and now."""

    form = ScheduledJobForm
    actions = [*PeriodicTaskAdmin.actions, "run_now_here"]

    @admin.action(
        description="Run now, here (the PLATFORM jobs, synchronously; shows the outcome)",
        permissions=["run_jobs"],
    )
    def run_now_here(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        for task in queryset:
            job = TASK_JOBS.get(task.task)
            if job is None:
                self.message_user(
                    request,
                    f"{task.name}: {task.task} is not a PLATFORM job; use 'Run selected tasks'.",
                    messages.WARNING,
                )
                continue
            date = _task_date(task)
            outcomes = job_run(job=job, date=date)
            _report_outcomes(self, request, job, outcomes)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "run-job/", self.admin_site.admin_view(self.run_job_view), name="backoffice_run_job"
            ),
            *super().get_urls(),
        ]

    def run_job_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_run_jobs_permission(request):
            raise PermissionDenied
        form = RunJobForm(request.POST or None, initial={"date": yesterday_utc()})
        outcomes: list[JobOutcome] = []
        job: Job | None = None
        if request.method == "POST" and form.is_valid():
            job = Job(form.cleaned_data["job"])
            operator = form.cleaned_data["operator"]
            outcomes = job_run(
                job=job,
                operators=[operator] if operator is not None else None,
                date=form.cleaned_data["date"] or None,
            )
            if not outcomes:
                self.message_user(
                    request, "No active operator with a PLATFORM API host.", messages.WARNING
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Run a PLATFORM job now",
            "opts": self.opts,
            "form": form,
            "job": job,
            "outcomes": outcomes,
            "labels": JOB_LABELS,
        }
        return TemplateResponse(request, "admin/backoffice/run_job.html", context)


def _task_date(task: PeriodicTask) -> dt.date | None:
    try:
        value = json.loads(task.kwargs or "{}").get("date")
    except (ValueError, AttributeError):
        return None
    return dt.date.fromisoformat(value) if value else None


def _report_outcomes(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, job: Job, outcomes: list[JobOutcome]
) -> None:
    if not outcomes:
        model_admin.message_user(
            request, f"{job.label}: no active operator with a PLATFORM API host.", messages.WARNING
        )
    for outcome in outcomes:
        model_admin.message_user(
            request,
            f"{job.label} — {outcome.operator_id}: {outcome.detail}",
            messages.SUCCESS if outcome.ok else messages.ERROR,
        )
