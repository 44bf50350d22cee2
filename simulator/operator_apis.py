"""The PLATFORM's operator APIs, as the simulator serves them under ``/api/generic/``.

Every call needs ``X-Operator-Id`` and ``X-Authorization`` = sha1(name + operator_id +
secret_key); anything else is HTTP 403, as on the PLATFORM. :func:`operator_api` answers one
call (status, body, content type), injected faults first (:meth:`SimulatorState.inject_fault`)::

    games, lobbies                  the generated catalog
    businessReport?date=Y-m-d       rows from the simulator's ledger book
    ggrLimits                       DEPRECATED, still served: this month's GGR from the book
    balanceLimits[?currencies=...]  the available balance, converted at RATES
    handHistory/{transaction_id}/{history_id} (+ X-Vendor-Id)
                                    the live vendors (JSON_HISTORY_VENDORS) answer type json with
                                    the round's details, every other vendor type url
"""

from __future__ import annotations

import datetime as dt
import hmac
import random
import re
import time
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from simulator.ledger_book import CENT
from simulator.state import ApiAnswer, SimulatorState
from simulator.wallet_protocol import dumps, sha1

JSON = "application/json"
API_NAMES = {
    "games/list/all": "games",
    "lobbies/list/all": "lobbies",
    "businessReport": "businessReport",
    "ggrLimits": "ggrLimits",
    "balanceLimits": "balanceLimits",
}
JSON_HISTORY_VENDORS = frozenset({"evolution", "ezugi", "portomaso", "live168"})
# Units of each currency per 1 USD, for the per-currency available balances.
RATES: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "USD": "1",
        "EUR": "0.92",
        "GBP": "0.79",
        "CHF": "0.88",
        "SEK": "10.50",
        "NOK": "10.70",
        "DKK": "6.85",
        "PLN": "3.98",
        "CAD": "1.36",
        "AUD": "1.52",
        "BRL": "5.05",
        "TRY": "32.20",
        "INR": "83.30",
        "JPY": "151.00",
        "KRW": "1350.00",
    }.items()
}
TOKEN_RE = re.compile(r"^[A-Za-z0-9]{20,50}$")


def api_games(state: SimulatorState) -> Any:
    with state.lock:
        return {"games": [dict(g) for g in state.games]}


def api_lobbies(state: SimulatorState) -> Any:
    with state.lock:
        return {"lobbies": [dict(x) for x in state.lobbies]}


def api_business_report(state: SimulatorState, query: dict[str, list[str]]) -> Any:
    raw = (query.get("date") or [""])[0]
    try:
        date = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ApiAnswer(400, "date is required, format yyyy-mm-dd") from exc
    if len(raw) != 10:
        raise ApiAnswer(400, "date is required, format yyyy-mm-dd")
    return state.book.business_report(
        operator_id=state.operator_id, date=date, entity_name=state.entity_name
    )


def _month_ggr(state: SimulatorState, currency: str) -> Decimal:
    today = dt.datetime.now(dt.UTC).date()
    total = Decimal(0)
    for tx in state.book.transactions(operator_id=state.operator_id):
        if not tx.counts or tx.currency_code != currency:
            continue
        if (tx.date.year, tx.date.month) != (today.year, today.month):
            continue
        total += tx.amount if tx.transaction_type == "BET" else -tx.amount
    return total.quantize(CENT)


def api_ggr_limits(state: SimulatorState) -> Any:
    with state.lock:
        if not state.ggr_limits_enabled:
            return {"enabled": False}
        currency, limit = state.ggr_currency, state.ggr_limit
    usage = max(_month_ggr(state, currency), Decimal(0))
    percentage = (usage * 100 / limit).quantize(CENT) if limit else Decimal(0)
    return {
        "enabled": True,
        "currency": currency,
        "limit": limit,
        "current_usage": usage,
        "percentage_usage": percentage,
    }


def api_balance_limits(state: SimulatorState, query: dict[str, list[str]]) -> Any:
    with state.lock:
        if not state.balance_limits_enabled:
            return {"enabled": False}
        currency, available = state.balance_currency, state.available_balance
        exceeded = state.limit_exceeded if state.limit_exceeded is not None else available <= 0
    raw = (query.get("currencies") or [""])[0]
    codes = [c for c in raw.split(",") if c] if raw else []
    if any(not re.fullmatch(r"[A-Z0-9]{1,4}", c) for c in codes):
        raise ApiAnswer(400, "currencies: comma-separated currency codes without spaces")
    base_rate = RATES.get(currency, Decimal(1))
    currencies = {
        code: {"available_balance": (available / base_rate * RATES[code]).quantize(CENT)}
        for code in codes
        if code in RATES
    }
    answer: dict[str, Any] = {
        "enabled": True,
        "currency": currency,
        "available_balance": available,
    }
    if currencies:
        answer["currencies"] = currencies
    answer["limit_exceeded"] = exceeded
    return answer


