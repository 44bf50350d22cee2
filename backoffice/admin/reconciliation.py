"""Reconciliations in the backoffice, read-only (`reporting.services.reconciliation` writes
them): our ledger beside the PLATFORM's business report per date, vendor and currency, every
mismatch flagged and charted; CSV export; "reconcile again" (`backoffice.jobs`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from unfold.admin import ModelAdmin

from backoffice import selectors
from backoffice.admin.jobs import RunJobsMixin
from backoffice.admin_filters import ChoiceFilter, DateRangeFilter
from backoffice.admin_helpers import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    admin_link,
    alert_flag,
    badge,
    changelist_queryset,
    changelist_url,
    money_column,
    money_fields,
    money_html,
    negative_html,
    per_date_csv,
    with_chart,
)
from backoffice.charts import line_chart_svg
from backoffice.jobs import Job
from reporting.models import Reconciliation, ReconciliationLine

LINE_CSV_FIELDS = [
    "vendor",
    "currency",
    "in_ledger",
    "in_report",
    "ledger_bets_sum",
    "ledger_bets_count",
    "ledger_wins_sum",
    "ledger_wins_count",
    "ledger_ggr",
    "platform_bets_sum",
    "platform_bets_count",
    "platform_wins_sum",
    "platform_wins_count",
    "platform_ggr",
    "bets_sum_diff",
    "bets_count_diff",
    "wins_sum_diff",
    "wins_count_diff",
    "ggr_diff",
    "mismatch",
    "notes",
]


def _mismatch_flag(mismatch: bool) -> str:
    return alert_flag("⚠ MISMATCH") if mismatch else badge("ok", "green")


def _diff(value: Any) -> str:
    return negative_html(value) if value else str(value)


def _money_diff(value: Any, currency: str) -> str:
    """A difference of amounts: red and bold unless zero."""
    return negative_html(money_html(value, currency)) if value else money_html(value, currency)


class MismatchFilter(ChoiceFilter):
    title = "mismatches"
    parameter_name = "mismatches"

    def options(self) -> dict[str, tuple[str, Q]]:
        return {
            "yes": ("With mismatches", Q(mismatch_count__gt=0)),
            "no": ("Clean", Q(mismatch_count=0)),
        }


class ReconciliationLineInline(ReadOnlyInline):
    model = ReconciliationLine
    fields = readonly_fields = (
        "flag",
        "vendor",
        "currency",
        "ledger_bets_money",
        "platform_bets_money",
        "bets_diff",
        "ledger_wins_money",
        "platform_wins_money",
        "wins_diff",
        "ledger_ggr_money",
        "platform_ggr_money",
        "ggr_difference",
        "counts",
        "notes",
    )
    show_change_link = False
    ledger_bets_money = money_column("ledger_bets_sum", description="ledger bets")
    platform_bets_money = money_column("platform_bets_sum", description="PLATFORM bets")
    ledger_wins_money = money_column("ledger_wins_sum", description="ledger wins")
    platform_wins_money = money_column("platform_wins_sum", description="PLATFORM wins")
    ledger_ggr_money = money_column("ledger_ggr", description="ledger GGR")
    platform_ggr_money = money_column("platform_ggr", description="PLATFORM GGR")

    @admin.display(description="")
    def flag(self, obj: ReconciliationLine) -> str:
        return _mismatch_flag(obj.mismatch)

    @admin.display(description="bets diff")
    def bets_diff(self, obj: ReconciliationLine) -> str:
        return _money_diff(obj.bets_sum_diff, obj.currency)

    @admin.display(description="wins diff")
    def wins_diff(self, obj: ReconciliationLine) -> str:
        return _money_diff(obj.wins_sum_diff, obj.currency)

    @admin.display(description="GGR diff")
    def ggr_difference(self, obj: ReconciliationLine) -> str:
        return _money_diff(obj.ggr_diff, obj.currency)

    @admin.display(description="counts (bets, wins) ours / PLATFORM")
    def counts(self, obj: ReconciliationLine) -> str:
        return (
            f"{obj.ledger_bets_count}, {obj.ledger_wins_count} / "
            f"{obj.platform_bets_count}, {obj.platform_wins_count}"
        )


@admin.register(Reconciliation)
class ReconciliationAdmin(RunJobsMixin, ReadOnlyAdminMixin, ModelAdmin):
    list_display = [
        "date",
        "operator",
        "state",
        "line_count",
        "mismatches",
        "run_at",
        "report_link",
    ]
    list_filter = [MismatchFilter, ("date", DateRangeFilter), "operator"]
    date_hierarchy = "date"
    list_select_related = ["operator", "report"]
    inlines = [ReconciliationLineInline]
    actions = ["export_csv", "reconcile_again"]
    fields = readonly_fields = (
        "operator",
        "date",
        "state",
        "line_count",
        "mismatches",
        "run_at",
        "report_link",
    )

    @admin.display(description="state")
    def state(self, obj: Reconciliation) -> str:
        return _mismatch_flag(not obj.is_clean) if not obj.is_clean else "clean"

    @admin.display(description="mismatches", ordering="mismatch_count")
    def mismatches(self, obj: Reconciliation) -> str:
        return _diff(obj.mismatch_count)

    @admin.display(description="PLATFORM report")
    def report_link(self, obj: Reconciliation) -> str:
        return admin_link(obj.report) if obj.report_id else "-"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        reconciliations = changelist_queryset(response)
        if reconciliations is not None:
            series, mismatched = selectors.reconciliation_ggr_series(
                ReconciliationLine.objects.filter(reconciliation__in=reconciliations.values("pk"))
            )
            chart = line_chart_svg(
                series=series,
                title="GGR per day: our ledger and the PLATFORM (red: days with mismatches)",
                highlight=mismatched,
            )
            with_chart(response, chart)
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra: dict[str, Any] = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            window = ReconciliationLine.objects.filter(
                reconciliation__operator=obj.operator,
                reconciliation__date__gt=obj.date - dt.timedelta(days=30),
                reconciliation__date__lte=obj.date + dt.timedelta(days=7),
            )
            series, mismatched = selectors.reconciliation_ggr_series(window)
            extra["bo_chart"] = line_chart_svg(
                series=series,
                title=f"GGR of {obj.operator}, 30 days to {obj.date} (red: days with mismatches)",
                highlight=mismatched,
            )
            extra["bo_lines_url"] = changelist_url(
                ReconciliationLine, reconciliation__id__exact=obj.pk
            )
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(description="Export the lines of the selected reconciliations as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Reconciliation]) -> HttpResponse:
        lines = (
            ReconciliationLine.objects.filter(reconciliation__in=queryset)
            .select_related("reconciliation__operator")
            .order_by(
                "reconciliation__date",
                "reconciliation__operator__operator_id",
                "vendor",
                "currency",
            )
        )
        return per_date_csv(
            lines, filename="reconciliation.csv", parent="reconciliation", fields=LINE_CSV_FIELDS
        )

    @admin.action(description="Reconcile again (now)", permissions=["run_jobs"])
    def reconcile_again(self, request: HttpRequest, queryset: QuerySet[Reconciliation]) -> None:
        self._run(request, Job.RECONCILE, list(queryset.select_related("operator")))


@admin.register(ReconciliationLine)
class ReconciliationLineAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = [
        "date",
        "operator",
        "vendor",
        "currency",
        "flag",
        "ledger_ggr_money",
        "platform_ggr_money",
        "ggr_difference",
        "bets_diff_money",
        "wins_diff_money",
        "notes",
    ]
    list_filter = [
        "mismatch",
        ("reconciliation__date", DateRangeFilter),
        "reconciliation__operator",
        "vendor",
        "currency",
    ]
    list_select_related = ["reconciliation__operator"]
    ordering = ["-reconciliation__date", "-mismatch", "vendor", "currency"]
    actions = ["export_csv"]
    list_per_page = 200

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup == "reconciliation__id__exact" or super().lookup_allowed(
            lookup, value, request
        )

    ledger_ggr_money = money_column("ledger_ggr", description="ledger GGR")
    platform_ggr_money = money_column("platform_ggr", description="PLATFORM GGR")
    bets_diff_money = money_column("bets_sum_diff", description="bets diff")
    wins_diff_money = money_column("wins_sum_diff", description="wins diff")

    fields = readonly_fields = (
        "reconciliation",
        *money_fields(ReconciliationLine, LINE_CSV_FIELDS),
    )

    @admin.display(description="date", ordering="reconciliation__date")
    def date(self, obj: ReconciliationLine) -> Any:
        return obj.reconciliation.date

    @admin.display(description="operator")
    def operator(self, obj: ReconciliationLine) -> str:
        return obj.reconciliation.operator.operator_id

    @admin.display(description="", ordering="mismatch")
    def flag(self, obj: ReconciliationLine) -> str:
        return _mismatch_flag(obj.mismatch)

    @admin.display(description="GGR diff", ordering="ggr_diff")
    def ggr_difference(self, obj: ReconciliationLine) -> str:
        return _money_diff(obj.ggr_diff, obj.currency)

    @admin.action(description="Export selected lines as CSV")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[ReconciliationLine]
    ) -> HttpResponse:
        return per_date_csv(
            queryset.select_related("reconciliation__operator"),
            filename="reconciliation-lines.csv",
            parent="reconciliation",
            fields=LINE_CSV_FIELDS,
        )
