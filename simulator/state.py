"""What the PLATFORM simulator answers from: `SimulatorState` (catalog, book, limits, injected
faults, request counts), shared by its HTTP server (:mod:`simulator.server`), its operator APIs
(:mod:`simulator.operator_apis`) and its game launch page (:mod:`simulator.launch`).

Tests and the command may change a state while the simulator runs (under its `lock`)::

    state.inject_fault("games", status=503, times=2)   # next two games calls answer 503
    state.requests["games"]                             # how many games calls arrived

`ApiAnswer(status, message)` is the one error of the simulator's handlers: an early answer with
an HTTP error status.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simulator import catalog_data
from simulator.ledger_book import LedgerBook
from simulator.wallet_protocol import Credentials


class ApiAnswer(Exception):
    """An early answer (error status) from inside a handler."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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
    secret_key: str = field(repr=False)
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

    @property
    def credentials(self) -> Credentials:
        """What the simulator signs its calls to the operator's wallet with."""
        return Credentials(operator_id=self.operator_id, secret_key=self.secret_key)

    def take_fault(self, api: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(api)
            return queue.popleft() if queue else None

    def game(self, game_id: int) -> dict[str, Any] | None:
        with self.lock:
            return next((g for g in self.games if g["id"] == game_id), None)

    def lobby(self, lobby_id: str) -> dict[str, Any] | None:
        with self.lock:
            return next((x for x in self.lobbies if x["lobby_id"] == lobby_id), None)

    def vendor_of(self, game_id: int) -> str | None:
        game = self.game(game_id)
        return game["vendor"] if game else catalog_data.game_vendor(game_id)
