"""changebalance (spec: changebalance; Important notes 2-4; Exception handling): the rules.

1. One read (`sql.LOOKUP`) finds the player, their wallet in the currency, the token's session,
   a transaction already recorded under this transaction_id, the round, the game and whether
   the player has responsible-gambling limits. No player: OP_34. On PostgreSQL the read
   carries the write (step 5) in the same round trip, applied only when the row it finds
   leaves steps 2-4 nothing to decide (`statements.lookup_and_write`); else the steps below decide.
2. A transaction_id already recorded is a retry (`_replay`): the same data hears the recorded
   outcome again (its balance now, or its refusal), other data is OP_40. Money never moves
   twice. A canceled transaction never looks applied: its retry hears its recorded refusal if
   it was refused, else OP_49; one canceled before it arrived is OP_49 (never applied).
3. A closed account takes no new transaction: OP_49.
4. A new transaction may be refused before any money moves (`_refusal`: OP_30, and for a BET
   OP_33, OP_21, OP_35). A refusal is recorded with the transaction, so that its retries hear
   it too.
5. Otherwise it is applied (`write.apply`): a BET needs the balance to cover it (else OP_31)
   and the player's responsible-gambling limits to allow it (else OP_32), both recorded too;
   a WIN or REFUND always credits. Transaction, wallet, round, ledger entry and session are
   written together or not at all.
6. A concurrent call with the same transaction_id may be recorded first: the unique key undoes
   everything we wrote, and we answer as its retry (step 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError

from money import to_money
from platform_wallet.errors import ErrorCode, WalletError
from platform_wallet.ledger import sql, write
from platform_wallet.models import TransactionStatus, TransactionType, session_is_live


@dataclass(frozen=True)
class ChangeBalanceRequest:
    """A changebalance call, already validated field by field."""

    operator_pk: int
    user_id: str
    transaction_type: TransactionType
    transaction_id: int
    round_id: int
    round_finished: bool | None
    game_id: int
    currency: str
    amount: Decimal
    token: str
    transaction_timestamp: str
    context: dict[str, Any]
    reason: str = ""
    history_id: str = ""
    rake: Decimal | None = None
    # platform_wallet.promotions.recognise, from the context already read
    is_freespin: bool = False
    campaign_code: str = ""
    is_jackpot: bool = False


@dataclass(frozen=True)
class Balance:
    balance: Decimal
    currency: str


def change_balance(req: ChangeBalanceRequest) -> Balance:
    """Apply a BET, WIN or REFUND once, or replay the outcome of an identical earlier call.

    Raises WalletError: OP_34 (no such player); a retry's recorded refusal, OP_40 (same id,
    other data) or OP_49 (canceled); OP_49 (closed account); a refusal (OP_21, OP_30, OP_32,
    OP_33, OP_35) or OP_31, recorded with the transaction first; OP_50 when the transaction
    could not be recorded (retry). Database errors are Django's (OperationalError: a timeout).
    """
    for attempt in range(2):
        try:
            found, applied = _read(req, write_too=attempt == 0)
        except IntegrityError:
            continue  # (the write too: as below)
        if applied is not None:
            return applied
        if found is None:
            raise WalletError(ErrorCode.OP_34)
        if found.has_transaction:
            return _replay(req=req, found=found)
        if found.is_closed:
            raise WalletError(ErrorCode.OP_49, "Player account is closed")
        try:
            balance = write.apply(req=req, found=found, refusal=_refusal(req=req, found=found))
        except IntegrityError:
            # The same transaction_id was committed by a concurrent call between our lookup and
            # our insert: the unique key decided, and everything we did was undone.
            continue
        return Balance(balance, req.currency)
    raise WalletError(ErrorCode.OP_50, "Transaction could not be recorded, retry")


def _refusal(*, req: ChangeBalanceRequest, found: Lookup) -> WalletError | None:
    """The business error that refuses a new transaction before any money moves, if any.
    (Responsible-gambling limits, OP_32, are checked under the wallet's lock: `write`.)"""
    if found.wallet_pk is None:
        return WalletError(ErrorCode.OP_30, f"Player has no {req.currency} wallet")
    if req.transaction_type != TransactionType.BET:
        return None  # WIN and REFUND: money owed is credited, session or not, blocked or not.
    if found.is_blocked:
        # Before the session check: blocking a player also ends their sessions, and the
        # PLATFORM should hear why the BET is refused.
        return WalletError(ErrorCode.OP_33)
    if (
        found.session_pk is None
        or found.session_player_pk != found.player_pk
        or found.session_last_activity is None
        or not session_is_live(
            ended_at=found.session_ended_at, last_activity_at=found.session_last_activity
        )
    ):
        return WalletError(ErrorCode.OP_21)
    if found.session_wallet_pk != found.wallet_pk:
        return WalletError(ErrorCode.OP_30, "Currency does not match the game session")
    if found.game_known and not found.game_available:
        return WalletError(ErrorCode.OP_35)
    return None


def _replay(*, req: ChangeBalanceRequest, found: Lookup) -> Balance:
    """The answer to a transaction_id already recorded.

    Raises WalletError: OP_49 for a transaction canceled before it arrived (never applied);
    OP_40 for other data under the same id; for a canceled transaction, its recorded refusal
    if it was refused, else OP_49 (a canceled transaction never looks applied); the recorded
    refusal of a refused one."""
    if found.tx_canceled_before_arrival:
        raise WalletError(
            ErrorCode.OP_49, "Transaction was canceled before it arrived; it is never applied"
        )
    same = (
        found.tx_type == req.transaction_type
        and found.tx_amount == req.amount
        and found.tx_currency == req.currency
        and found.tx_player_pk == found.player_pk
        and found.tx_game_id == req.game_id
        and found.tx_round_id == req.round_id
    )
    if not same:
        raise WalletError(ErrorCode.OP_40)
    if found.tx_status == TransactionStatus.CANCELED:
        if found.tx_error_code:
            raise WalletError(
                ErrorCode(found.tx_error_code),
                f"{ErrorCode(found.tx_error_code).reason} (refused, then canceled)",
            )
        raise WalletError(
            ErrorCode.OP_49, "Transaction was canceled; a canceled transaction is never applied"
        )
    if found.tx_status == TransactionStatus.ERROR:
        raise WalletError(ErrorCode(found.tx_error_code or ErrorCode.OP_50))
    if found.wallet_balance is None:  # pragma: no cover - an OK transaction has a wallet
        raise WalletError(ErrorCode.OP_30)
    return Balance(found.wallet_balance, req.currency)


# --- The read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """What `sql.LOOKUP` found for one changebalance; each field is one of its column aliases.
    `tx_*` describe a transaction already recorded under the transaction_id (else None)."""

    player_pk: int
    is_blocked: bool
    is_closed: bool
    wallet_pk: int | None
    wallet_balance: Decimal | None
    session_pk: int | None
    session_player_pk: int | None
    session_wallet_pk: int | None
    session_last_activity: dt.datetime | None
    session_ended_at: dt.datetime | None
    tx_type: str | None
    tx_status: str | None
    tx_error_code: str | None
    tx_player_pk: int | None
    tx_amount: Decimal | None
    tx_currency: str | None
    tx_game_id: int | None
    tx_round_id: int | None
    tx_canceled_before_arrival: bool
    round_pk: int | None
    round_finished_at: dt.datetime | None
    game_known: bool
    game_available: bool
    has_limits: bool

    @property
    def has_transaction(self) -> bool:
        return self.tx_status is not None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Lookup:
        """From LOOKUP's row: SQLite's 0/1, numbers and text become bool, Decimal, datetime;
        a LEFT JOIN's NULL stays None (a NULL flag is False)."""
        for name in _FLAGS:
            row[name] = bool(row[name])
        for name in _AMOUNTS:
            row[name] = None if row[name] is None else to_money(row[name])
        for name in _TIMES:
            row[name] = sql.from_db_time(row[name])
        return cls(**row)


_FLAGS = (
    "is_blocked",
    "is_closed",
    "tx_canceled_before_arrival",
    "game_known",
    "game_available",
    "has_limits",
)
_AMOUNTS = ("wallet_balance", "tx_amount")
_TIMES = ("session_last_activity", "session_ended_at", "round_finished_at")


def _read(req: ChangeBalanceRequest, *, write_too: bool) -> tuple[Lookup | None, Balance | None]:
    """The lookup, and on PostgreSQL in the same round trip the write of a call that leaves
    the rules nothing to decide (`write.lookup_and_apply`): then its balance is the answer.
    Returns (the lookup, the balance when it was applied).

    Raises WalletError OP_31 (recorded) and IntegrityError as `write.apply`."""
    if not (write_too and write.lookup_and_apply_available()):
        return _lookup(req), None
    row = write.lookup_and_apply(req)
    applied, moved_balance = row.pop("applied"), row.pop("moved_balance")
    if not applied:
        return (None if row["player_pk"] is None else Lookup.of(row)), None
    if moved_balance is None:
        raise WalletError(ErrorCode.OP_31)
    return None, Balance(to_money(moved_balance), req.currency)


def _lookup(req: ChangeBalanceRequest) -> Lookup | None:
    row = sql.fetch_one(
        sql.LOOKUP,
        {
            "operator_pk": req.operator_pk,
            "user_id": req.user_id,
            "currency": req.currency,
            "session_token": req.token or None,
            "transaction_id": req.transaction_id,
            "round_id": req.round_id,
            "game_id": req.game_id,
        },
    )
    return None if row is None else Lookup.of(row)
