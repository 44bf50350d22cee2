"""Responsible-gambling limits, checked on BET (OP_32) under the wallet's row lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from platform_wallet.errors import ErrorCode, WalletError
from platform_wallet.models import (
    ResponsibleGamblingLimits,
    Transaction,
    TransactionStatus,
    TransactionType,
)


def period_starts(now: dt.datetime) -> dict[str, dt.datetime]:
    day = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "daily": day,
        "weekly": day - dt.timedelta(days=day.weekday()),
        "monthly": day.replace(day=1),
    }


def bet_refusal(*, player_pk: int, currency: str, amount: Decimal) -> WalletError | None:
    """OP_32 when this BET would break one of the player's limits, else None."""
    limits = ResponsibleGamblingLimits.objects.filter(player_id=player_pk).first()
    if limits is None:
        return None
    now = timezone.now()
    if limits.self_excluded_until and limits.self_excluded_until > now:
        return WalletError(ErrorCode.OP_32, "Player is self-excluded")
    for period, start in period_starts(now).items():
        wager_limit = getattr(limits, f"{period}_wager_limit")
        loss_limit = getattr(limits, f"{period}_loss_limit")
        if wager_limit is None and loss_limit is None:
            continue
        totals = Transaction.objects.filter(
            player_id=player_pk,
            currency=currency,
            status=TransactionStatus.OK,
            created_at__gte=start,
        ).aggregate(
            bets=Sum("amount", filter=Q(transaction_type=TransactionType.BET)),
            credits=Sum(
                "amount",
                filter=Q(transaction_type__in=[TransactionType.WIN, TransactionType.REFUND]),
            ),
        )
        bets = totals["bets"] or Decimal("0")
        credits = totals["credits"] or Decimal("0")
        if wager_limit is not None and bets + amount > wager_limit:
            return WalletError(ErrorCode.OP_32, f"{period.capitalize()} wager limit reached")
        if loss_limit is not None and bets - credits + amount > loss_limit:
            return WalletError(ErrorCode.OP_32, f"{period.capitalize()} loss limit reached")
    return None
