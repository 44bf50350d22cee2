# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures and simulator_fixtures
"""The backoffice: roles, the dashboard, manual adjustments, the games switch, hand histories and
"run now" of the PLATFORM jobs (against the PLATFORM simulator over real HTTP)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from backoffice.jobs import TASK_JOBS
from backoffice.models import ManualAdjustment
from backoffice.roles import FINANCE, ROLES, SUPPORT
from catalog.models import Game, Lobby
from operators.models import Operator
from platform_wallet.models import ApiErrorLog, GameSession, LedgerEntry, Player, Wallet
from platform_wallet.selectors import ledger_mismatches
from reporting.models import BusinessReport, LimitSnapshot, Reconciliation
from simulator.server import RunningSimulator
from tests.admin_fixtures import (  # noqa: F401 - fixtures
    finance_client,
    finance_user,
    logged_in,
    play,
    staff_user,
    super_client,
    superuser,
    support_client,
    support_user,
)
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.simulator_fixtures import platform_sim, sim_operator  # noqa: F401 - fixtures
from tests.wallet_client import WalletClient, new_id

ADJUST = reverse("admin:backoffice_manualadjustment_add")
RUN_JOB = reverse("admin:backoffice_run_job")


# --- Roles ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_roles_are_created_by_the_migration_with_their_permissions() -> None:
    for name in (SUPPORT, FINANCE):
        group = Group.objects.get(name=name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(ROLES[name])
    support = set(ROLES[SUPPORT])
    assert "backoffice.block_player" in support and "backoffice.adjust_wallet" not in support
    assert not any(p.startswith("reporting.") for p in support)
    assert "backoffice.block_player" not in set(ROLES[FINANCE])


REPORT_PAGES = [
    "admin:reporting_businessreport_changelist",
    "admin:reporting_businessreportrow_changelist",
    "admin:reporting_reconciliation_changelist",
    "admin:reporting_reconciliationline_changelist",
    "admin:reporting_limitsnapshot_changelist",
    "admin:reporting_limitalert_changelist",
    "admin:backoffice_manualadjustment_changelist",
]


@pytest.mark.parametrize("page", REPORT_PAGES)
def test_support_gets_403_on_report_pages_and_finance_opens_them(
    support_client: Client, finance_client: Client, page: str
) -> None:
    assert support_client.get(reverse(page)).status_code == 403
    assert finance_client.get(reverse(page)).status_code == 200


def test_support_cannot_adjust_or_run_jobs(support_client: Client, wallet: Wallet) -> None:
    assert support_client.get(ADJUST).status_code == 403
    data = {
        "wallet": wallet.pk,
        "direction": "credit",
        "amount": "10",
        "reason": "x",
        "request_id": "1",
    }
    assert support_client.post(ADJUST, data).status_code == 403
    assert support_client.get(RUN_JOB).status_code == 403
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")


def test_each_role_sees_only_its_apps_on_the_index(
    support_client: Client, finance_client: Client
) -> None:
    support = support_client.get(reverse("admin:index")).content.decode()
    finance = finance_client.get(reverse("admin:index")).content.decode()
    assert "Game sessions" in support and "API errors" in support
    assert "Reconciliations" not in support and "Manual adjustments" not in support
    assert "Reconciliations" in finance and "Manual adjustments" in finance
    assert "Game sessions" not in finance and "API errors" not in finance


def test_staff_without_a_role_see_nothing(db: None) -> None:
    nobody = logged_in(staff_user("new_hire"))
    html = nobody.get(reverse("admin:index")).content.decode()
    assert "Players" not in html and "bo-today" not in html
    assert nobody.get(reverse("admin:platform_wallet_player_changelist")).status_code == 403


# --- Dashboard --------------------------------------------------------------------------------


def test_dashboard_shows_todays_bets_wins_and_ggr_per_currency(
    support_client: Client, api: WalletClient, player: Player, session: GameSession
) -> None:
    gbp = wallet_for(player, "GBP", "50.00")
    gbp_session = session_for(player, gbp)
    assert play(api, session, "BET", "10.00").status == "OK"
    assert play(api, session, "BET", "2.50").status == "OK"
    assert play(api, session, "WIN", "4.00").status == "OK"
    assert play(api, gbp_session, "BET", "3.00").status == "OK"
    canceled = new_id()
    assert play(api, session, "BET", "20.00", transaction_id=canceled).status == "OK"
    api.call(
        "cancel",
        {"user_id": "611", "transaction_id": canceled, "round_id": 1, "game_id": 200},
    )
    assert play(api, session, "BET", "999.00").error_code == "OP_31"  # refused: not counted
    response = support_client.get(reverse("admin:index"))
    totals = {t.currency: t for t in response.context["totals"]}
    assert totals["EUR"].bets == Decimal("12.50") and totals["EUR"].bets_count == 2
    assert totals["EUR"].wins == Decimal("4.00") and totals["EUR"].ggr == Decimal("8.50")
    assert totals["GBP"].ggr == Decimal("3.00")
    html = response.content.decode()
    assert "8.50" in html and "GBP" in html
    assert response.context["active_sessions"] == 2
    assert response.context["errors_total"] == 1  # the OP_31
    assert "OP_31" in html


def test_dashboard_counts_errors_of_the_last_hour_only(support_client: Client) -> None:
    old = ApiErrorLog.objects.create(
        command="balance", error_code="OP_21", error_message="x", request_body="{}"
    )
    ApiErrorLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    ApiErrorLog.objects.create(
        command="changebalance", error_code="OP_33", error_message="x", request_body="{}"
    )
    response = support_client.get(reverse("admin:index"))
    assert response.context["errors_total"] == 1
    assert [e.error_code for e in response.context["errors"]] == ["OP_33"]


def test_dashboard_warns_when_a_balance_limit_is_exceeded(
    finance_client: Client, support_client: Client, operator: Operator
) -> None:
    LimitSnapshot.objects.create(
        operator=operator,
        kind="balance",
        enabled=True,
        currency="EUR",
        available_balance=Decimal("500.00"),
        limit_exceeded=False,
        fetched_at=timezone.now() - dt.timedelta(hours=1),
    )
    response = finance_client.get(reverse("admin:index"))
    assert not response.context["limits"].needs_attention
    assert "Limit exceeded" not in response.content.decode()
    LimitSnapshot.objects.create(
        operator=operator,
        kind="balance",
        enabled=True,
        currency="EUR",
        available_balance=Decimal("-20.00"),
        limit_exceeded=True,
    )
    response = finance_client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.context["limits"].needs_attention
    assert "Limit exceeded" in html and 'role="alert"' in html and "examplecasino" in html
    assert "limits" not in support_client.get(reverse("admin:index")).context  # Support: no panel


# --- Manual adjustments ------------------------------------------------------------------------


def adjust(client: Client, wallet: Wallet, direction: str, amount: str, reason: str, rid: str = ""):
    return client.post(
        ADJUST,
        {
            "wallet": wallet.pk,
            "direction": direction,
            "amount": amount,
            "reason": reason,
            "request_id": rid or new_id(),
        },
    )


def test_finance_credits_and_debits_through_the_ledger_recorded_with_the_staff_member(
    finance_client: Client, finance_user, wallet: Wallet
) -> None:
    assert finance_client.get(ADJUST, {"wallet": wallet.pk}).status_code == 200
    assert (
        adjust(finance_client, wallet, "credit", "25.50", "Goodwill for outage").status_code == 302
    )
    assert adjust(finance_client, wallet, "debit", "5.25", "Bonus abuse").status_code == 302
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("120.25")
    entries = list(ManualAdjustment.objects.order_by("pk"))
    assert [(e.amount, e.reason, e.created_by) for e in entries] == [
        (Decimal("25.50"), "Goodwill for outage", finance_user),
        (Decimal("-5.25"), "Bonus abuse", finance_user),
    ]
    assert entries[-1].balance_after == Decimal("120.25")
    assert ledger_mismatches() == []
    html = finance_client.get(
        reverse("admin:backoffice_manualadjustment_changelist")
    ).content.decode()
    assert "Goodwill for outage" in html and "fiona_finance" in html


def test_an_adjustment_needs_a_reason_and_cannot_overdraw(
    finance_client: Client, wallet: Wallet
) -> None:
    response = adjust(finance_client, wallet, "credit", "10", "   ")
    assert response.status_code == 200 and response.context["form"].errors
    response = adjust(finance_client, wallet, "debit", "100.01", "Too much")
    assert response.status_code == 200 and "Insufficient funds" in response.content.decode()
    response = adjust(finance_client, wallet, "credit", "1.001", "Sub-cent")
    assert response.status_code == 200 and response.context["form"].errors
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")
    assert not ManualAdjustment.objects.exists()


def test_an_adjustment_form_sent_twice_moves_money_once(
    finance_client: Client, wallet: Wallet
) -> None:
    assert adjust(finance_client, wallet, "credit", "10", "Once", rid="abc").status_code == 302
    assert adjust(finance_client, wallet, "credit", "10", "Once", rid="abc").status_code == 302
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("110.00")
    assert ManualAdjustment.objects.count() == 1


def test_adjustments_cannot_be_changed_or_deleted(
    super_client: Client, finance_client: Client, wallet: Wallet
) -> None:
    adjust(finance_client, wallet, "credit", "10", "Fix")
    entry = ManualAdjustment.objects.get()
    for staff in (super_client, finance_client):
        page = reverse("admin:backoffice_manualadjustment_change", args=[entry.pk])
        assert staff.get(page).status_code == 200
        assert staff.post(page, {"amount": "1000"}).status_code == 403
        delete = reverse("admin:backoffice_manualadjustment_delete", args=[entry.pk])
        assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.filter(kind="ADJUSTMENT").get().amount == Decimal("10.00")


def test_the_adjust_link_shows_only_for_finance(
    finance_client: Client, support_client: Client, player: Player, wallet: Wallet
) -> None:
    link = f"{ADJUST}?wallet={wallet.pk}"
    page = reverse("admin:platform_wallet_player_change", args=[player.pk])
    assert link in finance_client.get(page).content.decode()
    assert link not in support_client.get(page).content.decode()


# --- Games and lobbies -----------------------------------------------------------------------


def test_spec_op_35_bulk_disable_and_enable_touch_only_our_switch(
    super_client: Client, api: WalletClient, operator: Operator, session: GameSession
) -> None:
    game = Game.objects.create(operator=operator, game_id=200, title="Slot", vendor="netent")
    off = Game.objects.create(
        operator=operator, game_id=201, title="Gone", vendor="netent", enabled=False, listed=False
    )
    changelist = reverse("admin:catalog_game_changelist")
    response = super_client.post(
        changelist, {"action": "disable_selected", "_selected_action": [game.pk, off.pk]}
    )
    assert response.status_code == 302
    game.refresh_from_db()
    off.refresh_from_db()
    assert game.disabled_by_operator and game.enabled and game.listed
    assert off.disabled_by_operator and not off.enabled and not off.listed
    assert play(api, session, "BET", "1.00").error_code == "OP_35"
    super_client.post(
        changelist, {"action": "enable_selected", "_selected_action": [game.pk, off.pk]}
    )
    game.refresh_from_db()
    off.refresh_from_db()
    assert not game.disabled_by_operator and not off.disabled_by_operator
    assert not off.enabled and not off.listed  # still the PLATFORM's answer
    assert play(api, session, "BET", "1.00").status == "OK"
    html = super_client.get(changelist).content.decode()
    assert "disabled by the PLATFORM" in html


def test_lobbies_switch_and_platform_fields_are_read_only(
    super_client: Client, operator: Operator
) -> None:
    lobby = Lobby.objects.create(operator=operator, lobby_id="lobby-1", vendor="evolution")
    super_client.post(
        reverse("admin:catalog_lobby_changelist"),
        {"action": "disable_selected", "_selected_action": [lobby.pk]},
    )
    lobby.refresh_from_db()
    assert lobby.disabled_by_operator and lobby.listed
    page = reverse("admin:catalog_lobby_change", args=[lobby.pk])
    super_client.post(page, {"disabled_by_operator": "", "listed": "", "vendor": "other"})
    lobby.refresh_from_db()
    assert not lobby.disabled_by_operator and lobby.listed and lobby.vendor == "evolution"


def test_support_sees_games_but_cannot_switch_them(
    support_client: Client, operator: Operator
) -> None:
    game = Game.objects.create(operator=operator, game_id=200, title="Slot", vendor="netent")
    changelist = reverse("admin:catalog_game_changelist")
    assert support_client.get(changelist).status_code == 200
    support_client.post(changelist, {"action": "disable_selected", "_selected_action": [game.pk]})
    game.refresh_from_db()
    assert not game.disabled_by_operator


# --- Hand history (spec: Hand history API), from the simulator ------------------------------------


@pytest.fixture
def sim_bets(sim_operator: Operator, client: Client) -> dict[str, object]:
    Game.objects.create(operator=sim_operator, game_id=7001, title="Baccarat A", vendor="evolution")
    Game.objects.create(operator=sim_operator, game_id=7002, title="Starburst", vendor="netent")
    player = PlayerFactory(operator=sim_operator, user_id="777")
    wallet = wallet_for(player, "EUR", "100.00")
    api = WalletClient(sim_operator)
    out: dict[str, object] = {}
    for name, game_id in (("live", 7001), ("slot", 7002)):
        session = session_for(player, wallet, game_id=game_id)
        tx_id = new_id()
        answer = play(
            api,
            session,
            "BET",
            "1.00",
            transaction_id=tx_id,
            game_id=game_id,
            context={"reason": "not_provided", "history_id": f"h-{tx_id}"},
        )
        assert answer.status == "OK"
        out[name] = sim_operator.transactions.get(transaction_id=tx_id)
    return out


def test_spec_hand_history_json_is_rendered_readably(support_client: Client, sim_bets) -> None:
    tx = sim_bets["live"]
    page = reverse("admin:platform_wallet_transaction_hand_history", args=[tx.pk])
    html = support_client.get(page).content.decode()
    assert '<pre class="bo-json">' in html and "&quot;gameType&quot;" in html
    assert "errornote" not in html
    change = reverse("admin:platform_wallet_transaction_change", args=[tx.pk])
    assert page in support_client.get(change).content.decode()


def test_spec_hand_history_url_is_a_link(
    support_client: Client, sim_bets, platform_sim: RunningSimulator
) -> None:
    tx = sim_bets["slot"]
    response = support_client.post(
        reverse("admin:platform_wallet_transaction_changelist"),
        {"action": "fetch_hand_history", "_selected_action": [tx.pk]},
    )
    assert response.status_code == 302
    html = support_client.get(response["Location"]).content.decode()
    expected = f"{platform_sim.url}/hand/{tx.transaction_id}/h-{tx.transaction_id}"
    assert f'<a href="{expected}"' in html


def test_hand_history_failure_is_explained(
    support_client: Client, sim_bets, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.inject_fault("handHistory", status=503, times=10)
    tx = sim_bets["live"]
    page = reverse("admin:platform_wallet_transaction_hand_history", args=[tx.pk])
    response = support_client.get(page)
    assert response.status_code == 200
    assert "not available" in response.content.decode() and "503" in response.content.decode()


def test_finance_cannot_fetch_hand_histories(finance_client: Client, sim_bets) -> None:
    tx = sim_bets["live"]
    page = reverse("admin:platform_wallet_transaction_hand_history", args=[tx.pk])
    assert finance_client.get(page).status_code == 403


# --- Run now ------------------------------------------------------------------------------------


def test_every_default_schedule_has_a_run_now_job(db: None) -> None:
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    platform_tasks = {t for t in tasks if t.startswith("reporting.")}
    assert platform_tasks and platform_tasks <= set(TASK_JOBS)


def test_spec_business_report_run_now_fetches_and_reconciles(
    finance_client: Client, sim_operator: Operator
) -> None:
    day = timezone.now().date()
    response = finance_client.post(
        RUN_JOB, {"job": "business_report", "operator": sim_operator.pk, "date": day.isoformat()}
    )
    assert response.status_code == 200
    outcomes = response.context["outcomes"]
    assert [o.ok for o in outcomes] == [True], outcomes
    assert BusinessReport.objects.filter(operator=sim_operator, date=day).exists()
    assert Reconciliation.objects.filter(operator=sim_operator, date=day).exists()


def test_spec_balance_limits_run_now_from_the_schedules_list(
    finance_client: Client, sim_operator: Operator
) -> None:
    task = PeriodicTask.objects.get(task="reporting.balance_limits_check_all")
    response = finance_client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "run_now_here", "_selected_action": [task.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert LimitSnapshot.objects.filter(operator=sim_operator, kind="balance").exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("simcasino" in m and "balance limits checked" in m for m in messages), messages


def test_spec_games_list_run_now_syncs_the_catalog(
    super_client: Client, sim_operator: Operator
) -> None:
    response = super_client.post(RUN_JOB, {"job": "catalog_sync"})
    assert [o.ok for o in response.context["outcomes"]] == [True]
    assert Game.objects.filter(operator=sim_operator).count() > 0


def test_a_failing_job_is_reported_not_raised(
    finance_client: Client, sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.inject_fault("businessReport", status=500, times=20)
    response = finance_client.post(RUN_JOB, {"job": "business_report", "date": "2026-01-02"})
    assert response.status_code == 200
    [outcome] = response.context["outcomes"]
    assert not outcome.ok and "500" in outcome.detail
    assert "FAILED" in response.content.decode()


def test_the_adjustment_form_finds_wallets_by_user_id(
    finance_client: Client, support_client: Client, wallet: Wallet
) -> None:
    params = {
        "app_label": "platform_wallet",
        "model_name": "ledgerentry",
        "field_name": "wallet",
        "term": "611",
    }
    response = finance_client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(wallet.pk)]
    html = finance_client.get(ADJUST, {"wallet": wallet.pk}).content.decode()
    assert "admin-autocomplete" in html and "611 (john_doe) EUR: 100.00" in html
