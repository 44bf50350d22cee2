"""Reads for the lobby pages: the operator a visitor sees, the available games and lobbies,
their pictures and descriptions, and the logged-in player's wallets.

The pages survive whatever is stored (issue 10): a game whose id or a lobby whose lobby_id
cannot be put into a URL is not offered (the sync refuses such rows, but a row stored before,
or written by hand, must not answer HTTP 500 to every player); pictures are http(s) only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog import details as details_reader
from catalog import selectors as catalog_selectors
from catalog.models import Game, Lobby
from lobby.models import Favourite
from operators.models import Operator
from platform_client import validation as check
from platform_wallet.models import GameSession, Player, Wallet

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = 300  # the lobby tiles are about 300 px wide on a large screen
PERSONAL_ROW = 8  # games in the "Recently played" and "Favourites" rows
RECENT_SESSIONS_READ = 50  # recent launches read to find the last PERSONAL_ROW games


def operator_for_lobby(*, player: Player | None) -> Operator | None:
    """The operator account whose catalog the visitor sees: the player's own; for a visitor
    who is not logged in, `LOBBY_OPERATOR_ID`, else the only (or first) active operator."""
    if player is not None:
        return player.operator
    operator_id = getattr(settings, "LOBBY_OPERATOR_ID", "")
    active = Operator.objects.filter(is_active=True)
    if operator_id:
        return active.filter(operator_id=operator_id).first()
    return active.order_by("pk").first()


def player_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Player | None:
    if not user.is_authenticated:
        return None
    return Player.objects.select_related("operator").filter(login_id=user.pk).first()


def player_wallets(*, player: Player) -> list[Wallet]:
    return list(Wallet.objects.filter(player=player).order_by("currency"))


def _available_games(*, operator: Operator) -> QuerySet[Game]:
    """Playable games; a game id under 1 (never a PLATFORM id) fits no URL: never offered."""
    return Game.objects.filter(
        operator=operator, enabled=True, listed=True, disabled_by_operator=False, game_id__gt=0
    )


def game_list_available(
    *,
    operator: Operator,
    vendor: str = "",
    game_type: str = "",
    search: str = "",
) -> QuerySet[Game]:
    """Games a player may launch, filtered by vendor, type and a search of the title, the
    vendor (its code or display name) or the game id; each has `vendor_name`."""
    games = catalog_selectors.with_vendor_name(_available_games(operator=operator))
    if vendor:
        games = games.filter(vendor=vendor)
    if game_type:
        games = games.filter(game_type=game_type)
    search = search.strip()
    if search:
        match = (
            Q(title__icontains=search)
            | Q(vendor__icontains=search)
            | Q(vendor__in=_vendor_codes_named(operator=operator, search=search))
        )
        if search.isdigit():
            match |= Q(game_id=int(search))
        games = games.filter(match)
    return games.order_by("title", "game_id")


def _vendor_codes_named(*, operator: Operator, search: str) -> list[str]:
    """The operator's vendor codes whose display name contains `search` (any case)."""
    wanted = search.casefold()
    return [code for code, name in game_vendors(operator=operator) if wanted in name.casefold()]


def game_vendors(*, operator: Operator) -> list[tuple[str, str]]:
    """(code, display name) of the vendors of the available games, by name."""
    codes = list(
        _available_games(operator=operator)
        .order_by("vendor")
        .values_list("vendor", flat=True)
        .distinct()
    )
    return catalog_selectors.vendor_names(codes)


def game_types(*, operator: Operator) -> list[str]:
    return list(
        _available_games(operator=operator)
        .exclude(game_type="")
        .order_by("game_type")
        .values_list("game_type", flat=True)
        .distinct()
    )


def game_get_available(*, operator: Operator, game_id: int) -> Game | None:
    return _available_games(operator=operator).filter(game_id=game_id).first()


