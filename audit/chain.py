"""The hash chain, as pure functions: the canonical serialization of an event and its hash.

canonical = JSON of the event's fields with sorted keys, no spaces, ASCII only; datetimes in UTC
ISO 8601 with microseconds. hash = sha256(prev_hash + canonical), hexadecimal. `details` holds
JSON values only: strings, integers, booleans, None, lists and objects (`json_safe` turns
Decimals, dates and UUIDs into strings; floats are refused, as they would not survive the
database's JSON types byte for byte).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def json_safe(value: Any) -> Any:
    """`value` made of the JSON types that read back from the database exactly as written."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return time_text(value)
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    raise TypeError(f"not allowed in the audit trail: {type(value).__name__}")


def time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(
    *,
    seq: int,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target_type: str,
    target_id: str,
    target_repr: str,
    details: Any,
) -> str:
    fields = {
        "seq": seq,
        "created_at": time_text(created_at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_repr": target_repr,
        "details": json_safe(details),
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(prev_hash: str, canonical_text: str) -> str:
    return hashlib.sha256((prev_hash + canonical_text).encode("ascii")).hexdigest()
