"""The wallet in the backoffice: operator accounts, players, wallets, sessions, rounds,
transactions, the ledger and the API error log.

Nothing that records money (transactions, ledger entries) can be added, changed or deleted here;
money moves only through the ledger service (manual adjustments: `backoffice`), blocking through
`services.accounts`, sessions end through `services.sessions`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from backoffice import selectors
from backoffice import services as staff_services
from backoffice.admin_helpers import (
    DateRangeFilter,
    InputFilter,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ReasonForm,
    admin_link,
    admin_url,
    changelist_url,
    mask_secret,
    pretty_json,
    reason_action,
    request_staff,
)
from catalog.models import Game
from operators.models import Operator
from operators.services import (
    AccountRefused,
    check_allowed_ips,
    check_network_access,
    check_platform_url,
    operator_saved,
    operator_secret_rotate,
)
from platform_wallet.models import (
    ApiErrorLog,
    GameSession,
    LedgerEntry,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    TransactionStatus,
    Wallet,
)
from platform_wallet.redact import mask_token, mask_tokens_in_text
from platform_wallet.services.responsible_gambling import limits_save


def _game_title() -> Subquery:
    return Subquery(
        Game.objects.filter(operator=OuterRef("operator"), game_id=OuterRef("game_id")).values(
            "title"
        )[:1]
    )


def _game_vendor() -> Subquery:
    return Subquery(
        Game.objects.filter(operator=OuterRef("operator"), game_id=OuterRef("game_id")).values(
            "vendor"
        )[:1]
    )


def _money(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.2f} {currency}".strip()


# --- Operators ---------------------------------------------------------------------------------


class _OperatorNetworkForm(forms.ModelForm):
    """The checks `operator_upsert` makes: PLATFORM hosts, the allow-list, and the allow-list
    and its opt-out excluding each other."""

    def clean_allowed_ips(self) -> str:
        try:
            return check_allowed_ips(self.cleaned_data["allowed_ips"])
        except AccountRefused as error:
            raise forms.ValidationError(f"Not an IP address or network: {error}") from None

    def clean_api_host(self) -> str:
        return _clean_url("api_host", self.cleaned_data["api_host"])

    def clean_launch_host(self) -> str:
        return _clean_url("launch_host", self.cleaned_data["launch_host"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check_network_access(
                allowed_ips=data.get("allowed_ips") or "",
                allow_any_address=bool(data.get("allow_any_address")),
            )
        except AccountRefused as error:
            raise forms.ValidationError(str(error)) from None
        return data


def _clean_url(name: str, value: str) -> str:
    try:
        return check_platform_url(name, value or "")
    except AccountRefused as error:
        raise forms.ValidationError(str(error)) from None


class OperatorAddForm(_OperatorNetworkForm):
    secret_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        min_length=8,
        help_text="The secret key the PLATFORM issued for this operator id. "
        "It is never shown again.",
    )

    class Meta:
        model = Operator
        fields = [
            "operator_id",
            "name",
            "secret_key",
            "api_host",
            "launch_host",
            "is_active",
            "allowed_ips",
            "allow_any_address",
        ]


class OperatorChangeForm(_OperatorNetworkForm):
    class Meta:
        model = Operator
        fields = [
            "name",
            "api_host",
            "launch_host",
            "is_active",
            "allowed_ips",
            "allow_any_address",
        ]


class RotateSecretForm(forms.Form):
    secret_key = forms.CharField(
        label="New secret key",
        min_length=8,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    secret_key_again = forms.CharField(
        label="New secret key (again)",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("secret_key") and data.get("secret_key") != data.get("secret_key_again"):
            raise forms.ValidationError("The two secret keys differ.")
        if "|" in (data.get("secret_key") or ""):
            raise forms.ValidationError("A secret key must not contain '|'.")
        return data


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = [
        "operator_id",
        "name",
        "api_host",
        "launch_host",
        "is_active",
        "network_access",
        "secret_masked",
        "updated_at",
    ]
    list_filter = ["is_active", "allow_any_address"]
    search_fields = ["operator_id", "name"]
    readonly_fields = ["secret_masked", "created_at", "updated_at"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # a host typed without a scheme is https
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="secret key")
    def secret_masked(self, obj: Operator) -> str:
        return mask_secret(obj.secret_key)

    @admin.display(description="calls accepted from")
    def network_access(self, obj: Operator) -> str:
        """The IP allow-list's state; the opt-out and a missing list stand out (issue 10)."""
        if obj.allow_any_address:
            return format_html('<strong class="errornote">{}</strong>', "⚠ any address (opt-out)")
        if not obj.allowed_ips.strip():
            return format_html(
                '<strong class="errornote">{}</strong>', "⚠ no allow-list: refused in production"
            )
        return "allow-list"

    def get_form(
        self, request: HttpRequest, obj: Operator | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        kwargs["form"] = OperatorChangeForm if obj is not None else OperatorAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Operator | None = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["operator_id", "name", "secret_key", "is_active"]}),
                (
                    "PLATFORM",
                    {"fields": ["api_host", "launch_host", "allowed_ips", "allow_any_address"]},
                ),
            ]
        return [
            (None, {"fields": ["name", "is_active", "secret_masked"]}),
            (
                "PLATFORM",
                {"fields": ["api_host", "launch_host", "allowed_ips", "allow_any_address"]},
            ),
            ("History", {"fields": ["created_at", "updated_at"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Operator | None = None) -> Any:
        return ["operator_id", *self.readonly_fields] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Operator | None = None) -> bool:
        return False  # players, sessions and transactions belong to it: deactivate instead

    def save_model(self, request: HttpRequest, obj: Operator, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        operator_saved(operator=obj)

    def has_rotate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.rotate_operator_secret")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/rotate-secret/",
                self.admin_site.admin_view(self.rotate_secret_view),
                name="operators_operator_rotate_secret",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_rotate": self.has_rotate_permission(request)}
        if request.method == "GET":
            operator = self.get_object(request, object_id)
            if operator is not None and operator.allow_any_address:
                self.message_user(
                    request,
                    f"{operator.operator_id} accepts gameplay calls from ANY address (allow "
                    "any address): its signatures do not cover the request data, so only a "
                    "private link the PLATFORM alone reaches makes this safe.",
                    messages.WARNING,
                )
            elif operator is not None and not operator.allowed_ips.strip():
                self.message_user(
                    request,
                    f"{operator.operator_id} has no IP allow-list: in production its gameplay "
                    "calls are refused (HTTP 403) until one is set.",
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def rotate_secret_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_rotate_permission(request):
            raise PermissionDenied
        operator = get_object_or_404(Operator, pk=object_id)
        form = RotateSecretForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            operator_secret_rotate(
                operator=operator,
                secret_key=form.cleaned_data["secret_key"],
                staff=request_staff(request),
            )
            self.log_change(request, operator, "Rotated the secret key.")
            self.message_user(
                request,
                f"The secret key of {operator.operator_id} was replaced; the wallet verifies "
                "calls with the new one from now on.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(admin_url(operator))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Rotate the secret key of {operator.operator_id}",
            "opts": self.opts,
            "original": operator,
            "form": form,
            "secret_masked": mask_secret(operator.secret_key),
        }
        return TemplateResponse(request, "admin/operators/operator/rotate_secret.html", context)


# --- Players ----------------------------------------------------------------------------------


class NegativeWalletFilter(admin.SimpleListFilter):
    title = "negative wallet"
    parameter_name = "negative"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Has a negative wallet"), ("no", "No negative wallet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        negative = selectors.players_with_negative_wallet().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=negative)
        if self.value() == "no":
            return queryset.exclude(pk__in=negative)
        return queryset


class ResponsibleGamblingLimitsForm(forms.ModelForm):
    class Meta:
        model = ResponsibleGamblingLimits
        fields = [
            "player",
            "daily_loss_limit",
            "weekly_loss_limit",
            "monthly_loss_limit",
            "daily_wager_limit",
            "weekly_wager_limit",
            "monthly_wager_limit",
            "self_excluded_until",
        ]

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


class WalletInline(ReadOnlyInline):
    model = Wallet
    show_change_link = False

    @admin.display(description="balance")
    def balance_display(self, obj: Wallet) -> str:
        return _balance_html(obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["currency", "balance_display", "updated_at", _links_column(request)]


def _balance_html(wallet: Wallet) -> str:
    if wallet.balance < 0:
        return format_html(
            '<strong class="bo-negative">{}</strong>', _money(wallet.balance, wallet.currency)
        )
    return _money(wallet.balance, wallet.currency)


def _links_column(request: HttpRequest) -> Any:
    """The links column of a wallet, for this staff member (adjust only with the permission).

    One function per request: the admin matches readonly fields by identity."""
    cached = getattr(request, "_backoffice_wallet_links", None)
    if cached is not None:
        return cached
    can_adjust = request.user.has_perm("backoffice.adjust_wallet")

    @admin.display(description="")
    def links(obj: Wallet) -> str:
        return _wallet_links(obj, can_adjust)

    request._backoffice_wallet_links = links  # type: ignore[attr-defined]
    return links


def _wallet_links(wallet: Wallet, can_adjust: bool) -> str:
    links = [("Ledger entries", changelist_url(LedgerEntry, wallet__id__exact=wallet.pk))]
    if can_adjust:
        links.append(
            (
                "Manual adjustment",
                reverse("admin:backoffice_manualadjustment_add") + f"?wallet={wallet.pk}",
            )
        )
    return format_html_join(" | ", '<a href="{1}">{0}</a>', links)


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
class PlayerAdmin(admin.ModelAdmin):
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
        return format_html_join(", ", "{}", ((_balance_html(w),) for w in wallets))

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
        return [
            path(
                "<path:object_id>/block/",
                self.admin_site.admin_view(self.block_view),
                name="platform_wallet_player_block",
            ),
            path(
                "<path:object_id>/unblock/",
                self.admin_site.admin_view(self.unblock_view),
                name="platform_wallet_player_unblock",
            ),
            *super().get_urls(),
        ]

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
        player = get_object_or_404(Player, pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "objects": [player],
            "form": ReasonForm(),
            "action": action,
            "button": button,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "form_action": reverse("admin:platform_wallet_player_changelist"),
        }
        return TemplateResponse(request, "admin/backoffice/reason_action.html", context)

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


# --- Wallets and the ledger --------------------------------------------------------------------


class NegativeBalanceFilter(admin.SimpleListFilter):
    title = "balance"
    parameter_name = "balance"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("negative", "Negative"), ("zero", "Zero"), ("positive", "Positive")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        match self.value():
            case "negative":
                return queryset.filter(balance__lt=0)
            case "zero":
                return queryset.filter(balance=0)
            case "positive":
                return queryset.filter(balance__gt=0)
        return queryset


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["player_link", "currency", "balance_display", "updated_at"]
    list_filter = [NegativeBalanceFilter, "currency", "player__operator"]
    search_fields = ["=player__user_id", "player__user_name"]
    search_help_text = "Player's user id (exact) or user name."
    list_select_related = ["player"]
    ordering = ["player__user_id", "currency"]

    def get_list_display(self, request: HttpRequest) -> Any:
        return [*self.list_display, _links_column(request)]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [
            "player_link",
            "currency",
            "balance_display",
            "created_at",
            "updated_at",
            _links_column(request),
        ]

    @admin.display(description="player", ordering="player__user_id")
    def player_link(self, obj: Wallet) -> str:
        return admin_link(obj.player)

    @admin.display(description="balance", ordering="balance")
    def balance_display(self, obj: Wallet) -> str:
        return _balance_html(obj)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "wallet_link",
        "kind",
        "amount",
        "balance_after",
        "transaction_link",
        "reason",
        "created_by",
    ]
    list_filter = ["kind", ("created_at", DateRangeFilter), "wallet__currency"]
    search_fields = ["=wallet__player__user_id", "reason"]
    search_help_text = "Player's user id (exact) or words of the reason."
    list_select_related = ["wallet__player", "transaction", "created_by"]
    show_full_result_count = False  # large, append-only tables: no second COUNT(*)
    fields = readonly_fields = (
        "wallet_link",
        "kind",
        "amount",
        "balance_after",
        "transaction_link",
        "reason",
        "created_by",
        "approved_by",
        "created_at",
    )

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup == "wallet__id__exact" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="wallet")
    def wallet_link(self, obj: LedgerEntry) -> str:
        return admin_link(obj.wallet)

    @admin.display(description="transaction")
    def transaction_link(self, obj: LedgerEntry) -> str:
        return admin_link(obj.transaction)


# --- Game sessions -----------------------------------------------------------------------------


class SessionStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (selectors.SessionState.ACTIVE, "Active"),
            (selectors.SessionState.EXPIRED, "Expired (idle)"),
            (selectors.SessionState.ENDED, "Ended (logout, block, revoked)"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value in {choice for choice, _ in self.lookup_choices}:
            return queryset.filter(selectors.session_state_q(str(value)))
        return queryset


@admin.register(GameSession)
class GameSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "token_short",
        "player_link",
        "currency",
        "game_or_lobby",
        "created_at",
        "last_activity_at",
        "state",
        "ended_at",
        "end_reason",
    ]
    list_filter = [SessionStateFilter, "operator", ("created_at", DateRangeFilter)]
    search_fields = ["=player__user_id", "player__user_name"]
    search_help_text = (
        "Player's user id (exact) or user name, or a whole session token (it is never shown "
        "in full: only its first and last 4 characters)."
    )
    list_select_related = ["player", "wallet"]
    actions = ["revoke_sessions"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[GameSession], search_term: str
    ) -> tuple[QuerySet[GameSession], bool]:
        """A whole token (as the PLATFORM's support may quote it) finds its session through
        the token's unique index; staff never need to read one."""
        term = search_term.strip()
        if 20 <= len(term) <= 50 and term.isalnum():
            by_token = queryset.filter(token=term)
            if by_token.exists():
                return by_token, False
        return super().get_search_results(request, queryset, search_term)

    fields = readonly_fields = (
        "token_short",
        "player_link",
        "currency",
        "game_or_lobby",
        "created_at",
        "last_activity_at",
        "state",
        "ended_at",
        "end_reason",
    )

    @admin.display(description="token")
    def token_short(self, obj: GameSession) -> str:
        return mask_token(obj.token)

    @admin.display(description="player")
    def player_link(self, obj: GameSession) -> str:
        return admin_link(obj.player)

    @admin.display(description="game / lobby")
    def game_or_lobby(self, obj: GameSession) -> str:
        return f"game {obj.game_id}" if obj.game_id is not None else f"lobby {obj.lobby_id}"

    @admin.display(description="state")
    def state(self, obj: GameSession) -> str:
        return selectors.session_state(obj)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.revoke_session")

    @admin.action(
        description="Revoke selected sessions (asks for a reason)", permissions=["revoke"]
    )
    def revoke_sessions(self, request: HttpRequest, queryset: QuerySet[GameSession]) -> Any:
        return reason_action(
            self,
            request,
            queryset.filter(ended_at__isnull=True),
            action="revoke_sessions",
            title="Revoke game sessions",
            button="Revoke",
            apply=lambda session, reason: staff_services.session_revoke(
                session=session, reason=reason, staff=request_staff(request)
            ),
            done=lambda n: f"Revoked {n} session(s): their BETs are refused (OP_21) from now on.",
        )


# --- Rounds and transactions -------------------------------------------------------------------


class RoundStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("finished", "Finished")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(finished_at__isnull=True)
        if self.value() == "finished":
            return queryset.filter(finished_at__isnull=False)
        return queryset


class RoundTransactionInline(ReadOnlyInline):
    model = Transaction
    fk_name = "game_round"
    fields = readonly_fields = (
        "transaction_link",
        "transaction_type",
        "status",
        "error_code",
        "amount",
        "currency",
        "created_at",
        "canceled_at",
    )
    show_change_link = False
    ordering = ["created_at", "pk"]

    @admin.display(description="transaction id")
    def transaction_link(self, obj: Transaction) -> str:
        return admin_link(obj, obj.transaction_id)


@admin.register(Round)
class RoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "round_id",
        "operator",
        "player_link",
        "game",
        "state",
        "bets",
        "wins",
        "net",
        "created_at",
        "finished_at",
    ]
    list_filter = [RoundStateFilter, "operator", ("created_at", DateRangeFilter)]
    search_fields = ["=player__user_id"]
    search_help_text = "Round id or the player's user id (exact)."
    list_select_related = ["operator", "player"]
    inlines = [RoundTransactionInline]
    show_full_result_count = False
    fields = readonly_fields = (
        "round_id",
        "operator",
        "player_link",
        "game",
        "state",
        "bets",
        "wins",
        "net",
        "created_at",
        "finished_at",
        "transactions_link",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Round]:
        return selectors.rounds_with_totals(super().get_queryset(request)).annotate(
            game_title=_game_title()
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Round], search_term: str
    ) -> tuple[QuerySet[Round], bool]:
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(Q(round_id=int(term)) | Q(player__user_id=term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="player")
    def player_link(self, obj: Round) -> str:
        return admin_link(obj.player)

    @admin.display(description="game")
    def game(self, obj: Round) -> str:
        title = getattr(obj, "game_title", None)
        return f"{title} ({obj.game_id})" if title else str(obj.game_id)

    @admin.display(description="state", ordering="finished_at")
    def state(self, obj: Round) -> str:
        return "finished" if obj.is_finished else "open"

    @admin.display(description="bets", ordering="bet_total")
    def bets(self, obj: Round) -> Decimal:
        return obj.bet_total  # type: ignore[attr-defined]

    @admin.display(description="wins and refunds", ordering="win_total")
    def wins(self, obj: Round) -> Decimal:
        return obj.win_total  # type: ignore[attr-defined]

    @admin.display(description="net (bets - wins)")
    def net(self, obj: Round) -> Decimal:
        return obj.bet_total - obj.win_total  # type: ignore[attr-defined]

    @admin.display(description="transactions")
    def transactions_link(self, obj: Round) -> str:
        return format_html(
            '<a href="{}">All transactions of this round</a>',
            changelist_url(Transaction, round=obj.round_id, operator__id__exact=obj.operator_id),
        )


class VendorFilter(admin.SimpleListFilter):
    """The game's vendor, from the catalog (transactions store only the game id)."""

    title = "vendor"
    parameter_name = "vendor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        vendors = Game.objects.order_by("vendor").values_list("vendor", flat=True).distinct()
        return [(vendor, vendor) for vendor in vendors]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(
                Game.objects.filter(
                    operator=OuterRef("operator"), game_id=OuterRef("game_id"), vendor=self.value()
                )
            )
        )


