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
from unfold.admin import ModelAdmin, StackedInline

from audit.models import AuditEvent
from backoffice import selectors
from backoffice import services as staff_services
from backoffice.admin.audit import audit_url_for
from backoffice.admin.wallets import WalletInline, balance_html
from backoffice.admin_filters import ChoiceFilter
from backoffice.admin_helpers import (
    ReasonForm,
    admin_url,
    badge,
    changelist_url,
    object_urls,
    reason_action,
    reason_page,
    request_staff,
)
from backoffice.models import AdjustmentRequest
from backoffice.paging import LargeTableAdminMixin
from money import format_money
from platform_wallet.limits_rules import is_permanent, limits_in_force
from platform_wallet.models import (
    ApiErrorLog,
    GameSession,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
)
from platform_wallet.services.responsible_gambling import (
    LIMIT_FIELDS,
    limits_pending_cancel,
    limits_save,
)
from reporting.selectors import player_freespins


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


class LimitsInline(StackedInline):
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
class PlayerAdmin(LargeTableAdminMixin, ModelAdmin):
    # Fits 1366 px (tests/test_browser_admin_layout.py): the operator and display name are
    # on the player's page and in the filters.
    list_display = ["user_id", "user_name", "country", "balances", "status", "created_at"]
    user_id_path = "pk"
    ordering = ["operator_id", "user_id"]  # the unique key's order (no join, no sort)
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
        ("Status", {"fields": ["status", "blocked_reason", "limits_link"]}),
        ("History", {"fields": ["created_at", "free_spins"]}),
    ]
    readonly_fields = [
        "operator",
        "user_id",
        "login",
        "status",
        "blocked_reason",
        "limits_link",
        "created_at",
        "free_spins",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Player]:
        return super().get_queryset(request).prefetch_related("wallets")

    @admin.display(description="balances")
    def balances(self, obj: Player) -> str:
        wallets = list(obj.wallets.all())
        if not wallets:
            return "-"
        return format_html_join(", ", "{}", ((balance_html(w),) for w in wallets))

    @admin.display(description="status", ordering="is_blocked")
    def status(self, obj: Player) -> str:
        """Blocked is a warning (a red badge), never a green tick."""
        if obj.is_blocked:
            return badge("Blocked", "red")
        if obj.is_closed:
            return badge("Closed", "grey")
        return badge("Active", "green")

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

    @admin.display(description="free spins")
    def free_spins(self, obj: Player) -> str:
        """The player's promotional free-spin wins (issue 14), linked to their history."""
        spins = player_freespins(player_pk=obj.pk)
        if not spins:
            return "none"
        url = changelist_url(
            Transaction, operator__id__exact=obj.operator_id, user=obj.user_id, is_freespin__exact=1
        )
        summary = ", ".join(
            f"{count} paid {format_money(paid, currency)}"
            for currency, (count, paid) in sorted(spins.items())
        )
        return format_html('<a href="{}">{} (history)</a>', url, summary)

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
        if request.user.has_perm("audit.view_auditevent"):
            extra_context["audit_url"] = audit_url_for("platform_wallet.player", object_id)
        player = self.get_object(request, object_id)
        if player is not None:
            extra_context["glance"] = _glance(request, player)
            extra_context["balances"] = [
                (w.currency, balance_html(w)) for w in player.wallets.order_by("currency")
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ResponsibleGamblingLimits:
            return super().save_formset(request, form, formset, change)
        for limits in formset.save(commit=False):  # recorded in the audit trail
            limits_save(limits=limits, actor=request_staff(request))
        formset.save_m2m()
        return None


# A player at a glance: each history the staff member may view, its count and its list.
GLANCE = [
    # (name in player_history_counts, label, model, the list's filter of this player)
    ("transactions", "Transactions", Transaction, lambda p: {"player__id__exact": p.pk}),
    ("rounds", "Rounds", Round, lambda p: {"player__id__exact": p.pk}),
    ("sessions", "Game sessions", GameSession, lambda p: {"player__id__exact": p.pk}),
    (
        "api_errors",
        "API errors",
        ApiErrorLog,
        lambda p: {"user_id": p.user_id, "operator__id__exact": p.operator_id},
    ),
    ("limits", "RG limits", ResponsibleGamblingLimits, lambda p: {"player__id__exact": p.pk}),
    (
        "adjustments",
        "Adjustments",
        AdjustmentRequest,
        lambda p: {"wallet__player__id__exact": p.pk},
    ),
    (
        "audit",
        "Audit entries",
        AuditEvent,
        lambda p: {"target_type": "platform_wallet.player", "target_id": p.pk},
    ),
]


def _glance(request: HttpRequest, player: Player) -> list[tuple[str, str, str]]:
    """(label, capped count, filtered list URL) of each of the player's histories this staff
    member may view."""
    counts = selectors.player_history_counts(player)
    links = []
    for name, label, model, params in GLANCE:
        meta = model._meta
        if request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            links.append((label, str(counts[name]), changelist_url(model, **params(player))))
    return links


def _limits_summary(limits: ResponsibleGamblingLimits) -> str:
    """The limits in force now (`limits_in_force`), then the changes still waiting."""
    now = timezone.now()
    in_force = limits_in_force(limits, now)
    parts = []
    for period in ("daily", "weekly", "monthly"):
        for kind in ("loss", "wager"):
            value = in_force.value(f"{period}_{kind}_limit")
            if value is not None:
                parts.append(f"{period} {kind} {value}")
    if is_permanent(in_force.self_excluded_until):
        parts.append("self-excluded permanently")
    elif in_force.excluded_at(now):
        parts.append(f"self-excluded until {in_force.self_excluded_until:%Y-%m-%d %H:%M} UTC")
    for change in in_force.pending:
        parts.append(
            f"pending: {change.period} {change.kind} {change.value or 'no limit'}"
            f" from {change.effective_at:%Y-%m-%d %H:%M} UTC"
        )
    return ", ".join(parts)


@admin.register(ResponsibleGamblingLimits)
class ResponsibleGamblingLimitsAdmin(ModelAdmin):
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
        (
            "In force now (a raise or a removal waits 24 hours, whoever asks)",
            {"fields": ["summary"]},
        ),
    ]

    actions = ["cancel_waiting_changes"]

    @admin.display(description="limits")
    def summary(self, obj: ResponsibleGamblingLimits) -> str:
        return _limits_summary(obj) or "-"

    @admin.action(
        description="Cancel waiting raises and removals (the limits in force stay)",
        permissions=["change"],
    )
    def cancel_waiting_changes(
        self, request: HttpRequest, queryset: QuerySet[ResponsibleGamblingLimits]
    ) -> None:
        staff = request_staff(request)
        canceled = sum(limits_pending_cancel(limits=obj, actor=staff) for obj in queryset)
        self.message_user(request, f"Canceled the waiting changes of {canceled} player(s).")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_changeform_initial_data(request), **request.GET.dict()}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["player", "summary"] if obj is not None else ["summary"]

    def save_model(
        self, request: HttpRequest, obj: ResponsibleGamblingLimits, form: Any, change: bool
    ) -> None:
        limits_save(limits=obj, actor=request_staff(request))  # recorded in the audit trail
