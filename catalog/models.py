"""The PLATFORM's games and lobbies, per operator, as the Games and Lobbies list API sends them.

A game is never deleted (transactions point at it): one that vanishes from the list or arrives
with enabled 0 becomes unavailable. The operator's own `disabled_by_operator` flag survives
every sync. A BET on a known game that is not available is OP_35.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from catalog import details as details_reader
from operators.models import Operator


class Game(models.Model):
    # No index of its own: the unique constraint below leads with it.
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="games", db_index=False
    )
    game_id = models.BigIntegerField(help_text="PLATFORM game id.")
    title = models.CharField(max_length=255)
    vendor = models.CharField(max_length=100, db_index=True)
    game_type = models.CharField(max_length=100, blank=True, db_index=True)
    platform = models.CharField(max_length=50, blank=True, help_text="desktop, mobile, ...")
    enabled = models.BooleanField(default=True, help_text="The PLATFORM's enabled flag.")
    listed = models.BooleanField(default=True, help_text="Present in the PLATFORM's last list.")
    disabled_by_operator = models.BooleanField(
        default=False, help_text="Our own switch: survives every sync."
    )
    fun_mode = models.BooleanField(default=False, help_text="Supports fun/demo mode.")
    campaigns = models.BooleanField(default=False, help_text="Supports campaigns.")
    platform_created_at = models.DateField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now, editable=False)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "game_id"], name="game_operator_game_id")
        ]
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.vendor})"

    @property
    def is_available(self) -> bool:
        """Playable for real money: the PLATFORM offers it and we have not disabled it."""
        return self.enabled and self.listed and not self.disabled_by_operator

    @property
    def thumbnail_url(self) -> str:
        """The 300x300 thumbnail (or the nearest size); "" when the PLATFORM sent none."""
        return details_reader.thumbnail_url(self.details)

    def description(self, language: str = "en") -> str:
        """The description in `language` (IETF tag), falling back to English, then any."""
        return details_reader.description(self.details, language)


class Lobby(models.Model):
    # No index of its own: the unique constraint below leads with it.
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="lobbies", db_index=False
    )
    lobby_id = models.CharField(max_length=100)
    vendor = models.CharField(max_length=100, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    listed = models.BooleanField(default=True, help_text="Present in the PLATFORM's last list.")
    disabled_by_operator = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(default=timezone.now, editable=False)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "lobbies"
        constraints = [
            models.UniqueConstraint(fields=["operator", "lobby_id"], name="lobby_operator_lobby_id")
        ]
        ordering = ["vendor", "lobby_id"]

    def __str__(self) -> str:
        return self.lobby_id

    @property
    def is_available(self) -> bool:
        return self.listed and not self.disabled_by_operator

    @property
    def title(self) -> str:
        title = self.details.get("title") if isinstance(self.details, dict) else None
        return str(title) if title else self.lobby_id.replace("_", " ").title()

    @property
    def thumbnail_url(self) -> str:
        return details_reader.thumbnail_url(self.details)


class Vendor(models.Model):
    """The name shown for a PLATFORM vendor code, shared by every operator: filled from
    `catalog.vendor_names` (the data migration, then the sync for new codes), edited by staff.
    Games and lobbies keep the code (`Game.vendor`); read names through `catalog.selectors`."""

    code = models.CharField(max_length=100, unique=True, help_text="The PLATFORM's vendor code.")
    name = models.CharField(max_length=100, help_text="Shown to players and staff.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
