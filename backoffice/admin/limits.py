"""The PLATFORM's balance (and GGR) limits in the backoffice, read-only
(`reporting.services.balance_limits` writes them, hourly or "run now"): every snapshot as answered,
and the alerts, open until a check finds their condition gone."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html_join
from unfold.admin import ModelAdmin

from backoffice.admin_filters import ChoiceFilter, DateRangeFilter
from backoffice.admin_helpers import (
    ReadOnlyAdminMixin,
    alert_flag,
    money_column,
    money_fields,
    money_html,
    money_text,
    pretty_json,
)
from reporting.models import LimitAlert, LimitSnapshot

SNAPSHOT_FIELDS = [f.name for f in LimitSnapshot._meta.fields if f.name != "raw"]


@admin.register(LimitSnapshot)
class LimitSnapshotAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = [
        "fetched_at",
        "operator",
        "kind",
        "enabled",
        "available",
        "per_currency",
        "exceeded",
        "usage",
    ]
    list_filter = ["kind", "limit_exceeded", "enabled", "operator", ("fetched_at", DateRangeFilter)]
    list_select_related = ["operator"]
    date_hierarchy = "fetched_at"

    fields = readonly_fields = (
        *money_fields(
            LimitSnapshot, [f.name for f in LimitSnapshot._meta.fields if f.name != "raw"]
        ),
        "raw_display",
    )

    @admin.display(description="available balance")
    def available(self, obj: LimitSnapshot) -> str:
        return money_html(obj.available_balance, obj.currency)

    @admin.display(description="per currency")
    def per_currency(self, obj: LimitSnapshot) -> str:
        amounts = (obj.currencies or {}).items()
        return format_html_join(", ", "{}", ((money_text(v, c),) for c, v in amounts)) or "-"

    @admin.display(description="exceeded", ordering="limit_exceeded")
    def exceeded(self, obj: LimitSnapshot) -> str:
        if obj.limit_exceeded:
            return alert_flag("EXCEEDED")
        return "no" if obj.limit_exceeded is False else "-"

    @admin.display(description="GGR usage")
    def usage(self, obj: LimitSnapshot) -> str:
        if obj.limit is None:
            return "-"
        return f"{obj.current_usage} / {obj.limit} ({obj.percentage_usage}%)"

    @admin.display(description="answer")
    def raw_display(self, obj: LimitSnapshot) -> str:
        return pretty_json(obj.raw)


class OpenAlertFilter(ChoiceFilter):
    title = "state"
    parameter_name = "open"

    def options(self) -> dict[str, tuple[str, Q]]:
        return {
            "yes": ("Open", Q(resolved_at__isnull=True)),
            "no": ("Resolved", Q(resolved_at__isnull=False)),
        }


@admin.register(LimitAlert)
class LimitAlertAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = [
        "raised_at",
        "operator",
        "kind",
        "currency",
        "message",
        "available_money",
        "threshold_money",
        "state",
        "mailed",
    ]
    list_filter = [OpenAlertFilter, "kind", "operator"]
    list_select_related = ["operator"]

    available_money = money_column("available_balance", description="available balance")
    threshold_money = money_column("threshold", description="threshold")

    fields = readonly_fields = tuple(
        money_fields(LimitAlert, [f.name for f in LimitAlert._meta.fields])
    )

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj: LimitAlert) -> str:
        if obj.is_open:
            return alert_flag("OPEN")
        return f"resolved {obj.resolved_at:%Y-%m-%d %H:%M}"
