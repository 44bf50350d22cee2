"""Rounds and transactions in the backoffice, read-only: a round's totals derived from its
applied transactions (`platform_wallet.selectors.rounds_with_totals`) with its transactions
inline; transactions filtered by operator, type, status, vendor, game, date, round and player,
with their context, ledger entries and, on demand, the PLATFORM's hand history
(`backoffice.hand_history`). A game's title and vendor come from the catalog
(`catalog.selectors`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from backoffice.admin.wallets import LedgerEntryInline
from backoffice.admin_filters import ChoiceFilter, DateRangeFilter, InputFilter
from backoffice.admin_helpers import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    admin_link,
    badge,
    changelist_url,
    money_column,
    money_html,
    object_urls,
    pretty_json,
)
from backoffice.hand_history import hand_history_for_staff
from backoffice.paging import (
    ErrorCodeFilter,
    LargeTableAdminMixin,
    operator_keys,
    players_with_user_id,
)
from catalog.selectors import row_game_field, row_game_of_vendor, vendors
from platform_wallet.models import Round, Transaction, TransactionStatus
from platform_wallet.redact import mask_token
from platform_wallet.selectors import rounds_with_totals


class RoundStateFilter(ChoiceFilter):
    title = "state"
    parameter_name = "state"

    def options(self) -> dict[str, tuple[str, Q]]:
        return {
            "open": ("Open", Q(finished_at__isnull=True)),
            "finished": ("Finished", Q(finished_at__isnull=False)),
        }


class RoundTransactionInline(ReadOnlyInline):
    model = Transaction
    fk_name = "game_round"
    fields = readonly_fields = (
        "transaction_link",
        "transaction_type",
        "status",
        "error_code",
        "amount_money",
        "created_at",
        "canceled_at",
    )
    show_change_link = False
    ordering = ["created_at", "pk"]
    amount_money = money_column("amount", description="amount")

    @admin.display(description="transaction id")
    def transaction_link(self, obj: Transaction) -> str:
        return admin_link(obj, obj.transaction_id)


# Fits 1366 px (tests/test_browser_admin_layout.py); the operator and the finish time are on
# the round's page.
ROUND_COLUMNS = (
    "round_id",
    "player_link",
    "game",
    "state",
    "bets_money",
    "wins_money",
    "net_money",
    "created_at",
)


@admin.register(Round)
class RoundAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, ModelAdmin):
    list_display = ROUND_COLUMNS
    list_filter = [RoundStateFilter, "operator", ("created_at", DateRangeFilter)]
    search_fields = ["=player__user_id"]
    search_help_text = "Round id or the player's user id (exact)."
    list_select_related = ["operator", "player"]
    inlines = [RoundTransactionInline]
    fields = readonly_fields = (*ROUND_COLUMNS, "operator", "finished_at", "transactions_link")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Round]:
        return rounds_with_totals(super().get_queryset(request)).annotate(
            game_title=row_game_field("title"),
            currency=Subquery(
                Transaction.objects.filter(game_round=OuterRef("pk"))
                .exclude(currency="")
                .values("currency")[:1]
            ),
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Round], search_term: str
    ) -> tuple[QuerySet[Round], bool]:
        term = search_term.strip()
        if term.isdigit() and len(term) <= 18:
            found = Q(operator__in=operator_keys(), round_id=int(term))
            players = players_with_user_id(term)
            return queryset.filter(found | Q(player__in=players) if players else found), False
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
        return badge("finished", "grey") if obj.is_finished else badge("open", "green")

    @admin.display(description="bets")  # no ordering: a sort of every round by its sums
    def bets_money(self, obj: Round) -> str:
        return money_html(obj.bet_total, _round_currency(obj))  # type: ignore[attr-defined]

    @admin.display(description="wins and refunds")
    def wins_money(self, obj: Round) -> str:
        return money_html(obj.win_total, _round_currency(obj))  # type: ignore[attr-defined]

    @admin.display(description="net (bets - wins)")
    def net_money(self, obj: Round) -> str:
        net = obj.bet_total - obj.win_total  # type: ignore[attr-defined]
        return money_html(net, _round_currency(obj))

    @admin.display(description="transactions")
    def transactions_link(self, obj: Round) -> str:
        return format_html(
            '<a href="{}">All transactions of this round</a>',
            changelist_url(Transaction, round=obj.round_id, operator__id__exact=obj.operator_id),
        )


def _round_currency(obj: Round) -> str:
    """A round's currency: the one of its transactions (a round is played in one wallet)."""
    return getattr(obj, "currency", "") or ""


