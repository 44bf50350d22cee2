"""Game sessions in the backoffice, read-only: active, expired (idle) or ended, the token
masked (a whole token finds its session), and "revoke" with a reason
(`backoffice.services.session_revoke`): the PLATFORM's next BET with that token is OP_21."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from backoffice import selectors
from backoffice import services as staff_services
from backoffice.admin_filters import ChoiceFilter, DateRangeFilter
from backoffice.admin_helpers import ReadOnlyAdminMixin, admin_link, reason_action, request_staff
from backoffice.paging import LargeTableAdminMixin
from platform_wallet.models import GameSession
from platform_wallet.redact import mask_token


class SessionStateFilter(ChoiceFilter):
    title = "state"
    parameter_name = "state"

    def options(self) -> dict[str, tuple[str, Q]]:
        return {
            state: (label, selectors.session_state_q(state))
            for state, label in (
                (selectors.SessionState.ACTIVE, "Active"),
                (selectors.SessionState.EXPIRED, "Expired (idle)"),
                (selectors.SessionState.ENDED, "Ended (logout, block, revoked)"),
            )
        }


@admin.register(GameSession)
class GameSessionAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, ModelAdmin):
    list_display = fields = readonly_fields = (
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
