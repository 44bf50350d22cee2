"""Catalog sync: the PLATFORM's Games and Lobbies lists into our `Game` and `Lobby` rows.

Rules (spec: Games and Lobbies list API; issue 3):

- Both lists are fetched first (``platform_client``); if either call fails, nothing changes and
  the ``PlatformApiError`` propagates (the task retries it).
- Upsert by (operator, game_id) / (operator, lobby_id). A game is never deleted (transactions
  point at it): one that disappears from the list gets ``listed=False``, one that arrives with
  enabled 0 gets ``enabled=False``; both make it unavailable (a BET on it is OP_35).
- ``disabled_by_operator`` (our own switch) is never written by a sync.
- Idempotent: a second sync of the same lists changes no row's data and reports 0 created,
  0 updated, 0 unavailable. ``synced_at`` records when a row was last seen in a list.
- ``details`` is stored as the PLATFORM sent it; JSON numbers with a fraction become floats
  (display data, never money).
- Syncs of one operator are serialised by a FOR NO KEY UPDATE lock on the operator row
  (PostgreSQL; it does not block the wallet's inserts) or SQLite's write lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.models import Game, Lobby
from platform_client import PlatformClient, PlatformGame, PlatformLobby
from platform_wallet.models import Operator

logger = logging.getLogger(__name__)

GAME_FIELDS = (
    "title",
    "vendor",
    "game_type",
    "platform",
    "enabled",
    "fun_mode",
    "campaigns",
    "platform_created_at",
    "details",
    "listed",
)
LOBBY_FIELDS = ("vendor", "details", "listed")
BATCH = 500

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SyncResult:
    games_total: int  # games in the PLATFORM's list
    created: int  # new games
    updated: int  # known games whose data changed and that are still offered
    unavailable: int  # games made unavailable: vanished from the list or arrived with enabled 0
    restored: int  # unavailable games offered again (back in the list and enabled)
    lobbies_total: int
    lobbies_created: int
    lobbies_updated: int
    lobbies_unavailable: int

    def __str__(self) -> str:
        return (
            f"games: {self.games_total} listed, {self.created} created, {self.updated} updated, "
            f"{self.unavailable} made unavailable, {self.restored} available again; "
            f"lobbies: {self.lobbies_total} listed, {self.lobbies_created} created, "
            f"{self.lobbies_updated} updated, {self.lobbies_unavailable} made unavailable"
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _plain(value: Any) -> Any:
    """JSON-storable copy: Decimal -> int (integral) or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _clip(value: str, field: str, model: type[Game] | type[Lobby]) -> str:
    max_length = getattr(model._meta.get_field(field), "max_length", None) or len(value)
    if len(value) > max_length:
        logger.warning("catalog sync: %s %r cut to %d characters", field, value, max_length)
        return value[:max_length]
    return value


def _game_values(game: PlatformGame) -> dict[str, Any]:
    return {
        "title": _clip(game.title, "title", Game),
        "vendor": _clip(game.vendor, "vendor", Game),
        "game_type": _clip(game.type, "game_type", Game),
        "platform": _clip(game.platform, "platform", Game),
        "enabled": game.enabled,
        "fun_mode": game.fun_mode,
        "campaigns": game.campaigns,
        "platform_created_at": game.created_at,
        "details": _plain(game.details),
        "listed": True,
    }


def _lobby_values(lobby: PlatformLobby) -> dict[str, Any]:
    return {
        "vendor": _clip(lobby.vendor, "vendor", Lobby),
        "details": _plain(lobby.details),
        "listed": True,
    }


def _unique(items: Iterable[Any], key: Callable[[Any], Any], what: str) -> dict[Any, Any]:
    by_key: dict[Any, Any] = {}
    for item in items:
        if key(item) in by_key:
            logger.warning("catalog sync: %s %s listed twice, the last entry wins", what, key(item))
        by_key[key(item)] = item
    return by_key


def catalog_sync(
    *,
    operator: Operator,
    client: PlatformClient | None = None,
    progress: Progress | None = None,
) -> SyncResult:
    """Fetch the operator's games and lobbies from the PLATFORM and apply them (see module)."""
    say = progress or (lambda message: None)
    client = client or PlatformClient(operator)
    say(f"Fetching the games list from {client.base_url} ...")
    games = _unique(client.games(), lambda g: g.id, "game")
    say(f"  {len(games)} games. Fetching the lobbies list ...")
    lobbies = _unique(client.lobbies(), lambda x: x.lobby_id, "lobby")
    say(f"  {len(lobbies)} lobbies. Applying ...")
    result = catalog_apply(
        operator=operator, games=list(games.values()), lobbies=list(lobbies.values())
    )
    logger.info("catalog sync of operator %s: %s", operator.operator_id, result)
    say(str(result))
    return result


