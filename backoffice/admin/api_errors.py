"""The wallet's API error log in the backoffice, read-only: every ERROR answer with its
request (session tokens masked), searchable by user, transaction or round id and error code,
linked to the player and the transaction it names."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from unfold.admin import ModelAdmin

from backoffice.admin_filters import DateRangeFilter
from backoffice.admin_helpers import ReadOnlyAdminMixin, admin_url, pretty_json
from backoffice.paging import ErrorCodeFilter, LargeTableAdminMixin, WalletCommandFilter
from platform_wallet.models import ApiErrorLog, Player, Transaction
from platform_wallet.redact import mask_tokens_in_text


def _token_masked(body: str) -> str:
    """The request as staff see it: a game session token is a credential, only its first and
    last 4 characters are shown (`platform_wallet.redact`, the one masking helper). Masked in
    the text itself, so that it is masked too when the body cannot be decoded or indented
    (cut at 20,000 characters, malformed, nested too deeply) and `pretty_json` shows the raw
    text; bodies stored since issue 10 are masked already (unchanged here)."""
    return mask_tokens_in_text(body)


@admin.register(ApiErrorLog)
class ApiErrorLogAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, ModelAdmin):
    # Fits 1366 px (tests/test_browser_admin_layout.py): the round and operator are on the
    # error's page, the message cut to its first words.
    user_id_path = None  # the log's own user_id column has its index
    list_display = [
        "created_at",
        "command",
        "error_code",
        "message_short",
        "user_id",
        "transaction_id",
    ]
    list_filter = [
        ErrorCodeFilter,
        WalletCommandFilter,
        "operator",
        ("created_at", DateRangeFilter),
    ]
    search_fields = ["=user_id", "=error_code"]
    search_help_text = "User id, transaction id or round id (exact), or an error code (OP_33)."
    list_select_related = ["operator"]
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
        if term.upper().startswith("OP_"):  # an error code (no index: a scan of the log)
            return queryset.filter(error_code=term.upper()), False
        if term and not term.isdigit():  # a user id, on its index
            return queryset.filter(user_id=term), False
        if term.isdigit() and len(term) <= 18:
            number = int(term)
            return (
                queryset.filter(Q(user_id=term) | Q(transaction_id=number) | Q(round_id=number)),
                False,
            )
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="error message", ordering="error_message")
    def message_short(self, obj: ApiErrorLog) -> str:
        message = obj.error_message
        return message if len(message) <= 60 else message[:59] + "…"

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
