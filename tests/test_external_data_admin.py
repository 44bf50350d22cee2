# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures and simulator_fixtures
"""Issue 10, "External data never takes a page down", in the backoffice: the API error log
shows a body it cannot indent as raw text (never a RecursionError) with the session token still
masked; the PLATFORM's hand history is shown escaped, its links only when http(s), its HTML never
rendered (spec: Hand history API); CSV exports neutralise formula cells (OWASP CSV injection)
and keep numbers numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backoffice.admin_helpers import csv_cell, pretty_json
from backoffice.hand_history import HandHistoryResult
from operators.models import Operator
from platform_wallet.models import ApiErrorLog, Transaction
from reporting.models import BusinessReport, BusinessReportRow
from simulator.server import RunningSimulator
from tests.admin_fixtures import (  # noqa: F401 - fixtures
    finance_client,
    finance_user,
    support_client,
    support_user,
)
from tests.lobby_fixtures import game_make
from tests.simulator_fixtures import platform_sim, sim_operator  # noqa: F401 - fixtures
from tests.test_reporting_hand_history import _played

TOKEN = "abcdefghijklmnopqrstuvwxyz0123456789"


def error_log_page(client: Client, body: str) -> str:
    log = ApiErrorLog.objects.create(
        command="changebalance", error_code="OP_50", error_message="x", request_body=body
    )
    response = client.get(reverse("admin:platform_wallet_apierrorlog_change", args=[log.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- The API error log -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000, id="100000-unclosed-brackets"),
        pytest.param("[" * 950 + "]" * 950, id="950-levels-that-parse"),
        pytest.param('{"a": ' * 60 + "1" + "}" * 60, id="60-levels-of-objects"),
    ],
)
def test_issue10_api_error_log_with_a_deeply_nested_body_shows_the_raw_text(
    support_client: Client, db: None, body: str
) -> None:
    html = error_log_page(support_client, body)
    assert '<pre class="bo-json bo-json-raw">' in html
    assert body[:200].replace('"', "&quot;") in html


def test_issue10_api_error_log_masks_the_token_in_a_body_that_is_not_json(
    support_client: Client, db: None
) -> None:
    """A body cut at 20,000 characters is no JSON: it is shown raw, the token still masked."""
    body = '{"command": "changebalance", "data": {"token": "' + TOKEN + '", "amount": 1.'
    html = error_log_page(support_client, body)
    assert TOKEN not in html
    assert "&quot;token&quot;: &quot;abcd…6789&quot;" in html


def test_issue10_api_error_log_masks_the_token_of_a_json_body(
    support_client: Client, db: None
) -> None:
    html = error_log_page(support_client, json.dumps({"data": {"token": TOKEN, "user_id": "1"}}))
    assert TOKEN not in html
    assert '<pre class="bo-json">' in html and "&quot;abcd…6789&quot;" in html


def test_issue10_pretty_json_never_recurses_on_a_decoded_value() -> None:
    value: Any = "x"
    for _ in range(5000):
        value = [value]
    assert "nested deeper than 50 levels" in pretty_json(value)
    assert pretty_json({"a": "<script>"}) == (
        '<pre class="bo-json">{\n  &quot;a&quot;: &quot;&lt;script&gt;&quot;\n}</pre>'
    )


# --- Hand history in the admin -----------------------------------------------------------------


@pytest.fixture
def live_bet(sim_operator: Operator) -> Transaction:
    game_make(sim_operator, 2002, "Speed Baccarat", vendor="evolution")
    return _played(sim_operator, 2002)


def hand_history_page(client: Client, transaction: Transaction) -> str:
    page = reverse("admin:platform_wallet_transaction_hand_history", args=[transaction.pk])
    response = client.get(page)
    assert response.status_code == 200
    return response.content.decode()


def answer_history(platform: RunningSimulator, answer: dict[str, Any]) -> None:
    platform.state.inject_fault("handHistory", status=200, body=json.dumps(answer))


def test_issue10_hand_history_html_type_is_never_rendered(
    support_client: Client, live_bet: Transaction, platform_sim: RunningSimulator
) -> None:
    answer_history(
        platform_sim, {"success": True, "type": "html", "data": "<script>alert(1)</script>"}
    )
    html = hand_history_page(support_client, live_bet)
    assert "errornote" in html and "unknown hand history type &#x27;html&#x27;" in html
    assert "<script>alert(1)" not in html


def test_issue10_hand_history_json_is_shown_escaped(
    support_client: Client, live_bet: Transaction, platform_sim: RunningSimulator
) -> None:
    data = {"table": '<img src=x onerror="alert(1)">', "link": "javascript:alert(2)"}
    answer_history(platform_sim, {"success": True, "type": "json", "data": data})
    html = hand_history_page(support_client, live_bet)
    assert "&lt;img src=x onerror=\\&quot;alert(1)\\&quot;&gt;" in html  # JSON, then HTML
    assert "<img src=x" not in html and 'href="javascript:' not in html


def test_issue10_hand_history_javascript_link_is_refused(
    support_client: Client, live_bet: Transaction, platform_sim: RunningSimulator
) -> None:
    answer_history(platform_sim, {"success": True, "type": "url", "data": "javascript:alert(1)"})
    html = hand_history_page(support_client, live_bet)
    assert "errornote" in html and 'href="javascript:' not in html


def test_issue10_hand_history_too_deep_is_explained_not_a_crash(
    support_client: Client, live_bet: Transaction, platform_sim: RunningSimulator
) -> None:
    data: Any = "x"
    for _ in range(900):
        data = {"a": data}
    answer_history(platform_sim, {"success": True, "type": "json", "data": data})
    html = hand_history_page(support_client, live_bet)
    assert "errornote" in html and "nested deeper than 32 levels" in html


# --- CSV exports -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("netent", "netent"),
        (Decimal("-5.00"), Decimal("-5.00")),
        (-7, -7),
        (None, ""),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    ],
)
def test_issue10_csv_cell_neutralises_formula_strings_not_numbers(
    value: object, written: object
) -> None:
    assert csv_cell(value) == written


def test_issue10_business_report_csv_neutralises_platform_strings_keeps_negative_amounts(
    finance_client: Client, operator: Operator
) -> None:
    report = BusinessReport.objects.create(operator=operator, date=dt.date(2026, 11, 20))
    BusinessReportRow.objects.create(
        report=report,
        entity_name="@SUM(1+1)*cmd|' /C calc'!A0",
        vendor='=HYPERLINK("http://evil.example","click")',
        currency="EUR",
        bets_sum=Decimal("10.00"),
        wins_sum=Decimal("15.00"),
        gross_gaming_revenue=Decimal("-5.00"),
    )

    response = finance_client.post(
        reverse("admin:reporting_businessreport_changelist"),
        {"action": "export_csv", "_selected_action": [report.pk]},
    )

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["vendor"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["entity_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["gross_gaming_revenue"] == "-5.00"  # a number a spreadsheet still adds up
    assert row["currency"] == "EUR"


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://rounds.example/r/1", "https://rounds.example/r/1"),
        ("javascript:alert(1)", None),
        ("https://", None),
        ("https:///path-without-host", None),
        ("data:text/html,<b>x</b>", None),
    ],
)
def test_issue10_hand_history_link_only_when_http_with_a_host(url: str, link: str | None) -> None:
    assert HandHistoryResult(type="url", url=url).safe_url == link
