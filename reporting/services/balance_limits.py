"""Balance limits (spec: Balance limits API) and the deprecated GGR limits (spec: GGR limits API
(DEPRECATED!)): snapshots and alerts.

Each check stores what the PLATFORM answered and raises alerts:

- `limit_exceeded` true in the balance limits;
- an available balance (the main one, or one of the operator's wallet currencies) under
  `BALANCE_LIMIT_ALERT_THRESHOLD` (per currency: `BALANCE_LIMIT_ALERT_THRESHOLDS`);
- GGR limits usage at or over `GGR_LIMIT_ALERT_PERCENT` percent, while the PLATFORM still serves
  that API (a 404 or 410 means it is gone: skipped, with an info log line; any other failure of
  the deprecated API is logged and never fails the balance limits check).

An alert is logged (WARNING) at every check that finds its condition, stored once while the
condition lasts (`LimitAlert`, open until a check finds the condition gone), and mailed to the
site ADMINS when it opens, so staff get one mail per incident, not one an hour.

Nothing from outside is trusted for shape (issue 10): an answer is checked before it is stored
(`limits_values_check`): currency codes of 3 or 4 upper-case letters or digits, amounts exact to
the cent within DecimalField(18, 2) (more decimals are refused, never rounded), the GGR usage
percentage within DecimalField(9, 4). Balance limits that do not fit raise `LimitsInvalid`
(nothing stored, no alert changed); GGR limits that do not fit are logged and left unchecked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.utils import timezone

from operators.models import Operator
from platform_client import BalanceLimits, GgrLimits, PlatformApiError, PlatformClient, validation
from platform_wallet.models import Wallet
from reporting.errors import LimitsInvalid
from reporting.models import AlertKind, LimitAlert, LimitKind, LimitSnapshot

logger = logging.getLogger(__name__)

GONE_STATUSES = frozenset({404, 410})


@dataclass(frozen=True)
class AlertCondition:
    kind: AlertKind
    currency: str
    message: str
    available_balance: Decimal | None = None
    threshold: Decimal | None = None


@dataclass
class LimitsCheck:
    """What one check found: the snapshots stored and the alerts opened, still open and
    resolved."""

    balance: LimitSnapshot
    ggr: LimitSnapshot | None
    conditions: list[AlertCondition] = field(default_factory=list)
    opened: list[LimitAlert] = field(default_factory=list)
    still_open: list[LimitAlert] = field(default_factory=list)
    resolved: list[LimitAlert] = field(default_factory=list)

    def __str__(self) -> str:
        exceeded = " LIMIT EXCEEDED" if self.balance.limit_exceeded else ""
        return (
            f"balance limits checked{exceeded}: {len(self.opened)} alerts opened, "
            f"{len(self.still_open)} still open, {len(self.resolved)} resolved"
        )


def alert_threshold(currency: str) -> Decimal:
    per_currency: dict[str, Decimal] = getattr(settings, "BALANCE_LIMIT_ALERT_THRESHOLDS", {})
    if currency in per_currency:
        return Decimal(per_currency[currency])
    return Decimal(settings.BALANCE_LIMIT_ALERT_THRESHOLD)


def operator_currencies(*, operator: Operator) -> list[str]:
    """The currencies of the operator's wallets: the ones whose balance limits we ask for."""
    return sorted(
        set(
            Wallet.objects.filter(player__operator=operator)
            .values_list("currency", flat=True)
            .distinct()
        )
    )


