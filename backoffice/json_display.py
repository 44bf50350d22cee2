"""Stored JSON as staff read it: indented, Decimals with all their digits, never crashing on
what is stored (too large, too deep, not JSON). Used by the admin pages and template tags (it
imports nothing of the admin, so that template tags may load before the admin's theme)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from platform_client import validation


def json_text(value: Any, level: int = 0) -> str:
    """Indented JSON with sorted keys; Decimals are written as numbers with all their digits
    (an amount of 9.00 reads 9.00, not 9.0)."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else json.dumps(str(value))
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {json_text(v, level + 1)}"
            for k, v in sorted(value.items(), key=lambda item: str(item[0]))
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{json_text(v, level + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, default=str)


PRETTY_MAX_DEPTH = 50
PRETTY_MAX_CHARS = 1_000_000


def pretty_json(value: Any) -> SafeString:
    """JSON (a decoded value, or a string holding JSON) indented for reading, escaped.

    Never crashes on what is stored (issue 10): text that is not JSON, is larger than
    PRETTY_MAX_CHARS or nested deeper than PRETTY_MAX_DEPTH (json.loads and the indenting would
    recurse into a RecursionError) is shown as the raw text instead, cut at PRETTY_MAX_CHARS; a
    decoded value that cannot be indented safely is named, not shown."""
    raw: str | None = None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        raw = value
        if len(raw) > PRETTY_MAX_CHARS:
            return _raw_text(raw)
        try:
            value = json.loads(raw, parse_float=Decimal)
        except (ValueError, RecursionError):
            return _raw_text(raw)
    try:
        validation.json_document(
            value, "the value", max_depth=PRETTY_MAX_DEPTH, max_chars=PRETTY_MAX_CHARS
        )
    except validation.InvalidValue as problem:
        if raw is not None:
            return _raw_text(raw)
        return format_html('<pre class="bo-json bo-json-raw">(not shown: {})</pre>', problem)
    return format_html('<pre class="bo-json">{}</pre>', json_text(value))


def _raw_text(raw: str) -> SafeString:
    more = len(raw) - PRETTY_MAX_CHARS
    shown = raw[:PRETTY_MAX_CHARS] + (f"… ({more} more characters)" if more > 0 else "")
    return format_html('<pre class="bo-json bo-json-raw">{}</pre>', shown)
