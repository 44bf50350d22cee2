"""Fixed-window request counting in Django's cache (Redis in production, shared by every web
process and replica; a per-process memory cache in development and tests)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

# The wall clock windows are counted by (tests pin it inside one window).
clock = time.time


@dataclass(frozen=True)
class RateLimit:
    scope: str
    requests: int
    window_seconds: int


def rate_limit_consume(*, limit: RateLimit, key: str, now: float | None = None) -> int | None:
    """Count one request of `key` (a client address) against `limit`.

    Returns None while within the limit, or the seconds until the window ends (for
    Retry-After) once `limit.requests` requests were counted in the current window.
    """

    now = clock() if now is None else now
    window = int(now // limit.window_seconds)
    cache = caches[settings.RATE_LIMIT_CACHE]
    cache_key = f"ratelimit:{limit.scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=limit.window_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=limit.window_seconds + 1)
        count = 1
    if count <= limit.requests:
        return None
    return max(1, int((window + 1) * limit.window_seconds - now + 0.999))