@transaction.atomic
def catalog_apply(
    *, operator: Operator, games: list[PlatformGame], lobbies: list[PlatformLobby]
) -> SyncResult:
    """Apply fetched lists to the catalog in one database transaction (see module)."""
    # One sync per operator at a time. FOR NO KEY UPDATE: the wallet's inserts that reference
    # the operator (FOR KEY SHARE) are not blocked.
    Operator.objects.select_for_update(no_key=True).filter(pk=operator.pk).first()
    now = timezone.now()
    created, updated, unavailable, restored = _apply_games(operator, games, now)
    lobbies_created, lobbies_updated, lobbies_unavailable = _apply_lobbies(operator, lobbies, now)
    return SyncResult(
        games_total=len(games),
        created=created,
        updated=updated,
        unavailable=unavailable,
        restored=restored,
        lobbies_total=len(lobbies),
        lobbies_created=lobbies_created,
        lobbies_updated=lobbies_updated,
        lobbies_unavailable=lobbies_unavailable,
    )


def _offered(game: Game) -> bool:
    return game.enabled and game.listed


def _apply_games(
    operator: Operator, games: list[PlatformGame], now: Any
) -> tuple[int, int, int, int]:
    existing = {g.game_id: g for g in Game.objects.filter(operator=operator)}
    to_create: list[Game] = []
    to_update: list[Game] = []
    updated = unavailable = restored = 0
    for incoming in games:
        values = _game_values(incoming)
        game = existing.get(incoming.id)
        if game is None:
            to_create.append(
                Game(
                    operator=operator,
                    game_id=incoming.id,
                    first_seen_at=now,
                    synced_at=now,
                    **values,
                )
            )
            continue
        changed = [name for name in GAME_FIELDS if getattr(game, name) != values[name]]
        if not changed:
            continue
        was_offered = _offered(game)
        for name in changed:
            setattr(game, name, values[name])
        to_update.append(game)
        if was_offered and not _offered(game):
            unavailable += 1
        elif not was_offered and _offered(game):
            restored += 1
        else:
            updated += 1
    listed_ids = {g.id for g in games}
    vanished = [g for g in existing.values() if g.listed and g.game_id not in listed_ids]
    for game in vanished:
        if _offered(game):
            unavailable += 1
        game.listed = False
        to_update.append(game)
    Game.objects.bulk_create(to_create, batch_size=BATCH)
    for game in to_update:
        game.synced_at = now if game.listed else game.synced_at
    Game.objects.bulk_update(to_update, [*GAME_FIELDS, "synced_at"], batch_size=BATCH)
    Game.objects.filter(operator=operator, game_id__in=listed_ids).update(synced_at=now)
    return len(to_create), updated, unavailable, restored


def _apply_lobbies(
    operator: Operator, lobbies: list[PlatformLobby], now: Any
) -> tuple[int, int, int]:
    existing = {x.lobby_id: x for x in Lobby.objects.filter(operator=operator)}
    to_create: list[Lobby] = []
    to_update: list[Lobby] = []
    updated = unavailable = 0
    for incoming in lobbies:
        lobby_id = _clip(incoming.lobby_id, "lobby_id", Lobby)
        values = _lobby_values(incoming)
        lobby = existing.get(lobby_id)
        if lobby is None:
            to_create.append(
                Lobby(
                    operator=operator, lobby_id=lobby_id, first_seen_at=now, synced_at=now, **values
                )
            )
            continue
        changed = [name for name in LOBBY_FIELDS if getattr(lobby, name) != values[name]]
        if changed:
            for name in changed:
                setattr(lobby, name, values[name])
            to_update.append(lobby)
            updated += 1
    listed_ids = {_clip(x.lobby_id, "lobby_id", Lobby) for x in lobbies}
    for lobby in existing.values():
        if lobby.listed and lobby.lobby_id not in listed_ids:
            lobby.listed = False
            to_update.append(lobby)
            unavailable += 1
    Lobby.objects.bulk_create(to_create, batch_size=BATCH)
    Lobby.objects.bulk_update(to_update, list(LOBBY_FIELDS), batch_size=BATCH)
    Lobby.objects.filter(operator=operator, lobby_id__in=listed_ids).update(synced_at=now)
    return len(to_create), updated, unavailable
