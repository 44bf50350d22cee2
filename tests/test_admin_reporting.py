# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""Business reports and reconciliation in the backoffice: per day, vendor and currency, the GGR
chart, mismatches highlighted, CSV export, balance limits and alerts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from operators.models import Operator
from reporting.models import (
    BusinessReport,
    BusinessReportRow,
    LimitAlert,
    LimitSnapshot,
    Reconciliation,
    ReconciliationLine,
)
from tests.admin_fixtures import (  # noqa: F401 - fixtures
    finance_client,
    finance_user,
    support_client,
    support_user,
)

DAY1 = dt.date(2026, 11, 20)
DAY2 = dt.date(2026, 11, 21)


def report(
    operator: Operator, date: dt.date, rows: list[tuple[str, str, str, str]]
) -> BusinessReport:
    stored = BusinessReport.objects.create(operator=operator, date=date)
    for vendor, currency, bets, wins in rows:
        BusinessReportRow.objects.create(
            report=stored,
            entity_name="Example",
            vendor=vendor,
            currency=currency,
            bets_sum=Decimal(bets),
            wins_sum=Decimal(wins),
            bets_count=3,
            wins_count=1,
            gross_gaming_revenue=Decimal(bets) - Decimal(wins),
        )
    return stored


def reconciliation(
    operator: Operator, date: dt.date, lines: list[tuple[str, str, str, str]]
) -> Reconciliation:
    """Lines of (vendor, currency, our GGR, the PLATFORM's GGR)."""
    stored = Reconciliation.objects.create(operator=operator, date=date)
    mismatches = 0
    for vendor, currency, ours, theirs in lines:
        diff = Decimal(ours) - Decimal(theirs)
        mismatches += diff != 0
        ReconciliationLine.objects.create(
            reconciliation=stored,
            vendor=vendor,
            currency=currency,
            in_ledger=True,
            in_report=True,
            ledger_bets_sum=Decimal(ours),
            platform_bets_sum=Decimal(theirs),
            bets_sum_diff=diff,
            ledger_ggr=Decimal(ours),
            platform_ggr=Decimal(theirs),
            ggr_diff=diff,
            mismatch=diff != 0,
            notes="GGR differs" if diff else "",
        )
    Reconciliation.objects.filter(pk=stored.pk).update(
        line_count=len(lines), mismatch_count=mismatches
    )
    stored.refresh_from_db()
    return stored


@pytest.fixture
def reports(operator: Operator) -> None:
    report(
        operator,
        DAY1,
        [("netent", "EUR", "100.00", "40.00"), ("evolution", "GBP", "50.00", "60.00")],
    )
    report(operator, DAY2, [("netent", "EUR", "80.00", "20.00")])


def test_spec_business_report_rows_per_day_vendor_and_currency_with_a_ggr_chart(
    finance_client: Client, reports: None
) -> None:
    page = reverse("admin:reporting_businessreportrow_changelist")
    response = finance_client.get(page)
    rows = list(response.context["cl"].result_list)
    assert [(r.report.date, r.vendor, r.currency) for r in rows] == [
        (DAY2, "netent", "EUR"),
        (DAY1, "evolution", "GBP"),
        (DAY1, "netent", "EUR"),
    ]
    html = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="bo-chart"' in html
    assert 'data-series="EUR"' in html and 'data-series="GBP"' in html
    assert "EUR 2026-11-20: 60.00" in html and "EUR 2026-11-21: 60.00" in html
    assert "GBP 2026-11-20: -10.00" in html
    filtered = finance_client.get(
        page, {"report__date__gte": DAY2.isoformat(), "report__date__lte": DAY2.isoformat()}
    )
    assert [r.report.date for r in filtered.context["cl"].result_list] == [DAY2]
    assert 'data-series="GBP"' not in filtered.content.decode()  # the chart follows the filters