class VendorFilter(admin.SimpleListFilter):
    """The game's vendor, from the catalog (transactions store only the game id)."""

    title = "vendor"
    parameter_name = "vendor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(vendor, vendor) for vendor in vendors()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        vendor = self.value()
        return queryset.filter(row_game_of_vendor(vendor)) if vendor else queryset


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

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        # by the round's index (transactions have none on round_id), then the round's own
        rounds = Round.objects.filter(operator__in=operator_keys(), round_id=int(value))
        return queryset.filter(game_round__in=list(rounds.values_list("pk", flat=True)))


class UserIdFilter(InputFilter):
    title = "user id"
    parameter_name = "user"
    placeholder = "player's user id"
    field_lookup = "player__user_id"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(player__in=players_with_user_id(value)) if value else queryset


class CampaignCodeFilter(InputFilter):
    title = "campaign code"
    parameter_name = "campaign"
    placeholder = "context.campaign_code"
    field_lookup = "campaign_code"


@admin.register(Transaction)
class TransactionAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, ModelAdmin):
    # Fits 1366 px (tests/test_browser_admin_layout.py): the currency is in the amount, the
    # type and status share a column.
    list_display = [
        "transaction_id",
        "created_at",
        "type_status",
        "player_link",
        "amount_money",
        "game",
        "round_link",
    ]
    list_filter = [
        "operator",
        "transaction_type",
        "status",
        ErrorCodeFilter,
        VendorFilter,
        GameIdFilter,
        ("created_at", DateRangeFilter),
        RoundIdFilter,
        UserIdFilter,
        "is_freespin",
        "is_jackpot",
        CampaignCodeFilter,
    ]
    search_fields = ["=player__user_id"]
    search_help_text = "Transaction id, round id or the player's user id (exact), or a history id."
    list_select_related = ["player", "game_round"]
    ordering = ["-created_at", "-pk"]  # the created_at and (player, created_at) indexes serve it
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
                    "amount_money",
                    "rake",
                    "currency",
                ]
            },
        ),
        ("Game", {"fields": ["game", "vendor", "round_link", "token_short"]}),
        (
            "Context",
            {
                "fields": [
                    "reason",
                    "is_freespin",
                    "is_jackpot",
                    "campaign_code",
                    "history_id",
                    "context_display",
                    "transaction_timestamp",
                ]
            },
        ),
        ("History", {"fields": ["created_at", "canceled_at", "canceled_before_arrival"]}),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transaction]:
        return (
            super()
            .get_queryset(request)
            .annotate(game_title=row_game_field("title"), game_vendor=row_game_field("vendor"))
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Transaction], search_term: str
    ) -> tuple[QuerySet[Transaction], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        # each alternative on an index of its own (literal keys: a bitmap OR of index scans)
        players = players_with_user_id(term)
        found = Q(player__in=players) if players else None
        if term.isdigit() and len(term) <= 18:
            number = int(term)
            rounds = Round.objects.filter(operator__in=operator_keys(), round_id=number)
            by_number = Q(operator__in=operator_keys(), transaction_id=number) | Q(
                game_round__in=list(rounds.values_list("pk", flat=True))
            )
            found = by_number if found is None else found | by_number
        if found is None:  # a history id: no index of its own (a scan, slow at scale)
            found = Q(history_id=term)
        return queryset.filter(found), False

    amount_money = money_column("amount", description="amount")

    @admin.display(description="type", ordering="transaction_type")
    def type_status(self, obj: Transaction) -> str:
        """BET, WIN or REFUND, green when applied; red with the error code when refused; grey
        when canceled."""
        kind = obj.transaction_type or "CANCEL"
        if obj.status == TransactionStatus.ERROR:
            return badge(f"{kind} ERROR {obj.error_code or ''}".strip(), "red")
        if obj.status == TransactionStatus.CANCELED:
            return badge(f"{kind} CANCELED", "grey")
        return badge(kind, "green")

    @admin.display(description="status", ordering="status")
    def status_display(self, obj: Transaction) -> str:
        if obj.status == TransactionStatus.ERROR:
            return badge(f"ERROR {obj.error_code or ''}".strip(), "red")
        if obj.status == TransactionStatus.CANCELED:
            return badge("CANCELED", "grey")
        return badge(str(obj.status), "green")

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
        return [*object_urls(self, hand_history=self.hand_history_view), *super().get_urls()]

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
