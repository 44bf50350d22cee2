"""The one HTTP client for the PLATFORM's operator APIs, and the only code that builds their
URLs and headers.

Interface::

    from platform_client import PlatformClient, PlatformApiError

    client = PlatformClient(operator)  # platform_wallet.models.Operator (saved or not)
    client.games() -> list[PlatformGame]                 # GET /api/generic/games/list/all
    client.lobbies() -> list[PlatformLobby]              # GET /api/generic/lobbies/list/all
    client.business_report(date) -> list[BusinessReportRow]  # GET .../businessReport?date=Y-m-d
    client.ggr_limits() -> GgrLimits                     # GET .../ggrLimits (DEPRECATED)
    client.balance_limits(["EUR", "GBP"]) -> BalanceLimits  # GET .../balanceLimits?currencies=
    client.hand_history(transaction_id=111, history_id="350-a1B", vendor="evolution")
        -> HandHistory                                   # GET .../handHistory/111/350-a1B

Constructor: ``PlatformClient(operator, *, session=None, timeout=(3.05, 15.0), retries=3,
backoff=0.5)``. The base URL is ``operator.api_host`` (PLATFORM_API_HOST). Every call sends
``X-Authorization: sha1(name + operator_id + secret_key)`` with the API's name (games, lobbies,
businessReport, ggrLimits, balanceLimits, handHistory) and ``X-Operator-Id``; hand history also
sends ``X-Vendor-Id``.

Transport: a ``requests.Session`` (one per client unless you pass yours), connect and read
timeouts, and up to ``retries`` further attempts, with exponential backoff
(``backoff * 2**attempt`` seconds), after a connection error, a timeout or an HTTP 5xx. Every
call is a GET and therefore safe to repeat.

Errors: one exception, :class:`PlatformApiError` (``api``, ``url``, ``status``, ``detail``), for
a 4xx, a 5xx after the retries, a timeout or connection failure after the retries
(``status`` None), or a 200 whose body is not the documented JSON. Its message names the API, the
URL and the status. The secret key and the X-Authorization digest never appear in a log line or
an exception message (URLs carry only the date, currencies or transaction/history ids).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from platform_client.types import (
    BalanceLimits,
    BusinessReportRow,
    GgrLimits,
    HandHistory,
    PlatformGame,
    PlatformLobby,
)

if TYPE_CHECKING:
    from platform_wallet.models import Operator

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 15.0)
API_PATHS: dict[str, str] = {
    "games": "/api/generic/games/list/all",
    "lobbies": "/api/generic/lobbies/list/all",
    "businessReport": "/api/generic/businessReport",
    "ggrLimits": "/api/generic/ggrLimits",
    "balanceLimits": "/api/generic/balanceLimits",
    "handHistory": "/api/generic/handHistory",
}


class PlatformApiError(Exception):
    """A PLATFORM operator API call that did not give the documented answer.

    `status` is the HTTP status, or None when no response arrived (timeout, connection error).
    """

    def __init__(self, api: str, url: str, status: int | None, detail: str) -> None:
        self.api = api
        self.url = url
        self.status = status
        self.detail = detail
        shown = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"PLATFORM {api} API {url}: {shown}: {detail}")


class MalformedAnswer(ValueError):
    """Raised by the parsers; turned into PlatformApiError by the client."""


def authorization_digest(api: str, operator_id: str, secret_key: str) -> str:
    """X-Authorization of an operator API call: sha1(name + operator_id + secret_key)."""
    return hashlib.sha1(
        f"{api}{operator_id}{secret_key}".encode(), usedforsecurity=False
    ).hexdigest()


class PlatformClient:
    def __init__(
        self,
        operator: Operator,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not operator.api_host:
            raise ValueError(f"operator {operator.operator_id} has no PLATFORM API host")
        self.base_url = operator.api_host.rstrip("/")
        self.operator_id = operator.operator_id
        self._secret_key = operator.secret_key
        self.session = session or requests.Session()
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self._sleep = sleep

    def __repr__(self) -> str:  # never shows the secret
        return f"PlatformClient(operator_id={self.operator_id!r}, base_url={self.base_url!r})"

    # --- The APIs ------------------------------------------------------------------------------

    def games(self) -> list[PlatformGame]:
        """Games List: every game the PLATFORM offers the operator, enabled or not."""
        body, url = self._get("games", API_PATHS["games"])
        return _parse("games", url, lambda: [_game(g) for g in _list(_obj(body, "body")["games"])])

    def lobbies(self) -> list[PlatformLobby]:
        """Lobbies List."""
        body, url = self._get("lobbies", API_PATHS["lobbies"])
        return _parse(
            "lobbies", url, lambda: [_lobby(x) for x in _list(_obj(body, "body")["lobbies"])]
        )

    def business_report(self, date: dt.date) -> list[BusinessReportRow]:
        """Business report: the aggregated rows of one day (one per entity, vendor, currency)."""
        body, url = self._get(
            "businessReport", API_PATHS["businessReport"], {"date": date.isoformat()}
        )
        return _parse("businessReport", url, lambda: [_report_row(r) for r in _list(body)])

    def ggr_limits(self) -> GgrLimits:
        """GGR limits (DEPRECATED by the PLATFORM in favour of balance limits)."""
        body, url = self._get("ggrLimits", API_PATHS["ggrLimits"])
        return _parse("ggrLimits", url, lambda: _ggr_limits(_obj(body, "body")))

    def balance_limits(self, currencies: list[str] | None = None) -> BalanceLimits:
        """Balance limits, with the available balance of each of `currencies` when given."""
        params = None
        if currencies:
            codes = [c.strip().upper() for c in currencies if c.strip()]
            if any(not c.isalnum() or len(c) > 4 for c in codes):
                raise ValueError(f"invalid currency codes: {currencies!r}")
            params = {"currencies": ",".join(codes)}
        body, url = self._get("balanceLimits", API_PATHS["balanceLimits"], params)
        return _parse("balanceLimits", url, lambda: _balance_limits(_obj(body, "body")))

    def hand_history(self, transaction_id: int, history_id: str, vendor: str) -> HandHistory:
        """Hand history of one transaction: its id, its changebalance context.history_id and the
        vendor of its game."""
        if not history_id:
            raise ValueError("history_id is required (changebalance context.history_id)")
        path = f"{API_PATHS['handHistory']}/{int(transaction_id)}/{quote(str(history_id), safe='')}"
        body, url = self._get("handHistory", path, headers={"X-Vendor-Id": vendor})
        return _parse("handHistory", url, lambda: _hand_history(_obj(body, "body")))

    # --- Transport -----------------------------------------------------------------------------

    def _get(
        self,
        api: str,
        path: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Any, str]:
        request = requests.Request(
            "GET",
            self.base_url + path,
            params=dict(params or {}),
            headers={
                "Accept": "application/json",
                "X-Authorization": authorization_digest(api, self.operator_id, self._secret_key),
                "X-Operator-Id": self.operator_id,
                **(headers or {}),
            },
        )
        prepared = self.session.prepare_request(request)
        url = prepared.url or self.base_url + path
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = self.session.send(prepared, timeout=self.timeout)
            except requests.RequestException as exc:
                kind = "timeout" if isinstance(exc, requests.Timeout) else "connection error"
                detail = f"{kind}: {type(exc).__name__}"
                if attempt < self.retries:
                    self._wait(api, url, attempt, detail)
                    attempt += 1
                    continue
                logger.warning("PLATFORM %s GET %s failed: %s", api, url, detail)
                raise PlatformApiError(api, url, None, detail) from exc
            elapsed_ms = (time.monotonic() - started) * 1000
            logger.info(
                "PLATFORM %s GET %s -> %s (%.0f ms)", api, url, response.status_code, elapsed_ms
            )
            if response.status_code >= 500 and attempt < self.retries:
                self._wait(api, url, attempt, f"HTTP {response.status_code}")
                attempt += 1
                continue
            if response.status_code != 200:
                raise PlatformApiError(
                    api, url, response.status_code, _snippet(response.text) or response.reason
                )
            try:
                # JSON is UTF-8 (RFC 8259): bytes in, whatever charset the header claims.
                body = json.loads(response.content, parse_float=Decimal)
            except (ValueError, UnicodeDecodeError) as exc:
                raise PlatformApiError(
                    api, url, 200, f"body is not JSON: {_snippet(response.text)!r}"
                ) from exc
            return body, url

    def _wait(self, api: str, url: str, attempt: int, detail: str) -> None:
        delay = self.backoff * (2**attempt)
        logger.warning(
            "PLATFORM %s GET %s: %s; retry %d/%d in %.2fs",
            api,
            url,
            detail,
            attempt + 1,
            self.retries,
            delay,
        )
        if delay > 0:
            self._sleep(delay)


# --- Parsing: the documented JSON into the typed answers --------------------------------------


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _parse(api: str, url: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except (MalformedAnswer, KeyError, TypeError, ValueError, InvalidOperation) as exc:
        what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc) or repr(exc)
        raise PlatformApiError(api, url, 200, f"body is not the documented JSON: {what}") from exc


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{what} is not an object")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedAnswer("expected a list")
    return value


def _flag(value: Any, name: str) -> bool:
    """The PLATFORM's 1/0 flags (also accepted: true/false, "1"/"0")."""
    if isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, Decimal):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    raise MalformedAnswer(f"{name} is not 1 or 0: {value!r}")


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise MalformedAnswer(f"{name} is not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise MalformedAnswer(f"{name} is not an integer: {value!r}")


def _money(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise MalformedAnswer(f"{name} is not a number: {value!r}")
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise MalformedAnswer(f"{name} is not a number: {value!r}") from exc
    else:
        raise MalformedAnswer(f"{name} is not a number: {value!r}")
    if not result.is_finite():
        raise MalformedAnswer(f"{name} is not a finite number: {value!r}")
    return result


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise MalformedAnswer(f"{name} is not a string: {value!r}")
    return value


def _date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_str(value, name)[:10])
    except ValueError as exc:
        raise MalformedAnswer(f"{name} is not a Y-m-d date: {value!r}") from exc


def _game(raw: Any) -> PlatformGame:
    g = _obj(raw, "game")
    created = g.get("created_at")
    details = g.get("details") or {}
    return PlatformGame(
        id=_int(g["id"], "game id"),
        title=_str(g["title"], "title"),
        vendor=_str(g["vendor"], "vendor"),
        type=str(g.get("type") or ""),
        platform=str(g.get("platform") or ""),
        enabled=_flag(g["enabled"], "enabled"),
        fun_mode=_flag(g.get("fun_mode", 0), "fun_mode"),
        campaigns=_flag(g.get("campaigns", 0), "campaigns"),
        created_at=_date(created, "created_at") if created else None,
        details=_obj(details, "details"),
    )


def _lobby(raw: Any) -> PlatformLobby:
    x = _obj(raw, "lobby")
    return PlatformLobby(
        lobby_id=_str(x["lobby_id"], "lobby_id"),
        vendor=_str(x["vendor"], "vendor"),
        details=_obj(x.get("details") or {}, "details"),
    )


def _report_row(raw: Any) -> BusinessReportRow:
    r = _obj(raw, "report row")
    return BusinessReportRow(
        entity_name=_str(r["entity_name"], "entity_name").strip(),
        vendor=_str(r["vendor"], "vendor"),
        currency_code=_str(r["currency_code"], "currency_code"),
        date=_date(r["date"], "date"),
        bets_sum=_money(r["bets_sum"], "bets_sum"),
        bets_count=_int(r["bets_count"], "bets_count"),
        wins_sum=_money(r["wins_sum"], "wins_sum"),
        wins_count=_int(r["wins_count"], "wins_count"),
        freespins_sum=_money(r.get("freespins_sum", 0), "freespins_sum"),
        freespins_count=_int(r.get("freespins_count", 0), "freespins_count"),
        jackpots_sum=_money(r.get("jackpots_sum", 0), "jackpots_sum"),
        jackpots_count=_int(r.get("jackpots_count", 0), "jackpots_count"),
        gross_gaming_revenue=_money(r["gross_gaming_revenue"], "gross_gaming_revenue"),
    )


def _optional_money(body: dict[str, Any], name: str) -> Decimal | None:
    return _money(body[name], name) if body.get(name) is not None else None


def _ggr_limits(body: dict[str, Any]) -> GgrLimits:
    enabled = _flag(body["enabled"], "enabled")
    if not enabled:
        return GgrLimits(enabled=False)
    return GgrLimits(
        enabled=True,
        currency=_str(body["currency"], "currency"),
        limit=_money(body["limit"], "limit"),
        current_usage=_optional_money(body, "current_usage"),
        percentage_usage=_optional_money(body, "percentage_usage"),
    )


def _balance_limits(body: dict[str, Any]) -> BalanceLimits:
    enabled = _flag(body["enabled"], "enabled")
    if not enabled:
        return BalanceLimits(enabled=False)
    currencies = {
        _str(code, "currency code"): _money(
            _obj(entry, f"currencies.{code}")["available_balance"], f"{code} available_balance"
        )
        for code, entry in _obj(body.get("currencies") or {}, "currencies").items()
    }
    return BalanceLimits(
        enabled=True,
        currency=_str(body["currency"], "currency"),
        available_balance=_money(body["available_balance"], "available_balance"),
        currencies=currencies,
        limit_exceeded=_flag(body.get("limit_exceeded", False), "limit_exceeded"),
    )


def _hand_history(body: dict[str, Any]) -> HandHistory:
    if body.get("success") is not True:
        message = body.get("message") or body.get("error") or "success is not true"
        raise MalformedAnswer(f"hand history not given: {message}")
    data = body.get("data")
    kind = body.get("type")
    if kind is None and isinstance(data, dict):
        kind = data.get("type")  # the spec's json example carries it inside data
    if kind == "json":
        return HandHistory(type="json", data=_obj(data, "data"))
    if kind == "url":
        url = _str(data, "data")
        if not url.startswith(("http://", "https://")):
            raise MalformedAnswer(f"data is not a URL: {url!r}")
        return HandHistory(type="url", url=url)
    raise MalformedAnswer(f"unknown hand history type {kind!r}")
