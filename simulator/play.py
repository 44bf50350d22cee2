"""`simulate_play`: the PLATFORM playing against an operator's wallet over HTTP.

Signed exactly as the PLATFORM signs (spec: X-Authorization header, Request and response
signing): ``X-Operator-Id``, ``X-Authorization = sha1(command + secret)``, body
``hash = sha1(command + request_timestamp + secret)``; every answer's hash
``sha1(status + response_timestamp + secret)`` is verified, and so is the echo of the request.

Each simulated player is played by one thread at a time (a player plays one round at a time),
players in parallel on a thread pool. A player's rounds: a launch (a session from our
`session_create` service, then authenticate), balance, a BET, sometimes an identical retry
(expect the same answer) or a retry with changed data (expect OP_40), sometimes a cancel of the
BET, a WIN (some PROMO-FREESPIN or JACKPOT-WIN, some with token null) or a REFUND, a finishround,
status checks, and now and then a BET over the balance (expect OP_31) or a cancel that arrives
before its transaction (expect OP_41, then OP_49 for the transaction). The player's balance is
tracked from the answers: every OK answer must show the balance the arithmetic says.

Every changebalance sent is written to the simulator's `LedgerBook` with the wallet's answer,
and every accepted cancel marks it canceled there: the simulator's business report is computed
from that book, never from our ledger, so reconciliation compares two independent books.

A PLATFORM retries a call answered OP_50 or OP_47, or not answered at all; a BET still without
an answer after the retries is canceled (spec: OP_47). Anything that is not the answer the
protocol and the arithmetic call for is an "unexpected answer": the command exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import requests
from django.db import OperationalError, connection

from catalog.models import Game
from platform_wallet.models import Operator, Player, ResponsibleGamblingLimits, Wallet
from platform_wallet.protocol import dumps
from platform_wallet.services.accounts import player_upsert
from platform_wallet.services.sessions import session_create
from simulator import catalog_data
from simulator.ledger_book import BookTransaction, LedgerBook

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
TRANSIENT_CODES = frozenset({"OP_47", "OP_50"})
DEMO_OPENING_BALANCE = Decimal("1000.00")
UNKNOWN_VENDOR = "unknown"
T = TypeVar("T")


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)


# --- Ids: unique across runs (the wallet remembers every transaction id forever) -------------

_id_lock = threading.Lock()
_id_counter = itertools.count(1)
_id_base = int(time.time() * 1000) * 1000


def new_id() -> int:
    """A fresh PLATFORM id (transaction or round), unique across runs: milliseconds at start
    times a thousand plus a counter. Fits a BIGINT for the next few hundred thousand years."""
    with _id_lock:
        return _id_base + next(_id_counter)


# --- Configuration and results -----------------------------------------------------------


@dataclass(frozen=True)
class PlayGame:
    game_id: int
    vendor: str


@dataclass(frozen=True)
class PlayPlayer:
    player_pk: int
    user_id: str
    currency: str
    has_limits: bool


@dataclass
class PlayConfig:
    operator_id: str
    secret_key: str
    wallet_url: str
    rounds: int
    concurrency: int
    book: LedgerBook
    seed: int | None = None
    timeout: float = 10.0
    retries: int = 3
    retry_delay: float = 0.2


@dataclass
class PlaySummary:
    calls: Counter[str] = field(default_factory=Counter)
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    unexpected: list[str] = field(default_factory=list)
    transactions: int = 0
    players: int = 0
    rounds: int = 0
    elapsed: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def count(self, command: str, status: str | None, code: str | None) -> None:
        with self._lock:
            self.calls[command] += 1
            if status == "OK":
                self.ok += 1
            elif status == "ERROR" and code:
                self.errors[code] += 1
            elif status is None:
                self.errors["no answer"] += 1

    def flag(self, message: str) -> None:
        with self._lock:
            self.unexpected.append(message)
        logger.warning("unexpected answer: %s", message)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


# --- The wire -----------------------------------------------------------------------------


@dataclass
class Answer:
    http_status: int | None
    status: str | None = None  # OK | ERROR, None when no (valid) answer
    data: dict[str, Any] = field(default_factory=dict)
    problem: str = ""  # why the answer is not a valid signed envelope

    @property
    def error_code(self) -> str | None:
        return self.data.get("error_code") if self.status == "ERROR" else None

    @property
    def transient(self) -> bool:
        """Retried by the PLATFORM: OP_47, OP_50, an HTTP error other than 403, or nothing."""
        if self.http_status == 403:
            return False
        return self.status is None or self.error_code in TRANSIENT_CODES

    def describe(self) -> str:
        if self.status == "OK":
            return "OK"
        if self.status == "ERROR":
            return f"ERROR {self.error_code}"
        return self.problem or f"HTTP {self.http_status}"


class WalletWire:
    """Sends signed calls to the wallet and checks every answer's signature and echo."""

    def __init__(self, config: PlayConfig, summary: PlaySummary) -> None:
        self.config = config
        self.summary = summary
        self.base = config.wallet_url.rstrip("/")
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def call(self, command: str, data: dict[str, Any], *, count: bool = True) -> Answer:
        secret = self.config.secret_key
        timestamp = utc_now()
        request = {
            "command": command,
            "request_timestamp": timestamp,
            "hash": sha1(command + timestamp + secret),
            "data": data,
        }
        body = dumps(request).encode()
        try:
            response = self._session().post(
                f"{self.base}/{command}",
                data=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "X-Operator-Id": self.config.operator_id,
                    "X-Authorization": sha1(command + secret),
                },
                timeout=self.config.timeout,
            )
        except requests.RequestException as exc:
            answer = Answer(None, problem=f"no answer ({type(exc).__name__})")
        else:
            answer = self._check(command, request, response)
        if count:
            self.summary.count(command, answer.status, answer.error_code)
        return answer

    def _check(self, command: str, request: dict[str, Any], response: requests.Response) -> Answer:
        if response.status_code != 200:
            return Answer(response.status_code, problem=f"HTTP {response.status_code}")
        where = f"{command}: "
        try:
            body = json.loads(response.content.decode("utf-8"), parse_float=Decimal)
            reply = body["response"]
            status = reply["status"]
            stamp = reply["response_timestamp"]
            digest = reply["hash"]
            data = reply["data"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            return Answer(200, problem=f"{where}not a signed envelope ({exc!r})")
        if status not in ("OK", "ERROR") or not isinstance(data, dict):
            return Answer(200, problem=f"{where}status {status!r} / data not an object")
        if digest != sha1(str(status) + str(stamp) + self.config.secret_key):
            return Answer(200, problem=f"{where}response hash does not verify")
        if body.get("request") != json.loads(dumps(request), parse_float=Decimal):
            return Answer(200, problem=f"{where}the request is not passed back unchanged")
        if status == "ERROR" and not str(data.get("error_code", "")).startswith("OP_"):
            return Answer(200, problem=f"{where}ERROR without an OP_xx error_code")
        return Answer(200, status=status, data=data)


# --- A player's session of play -----------------------------------------------------------


def _db_retrying(work: Callable[[], T], attempts: int = 6) -> T:
    """Our database work (a launch's new session) retried a few times when the database is
    busy: SQLite (the demo, and tests on an in-memory database) locks whole tables while the
    wallet writes."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError:
            if attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(CENT)
    except (ArithmeticError, ValueError):
        return None


class PlayerRun:
    """One player's rounds, played sequentially; its expected balance tracked throughout."""

    def __init__(
        self,
        *,
        config: PlayConfig,
        wire: WalletWire,
        summary: PlaySummary,
        player: PlayPlayer,
        games: list[PlayGame],
        rng: random.Random,
    ) -> None:
        self.config = config
        self.wire = wire
        self.summary = summary
        self.player = player
        self.games = games
        self.rng = rng
        self.token: str | None = None
        self.game: PlayGame = rng.choice(games)
        self.balance: Decimal | None = None  # as the wallet last showed it

    # -- expectations --

    def expect(
        self,
        what: str,
        answer: Answer,
        ok: bool,
        codes: Iterable[str] = (),
        balance: Decimal | None = None,
    ) -> bool:
        """Check an answer against the expected outcome: OK (with `balance` when given) or an
        ERROR with one of `codes`. Returns True when the answer is the expected one."""
        allowed = set(codes)
        label = f"player {self.player.user_id} {what}"
        if answer.status is None:
            self.summary.flag(f"{label}: {answer.describe()}")
            return False
        if answer.status == "OK" and not ok:
            self.summary.flag(f"{label}: OK where {'/'.join(sorted(allowed))} was expected")
            return False
        if answer.status == "ERROR" and answer.error_code not in allowed:
            expected = "OK" if ok else "/".join(sorted(allowed))
            self.summary.flag(f"{label}: {answer.describe()} where {expected} was expected")
            return False
        if answer.status == "OK" and balance is not None:
            shown = _money(answer.data.get("balance"))
            if shown != balance:
                self.summary.flag(f"{label}: balance {shown}, expected {balance}")
                return False
            if answer.data.get("currency_code") != self.player.currency:
                self.summary.flag(f"{label}: currency {answer.data.get('currency_code')!r}")
                return False
        return True

    def call_retrying(self, command: str, data: dict[str, Any]) -> Answer:
        """A call retried identically while the wallet answers OP_47/OP_50 or nothing."""
        answer = self.wire.call(command, data)
        attempt = 0
        while answer.transient and attempt < self.config.retries:
            attempt += 1
            self.summary.add(retried=1)
            time.sleep(self.config.retry_delay * attempt)
            answer = self.wire.call(command, data)
        return answer

    # -- commands --

    def launch(self) -> None:
        """A game launch: a new session token from our service, then authenticate."""
        self.game = self.rng.choice(self.games)
        self.token = _db_retrying(
            lambda: (
                session_create(
                    player=Player.objects.get(pk=self.player.player_pk),
                    currency=self.player.currency,
                    game_id=self.game.game_id,
                ).token
            )
        )
        answer = self.call_retrying("authenticate", {"token": self.token})
        if not self.expect("authenticate", answer, ok=True, balance=self.balance):
            self.balance = None  # cannot play on: the run of this player ends
            return
        if answer.data.get("user_id") != self.player.user_id:
            self.summary.flag(
                f"player {self.player.user_id} authenticate: user_id {answer.data.get('user_id')!r}"
            )
        self.balance = _money(answer.data.get("balance"))

    def check_balance(self) -> None:
        answer = self.call_retrying(
            "balance",
            {
                "token": self.token,
                "user_id": self.player.user_id,
                "currency_code": self.player.currency,
            },
        )
        self.expect("balance", answer, ok=True, balance=self.balance)

    def changebalance(
        self,
        *,
        transaction_type: str,
        amount: Decimal,
        round_id: int,
        round_finished: bool | None,
        transaction_id: int | None = None,
        reason: str = "not_provided",
        token: str | None = "",
    ) -> tuple[dict[str, Any], Answer]:
        transaction_id = transaction_id or new_id()
        data: dict[str, Any] = {
            "token": self.token if token == "" else token,
            "user_id": self.player.user_id,
            "transaction_type": transaction_type,
            "transaction_id": transaction_id,
            "round_id": round_id,
            "round_finished": round_finished,
            "game_id": self.game.game_id,
            "currency_code": self.player.currency,
            "amount": amount,
            "transaction_timestamp": utc_now(),
            "context": {"reason": reason, "history_id": f"{round_id}-{transaction_id % 100000}"},
        }
        answer = self.call_retrying("changebalance", data)
        self.record(data, answer)
        self.summary.add(transactions=1)
        if transaction_type == "BET" and answer.transient and answer.http_status != 403:
            # Still no answer after the retries: the PLATFORM cancels the BET (spec: OP_47).
            cancel = self.cancel(transaction_id, round_id, round_finished=True)
            self.expect("cancel of an unanswered BET", cancel, ok=True, codes={"OP_41"})
        return data, answer

    def record(self, data: dict[str, Any], answer: Answer) -> None:
        if answer.status == "OK":
            status, code = "OK", ""
        elif answer.status == "ERROR":
            status, code = "ERROR", str(answer.error_code)
        else:
            status, code = "NO_ANSWER", ""
        self.config.book.record(
            BookTransaction(
                operator_id=self.config.operator_id,
                transaction_id=data["transaction_id"],
                transaction_type=data["transaction_type"],
                round_id=data["round_id"],
                user_id=self.player.user_id,
                game_id=self.game.game_id,
                vendor=self.game.vendor,
                currency_code=self.player.currency,
                amount=data["amount"],
                transaction_timestamp=data["transaction_timestamp"],
                reason=data["context"]["reason"],
                history_id=data["context"]["history_id"],
                status=status,
                error_code=code,
                balance_after=_money(answer.data.get("balance")) if status == "OK" else None,
            )
        )

    def cancel(self, transaction_id: int, round_id: int, *, round_finished: bool | None) -> Answer:
        answer = self.call_retrying(
            "cancel",
            {
                "user_id": self.player.user_id,
                "transaction_id": transaction_id,
                "round_id": round_id,
                "round_finished": round_finished,
                "game_id": self.game.game_id,
            },
        )
        if answer.status == "OK":
            self.config.book.mark_canceled(
                operator_id=self.config.operator_id, transaction_id=transaction_id
            )
        return answer

    def status(self, transaction_id: int, transaction_type: str, round_id: int) -> Answer:
        now = dt.datetime.now(dt.UTC)
        return self.call_retrying(
            "status",
            {
                "user_id": self.player.user_id,
                "transaction_id": transaction_id,
                "transaction_type": transaction_type,
                "transaction_date": now.strftime("%Y-%m-%d"),
                "transaction_ts": str(int(now.timestamp() * 1000)),
                "round_id": round_id,
            },
        )

    def finishround(self, round_id: int) -> Answer:
        now = dt.datetime.now(dt.UTC)
        return self.call_retrying(
            "finishround",
            {
                "round_id": round_id,
                "user_id": self.player.user_id,
                "game_id": self.game.game_id,
                "round_date": now.strftime("%Y-%m-%d"),
                "round_ts": str(int(now.timestamp() * 1000)),
            },
        )

    # -- the rounds --

    def play(self) -> None:
        self.launch()
        for n in range(self.config.rounds):
            if n and self.rng.random() < 0.2:
                self.launch()  # another game: a new launch, a new token
            if self.balance is None:
                return  # the launch failed: already reported
            if self.rng.random() < 0.3:
                self.check_balance()
            self.play_round()
            self.summary.add(rounds=1)
        if self.balance is not None:
            self.check_balance()

    def play_round(self) -> None:
        assert self.balance is not None
        rng = self.rng
        round_id = new_id()
        if rng.random() < 0.03:
            self.cancel_before_arrival(round_id)
            return
        if rng.random() < 0.04 or self.balance < Decimal("0.10"):
            self.overdraft(round_id)
            return
        top = min(self.balance, Decimal("5.00"))
        bet = (Decimal(rng.randint(10, max(10, int(top * 100)))) / 100).quantize(CENT)
        data, answer = self.changebalance(
            transaction_type="BET", amount=bet, round_id=round_id, round_finished=False
        )
        limits = {"OP_32"} if self.player.has_limits else set()
        if not self.expect("BET", answer, ok=True, codes=limits, balance=self.balance - bet):
            return
        if answer.status != "OK":
            return  # refused by the player's limits: nothing moved
        self.balance -= bet
        bet_id = data["transaction_id"]
        if rng.random() < 0.15:  # an identical retry: the same answer, nothing moves again
            retry = self.call_retrying("changebalance", data)
            self.summary.add(transactions=1)
            self.expect("identical BET retry", retry, ok=True, balance=self.balance)
        if rng.random() < 0.05:  # the same id with changed data: OP_40
            changed = {**data, "amount": bet + Decimal("1.00")}
            retry = self.call_retrying("changebalance", changed)
            self.summary.add(transactions=1)
            self.expect("BET retry with changed data", retry, ok=False, codes={"OP_40"})
        if rng.random() < 0.08:  # the BET canceled: the stake comes back
            cancel = self.cancel(bet_id, round_id, round_finished=True)
            if self.expect("cancel of a BET", cancel, ok=True):
                self.balance += bet
                self.expect_status(bet_id, "BET", round_id, "CANCELED")
            return
        if rng.random() < 0.1:
            self.expect_status(bet_id, "BET", round_id, "OK")
        self.settle(round_id, bet)

    def settle(self, round_id: int, bet: Decimal) -> None:
        """The round's outcome: a REFUND, a WIN (maybe zero), or a finishround alone."""
        assert self.balance is not None
        rng = self.rng
        draw = rng.random()
        if draw < 0.07:
            kind, amount, reason = "REFUND", bet, "REFUND"
        elif draw < 0.55:
            multiplier = Decimal(rng.choice((1, 2, 2, 3, 5, 10))) / 2
            amount = (bet * multiplier).quantize(CENT)
            reason = rng.choice(("SPIN",) * 8 + ("PROMO-FREESPIN", "JACKPOT-WIN"))
            kind = "WIN"
        elif draw < 0.8:
            kind, amount, reason = "WIN", Decimal("0.00"), "SPIN"
        else:
            answer = self.finishround(round_id)
            self.expect("finishround", answer, ok=True)
            return
        token = None if rng.random() < 0.2 else ""  # WIN and REFUND may come with token null
        data, answer = self.changebalance(
            transaction_type=kind,
            amount=amount,
            round_id=round_id,
            round_finished=True,
            reason=reason,
            token=token,
        )
        if not self.expect(kind, answer, ok=True, balance=self.balance + amount):
            return
        self.balance += amount
        if rng.random() < 0.1:
            retry = self.call_retrying("changebalance", data)
            self.summary.add(transactions=1)
            self.expect(f"identical {kind} retry", retry, ok=True, balance=self.balance)
        if kind == "WIN" and amount and rng.random() < 0.04:  # a WIN taken back
            cancel = self.cancel(data["transaction_id"], round_id, round_finished=True)
            if self.expect("cancel of a WIN", cancel, ok=True):
                self.balance -= amount

    def overdraft(self, round_id: int) -> None:
        """A BET over the balance: OP_31, nothing moves."""
        assert self.balance is not None
        amount = self.balance + Decimal("1.00")
        _data, answer = self.changebalance(
            transaction_type="BET", amount=amount, round_id=round_id, round_finished=True
        )
        self.expect("BET over the balance", answer, ok=False, codes={"OP_31"})

    def cancel_before_arrival(self, round_id: int) -> None:
        """A cancel that overtakes its BET: OP_41; the BET, arriving later, is refused (OP_49)."""
        transaction_id = new_id()
        cancel = self.cancel(transaction_id, round_id, round_finished=True)
        self.expect("cancel before its BET", cancel, ok=False, codes={"OP_41"})
        _data, answer = self.changebalance(
            transaction_type="BET",
            amount=Decimal("1.00"),
            round_id=round_id,
            round_finished=True,
            transaction_id=transaction_id,
        )
        self.expect("BET after its cancel", answer, ok=False, codes={"OP_49"})

    def expect_status(
        self, transaction_id: int, transaction_type: str, round_id: int, expected: str
    ) -> None:
        answer = self.status(transaction_id, transaction_type, round_id)
        if self.expect("status", answer, ok=True):
            shown = answer.data.get("transaction_status")
            if shown != expected:
                self.summary.flag(
                    f"player {self.player.user_id} status of {transaction_id}: {shown!r}, "
                    f"expected {expected}"
                )


# --- Set-up: players and games ------------------------------------------------------------


def play_players_prepare(
    *, operator: Operator, count: int, currency: str = "EUR"
) -> list[PlayPlayer]:
    """`count` players of the operator who can play: existing ones that are neither blocked nor
    closed and have a wallet, then new demo players (``sim-1``, ``sim-2``, ... with an opening
    balance of 1000.00 in `currency`) for the rest."""
    players: list[PlayPlayer] = []
    limited = set(
        ResponsibleGamblingLimits.objects.filter(player__operator=operator).values_list(
            "player_id", flat=True
        )
    )
    wallets = (
        Wallet.objects.filter(
            player__operator=operator, player__is_blocked=False, player__is_closed=False
        )
        .select_related("player")
        .order_by("player__user_id", "currency")
    )
    seen: set[int] = set()
    for wallet in wallets:
        if len(players) >= count:
            break
        if wallet.player_id in seen:
            continue
        seen.add(wallet.player_id)
        players.append(
            PlayPlayer(
                player_pk=wallet.player_id,
                user_id=wallet.player.user_id,
                currency=wallet.currency,
                has_limits=wallet.player_id in limited,
            )
        )
    n = 0
    while len(players) < count:
        n += 1
        user_id = f"sim-{n}"
        if any(p.user_id == user_id for p in players):
            continue
        player, wallet, _ = player_upsert(
            operator=operator,
            user_id=user_id,
            user_name=f"sim_player_{n}",
            country="Malta",
            currency=currency,
            opening_balance=DEMO_OPENING_BALANCE,
            display_name=f"Sim {n}",
        )
        if player.is_blocked or player.is_closed:
            continue
        players.append(
            PlayPlayer(
                player_pk=player.pk,
                user_id=player.user_id,
                currency=wallet.currency,
                has_limits=player.pk in limited,
            )
        )
    return players


def play_games_select(
    *, operator: Operator, limit: int = 40, seed: int | None = None
) -> list[PlayGame]:
    """Games to play: available ones from our synced catalog, else the simulator's generated
    catalog (enabled games). The vendor recorded in the book is the PLATFORM's own (the
    simulator's catalog), falling back to our catalog's."""
    rng = random.Random(seed)
    ours = list(
        Game.objects.filter(
            operator=operator, enabled=True, listed=True, disabled_by_operator=False
        ).values_list("game_id", "vendor")
    )
    if ours:
        picked = rng.sample(ours, min(limit, len(ours)))
        return [
            PlayGame(game_id, catalog_data.game_vendor(game_id) or vendor or UNKNOWN_VENDOR)
            for game_id, vendor in picked
        ]
    generated = [
        (g["id"], g["vendor"])
        for g in catalog_data.generate_games(media_base="http://simulator.invalid")
        if g["enabled"]
    ]
    picked = rng.sample(generated, min(limit, len(generated)))
    return [PlayGame(game_id, vendor) for game_id, vendor in picked]


# --- The run ------------------------------------------------------------------------------


def play_run(
    *,
    config: PlayConfig,
    players: list[PlayPlayer],
    games: list[PlayGame],
    progress: Callable[[str], None] | None = None,
) -> PlaySummary:
    """Play `config.rounds` rounds for every player, `config.concurrency` players at a time."""
    if not games:
        raise ValueError("no games to play")
    summary = PlaySummary(players=len(players))
    wire = WalletWire(config, summary)
    master = random.Random(config.seed)
    seeds = [master.randrange(2**32) for _ in players]
    started = time.monotonic()

    def run(player: PlayPlayer, seed: int) -> str:
        try:
            PlayerRun(
                config=config,
                wire=wire,
                summary=summary,
                player=player,
                games=games,
                rng=random.Random(seed),
            ).play()
        except Exception as exc:  # reported, never silently lost
            logger.exception("player %s failed", player.user_id)
            summary.flag(f"player {player.user_id}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()  # this pool thread's own connection
        return player.user_id

    with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
        futures = [pool.submit(run, p, s) for p, s in zip(players, seeds, strict=True)]
        for done, future in enumerate(as_completed(futures), start=1):
            user_id = future.result()
            if progress:
                progress(f"player {user_id} done ({done}/{len(players)})")
    summary.elapsed = time.monotonic() - started
    return summary


def summary_lines(summary: PlaySummary) -> list[str]:
    lines = [
        f"players {summary.players}, rounds {summary.rounds}, changebalance transactions "
        f"{summary.transactions}, in {summary.elapsed:.1f} s",
        f"calls {summary.total_calls} ("
        + ", ".join(f"{cmd} {n}" for cmd, n in sorted(summary.calls.items()))
        + f"), {summary.total_calls / summary.elapsed if summary.elapsed else 0:.0f}/s",
        f"OK {summary.ok}",
        "errors by code: "
        + (", ".join(f"{code} {n}" for code, n in sorted(summary.errors.items())) or "none"),
        f"retried after OP_47/OP_50/no answer: {summary.retried}",
        f"unexpected answers: {len(summary.unexpected)}",
    ]
    lines += [f"  {message}" for message in summary.unexpected[:30]]
    if len(summary.unexpected) > 30:
        lines.append(f"  ... and {len(summary.unexpected) - 30} more")
    return lines
