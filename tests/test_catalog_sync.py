# ruff: noqa: F811 - pytest fixtures imported from tests.simulator_fixtures
"""Catalog sync from the PLATFORM simulator over real HTTP (spec: Games and Lobbies list API)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Game, Lobby
from catalog.services import SyncResult, catalog_sync
from operators.models import Operator
from platform_client import PlatformApiError, PlatformClient
from simulator.server import RunningSimulator
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.simulator_fixtures import platform_sim, sim_operator  # noqa: F401 - fixtures
from tests.wallet_client import WalletClient

pytestmark = pytest.mark.django_db


def fast_client(operator: Operator) -> PlatformClient:
    return PlatformClient(operator, retries=1, backoff=0)


def sync(operator: Operator) -> SyncResult:
    return catalog_sync(operator=operator, client=fast_client(operator))


def test_spec_games_list_first_sync_creates_every_game_and_lobby(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    result = sync(sim_operator)

    games = platform_sim.state.games
    assert result.created == len(games) == Game.objects.filter(operator=sim_operator).count()
    assert (result.updated, result.unavailable) == (0, 0)
    assert result.lobbies_created == len(platform_sim.state.lobbies)
    disabled_ids = {g["id"] for g in games if not g["enabled"]}
    assert disabled_ids
    assert (
        set(
            Game.objects.filter(operator=sim_operator, enabled=False).values_list(
                "game_id", flat=True
            )
        )
        == disabled_ids
    )
    first = games[0]
    game = Game.objects.get(operator=sim_operator, game_id=first["id"])
    assert (game.title, game.vendor, game.game_type) == (
        first["title"],
        first["vendor"],
        first["type"],
    )
    assert game.platform_created_at is not None
    assert game.platform_created_at.isoformat() == first["created_at"]
    assert game.thumbnail_url == first["details"]["thumbnails"]["300x300"]
    assert game.description("de-DE") == first["details"]["description"]["de"]
    assert game.description("pt-BR") == first["details"]["description"]["en"]
    assert Lobby.objects.get(operator=sim_operator, lobby_id="portomaso").thumbnail_url


def test_spec_games_list_second_identical_sync_changes_nothing(sim_operator: Operator) -> None:
    sync(sim_operator)
    before = {g.game_id: (g.title, g.details, g.enabled) for g in Game.objects.all()}

    again = sync(sim_operator)

    assert (again.created, again.updated, again.unavailable, again.restored) == (0, 0, 0, 0)
    assert (again.lobbies_created, again.lobbies_updated, again.lobbies_unavailable) == (0, 0, 0)
    assert {g.game_id: (g.title, g.details, g.enabled) for g in Game.objects.all()} == before


def test_spec_games_list_changed_game_is_updated(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    changed = platform_sim.state.games[3]
    changed["title"] = "Renamed By The Platform"
    changed["details"]["description"]["en"] = "New text."
    changed["details"]["rtp"] = Decimal("95.5")  # a JSON number with a fraction

    result = sync(sim_operator)

    assert (result.created, result.updated, result.unavailable) == (0, 1, 0)
    game = Game.objects.get(operator=sim_operator, game_id=changed["id"])
    assert game.title == "Renamed By The Platform"
    assert game.description("en") == "New text."
    assert sync(sim_operator).updated == 0  # the stored details compare equal next time


def test_spec_games_list_vanished_game_becomes_unavailable_never_deleted(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    enabled = [g for g in platform_sim.state.games if g["enabled"]]
    gone = enabled[0]
    platform_sim.state.games.remove(gone)

    result = sync(sim_operator)

    assert (result.created, result.updated, result.unavailable) == (0, 0, 1)
    game = Game.objects.get(operator=sim_operator, game_id=gone["id"])
    assert game.listed is False and game.is_available is False

    platform_sim.state.games.append(gone)  # it comes back
    back = sync(sim_operator)
    assert (back.created, back.restored, back.unavailable) == (0, 1, 0)
    assert Game.objects.get(pk=game.pk).is_available


def test_spec_games_list_enabled_0_makes_a_game_unavailable(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    target = next(g for g in platform_sim.state.games if g["enabled"])
    target["enabled"] = 0

    result = sync(sim_operator)

    assert (result.updated, result.unavailable) == (0, 1)
    game = Game.objects.get(operator=sim_operator, game_id=target["id"])
    assert game.enabled is False and game.listed is True and not game.is_available
    target["enabled"] = 1
    assert sync(sim_operator).restored == 1


def test_spec_games_list_operator_disabled_flag_survives_every_sync(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    target = platform_sim.state.games[5]
    Game.objects.filter(operator=sim_operator, game_id=target["id"]).update(
        disabled_by_operator=True
    )
    Lobby.objects.filter(operator=sim_operator, lobby_id="live168").update(
        disabled_by_operator=True
    )
    target["title"] = "Changed Upstream"

    result = sync(sim_operator)
    sync(sim_operator)

    assert result.updated == 1
    game = Game.objects.get(operator=sim_operator, game_id=target["id"])
    assert game.disabled_by_operator is True and game.title == "Changed Upstream"
    assert game.is_available is False
    assert Lobby.objects.get(operator=sim_operator, lobby_id="live168").disabled_by_operator


def test_spec_games_list_vanished_lobby_becomes_unavailable(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    platform_sim.state.lobbies[:] = [
        x for x in platform_sim.state.lobbies if x["lobby_id"] != "portomaso"
    ]
    result = sync(sim_operator)
    assert result.lobbies_unavailable == 1
    assert Lobby.objects.get(operator=sim_operator, lobby_id="portomaso").listed is False


def test_a_failed_fetch_changes_nothing(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    platform_sim.state.games.pop(0)
    platform_sim.state.inject_fault("lobbies", status=500, times=5)  # games fetched, lobbies not

    with pytest.raises(PlatformApiError):
        sync(sim_operator)

    assert not Game.objects.filter(operator=sim_operator, listed=False).exists()


def test_catalogs_of_two_operators_are_separate(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    other = Operator.objects.create(operator_id="other", secret_key="k", api_host="")
    first_id = platform_sim.state.games[0]["id"]
    Game.objects.create(operator=other, game_id=first_id, title="Theirs", vendor="x")
    sync(sim_operator)
    assert Game.objects.get(operator=other, game_id=first_id).title == "Theirs"


def test_spec_changebalance_bet_on_a_game_that_vanished_is_op_35_win_still_credited(
    client, sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    gone = next(g for g in platform_sim.state.games if g["enabled"])
    platform_sim.state.games.remove(gone)
    sync(sim_operator)
    player = PlayerFactory(operator=sim_operator, user_id="611")
    wallet = wallet_for(player, "EUR", "100.00")
    session = session_for(player, wallet, game_id=gone["id"])
    api = WalletClient(sim_operator)

    bet = api.changebalance(
        user_id="611", token=session.token, amount=Decimal("1.00"), game_id=gone["id"]
    )
    win = api.changebalance(
        transaction_type="WIN", user_id="611", token=None, amount=Decimal("2.00"),
        game_id=gone["id"],
    )  # fmt: skip

    assert bet.error_code == "OP_35"
    assert win.status == "OK" and win.data["balance"] == Decimal("102.00")


def test_sync_catalog_command_prints_progress(sim_operator: Operator) -> None:
    out = StringIO()
    call_command("sync_catalog", "--operator", sim_operator.operator_id, stdout=out)
    text = out.getvalue()
    assert "Fetching the games list" in text
    assert f"{Game.objects.count()} created" in text


def test_sync_catalog_command_reports_platform_errors(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sim_operator.secret_key = "wrong"
    sim_operator.save()
    with pytest.raises(CommandError, match="HTTP 403"):
        call_command("sync_catalog", "--operator", sim_operator.operator_id, stdout=StringIO())
    with pytest.raises(CommandError, match="unknown operator"):
        call_command("sync_catalog", "--operator", "nobody", stdout=StringIO())
