"""Players in the backoffice: search by user id or name, their wallets (read-only), block and
unblock with a reason (`backoffice.services`), the "has a negative wallet" filter, and their
responsible-gambling limits (on the player's page, or on their own page for Support), saved
through `platform_wallet.services.responsible_gambling.limits_save` (recorded in the audit
trail)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from backoffice import selectors
from backoffice import services as staff_services
from backoffice.admin.wallets import WalletInline, balance_html
from backoffice.admin_filters import ChoiceFilter
from backoffice.admin_helpers import (
    ReasonForm,
    admin_url,
    object_urls,
    reason_action,
    reason_page,
    request_staff,
)
from backoffice.paging import LargeTableAdminMixin
from platform_wallet.models import Player, ResponsibleGamblingLimits
from platform_wallet.services.responsible_gambling import LIMIT_FIELDS, limits_save


class NegativeWalletFilter(ChoiceFilter):
    title = "negative wallet"
    parameter_name = "negative"

    def options(self) -> dict[str, tuple[str, Q]]:
        negative = Q(pk__in=selectors.players_with_negative_wallet().values("pk"))
        return {"yes": ("Has a negative wallet", negative), "no": ("No negative wallet", ~negative)}


class ResponsibleGamblingLimitsForm(forms.ModelForm):
    class Meta:
        model = ResponsibleGamblingLimits
        fields = ["player", *LIMIT_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if name.endswith("_limit") and value is not None and value < 0:
                self.add_error(name, "A limit cannot be negative.")
        return data


class LimitsInline(admin.StackedInline):
    """The player's responsible-gambling limits on the player's page (staff who may change
    players edit them here; Support edits them on the limits page, linked above)."""

    model = ResponsibleGamblingLimits
    form = ResponsibleGamblingLimitsForm
    extra = 0
    max_num = 1
    can_delete = False
    verbose_name_plural = "responsible gambling limits"
    fields = [
        ("daily_loss_limit", "weekly_loss_limit", "monthly_loss_limit"),
        ("daily_wager_limit", "weekly_wager_limit", "monthly_wager_limit"),
        "self_excluded_until",
    ]


class PlayerForm(forms.ModelForm):
    """Profile fields are sent to the PLATFORM: no '|' (spec: Important notes 5)."""

    class Meta:
        model = Player
        fields = ["user_name", "display_name", "country", "group", "language"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if isinstance(value, str) and "|" in value:
                self.add_error(name, "Must not contain '|' (the PLATFORM refuses it).")
        return data


@admin.register(Player)
class PlayerAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    user_id_path = "pk"
    ordering = ["operator_id", "user_id"]  # the unique key's order (no join, no sort)
    list_display = [
        "user_id",
        "user_name",
        "display_name",
        "operator",
        "country",
        "balances",
        "is_blocked",
        "is_closed",
        "created_at",
    ]
    list_display_links = ["user_id", "user_name"]
    form = PlayerForm
    list_filter = ["operator", "is_blocked", "is_closed", NegativeWalletFilter, "country"]
    search_fields = ["=user_id", "user_name", "display_name"]
    search_help_text = "User id (exact), user name or display name."
    list_select_related = ["operator"]
    inlines = [WalletInline, LimitsInline]
    actions = ["block_players", "unblock_players"]
    fieldsets = [
        (None, {"fields": ["operator", "user_id", "user_name", "display_name", "login"]}),
        ("Profile", {"fields": ["country", "group", "language"]}),
        ("Status", {"fields": ["is_blocked", "blocked_reason", "is_closed", "limits_link"]}),
        ("History", {"fields": ["created_at"]}),
    ]
    readonly_fields = [
        "operator",
        "user_id",
        "login",
        "is_blocked",
        "blocked_reason",
        "is_closed",
        "limits_link",
        "created_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Player]:
        return super().get_queryset(request).prefetch_related("wallets")

    @admin.display(description="wallets")
    def balances(self, obj: Player) -> str:
        wallets = list(obj.wallets.all())
        if not wallets:
            return "-"
        return format_html_join(", ", "{}", ((balance_html(w),) for w in wallets))

    @admin.display(description="responsible gambling limits")
    def limits_link(self, obj: Player) -> str:
        limits = ResponsibleGamblingLimits.objects.filter(player=obj).first()
        if limits is not None:
            return format_html(
                '<a href="{}">{}</a>', admin_url(limits), _limits_summary(limits) or "none set"
            )
        return format_html(
            '<a href="{}?player={}">Set limits</a>',
            reverse("admin:platform_wallet_responsiblegamblinglimits_add"),
            obj.pk,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # players come from the casino's accounts (create_player, the lobby)

    def has_delete_permission(self, request: HttpRequest, obj: Player | None = None) -> bool:
        return False  # money history belongs to them: block or close instead

    def has_block_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.block_player")

    @admin.action(description="Block selected players (asks for a reason)", permissions=["block"])
    def block_players(self, request: HttpRequest, queryset: QuerySet[Player]) -> Any:
        return reason_action(
            self,
            request,
            queryset,
            action="block_players",
            title="Block players",
            button="Block",
            apply=lambda player, reason: staff_services.player_block_by_staff(
                player=player, reason=reason, staff=request_staff(request)
            ),
            done=lambda n: f"Blocked {n} player(s); their game sessions were ended.",
        )

    @admin.action(description="Unblock selected players (asks for a reason)", permissions=["block"])
    def unblock_players(self, request: HttpRequest, queryset: QuerySet[Player]) -> Any:
        return reason_action(
            self,
            request,
            queryset,
            action="unblock_players",
            title="Unblock players",
            button="Unblock",
            apply=lambda player, reason: staff_services.player_unblock_by_staff(
                player=player, reason=reason, staff=request_staff(request)
            ),
            done=lambda n: f"Unblocked {n} player(s).",
        )

    def get_urls(self) -> list[URLPattern]:
        urls = object_urls(self, block=self.block_view, unblock=self.unblock_view)
        return [*urls, *super().get_urls()]

    def block_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._reason_view(request, object_id, "block_players", "Block player", "Block")

    def unblock_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._reason_view(request, object_id, "unblock_players", "Unblock player", "Unblock")

    def _reason_view(
        self, request: HttpRequest, object_id: str, action: str, title: str, button: str
    ) -> HttpResponse:
        """The reason form of one player; it posts to the list's action of the same name."""
        if not self.has_block_permission(request):
            raise PermissionDenied
        return reason_page(
            self,
            request,
            [get_object_or_404(Player, pk=object_id)],
            form=ReasonForm(),
            action=action,
            title=title,
            button=button,
            form_action=reverse("admin:platform_wallet_player_changelist"),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_block": self.has_block_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ResponsibleGamblingLimits:
            return super().save_formset(request, form, formset, change)
        for limits in formset.save(commit=False):  # recorded in the audit trail
            limits_save(limits=limits, actor=request_staff(request))
        formset.save_m2m()
        return None


def _limits_summary(limits: ResponsibleGamblingLimits) -> str:
    parts = []
    for period in ("daily", "weekly", "monthly"):
        for kind in ("loss", "wager"):
            value = getattr(limits, f"{period}_{kind}_limit")
            if value is not None:
                parts.append(f"{period} {kind} {value}")
    if limits.self_excluded_until and limits.self_excluded_until > timezone.now():
        parts.append(f"self-excluded until {limits.self_excluded_until:%Y-%m-%d %H:%M} UTC")
    return ", ".join(parts)


@admin.register(ResponsibleGamblingLimits)
class ResponsibleGamblingLimitsAdmin(admin.ModelAdmin):
    form = ResponsibleGamblingLimitsForm
    list_display = ["player", "summary", "self_excluded_until", "updated_at"]
    search_fields = ["=player__user_id", "player__user_name"]
    autocomplete_fields = ["player"]
    list_select_related = ["player"]
    fieldsets = [
        (None, {"fields": ["player"]}),
        (
            "Loss limits (BETs minus WINs and REFUNDs, per UTC day, week, month)",
            {"fields": ["daily_loss_limit", "weekly_loss_limit", "monthly_loss_limit"]},
        ),
        (
            "Wager limits (sum of BETs)",
            {"fields": ["daily_wager_limit", "weekly_wager_limit", "monthly_wager_limit"]},
        ),
        ("Self-exclusion", {"fields": ["self_excluded_until"]}),
    ]

    @admin.display(description="limits")
    def summary(self, obj: ResponsibleGamblingLimits) -> str:
        return _limits_summary(obj) or "-"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_changeform_initial_data(request), **request.GET.dict()}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["player"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: ResponsibleGamblingLimits, form: Any, change: bool
    ) -> None:
        limits_save(limits=obj, actor=request_staff(request))  # recorded in the audit trail
