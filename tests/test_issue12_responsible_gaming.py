"""Issue 12, "Responsible gaming, self-service": the player's own loss and wager limits (a
decrease at once, an increase or a removal after a 24-hour cooling-off), a break or
self-exclusion after a confirmation, all enforced on BET as OP_32 (spec: changebalance,
OP_32 "limits reached") through `limits_in_force`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from catalog.models import Game
from operators.models import Operator
from platform_wallet.limits_rules import (
    COOLING_OFF,
    PERMANENT_EXCLUSION,
    PendingChange,
    break_until,
    limit_change,
    limits_in_force,
)
from platform_wallet.models import GameSession, Player, ResponsibleGamblingLimits, Wallet
from platform_wallet.services.responsible_gambling import (
    LimitsRefused,
    limits_change_by_player,
    limits_save,
    self_exclude,
)
from tests.admin_fixtures import (  # noqa: F401 - fixtures
    support_client,
    support_user,
)
from tests.factories import session_for
from tests.lobby_fixtures import game_make, login_for
from tests.wallet_client import WalletClient

D = Decimal
NOW = dt.datetime(2026, 8, 31, 12, 0, tzinfo=dt.UTC)
LIMITS_URL = "/account/limits/"
BREAK_URL = "/account/break/"


def bet(api: WalletClient, session: GameSession, amount: str) -> str:
    """A BET through the signed gameplay API: "OK" or the error code."""
    answer = api.changebalance(
        transaction_type="BET", amount=D(amount), user_id="611", token=session.token
    )
    return answer.status if answer.status == "OK" else str(answer.error_code)


@pytest.fixture
def player_client(client: Client, player: Player, wallet: Wallet) -> Client:
    client.force_login(login_for(player, "john"))
    return client


def stored(player: Player) -> ResponsibleGamblingLimits:
    return ResponsibleGamblingLimits.objects.get(player=player)


# --- The rules (pure) ---------------------------------------------------------------------------


def test_issue12_limits_in_force_applies_a_pending_change_from_its_time_on() -> None:
    limits = ResponsibleGamblingLimits(
        daily_loss_limit=D("50.00"),
        pending_daily_loss_limit=D("80.00"),
        pending_daily_loss_limit_at=NOW,
        weekly_wager_limit=D("500.00"),
        pending_weekly_wager_limit=None,  # a removal
        pending_weekly_wager_limit_at=NOW + dt.timedelta(hours=1),
    )
    before = limits_in_force(limits, NOW - dt.timedelta(seconds=1))
    assert before.daily_loss_limit == D("50.00")
    assert [c.name for c in before.pending] == ["daily_loss_limit", "weekly_wager_limit"]
    at = limits_in_force(limits, NOW)
    assert at.daily_loss_limit == D("80.00") and at.weekly_wager_limit == D("500.00")
    assert [c.name for c in at.pending] == ["weekly_wager_limit"]
    later = limits_in_force(limits, NOW + dt.timedelta(hours=1))
    assert later.weekly_wager_limit is None and later.pending == ()
    assert limits_in_force(None, NOW).daily_loss_limit is None


@pytest.mark.parametrize(
    ("requested", "in_force", "applies_now"),
    [
        (D("40"), D("50"), True),  # a decrease
        (D("50"), D("50"), True),  # the same
        (D("40"), None, True),  # a limit where there was none
        (D("60"), D("50"), False),  # an increase
        (None, D("50"), False),  # a removal
    ],
)
def test_issue12_a_decrease_applies_at_once_an_increase_or_removal_waits_24_hours(
    requested: Decimal | None, in_force: Decimal | None, applies_now: bool
) -> None:
    change = limit_change(
        name="daily_loss_limit", requested=requested, in_force=in_force, pending=None, now=NOW
    )
    if applies_now:
        assert (change.value, change.pending) == (requested, None)
    else:
        assert change.value == in_force
        assert change.pending == PendingChange("daily_loss_limit", requested, NOW + COOLING_OFF)


def test_issue12_asking_again_for_a_pending_value_keeps_its_time() -> None:
    waiting = PendingChange("daily_loss_limit", D("90"), NOW + dt.timedelta(hours=3))
    again = limit_change(
        name="daily_loss_limit", requested=D("90"), in_force=D("50"), pending=waiting, now=NOW
    )
    assert again.pending == waiting
    canceled = limit_change(
        name="daily_loss_limit", requested=D("50"), in_force=D("50"), pending=waiting, now=NOW
    )
    assert (canceled.value, canceled.pending) == (D("50"), None)


def test_issue12_break_periods() -> None:
    assert break_until("24h", NOW) == NOW + dt.timedelta(hours=24)
    assert break_until("7d", NOW) == NOW + dt.timedelta(days=7)
    assert break_until("30d", NOW) == NOW + dt.timedelta(days=30)
    assert break_until("6m", NOW) == dt.datetime(2027, 2, 28, 12, 0, tzinfo=dt.UTC)
    assert break_until("permanent", NOW) == PERMANENT_EXCLUSION
    with pytest.raises(KeyError):
        break_until("1y", NOW)


# --- The wallet enforces what is in force (OP_32) -----------------------------------------------


def test_issue12_op_32_a_players_decrease_applies_to_the_next_bet(
    api: WalletClient, player: Player, session: GameSession
) -> None:
    limits_change_by_player(player=player, requested={"daily_wager_limit": D("100.00")})
    assert bet(api, session, "30.00") == "OK"
    limits_change_by_player(player=player, requested={"daily_wager_limit": D("40.00")})
    assert bet(api, session, "10.01") == "OP_32"
    assert bet(api, session, "10.00") == "OK"


def test_issue12_op_32_a_players_increase_waits_24_hours(
    api: WalletClient, player: Player, session: GameSession
) -> None:
    limits_change_by_player(player=player, requested={"daily_wager_limit": D("10.00")})
    changes = limits_change_by_player(player=player, requested={"daily_wager_limit": D("50.00")})
    assert "effective_at" in changes["daily_wager_limit"]
    limits = stored(player)
    assert limits.daily_wager_limit == D("10.00")
    assert limits.pending_daily_wager_limit == D("50.00")
    assert bet(api, session, "20.00") == "OP_32"  # still 10.00 in force
    # 24 hours later (the clock moved: the pending change's time has come).
    ResponsibleGamblingLimits.objects.filter(player=player).update(
        pending_daily_wager_limit_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert bet(api, session, "20.00") == "OK"
    assert bet(api, session, "30.01") == "OP_32"


def test_issue12_op_32_removing_a_limit_waits_24_hours(
    api: WalletClient, player: Player, session: GameSession
) -> None:
    limits_change_by_player(player=player, requested={"daily_loss_limit": D("5.00")})
    limits_change_by_player(player=player, requested={"daily_loss_limit": None})
    assert bet(api, session, "6.00") == "OP_32"
    assert stored(player).pending_daily_loss_limit_at is not None


def test_issue12_op_32_staff_raises_wait_too_and_staff_decreases_apply_at_once(
    api: WalletClient, player: Player, session: GameSession
) -> None:
    limits = ResponsibleGamblingLimits(player=player, daily_wager_limit=D("10.00"))
    limits_save(limits=limits, actor=None)
    limits.daily_wager_limit = D("100.00")
    limits_save(limits=limits, actor=None)
    assert bet(api, session, "20.00") == "OP_32"
    assert stored(player).pending_daily_wager_limit == D("100.00")
    limits = stored(player)
    limits.daily_wager_limit = D("5.00")
    limits_save(limits=limits, actor=None)
    assert bet(api, session, "6.00") == "OP_32"
    assert stored(player).pending_daily_wager_limit_at is None  # the decrease dropped the raise


def test_issue12_a_matured_change_survives_a_staff_save_of_another_field(player: Player) -> None:
    limits_change_by_player(player=player, requested={"daily_wager_limit": D("10.00")})
    limits_change_by_player(
        player=player,
        requested={"daily_wager_limit": D("50.00")},
        now=timezone.now() - dt.timedelta(hours=25),
    )
    limits = stored(player)
    limits.weekly_loss_limit = D("300.00")
    limits_save(limits=limits, actor=None)
    limits = stored(player)
    assert (limits.daily_wager_limit, limits.pending_daily_wager_limit_at) == (D("50.00"), None)
    assert limits.weekly_loss_limit == D("300.00")


def test_issue12_the_players_changes_are_in_the_audit_trail(player: Player, wallet) -> None:
    login_for(player, "john")
    limits_change_by_player(player=player, requested={"daily_loss_limit": D("20.00")})
    limits_change_by_player(player=player, requested={"daily_loss_limit": D("30.00")})
    self_exclude(player=player, period="7d")
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == [AuditAction.LIMITS_CHANGED] * 3
    assert all(e.actor_name == "john" and e.details["by"] == "player" for e in events)
    assert events[0].details["changes"] == {"daily_loss_limit": {"from": None, "to": "20.00"}}
    assert events[1].details["changes"]["daily_loss_limit"]["effective_at"]
    assert events[2].details["changes"]["self_excluded_until"]["period"] == "7d"


def test_issue12_negative_limits_are_refused(player: Player) -> None:
    with pytest.raises(LimitsRefused):
        limits_change_by_player(player=player, requested={"daily_loss_limit": D("-1")})
    assert not ResponsibleGamblingLimits.objects.exists()


# --- Self-exclusion -----------------------------------------------------------------------------


def test_issue12_op_32_a_self_excluded_player_cannot_bet_and_their_sessions_end(
    api: WalletClient, player: Player, session: GameSession
) -> None:
    assert bet(api, session, "1.00") == "OK"
    until = self_exclude(player=player, period="24h")
    assert dt.timedelta(hours=23) < until - timezone.now() <= dt.timedelta(hours=24)
    session.refresh_from_db()
    assert session.ended_at is not None
    assert bet(api, session, "1.00") in {"OP_32", "OP_21"}  # its session ended
    fresh = session_for(player, session.wallet)  # a session opened by hand (a staff tool)
    assert bet(api, fresh, "1.00") == "OP_32"


def test_issue12_op_32_permanent_self_exclusion(
    api: WalletClient, player: Player, wallet: Wallet
) -> None:
    assert self_exclude(player=player, period="permanent") == PERMANENT_EXCLUSION
    assert bet(api, session_for(player, wallet), "1.00") == "OP_32"


def test_issue12_an_exclusion_can_be_made_longer_never_shorter(player: Player) -> None:
    longer = self_exclude(player=player, period="30d")
    with pytest.raises(LimitsRefused):
        self_exclude(player=player, period="7d")
    assert stored(player).self_excluded_until == longer
    assert self_exclude(player=player, period="6m") > longer
    self_exclude(player=player, period="permanent")
    for period in ("24h", "6m", "permanent"):
        with pytest.raises(LimitsRefused):
            self_exclude(player=player, period=period)
    assert stored(player).self_excluded_until == PERMANENT_EXCLUSION


# --- The pages ----------------------------------------------------------------------------------


def test_issue12_limits_page_shows_in_force_and_pending(player_client: Client, player) -> None:
    response = player_client.post(LIMITS_URL, {"daily_loss_limit": "50.00"})
    assert response.status_code == 302
    assert stored(player).daily_loss_limit == D("50.00")
    response = player_client.post(LIMITS_URL, {"daily_loss_limit": "80.00"}, follow=True)
    html = response.content.decode()
    assert "after 24 hours" in html
    assert stored(player).daily_loss_limit == D("50.00")
    assert stored(player).pending_daily_loss_limit == D("80.00")
    assert 'data-testid="pending-daily_loss_limit"><span class="status status-pending">' in html
    # Saving the form as shown (the pending value in its field) keeps the pending time.
    at = stored(player).pending_daily_loss_limit_at
    player_client.post(LIMITS_URL, {"daily_loss_limit": "80.00"})
    assert stored(player).pending_daily_loss_limit_at == at


def test_issue12_limits_page_refuses_a_negative_amount(player_client: Client, player) -> None:
    response = player_client.post(LIMITS_URL, {"daily_loss_limit": "-5"})
    assert response.status_code == 200
    assert not ResponsibleGamblingLimits.objects.filter(daily_loss_limit__isnull=False).exists()


def test_issue12_the_account_pages_need_a_login(client: Client, player) -> None:
    for url in (LIMITS_URL, "/account/activity/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(BREAK_URL, {"period": "24h", "confirm": "yes"}).status_code == 302
    assert not ResponsibleGamblingLimits.objects.exists()


def test_issue12_a_break_needs_a_confirmation_and_a_get_never_excludes(
    player_client: Client, player: Player
) -> None:
    assert player_client.get(BREAK_URL).status_code == 405
    assert player_client.get(BREAK_URL + "?period=7d&confirm=yes").status_code == 405
    response = player_client.post(BREAK_URL, {"period": "7d"})
    assert response.status_code == 200
    assert 'data-testid="break-confirm"' in response.content.decode()
    assert not ResponsibleGamblingLimits.objects.filter(self_excluded_until__isnull=False).exists()
    response = player_client.post(BREAK_URL, {"period": "7d", "confirm": "yes"}, follow=True)
    assert response.status_code == 200
    until = stored(player).self_excluded_until
    assert until is not None and until > timezone.now() + dt.timedelta(days=6)
    assert 'data-testid="excluded-panel"' in response.content.decode()
    assert player_client.post(BREAK_URL, {"period": "nope", "confirm": "yes"}).status_code == 400


def test_issue12_the_page_cannot_shorten_an_exclusion(player_client: Client, player) -> None:
    self_exclude(player=player, period="30d")
    until = stored(player).self_excluded_until
    response = player_client.post(BREAK_URL, {"period": "24h", "confirm": "yes"}, follow=True)
    assert "cannot be shortened" in response.content.decode()
    assert stored(player).self_excluded_until == until


def test_issue12_an_excluded_player_sees_why_on_the_lobby_and_when_launching(
    player_client: Client, player: Player, operator: Operator
) -> None:
    operator.launch_host = "https://games.example.test/launch/"
    operator.save()
    game: Game = game_make(operator, 200, "Fruit Party", fun_mode=True)
    self_exclude(player=player, period="7d")
    until = stored(player).self_excluded_until
    assert until is not None
    home = player_client.get("/").content.decode()
    assert 'data-testid="exclusion-notice"' in home
    assert f"{until:%Y-%m-%d %H:%M} UTC" in home
    # Play is off on the lobby (Demo is not); posting it anyway gets the page saying why
    assert 'type="submit" disabled title="Real-money games cannot be launched now">Play<' in home
    assert f"/demo/{game.game_id}/" in home
    response = player_client.post(f"/play/game/{game.game_id}/", {})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="excluded-page"' in page and f"{until:%Y-%m-%d %H:%M} UTC" in page
    assert not GameSession.objects.filter(player=player).exists()
    # Demo games stay open.
    assert player_client.get(f"/demo/{game.game_id}/").status_code == 302


def test_issue12_permanent_exclusion_is_shown_as_such(player_client: Client, player) -> None:
    self_exclude(player=player, period="permanent")
    home = player_client.get("/").content.decode()
    assert "excluded yourself permanently" in home and "9999" not in home


def test_issue12_a_staff_raise_in_the_admin_waits_and_is_shown_pending(
    support_client: Client,  # noqa: F811 - the fixture
    api: WalletClient,
    player: Player,
    session: GameSession,
) -> None:
    add = "/admin/platform_wallet/responsiblegamblinglimits/add/"
    assert support_client.post(add, {"player": player.pk, "daily_wager_limit": "10.00"}).status_code
    limits = stored(player)
    change = f"/admin/platform_wallet/responsiblegamblinglimits/{limits.pk}/change/"
    assert support_client.post(change, {"daily_wager_limit": "90.00"}).status_code == 302
    assert bet(api, session, "20.00") == "OP_32"
    page = support_client.get(change).content.decode()
    assert "pending: daily wager 90.00 from" in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.details["changes"]["daily_wager_limit"]["effective_at"]


def test_issue12_staff_can_cancel_a_waiting_raise(
    support_client: Client,  # noqa: F811 - the fixture
    api: WalletClient,
    player: Player,
    session: GameSession,
) -> None:
    limits_change_by_player(player=player, requested={"daily_wager_limit": D("10.00")})
    limits_change_by_player(player=player, requested={"daily_wager_limit": None})
    limits = stored(player)
    assert limits.pending_daily_wager_limit_at is not None
    response = support_client.post(
        "/admin/platform_wallet/responsiblegamblinglimits/",
        {"action": "cancel_waiting_changes", "_selected_action": [limits.pk]},
    )
    assert response.status_code == 302
    limits = stored(player)
    assert (limits.daily_wager_limit, limits.pending_daily_wager_limit_at) == (D("10.00"), None)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.actor_name == "sam_support"
    assert "canceled_pending" in event.details["changes"]["daily_wager_limit"]
    assert bet(api, session, "11.00") == "OP_32"  # the limit stays in force


def test_issue12_only_longer_breaks_are_offered(player_client: Client, player: Player) -> None:
    self_exclude(player=player, period="7d")
    html = player_client.get(LIMITS_URL).content.decode()
    assert 'value="30d"' in html and 'value="6m"' in html and 'value="permanent"' in html
    assert 'value="24h"' not in html and 'value="7d"' not in html
    self_exclude(player=player, period="permanent")
    html = player_client.get(LIMITS_URL).content.decode()
    assert 'data-testid="break-form"' not in html
