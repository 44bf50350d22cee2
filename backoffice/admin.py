"""The backoffice's own admin pages: manual adjustments (credit or debit a wallet through the
ledger service) and "run now" for the PLATFORM jobs beside django-celery-beat's schedules."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from backoffice import services
from backoffice.admin_helpers import DateRangeFilter, admin_link, request_staff
from backoffice.jobs import JOB_LABELS, TASK_JOBS, Job, JobOutcome, job_run, yesterday_utc
from backoffice.models import ManualAdjustment
from platform_wallet.models import LedgerEntry, Operator, Wallet

# --- Manual adjustments ------------------------------------------------------------------------


class ManualAdjustmentForm(forms.Form):
    CREDIT = "credit"
    DEBIT = "debit"

    wallet = forms.ModelChoiceField(queryset=Wallet.objects.select_related("player"))
    direction = forms.ChoiceField(
        choices=[(CREDIT, "Credit (add money to the wallet)"), (DEBIT, "Debit (take money)")],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Positive, in the wallet's currency, at most 2 decimals.",
    )
    reason = forms.CharField(
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required: why the money moves (kept in the ledger entry).",
    )
    request_id = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, admin_site: admin.AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = forms.ModelChoiceField(
            queryset=Wallet.objects.select_related("player"),
            widget=AutocompleteSelect(LedgerEntry._meta.get_field("wallet"), admin_site),
            help_text="Search by the player's user id or user name.",
        )
        field.label_from_instance = lambda w: (  # type: ignore[method-assign, assignment]
            f"{w.player.user_id} ({w.player.user_name}) {w.currency}: {w.balance}"
        )
        self.fields["wallet"] = field

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason

    def signed_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == self.CREDIT else -amount


SESSION_DONE_KEY = "backoffice_adjustments_done"


@admin.register(ManualAdjustment)
class ManualAdjustmentAdmin(admin.ModelAdmin):
    """The ledger's ADJUSTMENT entries. "Add" is the adjustment form: it calls the ledger
    service; an entry, once written, is never changed or deleted."""

    list_display = [
        "created_at",
        "player",
        "currency",
        "amount",
        "balance_after",
        "reason",
        "created_by",
    ]
    list_filter = [("created_at", DateRangeFilter), "wallet__currency", "created_by"]
    search_fields = ["=wallet__player__user_id", "wallet__player__user_name", "reason"]
    search_help_text = "Player's user id (exact), user name, or words of the reason."
    list_select_related = ["wallet__player", "created_by"]
    fields = readonly_fields = (
        "wallet_link",
        "amount",
        "balance_after",
        "reason",
        "created_by",
        "created_at",
    )

    @admin.display(description="player", ordering="wallet__player__user_id")
    def player(self, obj: ManualAdjustment) -> str:
        return admin_link(obj.wallet.player)

    @admin.display(description="currency")
    def currency(self, obj: ManualAdjustment) -> str:
        return obj.wallet.currency

    @admin.display(description="wallet")
    def wallet_link(self, obj: ManualAdjustment) -> str:
        return admin_link(obj.wallet)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.adjust_wallet")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ManualAdjustmentForm(request.POST, admin_site=self.admin_site)
        else:
            form = ManualAdjustmentForm(
                initial={"wallet": request.GET.get("wallet"), "request_id": uuid.uuid4().hex},
                admin_site=self.admin_site,
            )
        if request.method == "POST" and form.is_valid():
            done: list[str] = request.session.get(SESSION_DONE_KEY, [])
            if form.cleaned_data["request_id"] in done:
                self.message_user(
                    request,
                    "This adjustment was already made (the form was sent twice); "
                    "nothing more moved.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(reverse("admin:backoffice_manualadjustment_changelist"))
            wallet: Wallet = form.cleaned_data["wallet"]
            try:
                entry = services.wallet_adjust_by_staff(
                    wallet=wallet,
                    amount=form.signed_amount(),
                    reason=form.cleaned_data["reason"],
                    staff=request_staff(request),
                )
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                request.session[SESSION_DONE_KEY] = [*done[-49:], form.cleaned_data["request_id"]]
                self.log_addition(
                    request, entry, f"{entry.amount} {wallet.currency}: {entry.reason}"
                )
                self.message_user(
                    request,
                    f"{'Credited' if entry.amount > 0 else 'Debited'} {abs(entry.amount)} "
                    f"{wallet.currency} {'to' if entry.amount > 0 else 'from'} "
                    f"{wallet.player.user_id}; balance is now {entry.balance_after}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:backoffice_manualadjustment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Manual adjustment",
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/backoffice/manual_adjustment_form.html", context)


# --- Scheduled jobs: run now -------------------------------------------------------------------


class RunJobForm(forms.Form):
    job = forms.ChoiceField(choices=[(job.value, job.label) for job in Job])
    operator = forms.ModelChoiceField(
        queryset=Operator.objects.filter(is_active=True).exclude(api_host=""),
        required=False,
        empty_label="Every active operator",
    )
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Business report and reconciliation: the UTC date (default yesterday).",
    )


if admin.site.is_registered(PeriodicTask):  # django-celery-beat's own admin, replaced
    admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class ScheduledJobAdmin(PeriodicTaskAdmin):
    """django-celery-beat's schedules, plus running a PLATFORM job here and now."""

    actions = [*PeriodicTaskAdmin.actions, "run_now_here"]

    def has_run_jobs_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.run_jobs")

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
