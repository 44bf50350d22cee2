# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""The backoffice as staff read it (issue 12, Staff): one theme for every admin page, money in
one format, a player at a glance (links with counts that never COUNT a whole table), and a
dashboard that tells the day's story (GGR per day, wallet errors per hour, pending bets, the
PLATFORM's balance limits with a fetch button)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import unfold.admin
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from backoffice import dashboard_selectors, selectors
from backoffice.admin_helpers import money_text
from backoffice.services import player_block_by_staff
from operators.models import Operator
from platform_wallet.models import ApiErrorLog, Player, Round, Transaction, Wallet
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
    play,
    super_client,
    superuser,
    support_client,
    support_user,
)
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.wallet_client import WalletClient, new_id

# --- One theme ---------------------------------------------------------------------------------


def test_issue12_every_model_admin_and_inline_is_unfold() -> None:
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, unfold.admin.ModelAdmin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, unfold.admin.TabularInline | unfold.admin.StackedInline), (
                model,
                inline,
            )


def test_issue12_the_login_page_and_the_dashboard_are_themed(super_client: Client) -> None:
    login = Client().get(reverse("admin:login")).content.decode()
    assert "unfold/css/styles.css" in login and 'id="login-form"' in login
    html = super_client.get(reverse("admin:index")).content.decode()
    assert "unfold/css/styles.css" in html and "backoffice/backoffice.css" in html
    assert 'id="bo-dashboard"' in html


def test_issue12_the_sidebar_lists_players_and_play_first(super_client: Client) -> None:
    response = super_client.get(reverse("admin:index"))
    labels = [app["app_label"] for app in response.context["available_apps"]]
    assert labels[:3] == ["platform_wallet", "backoffice", "reporting"]
    assert labels[-2:] == ["django_celery_beat", "auth"]  # the framework's own last


# --- Money is money ----------------------------------------------------------------------------


def test_issue12_money_text_is_babel_two_places_and_currency_aware() -> None:
    assert money_text(1.4000000000000001, "EUR") == "€1.40"  # a SQLite REAL sum
    assert money_text(Decimal("-0.40000000000000"), "EUR") == "-€0.40"
    assert money_text(Decimal("1500.00"), "JPY") == "¥1,500"
    assert money_text(None, "EUR") == "-"


def test_issue12_rounds_list_shows_two_decimals_and_a_blocked_player_a_red_badge(
    support_client: Client, operator: Operator, player: Player, wallet: Wallet, support_user
) -> None:
    api = WalletClient(operator)
    session = session_for(player, wallet)
    assert play(api, session, "BET", "1.40", round_id=77).status == "OK"
    assert play(api, session, "WIN", "1.80", round_id=77).status == "OK"
    html = support_client.get(reverse("admin:platform_wallet_round_changelist")).content.decode()
    assert "€1.40" in html and "€1.80" in html and "-€0.40" in html
    assert "1.4000" not in html and "0.4000" not in html
    player_block_by_staff(player=player, reason="Fraud check", staff=support_user)
    html = support_client.get(reverse("admin:platform_wallet_player_changelist")).content.decode()
    assert '<span class="bo-badge bo-badge-red">Blocked</span>' in html


def test_issue12_amounts_on_report_and_limit_pages_are_money(
    finance_client: Client, operator: Operator
) -> None:
    today = timezone.now().date()
    report = BusinessReport.objects.create(operator=operator, date=today)
    row = BusinessReportRow.objects.create(
        report=report, vendor="netent", currency="JPY", bets_sum=Decimal("150000.00")
    )
    reconciliation = Reconciliation.objects.create(operator=operator, date=today)
    line = ReconciliationLine.objects.create(
        reconciliation=reconciliation, vendor="netent", currency="EUR", ledger_ggr=Decimal("-0.4")
    )
    snapshot = LimitSnapshot.objects.create(
        operator=operator,
        kind="balance",
        enabled=True,
        currency="EUR",
        available_balance=Decimal("1234.5"),
    )
    alert = LimitAlert.objects.create(
        operator=operator,
        kind="low_balance",
        currency="USD",
        message="low",
        threshold=Decimal("1000"),
    )
    pages = [
        ("reporting_businessreportrow_change", row.pk, "¥150,000"),
        ("reporting_reconciliationline_change", line.pk, "-€0.40"),
        ("reporting_limitsnapshot_change", snapshot.pk, "€1,234.50"),
        ("reporting_limitalert_change", alert.pk, "$1,000.00"),
    ]
    for name, pk, shown in pages:
        response = finance_client.get(reverse(f"admin:{name}", args=[pk]))
        assert response.status_code == 200, name
        assert shown in response.content.decode(), name