def balance_limits_check(
    *, operator: Operator, client: PlatformClient | None = None
) -> LimitsCheck:
    """Ask the PLATFORM for the operator's balance limits (and GGR limits while served), store
    the snapshots, open, keep or resolve alerts, and mail the admins about new ones.

    Raises `PlatformApiError` when the balance limits API does not answer as documented, and
    `LimitsInvalid` when its answer does not fit what we store (nothing is stored then).
    """
    client = client or PlatformClient(operator)
    balance = client.balance_limits(operator_currencies(operator=operator) or None)
    try:
        limits_values_check(balance)
    except validation.InvalidValue as problem:
        raise LimitsInvalid(
            f"balance limits of {operator.operator_id} not stored: {problem}"
        ) from problem
    ggr: GgrLimits | None
    try:
        ggr = client.ggr_limits()
        limits_values_check(ggr)
    except PlatformApiError as exc:
        # The deprecated API never blocks the balance limits check: gone (404/410) is expected
        # one day; another failure is logged and its alerts are left as they are.
        if exc.status in GONE_STATUSES:
            logger.info("GGR limits API no longer served for %s (%s)", operator.operator_id, exc)
        else:
            logger.warning("GGR limits of %s not checked: %s", operator.operator_id, exc)
        ggr = None
    except validation.InvalidValue as problem:
        logger.warning("GGR limits of %s not checked: %s", operator.operator_id, problem)
        ggr = None

    conditions = _balance_conditions(balance) + (_ggr_conditions(ggr) if ggr else [])
    with transaction.atomic():
        balance_snapshot = _balance_snapshot(operator, balance)
        ggr_snapshot = _ggr_snapshot(operator, ggr) if ggr is not None else None
    check = LimitsCheck(balance=balance_snapshot, ggr=ggr_snapshot, conditions=conditions)
    for condition in conditions:
        logger.warning("limits alert %s: %s", operator.operator_id, condition.message)
        snapshot = ggr_snapshot if condition.kind == AlertKind.GGR_USAGE else balance_snapshot
        alert, created = _alert_open(operator, condition, snapshot)
        (check.opened if created else check.still_open).append(alert)
    check.resolved = _alerts_resolve(
        operator,
        keep={(c.kind, c.currency) for c in conditions},
        ggr_checked=ggr is not None,
    )
    for alert in check.opened:
        _alert_mail(alert)
    return check


def limits_values_check(limits: BalanceLimits | GgrLimits) -> None:
    """Raise `InvalidValue` (naming the field) unless the answer fits what we store."""
    if not limits.enabled:
        return
    validation.currency_code(limits.currency, "currency")
    if isinstance(limits, BalanceLimits):
        validation.money(limits.available_balance, "available_balance")
        for code, available in limits.currencies.items():
            validation.currency_code(code, "currencies code")
            validation.money(available, f"currencies.{code}.available_balance")
        return
    validation.money(limits.limit, "limit")
    if limits.current_usage is not None:
        validation.money(limits.current_usage, "current_usage")
    if limits.percentage_usage is not None:
        validation.money(limits.percentage_usage, "percentage_usage", places=4, max_digits=9)


# --- Conditions ---------------------------------------------------------------------------


def _balance_conditions(limits: BalanceLimits) -> list[AlertCondition]:
    if not limits.enabled:
        return []
    found: list[AlertCondition] = []
    if limits.limit_exceeded:
        found.append(
            AlertCondition(
                kind=AlertKind.LIMIT_EXCEEDED,
                currency="",
                message="The PLATFORM reports the balance limit exceeded (limit_exceeded: true).",
                available_balance=limits.available_balance,
            )
        )
    balances = dict(limits.currencies)
    if limits.currency and limits.available_balance is not None:
        balances.setdefault(limits.currency, limits.available_balance)
    for currency, available in sorted(balances.items()):
        threshold = alert_threshold(currency)
        if available < threshold:
            found.append(
                AlertCondition(
                    kind=AlertKind.LOW_BALANCE,
                    currency=currency,
                    message=f"Available balance {available} {currency} is under the alert "
                    f"threshold {threshold} {currency}.",
                    available_balance=available,
                    threshold=threshold,
                )
            )
    return found


def _ggr_conditions(limits: GgrLimits) -> list[AlertCondition]:
    if not limits.enabled:
        return []
    percent = limits.percentage_usage
    if percent is None and limits.limit and limits.current_usage is not None:
        percent = limits.current_usage * 100 / limits.limit
    threshold = Decimal(settings.GGR_LIMIT_ALERT_PERCENT)
    if percent is None or percent < threshold:
        return []
    return [
        AlertCondition(
            kind=AlertKind.GGR_USAGE,
            currency=limits.currency or "",
            message=f"GGR limit usage {percent:.2f}% ({limits.current_usage} of {limits.limit} "
            f"{limits.currency}) is at or over {threshold}%.",
            threshold=threshold,
        )
    ]


# --- Storage ------------------------------------------------------------------------------


