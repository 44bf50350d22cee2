"""Reads of the catalog that other layers need: the game a transaction or round names.

Transactions and rounds store only the PLATFORM's game id; their game (its vendor, its title) is
the catalog's `Game` of the same operator and game id, found here and nowhere else. A game the
catalog does not know (not synced yet) gives None.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import CharField, Exists, OuterRef, QuerySet, Subquery

from catalog.models import Game


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
