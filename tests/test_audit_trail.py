# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""Issue 10 section 4: staff actions on money and players leave an append-only, hash-chained
audit trail (adjustments requested, approved, rejected; blocks and unblocks; responsible-gambling
limit changes; session revocations; operator secret rotations).

Each row stores the previous row's hash and its own, sha256(prev hash + canonical fields);
`manage.py verify_audit_trail` recomputes the chain and names the first broken row. The rows are
written in the transaction of the action they record; the admin only shows them; PostgreSQL
refuses UPDATE and DELETE with a trigger.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from audit import services as audit_services
from audit.chain import GENESIS
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from backoffice.adjustments import (
    AdjustmentRefused,
    adjustment_approve,
    adjustment_reject,
    adjustment_submit,
)
from backoffice.roles import FINANCE
from operators.models import Operator
from platform_wallet.models import GameSession, Player, ResponsibleGamblingLimits
from platform_wallet.services.accounts import player_block
from tests.admin_fixtures import (  # noqa: F401 - fixtures
    finance_client,
    finance_user,
    logged_in,
    staff_user,
    super_client,
    superuser,
    support_client,
    support_user,
)
from tests.factories import PlayerFactory, wallet_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
AUDIT = reverse("admin:audit_auditevent_changelist")


def wallet_url(model: str, view: str = "changelist", *args: object) -> str:
    return reverse(f"admin:platform_wallet_{model}_{view}", args=args)


def action(client: Client, model: str, name: str, objects: list[object], **data: str):
    return client.post(
        wallet_url(model),
        {"action": name, "_selected_action": [o.pk for o in objects], **data},  # type: ignore[attr-defined]
    )


def trail() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("seq"))


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit_trail", stdout=out)
    return out.getvalue()


