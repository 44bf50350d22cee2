"""What a play is given and what it comes to: the games and players it plays with, its
configuration (`PlayConfig`: where the wallet is, what to sign with, how many rounds), its
tally (`PlaySummary`, shared by the players' threads), and `new_id()`, the PLATFORM's ids."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from simulator.ledger_book import LedgerBook
from simulator.wallet_protocol import Credentials

logger = logging.getLogger(__name__)

_id_lock = threading.Lock()
_id_counter = itertools.count(1)
_id_base = int(time.time() * 1000) * 1000


def new_id() -> int:
    """A fresh PLATFORM id (transaction or round), unique across runs: milliseconds at start
    times a thousand plus a counter. Fits a BIGINT for the next few hundred thousand years."""
    with _id_lock:
        return _id_base + next(_id_counter)


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


@dataclass(frozen=True)
class PlayConfig:
    operator_id: str
    secret_key: str = field(repr=False)
    wallet_url: str
    rounds: int
    concurrency: int
    book: LedgerBook
    seed: int | None = None
    timeout: float = 10.0
    retries: int = 3
    retry_delay: float = 0.2

    @property
    def credentials(self) -> Credentials:
        return Credentials(operator_id=self.operator_id, secret_key=self.secret_key)


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

    def count(
        self, command: str, status: str | None, code: str | None, http_status: int | None = None
    ) -> None:
        with self._lock:
            self.calls[command] += 1
            if status == "OK":
                self.ok += 1
            elif status == "ERROR" and code:
                self.errors[code] += 1
            elif http_status is not None and http_status != 200:
                self.errors[f"HTTP {http_status}"] += 1
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
