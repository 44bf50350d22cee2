# ruff: noqa: F811 - pytest fixtures imported from tests.reporting_fixtures
"""Balance limits API and the deprecated GGR limits API: snapshots stored, alerts raised
(limit_exceeded, available balance under BALANCE_LIMIT_ALERT_THRESHOLD, GGR usage), logged,
mailed once to the site ADMINS, stored, and resolved when the condition is gone."""

from __future__ import annotations

import logging
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from operators.models import Operator
from platform_client import PlatformApiError, PlatformClient
from reporting.models import AlertKind, LimitAlert, LimitKind, LimitSnapshot
from reporting.services.balance_limits import balance_limits_check
from simulator.server import RunningSimulator
from tests.factories import PlayerFactory, wallet_for
from tests.reporting_fixtures import (  # noqa: F401 - fixtures
    SIM_OPERATOR_ID,
    book_entry,
    book_path,
    fast_client,
    platform,
    platform_operator,
)


@pytest.fixture(autouse=True)
def _admins(settings: Any) -> None:
    settings.ADMINS = [("Ops", "ops@casino.test")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BALANCE_LIMIT_ALERT_THRESHOLD = "1000"
    settings.BALANCE_LIMIT_ALERT_THRESHOLDS = {"GBP": "500"}
    settings.GGR_LIMIT_ALERT_PERCENT = "90"


@pytest.fixture
def wallets(platform_operator: Operator) -> None:
    """The operator's players hold EUR and GBP wallets: the currencies asked about."""
    wallet_for(PlayerFactory(operator=platform_operator), "EUR", "10.00")
    wallet_for(PlayerFactory(operator=platform_operator), "GBP", "10.00")


def _set(platform: RunningSimulator, **values: object) -> None:
    with platform.state.lock:
        for name, value in values.items():
            setattr(platform.state, name, value)


def test_spec_balance_limits_snapshot_without_alert(
    platform: RunningSimulator, platform_operator: Operator, wallets: None
) -> None:
    _set(platform, balance_currency="USD", available_balance=Decimal("107881.02"))
    check = balance_limits_check(operator=platform_operator)
    snapshot = check.balance
    assert snapshot.kind == LimitKind.BALANCE
    assert snapshot.enabled is True
    assert (snapshot.currency, snapshot.available_balance) == ("USD", Decimal("107881.02"))
    assert snapshot.limit_exceeded is False
    assert set(snapshot.currencies) == {"EUR", "GBP"}  # the operator's wallet currencies
    assert Decimal(snapshot.currencies["EUR"]) == Decimal("99250.54")
    assert check.ggr is not None and check.ggr.enabled is False  # GGR limits: not limited
    assert check.conditions == [] and not LimitAlert.objects.exists()
    assert mail.outbox == []


def test_spec_balance_limits_not_limited(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    _set(platform, balance_limits_enabled=False)
    check = balance_limits_check(operator=platform_operator)
    assert check.balance.enabled is False
    assert check.balance.available_balance is None
    assert not LimitAlert.objects.exists()


def test_spec_balance_limits_low_balance_alert_is_logged_mailed_stored_once_then_resolved(
    platform: RunningSimulator,
    platform_operator: Operator,
    wallets: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 600 USD available: EUR 552.00 (under 1000), GBP 474.00 (under its own 500), USD 600.
    _set(platform, balance_currency="USD", available_balance=Decimal("600.00"))
    with caplog.at_level(logging.WARNING, logger="reporting.services.balance_limits"):
        first = balance_limits_check(operator=platform_operator)
    opened = {(a.kind, a.currency) for a in first.opened}
    assert opened == {
        (AlertKind.LOW_BALANCE, "EUR"),
        (AlertKind.LOW_BALANCE, "GBP"),
        (AlertKind.LOW_BALANCE, "USD"),
    }
    gbp = LimitAlert.objects.get(currency="GBP")
    assert gbp.threshold == Decimal("500.00")
    assert gbp.available_balance == Decimal("474.00")
    assert gbp.is_open and gbp.mailed and gbp.snapshot == first.balance
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == ["ops@casino.test"]
    assert SIM_OPERATOR_ID in mail.outbox[0].subject
    assert any("474.00 GBP" in m.body for m in mail.outbox)
    assert "Available balance 474.00 GBP is under the alert threshold 500" in caplog.text

    # The next hourly check finds the same: no new alert, no new mail.
    second = balance_limits_check(operator=platform_operator)
    assert second.opened == [] and len(second.still_open) == 3
    assert LimitAlert.objects.count() == 3
    assert len(mail.outbox) == 3
    assert LimitSnapshot.objects.filter(kind=LimitKind.BALANCE).count() == 2

    # Topped up: the alerts are resolved; a later drop opens a new one (and mails again).
    _set(platform, available_balance=Decimal("50000.00"))
    third = balance_limits_check(operator=platform_operator)
    assert len(third.resolved) == 3
    assert not LimitAlert.objects.filter(resolved_at__isnull=True).exists()
    _set(platform, available_balance=Decimal("900.00"))
    fourth = balance_limits_check(operator=platform_operator)
    assert {a.currency for a in fourth.opened} == {"EUR", "USD"}  # GBP 711.00 is over 500
    assert len(mail.outbox) == 5
    assert LimitAlert.objects.count() == 5


def test_spec_balance_limits_limit_exceeded_alert(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    _set(platform, available_balance=Decimal("0.00"), limit_exceeded=True)
    check = balance_limits_check(operator=platform_operator)
    kinds = {a.kind for a in check.opened}
    assert AlertKind.LIMIT_EXCEEDED in kinds
    exceeded = LimitAlert.objects.get(kind=AlertKind.LIMIT_EXCEEDED)
    assert "limit_exceeded" in exceeded.message
    assert check.balance.limit_exceeded is True
    assert any("limit exceeded" in m.subject for m in mail.outbox)


def test_spec_ggr_limits_usage_over_threshold_alert(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    """GGR limits (DEPRECATED) while the PLATFORM serves them: usage from its book this month."""
    _set(platform, ggr_limits_enabled=True, ggr_currency="EUR", ggr_limit=Decimal("100"))
    book_entry(platform.state.book, transaction_type="BET", amount="95.00")
    check = balance_limits_check(operator=platform_operator)
    assert check.ggr is not None and check.ggr.enabled
    assert (check.ggr.limit, check.ggr.current_usage) == (Decimal("100.00"), Decimal("95.00"))
    assert check.ggr.percentage_usage == Decimal("95.0000")
    alert = LimitAlert.objects.get(kind=AlertKind.GGR_USAGE)
    assert alert.currency == "EUR" and alert.snapshot == check.ggr
    assert "95.00%" in alert.message


def test_spec_ggr_limits_api_gone_is_skipped(
    platform: RunningSimulator, platform_operator: Operator
) -> None:
    platform.state.inject_fault("ggrLimits", status=404, body='{"error":"Not Found"}')
    check = balance_limits_check(operator=platform_operator)
    assert check.ggr is None
    assert LimitSnapshot.objects.filter(kind=LimitKind.GGR).count() == 0
    assert LimitSnapshot.objects.filter(kind=LimitKind.BALANCE).count() == 1


def test_ggr_limits_failure_never_blocks_the_balance_check(
    platform: RunningSimulator, platform_operator: Operator, fast_client: PlatformClient
) -> None:
    _set(platform, ggr_limits_enabled=True, ggr_limit=Decimal("100"))
    book_entry(platform.state.book, transaction_type="BET", amount="95.00")
    balance_limits_check(operator=platform_operator)
    assert LimitAlert.objects.get(kind=AlertKind.GGR_USAGE).is_open
    platform.state.inject_fault("ggrLimits", status=500)
    check = balance_limits_check(operator=platform_operator, client=fast_client)
    assert check.ggr is None
    assert LimitSnapshot.objects.filter(kind=LimitKind.BALANCE).count() == 2
    # Not checked is not resolved: the GGR alert stays open.
    assert LimitAlert.objects.get(kind=AlertKind.GGR_USAGE).is_open


def test_balance_limits_api_failure_stores_nothing(
    platform: RunningSimulator, platform_operator: Operator, fast_client: PlatformClient
) -> None:
    platform.state.inject_fault("balanceLimits", status=200, body="<html>maintenance</html>")
    with pytest.raises(PlatformApiError, match="balanceLimits"):
        balance_limits_check(operator=platform_operator, client=fast_client)
    assert not LimitSnapshot.objects.exists()


def test_no_admins_configured_alert_stored_not_mailed(
    platform: RunningSimulator, platform_operator: Operator, settings: Any
) -> None:
    settings.ADMINS = []
    _set(platform, available_balance=Decimal("10.00"))
    balance_limits_check(operator=platform_operator)
    alert = LimitAlert.objects.get()
    assert alert.is_open and not alert.mailed
    assert mail.outbox == []


def test_check_balance_limits_command(
    platform: RunningSimulator, platform_operator: Operator, wallets: None
) -> None:
    _set(platform, available_balance=Decimal("700.00"))
    out = StringIO()
    call_command("check_balance_limits", operator=SIM_OPERATOR_ID, stdout=out)
    text = out.getvalue()
    assert "Checking balance limits of recon-casino" in text
    assert "available 700.00 USD" in text
    assert "NEW ALERT: Available balance 644.00 EUR" in text
    call_command("check_balance_limits", operator=SIM_OPERATOR_ID, stdout=out)
    assert "still open" in out.getvalue()
    platform.state.inject_fault("balanceLimits", status=403, times=4)
    with pytest.raises(CommandError, match="HTTP 403"):
        call_command("check_balance_limits", operator=SIM_OPERATOR_ID, stdout=out)
