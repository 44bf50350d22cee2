"""Checks of what the PLATFORM sends: one helper per concept, written once.

Nothing from outside is trusted for shape. The client reads the documented JSON types with these
helpers; the catalog and reporting services check every row against what we store and show
(lengths, ranges, decimal places, allowed characters, URL schemes) before storing it; the pages
use the predicates to skip what cannot be shown.

Interface::

    from platform_client import validation as check

    # The documented JSON types (the client)
    check.string(value, "title") -> str
    check.integer(value, "id") -> int                  # an int, or a string of digits
    check.decimal(value, "bets_sum") -> Decimal        # exact: Decimal, int or numeric string
    check.flag(value, "enabled") -> bool               # 1/0 (also true/false, "1"/"0")
    check.date(value, "created_at") -> dt.date         # Y-m-d

    # What we store and show (the services)
    check.positive_id(value, "game id") -> int         # 1 .. 2**63-1 (BIGINT)
    check.count(value, "bets_count") -> int            # 0 .. 2**63-1
    check.money(value, "bets_sum", places=2, max_digits=18) -> Decimal   # never rounded
    check.text(value, "title", max_length=255) -> str  # no control characters
    check.code(value, "vendor", max_length=100) -> str # a code or name: starts alphanumeric
    check.identifier(value, "lobby_id", max_length=100) -> str  # safe as a URL path segment
    check.currency_code(value, "currency") -> str      # 3 or 4 upper-case letters or digits
    check.http_url(value, "thumbnail") -> str          # http(s) with a host, never javascript:
    check.json_document(value, "details", max_depth=10, max_chars=65536) -> None
    check.is_identifier(value) -> bool                 # the predicate form, for pages
    check.shown(value) -> str                          # a value as a log line may show it

Every check raises `InvalidValue` (a ValueError) whose message names the field and shows the
value through `shown` (repr, shortened): safe for a log line, an exception, a task result.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

BIGINT_MAX = 2**63 - 1
URL_MAX = 2048
SHOWN_MAX = 80
_INTEGER = re.compile(r"-?[0-9]{1,20}", re.ASCII)  # more digits are no 64-bit id or count

# A lobby id goes into a URL path segment: ASCII letters, digits, "_", "-", "."; it starts with
# a letter or digit (so never "", "." or "..").
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*", re.ASCII)
_CURRENCY = re.compile(r"[A-Z0-9]{3,4}", re.ASCII)
# Control characters (Unicode Cc), lone surrogates, and the bidirectional overrides and
# isolates that make shown text read other than it is.
_BAD_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# What the database cannot store in a string: NUL (PostgreSQL), lone surrogates (UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class InvalidValue(ValueError):
    """A value the PLATFORM sent that is not of the documented type, or does not fit what we
    store and show. The message names the field."""


def shown(value: Any, limit: int = SHOWN_MAX) -> str:
    """`value` as a message may show it: its repr (control characters escaped), shortened."""
    text = repr(value) if not isinstance(value, int | Decimal) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- The documented JSON types ------------------------------------------------------------------


def string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidValue(f"{name} is not a string: {shown(value)}")
    return value


def integer(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise InvalidValue(f"{name} is not an integer: {shown(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    raise InvalidValue(f"{name} is not an integer: {shown(value)}")


def decimal(value: Any, name: str) -> Decimal:
    """A JSON number, exactly (the body is parsed with parse_float=Decimal)."""
    if isinstance(value, bool) or value is None:
        raise InvalidValue(f"{name} is not a number: {shown(value)}")
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise InvalidValue(f"{name} is not a number: {shown(value)}") from exc
    else:
        raise InvalidValue(f"{name} is not a number: {shown(value)}")
    if not result.is_finite():
        raise InvalidValue(f"{name} is not a finite number: {shown(value)}")
    return result


def flag(value: Any, name: str) -> bool:
    """The PLATFORM's 1/0 flags (also accepted: true/false, "1"/"0")."""
    if isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, Decimal):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    raise InvalidValue(f"{name} is not 1 or 0: {shown(value)}")


def date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(string(value, name)[:10])
    except ValueError as exc:
        raise InvalidValue(f"{name} is not a Y-m-d date: {shown(value)}") from exc


# --- What we store and show ---------------------------------------------------------------------


def positive_id(value: Any, name: str, *, maximum: int = BIGINT_MAX) -> int:
    """An id of the PLATFORM's (BIGINT): 1 .. `maximum`."""
    number = integer(value, name)
    if not 1 <= number <= maximum:
        raise InvalidValue(f"{name} is out of range 1..{maximum}: {shown(value)}")
    return number


def count(value: Any, name: str, *, maximum: int = BIGINT_MAX) -> int:
    number = integer(value, name)
    if not 0 <= number <= maximum:
        raise InvalidValue(f"{name} is out of range 0..{maximum}: {shown(value)}")
    return number