def hand_history_data(
    state: SimulatorState, transaction_id: int, history_id: str, vendor: str
) -> dict[str, Any]:
    """A live round's details, deterministic for a transaction id (enriched from the book)."""
    rng = random.Random(transaction_id)
    tx = state.book.get(operator_id=state.operator_id, transaction_id=transaction_id)
    started = dt.datetime(2021, 5, 26, 5, 53, 22, tzinfo=dt.UTC) + dt.timedelta(
        seconds=transaction_id % 10_000_000
    )
    if tx is not None:
        started = dt.datetime.strptime(tx.transaction_timestamp, "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=dt.UTC
        )
    settled = started + dt.timedelta(seconds=rng.randint(15, 45))
    suits, ranks = "CDHS", "A23456789TJQK"

    def cards(n: int) -> list[str]:
        return [rng.choice(ranks) + rng.choice(suits) for _ in range(n)]

    banker, player = cards(2), cards(2)
    banker_score, player_score = rng.randint(0, 9), rng.randint(0, 9)
    outcome = (
        "Tie"
        if banker_score == player_score
        else "Banker"
        if banker_score > player_score
        else "Player"
    )
    stake = tx.amount if tx is not None else Decimal(rng.randint(1, 50))
    payout = stake * 2 if outcome == "Player" else stake if outcome == "Tie" else Decimal(0)
    return {
        "id": f"{transaction_id:x}{rng.getrandbits(48):012x}",
        "historyId": history_id,
        "vendor": vendor,
        "startedAt": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "settledAt": settled.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "status": "Resolved",
        "gameType": "baccarat",
        "table": {"id": f"tbl{rng.getrandbits(32):08x}", "name": f"Baccarat {rng.randint(1, 9)}"},
        "dealer": {"uid": f"d{rng.getrandbits(24):06x}", "name": f"DEALER_{rng.randint(1, 400)}"},
        "result": {
            "banker": {"score": banker_score, "cards": banker},
            "player": {"score": player_score, "cards": player},
            "outcome": outcome,
        },
        "participants": [
            {
                "casinoId": state.operator_id,
                "playerId": tx.user_id if tx else str(rng.randint(1000, 9999)),
                "currency": tx.currency_code if tx else "EUR",
                "bets": [
                    {
                        "code": "BAC_Player",
                        "stake": stake,
                        "payout": payout,
                        "description": "Player",
                        "transactionId": str(transaction_id),
                    }
                ],
                "playMode": "RealMoney",
                "channel": "desktop",
            }
        ],
        "outcome": outcome,
        "type": "json",
    }


def api_hand_history(
    state: SimulatorState, transaction_id_raw: str, history_id: str, vendor: str
) -> Any:
    if not vendor:
        raise ApiAnswer(400, "X-Vendor-Id header is required")
    if not transaction_id_raw.isdigit() or not history_id:
        raise ApiAnswer(404, "unknown transaction")
    transaction_id = int(transaction_id_raw)
    if vendor in JSON_HISTORY_VENDORS:
        return {
            "success": True,
            "type": "json",
            "data": hand_history_data(state, transaction_id, history_id, vendor),
        }
    return {
        "success": True,
        "type": "url",
        "data": f"{state.public_url}/hand/{transaction_id}/{quote(history_id, safe='')}",
    }


def operator_api(
    state: SimulatorState,
    route: str,
    query: dict[str, list[str]],
    *,
    operator_id: str,
    authorization: str,
    vendor: str,
) -> tuple[int, bytes, str]:
    """The answer to GET /api/generic/`route` with these headers: (status, body, content type)."""
    api = "handHistory" if route.startswith("handHistory/") else API_NAMES.get(route, "")
    if not api:
        return 404, b'{"error":"Not Found"}', JSON
    with state.lock:
        state.requests[api] += 1
    expected = sha1(api + state.operator_id + state.secret_key)
    given = authorization.strip().lower()
    if operator_id != state.operator_id or not hmac.compare_digest(
        given.encode(), expected.encode()
    ):
        return 403, b'{"error":"Forbidden"}', JSON
    fault = state.take_fault(api)
    if fault is not None:
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status is not None:
            return fault.status, fault.body, fault.content_type
    try:
        answer = _answer(state, api, route, query, vendor)
    except ApiAnswer as exc:
        return exc.status, dumps({"error": exc.message}).encode(), JSON
    return 200, dumps(answer).encode(), JSON


def _answer(
    state: SimulatorState, api: str, route: str, query: dict[str, list[str]], vendor: str
) -> Any:
    if api == "games":
        return api_games(state)
    if api == "lobbies":
        return api_lobbies(state)
    if api == "businessReport":
        return api_business_report(state, query)
    if api == "ggrLimits":
        return api_ggr_limits(state)
    if api == "balanceLimits":
        return api_balance_limits(state, query)
    segments = route.split("/")
    if len(segments) != 3:
        raise ApiAnswer(404, "handHistory/{transaction_id}/{history_id}")
    return api_hand_history(state, segments[1], unquote(segments[2]), vendor)
