"""The lobby's own data: a player's favourite games."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from catalog.models import Game
from platform_wallet.models import Player


class Favourite(models.Model):
    """A game the player marked with the heart on its card (a row per player and game)."""

    # No index of its own: the unique constraint below leads with it.
    player = models.ForeignKey(
        Player, on_delete=models.CASCADE, related_name="favourites", db_index=False
    )
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["player", "game"], name="favourite_player_game")
        ]

    def __str__(self) -> str:
        return f"{self.player_id} ♥ {self.game_id}"
