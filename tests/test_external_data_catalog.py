# ruff: noqa: F811 - pytest fixtures imported from tests.simulator_fixtures
"""Issue 10, "External data never takes a page down": every row of the PLATFORM's Games and
Lobbies lists is checked at sync (spec: Games and Lobbies list API); a bad row is skipped, named
(id and reason) in the result, the log, the command, the task and the admin's "run now", and
the other rows are applied."""

from __future__ import annotations

import logging
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from catalog import tasks
from catalog.models import Game, Lobby
from catalog.services import SyncResult, catalog_sync
from operators.models import Operator
from platform_client import PlatformApiError, PlatformClient
from simulator.server import RunningSimulator
from tests.admin_fixtures import finance_client, finance_user  # noqa: F401 - fixtures
from tests.simulator_fixtures import platform_sim, sim_operator  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def sync(operator: Operator) -> SyncResult:
    return catalog_sync(operator=operator, client=PlatformClient(operator, retries=0, backoff=0))


def nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


def lobby_row(lobby_id: Any, **details: Any) -> dict[str, Any]:
    return {"lobby_id": lobby_id, "vendor": "evolution", "details": details}


def test_issue10_lobby_with_slash_in_id_is_skipped_at_sync(
    sim_operator: Operator, platform_sim: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    platform_sim.state.lobbies += [lobby_row("a/b"), lobby_row(""), lobby_row("..")]

    with caplog.at_level(logging.WARNING, logger="catalog.services.sync"):
        result = sync(sim_operator)

    assert result.lobbies_skipped == 3 and result.games_skipped == 0
    assert {row.id for row in result.skipped} == {"'a/b'", "''", "'..'"}
    assert all("lobby_id" in row.reason for row in result.skipped)
    stored = set(Lobby.objects.filter(operator=sim_operator).values_list("lobby_id", flat=True))
    assert stored == {x["lobby_id"] for x in platform_sim.state.lobbies[:-3]}
    assert result.lobbies_created == len(stored)
    assert "lobby 'a/b': lobby_id has characters other than" in str(result)
    assert "skipped lobby 'a/b'" in caplog.text and "skipped lobby ''" in caplog.text


BAD_GAME_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("id-not-a-number", {"id": "x1"}, "game id is not an integer"),
    ("id-zero", {"id": 0}, "game id is out of range"),
    ("id-negative", {"id": -5}, "game id is out of range"),
    ("id-over-bigint", {"id": 2**63}, "game id is out of range"),
    ("title-empty", {"title": "  "}, "title is empty"),
    ("title-too-long", {"title": "T" * 256}, "title is longer than 255"),
    ("title-nul", {"title": "Book\x00of Ra"}, "title contains the character"),
    ("title-not-a-string", {"title": ["x"]}, "title is not a string"),
    ("vendor-formula", {"vendor": "=HYPERLINK(1)"}, "vendor does not start with"),
    ("vendor-too-long", {"vendor": "v" * 101}, "vendor is longer than 100"),
    ("type-newline", {"type": "slots\nx"}, "type contains the character"),
    ("platform-too-long", {"platform": "d" * 51}, "platform is longer than 50"),
    ("created-at-not-a-date", {"created_at": "yesterday"}, "created_at is not a Y-m-d date"),
    ("enabled-not-a-flag", {"enabled": 7}, "enabled is not 1 or 0"),
]


@pytest.mark.parametrize(
    ("change", "reason"),
    [pytest.param(change, reason, id=case) for case, change, reason in BAD_GAME_FIELDS],
)
def test_issue10_bad_game_row_is_skipped_named_and_the_rest_applied(
    sim_operator: Operator, platform_sim: RunningSimulator, change: dict[str, Any], reason: str
) -> None:
    games = platform_sim.state.games
    bad = dict(games[7], **change)
    games[7] = bad

    result = sync(sim_operator)

    (skipped,) = result.skipped
    assert skipped.what == "game" and reason in skipped.reason
    assert skipped.id.strip("'") == str(bad["id"])
    assert result.created == len(games) - 1 == Game.objects.filter(operator=sim_operator).count()
    assert result.games_total == len(games)
    assert f"1 games and 0 lobbies skipped (not valid): game {skipped.id}: " in str(result)


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        ({"thumbnails": {"300x300": "javascript:alert(1)"}}, "thumbnail is not an http(s) URL"),
        ({"thumbnails": {"300x300": "data:image/svg+xml,<svg/>"}}, "thumbnail is not an http"),
        ({"thumbnails": "//cdn.example/x.png"}, "thumbnail is not an http(s) URL"),
        ({"thumbnails": {"300x300": "java\nscript:alert(1)"}}, "thumbnail is not an http"),
        ({"thumbnail": 5}, "thumbnail is not a string"),
        ({"deep": nested(10)}, "nested deeper than 10 levels"),
        ({"description": "x" * 70_000}, "details is larger than 65536 characters"),
        ({"description": "a\x00b"}, "NUL"),
    ],
)
def test_issue10_game_with_unsafe_details_is_skipped(
    sim_operator: Operator, platform_sim: RunningSimulator, details: dict[str, Any], reason: str
) -> None:
    platform_sim.state.games[3]["details"] = details

    result = sync(sim_operator)

    (skipped,) = result.skipped
    assert reason in skipped.reason
    assert not Game.objects.filter(game_id=platform_sim.state.games[3]["id"]).exists()
    assert result.created == len(platform_sim.state.games) - 1


