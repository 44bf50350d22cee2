"""Catalog rows and logins for the lobby tests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from catalog.models import Game, Lobby
from operators.models import Operator
from platform_wallet.models import Player

PASSWORD = "correct-horse-battery"


def game_make(operator: Operator, game_id: int, title: str, **fields: Any) -> Game:
    defaults: dict[str, Any] = {
        "vendor": "test1",
        "game_type": "slots",
        "platform": "desktop",
        "enabled": True,
        "fun_mode": False,
        "details": {},
    }
    defaults.update(fields)
    return Game.objects.create(operator=operator, game_id=game_id, title=title, **defaults)


def lobby_make(operator: Operator, lobby_id: str, vendor: str, **fields: Any) -> Lobby:
    return Lobby.objects.create(operator=operator, lobby_id=lobby_id, vendor=vendor, **fields)


def login_for(player: Player, username: str | None = None) -> AbstractUser:
    user = get_user_model().objects.create_user(
        username=username or player.user_name, password=PASSWORD
    )
    player.login = user
    player.save(update_fields=["login"])
    return user


def catalog_make(operator: Operator) -> dict[str, Game]:
    """A small catalog: two vendors, three types, fun and real-only games, and games that
    must never show (disabled by the PLATFORM, gone from its list, disabled by us)."""
    thumbs = {"300x300": "https://media.example.test/300/apocalypse.png"}
    games = {
        "apocalypse": game_make(
            operator,
            1,
            "Apocalypse Slot",
            fun_mode=True,
            details={
                "thumbnails": thumbs,
                "description": {"en": "A dark knight rides a horse.", "de": "Ein dunkler Ritter."},
            },
        ),
        "blackjack": game_make(
            operator, 37, "Blackjack Classic", vendor="evolution", game_type="live"
        ),
        "roulette": game_make(
            operator, 38, "Roulette Royale", vendor="evolution", game_type="table", fun_mode=True
        ),
        "fruit": game_make(operator, 200, "Fruit Party", vendor="pragmatic", fun_mode=True),
        "mobile_only": game_make(
            operator, 201, "Pocket Poker", vendor="pragmatic", game_type="poker", platform="mobile"
        ),
        "platform_disabled": game_make(operator, 300, "Disabled Dragons", enabled=False),
        "unlisted": game_make(operator, 301, "Vanished Vikings", listed=False),
        "operator_disabled": game_make(
            operator, 302, "Switched-off Sevens", disabled_by_operator=True
        ),
    }
    return games


def lobbies_make(operator: Operator) -> dict[str, Lobby]:
    return {
        "portomaso": lobby_make(operator, "portomaso", "portomaso"),
        "live168": lobby_make(operator, "live168", "live168"),
        "shows": lobby_make(
            operator,
            "evolution_game_shows",
            "evolution",
            details={"thumbnails": {"300x300": "https://media.example.test/359/shows.png"}},
        ),
        "hidden": lobby_make(operator, "hidden_lobby", "evolution", disabled_by_operator=True),
    }
