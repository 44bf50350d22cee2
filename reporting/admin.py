"""Reports in the backoffice: the PLATFORM's business reports per day, vendor and currency with a
GGR chart, reconciliations against our ledger with mismatches highlighted, CSV export, balance
limits and their alerts. All read-only: the reporting services write them ("run now" or beat)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from backoffice import selectors
from backoffice.admin_helpers import (
    DateRangeFilter,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    admin_link,
    changelist_url,
    csv_response,
    pretty_json,
)
from backoffice.charts import line_chart_svg
from backoffice.jobs import Job, job_run
from reporting.models import (
    BusinessReport,
    BusinessReportRow,
    LimitAlert,
    LimitSnapshot,
    Reconciliation,
    ReconciliationLine,
)

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


def rows_csv(rows: Iterable[BusinessReportRow], filename: str) -> HttpResponse:
    return csv_response(
        filename=filename,
        header=["date", "operator_id", *ROW_CSV_FIELDS],
        rows=(
            [row.report.date.isoformat(), row.report.operator.operator_id]
            + [getattr(row, name) for name in ROW_CSV_FIELDS]
            for row in rows
        ),
    )


def lines_csv(lines: Iterable[ReconciliationLine], filename: str) -> HttpResponse:
    return csv_response(
        filename=filename,
        header=["date", "operator_id", *LINE_CSV_FIELDS],
        rows=(
            [line.reconciliation.date.isoformat(), line.reconciliation.operator.operator_id]
            + [getattr(line, name) for name in LINE_CSV_FIELDS]
            for line in lines
        ),
    )


def _with_chart(response: HttpResponse, chart: Any) -> HttpResponse:
    if isinstance(response, TemplateResponse) and response.context_data is not None:
        response.context_data["bo_chart"] = chart
    return response


def _filtered(response: HttpResponse) -> QuerySet[Any] | None:
    """The changelist's filtered queryset (all pages), or None when the page is no list."""
    if isinstance(response, TemplateResponse) and response.context_data is not None:
        changelist = response.context_data.get("cl")
        if changelist is not None:
            return changelist.queryset
    return None


def _mismatch_flag(mismatch: bool) -> str:
    if mismatch:
        return format_html('<strong class="bo-negative bo-mismatch-flag">{}</strong>', "⚠ MISMATCH")
    return "ok"


def _diff(value: Any) -> str:
    if value:
        return format_html('<strong class="bo-negative">{}</strong>', value)
    return str(value)


class RunJobsMixin:
    """Actions that run a reporting job again for the selected objects' operator and date."""

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


# --- Business reports --------------------------------------------------------------------------


class BusinessReportRowInline(ReadOnlyInline):
    model = BusinessReportRow
    fields = readonly_fields = (
        "entity_name",
        "vendor",
        "currency",
        "bets_sum",
        "bets_count",
        "wins_sum",
        "wins_count",
        "freespins_sum",
        "jackpots_sum",
        "gross_gaming_revenue",
    )
    show_change_link = False


