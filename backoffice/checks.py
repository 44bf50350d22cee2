"""System checks of the backoffice's settings: a misconfigured approval threshold stops the
start-up (`manage.py check`, every command) instead of failing the first large adjustment."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from backoffice.adjustments import approval_threshold


@checks.register(checks.Tags.security)
def approval_thresholds_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    per_currency: dict[str, str] = getattr(settings, "ADJUSTMENT_APPROVAL_THRESHOLDS", {})
    for currency in ["", *per_currency]:
        try:
            approval_threshold(currency)
        except ValueError as error:
            errors.append(checks.Error(str(error), id="backoffice.E001"))
    return errors
