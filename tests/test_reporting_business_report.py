# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""Business report API: fetched from the PLATFORM (simulator over HTTP), stored once per operator
and date, replaced atomically on a new fetch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operators.models import Operator
from platform_client import PlatformApiError, PlatformClient
from reporting.errors import BusinessReportInvalid
from reporting.models import BusinessReport, BusinessReportRow
from reporting.services.business_reports import business_report_fetch
from simulator.server import RunningSimulator
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    SIM_OPERATOR_ID,
    book_entry,
    book_path,
    fast_client,
    platform,
    platform_operator,
)

DAY = dt.date(2024, 5, 3)


def _seed(platform: RunningSimulator) -> None:
    book = platform.state.book
    book_entry(book, transaction_type="BET", amount="6.10", vendor="slotsXX", date=DAY)
    book_entry(book, transaction_type="WIN", amount="3.30", vendor="slotsXX", date=DAY)
    book_entry(book, transaction_type="BET", amount="1.20", vendor="netent", date=DAY)
    book_entry(
        book, transaction_type="WIN", amount="0.31", vendor="netent", date=DAY,
        reason="PROMO-FREESPIN",
    )  # fmt: skip
    # Another day, and a refused BET: neither is in the report of DAY.
    book_entry(book, transaction_type="BET", amount="50.00", date=DAY + dt.timedelta(days=1))
    book_entry(book, transaction_type="BET", amount="70.00", date=DAY, status="ERROR")


def test_spec_business_report_fetch_stores_rows(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    _seed(platform)
    report = business_report_fetch(operator=platform_operator, date=DAY)
    rows = {row.vendor: row for row in report.rows.all()}
    assert set(rows) == {"slotsXX", "netent"}
    slots = rows["slotsXX"]
    assert (slots.entity_name, slots.currency) == (SIM_OPERATOR_ID, "EUR")
    assert (slots.bets_sum, slots.bets_count) == (Decimal("6.10"), 1)
    assert (slots.wins_sum, slots.wins_count) == (Decimal("3.30"), 1)
    assert slots.gross_gaming_revenue == Decimal("2.80")
    netent = rows["netent"]
    assert (netent.freespins_sum, netent.freespins_count) == (Decimal("0.31"), 1)
    assert netent.gross_gaming_revenue == Decimal("0.89")
    assert netent.raw["date"] == DAY.isoformat()
    assert report.fetch_count == 1
    assert platform.state.requests["businessReport"] == 1


def test_spec_business_report_refetch_replaces_the_dates_rows(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    _seed(platform)
    first = business_report_fetch(operator=platform_operator, date=DAY)
    old_pks = set(first.rows.values_list("pk", flat=True))
    # The PLATFORM's figures of DAY change (a late transaction): the new fetch replaces them.
    book_entry(
        platform.state.book, transaction_type="BET", amount="4.00", vendor="netent", date=DAY
    )
    book_entry(
        platform.state.book, transaction_type="BET", amount="2.50", vendor="pragmatic", date=DAY
    )
    second = business_report_fetch(operator=platform_operator, date=DAY)

    assert second.pk == first.pk
    assert BusinessReport.objects.filter(operator=platform_operator, date=DAY).count() == 1
    assert second.fetch_count == 2
    assert not BusinessReportRow.objects.filter(pk__in=old_pks).exists()
    rows = {row.vendor: row for row in second.rows.all()}
    assert set(rows) == {"slotsXX", "netent", "pragmatic"}
    assert rows["netent"].bets_sum == Decimal("5.20")
    assert rows["netent"].bets_count == 2
    assert BusinessReportRow.objects.filter(report__operator=platform_operator).count() == 3


def test_business_report_of_an_empty_day_replaces_rows_with_none(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    _seed(platform)
    business_report_fetch(operator=platform_operator, date=DAY)
    platform.state.book.clear()
    report = business_report_fetch(operator=platform_operator, date=DAY)
    assert report.rows.count() == 0


def test_business_report_failed_refetch_keeps_the_stored_rows(
    platform: RunningSimulator, platform_operator: Operator, fast_client: PlatformClient
) -> None:
    _seed(platform)
    business_report_fetch(operator=platform_operator, date=DAY)
    platform.state.inject_fault("businessReport", status=500)
    with pytest.raises(PlatformApiError) as failure:
        business_report_fetch(operator=platform_operator, date=DAY, client=fast_client)
    assert failure.value.status == 500
    report = BusinessReport.objects.get(operator=platform_operator, date=DAY)
    assert report.fetch_count == 1
    assert report.rows.count() == 2


def test_business_report_rows_of_another_date_are_refused(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    platform.state.inject_fault(
        "businessReport",
        status=200,
        body='[{"entity_name": "x", "vendor": "netent", "currency_code": "EUR", '
        '"bets_sum": 1, "bets_count": 1, "wins_sum": 0, "wins_count": 0, '
        '"gross_gaming_revenue": "1.00", "date": "2024-05-04"}]',
    )
    with pytest.raises(BusinessReportInvalid, match="2024-05-04"):
        business_report_fetch(operator=platform_operator, date=DAY)
    assert not BusinessReport.objects.exists()


def test_business_report_more_than_two_decimals_is_refused_not_rounded(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    platform.state.inject_fault(
        "businessReport",
        status=200,
        body='[{"entity_name": "x", "vendor": "netent", "currency_code": "EUR", '
        '"bets_sum": 1.005, "bets_count": 1, "wins_sum": 0, "wins_count": 0, '
        '"gross_gaming_revenue": "1.00", "date": "2024-05-03"}]',
    )
    with pytest.raises(BusinessReportInvalid, match=r"1\.005"):
        business_report_fetch(operator=platform_operator, date=DAY)
    assert not BusinessReport.objects.exists()


def test_fetch_business_report_command_prints_progress_and_rows(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    _seed(platform)
    out = StringIO()
    call_command(
        "fetch_business_report", operator=SIM_OPERATOR_ID, date=DAY.isoformat(), stdout=out
    )
    text = out.getvalue()
    assert "Fetching the business report of 2024-05-03" in text
    assert "2 rows stored" in text
    assert "slotsXX" in text and "2.80" in text
    call_command(
        "fetch_business_report", operator=SIM_OPERATOR_ID, date=DAY.isoformat(), stdout=out
    )
    assert "replaced (fetch 2)" in out.getvalue()


def test_fetch_business_report_command_errors(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    with pytest.raises(CommandError, match="unknown operator"):
        call_command("fetch_business_report", operator="nobody", date="2024-05-03")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("fetch_business_report", operator=SIM_OPERATOR_ID, date="03.05.2024")
    platform_operator.secret_key = "not-the-secret"
    platform_operator.save()
    with pytest.raises(CommandError, match="HTTP 403"):
        call_command("fetch_business_report", operator=SIM_OPERATOR_ID, date="2024-05-03")
