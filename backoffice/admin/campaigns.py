"""Free-spin campaigns in the backoffice (issue 14), read-only: per campaign code and currency,
its vendor(s), players, spins, total paid, first and last use, from the applied WINs that carry
the code (`reporting.selectors.campaign_summaries`: aggregated in the database); filters by
operator, dates (the last 30 days unless chosen) and code; CSV export. Each code links to its
transactions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from unfold.admin import ModelAdmin

from backoffice.admin_helpers import ReadOnlyAdminMixin, changelist_url, csv_response
from backoffice.models import Campaign
from money import format_money
from operators.models import Operator
from platform_wallet.models import Transaction
from reporting.selectors import CampaignSummary, campaign_summaries, campaign_wins, utc_day_bounds

LIMIT = 1000
DEFAULT_DAYS = 30
CSV_HEADER = [
    "campaign_code",
    "currency",
    "vendors",
    "players",
    "spins",
    "total_paid",
    "first_use",
    "last_use",
]


class CampaignFilterForm(forms.Form):
    operator = forms.ModelChoiceField(
        queryset=Operator.objects.order_by("operator_id"), required=False, empty_label="all"
    )
    date_from = forms.DateField(
        required=False, label="from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="to", widget=forms.DateInput(attrs={"type": "date"})
    )
    code = forms.CharField(required=False, max_length=255, label="campaign code")


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """The changelist is the per-campaign summary (a proxy's page, so that it has its place in
    the admin's menu and its own view permission)."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_view_permission(request, obj)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # the admin's refusal
        # Without filters: the last DEFAULT_DAYS days (an all-time page would read every
        # campaign row ever written).
        today = timezone.now().astimezone(dt.UTC).date()
        since = today - dt.timedelta(days=DEFAULT_DAYS - 1)
        form = CampaignFilterForm(request.GET or {"date_from": since.isoformat()})
        filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
        start = utc_day_bounds(filters["date_from"])[0] if filters.get("date_from") else None
        end = utc_day_bounds(filters["date_to"])[1] if filters.get("date_to") else None
        summaries = campaign_summaries(
            campaign_wins(
                operator=filters.get("operator"),
                start=start,
                end=end,
                code=(filters.get("code") or "").strip(),
            ),
            limit=LIMIT,
        )
        if request.GET.get("export") == "csv":
            return csv_response(
                filename="campaigns.csv", header=CSV_HEADER, rows=map(_csv_row, summaries)
            )
        context = {
            **self.admin_site.each_context(request),
            **(extra_context or {}),
            "title": "Campaigns",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "rows": [_row(summary, filters.get("operator")) for summary in summaries],
            "limit_reached": len(summaries) >= LIMIT,
            "limit": LIMIT,
            "export_query": _with_export(request),
        }
        return TemplateResponse(request, "admin/backoffice/campaigns.html", context)


def _row(summary: CampaignSummary, operator: Operator | None) -> dict[str, Any]:
    params: dict[str, object] = {"campaign": summary.campaign_code}
    if operator is not None:
        params["operator__id__exact"] = operator.pk
    return {
        "summary": summary,
        "paid": format_money(summary.paid, summary.currency),
        "transactions_url": changelist_url(Transaction, **params),
    }


def _csv_row(summary: CampaignSummary) -> list[object]:
    return [
        summary.campaign_code,
        summary.currency,
        " ".join(summary.vendors),
        summary.players,
        summary.spins,
        summary.paid,
        _iso(summary.first_use),
        _iso(summary.last_use),
    ]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _with_export(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["export"] = "csv"
    return query.urlencode()
