"""Catalog sync: the PLATFORM's Games and Lobbies lists into our `Game` and `Lobby` rows.

Rules (spec: Games and Lobbies list API; issue 3):

- Both lists are fetched first (``platform_client``); if either call fails, nothing changes and
  the ``PlatformApiError`` propagates (the task retries it).
- Upsert by (operator, game_id) / (operator, lobby_id). A game is never deleted (transactions
  point at it): one that disappears from the list gets ``listed=False``, one that arrives with
  enabled 0 gets ``enabled=False``; both make it unavailable (a BET on it is OP_35).
- ``disabled_by_operator`` (our own switch) is never written by a sync.
- A vendor code seen for the first time gets a ``Vendor`` row with its default display name
  (``catalog.services.vendors``); names staff edited are kept.
- Idempotent: a second sync of the same lists changes no row's data and reports 0 created,
  0 updated, 0 unavailable. ``synced_at`` records when a row was last seen in a list.
- ``details`` is stored as the PLATFORM sent it; JSON numbers with a fraction become floats
  (display data, never money).
- Nothing from outside is trusted for shape (issue 10): every row is checked before it is
  stored (``platform_client.validation``): game id 1..2**63-1; lobby_id letters, digits, "_",
  "-", "." (it goes into a URL path); title, vendor, type and platform within the model's
  lengths, without control characters (vendor, type and platform start with a letter or digit);
  ``details`` a bounded JSON object whose thumbnails are http(s) URLs. A bad row is skipped,
  named (id and reason) in ``SyncResult.skipped`` and logged; the other rows are applied. A
  skipped row changes nothing stored: a known game or lobby keeps its last good data and is
  not made unavailable. When a row's id cannot be read at all, no game (or lobby) is made
  unavailable by that sync: the unreadable row could be any of them.
- Syncs of one operator are serialised by a FOR NO KEY UPDATE lock on the operator row
  (PostgreSQL; it does not block the wallet's inserts) or SQLite's write lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.details import details_check
from catalog.models import Game, Lobby
from catalog.services.vendors import vendors_ensure
from operators.models import Operator
from platform_client import PlatformClient, PlatformGame, PlatformLobby, RejectedRow
from platform_client import validation as check

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
SHOWN_SKIPPED = 10  # skipped rows named in the one-line summary (all of them in the log)

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
    skipped: tuple[RejectedRow, ...] = ()  # rows not stored because not valid (id, reason)

    @property
    def games_skipped(self) -> int:
        return sum(1 for row in self.skipped if row.what == "game")

    @property
    def lobbies_skipped(self) -> int:
        return sum(1 for row in self.skipped if row.what == "lobby")

    def __str__(self) -> str:
        text = (
            f"games: {self.games_total} listed, {self.created} created, {self.updated} updated, "
            f"{self.unavailable} made unavailable, {self.restored} available again; "
            f"lobbies: {self.lobbies_total} listed, {self.lobbies_created} created, "
            f"{self.lobbies_updated} updated, {self.lobbies_unavailable} made unavailable"
        )
        if self.skipped:
            named = "; ".join(str(row) for row in self.skipped[:SHOWN_SKIPPED])
            more = len(self.skipped) - SHOWN_SKIPPED
            text += (
                f"; {self.games_skipped} games and {self.lobbies_skipped} lobbies skipped "
                f"(not valid): {named}" + (f"; and {more} more (see the log)" if more > 0 else "")
            )
        return text


def _plain(value: Any) -> Any:
    """JSON-storable copy: Decimal -> int (integral) or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _game_values(game: PlatformGame) -> dict[str, Any]:
    return {
        "title": game.title,
        "vendor": game.vendor,
        "game_type": game.type,
        "platform": game.platform,
        "enabled": game.enabled,
        "fun_mode": game.fun_mode,
        "campaigns": game.campaigns,
        "platform_created_at": game.created_at,
        "details": _plain(game.details),
        "listed": True,
    }


def _lobby_values(lobby: PlatformLobby) -> dict[str, Any]:
    return {"vendor": lobby.vendor, "details": _plain(lobby.details), "listed": True}


def _max_length(model: type[Game] | type[Lobby], field: str) -> int:
    return int(getattr(model._meta.get_field(field), "max_length", 0) or 0)


def game_check(game: PlatformGame) -> None:
    """Raise `InvalidValue` (naming the field) unless `game` fits what we store and show."""
    check.positive_id(game.id, "game id")
    check.text(game.title, "title", max_length=_max_length(Game, "title"))
    check.code(game.vendor, "vendor", max_length=_max_length(Game, "vendor"))
    check.code(game.type, "type", max_length=_max_length(Game, "game_type"), required=False)
    check.code(game.platform, "platform", max_length=_max_length(Game, "platform"), required=False)
    details_check(game.details)


def lobby_check(lobby: PlatformLobby) -> None:
    """Raise `InvalidValue` (naming the field) unless `lobby` fits what we store and show."""
    check.identifier(lobby.lobby_id, "lobby_id", max_length=_max_length(Lobby, "lobby_id"))
    check.code(lobby.vendor, "vendor", max_length=_max_length(Lobby, "vendor"))
    details_check(lobby.details)


