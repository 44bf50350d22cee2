"""Wallets and the ledger in the backoffice, read-only: balances (negative ones in red) with
links to the wallet's ledger entries and, for staff who may, a manual adjustment
(`backoffice.admin.adjustments`). Money moves only through the ledger service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from unfold.admin import ModelAdmin

from backoffice.admin_filters import ChoiceFilter, DateRangeFilter
from backoffice.admin_helpers import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    admin_link,
    changelist_url,
    money_column,
    money_html,
    negative_html,
)
from backoffice.paging import LargeTableAdminMixin
from platform_wallet.models import LedgerEntry, Wallet


class WalletInline(ReadOnlyInline):
    model = Wallet
    show_change_link = False

    @admin.display(description="balance")
    def balance_display(self, obj: Wallet) -> str:
        return balance_html(obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["currency", "balance_display", "updated_at", links_column(request)]


def balance_html(wallet: Wallet) -> str:
    """A wallet's balance in its currency, in red (and bold) when negative."""
    if wallet.balance < 0:
        return negative_html(money_html(wallet.balance, wallet.currency))
    return money_html(wallet.balance, wallet.currency)


def links_column(request: HttpRequest) -> Any:
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


class NegativeBalanceFilter(ChoiceFilter):
    title = "balance"
    parameter_name = "balance"

    def options(self) -> dict[str, tuple[str, Q]]:
        return {
            "negative": ("Negative", Q(balance__lt=0)),
            "zero": ("Zero", Q(balance=0)),
            "positive": ("Positive", Q(balance__gt=0)),
        }


@admin.register(Wallet)
class WalletAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["player_link", "currency", "balance_display", "updated_at"]
    list_filter = [NegativeBalanceFilter, "currency", "player__operator"]
    search_fields = ["=player__user_id", "player__user_name"]
    search_help_text = "Player's user id (exact) or user name."
    list_select_related = ["player"]
    ordering = ["player__user_id", "currency"]

    def get_list_display(self, request: HttpRequest) -> Any:
        return [*self.list_display, links_column(request)]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [
            "player_link",
            "currency",
            "balance_display",
            "created_at",
            "updated_at",
            links_column(request),
        ]

    @admin.display(description="player", ordering="player__user_id")
    def player_link(self, obj: Wallet) -> str:
        return admin_link(obj.player)

    @admin.display(description="balance", ordering="balance")
    def balance_display(self, obj: Wallet) -> str:
        return balance_html(obj)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, ModelAdmin):
    user_id_path = "wallet__player"
    ordering = ["-created_at", "-pk"]  # entry_created serves it, filtered by date or not
    list_display = [
        "created_at",
        "wallet_link",
        "kind",
        "amount_money",
        "balance_after_money",
        "transaction_link",
        "reason",
        "created_by",
    ]
    list_filter = ["kind", ("created_at", DateRangeFilter), "wallet__currency"]
    search_fields = ["=wallet__player__user_id", "reason"]
    search_help_text = "Player's user id (exact) or words of the reason."
    list_select_related = ["wallet__player", "transaction", "created_by"]
    fields = readonly_fields = (
        "wallet_link",
        "kind",
        "amount_money",
        "balance_after_money",
        "transaction_link",
        "reason",
        "created_by",
        "approved_by",
        "created_at",
    )
    amount_money = money_column("amount", "wallet.currency", description="amount")
    balance_after_money = money_column(
        "balance_after", "wallet.currency", description="balance after"
    )

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup == "wallet__id__exact" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="wallet")
    def wallet_link(self, obj: LedgerEntry) -> str:
        # the player and currency (a wallet's str() adds today's balance: not this entry's)
        return admin_link(obj.wallet, f"{obj.wallet.player.user_id} {obj.wallet.currency}")

    @admin.display(description="transaction")
    def transaction_link(self, obj: LedgerEntry) -> str:
        return admin_link(obj.transaction)


class LedgerEntryInline(ReadOnlyInline):
    """A transaction's ledger entries, on the transaction's page."""

    model = LedgerEntry
    fields = readonly_fields = (
        "kind",
        "amount_money",
        "balance_after_money",
        "reason",
        "created_at",
    )
    show_change_link = False
    amount_money = money_column("amount", "wallet.currency", description="amount")
    balance_after_money = money_column(
        "balance_after", "wallet.currency", description="balance after"
    )
