"""The staff audit trail in the admin: view-only for everyone (no add, change or delete), filtered
by actor, action, target and date. A player's page links to the player's events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from audit.models import AuditEvent
from backoffice.admin_filters import DateRangeFilter, InputFilter
from backoffice.admin_helpers import ReadOnlyAdminMixin, changelist_url, pretty_json


class TargetIdFilter(InputFilter):
    title = "target id"
    parameter_name = "target_id"
    placeholder = "e.g. a player's id"
    field_lookup = "target_id"


def audit_url_for(target_type: str, target_id: object) -> str:
    """The audit events of one target (e.g. a player: "platform_wallet.player", its pk)."""
    return changelist_url(AuditEvent, target_type=target_type, target_id=target_id)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["seq", "created_at", "actor_name", "action", "target_link", "summary"]
    list_display_links = ["seq"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "target_type",
        TargetIdFilter,
        ("created_at", DateRangeFilter),
    ]
    search_fields = ["target_repr", "actor_name"]
    search_help_text = "The target's name (e.g. a player's user id) or the actor's username."
    show_full_result_count = False  # an append-only table that only grows
    fields = readonly_fields = (
        "seq",
        "created_at",
        "actor_name",
        "action",
        "target_link",
        "details_display",
        "prev_hash",
        "hash",
    )

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup == "target_type" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="target")
    def target_link(self, obj: AuditEvent) -> str:
        app_label, _dot, model_name = obj.target_type.partition(".")
        label = f"{model_name} {obj.target_repr or obj.target_id}"
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.target_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description="details")
    def summary(self, obj: AuditEvent) -> str:
        details: dict[str, Any] = obj.details if isinstance(obj.details, dict) else {}
        shown = ("amount", "currency", "status", "reason", "rejection_reason", "changes")
        parts = [f"{key}: {details[key]}" for key in shown if key in details]
        return "; ".join(parts)[:200]

    @admin.display(description="details")
    def details_display(self, obj: AuditEvent) -> str:
        return pretty_json(obj.details)
