"""Staff pages over tables of millions of rows (issue 13, "Flat at scale"): no COUNT over the
table, searches and filters that an index serves.

- `CappedCountPaginator`: counts at most `cap` rows past the start of the page asked for
  (`SELECT count(*) FROM (... LIMIT cap + 1 OFFSET start)`), never the whole result: the page
  shows "start + cap+" results when there are more ("1000+"), and the next pages stay
  reachable.
- `LargeTableAdminMixin`: a ModelAdmin over such a table uses that paginator, never asks for
  the unfiltered total (`show_full_result_count = False`) nor the filters' facet counts
  (`show_facets = NEVER`), and searches a player's rows by their
  exact user id first (`user_id_path`: the path to the player, e.g. "player" or
  "wallet__player"): when a player has that user id, the search is `player_id IN (...)` on the
  table's player index; otherwise the admin's own search fields apply.

Filters by error code or wallet command offer the fixed lists (`ErrorCodeFilter`,
`WalletCommandFilter`), never `SELECT DISTINCT` over the table as Django's default does.

Date filters are ranges of `created_at` (`backoffice.admin_filters.DateRangeFilter`), never
`created_at::date`, which no index serves.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from operators.models import Operator
from platform_wallet.errors import ErrorCode
from platform_wallet.gameplay import COMMANDS
from platform_wallet.models import Player

COUNT_CAP = 1000


class CappedCountPaginator(Paginator):
    """A paginator whose `count` reads at most `cap` + 1 rows from the start of `page`."""

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        page: object = 1,
        cap: int = COUNT_CAP,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        try:
            self.page_hint = max(int(str(page)), 1)
        except ValueError:
            self.page_hint = 1
        self.cap = cap

    @cached_property
    def count(self) -> int:
        start = (self.page_hint - 1) * self.per_page
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # no ORDER BY: the planner counts by whichever index serves the filters
            window = rows.order_by().values("pk")[start : start + self.cap + 1]
            counted = window.count()
        else:
            counted = len(rows[start : start + self.cap + 1])
        return start + counted

    @property
    def capped(self) -> bool:
        """True when there are more rows than counted."""
        return self.count - (self.page_hint - 1) * self.per_page > self.cap


class AtLeast(int):
    """A count that may be more than it says: shown as "1000+" (the admin's templates print
    it; arithmetic sees the number)."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class LargeTableAdminMixin:
    """For the ModelAdmin of a big table (see the module's docstring)."""

    count_cap = COUNT_CAP

    show_full_result_count = False
    # no "Show counts" link: the filters' facet counts are a COUNT over the table each
    show_facets = admin.ShowFacets.NEVER
    user_id_path: str | None = "player"  # None: the table has no player to search by

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        return CappedCountPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            page=request.GET.get("p", 1),
            cap=self.count_cap,
        )

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        """The page says "1000+ results" when there are more rows than were counted."""
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        paginator = changelist.paginator
        if isinstance(paginator, CappedCountPaginator) and paginator.capped:
            changelist.result_count = AtLeast(paginator.count - 1)
        return changelist

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        players = players_with_user_id(search_term) if self.user_id_path else []
        if players:
            return queryset.filter(**{f"{self.user_id_path}__in": players}), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


def players_with_user_id(term: str) -> list[int]:
    """The keys of the players (of any operator) whose user id is exactly `term` (an index
    lookup); [] for an empty term."""
    term = term.strip()
    if not term:
        return []
    return list(Player.objects.filter(user_id=term).values_list("pk", flat=True))


def operator_keys() -> list[int]:
    """Every operator's key: `operator_id IN (...) AND transaction_id = n` is served by the
    (operator, transaction_id) unique index where `transaction_id = n` alone is not."""
    return list(Operator.objects.values_list("pk", flat=True))


class FixedChoicesFilter(admin.SimpleListFilter):
    """A list filter of a fixed list of values of one field (`choices_list()`)."""

    def choices_list(self) -> list[str]:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, value) for value in self.choices_list()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{str(self.parameter_name): value}) if value else queryset


class ErrorCodeFilter(FixedChoicesFilter):
    title = "error code"
    parameter_name = "error_code"

    def choices_list(self) -> list[str]:
        return [code.value for code in ErrorCode]


class WalletCommandFilter(FixedChoicesFilter):
    title = "command"
    parameter_name = "command"

    def choices_list(self) -> list[str]:
        return list(COMMANDS)
