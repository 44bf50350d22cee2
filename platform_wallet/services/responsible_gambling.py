"""Responsible-gambling limits, checked on BET (OP_32) under the wallet's row lock, and set by
staff (`limits_save`, recorded in the audit trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from platform_wallet.errors import ErrorCode, WalletError
from platform_wallet.models import ResponsibleGamblingLimits

PERIODS = ("daily", "weekly", "monthly")


def period_starts(now: dt.datetime) -> dict[str, dt.datetime]:
    day = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "daily": day,
        "weekly": day - dt.timedelta(days=day.weekday()),
        "monthly": day.replace(day=1),
    }


class PeriodTotal(Protocol):
    """A wallet's applied bets and its loss since a moment (`ledger.day_totals.PeriodTotal`)."""

    @property
    def bets(self) -> Decimal: ...

    @property
    def loss(self) -> Decimal: ...


def bet_refusal(
    *,
    player_pk: int,
    amount: Decimal,
    now: dt.datetime,
    totals_since: Callable[[Mapping[str, dt.datetime]], Mapping[str, PeriodTotal]],
) -> WalletError | None:
    """OP_32 when this BET would break one of the player's limits, else None. The wallet's
    totals come from `totals_since({period: its start})`, {period: its totals} (the ledger's
    running totals, read at once: the caller holds the wallet's lock)."""
    limits = ResponsibleGamblingLimits.objects.filter(player_id=player_pk).first()
    if limits is None:
        return None
    if limits.self_excluded_until and limits.self_excluded_until > now:
        return WalletError(ErrorCode.OP_32, "Player is self-excluded")
    limited = {
        period: (getattr(limits, f"{period}_wager_limit"), getattr(limits, f"{period}_loss_limit"))
        for period in PERIODS
    }
    starts = {
        period: start
        for period, start in period_starts(now).items()
        if limited[period] != (None, None)
    }
    all_totals = totals_since(starts) if starts else {}
    for period, totals in all_totals.items():
        wager_limit, loss_limit = limited[period]
        if wager_limit is not None and totals.bets + amount > wager_limit:
            return WalletError(ErrorCode.OP_32, f"{period.capitalize()} wager limit reached")
        if loss_limit is not None and totals.loss + amount > loss_limit:
            return WalletError(ErrorCode.OP_32, f"{period.capitalize()} loss limit reached")
    return None


LIMIT_FIELDS = (
    "daily_loss_limit",
    "weekly_loss_limit",
    "monthly_loss_limit",
    "daily_wager_limit",
    "weekly_wager_limit",
    "monthly_wager_limit",
    "self_excluded_until",
)


def limits_save(*, limits: ResponsibleGamblingLimits, actor: AbstractBaseUser | None) -> None:
    """Create or change a player's limits; the change (each field from and to) is recorded in
    the audit trail in the same transaction. Saving with nothing changed records nothing."""
    with transaction.atomic():
        before = (
            ResponsibleGamblingLimits.objects.filter(pk=limits.pk).values(*LIMIT_FIELDS).first()
            if limits.pk is not None
            else None
        ) or dict.fromkeys(LIMIT_FIELDS)
        limits.save()
        changes = {
            name: {"from": before[name], "to": getattr(limits, name)}
            for name in LIMIT_FIELDS
            if before[name] != getattr(limits, name)
        }
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.LIMITS_CHANGED,
                target=limits.player,
                details={"limits": limits.pk, "changes": changes},
            )