def lobby_list_available(*, operator: Operator) -> QuerySet[Lobby]:
    """The available lobbies, each with `vendor_name`."""
    return catalog_selectors.with_vendor_name(
        Lobby.objects.filter(operator=operator, listed=True, disabled_by_operator=False)
    ).order_by("vendor", "lobby_id")


def lobby_tiles(*, operator: Operator) -> list[Lobby]:
    """The lobbies shown as tiles: the available ones whose lobby_id can be put into the Play
    URL (`platform_client.validation.identifier`); any other is left out and logged."""
    tiles = []
    for lobby in lobby_list_available(operator=operator):
        if check.is_identifier(lobby.lobby_id):
            tiles.append(lobby)
        else:
            logger.warning(
                "lobby %s of %s not shown: its lobby_id cannot be put into a URL",
                check.shown(lobby.lobby_id),
                operator.operator_id,
            )
    return tiles


def lobby_get_available(*, operator: Operator, lobby_id: str) -> Lobby | None:
    """An available lobby that can be launched: the same lobbies as the tiles."""
    if not check.is_identifier(lobby_id):
        return None
    return lobby_list_available(operator=operator).filter(lobby_id=lobby_id).first()


def thumbnail_url(details: Mapping[str, Any] | None, *, size: int = THUMBNAIL_SIZE) -> str:
    """The tile picture of a game or lobby from `details["thumbnails"]` ({"300x300": url}):
    the smallest at least `size` wide, else the largest; "" when there is none. Tolerant of
    a plain URL string, line-wrapped URLs and odd data (the catalog's details reader)."""
    return details_reader.thumbnail_url(details, size=size)


def description(details: Mapping[str, Any] | None, *, language: str = "en") -> str:
    """`details["description"]`: a string, or a dict of language -> text (the spec's example);
    the player's language, then its base language, then English, then any."""
    return details_reader.description(details, language)


def lobby_title(lobby: Lobby) -> str:
    """A lobby's name: `details["title"]` when the PLATFORM sends one, else its lobby_id."""
    title = lobby.details.get("title") if isinstance(lobby.details, Mapping) else None
    return str(title) if title else lobby.lobby_id.replace("_", " ").capitalize()


# --- The player's own rows: favourites, recently played -------------------------------------------


def with_favourite(games: QuerySet[Game], *, player: Player | None) -> QuerySet[Game]:
    """Games annotated with `is_favourite` (False for a visitor)."""
    if player is None:
        return games
    mine = Favourite.objects.filter(player=player, game=OuterRef("pk"))
    return games.annotate(is_favourite=Exists(mine))


def favourite_games(*, player: Player, limit: int = PERSONAL_ROW) -> list[Game]:
    """The player's favourite games that can be played, the latest marked first."""
    games = catalog_selectors.with_vendor_name(
        _available_games(operator=player.operator).filter(
            pk__in=Favourite.objects.filter(player=player).values("game")
        )
    )
    marked = dict(Favourite.objects.filter(player=player).values_list("game_id", "created_at"))
    rows = sorted(with_favourite(games, player=player), key=lambda g: marked[g.pk], reverse=True)
    return rows[:limit]


def recent_games(*, player: Player, limit: int = PERSONAL_ROW) -> list[Game]:
    """The games of the player's latest launches (game sessions), newest first, each once;
    games no longer available are left out."""
    game_ids: list[int] = []
    recent = (
        GameSession.objects.filter(player=player, game_id__isnull=False)
        .order_by("-created_at")
        .values_list("game_id", flat=True)[:RECENT_SESSIONS_READ]
    )
    for game_id in recent:
        if game_id is not None and game_id not in game_ids:
            game_ids.append(game_id)
    games = catalog_selectors.with_vendor_name(
        _available_games(operator=player.operator).filter(game_id__in=game_ids)
    )
    by_id = {g.game_id: g for g in with_favourite(games, player=player)}
    return [by_id[i] for i in game_ids if i in by_id][:limit]
