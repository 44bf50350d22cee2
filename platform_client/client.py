"""The one HTTP client for the PLATFORM's operator APIs, and the only code that builds their
URLs and headers.

Interface::

    from platform_client import PlatformClient, PlatformApiError

    client = PlatformClient(operator)  # operators.models.Operator, or anything with its fields
    client.games() -> list[PlatformGame]                 # GET /api/generic/games/list/all
    client.lobbies() -> list[PlatformLobby]              # GET /api/generic/lobbies/list/all
    client.business_report(date) -> list[BusinessReportRow]  # GET .../businessReport?date=Y-m-d
    client.games_checked() -> CheckedList[PlatformGame]  # the same lists, read row by row:
    client.lobbies_checked() -> CheckedList[PlatformLobby]   # .rows and .rejected (RejectedRow:
    client.business_report_checked(date) -> CheckedList[BusinessReportRow]  # id and reason)
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
URL and the status. The list methods raise it for a list with any row not of the documented types
(naming the rows); their ``*_checked`` forms return such rows as ``rejected`` instead, so that one
bad row does not hide the others (the rows are read by ``platform_client.parsing``). The secret
key and the X-Authorization digest never appear in a log line or an exception message (URLs carry
only the date, currencies or transaction/history ids).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import requests

from platform_client import parsing
from platform_client.types import (
    BalanceLimits,
    BusinessReportRow,
    CheckedList,
    GgrLimits,
    HandHistory,
    PlatformGame,
    PlatformLobby,
)


class OperatorAccount(Protocol):
    """What the client needs of an operator account (operators.models.Operator has it): the
    client depends on no model."""

    operator_id: str
    api_host: str
    secret_key: str


logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 15.0)
SHOWN_REJECTS = 5
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


def authorization_digest(api: str, operator_id: str, secret_key: str) -> str:
    """X-Authorization of an operator API call: sha1(name + operator_id + secret_key)."""
    return hashlib.sha1(
        f"{api}{operator_id}{secret_key}".encode(), usedforsecurity=False
    ).hexdigest()


class PlatformClient:
    def __init__(
        self,
        operator: OperatorAccount,
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
        return _strict("games", *self._games())

    def games_checked(self) -> CheckedList[PlatformGame]:
        """Games List read row by row: a row not of the documented types is rejected, named."""
        return self._games()[0]

    def lobbies(self) -> list[PlatformLobby]:
        """Lobbies List."""
        return _strict("lobbies", *self._lobbies())

    def lobbies_checked(self) -> CheckedList[PlatformLobby]:
        """Lobbies List read row by row: a row not of the documented types is rejected, named."""
        return self._lobbies()[0]

    def business_report(self, date: dt.date) -> list[BusinessReportRow]:
        """Business report: the aggregated rows of one day (one per entity, vendor, currency)."""
        return _strict("businessReport", *self._business_report(date))

    def business_report_checked(self, date: dt.date) -> CheckedList[BusinessReportRow]:
        """Business report read row by row (rows named by position: "row 3")."""
        return self._business_report(date)[0]

    def ggr_limits(self) -> GgrLimits:
        """GGR limits (DEPRECATED by the PLATFORM in favour of balance limits)."""
        body, url = self._get("ggrLimits", API_PATHS["ggrLimits"])
        return _parse("ggrLimits", url, lambda: parsing.ggr_limits(parsing.obj(body, "body")))

    def balance_limits(self, currencies: list[str] | None = None) -> BalanceLimits:
        """Balance limits, with the available balance of each of `currencies` when given."""
        params = None
        if currencies:
            codes = [c.strip().upper() for c in currencies if c.strip()]
            if any(not c.isalnum() or len(c) > 4 for c in codes):
                raise ValueError(f"invalid currency codes: {currencies!r}")
            params = {"currencies": ",".join(codes)}
        body, url = self._get("balanceLimits", API_PATHS["balanceLimits"], params)
        return _parse(
            "balanceLimits", url, lambda: parsing.balance_limits(parsing.obj(body, "body"))
        )

    def hand_history(self, transaction_id: int, history_id: str, vendor: str) -> HandHistory:
        """Hand history of one transaction: its id, its changebalance context.history_id and the
        vendor of its game."""
        if not history_id:
            raise ValueError("history_id is required (changebalance context.history_id)")
        path = f"{API_PATHS['handHistory']}/{int(transaction_id)}/{quote(str(history_id), safe='')}"
        body, url = self._get("handHistory", path, headers={"X-Vendor-Id": vendor})
        return _parse("handHistory", url, lambda: parsing.hand_history(parsing.obj(body, "body")))

    def _games(self) -> tuple[CheckedList[PlatformGame], str]:
        body, url = self._get("games", API_PATHS["games"])
        items = _parse("games", url, lambda: parsing.as_list(parsing.obj(body, "body")["games"]))
        return parsing.rows(items, parsing.game, "game", "id", parsing.game_key), url

    def _lobbies(self) -> tuple[CheckedList[PlatformLobby], str]:
        body, url = self._get("lobbies", API_PATHS["lobbies"])
        items = _parse(
            "lobbies", url, lambda: parsing.as_list(parsing.obj(body, "body")["lobbies"])
        )
        return parsing.rows(items, parsing.lobby, "lobby", "lobby_id", parsing.lobby_key), url

    def _business_report(self, date: dt.date) -> tuple[CheckedList[BusinessReportRow], str]:
        body, url = self._get(
            "businessReport", API_PATHS["businessReport"], {"date": date.isoformat()}
        )
        items = _parse("businessReport", url, lambda: parsing.as_list(body))
        return parsing.rows(items, parsing.report_row, "report row", "", lambda raw: None), url

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
            except RecursionError as exc:  # the json module's own limit: a hostile nesting
                raise PlatformApiError(api, url, 200, "body is JSON nested too deeply") from exc
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


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _parse(api: str, url: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except parsing.PARSE_ERRORS as exc:
        raise PlatformApiError(
            api, url, 200, f"body is not the documented JSON: {parsing.reason(exc)}"
        ) from exc


def _strict(api: str, checked: CheckedList[T], url: str) -> list[T]:
    """The rows of a list, or PlatformApiError naming its rows that are not documented."""
    if checked.rejected:
        named = "; ".join(str(r) for r in checked.rejected[:SHOWN_REJECTS])
        more = len(checked.rejected) - SHOWN_REJECTS
        named += f" (and {more} more)" if more > 0 else ""
        raise PlatformApiError(api, url, 200, f"body is not the documented JSON: {named}")
    return list(checked.rows)
