"""Typed answers of the PLATFORM's operator APIs (spec: Games and Lobbies list API, Business
report API, GGR limits API, Balance limits API, Hand history API).

Every money figure is a `Decimal` (the JSON is parsed with `parse_float=Decimal`, integers and
numeric strings are converted exactly); flags the PLATFORM sends as 1/0 are `bool`; dates are
`datetime.date`. The dataclasses are frozen: an answer is a fact, not something to edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PlatformGame:
    """One entry of `games/list/all`."""

    id: int
    title: str
    vendor: str
    type: str
    platform: str
    enabled: bool
    fun_mode: bool
    campaigns: bool
    created_at: dt.date | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlatformLobby:
    """One entry of `lobbies/list/all`."""

    lobby_id: str
    vendor: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BusinessReportRow:
    """One row (entity, vendor, currency) of `businessReport?date=`."""

    entity_name: str
    vendor: str
    currency_code: str
    date: dt.date
    bets_sum: Decimal
    bets_count: int
    wins_sum: Decimal
    wins_count: int
    freespins_sum: Decimal
    freespins_count: int
    jackpots_sum: Decimal
    jackpots_count: int
    gross_gaming_revenue: Decimal


@dataclass(frozen=True)
class GgrLimits:
    """`ggrLimits` (DEPRECATED by the PLATFORM). `enabled` False: not limited, other fields None."""

    enabled: bool
    currency: str | None = None
    limit: Decimal | None = None
    current_usage: Decimal | None = None
    percentage_usage: Decimal | None = None


@dataclass(frozen=True)
class BalanceLimits:
    """`balanceLimits`. `enabled` False: not limited (no balance figures).

    `available_balance` is in `currency`; `currencies` maps each requested currency code to its
    available balance.
    """

    enabled: bool
    currency: str | None = None
    available_balance: Decimal | None = None
    currencies: dict[str, Decimal] = field(default_factory=dict)
    limit_exceeded: bool = False


@dataclass(frozen=True)
class HandHistory:
    """`handHistory/{transaction_id}/{history_id}`.

    type "json": `data` holds the vendor's round details and `url` is None;
    type "url": `url` is a page showing the round and `data` is None.
    """

    type: Literal["json", "url"]
    data: dict[str, Any] | None = None
    url: str | None = None


@dataclass(frozen=True)
class RejectedRow:
    """A row of a PLATFORM list that was not stored: not of the documented shape, or not
    fitting what we store and show.

    `what` names the kind of row ("game", "lobby", "report row"); `id` is the row's id as a
    message may show it (repr, shortened; "row N" when it has none); `key` is the id itself
    when it could be read (a game id, a lobby id), else None; `reason` names the field.
    """

    what: str
    id: str
    reason: str
    key: int | str | None = None

    def __str__(self) -> str:
        return f"{self.what} {self.id}: {self.reason}"


@dataclass(frozen=True)
class CheckedList(Generic[T]):
    """A list API's answer read row by row: the rows of the documented shape, and the ones
    that were not (each named with its reason)."""

    rows: tuple[T, ...]
    rejected: tuple[RejectedRow, ...] = ()
