"""Reads for the lobby pages: the operator a visitor sees, the available games and lobbies,
their pictures and descriptions, and the logged-in player's wallets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from catalog.models import Game, Lobby
from platform_wallet.models import Operator, Player, Wallet

THUMBNAIL_SIZE = 300  # the lobby tiles are about 300 px wide on a large screen
_SIZE = re.compile(r"(\d+)\s*[xX\u00d7]\s*(\d+)")


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
    return Game.objects.filter(
        operator=operator, enabled=True, listed=True, disabled_by_operator=False
    )


def game_list_available(
    *,
    operator: Operator,
    vendor: str = "",
    game_type: str = "",
    search: str = "",
) -> QuerySet[Game]:
    """Games a player may launch, filtered by vendor, type and a search of the title, the
    vendor or the game id."""
    games = _available_games(operator=operator)
    if vendor:
        games = games.filter(vendor=vendor)
    if game_type:
        games = games.filter(game_type=game_type)
    search = search.strip()
    if search:
        match = Q(title__icontains=search) | Q(vendor__icontains=search)
        if search.isdigit():
            match |= Q(game_id=int(search))
        games = games.filter(match)
    return games.order_by("title", "game_id")


def game_vendors(*, operator: Operator) -> list[str]:
    return list(
        _available_games(operator=operator)
        .order_by("vendor")
        .values_list("vendor", flat=True)
        .distinct()
    )


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
    return Lobby.objects.filter(
        operator=operator, listed=True, disabled_by_operator=False
    ).order_by("vendor", "lobby_id")


def lobby_get_available(*, operator: Operator, lobby_id: str) -> Lobby | None:
    return lobby_list_available(operator=operator).filter(lobby_id=lobby_id).first()


def thumbnail_url(details: Mapping[str, Any] | None, *, size: int = THUMBNAIL_SIZE) -> str:
    """The picture of a game or lobby from `details["thumbnails"]` ({"300x300": url, ...}):
    the smallest one at least `size` wide, else the largest. Tolerates a plain URL string
    and missing or odd data ("" when there is no picture)."""
    thumbnails = (details or {}).get("thumbnails")
    if isinstance(thumbnails, str):
        return _clean_url(thumbnails)
    if not isinstance(thumbnails, Mapping):
        return ""
    sized: list[tuple[int, str]] = []
    unsized: list[str] = []
    for key, value in thumbnails.items():
        url = _clean_url(value)
        if not url:
            continue
        match = _SIZE.search(str(key))
        if match:
            sized.append((int(match.group(1)), url))
        else:
            unsized.append(url)
    if sized:
        sized.sort()
        for width, url in sized:
            if width >= size:
                return url
        return sized[-1][1]
    return unsized[0] if unsized else ""


def _clean_url(value: object) -> str:
    if not isinstance(value, str):
        return ""
    # Line-wrapped URLs in the PLATFORM's lists carry stray whitespace: drop it.
    url = "".join(value.split())
    return url if url.startswith(("https://", "http://", "//")) else ""


def description(details: Mapping[str, Any] | None, *, language: str = "en") -> str:
    """`details["description"]`: a string, or a dict of language -> text (the spec's example);
    the player's language, then its base language, then English, then any."""
    value = (details or {}).get("description")
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping) or not value:
        return ""
    texts = {str(k).lower().replace("_", "-"): v for k, v in value.items() if isinstance(v, str)}
    wanted = language.lower()
    for key in (wanted, wanted.split("-")[0], "en", "en-us", "en-gb"):
        if texts.get(key):
            return texts[key]
    return next((text for text in texts.values() if text), "")
