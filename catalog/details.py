"""Reading a game's or lobby's `details` (as the Games and Lobbies list API sends it):
thumbnails ({"300x300": url, ...}) and descriptions (a string or {language: text}); and
`details_check`, what the catalog sync asks of details before storing them.

The reader is tolerant of whatever is stored (odd data gives "" rather than an error); a picture
URL is used only when it is an http(s) address (`platform_client.validation.http_url`): never
javascript:, data: or a relative one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from platform_client import validation as check

THUMBNAIL_SIZE = 300
DETAILS_MAX_DEPTH = 10
DETAILS_MAX_CHARS = 65_536
_SIZE = re.compile(r"^(\d+)")


def _url(value: object) -> str:
    try:
        return check.http_url(value, "thumbnail")  # joins line-wrapped URLs
    except check.InvalidValue:
        return ""


def details_check(details: Any) -> None:
    """Raise `InvalidValue` unless `details` is a JSON object we store and show: within
    DETAILS_MAX_DEPTH levels and DETAILS_MAX_CHARS characters, storable strings, finite numbers,
    and every thumbnail an http(s) URL."""
    if not isinstance(details, Mapping):
        raise check.InvalidValue(f"details is not an object: {check.shown(details)}")
    check.json_document(
        details, "details", max_depth=DETAILS_MAX_DEPTH, max_chars=DETAILS_MAX_CHARS
    )
    thumbnails = details.get("thumbnails")
    pictures = list(thumbnails.values()) if isinstance(thumbnails, Mapping) else [thumbnails]
    pictures.append(details.get("thumbnail"))
    for picture in pictures:
        if picture is not None:
            check.http_url(picture, "thumbnail")


def _mapping(details: Any) -> Mapping[str, Any]:
    """Stored details as a mapping: anything else (a list, a string) reads as empty."""
    return details if isinstance(details, Mapping) else {}


def thumbnail_url(details: Mapping[str, Any] | None, *, size: int = THUMBNAIL_SIZE) -> str:
    """The smallest thumbnail at least `size` pixels wide, else the largest; "" when none."""
    details = _mapping(details)
    thumbnails = details.get("thumbnails")
    if isinstance(thumbnails, str):
        return _url(thumbnails)
    if not isinstance(thumbnails, Mapping):
        return _url(details.get("thumbnail"))
    sized: list[tuple[int, str]] = []
    unsized: list[str] = []
    for key, value in thumbnails.items():
        url = _url(value)
        match = _SIZE.match(str(key))
        if url and match:
            sized.append((int(match.group(1)), url))
        elif url:
            unsized.append(url)
    sized.sort()
    for width, url in sized:
        if width >= size:
            return url
    if sized:
        return sized[-1][1]
    return unsized[0] if unsized else ""


def description(details: Mapping[str, Any] | None, language: str = "en") -> str:
    """The description in `language` (e.g. "de-DE"), else its base language, else English,
    else any; a plain string description is returned as it is."""
    value = _mapping(details).get("description")
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        return ""
    texts = {str(k).lower().replace("_", "-"): v for k, v in value.items() if isinstance(v, str)}
    wanted = (language or "en").lower().replace("_", "-")
    for key in (wanted, wanted.split("-")[0], "en", "en-us", "en-gb"):
        if texts.get(key):
            return texts[key]
    return next((text for text in texts.values() if text), "")
