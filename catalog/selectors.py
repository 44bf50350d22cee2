"""Reads of the catalog that other layers need: the game a transaction or round names, and
the display name of a vendor code (`catalog.Vendor`, looked up here and nowhere else).

Transactions and rounds store only the PLATFORM's game id; their game (its vendor, its title) is
the catalog's `Game` of the same operator and game id, found here and nowhere else. A game the
catalog does not know (not synced yet) gives None.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar, cast

from django.db.models import CharField, Exists, Model, OuterRef, QuerySet, Subquery

from catalog.models import Game, Lobby, Vendor
from catalog.vendor_names import default_vendor_name

M = TypeVar("M", bound=Model)


def _games_of_row() -> QuerySet[Game]:
    """The game of the outer row (a transaction, a round): its `operator` and `game_id`."""
    return Game.objects.filter(operator=OuterRef("operator"), game_id=OuterRef("game_id"))


def row_game_field(field: str) -> Subquery:
    """`field` ("vendor", "title") of the outer row's game, for an annotation."""
    return Subquery(_games_of_row().values(field)[:1], output_field=CharField())


def row_game_of_vendor(vendor: str) -> Exists:
    """True for a row whose game is of `vendor` (a filter)."""
    return Exists(_games_of_row().filter(vendor=vendor))


def game_vendor(*, operator_id: int, game_id: int) -> str | None:
    """The vendor of one game, None when the catalog does not know it."""
    return (
        Game.objects.filter(operator_id=operator_id, game_id=game_id)
        .values_list("vendor", flat=True)
        .first()
    )


def game_vendors(*, operator_id: int, game_ids: Iterable[int]) -> dict[int, str]:
    """The vendor of each of the operator's games in `game_ids` the catalog knows (one query)."""
    return dict(
        Game.objects.filter(operator_id=operator_id, game_id__in=list(game_ids)).values_list(
            "game_id", "vendor"
        )
    )


def vendors() -> list[str]:
    """Every vendor in the catalog (all operators), sorted."""
    return list(Game.objects.order_by("vendor").values_list("vendor", flat=True).distinct())


# --- Vendor display names -------------------------------------------------------------------------


def with_vendor_name(rows: QuerySet[M]) -> QuerySet[M]:
    """Games or lobbies annotated with `vendor_name`: the vendor's stored display name (None
    when its code has no row yet); show it with `row_vendor_name`."""
    name = Subquery(Vendor.objects.filter(code=OuterRef("vendor")).values("name")[:1])
    return cast("QuerySet[M]", rows.annotate(vendor_name=name))


def row_vendor_name(row: Game | Lobby) -> str:
    """The display name of a row's vendor: its `vendor_name` annotation, else the default."""
    return getattr(row, "vendor_name", None) or default_vendor_name(row.vendor)


def vendor_name(code: str) -> str:
    """The display name of one vendor code (the default name when it has no row yet)."""
    name = Vendor.objects.filter(code=code).values_list("name", flat=True).first()
    return name or default_vendor_name(code)


def vendor_names(codes: list[str]) -> list[tuple[str, str]]:
    """(code, display name) of each code, sorted by name."""
    stored = dict(Vendor.objects.filter(code__in=codes).values_list("code", "name"))
    pairs = [(code, stored.get(code) or default_vendor_name(code)) for code in codes]
    return sorted(pairs, key=lambda pair: (pair[1].casefold(), pair[0]))
