"""Typed reading of a request's `data` object, by the spec's parameter tables.

Every reader raises `InvalidRequest` naming the field, so that a malformed call is answered
with an ERROR envelope that says what was wrong, and never with a crash or a silent default.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from platform_wallet.errors import InvalidRequest

MISSING = object()
_DIGITS = re.compile(r"[0-9]{1,20}")  # fullmatch: "123\n" is not an id
BIGINT_MAX = 2**63 - 1
CENT = Decimal("0.01")
# DECIMAL(18,2): at most 16 digits before the point.
MONEY_LIMIT = Decimal(10) ** 16
RAKE_STEP = Decimal("0.0001")
RAKE_LIMIT = Decimal(10) ** 14


def _get(data: dict[str, Any], name: str) -> Any:
    value = data.get(name, MISSING)
    if value is MISSING:
        raise InvalidRequest(f"data.{name} is required", name)
    return value


def string(
    data: dict[str, Any],
    name: str,
    *,
    max_length: int,
    nullable: bool = False,
    number_allowed: bool = False,
) -> str:
    """A STRING parameter. With `number_allowed`, an id the PLATFORM sends as a JSON integer
    (user_id: 113) is read as its digits."""
    value = _get(data, name)
    if value is None:
        if nullable:
            return ""
        raise InvalidRequest(f"data.{name} must not be null", name)
    if number_allowed and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidRequest(f"data.{name} must be a string", name)
    if len(value) > max_length:
        raise InvalidRequest(f"data.{name} is longer than {max_length} characters", name)
    return value


def optional_string(data: dict[str, Any], name: str, *, max_length: int) -> str:
    if data.get(name) is None:
        return ""
    return string(data, name, max_length=max_length)


def integer_id(data: dict[str, Any], name: str, *, max_digits: int = 20) -> int:
    """An INT id: a JSON integer or a string of digits (ids may arrive as strings)."""
    value = _get(data, name)
    if isinstance(value, bool) or value is None:
        raise InvalidRequest(f"data.{name} must be an integer", name)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if not isinstance(value, int):
        raise InvalidRequest(f"data.{name} must be an integer", name)
    if value < 0 or len(str(value)) > max_digits or value > BIGINT_MAX:
        raise InvalidRequest(f"data.{name} is out of range", name)
    return value


def nullable_bool(data: dict[str, Any], name: str) -> bool | None:
    """A BOOL NULL parameter (round_finished): true, false or null; absent counts as null."""
    value = data.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise InvalidRequest(f"data.{name} must be true, false or null", name)


def _decimal(value: Any, name: str) -> Decimal:
    # JSON numbers only: floats arrive as Decimal (parse_float=Decimal), integers as int.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidRequest(f"{name} must be a number", name)
    return Decimal(value)


def money(data: dict[str, Any], name: str) -> Decimal:
    """A DECIMAL(18,2) amount: non-negative, at most 2 decimals, never rounded."""
    amount = _decimal(_get(data, name), name)
    if not amount.is_finite() or amount < 0:
        raise InvalidRequest(f"data.{name} must not be negative", name)
    if amount >= MONEY_LIMIT:
        raise InvalidRequest(f"data.{name} is too large for DECIMAL(18,2)", name)
    try:
        exact = amount.quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the limit above
        raise InvalidRequest(f"data.{name} is not a valid amount", name) from exc
    if exact != amount:
        raise InvalidRequest(f"data.{name} has more than 2 decimal places", name)
    return exact


def rake(context: dict[str, Any]) -> Decimal | None:
    """context.rake: DECIMAL(18,4), optional, sent with WINs."""
    value = context.get("rake")
    if value is None:
        return None
    rake_value = _decimal(value, "context.rake")
    if not rake_value.is_finite() or rake_value < 0 or rake_value >= RAKE_LIMIT:
        raise InvalidRequest("context.rake must be a non-negative DECIMAL(18,4)", "context.rake")
    exact = rake_value.quantize(RAKE_STEP)
    if exact != rake_value:
        raise InvalidRequest("context.rake has more than 4 decimal places", "context.rake")
    return exact


def choice(data: dict[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = _get(data, name)
    if value not in choices:
        raise InvalidRequest(f"data.{name} must be one of {', '.join(choices)}", name)
    return str(value)


def obj(data: dict[str, Any], name: str, *, required: bool = True) -> dict[str, Any]:
    value = data.get(name, MISSING)
    if value is MISSING or value is None:
        if required:
            raise InvalidRequest(f"data.{name} is required", name)
        return {}
    if not isinstance(value, dict):
        raise InvalidRequest(f"data.{name} must be an object", name)
    return value