def _valid(
    rows: Iterable[Any], row_check: Callable[[Any], None], what: str, key: Callable[[Any], Any]
) -> tuple[list[Any], list[RejectedRow]]:
    kept: list[Any] = []
    rejected: list[RejectedRow] = []
    for row in rows:
        try:
            row_check(row)
        except check.InvalidValue as problem:
            rejected.append(
                RejectedRow(what=what, id=check.shown(key(row)), reason=str(problem), key=key(row))
            )
        else:
            kept.append(row)
    return kept, rejected


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
    """Fetch the operator's games and lobbies from the PLATFORM and apply them (see module).

    Raises `PlatformApiError` when either list cannot be fetched or is not a list (nothing
    changes then); rows that are not valid are skipped and named in the result.
    """
    say = progress or (lambda message: None)
    client = client or PlatformClient(operator)
    say(f"Fetching the games list from {client.base_url} ...")
    games = client.games_checked()
    unique_games = _unique(games.rows, lambda g: g.id, "game")
    say(f"  {len(unique_games)} games. Fetching the lobbies list ...")
    lobbies = client.lobbies_checked()
    unique_lobbies = _unique(lobbies.rows, lambda x: x.lobby_id, "lobby")
    say(f"  {len(unique_lobbies)} lobbies. Applying ...")
    result = catalog_apply(
        operator=operator,
        games=list(unique_games.values()),
        lobbies=list(unique_lobbies.values()),
        rejected=(*games.rejected, *lobbies.rejected),
    )
    logger.info("catalog sync of operator %s: %s", operator.operator_id, result)
    for row in result.skipped:
        logger.warning("catalog sync of operator %s skipped %s", operator.operator_id, row)
    say(str(result))
    return result


@transaction.atomic
def catalog_apply(
    *,
    operator: Operator,
    games: list[PlatformGame],
    lobbies: list[PlatformLobby],
    rejected: Sequence[RejectedRow] = (),
) -> SyncResult:
    """Apply fetched lists to the catalog in one database transaction (see module). Every row is
    checked first (`game_check`, `lobby_check`); `rejected` are rows the client could not read,
    reported with the ones found not valid here."""
    # One sync per operator at a time. FOR NO KEY UPDATE: the wallet's inserts that reference
    # the operator (FOR KEY SHARE) are not blocked.
    Operator.objects.select_for_update(no_key=True).filter(pk=operator.pk).first()
    now = timezone.now()
    good_games, bad_games = _valid(games, game_check, "game", lambda g: g.id)
    good_lobbies, bad_lobbies = _valid(lobbies, lobby_check, "lobby", lambda x: x.lobby_id)
    skipped = (*rejected, *bad_games, *bad_lobbies)
    created, updated, unavailable, restored = _apply_games(
        operator, good_games, now, _kept_ids(skipped, "game")
    )
    lobbies_created, lobbies_updated, lobbies_unavailable = _apply_lobbies(
        operator, good_lobbies, now, _kept_ids(skipped, "lobby")
    )
    vendors_ensure(codes=[g.vendor for g in good_games] + [x.vendor for x in good_lobbies])
    return SyncResult(
        games_total=len(games) + sum(1 for row in rejected if row.what == "game"),
        created=created,
        updated=updated,
        unavailable=unavailable,
        restored=restored,
        lobbies_total=len(lobbies) + sum(1 for row in rejected if row.what == "lobby"),
        lobbies_created=lobbies_created,
        lobbies_updated=lobbies_updated,
        lobbies_unavailable=lobbies_unavailable,
        skipped=skipped,
    )


def _kept_ids(skipped: Sequence[RejectedRow], what: str) -> set[Any] | None:
    """The ids of skipped rows, which stay as they are stored; None when a skipped row's id
    could not be read (then nothing is made unavailable)."""
    rows = [row for row in skipped if row.what == what]
    if any(row.key is None for row in rows):
        return None
    return {row.key for row in rows}


def _offered(game: Game) -> bool:
    return game.enabled and game.listed


def _apply_games(
    operator: Operator, games: list[PlatformGame], now: Any, kept: set[Any] | None
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
    seen = listed_ids | kept if kept is not None else None
    vanished = [
        g for g in existing.values() if seen is not None and g.listed and g.game_id not in seen
    ]
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
    operator: Operator, lobbies: list[PlatformLobby], now: Any, kept: set[Any] | None
) -> tuple[int, int, int]:
    existing = {x.lobby_id: x for x in Lobby.objects.filter(operator=operator)}
    to_create: list[Lobby] = []
    to_update: list[Lobby] = []
    updated = unavailable = 0
    for incoming in lobbies:
        lobby_id = incoming.lobby_id
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
    listed_ids = {x.lobby_id for x in lobbies}
    seen = listed_ids | kept if kept is not None else None
    for lobby in existing.values():
        if seen is not None and lobby.listed and lobby.lobby_id not in seen:
            lobby.listed = False
            to_update.append(lobby)
            unavailable += 1
    Lobby.objects.bulk_create(to_create, batch_size=BATCH)
    Lobby.objects.bulk_update(to_update, list(LOBBY_FIELDS), batch_size=BATCH)
    Lobby.objects.filter(operator=operator, lobby_id__in=listed_ids).update(synced_at=now)
    return len(to_create), updated, unavailable
