"""Argument helpers shared by the reporting commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from operators.models import Operator
from operators.platform_jobs import yesterday_utc


def operator_get(operator_id: str) -> Operator:
    operator = Operator.objects.filter(operator_id=operator_id).first()
    if operator is None:
        raise CommandError(f"unknown operator {operator_id!r}")
    if not operator.api_host:
        raise CommandError(f"operator {operator_id} has no PLATFORM API host (api_host)")
    return operator


def date_parse(value: str | None) -> dt.date:
    """A Y-m-d date; none given: yesterday in UTC."""
    if not value:
        return yesterday_utc()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None