def money(
    value: Any,
    name: str,
    *,
    places: int = 2,
    max_digits: int = 18,
    minimum: Decimal | None = None,
) -> Decimal:
    """An amount that fits a DecimalField(max_digits, places) exactly: more decimal places are
    refused, never rounded (the database would round them silently)."""
    amount = decimal(value, name)
    if abs(amount) >= Decimal(10) ** (max_digits - places):
        raise InvalidValue(f"{name} is too large: {shown(value)}")
    exact = amount.quantize(Decimal(1).scaleb(-places))
    if exact != amount:
        raise InvalidValue(f"{name} has more than {places} decimal places: {shown(value)}")
    if minimum is not None and exact < minimum:
        raise InvalidValue(f"{name} is under {minimum}: {shown(value)}")
    return exact


def _bad_character(value: str) -> str | None:
    found = _BAD_TEXT.search(value)
    return found.group() if found else None


def text(value: Any, name: str, *, max_length: int, required: bool = True) -> str:
    """A string to store and show: at most `max_length` characters, no control characters (no
    NUL, newline or tab; PostgreSQL cannot store NUL), no lone surrogates, no bidi overrides;
    not blank when `required`."""
    result = string(value, name)
    if required and not result.strip():
        raise InvalidValue(f"{name} is empty")
    if len(result) > max_length:
        raise InvalidValue(f"{name} is longer than {max_length} characters: {shown(value)}")
    bad = _bad_character(result)
    if bad is not None:
        raise InvalidValue(f"{name} contains the character {bad!r}: {shown(value)}")
    return result


def code(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    """A code or name (vendor, game type, platform): `text` that starts with a letter or digit
    (so never with a spreadsheet's formula characters = + - @, nor with a space)."""
    result = text(value, field, max_length=max_length, required=required)
    if result and not (result[0].isalnum()):
        raise InvalidValue(f"{field} does not start with a letter or digit: {shown(value)}")
    return result


def identifier(value: Any, name: str, *, max_length: int) -> str:
    """An id that goes into a URL path segment (a lobby_id): ASCII letters, digits, "_", "-"
    and ".", starting with a letter or digit; never empty, never "/"."""
    result = string(value, name)
    if not result:
        raise InvalidValue(f"{name} is empty")
    if len(result) > max_length:
        raise InvalidValue(f"{name} is longer than {max_length} characters: {shown(value)}")
    if not _IDENTIFIER.fullmatch(result):
        raise InvalidValue(
            f"{name} has characters other than letters, digits, '_', '-' and '.' (or does not "
            f"start with a letter or digit): {shown(value)}"
        )
    return result


def is_identifier(value: Any, *, max_length: int = 255) -> bool:
    try:
        identifier(value, "id", max_length=max_length)
    except InvalidValue:
        return False
    return True


def currency_code(value: Any, name: str) -> str:
    """A currency code as our wallets hold it: 3 or 4 upper-case letters or digits (ISO 4217,
    or a custom one such as USDT)."""
    result = string(value, name)
    if not _CURRENCY.fullmatch(result):
        raise InvalidValue(f"{name} is not 3 or 4 upper-case letters or digits: {shown(value)}")
    return result


def http_url(value: Any, name: str, *, max_length: int = URL_MAX) -> str:
    """An http(s) address with a host, never javascript:, data: or a relative one. Whitespace is
    taken out first (the spec's lists carry line-wrapped URLs); the cleaned URL is returned."""
    url = "".join(string(value, name).split())
    if len(url) > max_length:
        raise InvalidValue(f"{name} is longer than {max_length} characters: {shown(value)}")
    if _bad_character(url) is not None:
        raise InvalidValue(f"{name} contains control characters: {shown(value)}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise InvalidValue(f"{name} is not a URL: {shown(value)}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidValue(f"{name} is not an http(s) URL with a host: {shown(value)}")
    return url


def json_document(value: Any, name: str, *, max_depth: int, max_chars: int) -> None:
    """A decoded JSON value we store (JSONField) and show (indented in the admin): nested at
    most `max_depth` levels, at most `max_chars` characters as JSON, string keys, finite
    numbers, and strings the database can store (no NUL, no lone surrogates). Walked without
    recursion, so a deep value is refused, never a RecursionError."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise InvalidValue(f"{name} is nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise InvalidValue(f"{name} has a key that is not a string: {shown(key)}")
                    _storable(key, name)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _storable(item, name)
        elif isinstance(item, float | Decimal) and not _finite(item):
            raise InvalidValue(f"{name} has a number that is not finite: {shown(item)}")
        elif item is not None and not isinstance(item, bool | int | float | Decimal):
            raise InvalidValue(f"{name} has a value that is not JSON: {shown(item)}")
    size = len(json.dumps(value, ensure_ascii=False, default=str))
    if size > max_chars:
        raise InvalidValue(f"{name} is larger than {max_chars} characters ({size})")


def _finite(number: float | Decimal) -> bool:
    """Finite, also as the float a JSON column may turn it into."""
    if isinstance(number, Decimal) and not number.is_finite():
        return False
    return math.isfinite(float(number))


def _storable(item: str, name: str) -> None:
    if _UNSTORABLE.search(item):
        raise InvalidValue(f"{name} has a string with NUL or a lone surrogate: {shown(item)}")