def _balance_snapshot(operator: Operator, limits: BalanceLimits) -> LimitSnapshot:
    return LimitSnapshot.objects.create(
        operator=operator,
        kind=LimitKind.BALANCE,
        enabled=limits.enabled,
        currency=limits.currency or "",
        available_balance=limits.available_balance,
        limit_exceeded=limits.limit_exceeded if limits.enabled else None,
        currencies={code: str(value) for code, value in limits.currencies.items()},
        raw={
            "enabled": limits.enabled,
            "currency": limits.currency,
            "available_balance": _str(limits.available_balance),
            "currencies": {c: {"available_balance": str(v)} for c, v in limits.currencies.items()},
            "limit_exceeded": limits.limit_exceeded,
        },
    )


def _ggr_snapshot(operator: Operator, limits: GgrLimits) -> LimitSnapshot:
    return LimitSnapshot.objects.create(
        operator=operator,
        kind=LimitKind.GGR,
        enabled=limits.enabled,
        currency=limits.currency or "",
        limit=limits.limit,
        current_usage=limits.current_usage,
        percentage_usage=limits.percentage_usage,
        raw={
            "enabled": limits.enabled,
            "currency": limits.currency,
            "limit": _str(limits.limit),
            "current_usage": _str(limits.current_usage),
            "percentage_usage": _str(limits.percentage_usage),
        },
    )


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _alert_open(
    operator: Operator, condition: AlertCondition, snapshot: LimitSnapshot | None
) -> tuple[LimitAlert, bool]:
    """The open alert of this condition, created when none is open. A partial unique
    constraint allows one open alert per (operator, kind, currency), so two concurrent checks
    cannot open it twice."""
    now = timezone.now()
    for _attempt in range(2):
        existing = LimitAlert.objects.filter(
            operator=operator,
            kind=condition.kind,
            currency=condition.currency,
            resolved_at__isnull=True,
        ).first()
        if existing is not None:
            LimitAlert.objects.filter(pk=existing.pk).update(
                last_seen_at=now,
                last_snapshot=snapshot,
                available_balance=condition.available_balance,
                message=condition.message[:500],
            )
            existing.refresh_from_db()
            return existing, False
        try:
            with transaction.atomic():
                alert = LimitAlert.objects.create(
                    operator=operator,
                    kind=condition.kind,
                    currency=condition.currency,
                    message=condition.message[:500],
                    available_balance=condition.available_balance,
                    threshold=condition.threshold,
                    snapshot=snapshot,
                    last_snapshot=snapshot,
                    raised_at=now,
                    last_seen_at=now,
                )
            return alert, True
        except IntegrityError:
            continue  # opened concurrently by another check: use that one
    raise RuntimeError("limit alert could not be opened")  # pragma: no cover


def _alerts_resolve(
    operator: Operator, *, keep: set[tuple[str, str]], ggr_checked: bool
) -> list[LimitAlert]:
    """Resolve the open alerts whose condition this check no longer found. GGR alerts are left
    alone when the GGR limits were not checked (the API is gone)."""
    open_alerts = LimitAlert.objects.filter(operator=operator, resolved_at__isnull=True)
    if not ggr_checked:
        open_alerts = open_alerts.exclude(kind=AlertKind.GGR_USAGE)
    resolved = [a for a in open_alerts if (a.kind, a.currency) not in keep]
    if resolved:
        now = timezone.now()
        LimitAlert.objects.filter(pk__in=[a.pk for a in resolved]).update(resolved_at=now)
        for alert in resolved:
            alert.resolved_at = now
            logger.info("limits alert resolved %s: %s", operator.operator_id, alert)
    return resolved


def _alert_mail(alert: LimitAlert) -> None:
    """Mail the site ADMINS about a new alert. A mail failure is logged, never fatal: the alert
    is stored and shown in the admin either way."""
    if not settings.ADMINS:
        return
    subject = f"PLATFORM {alert.get_kind_display().lower()}: {alert.operator.operator_id}"
    body = (
        f"Operator: {alert.operator.operator_id}\n"
        f"Alert: {alert.get_kind_display()}\n"
        f"{alert.message}\n"
        f"Raised at: {alert.raised_at:%Y-%m-%d %H:%M:%S} UTC\n"
    )
    try:
        mail_admins(subject, body, fail_silently=False)
    except Exception:
        logger.exception("could not mail the admins about limits alert %s", alert.pk)
        return
    LimitAlert.objects.filter(pk=alert.pk).update(mailed=True)
    alert.mailed = True
