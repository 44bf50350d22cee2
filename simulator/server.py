"""A PLATFORM simulator: the PLATFORM's operator APIs, media and game launch page, over HTTP.

Standalone (standard library ``http.server``, one thread per request; no Django database): the
catalog is generated (:mod:`simulator.catalog_data`) and the business report is computed from the
simulator's own book of sent transactions (:mod:`simulator.ledger_book`).

Routes (every ``/api/generic/...`` call needs ``X-Operator-Id`` and ``X-Authorization`` =
sha1(name + operator_id + secret_key); anything else is HTTP 403, as on the PLATFORM)::

    GET /api/generic/games/list/all                          {"games": [...]}
    GET /api/generic/lobbies/list/all                        {"lobbies": [...]}
    GET /api/generic/businessReport?date=Y-m-d               [rows from the ledger book]
    GET /api/generic/ggrLimits                               DEPRECATED, still served
    GET /api/generic/balanceLimits[?currencies=EUR,GBP]
    GET /api/generic/handHistory/{transaction_id}/{history_id}  (+ X-Vendor-Id) json or url type
    GET /media/thumb/<game_id>.svg, /media/lobby/<lobby_id>.svg  thumbnails
    GET /hand/<transaction_id>/<history_id>                  the page a "url" hand history names
    GET /launch/?mode=real|fun&game_id=|lobby_id=&token=&currency=&operator_id=&home_url=...
                                                             GAME_LAUNCH_HOST: a fake game page;
                                                             real mode authenticates the token
                                                             against --wallet-url
    POST /launch/spin  (form: the launch parameters + stake)  one round of the fake game: a BET
                                                             and its WIN sent to the wallet as
                                                             the PLATFORM would, both booked

Hand history type: the live vendors (evolution, ezugi, portomaso, live168) answer type json with
the round's details, every other vendor answers type url.

In tests::

    sim = start_in_thread(operator_id="op", secret_key="s")   # port 0: a free port
    url, stop = sim            # or sim.url, sim.stop(), sim.state
    sim.state.inject_fault("games", status=503, times=2)   # next two games calls answer 503
    sim.state.requests["games"]                             # how many games calls arrived
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
import logging
import random
import re
import secrets
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import requests

from simulator import catalog_data
from simulator.ledger_book import CENT, BookTransaction, LedgerBook

logger = logging.getLogger(__name__)

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


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _json_bytes(value: Any) -> bytes:
    """JSON with Decimals written as numbers with their exact digits."""

    def encode(v: Any) -> str:
        if isinstance(v, Decimal):
            return format(v, "f")
        if isinstance(v, dict):
            return "{" + ",".join(f"{json.dumps(str(k))}:{encode(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list | tuple):
            return "[" + ",".join(encode(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)

    return encode(value).encode()


@dataclass
class Fault:
    """An injected misbehaviour for the next call of one API: wait `delay` seconds, then answer
    `status` with `body` (or, with status None, answer normally)."""

    status: int | None = 503
    body: bytes = b'{"error":"Service Unavailable"}'
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class SimulatorState:
    """Everything the simulator answers from. Tests and the command may change it while it runs
    (under `lock`)."""

    operator_id: str
    secret_key: str
    public_url: str = "http://127.0.0.1"
    wallet_url: str | None = None
    entity_name: str = ""
    book: LedgerBook = field(default_factory=LedgerBook)
    games: list[dict[str, Any]] = field(default_factory=list)
    lobbies: list[dict[str, Any]] = field(default_factory=list)
    balance_limits_enabled: bool = True
    balance_currency: str = "USD"
    available_balance: Decimal = Decimal("107881.02")
    limit_exceeded: bool | None = None  # None: exceeded when the available balance is <= 0
    ggr_limits_enabled: bool = False
    ggr_currency: str = "EUR"
    ggr_limit: Decimal = Decimal("1111111")
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def inject_fault(
        self,
        api: str,
        *,
        status: int | None = 503,
        body: bytes | str = b'{"error":"Service Unavailable"}',
        delay: float = 0.0,
        times: int = 1,
        content_type: str = "application/json",
    ) -> None:
        """Make the next `times` calls of `api` (games, lobbies, businessReport, ggrLimits,
        balanceLimits, handHistory) misbehave."""
        raw = body.encode() if isinstance(body, str) else body
        with self.lock:
            queue = self.faults.setdefault(api, deque())
            for _ in range(times):
                queue.append(Fault(status, raw, delay, content_type))

    def take_fault(self, api: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(api)
            return queue.popleft() if queue else None

    def game(self, game_id: int) -> dict[str, Any] | None:
        with self.lock:
            return next((g for g in self.games if g["id"] == game_id), None)

    def vendor_of(self, game_id: int) -> str | None:
        game = self.game(game_id)
        return game["vendor"] if game else catalog_data.game_vendor(game_id)


# --- The APIs --------------------------------------------------------------------------------


class ApiAnswer(Exception):
    """An early answer (error status) from inside a handler."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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