def tamper(sql: str, params: list[object]) -> None:
    """Change the table behind the application's back (PostgreSQL: past the trigger, as a
    superuser could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def some_events(player: Player, staff: User, count: int = 3) -> list[AuditEvent]:
    with transaction.atomic():
        for index in range(count):
            audit_record(
                actor=staff,
                action=AuditAction.PLAYER_BLOCKED,
                target=player,
                details={"reason": f"reason {index}", "amount": Decimal("1.50")},
            )
    return trail()


# --- What is recorded ---------------------------------------------------------------------------


def test_issue10_adjustments_requested_approved_rejected_are_recorded(
    finance_user: User, player: Player
) -> None:
    approver = staff_user("felix_finance", FINANCE)
    wallet = wallet_for(player, "EUR", "5000.00")

    def submit(amount: str, key: str):
        return adjustment_submit(
            wallet=wallet,
            amount=Decimal(amount),
            reason="Goodwill",
            staff=finance_user,
            idempotency_key=key,
        )

    submit("10.00", "small")
    submit("10.00", "small")  # the same form again: nothing happened, nothing recorded
    big = submit("2500.00", "big").request
    adjustment_approve(request_pk=big.pk, staff=approver)
    other = submit("-3000.00", "other").request
    adjustment_reject(request_pk=other.pk, staff=approver, reason="No ticket")
    events = trail()
    assert [(e.action, e.actor) for e in events] == [
        (AuditAction.ADJUSTMENT_APPLIED, finance_user),
        (AuditAction.ADJUSTMENT_REQUESTED, finance_user),
        (AuditAction.ADJUSTMENT_APPROVED, approver),
        (AuditAction.ADJUSTMENT_REQUESTED, finance_user),
        (AuditAction.ADJUSTMENT_REJECTED, approver),
    ]
    assert {(e.target_type, e.target_id) for e in events} == {
        ("platform_wallet.player", str(player.pk))
    }
    applied, _requested, approved, _other, rejected = events
    assert applied.details["amount"] == "10.00" and applied.details["currency"] == "EUR"
    assert applied.details["balance_after"] == "5010.00"
    assert approved.details["request"] == big.pk and approved.details["balance_after"] == "7510.00"
    assert approved.details["requested_by"] == "fiona_finance"
    assert rejected.details["rejection_reason"] == "No ticket"
    assert "intact: 5 events" in verify()


def test_issue10_blocks_and_unblocks_in_the_admin_are_recorded(
    support_client: Client, support_user: User, player: Player, session: GameSession
) -> None:
    response = action(
        support_client, "player", "block_players", [player], apply="1", reason="Chargeback"
    )
    assert response.status_code == 302
    action(support_client, "player", "unblock_players", [player], apply="1", reason="Cleared")
    blocked, unblocked = trail()
    assert (blocked.action, blocked.actor, blocked.actor_name) == (
        AuditAction.PLAYER_BLOCKED,
        support_user,
        "sam_support",
    )
    assert blocked.target_type == "platform_wallet.player" and blocked.target_id == str(player.pk)
    assert "Chargeback" in blocked.details["reason"] and blocked.details["sessions_ended"] == 1
    assert (unblocked.action, unblocked.details["reason"]) == (
        AuditAction.PLAYER_UNBLOCKED,
        "Cleared",
    )


def test_issue10_limit_changes_are_recorded_from_and_to(
    support_client: Client, support_user: User, super_client: Client, player: Player
) -> None:
    add = wallet_url("responsiblegamblinglimits", "add")
    assert support_client.post(add, {"player": player.pk, "daily_wager_limit": "20"}).status_code
    limits = ResponsibleGamblingLimits.objects.get(player=player)
    change = wallet_url("responsiblegamblinglimits", "change", limits.pk)
    support_client.post(change, {"daily_wager_limit": "20.00", "weekly_loss_limit": "100"})
    support_client.post(change, {"daily_wager_limit": "20.00", "weekly_loss_limit": "100"})
    created, changed = trail()  # saving it unchanged records nothing
    assert (created.action, created.actor) == (AuditAction.LIMITS_CHANGED, support_user)
    assert created.target_id == str(player.pk)
    assert created.details["changes"] == {"daily_wager_limit": {"from": None, "to": "20"}}
    assert changed.details["changes"] == {"weekly_loss_limit": {"from": None, "to": "100"}}
    # The limits inline on the player's page is recorded too.
    page = wallet_url("player", "change", player.pk)
    response = super_client.post(
        page,
        {
            "user_name": player.user_name,
            "display_name": player.display_name,
            "country": player.country,
            "group": "",
            "language": "",
            "wallets-TOTAL_FORMS": "0",
            "wallets-INITIAL_FORMS": "0",
            "limits-TOTAL_FORMS": "1",
            "limits-INITIAL_FORMS": "1",
            "limits-0-id": str(limits.pk),
            "limits-0-player": str(player.pk),
            "limits-0-daily_wager_limit": "5.00",
            "limits-0-weekly_loss_limit": "100.00",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    inline = trail()[-1]
    assert inline.action == AuditAction.LIMITS_CHANGED and inline.actor_name == "root_admin"
    assert inline.details["changes"] == {"daily_wager_limit": {"from": "20.00", "to": "5.00"}}


def test_issue10_session_revocations_are_recorded_without_the_token(
    support_client: Client, support_user: User, session: GameSession
) -> None:
    response = action(
        support_client, "gamesession", "revoke_sessions", [session], apply="1", reason="Stolen"
    )
    assert response.status_code == 302
    [revoked] = trail()
    assert (revoked.action, revoked.actor) == (AuditAction.SESSION_REVOKED, support_user)
    assert revoked.target_id == str(session.player.pk)
    assert revoked.details["session"] == session.pk and revoked.details["reason"] == "Stolen"
    assert session.token not in revoked.canonical()


def test_issue10_secret_rotation_is_recorded_and_the_secret_never_is(
    super_client: Client, superuser: User, operator: Operator
) -> None:
    page = reverse("admin:operators_operator_rotate_secret", args=[operator.pk])
    new = "brand-new-secret-0042"
    response = super_client.post(page, {"secret_key": new, "secret_key_again": new})
    assert response.status_code == 302
    [rotated] = trail()
    assert (rotated.action, rotated.actor) == (AuditAction.OPERATOR_SECRET_ROTATED, superuser)
    assert (rotated.target_type, rotated.target_id) == (
        "operators.operator",
        str(operator.pk),
    )
    for secret in (new, "secret_key"):
        assert secret not in rotated.canonical()
    assert (
        super_client.get(reverse("admin:audit_auditevent_change", args=[rotated.pk])).status_code
        == 200
    )


# --- The chain ----------------------------------------------------------------------------------


def test_issue10_each_row_hashes_its_predecessor_and_its_fields(
    player: Player, support_user: User
) -> None:
    first, second, _third = some_events(player, support_user)
    assert first.seq == 1 and first.prev_hash == GENESIS and second.prev_hash == first.hash
    fields = json.loads(first.canonical())
    assert fields["details"] == {"amount": "1.50", "reason": "reason 0"}
    assert fields["actor_name"] == "sam_support" and fields["action"] == "player.blocked"
    expected = hashlib.sha256((GENESIS + first.canonical()).encode()).hexdigest()
    assert first.hash == expected
    # Read back from the database, a row hashes to what was written.
    assert all(e.hash == e.computed_hash() for e in trail())


def test_issue10_verify_audit_trail_passes_on_an_intact_chain(
    player: Player, support_user: User
) -> None:
    assert "intact: 0 events" in verify()
    events = some_events(player, support_user)
    out = verify()
    assert "intact: 3 events" in out and events[-1].hash in out


def test_issue10_tampering_with_one_row_is_detected(player: Player, support_user: User) -> None:
    _first, second, _third = some_events(player, support_user)
    tamper(
        f"UPDATE {AuditEvent._meta.db_table} SET details = %s WHERE id = %s",
        [json.dumps({"amount": "1000.00", "reason": "reason 1"}), second.pk],
    )
    with pytest.raises(CommandError) as failed:
        verify()
    assert failed.value.returncode == 1
    assert f"seq 2 (id {second.pk})" in str(failed.value) and "changed" in str(failed.value)


def test_issue10_a_row_rehashed_after_tampering_breaks_the_next_link(
    player: Player, support_user: User
) -> None:
    _first, second, _third = some_events(player, support_user)
    second.actor_name = "someone_else"
    tamper(
        f"UPDATE {AuditEvent._meta.db_table} SET actor_name = %s, hash = %s WHERE id = %s",
        ["someone_else", second.computed_hash(), second.pk],
    )
    with pytest.raises(CommandError, match=r"seq 3 .*prev_hash"):
        verify()


def test_issue10_a_removed_row_is_detected(player: Player, support_user: User) -> None:
    _first, second, _third = some_events(player, support_user)
    tamper(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=r"seq 3 .*missing"):
        verify()


@pytest.mark.postgres
def test_issue10_postgres_refuses_to_update_or_delete_audit_rows(
    player: Player, support_user: User
) -> None:
    event = some_events(player, support_user, count=1)[0]
    table = AuditEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(details={})
    assert "intact: 1 events" in verify()


# --- One transaction: the action and its row ----------------------------------------------------


def test_issue10_an_action_whose_audit_row_fails_does_not_happen(
    monkeypatch: pytest.MonkeyPatch, player: Player, support_user: User
) -> None:
    def broken_lock() -> None:
        raise DatabaseError("the audit chain cannot be locked")

    monkeypatch.setattr(audit_services, "_chain_lock", broken_lock)
    with pytest.raises(DatabaseError):
        player_block(player=player, reason="Fraud", actor=support_user)
    player.refresh_from_db()
    assert not player.is_blocked and not AuditEvent.objects.exists()


def test_issue10_a_failed_approval_records_nothing(finance_user: User, player: Player) -> None:
    approver = staff_user("felix_finance", FINANCE)
    wallet = wallet_for(player, "EUR", "2000.00")
    pending = adjustment_submit(
        wallet=wallet,
        amount=Decimal("-1500.00"),
        reason="Debit",
        staff=finance_user,
        idempotency_key="big",
    ).request
    adjustment_submit(
        wallet=wallet,
        amount=Decimal("-600.00"),
        reason="Debit",
        staff=finance_user,
        idempotency_key="small",
    )
    with pytest.raises(AdjustmentRefused):
        adjustment_approve(request_pk=pending.pk, staff=approver)
    assert AuditAction.ADJUSTMENT_APPROVED not in {e.action for e in trail()}


@pytest.mark.django_db(transaction=True)
def test_issue10_audit_record_refuses_to_run_outside_a_transaction(player: Player) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action=AuditAction.PLAYER_BLOCKED, target=player)
    assert not AuditEvent.objects.exists()


# --- The admin ----------------------------------------------------------------------------------


def test_issue10_the_audit_trail_is_view_only_in_the_admin(
    super_client: Client, player: Player, support_user: User
) -> None:
    [event] = some_events(player, support_user, count=1)
    page = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert super_client.get(AUDIT).status_code == 200
    assert super_client.get(page).status_code == 200
    assert super_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert super_client.post(page, {"action": "x"}).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert super_client.post(delete, {"post": "yes"}).status_code == 403
    html = super_client.get(AUDIT).content.decode()
    assert "action_checkbox" not in html  # no bulk actions (no "delete selected")
    assert AuditEvent.objects.get().hash == event.hash


def test_issue10_audit_trail_filters_by_actor_action_and_target(
    finance_client: Client, support_client: Client, support_user: User, operator: Operator
) -> None:
    alice = PlayerFactory.create(operator=operator, user_id="alice")
    bob = PlayerFactory.create(operator=operator, user_id="bob")
    other = staff_user("other_support")
    with transaction.atomic():
        audit_record(actor=support_user, action=AuditAction.PLAYER_BLOCKED, target=alice)
        audit_record(actor=other, action=AuditAction.PLAYER_UNBLOCKED, target=alice)
        audit_record(actor=support_user, action=AuditAction.PLAYER_BLOCKED, target=bob)
    assert support_client.get(AUDIT).status_code == 403  # Support: no audit trail

    def listed(**params: object) -> list[int]:
        response = finance_client.get(AUDIT, params)
        assert response.status_code == 200
        return sorted(e.seq for e in response.context["cl"].result_list)

    assert listed() == [1, 2, 3]
    assert listed(action="player.blocked") == [1, 3]
    assert listed(actor__id__exact=support_user.pk) == [1, 3]
    assert listed(target_type="platform_wallet.player", target_id=alice.pk) == [1, 2]
    assert listed(q="bob") == [3]
    # A player's page links to the player's events.
    player_page = finance_client.get(wallet_url("player", "change", alice.pk)).content.decode()
    assert f"{AUDIT}?target_type=platform_wallet.player&amp;target_id={alice.pk}" in player_page


# --- Layers -------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_issue10_the_audit_app_is_a_low_layer() -> None:
    apps = ("platform_wallet", "backoffice", "catalog", "reporting", "lobby", "ops", "simulator")
    for path in (ROOT / "audit").rglob("*.py"):
        for module in _imports(path):
            assert not module.startswith(apps), f"{path} imports {module}"
    for path in (ROOT / "platform_wallet" / "services").rglob("*.py"):
        assert not any(m.startswith("backoffice") for m in _imports(path)), path
