"""The PLATFORM's business reports in the backoffice, read-only (`reporting.services` write
them, "run now" or beat): per date with their rows inline, and every row as one list per day,
vendor and currency with a GGR chart; CSV export; "fetch again" (`backoffice.jobs`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html_join
from unfold.admin import ModelAdmin

from backoffice import selectors
from backoffice.admin.jobs import RunJobsMixin
from backoffice.admin_filters import DateRangeFilter
from backoffice.admin_helpers import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    admin_link,
    changelist_queryset,
    money_column,
    money_fields,
    money_html,
    per_date_csv,
    pretty_json,
    with_chart,
)
from backoffice.charts import line_chart_svg
from backoffice.jobs import Job
from reporting.models import BusinessReport, BusinessReportRow
from reporting.selectors import reconciliation_get

ROW_CSV_FIELDS = [
    "entity_name",
    "vendor",
    "currency",
    "bets_sum",
    "bets_count",
    "wins_sum",
    "wins_count",
    "freespins_sum",
    "freespins_count",
    "jackpots_sum",
    "jackpots_count",
    "gross_gaming_revenue",
]


class BusinessReportRowInline(ReadOnlyInline):
    model = BusinessReportRow
    fields = readonly_fields = (
        "entity_name",
        "vendor",
        "currency",
        "bets_money",
        "bets_count",
        "wins_money",
        "wins_count",
        "freespins_money",
        "jackpots_money",
        "ggr_money",
    )
    show_change_link = False
    bets_money = money_column("bets_sum", description="bets")
    wins_money = money_column("wins_sum", description="wins")
    freespins_money = money_column("freespins_sum", description="free spins")
    jackpots_money = money_column("jackpots_sum", description="jackpots")
    ggr_money = money_column("gross_gaming_revenue", description="GGR")


@admin.register(BusinessReport)
class BusinessReportAdmin(RunJobsMixin, ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["date", "operator", "row_count", "ggr", "fetched_at", "fetch_count"]
    list_filter = [("date", DateRangeFilter), "operator"]
    date_hierarchy = "date"
    inlines = [BusinessReportRowInline]
    actions = ["export_csv", "fetch_again"]
    fields = readonly_fields = (
        "operator",
        "date",
        "fetched_at",
        "fetch_count",
        "reconciliation_link",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[BusinessReport]:
        return (
            super()
            .get_queryset(request)
            .select_related("operator")
            .annotate(row_total=Count("rows"), ggr_total=Sum("rows__gross_gaming_revenue"))
        )

    @admin.display(description="rows", ordering="row_total")
    def row_count(self, obj: BusinessReport) -> int:
        return obj.row_total  # type: ignore[attr-defined]

    @admin.display(description="GGR (all currencies)")
    def ggr(self, obj: BusinessReport) -> str:
        totals = (
            obj.rows.values("currency")
            .annotate(total=Sum("gross_gaming_revenue"))
            .order_by("currency")
        )
        return (
            format_html_join(", ", "{}", ((money_html(t["total"], t["currency"]),) for t in totals))
            or "-"
        )

    @admin.display(description="reconciliation")
    def reconciliation_link(self, obj: BusinessReport) -> str:
        found = reconciliation_get(operator=obj.operator, date=obj.date)
        return admin_link(found) if found is not None else "not reconciled yet"

    @admin.action(description="Export the rows of the selected reports as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[BusinessReport]) -> HttpResponse:
        rows = (
            BusinessReportRow.objects.filter(report__in=queryset)
            .select_related("report__operator")
            .order_by("report__date", "report__operator__operator_id", "vendor", "currency")
        )
        return per_date_csv(
            rows, filename="business-reports.csv", parent="report", fields=ROW_CSV_FIELDS
        )

    @admin.action(
        description="Fetch again from the PLATFORM and reconcile (now)", permissions=["run_jobs"]
    )
    def fetch_again(self, request: HttpRequest, queryset: QuerySet[BusinessReport]) -> None:
        self._run(request, Job.BUSINESS_REPORT, list(queryset.select_related("operator")))


@admin.register(BusinessReportRow)
class BusinessReportRowAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """The business reports as one list: per day, vendor and currency, GGR charted."""

    list_display = [
        "date",
        "vendor",
        "currency",
        "ggr_money",
        "bets_money",
        "bets_count",
        "wins_money",
        "wins_count",
        "operator",
    ]
    list_filter = [("report__date", DateRangeFilter), "report__operator", "vendor", "currency"]
    search_fields = ["vendor", "entity_name"]
    list_select_related = ["report__operator"]
    ordering = ["-report__date", "vendor", "currency"]
    actions = ["export_csv"]
    list_per_page = 200
    fields = readonly_fields = (
        "report_link",
        *money_fields(BusinessReportRow, ROW_CSV_FIELDS),
        "raw_display",
    )
    bets_money = money_column("bets_sum", description="bets")
    wins_money = money_column("wins_sum", description="wins")
    ggr_money = money_column("gross_gaming_revenue", description="GGR")

    @admin.display(description="date", ordering="report__date")
    def date(self, obj: BusinessReportRow) -> Any:
        return obj.report.date

    @admin.display(description="operator", ordering="report__operator__operator_id")
    def operator(self, obj: BusinessReportRow) -> str:
        return obj.report.operator.operator_id

    @admin.display(description="report")
    def report_link(self, obj: BusinessReportRow) -> str:
        return admin_link(obj.report)

    @admin.display(description="as the PLATFORM sent it")
    def raw_display(self, obj: BusinessReportRow) -> str:
        return pretty_json(obj.raw)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        rows = changelist_queryset(response)
        if rows is not None:
            chart = line_chart_svg(
                series=selectors.report_ggr_series(rows),
                title="GGR per day (PLATFORM business report)",
            )
            with_chart(response, chart)
        return response

    @admin.action(description="Export selected rows as CSV")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[BusinessReportRow]
    ) -> HttpResponse:
        return per_date_csv(
            queryset.select_related("report__operator"),
            filename="business-report-rows.csv",
            parent="report",
            fields=ROW_CSV_FIELDS,
        )
