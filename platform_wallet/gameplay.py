"""The gameplay API's commands (spec: API commands): each reads its `data` by the spec's
parameter table, calls a service, and returns the response `data`. Errors are raised as
`WalletError` and rendered in one place (`api.serve_call`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from money import to_money
from operators.accounts import OperatorAccount
from platform_wallet import ledger, promotions
from platform_wallet import request_data as read
from platform_wallet.errors import ErrorCode, InvalidRequest, WalletError
from platform_wallet.models import (
    GameSession,
    Player,
    Round,
    Transaction,
    TransactionType,
    Wallet,
    session_is_live,
)

Data = dict[str, Any]
TRANSACTION_TYPES = tuple(TransactionType.values)


def _live_session(operator: OperatorAccount, token: str) -> GameSession:
    session = (
        GameSession.objects.select_related("player", "wallet")
        .filter(operator_id=operator.pk, token=token)
        .first()
    )
    if session is None or not session_is_live(
        ended_at=session.ended_at, last_activity_at=session.last_activity_at
    ):
        raise WalletError(ErrorCode.OP_21)
    return session


def _touch(session: GameSession) -> None:
    now = timezone.now()
    if (now - session.last_activity_at).total_seconds() >= settings.WALLET_SESSION_TOUCH_SECONDS:
        GameSession.objects.filter(pk=session.pk).update(last_activity_at=now)


def authenticate(operator: OperatorAccount, data: Data) -> Data:
    token = read.string(data, "token", max_length=50)
    session = _live_session(operator, token)
    player = session.player
    if player.is_blocked or player.is_closed:
        raise WalletError(ErrorCode.OP_22, "Player is blocked" if player.is_blocked else None)
    _touch(session)
    answer: Data = {
        "user_id": player.user_id,
        "user_name": player.user_name,
        "user_country": player.country,
        "currency_code": session.wallet.currency,
        "balance": to_money(session.wallet.balance),
    }
    if player.display_name:
        answer["display_name"] = player.display_name
    if player.group:
        answer["group"] = player.group
    return answer


def balance(operator: OperatorAccount, data: Data) -> Data:
    token = read.string(data, "token", max_length=50)
    currency = read.string(data, "currency_code", max_length=4)
    user_id = read.string(data, "user_id", max_length=70, number_allowed=True)
    player = Player.objects.filter(operator_id=operator.pk, user_id=user_id).first()
    if player is None:
        raise WalletError(ErrorCode.OP_34)
    if player.is_blocked or player.is_closed:
        raise WalletError(
            ErrorCode.OP_33, None if player.is_blocked else "Player account is closed"
        )
    session = _live_session(operator, token)
    if session.player_id != player.pk:
        raise WalletError(ErrorCode.OP_21, "Token belongs to another player")
    wallet = Wallet.objects.filter(player=player, currency=currency).first()
    if wallet is None:
        raise WalletError(ErrorCode.OP_30, f"Player has no {currency} wallet")
    _touch(session)
    return {"balance": to_money(wallet.balance), "currency_code": currency}


def changebalance(operator: OperatorAccount, data: Data) -> Data:
    context = read.obj(data, "context", required=False)
    transaction_type = read.choice(data, "transaction_type", TRANSACTION_TYPES)
    reason = _context_string(context, "reason", 32)
    promotion = promotions.recognise(
        transaction_type=transaction_type, reason=reason, context=context
    )
    request = ledger.ChangeBalanceRequest(
        operator_pk=operator.pk,
        user_id=read.string(data, "user_id", max_length=70, number_allowed=True),
        transaction_type=TransactionType(transaction_type),
        transaction_id=read.integer_id(data, "transaction_id"),
        round_id=read.integer_id(data, "round_id"),
        round_finished=read.nullable_bool(data, "round_finished"),
        game_id=read.integer_id(data, "game_id", max_digits=6),
        currency=read.string(data, "currency_code", max_length=4),
        amount=read.money(data, "amount"),
        token=read.string(data, "token", max_length=50, nullable=True) if "token" in data else "",
        transaction_timestamp=read.optional_string(data, "transaction_timestamp", max_length=19),
        context=context,
        reason=reason,
        history_id=_context_string(context, "history_id", 255),
        rake=read.rake(context),
        is_freespin=promotion.is_freespin,
        campaign_code=promotion.campaign_code,
        is_jackpot=promotion.is_jackpot,
    )
    outcome = ledger.change_balance(request)
    return {"currency_code": outcome.currency, "balance": outcome.balance}


def _context_string(context: Data, name: str, max_length: int) -> str:
    value = context.get(name)
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidRequest(f"context.{name} must be a string", f"context.{name}")
    return value[:max_length]


def status(operator: OperatorAccount, data: Data) -> Data:
    user_id = read.string(data, "user_id", max_length=70, number_allowed=True)
    transaction_id = read.integer_id(data, "transaction_id")
    # transaction_type, transaction_date, transaction_ts and round_id are informative only:
    # they are read for their type, never parsed as dates (the spec's own example sends
    # 2020-11-31), and the transaction is found by its id.
    read.optional_string(data, "transaction_type", max_length=20)
    read.optional_string(data, "transaction_date", max_length=10)
    read.optional_string(data, "transaction_ts", max_length=13)
    player_pk = ledger.player_pk_of(operator_pk=operator.pk, user_id=user_id)
    recorded = (
        Transaction.objects.filter(
            operator_id=operator.pk, transaction_id=transaction_id, player_id=player_pk
        )
        .values_list("status", flat=True)
        .first()
    )
    if recorded is None:
        raise WalletError(ErrorCode.OP_41)
    return {
        "user_id": data["user_id"],
        "transaction_id": data["transaction_id"],
        "transaction_status": recorded,
    }


def cancel(operator: OperatorAccount, data: Data) -> Data:
    request = ledger.CancelRequest(
        operator_pk=operator.pk,
        user_id=read.string(data, "user_id", max_length=70, number_allowed=True),
        transaction_id=read.integer_id(data, "transaction_id"),
        round_id=read.integer_id(data, "round_id"),
        round_finished=read.nullable_bool(data, "round_finished"),
        game_id=read.integer_id(data, "game_id", max_digits=6),
    )
    ledger.cancel(request)
    return {
        "user_id": data["user_id"],
        "transaction_id": data["transaction_id"],
        "transaction_status": "CANCELED",
    }


def finishround(operator: OperatorAccount, data: Data) -> Data:
    round_id = read.integer_id(data, "round_id")
    user_id = read.string(data, "user_id", max_length=70, number_allowed=True)
    read.integer_id(data, "game_id", max_digits=6)
    read.optional_string(data, "round_date", max_length=10)
    read.optional_string(data, "round_ts", max_length=13)
    player_pk = ledger.player_pk_of(operator_pk=operator.pk, user_id=user_id)
    game_round = Round.objects.filter(
        operator_id=operator.pk, round_id=round_id, player_id=player_pk
    )
    if not game_round.exists():
        raise WalletError(ErrorCode.OP_41, "Round not found")
    game_round.filter(finished_at__isnull=True).update(finished_at=timezone.now())
    return {"round_id": data["round_id"], "user_id": data["user_id"], "game_id": data["game_id"]}


COMMANDS: dict[str, Callable[[OperatorAccount, Data], Data]] = {
    "authenticate": authenticate,
    "balance": balance,
    "changebalance": changebalance,
    "status": status,
    "cancel": cancel,
    "finishround": finishround,
}
