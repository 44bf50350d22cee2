"""Responsible-gambling limits, checked on BET (OP_32) under the wallet's row lock, set by staff
(`limits_save`) and by the player (`limits_change_by_player`, `self_exclude`), every change
recorded in the audit trail. The rules (what is in force when, the 24-hour cooling-off of a
raise) are the pure `platform_wallet.limits_rules`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from platform_wallet.errors import ErrorCode, WalletError
from platform_wallet.limits_rules import (
    BREAK_PERIODS,
    LIMIT_NAMES,
    break_until,
    limit_change,
    limits_in_force,
    pending_at_name,
    pending_name,
)
from platform_wallet.models import Player, ResponsibleGamblingLimits
from platform_wallet.services.sessions import sessions_end_for_player

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
    in_force = limits_in_force(limits, now)
    if in_force.excluded_at(now):
        return WalletError(ErrorCode.OP_32, "Player is self-excluded")
    limited = {
        period: (in_force.value(f"{period}_wager_limit"), in_force.value(f"{period}_loss_limit"))
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


class LimitsRefused(Exception):
    """A player's own change is refused; the message is shown to the player."""


def _limits_write(
    *,
    limits: ResponsibleGamblingLimits,
    stored: ResponsibleGamblingLimits | None,
    requested: Mapping[str, Decimal | None],
    now: dt.datetime,
) -> dict[str, dict[str, object]]:
    """Set on `limits` the six limits and their pending changes: the stored ones (a pending
    change whose time has come folded into its limit), then each requested change by the
    rules of `limit_change`. Returns the changes for the audit trail (from, to and, for one
    that waits, effective_at)."""
    in_force = limits_in_force(stored, now)
    changes: dict[str, dict[str, object]] = {}
    for name in LIMIT_NAMES:
        value, waiting = in_force.value(name), in_force.pending_for(name)
        if name in requested and not (requested[name] == value and waiting is None):
            result = limit_change(
                name=name, requested=requested[name], in_force=value, pending=waiting, now=now
            )
            if (result.value, result.pending) != (value, waiting):
                change: dict[str, object] = {"from": value, "to": requested[name]}
                if result.pending is not None:
                    change["effective_at"] = result.pending.effective_at
                elif waiting is not None:
                    change["canceled_pending"] = {
                        "to": waiting.value,
                        "effective_at": waiting.effective_at,
                    }
                changes[name] = change
            value, waiting = result.value, result.pending
        setattr(limits, name, value)
        setattr(limits, pending_name(name), waiting.value if waiting else None)
        setattr(limits, pending_at_name(name), waiting.effective_at if waiting else None)
    return changes


def limits_save(*, limits: ResponsibleGamblingLimits, actor: AbstractBaseUser | None) -> None:
    """Create or change a player's limits from staff's form (`limits` carries the values
    asked for); the change (each field from and to) is recorded in the audit trail in the same
    transaction. Saving with nothing changed records nothing.

    A lower limit, or one where there was none, applies at once; a raise or a removal waits
    24 hours (`limits_rules.COOLING_OFF`) as a pending change, whoever asks: a player cannot
    skip the cooling-off by calling support. Staff set `self_excluded_until` directly (to
    correct a mistake; every change is in the audit trail)."""
    now = timezone.now()
    with transaction.atomic():
        stored = (
            ResponsibleGamblingLimits.objects.select_for_update().filter(pk=limits.pk).first()
            if limits.pk is not None
            else None
        )
        requested = {
            name: getattr(limits, name)
            for name in LIMIT_NAMES
            if getattr(limits, name) != (getattr(stored, name) if stored else None)
        }
        excluded_before = stored.self_excluded_until if stored else None
        changes = _limits_write(limits=limits, stored=stored, requested=requested, now=now)
        if limits.self_excluded_until != excluded_before:
            changes["self_excluded_until"] = {
                "from": excluded_before,
                "to": limits.self_excluded_until,
            }
        limits.save()
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.LIMITS_CHANGED,
                target=limits.player,
                details={"limits": limits.pk, "changes": changes},
            )