class GameIdFilter(InputFilter):
    title = "game id"
    parameter_name = "game"
    numeric = True
    placeholder = "PLATFORM game id"
    field_lookup = "game_id"


class RoundIdFilter(InputFilter):
    title = "round id"
    parameter_name = "round"
    numeric = True
    placeholder = "PLATFORM round id"
    field_lookup = "round_id"


class UserIdFilter(InputFilter):
    title = "user id"
    parameter_name = "user"
    placeholder = "player's user id"
    field_lookup = "player__user_id"


class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = readonly_fields = ("kind", "amount", "balance_after", "reason", "created_at")
    show_change_link = False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "transaction_id",
        "created_at",
        "transaction_type",
        "status_display",
        "player_link",
        "amount",
        "currency",
        "game",
        "round_link",
    ]
    list_filter = [
        "operator",
        "transaction_type",
        "status",
        "error_code",
        VendorFilter,
        GameIdFilter,
        ("created_at", DateRangeFilter),
        RoundIdFilter,
        UserIdFilter,
    ]
    search_fields = ["=player__user_id"]
    search_help_text = "Transaction id, round id or the player's user id (exact), or a history id."
    list_select_related = ["player", "game_round"]
    show_full_result_count = False  # large, append-only tables: no second COUNT(*)
    actions = ["fetch_hand_history"]
    inlines = [LedgerEntryInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "transaction_id",
                    "operator",
                    "transaction_type",
                    "status_display",
                    "player_link",
                    "wallet_link",
                    "amount",
                    "rake",
                    "currency",
                ]
            },
        ),
        ("Game", {"fields": ["game", "vendor", "round_link", "token_short"]}),
        (
            "Context",
            {"fields": ["reason", "history_id", "context_display", "transaction_timestamp"]},
        ),
        ("History", {"fields": ["created_at", "canceled_at", "canceled_before_arrival"]}),
    ]
    readonly_fields = [
        "transaction_id",
        "operator",
        "transaction_type",
        "status_display",
        "player_link",
        "wallet_link",
        "amount",
        "rake",
        "currency",
        "game",
        "vendor",
        "round_link",
        "token_short",
        "reason",
        "history_id",
        "context_display",
        "transaction_timestamp",
        "created_at",
        "canceled_at",
        "canceled_before_arrival",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transaction]:
        return (
            super()
            .get_queryset(request)
            .annotate(game_title=_game_title(), game_vendor=_game_vendor())
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Transaction], search_term: str
    ) -> tuple[QuerySet[Transaction], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit() and len(term) <= 18:
            number = int(term)
            return (
                queryset.filter(
                    Q(transaction_id=number) | Q(round_id=number) | Q(player__user_id=term)
                ),
                False,
            )
        return queryset.filter(Q(player__user_id=term) | Q(history_id=term)), False

    @admin.display(description="status", ordering="status")
    def status_display(self, obj: Transaction) -> str:
        if obj.status == TransactionStatus.ERROR:
            return format_html('<span class="bo-error">ERROR {}</span>', obj.error_code or "")
        return str(obj.status)

    @admin.display(description="player")
    def player_link(self, obj: Transaction) -> str:
        return admin_link(obj.player)

    @admin.display(description="wallet")
    def wallet_link(self, obj: Transaction) -> str:
        return admin_link(obj.wallet)

    @admin.display(description="game")
    def game(self, obj: Transaction) -> str:
        title = getattr(obj, "game_title", None)
        return f"{title} ({obj.game_id})" if title else str(obj.game_id or "-")

    @admin.display(description="vendor")
    def vendor(self, obj: Transaction) -> str:
        return getattr(obj, "game_vendor", None) or "-"

    @admin.display(description="round")
    def round_link(self, obj: Transaction) -> str:
        if obj.game_round is None:
            return str(obj.round_id)
        return admin_link(obj.game_round, obj.round_id)

    @admin.display(description="token")
    def token_short(self, obj: Transaction) -> str:
        return mask_token(obj.token) if obj.token else "-"

    @admin.display(description="context")
    def context_display(self, obj: Transaction) -> str:
        return pretty_json(obj.context)

    # Hand history (spec: Hand history API), fetched from the PLATFORM on demand.

    def has_hand_history_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.fetch_hand_history")

    @admin.action(
        description="Fetch the hand history (one transaction)", permissions=["hand_history"]
    )
    def fetch_hand_history(self, request: HttpRequest, queryset: QuerySet[Transaction]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one transaction.", messages.WARNING)
            return None
        tx = queryset.get()
        return HttpResponseRedirect(
            reverse("admin:platform_wallet_transaction_hand_history", args=[tx.pk])
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/hand-history/",
                self.admin_site.admin_view(self.hand_history_view),
                name="platform_wallet_transaction_hand_history",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_fetch_hand_history": self.has_hand_history_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def hand_history_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not (self.has_view_permission(request) and self.has_hand_history_permission(request)):
            raise PermissionDenied
        tx = get_object_or_404(self.get_queryset(request), pk=object_id)
        from backoffice.hand_history import hand_history_for_staff

        result = hand_history_for_staff(transaction=tx)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Hand history of transaction {tx.transaction_id}",
            "opts": self.opts,
            "original": tx,
            "result": result,
        }
        return TemplateResponse(
            request, "admin/platform_wallet/transaction/hand_history.html", context
        )


def _token_masked(body: str) -> str:
    """The request as staff see it: a game session token is a credential, only its first and
    last 4 characters are shown (`platform_wallet.redact`, the one masking helper). Masked in
    the text itself, so that it is masked too when the body cannot be decoded or indented
    (cut at 20,000 characters, malformed, nested too deeply) and `pretty_json` shows the raw
    text; bodies stored since issue 10 are masked already (unchanged here)."""
    return mask_tokens_in_text(body)


# --- The API error log -------------------------------------------------------------------------


@admin.register(ApiErrorLog)
class ApiErrorLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "command",
        "error_code",
        "error_message",
        "user_id",
        "transaction_id",
        "round_id",
        "operator",
    ]
    list_filter = ["error_code", "command", "operator", ("created_at", DateRangeFilter)]
    search_fields = ["=user_id", "=error_code"]
    search_help_text = "User id, transaction id or round id (exact), or an error code (OP_33)."
    list_select_related = ["operator"]
    show_full_result_count = False  # large, append-only tables: no second COUNT(*)
    fields = readonly_fields = (
        "created_at",
        "operator",
        "command",
        "error_code",
        "error_message",
        "user_id",
        "transaction_id",
        "round_id",
        "request_display",
        "related",
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ApiErrorLog], search_term: str
    ) -> tuple[QuerySet[ApiErrorLog], bool]:
        term = search_term.strip()
        if term.isdigit() and len(term) <= 18:
            number = int(term)
            return (
                queryset.filter(Q(user_id=term) | Q(transaction_id=number) | Q(round_id=number)),
                False,
            )
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="request")
    def request_display(self, obj: ApiErrorLog) -> str:
        return pretty_json(_token_masked(obj.request_body))

    @admin.display(description="see also")
    def related(self, obj: ApiErrorLog) -> str:
        links = []
        if obj.user_id:
            player = Player.objects.filter(operator=obj.operator, user_id=obj.user_id).first()
            if player is not None:
                links.append(("player", admin_url(player)))
        if obj.transaction_id is not None:
            tx = Transaction.objects.filter(
                operator=obj.operator, transaction_id=obj.transaction_id
            ).first()
            if tx is not None:
                links.append(("transaction", admin_url(tx)))
        if not links:
            return "-"
        return format_html_join(" | ", '<a href="{1}">{0}</a>', links)