# --- A player at a glance ----------------------------------------------------------------------


def test_issue12_player_page_shows_balances_and_links_with_counts(
    super_client: Client, operator: Operator, player: Player, wallet: Wallet
) -> None:
    wallet_for(player, "JPY", "50000.00")
    api = WalletClient(operator)
    session = session_for(player, wallet)
    for _ in range(3):
        assert play(api, session, "BET", "1.00", round_id=new_id()).status == "OK"
    assert play(api, session, "BET", "99999.00").error_code == "OP_31"
    other = PlayerFactory(operator=operator, user_id="612")
    other_session = session_for(other, wallet_for(other, "EUR", "10.00"))
    assert play(api, other_session, "BET", "1.00").status == "OK"  # not counted for player

    response = super_client.get(reverse("admin:platform_wallet_player_change", args=[player.pk]))
    html = response.content.decode()
    assert "€97.00" in html and "¥50,000" in html  # balances per currency
    glance = {label: (count, url) for label, count, url in response.context["glance"]}
    assert glance["Transactions"][0] == "4" and glance["Rounds"][0] == "4"
    assert glance["API errors"][0] == "1" and glance["Game sessions"][0] == "1"
    assert glance["Adjustments"][0] == "0" and glance["Audit entries"][0] == "0"
    for label, (count, url) in glance.items():  # each link opens the player's filtered list
        listed = super_client.get(url)
        assert listed.status_code == 200, (label, url)
        assert len(listed.context["cl"].result_list) == int(count), (label, url)


def test_issue12_counts_are_capped_with_a_limit_never_a_full_count(
    operator: Operator, player: Player, wallet: Wallet
) -> None:
    api = WalletClient(operator)
    session = session_for(player, wallet)
    for _ in range(3):
        assert play(api, session, "BET", "1.00").status == "OK"
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.player_history_counts(player, cap=2)
    assert str(counts["transactions"]) == "2+" and counts["transactions"].more
    assert str(counts["sessions"]) == "1"
    assert str(selectors.capped_count(Transaction.objects.all(), cap=1000)) == "3"
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counting and all("LIMIT 3" in sql.upper() for sql in counting), counting


def test_issue12_a_thousand_and_more_reads_1000_plus() -> None:
    assert str(selectors.CappedCount(count=1000, more=True)) == "1,000+"
    assert str(selectors.CappedCount(count=999, more=False)) == "999"


# --- The dashboard -----------------------------------------------------------------------------


def test_issue12_pending_bets_are_open_rounds_older_than_the_threshold(
    operator: Operator, player: Player, wallet: Wallet
) -> None:
    api = WalletClient(operator)
    session = session_for(player, wallet)
    for round_id, kind in ((1, "BET"), (2, "BET"), (3, "BET")):
        assert play(api, session, kind, "2.50", round_id=round_id).status == "OK"
    assert play(api, session, "WIN", "1.00", round_id=2, round_finished=True).status == "OK"
    now = timezone.now()
    old = now - dt.timedelta(minutes=45)
    Transaction.objects.filter(round_id__in=[1, 2]).update(created_at=old)
    Round.objects.filter(round_id__in=[1, 2]).update(created_at=old)
    ancient = now - dt.timedelta(days=30)  # beyond the bounded look-back: not listed
    old_player = PlayerFactory(operator=operator, user_id="613")
    old_session = session_for(old_player, wallet_for(old_player))
    assert play(api, old_session, "BET", "1.00", round_id=4).status == "OK"
    Transaction.objects.filter(round_id=4).update(created_at=ancient)
    Round.objects.filter(round_id=4).update(created_at=ancient)

    with override_settings(STALE_ROUND_MINUTES=30):
        pending = dashboard_selectors.rounds_pending(now=now)
    assert [p.round.round_id for p in pending] == [1]  # 2 finished, 3 too recent
    assert pending[0].bets == Decimal("2.50") and pending[0].currency == "EUR"
    assert dashboard_selectors.rounds_pending(now=now, older_than_minutes=0)[-1].round.round_id == 3