def limits_pending_cancel(
    *, limits: ResponsibleGamblingLimits, actor: AbstractBaseUser | None
) -> bool:
    """Staff cancel the raises and removals still waiting (the stricter limit in force stays;
    always safe for the player). A change whose time has come is in force and stays. Returns
    whether anything was canceled; recorded in the audit trail."""
    now = timezone.now()
    with transaction.atomic():
        locked = ResponsibleGamblingLimits.objects.select_for_update().get(pk=limits.pk)
        waiting = limits_in_force(locked, now).pending
        if not waiting:
            return False
        for change in waiting:
            setattr(locked, pending_name(change.name), None)
            setattr(locked, pending_at_name(change.name), None)
        locked.save()
        audit_record(
            actor=actor,
            action=AuditAction.LIMITS_CHANGED,
            target=locked.player,
            details={
                "limits": locked.pk,
                "changes": {
                    change.name: {
                        "canceled_pending": {
                            "to": change.value,
                            "effective_at": change.effective_at,
                        }
                    }
                    for change in waiting
                },
            },
        )
    return True


def _player_limits_locked(player: Player) -> ResponsibleGamblingLimits:
    limits, _ = ResponsibleGamblingLimits.objects.select_for_update().get_or_create(player=player)
    return limits


def _player_record(
    limits: ResponsibleGamblingLimits, player: Player, changes: dict[str, Any]
) -> None:
    """The player's own change in the audit trail: the actor is the player's login (not
    staff) and `by` says "player"."""
    audit_record(
        actor=player.login,
        action=AuditAction.LIMITS_CHANGED,
        target=player,
        details={"limits": limits.pk, "by": "player", "changes": changes},
    )


def limits_change_by_player(
    *, player: Player, requested: Mapping[str, Decimal | None], now: dt.datetime | None = None
) -> dict[str, dict[str, object]]:
    """The player's own change of their loss and wager limits (`requested`: only the limits
    they changed, None removing one). A tightening applies at once, a raise or a removal waits
    24 hours (`limits_rules.limit_change`). Returns the changes made (empty: nothing changed),
    recorded in the audit trail. Raises LimitsRefused for a negative amount or an unknown
    limit."""
    for name, value in requested.items():
        if name not in LIMIT_NAMES:
            raise LimitsRefused(f"Unknown limit {name}.")
        if value is not None and value < 0:
            raise LimitsRefused("A limit cannot be negative.")
    if not requested:
        return {}
    moment = now or timezone.now()
    with transaction.atomic():
        limits = _player_limits_locked(player)
        changes = _limits_write(limits=limits, stored=limits, requested=requested, now=moment)
        limits.save()
        if changes:
            _player_record(limits, player, changes)
    return changes


def self_exclude(*, player: Player, period: str, now: dt.datetime | None = None) -> dt.datetime:
    """The player takes a break or self-excludes for `period` (a key of
    `limits_rules.BREAK_PERIODS`): no BET (OP_32) and no real-money launch until the returned
    moment. An exclusion can be made longer, never shorter or lifted by the player; their open
    game sessions are ended. Raises LimitsRefused for an unknown period or one that would end
    before the exclusion in force."""
    if period not in BREAK_PERIODS:
        raise LimitsRefused("Choose how long the break lasts.")
    moment = now or timezone.now()
    until = break_until(period, moment)
    with transaction.atomic():
        limits = _player_limits_locked(player)
        current = limits.self_excluded_until
        if current is not None and current >= until:
            raise LimitsRefused(
                "You are already excluded for longer: an exclusion cannot be shortened."
            )
        limits.self_excluded_until = until
        limits.save()
        _player_record(
            limits,
            player,
            {
                "self_excluded_until": {
                    "from": current if current and current > moment else None,
                    "to": until,
                    "period": period,
                }
            },
        )
        sessions_end_for_player(player=player, reason="self-excluded")
    return until
