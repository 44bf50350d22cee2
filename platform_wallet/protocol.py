"""Pure functions of the gameplay API protocol (spec: Gameplay API).

- X-Authorization = sha1(command + secret)
- request hash    = sha1(command + request_timestamp + secret)
- response hash   = sha1(status + response_timestamp + secret)

Requests are parsed with Decimal for every number that has a fraction or an exponent, and
answered by embedding the incoming request's bytes unchanged, so that numbers keep their exact
digits and the PLATFORM gets back exactly what it sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring as _string
from typing import Any

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_TIMESTAMP_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


def sha1_hex(*parts: str) -> str:
    return hashlib.sha1("".join(parts).encode(), usedforsecurity=False).hexdigest()


# The three digests are remembered (a few hundred each): every call of a command and operator
# carries the same X-Authorization, and the calls of one second share their request and
# response timestamps. (Only correctly authorized calls reach request_hash.)


@lru_cache(maxsize=256)
def authorization_header(command: str, secret_key: str) -> str:
    return sha1_hex(command, secret_key)


@lru_cache(maxsize=512)
def request_hash(command: str, request_timestamp: str, secret_key: str) -> str:
    return sha1_hex(command, request_timestamp, secret_key)


@lru_cache(maxsize=256)
def response_hash(status: str, response_timestamp: str, secret_key: str) -> str:
    return sha1_hex(status, response_timestamp, secret_key)


def digests_match(received: str | None, expected: str) -> bool:
    """Constant-time comparison; a missing digest never matches. Hex case is not significant."""
    if not received:
        return False
    return hmac.compare_digest(received.strip().lower().encode(), expected.encode())


_stamped: tuple[int, str] = (-1, "")


def utc_timestamp(now: dt.datetime | None = None) -> str:
    """`Y-m-d H:i:s` in UTC of `now`, or of the current second (formatted once a second:
    every answer of that second carries it)."""
    global _stamped
    if now is not None:
        return now.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)
    second = int(time.time())
    if _stamped[0] != second:
        _stamped = (second, time.strftime(TIMESTAMP_FORMAT, time.gmtime(second)))
    return _stamped[1]


@lru_cache(maxsize=256)
def timestamp_epoch(text: str) -> float | None:
    """Seconds since the epoch of a `Y-m-d H:i:s` UTC timestamp (the spec's request_timestamp),
    or None when `text` is not exactly that (another shape, or no such date: 2020-11-31).
    Cached: the calls of one second share their timestamp."""
    if len(text) != 19 or _TIMESTAMP_SHAPE.fullmatch(text) is None:
        return None
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


class MalformedJSON(ValueError):
    """A body that is not one unambiguous JSON document. `key` names a duplicated key."""

    def __init__(self, message: str, key: str | None = None) -> None:
        self.key = key
        super().__init__(message)


def _reject_constant(name: str) -> Any:
    raise MalformedJSON(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: a key given twice ({"amount": 1.00,
    "amount": 50.00}) is ambiguous (parsers disagree on which one wins) and is refused."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise MalformedJSON(f"duplicate key {key!r} in a JSON object", key)
            seen.add(key)
    return obj


def parse_json(raw: bytes) -> Any:
    """Parse a request body: floats become Decimal (never float), NaN/Infinity and duplicate
    keys are refused (MalformedJSON)."""
    try:
        text = raw.decode("utf-8")
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_keys,
        )
    except MalformedJSON:
        raise
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedJSON(str(exc)) from exc


def dumps(value: Any) -> str:
    """JSON text of a response value. Decimals are written as JSON numbers with their digits.
    (On every answer: the common types are written directly, strings by the json module's own
    C encoder.)"""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is Decimal:
        if not value.is_finite():
            raise ValueError("non-finite decimal")
        return format(value, "f")
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_string(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, str):  # a StrEnum, ...
        return _string(str(value))
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def envelope(
    *,
    raw_request: bytes | None,
    request_is_json: bool,
    status: str,
    data: Mapping[str, Any],
    secret_key: str,
    now: dt.datetime | None = None,
) -> bytes:
    """The signed answer: {"request": <incoming request, unchanged>, "response": {...}}.

    `raw_request` is embedded as it came when `request_is_json` (it parsed as a JSON document);
    anything else is passed back as a JSON string, still unchanged in content.
    """
    timestamp = utc_timestamp(now)
    response = {
        "status": status,
        "response_timestamp": timestamp,
        "hash": response_hash(status, timestamp, secret_key),
        "data": data,
    }
    if raw_request is None:
        request_text = "null"
    elif request_is_json:
        request_text = raw_request.decode("utf-8")
    else:
        request_text = dumps(raw_request.decode("utf-8", errors="replace"))
    return f'{{"request":{request_text},"response":{dumps(response)}}}'.encode()