def test_issue12_wallet_errors_per_code_and_hour(operator: Operator) -> None:
    now = dt.datetime(2026, 12, 1, 10, 30, tzinfo=dt.UTC)
    for minutes_ago, code in ((5, "OP_31"), (10, "OP_31"), (70, "OP_33"), (60 * 30, "OP_21")):
        ApiErrorLog.objects.create(
            operator=operator,
            command="changebalance",
            error_code=code,
            error_message="x",
            request_body="{}",
            created_at=now - dt.timedelta(minutes=minutes_ago),
        )
    series = dashboard_selectors.api_errors_per_hour(now=now)
    assert set(series) == {"OP_31", "OP_33"}  # OP_21 is older than 24 hours
    assert all(len(points) == 24 for points in series.values())
    by_hour = dict(series["OP_31"])
    assert by_hour[dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)] == 2
    assert dict(series["OP_33"])[dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)] == 1


def test_issue12_ggr_per_day_past_days_reconciled_today_live(
    operator: Operator, player: Player, wallet: Wallet
) -> None:
    now = timezone.now()
    today = now.date()
    for days_ago, ggr in ((1, "20.00"), (5, "-3.50"), (40, "999.00")):
        stored = Reconciliation.objects.create(
            operator=operator, date=today - dt.timedelta(days=days_ago)
        )
        ReconciliationLine.objects.create(
            reconciliation=stored,
            vendor="netent",
            currency="EUR",
            ledger_ggr=Decimal(ggr),
            platform_ggr=Decimal(ggr),
        )
    api = WalletClient(operator)
    session = session_for(player, wallet)
    assert play(api, session, "BET", "7.00").status == "OK"
    series = dashboard_selectors.ggr_per_day(now=now)
    assert series["EUR"] == [
        (today - dt.timedelta(days=5), Decimal("-3.50")),
        (today - dt.timedelta(days=1), Decimal("20.00")),
        (today, Decimal("7.00")),
    ]


def test_issue12_dashboard_panels_and_the_balance_limits_fetch_button(
    super_client: Client, support_client: Client, operator: Operator, player: Player, wallet
) -> None:
    api = WalletClient(operator)
    assert play(api, session_for(player, wallet), "BET", "3.00").status == "OK"
    html = super_client.get(reverse("admin:index")).content.decode()
    for panel in ("bo-today", "bo-ggr", "bo-errors-day", "bo-pending-bets", "bo-limits"):
        assert f'id="{panel}"' in html, panel
    assert "No balance limits fetched yet." in html
    assert 'id="bo-fetch-limits"' in html and 'value="balance_limits"' in html
    assert reverse("admin:backoffice_run_job") in html
    support = support_client.get(reverse("admin:index")).content.decode()
    assert 'id="bo-pending-bets"' in support and 'id="bo-fetch-limits"' not in support


def test_issue12_the_fetch_button_runs_the_balance_limits_job(
    super_client: Client, operator: Operator
) -> None:
    # Without a PLATFORM API host the job has nobody to ask: it says so instead of failing.
    Operator.objects.filter(pk=operator.pk).update(api_host="")
    response = super_client.post(reverse("admin:backoffice_run_job"), {"job": "balance_limits"})
    assert response.status_code == 200
    assert response.context["job"] == "balance_limits"