def test_issue10_lone_surrogate_and_non_finite_numbers_are_skipped(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    """Neither PostgreSQL nor a UTF-8 encoder can store them: one such row would fail the
    whole sync's transaction."""
    body = (
        '{"games": ['
        '{"id": 1, "title": "Good", "vendor": "netent", "enabled": 1},'
        '{"id": 2, "title": "Bad \\ud800", "vendor": "netent", "enabled": 1},'
        '{"id": 3, "title": "Odd", "vendor": "netent", "enabled": 1, "details": {"rtp": NaN}},'
        '{"id": 4, "title": "Big", "vendor": "netent", "enabled": 1, "details": {"x": 1e999}}'
        "]}"
    )
    platform_sim.state.inject_fault("games", status=200, body=body)

    result = sync(sim_operator)

    assert [row.id for row in result.skipped] == ["2", "3", "4"]
    assert list(Game.objects.values_list("game_id", flat=True)) == [1]


def test_issue10_a_skipped_row_leaves_the_stored_game_as_it_was(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    sync(sim_operator)
    target = next(g for g in platform_sim.state.games if g["enabled"])
    target["title"] = ""
    target["enabled"] = 0

    result = sync(sim_operator)

    assert (result.updated, result.unavailable, result.games_skipped) == (0, 0, 1)
    game = Game.objects.get(operator=sim_operator, game_id=target["id"])
    assert game.title and game.is_available  # its last good data, still playable


def test_issue10_rows_without_a_readable_id_make_nothing_unavailable(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    """A format change upstream (every id a string such as "g-1006") must not take the whole
    catalog down: an unreadable row could be any game."""
    sync(sim_operator)
    for game in platform_sim.state.games:
        game["id"] = f"g-{game['id']}"
    for lobby in platform_sim.state.lobbies:
        lobby["lobby_id"] = {"id": lobby["lobby_id"]}

    result = sync(sim_operator)

    assert result.games_skipped == len(platform_sim.state.games)
    assert result.lobbies_skipped == len(platform_sim.state.lobbies)
    assert (result.unavailable, result.lobbies_unavailable) == (0, 0)
    assert not Game.objects.filter(listed=False).exists()
    assert not Lobby.objects.filter(listed=False).exists()
    assert "and 317 more (see the log)" in str(result)  # 320 games + 7 lobbies, 10 named


def test_issue10_sync_catalog_command_names_the_skipped_rows(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.lobbies.append(lobby_row("a/b"))
    out, err = StringIO(), StringIO()

    call_command("sync_catalog", "--operator", sim_operator.operator_id, stdout=out, stderr=err)

    assert "Skipped (not valid): lobby 'a/b': lobby_id has characters" in err.getvalue()
    assert "0 games and 1 lobbies skipped" in out.getvalue()


def test_issue10_catalog_sync_task_result_names_the_skipped_rows(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.lobbies.append(lobby_row(""))

    answer = tasks.catalog_sync_operator.apply(args=[sim_operator.pk]).get()

    assert answer["skipped"] == ["lobby '': lobby_id is empty"]
    assert "1 lobbies skipped" in answer["result"]


def test_issue10_admin_run_now_shows_the_skipped_rows(
    finance_client: Client, sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    platform_sim.state.lobbies.append(lobby_row("<b>x</b>"))

    response = finance_client.post(
        reverse("admin:backoffice_run_job"), {"job": "catalog_sync", "operator": sim_operator.pk}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "lobby &#x27;&lt;b&gt;x&lt;/b&gt;&#x27;: lobby_id has characters" in html
    assert "<b>x</b>" not in html


# --- platform_client: one PlatformApiError, whatever the body -----------------------------------


def test_issue10_a_body_nested_too_deeply_is_one_platform_api_error(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    """json.loads raises RecursionError (not ValueError) on 100,000 nested "[": the client must
    still answer with its one error type, so the task retries and the command explains."""
    platform_sim.state.inject_fault("games", status=200, body="[" * 100_000)
    with pytest.raises(PlatformApiError, match="nested too deeply"):
        PlatformClient(sim_operator, retries=0).games()


def test_issue10_the_strict_list_names_its_bad_rows(
    sim_operator: Operator, platform_sim: RunningSimulator
) -> None:
    body = '{"lobbies": [{"lobby_id": "ok", "vendor": "v"}, {"lobby_id": 5, "vendor": "v"}]}'
    platform_sim.state.inject_fault("lobbies", status=200, body=body, times=2)
    client = PlatformClient(sim_operator, retries=0)
    with pytest.raises(PlatformApiError, match="lobby 5: lobby_id is not a string"):
        client.lobbies()
    checked = client.lobbies_checked()
    assert [x.lobby_id for x in checked.rows] == ["ok"]
    assert [str(r) for r in checked.rejected] == ["lobby 5: lobby_id is not a string: 5"]
