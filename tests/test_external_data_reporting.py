# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""Issue 10, "External data never takes a page down": business reports (spec: Business report
API), balance and GGR limits (spec: Balance limits API, GGR limits API) and hand histories
(spec: Hand history API) are checked before they are stored or shown."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from decimal import Decimal
from typing import Any

import pytest

from operators.models import Operator
from platform_client import PlatformApiError, PlatformClient
from reporting.errors import BusinessReportInvalid, HandHistoryInvalid, LimitsInvalid
from reporting.models import BusinessReport, LimitAlert, LimitKind, LimitSnapshot
from reporting.services.balance_limits import balance_limits_check
from reporting.services.business_reports import business_report_fetch
from reporting.services.hand_history import hand_history_fetch
from simulator.server import RunningSimulator
from tests.lobby_fixtures import game_make
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    book_entry,
    book_path,
    fast_client,
    platform,
    platform_operator,
)
from tests.test_reporting_hand_history import _played

DAY = dt.date(2024, 5, 3)


def report_row(**change: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "entity_name": "operatorName",
        "vendor": "netent",
        "currency_code": "EUR",
        "bets_sum": "6.10",
        "bets_count": 1,
        "wins_sum": "3.30",
        "wins_count": 1,
        "freespins_sum": 0,
        "freespins_count": 0,
        "jackpots_sum": 0,
        "jackpots_count": 0,
        "gross_gaming_revenue": "2.80",
        "date": DAY.isoformat(),
    }
    row.update(change)
    return {k: v for k, v in row.items() if v is not None}


def answer_report(platform: RunningSimulator, rows: list[dict[str, Any]]) -> None:
    platform.state.inject_fault("businessReport", status=200, body=json.dumps(rows))


# --- Business report -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"currency_code": "EURO1"}, "currency_code is not 3 or 4 upper-case"),
        ({"currency_code": "eur"}, "currency_code is not 3 or 4 upper-case"),
        ({"vendor": '=HYPERLINK("http://x")'}, "vendor does not start with a letter or digit"),
        ({"vendor": "v" * 101}, "vendor is longer than 100"),
        ({"vendor": "net\nent"}, "vendor contains the character"),
        ({"entity_name": "e" * 256}, "entity_name is longer than 255"),
        ({"entity_name": "op\x00"}, "entity_name contains the character"),
        ({"bets_sum": "1e16"}, "bets_sum is too large"),
        ({"gross_gaming_revenue": "-10000000000000000"}, "gross_gaming_revenue is too large"),
        ({"wins_sum": "0.001"}, "wins_sum has more than 2 decimal places"),
        ({"bets_count": -1}, "bets_count is out of range"),
        ({"jackpots_count": 2**63}, "jackpots_count is out of range"),
        ({"wins_sum": "NaN"}, "wins_sum is not a finite number"),
        ({"bets_count": "7x"}, "bets_count is not an integer"),
        ({"gross_gaming_revenue": None}, "missing field 'gross_gaming_revenue'"),
    ],
)
def test_issue10_business_report_with_a_bad_row_is_refused_whole_and_the_stored_one_kept(
    platform: RunningSimulator,
    platform_operator: Operator,
    change: dict[str, Any],
    reason: str,
) -> None:
    answer_report(platform, [report_row(), report_row(vendor="evolution")])
    business_report_fetch(operator=platform_operator, date=DAY)
    answer_report(platform, [report_row(), report_row(vendor="pragmatic"), report_row(**change)])

    with pytest.raises(BusinessReportInvalid) as refused:
        business_report_fetch(operator=platform_operator, date=DAY)

    assert "nothing stored" in str(refused.value)
    assert f"1 of its 3 rows are not valid: report row row 3: {reason}" in str(refused.value)
    report = BusinessReport.objects.get(operator=platform_operator, date=DAY)
    assert report.fetch_count == 1
    assert sorted(report.rows.values_list("vendor", flat=True)) == ["evolution", "netent"]


def test_issue10_business_report_names_every_bad_row(
    platform: RunningSimulator, platform_operator: Operator, caplog: pytest.LogCaptureFixture
) -> None:
    answer_report(
        platform,
        [report_row(currency_code="euro"), report_row(), report_row(vendor="@SUM(1)")],
    )
    with caplog.at_level(logging.WARNING), pytest.raises(BusinessReportInvalid) as refused:
        business_report_fetch(operator=platform_operator, date=DAY)
    assert "2 of its 3 rows are not valid" in str(refused.value)
    assert "row 1: currency_code" in str(refused.value) and "row 3: vendor" in str(refused.value)
    assert "row 1: currency_code" in caplog.text and "row 3: vendor" in caplog.text
    assert not BusinessReport.objects.exists()