def test_spec_business_report_csv_export(finance_client: Client, reports: None) -> None:
    rows = BusinessReportRow.objects.all()
    response = finance_client.post(
        reverse("admin:reporting_businessreportrow_changelist"),
        {"action": "export_csv", "_selected_action": [r.pk for r in rows]},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(table) == 3
    eur = next(r for r in table if r["date"] == "2026-11-21")
    assert eur["operator_id"] == "examplecasino" and eur["gross_gaming_revenue"] == "60.00"
    response = finance_client.post(
        reverse("admin:reporting_businessreport_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(BusinessReport.objects.values_list("pk", flat=True)),
        },
    )
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 3


def test_reconciliation_mismatches_are_highlighted_and_charted(
    finance_client: Client, operator: Operator
) -> None:
    clean = reconciliation(operator, DAY1, [("netent", "EUR", "60.00", "60.00")])
    dirty = reconciliation(
        operator, DAY2, [("netent", "EUR", "70.00", "60.00"), ("evolution", "EUR", "5.00", "5.00")]
    )
    response = finance_client.get(reverse("admin:reporting_reconciliation_changelist"))
    html = response.content.decode()
    assert html.count("⚠ MISMATCH") == 1 and "bo-mismatch-flag" in html
    assert 'data-series="EUR ours"' in html and 'data-series="EUR PLATFORM"' in html
    assert "mismatch on 2026-11-21" in html and "mismatch on 2026-11-20" not in html
    only_dirty = finance_client.get(
        reverse("admin:reporting_reconciliation_changelist"), {"mismatches": "yes"}
    )
    assert list(only_dirty.context["cl"].result_list) == [dirty]

    page = finance_client.get(reverse("admin:reporting_reconciliation_change", args=[dirty.pk]))
    html = page.content.decode()
    assert 'class="bo-chart"' in html and "mismatch on 2026-11-21" in html
    # Issue 12: money in one format (money.format_money), the difference in red.
    assert "⚠ MISMATCH" in html
    assert '<strong class="bo-negative"><span class="bo-money">€10.00</span></strong>' in html
    assert clean.is_clean


def test_reconciliation_csv_export_has_every_line_with_its_differences(
    finance_client: Client, operator: Operator
) -> None:
    dirty = reconciliation(operator, DAY2, [("netent", "EUR", "70.00", "60.00")])
    response = finance_client.post(
        reverse("admin:reporting_reconciliation_changelist"),
        {"action": "export_csv", "_selected_action": [dirty.pk]},
    )
    [line] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (
        line["ggr_diff"] == "10.00" and line["mismatch"] == "True" and line["date"] == "2026-11-21"
    )


def test_reconciliation_lines_list_filters_mismatches(
    finance_client: Client, operator: Operator
) -> None:
    reconciliation(
        operator, DAY2, [("netent", "EUR", "70.00", "60.00"), ("evolution", "EUR", "5", "5")]
    )
    response = finance_client.get(
        reverse("admin:reporting_reconciliationline_changelist"), {"mismatch__exact": "1"}
    )
    assert [line.vendor for line in response.context["cl"].result_list] == ["netent"]


def test_reports_are_read_only(finance_client: Client, reports: None) -> None:
    stored = BusinessReport.objects.first()
    assert stored is not None
    page = reverse("admin:reporting_businessreport_change", args=[stored.pk])
    assert finance_client.get(page).status_code == 200
    assert finance_client.post(page, {"date": "2020-01-01"}).status_code == 403
    assert finance_client.get(reverse("admin:reporting_businessreport_add")).status_code == 403


def test_support_cannot_export_reports(support_client: Client, reports: None) -> None:
    response = support_client.post(
        reverse("admin:reporting_businessreportrow_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(BusinessReportRow.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 403


def test_limit_snapshots_and_open_alerts(finance_client: Client, operator: Operator) -> None:
    snapshot = LimitSnapshot.objects.create(
        operator=operator,
        kind="balance",
        enabled=True,
        currency="USD",
        available_balance=Decimal("-5.00"),
        limit_exceeded=True,
        currencies={"EUR": "-4.60"},
    )
    LimitAlert.objects.create(
        operator=operator,
        kind="limit_exceeded",
        currency="USD",
        message="Balance limit exceeded",
        snapshot=snapshot,
    )
    html = finance_client.get(reverse("admin:reporting_limitsnapshot_changelist")).content.decode()
    assert "EXCEEDED" in html and "-€4.60" in html  # issue 12: money.format_money
    response = finance_client.get(reverse("admin:reporting_limitalert_changelist"), {"open": "yes"})
    assert len(response.context["cl"].result_list) == 1 and "OPEN" in response.content.decode()
