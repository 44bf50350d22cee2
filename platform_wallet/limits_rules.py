"""The rules of responsible-gambling limits, as pure functions (no database, no clock: the
moment is always passed in).

- `limits_in_force(limits, now)`: the limit values that apply at `now`. A raise or a removal
  waits `COOLING_OFF` (24 hours) as a pending change (`pending_<name>` with its effective time
  `pending_<name>_at`); from that moment it is in force, whether or not the row was saved since.
  The wallet (`bet_refusal`, OP_32), the player's pages and the admin all read limits through it.
- `limit_change(...)`: what one requested change of one limit does: a decrease, or a limit where
  there was none, applies at once; an increase or a removal becomes pending.
- Self-exclusion ("take a break"): `self_excluded_until`; "permanently" is the far date
  `PERMANENT_EXCLUSION` (every check that compares the date works unchanged).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

COOLING_OFF = dt.timedelta(hours=24)

PERIODS = ("daily", "weekly", "monthly")
KINDS = ("loss", "wager")
LIMIT_NAMES = tuple(f"{period}_{kind}_limit" for period in PERIODS for kind in KINDS)

# "Permanently": a date no one lives to see, far enough from the calendar's end that a
# conversion to any time zone stays inside it.
PERMANENT_EXCLUSION = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)

BREAK_PERIODS: dict[str, str] = {
    "24h": "24 hours",
    "7d": "7 days",
    "30d": "30 days",
    "6m": "6 months",
    "permanent": "Permanently",
}


def pending_name(name: str) -> str:
    return f"pending_{name}"


def pending_at_name(name: str) -> str:
    return f"pending_{name}_at"


@dataclass(frozen=True)
class PendingChange:
    """A requested raise or removal (`value` None) of one limit, in force from `effective_at`."""

    name: str
    value: Decimal | None
    effective_at: dt.datetime

    @property
    def period(self) -> str:
        return self.name.split("_")[0]

    @property
    def kind(self) -> str:
        return self.name.split("_")[1]


@dataclass(frozen=True)
class LimitsInForce:
    """The limits that apply at one moment (None: no limit)."""

    daily_loss_limit: Decimal | None = None
    daily_wager_limit: Decimal | None = None
    weekly_loss_limit: Decimal | None = None
    weekly_wager_limit: Decimal | None = None
    monthly_loss_limit: Decimal | None = None
    monthly_wager_limit: Decimal | None = None
    self_excluded_until: dt.datetime | None = None
    pending: tuple[PendingChange, ...] = ()

    def value(self, name: str) -> Decimal | None:
        value: Decimal | None = getattr(self, name)
        return value

    def excluded_at(self, now: dt.datetime) -> bool:
        return self.self_excluded_until is not None and self.self_excluded_until > now

    def pending_for(self, name: str) -> PendingChange | None:
        return next((change for change in self.pending if change.name == name), None)


def pending_change(limits: Any, name: str) -> PendingChange | None:
    """The pending change of one limit stored on `limits`, matured or not."""
    at = getattr(limits, pending_at_name(name), None)
    if at is None:
        return None
    return PendingChange(name=name, value=getattr(limits, pending_name(name)), effective_at=at)


def limits_in_force(limits: Any, now: dt.datetime) -> LimitsInForce:
    """The limits in force at `now` from a `ResponsibleGamblingLimits` (or None: no limits).
    A pending change whose effective time has come is in force; the others are listed in
    `pending`, soonest first."""
    if limits is None:
        return LimitsInForce()
    values: dict[str, Decimal | None] = {}
    waiting: list[PendingChange] = []
    for name in LIMIT_NAMES:
        change = pending_change(limits, name)
        if change is not None and change.effective_at <= now:
            values[name] = change.value
        else:
            values[name] = getattr(limits, name)
            if change is not None:
                waiting.append(change)
    waiting.sort(key=lambda change: (change.effective_at, LIMIT_NAMES.index(change.name)))
    return LimitsInForce(
        **values, self_excluded_until=limits.self_excluded_until, pending=tuple(waiting)
    )


def is_tightening(requested: Decimal | None, in_force: Decimal | None) -> bool:
    """A new limit where there was none, or one not above the limit in force."""
    return requested is not None and (in_force is None or requested <= in_force)


@dataclass(frozen=True)
class LimitChange:
    """What to store for one limit: its value and its pending change (None: none pending)."""

    value: Decimal | None
    pending: PendingChange | None


def limit_change(
    *,
    name: str,
    requested: Decimal | None,
    in_force: Decimal | None,
    pending: PendingChange | None,
    now: dt.datetime,
) -> LimitChange:
    """One requested change of one limit (`pending`: the change still waiting, if any).

    Asking again for the value already pending keeps its time (no new 24 hours); a tightening
    applies at once and drops the pending change (asking for the limit in force cancels a
    pending raise); a raise or a removal waits COOLING_OFF from now."""
    if pending is not None and pending.effective_at > now and pending.value == requested:
        return LimitChange(value=in_force, pending=pending)
    if is_tightening(requested, in_force):
        return LimitChange(value=requested, pending=None)
    return LimitChange(
        value=in_force,
        pending=PendingChange(name=name, value=requested, effective_at=now + COOLING_OFF),
    )


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


_FIXED_BREAKS = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
}


def break_until(period: str, now: dt.datetime) -> dt.datetime:
    """The end of a break of `period` (a key of BREAK_PERIODS) taken at `now`; 6 months are
    calendar months. Raises KeyError for another period."""
    if period == "permanent":
        return PERMANENT_EXCLUSION
    if period == "6m":
        return _add_months(now, 6)
    return now + _FIXED_BREAKS[period]


def is_permanent(until: dt.datetime | None) -> bool:
    return until is not None and until >= PERMANENT_EXCLUSION
