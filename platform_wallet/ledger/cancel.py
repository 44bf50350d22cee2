"""cancel (spec: cancel; OP_41 and OP_49 in Exception handling): the rules.

1. The player must exist (OP_34), and the transaction must be theirs (another player's: OP_41).
2. A transaction that moved money is reversed: a BET's amount comes back, a WIN or REFUND is
   taken back, and here only the wallet may go negative. A ledger entry records the reversal,
   and the wallet's running totals (`day_totals`) lose it from the day it was counted in.
   A transaction that was refused (status ERROR) moved nothing and moves nothing now.
   Either way it becomes CANCELED, so that reports leave it out.
3. A cancel repeated moves nothing and answers CANCELED again.
4. A transaction we never had is OP_41, and its id is remembered (a tombstone: a CANCELED row
   `canceled_before_arrival`): if it ever arrives it is refused with OP_49 and never applied
   (changebalance's replay), and a cancel of it stays OP_41. If it arrives while we record the
   tombstone, it is canceled after all.
5. `round_finished` finishes the round, after the money's transaction committed.

Locks: the transaction's row, then the wallet (a changebalance takes wallet, round, then its
new transaction key; the round is updated here only after the commit: no cycle).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from money import to_money
from platform_wallet.errors import ErrorCode, WalletError
from platform_wallet.ledger import day_totals, sql
from platform_wallet.models import EntryKind, Player, TransactionStatus, TransactionType


@dataclass(frozen=True)
class CancelRequest:
    operator_pk: int
    user_id: str
    transaction_id: int
    round_id: int
    round_finished: bool | None
    game_id: int


def cancel(req: CancelRequest) -> None:
    """Cancel a transaction (see the rules above).

    Raises WalletError: OP_34 (no such player); OP_41 (not this player's transaction, or one
    we never had: then remembered). Database errors are Django's."""
    player_pk = player_pk_of(operator_pk=req.operator_pk, user_id=req.user_id)
    now = timezone.now()
    params = _params(req=req, player_pk=player_pk, now=now)
    refusal: WalletError | None = None
    with transaction.atomic(), connection.cursor() as cursor:
        target = _target(cursor, params)
        if target is None:
            if sql.run(cursor, sql.TX_TOMBSTONE, params) is not None:
                refusal = WalletError(ErrorCode.OP_41)
            else:  # the transaction arrived meanwhile: cancel it after all
                target = _target(cursor, params)
        if target is not None:
            refusal = _reverse(cursor, req=req, target=target, params=params)
    if req.round_finished:
        # After the money's transaction, on its own: a cancel then never holds a transaction's
        # row while waiting for a round that a changebalance holds.
        sql.fetch_one(sql.ROUND_FINISH, params)
    if refusal is not None:
        raise refusal


def player_pk_of(*, operator_pk: int, user_id: str) -> int:
    """The player's key. Raises WalletError OP_34 when the operator has no such user_id."""
    player_pk = (
        Player.objects.filter(operator_id=operator_pk, user_id=user_id)
        .values_list("pk", flat=True)
        .first()
    )
    if player_pk is None:
        raise WalletError(ErrorCode.OP_34)
    return player_pk


@dataclass(frozen=True)
class _Target:
    """The transaction to cancel, as `sql.cancel_target()` reads it (by its column aliases)."""

    transaction_pk: int
    transaction_type: str | None
    status: str
    player_pk: int
    wallet_pk: int | None
    amount: Decimal | None
    canceled_before_arrival: bool
    created_at: dt.datetime | None


def _target(cursor: Any, params: dict[str, Any]) -> _Target | None:
    row = sql.run(cursor, sql.cancel_target(), params)
    if row is None:
        return None
    row["canceled_before_arrival"] = bool(row["canceled_before_arrival"])
    row["amount"] = None if row["amount"] is None else to_money(row["amount"])
    row["created_at"] = sql.from_db_time(row["created_at"])
    return _Target(**row)


def _reverse(
    cursor: Any, *, req: CancelRequest, target: _Target, params: dict[str, Any]
) -> WalletError | None:
    """Rules 1-3 on the locked transaction: the refusal (OP_41), or None when canceled."""
    if target.player_pk != params["player_pk"] or target.canceled_before_arrival:
        return WalletError(ErrorCode.OP_41)
    if target.status == TransactionStatus.CANCELED:
        return None
    params["transaction_pk"] = target.transaction_pk
    if target.status == TransactionStatus.OK:
        assert target.amount is not None and target.wallet_pk is not None
        delta = target.amount if target.transaction_type == TransactionType.BET else -target.amount
        params["wallet_pk"] = target.wallet_pk
        locked = sql.run(cursor, sql.wallet_lock(), params)
        assert locked is not None
        balance = to_money(locked["wallet_balance"]) + delta
        params["wallet_balance"] = sql.db_money(balance)
        params["delta"] = sql.db_money(delta)
        params["entry_reason"] = f"cancel of {target.transaction_type} {req.transaction_id}"
        sql.run(cursor, sql.WALLET_SET, params)
        sql.run(cursor, sql.ENTRY_INSERT, params)
        # The running totals take it back from the day it was counted in.
        assert target.transaction_type is not None and target.created_at is not None
        bets, wins = day_totals.contribution(
            transaction_type=target.transaction_type, amount=target.amount
        )
        day_totals.add(
            wallet_pk=target.wallet_pk,
            since=day_totals.as_date(locked["wallet_totals_since"]),
            day=target.created_at.astimezone(dt.UTC).date(),
            bets=-bets,
            wins=-wins,
        )
    sql.run(cursor, sql.TX_MARK_CANCELED, params)
    return None


def _params(*, req: CancelRequest, player_pk: int, now: dt.datetime) -> dict[str, Any]:
    """The named parameters of cancel's statements; the tombstone's row is all of them."""
    db_now = sql.db_time(now)
    return {
        "operator_pk": req.operator_pk,
        "transaction_id": req.transaction_id,
        "round_id": req.round_id,
        "game_id": req.game_id,
        "player_pk": player_pk,
        "now": db_now,
        "status": TransactionStatus.CANCELED.value,
        "kind": EntryKind.CANCEL.value,
        # the tombstone: a CANCELED row of a transaction we never had
        "transaction_type": None,
        "error_code": "",
        "wallet_pk": None,
        "round_pk": None,
        "currency": "",
        "amount": None,
        "rake": None,
        "token": "",
        "reason": "",
        "history_id": "",
        "is_freespin": False,
        "campaign_code": "",
        "is_jackpot": False,
        "context": "{}",
        "transaction_timestamp": "",
        "canceled_before_arrival": True,
        "canceled_at": db_now,
    }
