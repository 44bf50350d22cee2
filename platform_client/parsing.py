"""Reading the PLATFORM's documented JSON into the typed answers of `platform_client.types`.

Pure functions, used by `platform_client.client` (which turns their errors into
`PlatformApiError`): each raises `MalformedAnswer` (or KeyError/TypeError for a missing or
mistyped field, all in `PARSE_ERRORS`). `rows` reads a list row by row, so that one row that is
not of the documented types is rejected and named (`RejectedRow`) without hiding the others. The
values are read with `platform_client.validation`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from platform_client import validation as check
from platform_client.types import (
    BalanceLimits,
    BusinessReportRow,
    CheckedList,
    GgrLimits,
    HandHistory,
    PlatformGame,
    PlatformLobby,
    RejectedRow,
)

T = TypeVar("T")


class MalformedAnswer(check.InvalidValue):
    """An answer that is not the documented JSON; the client turns it into PlatformApiError."""


PARSE_ERRORS = (check.InvalidValue, KeyError, TypeError, ValueError, InvalidOperation)


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{what} is not an object")
    return value


def as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedAnswer("expected a list")
    return value


def reason(exc: Exception) -> str:
    return f"missing field {exc}" if isinstance(exc, KeyError) else str(exc) or repr(exc)


def rows(
    items: list[Any],
    parse: Callable[[Any], T],
    what: str,
    id_field: str,
    key: Callable[[Any], int | str | None],
) -> CheckedList[T]:
    """Read a list row by row: a row that is not of the documented types is rejected (named
    by its id, or its position) and the others are kept."""
    kept: list[T] = []
    rejected: list[RejectedRow] = []
    for index, raw in enumerate(items):
        try:
            kept.append(parse(raw))
        except PARSE_ERRORS as exc:
            sent = raw.get(id_field) if isinstance(raw, dict) and id_field else None
            rejected.append(
                RejectedRow(
                    what=what,
                    id=check.shown(sent) if sent is not None else f"row {index + 1}",
                    reason=reason(exc),
                    key=key(raw) if isinstance(raw, dict) else None,
                )
            )
    return CheckedList(rows=tuple(kept), rejected=tuple(rejected))


def game_key(raw: dict[str, Any]) -> int | None:
    try:
        return check.integer(raw.get("id"), "id")
    except check.InvalidValue:
        return None


def lobby_key(raw: dict[str, Any]) -> str | None:
    value = raw.get("lobby_id")
    return value if isinstance(value, str) else None


def game(raw: Any) -> PlatformGame:
    g = obj(raw, "game")
    created = g.get("created_at")
    details = g.get("details") or {}
    return PlatformGame(
        id=check.integer(g["id"], "game id"),
        title=check.string(g["title"], "title"),
        vendor=check.string(g["vendor"], "vendor"),
        type=check.string(g.get("type") or "", "type"),
        platform=check.string(g.get("platform") or "", "platform"),
        enabled=check.flag(g["enabled"], "enabled"),
        fun_mode=check.flag(g.get("fun_mode", 0), "fun_mode"),
        campaigns=check.flag(g.get("campaigns", 0), "campaigns"),
        created_at=check.date(created, "created_at") if created else None,
        details=obj(details, "details"),
    )


def lobby(raw: Any) -> PlatformLobby:
    x = obj(raw, "lobby")
    return PlatformLobby(
        lobby_id=check.string(x["lobby_id"], "lobby_id"),
        vendor=check.string(x["vendor"], "vendor"),
        details=obj(x.get("details") or {}, "details"),
    )


def report_row(raw: Any) -> BusinessReportRow:
    r = obj(raw, "report row")
    return BusinessReportRow(
        entity_name=check.string(r["entity_name"], "entity_name").strip(),
        vendor=check.string(r["vendor"], "vendor"),
        currency_code=check.string(r["currency_code"], "currency_code"),
        date=check.date(r["date"], "date"),
        bets_sum=check.decimal(r["bets_sum"], "bets_sum"),
        bets_count=check.integer(r["bets_count"], "bets_count"),
        wins_sum=check.decimal(r["wins_sum"], "wins_sum"),
        wins_count=check.integer(r["wins_count"], "wins_count"),
        freespins_sum=check.decimal(r.get("freespins_sum", 0), "freespins_sum"),
        freespins_count=check.integer(r.get("freespins_count", 0), "freespins_count"),
        jackpots_sum=check.decimal(r.get("jackpots_sum", 0), "jackpots_sum"),
        jackpots_count=check.integer(r.get("jackpots_count", 0), "jackpots_count"),
        gross_gaming_revenue=check.decimal(r["gross_gaming_revenue"], "gross_gaming_revenue"),
    )


def _optional_decimal(body: dict[str, Any], name: str) -> Decimal | None:
    return check.decimal(body[name], name) if body.get(name) is not None else None


def ggr_limits(body: dict[str, Any]) -> GgrLimits:
    enabled = check.flag(body["enabled"], "enabled")
    if not enabled:
        return GgrLimits(enabled=False)
    return GgrLimits(
        enabled=True,
        currency=check.string(body["currency"], "currency"),
        limit=check.decimal(body["limit"], "limit"),
        current_usage=_optional_decimal(body, "current_usage"),
        percentage_usage=_optional_decimal(body, "percentage_usage"),
    )


def balance_limits(body: dict[str, Any]) -> BalanceLimits:
    enabled = check.flag(body["enabled"], "enabled")
    if not enabled:
        return BalanceLimits(enabled=False)
    currencies = {
        check.string(code, "currency code"): check.decimal(
            obj(entry, f"currencies.{code}")["available_balance"], f"{code} available_balance"
        )
        for code, entry in obj(body.get("currencies") or {}, "currencies").items()
    }
    return BalanceLimits(
        enabled=True,
        currency=check.string(body["currency"], "currency"),
        available_balance=check.decimal(body["available_balance"], "available_balance"),
        currencies=currencies,
        limit_exceeded=check.flag(body.get("limit_exceeded", False), "limit_exceeded"),
    )


def hand_history(body: dict[str, Any]) -> HandHistory:
    if body.get("success") is not True:
        message = body.get("message") or body.get("error") or "success is not true"
        raise MalformedAnswer(f"hand history not given: {check.shown(message, 200)}")
    data = body.get("data")
    kind = body.get("type")
    if kind is None and isinstance(data, dict):
        kind = data.get("type")  # the spec's json example carries it inside data
    if kind == "json":
        return HandHistory(type="json", data=obj(data, "data"))
    if kind == "url":
        return HandHistory(type="url", url=check.http_url(data, "data"))
    raise MalformedAnswer(f"unknown hand history type {check.shown(kind)}")