@admin.register(BusinessReport)
class BusinessReportAdmin(RunJobsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
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
        return ", ".join(f"{t['total']} {t['currency']}" for t in totals) or "-"

    @admin.display(description="reconciliation")
    def reconciliation_link(self, obj: BusinessReport) -> str:
        found = Reconciliation.objects.filter(operator=obj.operator, date=obj.date).first()
        return admin_link(found) if found is not None else "not reconciled yet"

    @admin.action(description="Export the rows of the selected reports as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[BusinessReport]) -> HttpResponse:
        rows = (
            BusinessReportRow.objects.filter(report__in=queryset)
            .select_related("report__operator")
            .order_by("report__date", "report__operator__operator_id", "vendor", "currency")
        )
        return rows_csv(rows, "business-reports.csv")

    @admin.action(
        description="Fetch again from the PLATFORM and reconcile (now)", permissions=["run_jobs"]
    )
    def fetch_again(self, request: HttpRequest, queryset: QuerySet[BusinessReport]) -> None:
        self._run(request, Job.BUSINESS_REPORT, list(queryset.select_related("operator")))


@admin.register(BusinessReportRow)
class BusinessReportRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The business reports as one list: per day, vendor and currency, GGR charted."""

    list_display = [
        "date",
        "vendor",
        "currency",
        "gross_gaming_revenue",
        "bets_sum",
        "bets_count",
        "wins_sum",
        "wins_count",
        "operator",
    ]
    list_filter = [("report__date", DateRangeFilter), "report__operator", "vendor", "currency"]
    search_fields = ["vendor", "entity_name"]
    list_select_related = ["report__operator"]
    ordering = ["-report__date", "vendor", "currency"]
    actions = ["export_csv"]
    list_per_page = 200
    fields = readonly_fields = ("report_link", *ROW_CSV_FIELDS, "raw_display")

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
        rows = _filtered(response)
        if rows is not None:
            chart = line_chart_svg(
                series=selectors.report_ggr_series(rows),
                title="GGR per day (PLATFORM business report)",
            )
            _with_chart(response, chart)
        return response

    @admin.action(description="Export selected rows as CSV")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[BusinessReportRow]
    ) -> HttpResponse:
        return rows_csv(queryset.select_related("report__operator"), "business-report-rows.csv")


# --- Reconciliation ----------------------------------------------------------------------------


class MismatchFilter(admin.SimpleListFilter):
    title = "mismatches"
    parameter_name = "mismatches"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "With mismatches"), ("no", "Clean")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(mismatch_count__gt=0)
        if self.value() == "no":
            return queryset.filter(mismatch_count=0)
        return queryset


class ReconciliationLineInline(ReadOnlyInline):
    model = ReconciliationLine
    fields = readonly_fields = (
        "flag",
        "vendor",
        "currency",
        "ledger_bets_sum",
        "platform_bets_sum",
        "bets_diff",
        "ledger_wins_sum",
        "platform_wins_sum",
        "wins_diff",
        "ledger_ggr",
        "platform_ggr",
        "ggr_difference",
        "counts",
        "notes",
    )
    show_change_link = False

    @admin.display(description="")
    def flag(self, obj: ReconciliationLine) -> str:
        return _mismatch_flag(obj.mismatch)

    @admin.display(description="bets diff")
    def bets_diff(self, obj: ReconciliationLine) -> str:
        return _diff(obj.bets_sum_diff)

    @admin.display(description="wins diff")
    def wins_diff(self, obj: ReconciliationLine) -> str:
        return _diff(obj.wins_sum_diff)

    @admin.display(description="GGR diff")
    def ggr_difference(self, obj: ReconciliationLine) -> str:
        return _diff(obj.ggr_diff)

    @admin.display(description="counts (bets, wins) ours / PLATFORM")
    def counts(self, obj: ReconciliationLine) -> str:
        return (
            f"{obj.ledger_bets_count}, {obj.ledger_wins_count} / "
            f"{obj.platform_bets_count}, {obj.platform_wins_count}"
        )


@admin.register(Reconciliation)
class ReconciliationAdmin(RunJobsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
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
        reconciliations = _filtered(response)
        if reconciliations is not None:
            series, mismatched = selectors.reconciliation_ggr_series(
                ReconciliationLine.objects.filter(reconciliation__in=reconciliations.values("pk"))
            )
            chart = line_chart_svg(
                series=series,
                title="GGR per day: our ledger and the PLATFORM (red: days with mismatches)",
                highlight=mismatched,
            )
            _with_chart(response, chart)
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra: dict[str, Any] = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            import datetime as dt

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
        return lines_csv(lines, "reconciliation.csv")

    @admin.action(description="Reconcile again (now)", permissions=["run_jobs"])
    def reconcile_again(self, request: HttpRequest, queryset: QuerySet[Reconciliation]) -> None:
        self._run(request, Job.RECONCILE, list(queryset.select_related("operator")))


@admin.register(ReconciliationLine)
class ReconciliationLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "date",
        "operator",
        "vendor",
        "currency",
        "flag",
        "ledger_ggr",
        "platform_ggr",
        "ggr_difference",
        "bets_sum_diff",
        "wins_sum_diff",
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["reconciliation", *LINE_CSV_FIELDS]

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
        return _diff(obj.ggr_diff)

    @admin.action(description="Export selected lines as CSV")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[ReconciliationLine]
    ) -> HttpResponse:
        return lines_csv(
            queryset.select_related("reconciliation__operator"), "reconciliation-lines.csv"
        )


# --- Balance limits ----------------------------------------------------------------------------


@admin.register(LimitSnapshot)
class LimitSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.opts.fields if f.name != "raw"] + ["raw_display"]

    @admin.display(description="available balance")
    def available(self, obj: LimitSnapshot) -> str:
        if obj.available_balance is None:
            return "-"
        return f"{obj.available_balance:,.2f} {obj.currency}"

    @admin.display(description="per currency")
    def per_currency(self, obj: LimitSnapshot) -> str:
        return ", ".join(f"{code} {value}" for code, value in (obj.currencies or {}).items()) or "-"

    @admin.display(description="exceeded", ordering="limit_exceeded")
    def exceeded(self, obj: LimitSnapshot) -> str:
        if obj.limit_exceeded:
            return format_html(
                '<strong class="bo-negative bo-mismatch-flag">{}</strong>', "EXCEEDED"
            )
        return "no" if obj.limit_exceeded is False else "-"

    @admin.display(description="GGR usage")
    def usage(self, obj: LimitSnapshot) -> str:
        if obj.limit is None:
            return "-"
        return f"{obj.current_usage} / {obj.limit} ({obj.percentage_usage}%)"

    @admin.display(description="answer")
    def raw_display(self, obj: LimitSnapshot) -> str:
        return pretty_json(obj.raw)


class OpenAlertFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Open"), ("no", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(LimitAlert)
class LimitAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "raised_at",
        "operator",
        "kind",
        "currency",
        "message",
        "available_balance",
        "threshold",
        "state",
        "mailed",
    ]
    list_filter = [OpenAlertFilter, "kind", "operator"]
    list_select_related = ["operator"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.opts.fields]

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj: LimitAlert) -> str:
        if obj.is_open:
            return format_html('<strong class="bo-negative bo-mismatch-flag">{}</strong>', "OPEN")
        return f"resolved {obj.resolved_at:%Y-%m-%d %H:%M}"
