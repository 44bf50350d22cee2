# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""The wallet in the backoffice (Django admin): operators, players, wallets, sessions, rounds,
transactions, the ledger and the API error log. Client-level: real requests to the admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Game
from operators.accounts import operator_account
from operators.models import Operator
from platform_wallet.models import (
    ApiErrorLog,
    GameSession,
    LedgerEntry,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    Wallet,
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

CHANGELIST = "admin:platform_wallet_{}_changelist"


def url(model: str, view: str = "changelist", *args: object) -> str:
    app = "operators" if model == "operator" else "platform_wallet"
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def action(client: Client, model: str, name: str, objects: list[object], **data: str):
    return client.post(
        url(model),
        {"action": name, "_selected_action": [o.pk for o in objects], **data},  # type: ignore[attr-defined]
    )


@pytest.fixture
def game(operator: Operator) -> Game:
    return Game.objects.create(
        operator=operator, game_id=200, title="Book of Tests", vendor="netent"
    )


@pytest.fixture
def played(api: WalletClient, session: GameSession, game: Game) -> dict[str, Transaction]:
    """A round with two BETs, a WIN and a canceled BET, and a refused BET in another round."""
    round_id = new_id()
    ids = {name: new_id() for name in ("bet1", "bet2", "win", "canceled", "refused")}
    assert (
        play(api, session, "BET", "10.00", transaction_id=ids["bet1"], round_id=round_id).status
        == "OK"
    )
    assert (
        play(api, session, "BET", "5.00", transaction_id=ids["bet2"], round_id=round_id).status
        == "OK"
    )
    assert (
        play(api, session, "BET", "3.00", transaction_id=ids["canceled"], round_id=round_id).status
        == "OK"
    )
    cancel = api.call(
        "cancel",
        {
            "user_id": "611",
            "transaction_id": ids["canceled"],
            "round_id": round_id,
            "round_finished": False,
            "game_id": 200,
        },
    )
    assert cancel.status == "OK"
    win = play(
        api,
        session,
        "WIN",
        "7.50",
        transaction_id=ids["win"],
        round_id=round_id,
        round_finished=True,
        context={"reason": "not_provided", "history_id": "350-a1B", "table": {"id": "t1"}},
    )
    assert win.status == "OK"
    refused = play(api, session, "BET", "1000.00", transaction_id=ids["refused"])
    assert refused.error_code == "OP_31"
    return {name: Transaction.objects.get(transaction_id=tx_id) for name, tx_id in ids.items()}


# --- Every page opens --------------------------------------------------------------------------


def test_every_admin_list_and_page_opens_for_a_superuser(super_client: Client, played) -> None:
    ResponsibleGamblingLimits.objects.create(
        player=Player.objects.get(user_id="611"), daily_loss_limit=Decimal("50")
    )
    ApiErrorLog.objects.create(
        command="changebalance",
        error_code="OP_33",
        error_message="Player is blocked",
        user_id="611",
        transaction_id=1,
        request_body='{"command": "changebalance"}',
    )
    opened = 0
    for model, _model_admin in site._registry.items():
        meta = model._meta
        response = super_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert response.status_code == 200, meta.label
        obj = model._default_manager.first()
        if obj is not None:
            response = super_client.get(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            )
            assert response.status_code == 200, meta.label
            opened += 1
    assert opened >= 9
    assert super_client.get(reverse("admin:index")).status_code == 200


# --- Operators ---------------------------------------------------------------------------------


def test_operator_secret_is_masked_in_list_and_form(
    super_client: Client, operator: Operator
) -> None:
    operator.secret_key = "a-very-long-secret-key-1234"
    operator.save()
    for page in (url("operator"), url("operator", "change", operator.pk)):
        html = super_client.get(page).content.decode()
        assert "a-very-long-secret-key-1234" not in html
        assert "a-very-long-secret-key" not in html
        assert "1234" in html  # the last 4 characters tell two keys apart
    assert (
        "secret_key"
        not in super_client.get(url("operator", "change", operator.pk))
        .context["adminform"]
        .form.fields
    )


def test_spec_x_authorization_rotating_the_secret_takes_effect_at_once(
    super_client: Client, client: Client, operator: Operator
) -> None:
    old = WalletClient(operator)
    assert (
        old.call(
            "balance", {"user_id": "nobody", "currency_code": "EUR", "token": "x" * 40}
        ).http_status
        == 200
    )
    assert operator_account("examplecasino").secret_key == "secret_key"  # cached now

    page = url("operator", "rotate_secret", operator.pk)
    response = super_client.post(page, {"secret_key": "new-secret-9", "secret_key_again": "other"})
    assert response.status_code == 200 and "differ" in response.content.decode()
    response = super_client.post(
        page, {"secret_key": "new-secret-9", "secret_key_again": "new-secret-9"}
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.secret_key == "new-secret-9"
    assert old.call("balance", {"user_id": "x"}).http_status == 200  # old client reads new key
    stale = Operator(operator_id="examplecasino", secret_key="secret_key")
    assert WalletClient(stale).call("balance", {"user_id": "x"}).http_status == 403
    entry = LogEntry.objects.get(object_id=str(operator.pk))
    assert "Rotated" in entry.get_change_message() and "new-secret-9" not in entry.change_message


def test_only_staff_with_the_permission_rotate_secrets(
    support_client: Client, finance_client: Client, operator: Operator
) -> None:
    page = url("operator", "rotate_secret", operator.pk)
    for staff in (support_client, finance_client):
        assert staff.get(page).status_code == 403
        assert (
            staff.post(page, {"secret_key": "x" * 12, "secret_key_again": "x" * 12}).status_code
            == 403
        )
    operator.refresh_from_db()
    assert operator.secret_key == "secret_key"


def test_adding_an_operator_checks_the_ip_allow_list(super_client: Client) -> None:
    data = {
        "operator_id": "brand2",
        "name": "Brand 2",
        "secret_key": "brand-2-secret",
        "api_host": "https://api.example.test",
        "launch_host": "https://games.example.test",
        "is_active": "on",
        "allowed_ips": "10.0.0.0/8, not-an-ip",
    }
    response = super_client.post(url("operator", "add"), data)
    assert (
        response.status_code == 200 and not Operator.objects.filter(operator_id="brand2").exists()
    )
    response = super_client.post(url("operator", "add"), {**data, "allowed_ips": "10.0.0.0/8"})
    assert response.status_code == 302
    assert Operator.objects.get(operator_id="brand2").secret_key == "brand-2-secret"
    assert operator_account("brand2") is not None


# --- Players -----------------------------------------------------------------------------------


def test_players_are_found_by_user_id_or_name(support_client: Client, player: Player) -> None:
    PlayerFactory(operator=player.operator, user_id="6110", user_name="someone_else")
    found = support_client.get(url("player"), {"q": "611"}).context["cl"].result_list
    assert list(found) == [player]  # the user id is matched exactly
    found = support_client.get(url("player"), {"q": "john"}).context["cl"].result_list
    assert list(found) == [player]


def test_players_and_wallets_in_the_negative_are_easy_to_find(
    support_client: Client, player: Player, wallet: Wallet
) -> None:
    other = PlayerFactory(operator=player.operator)
    wallet_for(other, "EUR", "5.00")
    Wallet.objects.filter(pk=wallet.pk).update(balance=Decimal("-12.50"))  # as after a WIN cancel
    players = support_client.get(url("player"), {"negative": "yes"}).context["cl"].result_list
    assert list(players) == [player]
    response = support_client.get(url("wallet"), {"balance": "negative"})
    assert list(response.context["cl"].result_list) == [wallet]
    assert "bo-negative" in response.content.decode()


def test_player_page_shows_wallets_read_only(
    support_client: Client, player: Player, wallet: Wallet
) -> None:
    response = support_client.get(url("player", "change", player.pk))
    html = response.content.decode()
    assert "€100.00" in html  # issue 12: money.format_money
    assert 'name="wallets-0-balance"' not in html
    response = support_client.post(url("player", "change", player.pk), {"user_name": "changed"})
    assert response.status_code == 403
    assert support_client.get(url("wallet", "change", wallet.pk)).status_code == 200
    assert (
        support_client.post(url("wallet", "change", wallet.pk), {"balance": "1000"}).status_code
        == 403
    )


def test_spec_op_33_support_blocks_a_player_with_a_reason_and_the_bet_is_refused(
    support_client: Client, support_user, api: WalletClient, player: Player, session: GameSession
) -> None:
    response = action(support_client, "player", "block_players", [player])
    assert response.status_code == 200  # the intermediate page asks for the reason
    assert "reason" in response.context["form"].fields
    response = action(support_client, "player", "block_players", [player], apply="1", reason=" ")
    assert response.status_code == 200 and response.context["form"].errors
    player.refresh_from_db()
    assert not player.is_blocked

    response = action(
        support_client, "player", "block_players", [player], apply="1", reason="Chargeback"
    )
    assert response.status_code == 302
    player.refresh_from_db()
    assert player.is_blocked and player.blocked_reason.startswith("Chargeback")
    assert "sam_support" in player.blocked_reason
    session.refresh_from_db()
    assert session.ended_at is not None  # open sessions end with the block
    log = LogEntry.objects.get(object_id=str(player.pk))
    assert log.user == support_user and "Chargeback" in log.get_change_message()

    fresh = session_for(player, session.wallet)  # even a session that still exists
    assert GameSession.objects.filter(pk=fresh.pk).exists()
    assert play(api, fresh, "BET", "1.00").error_code in {"OP_33", "OP_21"}
    GameSession.objects.filter(pk=fresh.pk).update(ended_at=None)
    assert play(api, fresh, "BET", "1.00").error_code == "OP_33"


def test_support_unblocks_with_a_reason(support_client: Client, player: Player) -> None:
    Player.objects.filter(pk=player.pk).update(is_blocked=True, blocked_reason="fraud check")
    response = action(
        support_client, "player", "unblock_players", [player], apply="1", reason="Cleared"
    )
    assert response.status_code == 302
    player.refresh_from_db()
    assert not player.is_blocked and player.blocked_reason == ""
    assert "Cleared" in LogEntry.objects.get(object_id=str(player.pk)).get_change_message()


def test_the_block_button_of_a_player_page_opens_the_reason_form(
    support_client: Client, player: Player
) -> None:
    html = support_client.get(url("player", "change", player.pk)).content.decode()
    assert url("player", "block", player.pk) in html
    response = support_client.get(url("player", "block", player.pk))
    assert response.status_code == 200 and "reason" in response.content.decode()


def test_finance_cannot_block(finance_client: Client, player: Player) -> None:
    response = action(
        finance_client, "player", "block_players", [player], apply="1", reason="Not allowed"
    )
    player.refresh_from_db()
    assert not player.is_blocked
    assert response.status_code in (200, 302)
    assert finance_client.get(url("player", "block", player.pk)).status_code == 403
    html = finance_client.get(url("player", "change", player.pk)).content.decode()
    assert url("player", "block", player.pk) not in html
    changelist = finance_client.get(url("player"))
    assert "block_players" not in changelist.content.decode()


def test_spec_op_32_responsible_gambling_limits_set_in_the_admin_refuse_the_bet(
    support_client: Client, api: WalletClient, player: Player, session: GameSession
) -> None:
    response = support_client.post(
        url("responsiblegamblinglimits", "add"),
        {"player": player.pk, "daily_wager_limit": "-1"},
    )
    assert response.status_code == 200 and not ResponsibleGamblingLimits.objects.exists()
    response = support_client.post(
        url("responsiblegamblinglimits", "add"),
        {"player": player.pk, "daily_wager_limit": "20.00"},
    )
    assert response.status_code == 302
    assert play(api, session, "BET", "15.00").status == "OK"
    assert play(api, session, "BET", "10.00").error_code == "OP_32"
    limits = ResponsibleGamblingLimits.objects.get(player=player)
    response = support_client.post(
        url("responsiblegamblinglimits", "change", limits.pk),
        {"self_excluded_until_0": "2999-01-01", "self_excluded_until_1": "00:00:00"},
    )
    assert response.status_code == 302
    assert play(api, session, "BET", "1.00").error_code == "OP_32"
    assert (
        "self-excluded" in support_client.get(url("player", "change", player.pk)).content.decode()
    )


# --- The ledger is read-only -------------------------------------------------------------------


@pytest.mark.parametrize("model", ["transaction", "ledgerentry", "apierrorlog", "wallet", "round"])
def test_nothing_in_the_ledger_can_be_added_changed_or_deleted(
    super_client: Client, played, model: str
) -> None:
    obj = {
        "transaction": lambda: played["bet1"],
        "ledgerentry": lambda: LedgerEntry.objects.first(),
        "apierrorlog": lambda: ApiErrorLog.objects.create(
            command="balance", error_code="OP_21", error_message="x", request_body="{}"
        ),
        "wallet": lambda: Wallet.objects.first(),
        "round": lambda: Round.objects.first(),
    }[model]()
    before = (Transaction.objects.count(), LedgerEntry.objects.count())
    assert super_client.get(url(model, "add")).status_code == 403
    assert super_client.post(url(model, "change", obj.pk), {"amount": "1"}).status_code == 403
    assert super_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    html = super_client.get(url(model)).content.decode()
    assert "delete_selected" not in html
    assert (Transaction.objects.count(), LedgerEntry.objects.count()) == before


# --- Game sessions -----------------------------------------------------------------------------


def test_sessions_active_expired_and_ended(
    support_client: Client, player: Player, wallet: Wallet, settings
) -> None:
    settings.WALLET_SESSION_IDLE_SECONDS = 600
    active = session_for(player, wallet)
    expired = session_for(player, wallet)
    GameSession.objects.filter(pk=expired.pk).update(
        last_activity_at=timezone.now() - dt.timedelta(seconds=601)
    )
    ended = session_for(player, wallet)
    GameSession.objects.filter(pk=ended.pk).update(ended_at=timezone.now(), end_reason="logout")
    for state, expected in (("active", active), ("expired", expired), ("ended", ended)):
        found = support_client.get(url("gamesession"), {"state": state}).context["cl"].result_list
        assert list(found) == [expected], state
    html = support_client.get(url("gamesession")).content.decode()
    assert active.token not in html  # a token is a credential: only its start is shown


def test_spec_op_21_support_revokes_a_session_and_its_bets_are_refused(
    support_client: Client, api: WalletClient, session: GameSession, wallet: Wallet
) -> None:
    assert play(api, session, "BET", "1.00").status == "OK"
    response = action(support_client, "gamesession", "revoke_sessions", [session])
    assert response.status_code == 200
    response = action(
        support_client,
        "gamesession",
        "revoke_sessions",
        [session],
        apply="1",
        reason="Shared device",
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ended_at is not None and "Shared device" in session.end_reason
    assert "sam_support" in session.end_reason
    assert play(api, session, "BET", "1.00").error_code == "OP_21"


def test_finance_does_not_see_sessions(finance_client: Client, session: GameSession) -> None:
    assert finance_client.get(url("gamesession")).status_code == 403


# --- Rounds and transactions -------------------------------------------------------------------


def test_round_totals_are_derived_from_applied_transactions(super_client: Client, played) -> None:
    game_round = played["bet1"].game_round
    response = super_client.get(url("round"), {"q": str(game_round.round_id)})
    row = response.context["cl"].result_list[0]
    assert row.bet_total == Decimal("15.00")  # the canceled BET does not count
    assert row.win_total == Decimal("7.50")
    html = super_client.get(url("round", "change", game_round.pk)).content.decode()
    assert "finished" in html and "Book of Tests" in html
    for tx in (played["bet1"], played["bet2"], played["win"], played["canceled"]):
        assert str(tx.transaction_id) in html  # the round's transactions, inline
    assert "Canceled" in html


def test_transactions_filters(super_client: Client, played, operator: Operator) -> None:
    def ids(**params: str) -> set[int]:
        response = super_client.get(url("transaction"), params)
        assert response.status_code == 200, params
        return {tx.transaction_id for tx in response.context["cl"].result_list}

    every = {tx.transaction_id for tx in played.values()}
    assert ids() == every
    assert ids(transaction_type__exact="WIN") == {played["win"].transaction_id}
    assert ids(status__exact="ERROR") == {played["refused"].transaction_id}
    assert ids(status__exact="CANCELED") == {played["canceled"].transaction_id}
    assert ids(vendor="netent") == every
    assert ids(vendor="evolution") == set()
    assert ids(game="200") == every and ids(game="201") == set()
    assert ids(round=str(played["bet1"].round_id)) == every - {played["refused"].transaction_id}
    assert ids(operator__id__exact=str(operator.pk)) == every
    today = timezone.now().date()
    assert (
        ids(created_at__date__gte=today.isoformat(), created_at__date__lte=today.isoformat())
        == every
    )
    assert ids(created_at__date__lte=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert ids(q=str(played["win"].transaction_id)) == {played["win"].transaction_id}
    assert ids(q="350-a1B") == {played["win"].transaction_id}
    response = super_client.get(url("transaction"), {"created_at__date__gte": "yesterday"})
    assert response.status_code == 302  # a wrong date is refused, not ignored


def test_transaction_page_shows_context_readably_and_links_the_round(
    super_client: Client, played
) -> None:
    win = played["win"]
    html = super_client.get(url("transaction", "change", win.pk)).content.decode()
    assert '<pre class="bo-json">' in html
    assert "&quot;history_id&quot;: &quot;350-a1B&quot;" in html  # indented JSON, escaped
    assert url("round", "change", win.game_round_id) in html
    assert "netent" in html and "Book of Tests" in html


def test_the_api_error_log_is_searchable(support_client: Client, played, api: WalletClient) -> None:
    refused = played["refused"]
    log = ApiErrorLog.objects.get(transaction_id=refused.transaction_id)
    assert log.error_code == "OP_31"
    for term in ("611", str(refused.transaction_id), "OP_31"):
        found = support_client.get(url("apierrorlog"), {"q": term}).context["cl"].result_list
        assert log in list(found), term
    assert (
        list(support_client.get(url("apierrorlog"), {"q": "OP_33"}).context["cl"].result_list) == []
    )
    html = support_client.get(url("apierrorlog", "change", log.pk)).content.decode()
    assert "bo-json" in html and url("transaction", "change", refused.pk) in html


def test_spec_strings_restrictions_a_player_name_with_a_pipe_is_refused(
    super_client: Client, player: Player
) -> None:
    page = url("player", "change", player.pk)
    data = {
        "user_name": "john|doe",
        "display_name": "John",
        "country": "Germany",
        "group": "",
        "language": "",
        "wallets-TOTAL_FORMS": "0",
        "wallets-INITIAL_FORMS": "0",
        "limits-TOTAL_FORMS": "0",
        "limits-INITIAL_FORMS": "0",
    }
    response = super_client.post(page, data)
    assert response.status_code == 200
    player.refresh_from_db()
    assert player.user_name == "john_doe"
    response = super_client.post(
        page,
        {
            **data,
            "user_name": "john_d",
            "limits-TOTAL_FORMS": "1",
            "limits-0-daily_loss_limit": "25.00",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    player.refresh_from_db()
    assert player.user_name == "john_d"
    assert ResponsibleGamblingLimits.objects.get(player=player).daily_loss_limit == Decimal("25.00")
