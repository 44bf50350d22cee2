"""One player's session of play (`PlayerRun`): launches, rounds and the answer each call must
get, the player's balance tracked from the answers; every changebalance booked in the
simulator's ledger book with its answer (`BookTransaction.sent`), every accepted cancel marked."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.db import OperationalError

from platform_wallet.models import Player
from platform_wallet.services.sessions import session_create
from simulator.ledger_book import CENT, BookTransaction
from simulator.play.model import PlayConfig, PlayGame, PlayPlayer, PlaySummary, new_id
from simulator.play.wire import Answer, WalletWire
from simulator.wallet_protocol import changebalance_data

T = TypeVar("T")

# The free-spin campaigns the simulated PLATFORM has granted: (campaign_code, campaign_details
# in its vendor's shape: an object, an array or a string).
CAMPAIGNS: tuple[tuple[str, Any], ...] = (
    ("WELCOME-10", {"total_spins": 10, "bet_value": 0.2, "expires": "2030-01-01"}),
    ("FRIDAY-SPINS", [{"spins_left": 3}, {"lines": 20}]),
    ("VIP-DROP", "25 free spins, 0.50 per spin"),
)


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
            shown = answer.balance
            if shown != balance:
                self.summary.flag(f"{label}: balance {shown}, expected {balance}")
                return False
            if answer.data.get("currency_code") != self.player.currency:
                self.summary.flag(f"{label}: currency {answer.data.get('currency_code')!r}")
                return False
        return True

    def call_retrying(self, command: str, data: Mapping[str, Any]) -> Answer:
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
        self.balance = answer.balance

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
        campaign: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], Answer]:
        transaction_id = transaction_id or new_id()
        data = changebalance_data(
            token=self.token if token == "" else token,
            user_id=self.player.user_id,
            transaction_type=transaction_type,
            transaction_id=transaction_id,
            round_id=round_id,
            round_finished=round_finished,
            game_id=self.game.game_id,
            currency_code=self.player.currency,
            amount=amount,
            reason=reason,
            history_id=f"{round_id}-{transaction_id % 100000}",
            campaign=campaign,
        )
        answer = self.call_retrying("changebalance", data)
        self.config.book.record(
            BookTransaction.sent(
                operator_id=self.config.operator_id,
                vendor=self.game.vendor,
                data=data,
                answer=answer.checked,
            )
        )
        self.summary.add(transactions=1)
        if transaction_type == "BET" and answer.transient and answer.http_status != 403:
            # Still no answer after the retries: the PLATFORM cancels the BET (spec: OP_47).
            cancel = self.cancel(transaction_id, round_id, round_finished=True)
            self.expect("cancel of an unanswered BET", cancel, ok=True, codes={"OP_41"})
        return data, answer

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
        if rng.random() < 0.08:
            self.freespin_round(round_id)
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
            reason = rng.choice(("SPIN",) * 9 + ("JACKPOT-WIN",))
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

    def freespin_round(self, round_id: int) -> None:
        """A promotional free spin, as vendors send them: a WIN with no BET in its round
        (reason PROMO-FREESPIN, token null), with its campaign's code and details, the details
        in the shape the campaign's vendor uses (object, array or string)."""
        assert self.balance is not None
        code, details = self.rng.choice(CAMPAIGNS)
        amount = (Decimal(self.rng.randint(0, 400)) / 100).quantize(CENT)
        _data, answer = self.changebalance(
            transaction_type="WIN",
            amount=amount,
            round_id=round_id,
            round_finished=True,
            reason="PROMO-FREESPIN",
            token=None,
            campaign={"campaign_code": code, "campaign_details": details},
        )
        if self.expect("free-spin WIN", answer, ok=True, balance=self.balance + amount):
            self.balance += amount

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
