"""Reading a game's or lobby's `details` (as the Games and Lobbies list API sends it):
thumbnails ({"300x300": url, ...}) and descriptions (a string or {language: text})."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

THUMBNAIL_SIZE = 300
_SIZE = re.compile(r"^(\d+)")


def _url(value: object) -> str:
    if not isinstance(value, str):
        return ""
    url = "".join(value.split())  # the PLATFORM's lists may carry line-wrapped URLs
    return url if url.startswith(("https://", "http://", "//", "data:image/")) else ""


def thumbnail_url(details: Mapping[str, Any] | None, *, size: int = THUMBNAIL_SIZE) -> str:
    """The smallest thumbnail at least `size` pixels wide, else the largest; "" when none."""
    thumbnails = (details or {}).get("thumbnails")
    if isinstance(thumbnails, str):
        return _url(thumbnails)
    if not isinstance(thumbnails, Mapping):
        return _url((details or {}).get("thumbnail"))
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
    value = (details or {}).get("description")
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


def languages(details: Mapping[str, Any] | None) -> list[str]:
    """The languages the description is translated into."""
    value = (details or {}).get("description")
    return sorted(str(k) for k in value) if isinstance(value, Mapping) else []