# --- Game launch (GAME_LAUNCH_HOST) -----------------------------------------------------------


def wallet_call(state: SimulatorState, command: str, data: dict[str, Any]) -> dict[str, Any]:
    """Call the operator wallet as the PLATFORM does (signed request, verified answer); the
    answer's data with its status under "_status".

    Raises ApiAnswer(502) when the wallet cannot be reached or its answer does not verify.
    """
    assert state.wallet_url
    timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    body = {
        "command": command,
        "request_timestamp": timestamp,
        "hash": _sha1(command + timestamp + state.secret_key),
        "data": data,
    }
    url = state.wallet_url.rstrip("/") + "/" + command
    try:
        response = requests.post(
            url,
            data=_json_bytes(body),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Authorization": _sha1(command + state.secret_key),
                "X-Operator-Id": state.operator_id,
            },
            timeout=(3, 5),
        )
    except requests.RequestException as exc:
        raise ApiAnswer(502, f"wallet unreachable: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise ApiAnswer(502, f"wallet answered HTTP {response.status_code} (treated as OP_50)")
    try:
        reply = json.loads(response.content, parse_float=Decimal)["response"]
        expected = _sha1(reply["status"] + reply["response_timestamp"] + state.secret_key)
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiAnswer(502, "wallet answer is not a valid envelope") from exc
    if not hmac.compare_digest(str(reply.get("hash", "")), expected):
        raise ApiAnswer(502, "wallet answer hash does not verify")
    answer: dict[str, Any] = dict(reply.get("data") or {})
    answer["_status"] = reply["status"]
    return answer


def wallet_authenticate(state: SimulatorState, token: str) -> dict[str, Any]:
    return wallet_call(state, "authenticate", {"token": token})


STAKES = (Decimal("0.10"), Decimal("0.50"), Decimal("1.00"), Decimal("5.00"))


@dataclass(frozen=True)
class SpinOutcome:
    message: str
    balance: Decimal | None
    error_code: str = ""


def _changebalance(
    state: SimulatorState,
    *,
    token: str | None,
    user_id: str,
    game: dict[str, Any],
    currency: str,
    kind: str,
    amount: Decimal,
    transaction_id: int,
    round_id: int,
    history_id: str,
    reason: str,
    round_finished: bool,
) -> dict[str, Any]:
    """One changebalance to the wallet, recorded in the book with its outcome."""
    timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    try:
        answer = wallet_call(
            state,
            "changebalance",
            {
                "token": token,
                "user_id": user_id,
                "transaction_type": kind,
                "transaction_id": transaction_id,
                "round_id": round_id,
                "round_finished": round_finished,
                "game_id": game["id"],
                "currency_code": currency,
                "amount": amount,
                "transaction_timestamp": timestamp,
                "context": {"reason": reason, "history_id": history_id},
            },
        )
        status = "OK" if answer["_status"] == "OK" else "ERROR"
    except ApiAnswer as exc:
        answer, status = {"_status": "NO_ANSWER", "error_message": exc.message}, "NO_ANSWER"
    state.book.record(
        BookTransaction(
            operator_id=state.operator_id,
            transaction_id=transaction_id,
            transaction_type=kind,
            round_id=round_id,
            user_id=user_id,
            game_id=game["id"],
            vendor=game["vendor"],
            currency_code=currency,
            amount=amount,
            transaction_timestamp=timestamp,
            reason=reason,
            history_id=history_id,
            status=status,
            error_code=str(answer.get("error_code", "")) if status == "ERROR" else "",
            balance_after=answer.get("balance") if status == "OK" else None,
        )
    )
    return answer


def play_spin(
    state: SimulatorState,
    *,
    token: str,
    user_id: str,
    game: dict[str, Any],
    currency: str,
    stake: Decimal,
) -> SpinOutcome:
    """One round of the fake game: a BET of `stake`, then (if accepted) its WIN, possibly 0."""
    round_id = secrets.randbelow(2**52)
    history_id = f"{round_id}-{secrets.token_hex(4)}"
    common: dict[str, Any] = {
        "user_id": user_id,
        "game": game,
        "currency": currency,
        "round_id": round_id,
    }
    bet = _changebalance(
        state,
        token=token,
        kind="BET",
        amount=stake,
        transaction_id=secrets.randbelow(2**52),
        history_id=history_id,
        reason="SPIN",
        round_finished=False,
        **common,
    )
    if bet["_status"] != "OK":
        return SpinOutcome(
            message=str(bet.get("error_message", "the bet was not accepted")),
            balance=None,
            error_code=str(bet.get("error_code", "OP_50")),
        )
    draw = random.random()
    multiplier = (
        Decimal(0)
        if draw < 0.55
        else Decimal(str(round(random.uniform(0.5, 2), 1)))
        if draw < 0.9
        else Decimal(random.randint(2, 10))
    )
    won = (stake * multiplier).quantize(CENT)
    win = _changebalance(
        state,
        token=token,
        kind="WIN",
        amount=won,
        transaction_id=secrets.randbelow(2**52),
        history_id=history_id,
        reason="SPIN",
        round_finished=True,
        **common,
    )
    if win["_status"] != "OK":
        return SpinOutcome(
            message=str(win.get("error_message", "the win was not credited")),
            balance=None,
            error_code=str(win.get("error_code", "OP_50")),
        )
    message = f"You won {won} {currency}!" if won else "No win this time."
    return SpinOutcome(message=message, balance=win.get("balance"))


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; background: #0d1117; color: #e6edf3; margin: 0; }}
main {{ max-width: 720px; margin: 3rem auto; padding: 0 1rem; }}
.card {{ background: #161b22; border: 1px solid #30363d; border-radius: 12px; padding: 1.5rem; }}
.reels {{ font-size: 3rem; letter-spacing: .5rem; text-align: center; margin: 1rem 0; }}
.error {{ border-color: #f85149; }} .code {{ color: #f85149; font-weight: bold; }}
a {{ color: #58a6ff; }} dt {{ color: #8b949e; }} dd {{ margin: 0 0 .5rem 0; font-size: 1.2rem; }}
</style></head>
<body><main><div class="card {css}" data-testid="launch">{content}</div></main></body></html>
"""


def _page(title: str, content: str, css: str = "") -> bytes:
    return _PAGE.format(title=html.escape(title), content=content, css=css).encode()


def launch_page(
    state: SimulatorState, query: dict[str, list[str]], *, spin: bool = False
) -> tuple[int, bytes]:
    """The fake game behind GAME_LAUNCH_HOST. `spin` (a POST from its form) plays one round."""

    def arg(name: str) -> str:
        return (query.get(name) or [""])[0]

    mode, token, currency = arg("mode"), arg("token"), arg("currency")
    game_id_raw, lobby_id, home_url = arg("game_id"), arg("lobby_id"), arg("home_url")
    back = (
        f'<p><a href="{html.escape(home_url)}" data-testid="home">Back to the casino</a></p>'
        if home_url.startswith(("http://", "https://"))
        else ""
    )

    def error(status: int, code: str, message: str) -> tuple[int, bytes]:
        content = (
            f"<h1>Game could not be launched</h1>"
            f'<p class="code" data-testid="error-code">{html.escape(code)}</p>'
            f"<p>{html.escape(message)}</p>{back}"
        )
        return status, _page("Launch error", content, "error")

    if arg("operator_id") != state.operator_id:
        return error(400, "UNKNOWN_OPERATOR", "operator_id does not match this PLATFORM account")
    if mode not in ("real", "fun"):
        return error(400, "BAD_MODE", "mode must be real or fun")
    game: dict[str, Any] | None = None
    if lobby_id:  # lobby_id wins over game_id
        with state.lock:
            lobby = next((x for x in state.lobbies if x["lobby_id"] == lobby_id), None)
        if lobby is None:
            return error(404, "UNKNOWN_LOBBY", f"lobby {lobby_id} is not available")
        title = lobby["details"].get("title", lobby_id)
        vendor = lobby["vendor"]
        fun_mode = False
    else:
        if not game_id_raw.isdigit():
            return error(400, "BAD_GAME", "game_id is required")
        game = state.game(int(game_id_raw))
        if game is None or not int(game["enabled"]):
            return error(404, "GAME_UNAVAILABLE", f"game {game_id_raw} is not available")
        title, vendor, fun_mode = game["title"], game["vendor"], bool(int(game["fun_mode"]))
    heading = f"<h1>{html.escape(title)}</h1><p>{html.escape(vendor)}</p>"
    reels = '<div class="reels" aria-hidden="true">&#9830; &#9733; 7</div>'
    if mode == "fun":
        if lobby_id or not fun_mode:
            return error(400, "FUN_MODE_UNSUPPORTED", "this game has no fun mode")
        content = (
            f"{heading}{reels}<dl><dt>Mode</dt><dd data-testid='mode'>Demo (fun money)</dd>"
            f"<dt>Balance</dt><dd data-testid='balance'>1000.00 FUN</dd></dl>{back}"
        )
        return 200, _page(f"{title} (demo)", content)
    if not TOKEN_RE.match(token):
        return error(400, "BAD_TOKEN", "token must be 20-50 characters [A-Za-z0-9]")
    if not state.wallet_url:
        content = (
            f"{heading}{reels}<p data-testid='mode'>Real mode (no wallet configured: "
            f"the simulator was started without --wallet-url)</p>{back}"
        )
        return 200, _page(title, content)
    try:
        data = wallet_authenticate(state, token)
    except ApiAnswer as exc:
        return error(502, "OP_50", exc.message)
    if data.get("_status") != "OK":
        return error(
            403,
            str(data.get("error_code", "OP_50")),
            str(data.get("error_message", "authenticate failed")),
        )
    if currency and data.get("currency_code") != currency:
        return error(400, "OP_30", "the launch currency is not the player's currency")
    name = data.get("display_name") or data.get("user_name") or data.get("user_id")
    balance, outcome = data.get("balance"), ""
    if spin and not lobby_id:
        try:
            stake = Decimal(arg("stake"))
        except ArithmeticError:
            stake = Decimal(0)
        if stake not in STAKES:
            return error(400, "BAD_STAKE", "choose one of the offered stakes")
        assert game is not None
        result = play_spin(
            state,
            token=token,
            user_id=str(data["user_id"]),
            game=game,
            currency=str(data["currency_code"]),
            stake=stake,
        )
        if result.error_code:
            outcome = (
                f'<p class="code" data-testid="outcome">{html.escape(result.error_code)}: '
                f"{html.escape(result.message)}</p>"
            )
        else:
            balance = result.balance
            outcome = f'<p data-testid="outcome">{html.escape(result.message)}</p>'
    form = ""
    if not lobby_id:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(arg(k))}">'
            for k in ("mode", "game_id", "token", "currency", "language", "operator_id", "home_url")
        )
        options = "".join(
            f'<option value="{s}"{" selected" if s == Decimal("1.00") else ""}>{s}</option>'
            for s in STAKES
        )
        form = (
            f'<form method="post" action="/launch/spin">{hidden}'
            f'<label>Stake <select name="stake">{options}</select></label> '
            f'<button type="submit" data-testid="spin">Spin</button></form>'
        )
    content = (
        f"{heading}{reels}{outcome}<dl>"
        f"<dt>Player</dt><dd data-testid='player'>{html.escape(str(name))}</dd>"
        f"<dt>Balance</dt><dd data-testid='balance'>"
        f"{html.escape(str(balance))} {html.escape(str(data.get('currency_code')))}"
        f"</dd><dt>Mode</dt><dd data-testid='mode'>Real money</dd></dl>{form}{back}"
    )
    return 200, _page(title, content)


def hand_page(state: SimulatorState, transaction_id: str, history_id: str) -> tuple[int, bytes]:
    if not transaction_id.isdigit():
        return 404, _page("Not found", "<h1>Unknown round</h1>", "error")
    tx = state.book.get(operator_id=state.operator_id, transaction_id=int(transaction_id))
    rows = [("Transaction", transaction_id), ("History id", history_id)]
    if tx is not None:
        rows += [
            ("Type", tx.transaction_type),
            ("Round", str(tx.round_id)),
            ("Game", str(tx.game_id)),
            ("Amount", f"{tx.amount} {tx.currency_code}"),
            ("Time (UTC)", tx.transaction_timestamp),
        ]
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    return 200, _page("Round history", f"<h1>Round history</h1><dl>{items}</dl>")


# --- HTTP plumbing --------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _SimulatorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator %s - " + format, self.address_string(), *args)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        try:
            if path.startswith("/api/generic/"):
                self._api(state, path.removeprefix("/api/generic/"), query)
            elif path.startswith("/media/"):
                self._media(state, path, query)
            elif path.rstrip("/") == "/launch" or path == "/":
                status, body = launch_page(state, query)
                self._send(status, body, "text/html; charset=utf-8")
            elif path.startswith("/hand/") and path.count("/") == 3:
                _, _, tid, hid = path.split("/")
                status, body = hand_page(state, tid, unquote(hid))
                self._send(status, body, "text/html; charset=utf-8")
            else:
                self._send(404, b'{"error":"Not Found"}')
        except BrokenPipeError:  # the client gave up (e.g. its read timeout)
            logger.debug("simulator: client went away during %s", path)

    def do_POST(self) -> None:
        """The fake game's Spin form (application/x-www-form-urlencoded)."""
        if urlsplit(self.path).path.rstrip("/") != "/launch/spin":
            self._send(404, b'{"error":"Not Found"}')
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > 8192:
            self._send(413, b'{"error":"Payload Too Large"}')
            return
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True)
        status, body = launch_page(self.server.state, form, spin=True)
        self._send(status, body, "text/html; charset=utf-8")

    def _api(self, state: SimulatorState, route: str, query: dict[str, list[str]]) -> None:
        api = "handHistory" if route.startswith("handHistory/") else API_NAMES.get(route, "")
        if not api:
            self._send(404, b'{"error":"Not Found"}')
            return
        with state.lock:
            state.requests[api] += 1
        expected = _sha1(api + state.operator_id + state.secret_key)
        given = self.headers.get("X-Authorization", "").strip().lower()
        if self.headers.get("X-Operator-Id") != state.operator_id or not hmac.compare_digest(
            given.encode(), expected.encode()
        ):
            self._send(403, b'{"error":"Forbidden"}')
            return
        fault = state.take_fault(api)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                self._send(fault.status, fault.body, fault.content_type)
                return
        try:
            if api == "games":
                answer = api_games(state)
            elif api == "lobbies":
                answer = api_lobbies(state)
            elif api == "businessReport":
                answer = api_business_report(state, query)
            elif api == "ggrLimits":
                answer = api_ggr_limits(state)
            elif api == "balanceLimits":
                answer = api_balance_limits(state, query)
            else:
                segments = route.split("/")
                if len(segments) != 3:
                    raise ApiAnswer(404, "handHistory/{transaction_id}/{history_id}")
                answer = api_hand_history(
                    state, segments[1], unquote(segments[2]), self.headers.get("X-Vendor-Id", "")
                )
        except ApiAnswer as exc:
            self._send(exc.status, _json_bytes({"error": exc.message}))
            return
        self._send(200, _json_bytes(answer))

    def _media(self, state: SimulatorState, path: str, query: dict[str, list[str]]) -> None:
        match = re.fullmatch(r"/media/(thumb|lobby)/([A-Za-z0-9_.-]+)\.svg", path)
        if not match:
            self._send(404, b'{"error":"Not Found"}')
            return
        kind, key = match.groups()
        size = re.fullmatch(r"(\d{2,4})x(\d{2,4})", (query.get("size") or ["300x300"])[0])
        width, height = (int(size.group(1)), int(size.group(2))) if size else (300, 300)
        if kind == "thumb":
            game = state.game(int(key)) if key.isdigit() else None
            if game is None:
                self._send(404, b'{"error":"Not Found"}')
                return
            title, subtitle, vendor = game["title"], game["type"], game["vendor"]
        else:
            with state.lock:
                lobby = next((x for x in state.lobbies if x["lobby_id"] == key), None)
            if lobby is None:
                self._send(404, b'{"error":"Not Found"}')
                return
            title, subtitle = lobby["details"].get("title", key), "lobby"
            vendor = lobby["vendor"]
        known = catalog_data.VENDOR_BY_CODE.get(vendor)
        svg = catalog_data.thumbnail_svg(
            title=title,
            subtitle=f"{known.name if known else vendor} · {subtitle}",
            colour=known.colour if known else "#30363d",
            width=width,
            height=height,
        )
        self._send(200, svg.encode(), "image/svg+xml")


class _SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SimulatorState) -> None:
        self.state = state
        super().__init__(address, _Handler)


def build_state(
    *,
    operator_id: str,
    secret_key: str,
    public_url: str,
    wallet_url: str | None = None,
    book_path: str | Path | None = None,
    entity_name: str | None = None,
    game_count: int = catalog_data.DEFAULT_GAME_COUNT,
    **limits: Any,
) -> SimulatorState:
    """A simulator's state: the generated catalog with URLs under `public_url`, the book, and
    the limits (keyword arguments named like the SimulatorState fields)."""
    state = SimulatorState(
        operator_id=operator_id,
        secret_key=secret_key,
        public_url=public_url.rstrip("/"),
        wallet_url=wallet_url or None,
        entity_name=entity_name or operator_id,
        book=LedgerBook(book_path),
        games=catalog_data.generate_games(media_base=public_url, count=game_count),
        lobbies=catalog_data.generate_lobbies(media_base=public_url),
    )
    for name, value in limits.items():
        if not hasattr(state, name):
            raise TypeError(f"unknown simulator setting {name!r}")
        setattr(state, name, value)
    return state


@dataclass(frozen=True)
class RunningSimulator:
    url: str
    stop: Callable[[], None]
    state: SimulatorState

    def __iter__(self) -> Iterator[Any]:  # url, stop = start_in_thread(...)
        return iter((self.url, self.stop))


def make_server(*, host: str = "127.0.0.1", port: int = 0, **settings: Any) -> _SimulatorServer:
    """Bind the simulator (port 0: any free port); `settings` go to :func:`build_state`."""
    server = _SimulatorServer((host, port), SimulatorState(operator_id="", secret_key=""))
    bound_port = server.server_address[1]
    server.state = build_state(public_url=f"http://{host}:{bound_port}", **settings)
    return server


def start_in_thread(*, port: int = 0, host: str = "127.0.0.1", **settings: Any) -> RunningSimulator:
    """Serve the simulator from a daemon thread. `stop()` shuts it down and frees the port."""
    server = make_server(host=host, port=port, **settings)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return RunningSimulator(url=server.state.public_url, stop=stop, state=server.state)
