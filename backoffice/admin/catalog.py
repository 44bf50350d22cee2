"""Games and lobbies in the backoffice: the PLATFORM's availability (from the sync, read-only)
beside our own switch, which staff flip one by one or in bulk
(`backoffice.services.games_set_disabled`, `lobbies_set_disabled`); vendors' display names."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from backoffice import services as staff_services
from backoffice.admin_helpers import badge, pretty_json
from catalog.models import Game, Lobby, Vendor


class AvailabilityFilter(admin.SimpleListFilter):
    title = "playable"
    parameter_name = "available"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Playable"), ("no", "Not playable")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        playable: dict[str, Any] = {"listed": True, "disabled_by_operator": False}
        if queryset.model is Game:
            playable["enabled"] = True
        if self.value() == "yes":
            return queryset.filter(**playable)
        if self.value() == "no":
            return queryset.exclude(**playable)
        return queryset


def _available(obj: Game | Lobby) -> str:
    if obj.is_available:
        return badge("playable", "green")
    reasons = []
    if isinstance(obj, Game) and not obj.enabled:
        reasons.append("disabled by the PLATFORM")
    if not obj.listed:
        reasons.append("not in the PLATFORM's list")
    if obj.disabled_by_operator:
        reasons.append("disabled by us")
    return badge(", ".join(reasons), "red")


class OperatorSwitchAdmin(ModelAdmin):
    """Only `disabled_by_operator` is ours; the rest is the PLATFORM's and the sync's."""

    actions = ["enable_selected", "disable_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # games and lobbies come from the PLATFORM (catalog sync)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # transactions point at games: a vanished one is kept, unlisted

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.opts.fields if f.name != "disabled_by_operator"] + [
            "availability",
            "details_display",
        ]

    @admin.display(description="availability")
    def availability(self, obj: Game | Lobby) -> str:
        return _available(obj)

    @admin.display(description="details")
    def details_display(self, obj: Game | Lobby) -> str:
        return pretty_json(obj.details)

    @admin.action(description="Enable selected (our switch)", permissions=["change"])
    def enable_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._switch(request, queryset, disabled=False)

    @admin.action(description="Disable selected (our switch)", permissions=["change"])
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._switch(request, queryset, disabled=True)

    def _switch(self, request: HttpRequest, queryset: QuerySet[Any], *, disabled: bool) -> None:
        objects = list(queryset)
        if queryset.model is Game:
            count = staff_services.games_set_disabled(games=queryset, disabled=disabled)
        else:
            count = staff_services.lobbies_set_disabled(lobbies=queryset, disabled=disabled)
        for obj in objects:
            self.log_change(request, obj, "Disabled by us." if disabled else "Enabled by us.")
        self.message_user(
            request,
            f"{'Disabled' if disabled else 'Enabled'} {count} {self.opts.verbose_name_plural} "
            "(our switch; the PLATFORM's flags are unchanged).",
            messages.SUCCESS,
        )


@admin.register(Game)
class GameAdmin(OperatorSwitchAdmin):
    # Fits 1366 px: "availability" says why a game is not playable (the PLATFORM's flags and
    # ours, each a filter); the operator is a filter too.
    list_display = ["title", "game_id", "vendor", "game_type", "availability", "synced_at"]
    list_filter = [
        AvailabilityFilter,
        "disabled_by_operator",
        "enabled",
        "listed",
        "operator",
        "vendor",
        "game_type",
    ]
    search_fields = ["title", "vendor"]
    search_help_text = "Title, game id (exact) or vendor."
    list_select_related = ["operator"]
    fieldsets = [
        (None, {"fields": ["title", "game_id", "vendor", "game_type", "operator"]}),
        ("Availability", {"fields": ["availability", "disabled_by_operator", "enabled", "listed"]}),
        (
            "PLATFORM",
            {
                "fields": [
                    "platform",
                    "fun_mode",
                    "campaigns",
                    "platform_created_at",
                    "details_display",
                    "first_seen_at",
                    "synced_at",
                ]
            },
        ),
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Game], search_term: str
    ) -> tuple[QuerySet[Game], bool]:
        term = search_term.strip()
        if term.isdigit() and len(term) <= 18:
            return queryset.filter(game_id=int(term)), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Lobby)
class LobbyAdmin(OperatorSwitchAdmin):
    list_display = ["lobby_id", "vendor", "operator", "availability", "synced_at"]
    list_filter = [AvailabilityFilter, "disabled_by_operator", "listed", "operator", "vendor"]
    search_fields = ["lobby_id", "vendor"]
    list_select_related = ["operator"]
    fieldsets = [
        (None, {"fields": ["lobby_id", "vendor", "operator"]}),
        ("Availability", {"fields": ["availability", "disabled_by_operator", "listed"]}),
        ("PLATFORM", {"fields": ["details_display", "first_seen_at", "synced_at"]}),
    ]


@admin.register(Vendor)
class VendorAdmin(ModelAdmin):
    """The names players see for the PLATFORM's vendor codes (the sync adds new codes)."""

    list_display = ["code", "name"]
    list_editable = ["name"]
    search_fields = ["code", "name"]
    ordering = ["code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # games name their vendor by code: a row goes only with its code
