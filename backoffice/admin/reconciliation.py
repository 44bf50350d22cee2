"""Reconciliations in the backoffice, read-only (`reporting.services.reconciliation` writes
them): our ledger beside the PLATFORM's business report per date, vendor and currency, every
mismatch flagged and charted; CSV export; "reconcile again" (`backoffice.jobs`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString
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
    "ledger_freespins_sum",
    "ledger_freespins_count",
    "platform_freespins_sum",
    "platform_freespins_count",
    "freespins_sum_diff",
    "freespins_count_diff",
    "ledger_jackpots_sum",
    "ledger_jackpots_count",
    "platform_jackpots_sum",
    "platform_jackpots_count",
    "jackpots_sum_diff",
    "jackpots_count_diff",
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


class PromotionsLineInline(ReadOnlyInline):
    """Free spins and jackpots of each line (issue 14), beside the bets and wins inline: the
    same lines, their four other columns, so that neither table is wider than the page."""

    model = ReconciliationLine
    verbose_name = "free spins and jackpots line"
    verbose_name_plural = "free spins and jackpots (sum, count)"
    fields = readonly_fields = (
        "flag",
        "vendor",
        "currency",
        "ledger_freespins_sum",
        "platform_freespins_sum",
        "freespins_sum_difference",
        "freespins_counts",
        "freespins_count_difference",
        "ledger_jackpots_sum",
        "platform_jackpots_sum",
        "jackpots_sum_difference",
        "jackpots_counts",
        "jackpots_count_difference",
    )
    show_change_link = False

    @admin.display(description="")
    def flag(self, obj: ReconciliationLine) -> str:
        return _mismatch_flag(_promotions_differ(obj))

    @admin.display(description="free spins diff")
    def freespins_sum_difference(self, obj: ReconciliationLine) -> str:
        return _diff(obj.freespins_sum_diff)

    @admin.display(description="free spins count ours / PLATFORM")
    def freespins_counts(self, obj: ReconciliationLine) -> str:
        return f"{obj.ledger_freespins_count} / {obj.platform_freespins_count}"

    @admin.display(description="count diff")
    def freespins_count_difference(self, obj: ReconciliationLine) -> str:
        return _diff(obj.freespins_count_diff)

    @admin.display(description="jackpots diff")
    def jackpots_sum_difference(self, obj: ReconciliationLine) -> str:
        return _diff(obj.jackpots_sum_diff)

    @admin.display(description="jackpots count ours / PLATFORM")
    def jackpots_counts(self, obj: ReconciliationLine) -> str:
        return f"{obj.ledger_jackpots_count} / {obj.platform_jackpots_count}"

    @admin.display(description="count diff")
    def jackpots_count_difference(self, obj: ReconciliationLine) -> str:
        return _diff(obj.jackpots_count_diff)


def _promotions_differ(line: ReconciliationLine) -> bool:
    return any(
        (
            line.freespins_sum_diff,
            line.freespins_count_diff,
            line.jackpots_sum_diff,
            line.jackpots_count_diff,
        )
    )


def _promotions_charts(lines: QuerySet[ReconciliationLine], period: str) -> SafeString:
    """Free spins paid and jackpots paid (issue 14), ours beside the PLATFORM's, a chart each;
    red: days where its sum or count differs."""
    freespins, jackpots = selectors.reconciliation_promotions_series(lines)
    charts = [
        line_chart_svg(
            series=series,
            title=f"{what} paid {period}: ours and the PLATFORM (red: they differ)",
            highlight=mismatched,
        )
        for what, (series, mismatched) in (("Free spins", freespins), ("Jackpots", jackpots))
    ]
    return charts[0] + charts[1]


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
    inlines = [ReconciliationLineInline, PromotionsLineInline]
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
            lines = ReconciliationLine.objects.filter(
                reconciliation__in=reconciliations.values("pk")
            )
            series, mismatched = selectors.reconciliation_ggr_series(lines)
            chart = line_chart_svg(
                series=series,
                title="GGR per day: our ledger and the PLATFORM (red: days with mismatches)",
                highlight=mismatched,
            )
            with_chart(response, chart + _promotions_charts(lines, "per day"))
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
            ) + _promotions_charts(window, f"of the 30 days to {obj.date}")
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
        "notes",  # names every difference, free spins and jackpots too (a column each: too wide)
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