def test_issue10_business_report_of_good_rows_is_stored_exactly(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    answer_report(platform, [report_row(entity_name=" operatorName", bets_sum="1.500")])
    report = business_report_fetch(operator=platform_operator, date=DAY)
    row = report.rows.get()
    assert (row.entity_name, row.bets_sum) == ("operatorName", Decimal("1.50"))


# --- Balance limits and GGR limits ---------------------------------------------------------------

LIMITS = {
    "enabled": True,
    "currency": "USD",
    "available_balance": "107881.02",
    "currencies": {"EUR": {"available_balance": "99164.23"}},
    "limit_exceeded": False,
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"currency": "USDOLLAR"}, "currency is not 3 or 4 upper-case letters or digits"),
        ({"available_balance": "1e20"}, "available_balance is too large"),
        ({"available_balance": "0.125"}, "available_balance has more than 2 decimal places"),
        ({"currencies": {"eur": {"available_balance": 1}}}, "currencies code is not 3 or 4"),
        (
            {"currencies": {"EUR": {"available_balance": "1e18"}}},
            "currencies.EUR.available_balance is too large",
        ),
    ],
)
def test_issue10_balance_limits_that_do_not_fit_are_refused_nothing_stored(
    platform: RunningSimulator,
    platform_operator: Operator,
    fast_client: PlatformClient,
    change: dict[str, Any],
    reason: str,
) -> None:
    platform.state.inject_fault("balanceLimits", status=200, body=json.dumps(LIMITS | change))

    with pytest.raises(LimitsInvalid, match=re.escape(reason)):
        balance_limits_check(operator=platform_operator, client=fast_client)

    assert not LimitSnapshot.objects.exists() and not LimitAlert.objects.exists()


def test_issue10_ggr_limits_that_do_not_fit_are_logged_and_never_block_the_balance_check(
    platform: RunningSimulator,
    platform_operator: Operator,
    fast_client: PlatformClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ggr = {
        "enabled": True,
        "currency": "EUR",
        "limit": 100,
        "current_usage": 5,
        "percentage_usage": "123456.5",
    }
    platform.state.inject_fault("ggrLimits", status=200, body=json.dumps(ggr))

    with caplog.at_level(logging.WARNING):
        check = balance_limits_check(operator=platform_operator, client=fast_client)

    assert check.ggr is None
    assert LimitSnapshot.objects.filter(kind=LimitKind.BALANCE).count() == 1
    assert not LimitSnapshot.objects.filter(kind=LimitKind.GGR).exists()
    assert "percentage_usage is too large" in caplog.text


# --- Hand history ------------------------------------------------------------------------------


def nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (nested(40), "nested deeper than 32 levels"),
        ({"log": "x" * 1_000_001}, "larger than 1000000 characters"),
    ],
)
def test_issue10_hand_history_json_that_cannot_be_shown_safely_is_refused(
    platform: RunningSimulator, platform_operator: Operator, data: Any, reason: str
) -> None:
    game_make(platform_operator, 2002, "Speed Baccarat", vendor="evolution")
    transaction = _played(platform_operator, 2002)
    body = json.dumps({"success": True, "type": "json", "data": data})
    platform.state.inject_fault("handHistory", status=200, body=body)

    with pytest.raises(HandHistoryInvalid, match=reason):
        hand_history_fetch(transaction=transaction)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/round",
        "https://",
        "https://rounds.example/\x00x",
    ],
)
def test_issue10_hand_history_url_must_be_http_with_a_host(
    platform: RunningSimulator, platform_operator: Operator, fast_client: PlatformClient, url: str
) -> None:
    game_make(platform_operator, 2003, "Starburst", vendor="netent")
    transaction = _played(platform_operator, 2003)
    body = json.dumps({"success": True, "type": "url", "data": url})
    platform.state.inject_fault("handHistory", status=200, body=body)

    with pytest.raises(PlatformApiError, match=r"data is not an http|data contains control"):
        hand_history_fetch(transaction=transaction, client=fast_client)
