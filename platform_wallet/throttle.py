"""Log lines that a flood must not multiply (issue 10): at most one line per interval and key,
telling how many occurrences it stands for. Metrics still count every occurrence."""

from __future__ import annotations

import threading
import time


class LogThrottle:
    """`admit(key)` is the number of occurrences of `key` the line to write now stands for
    (this one and those suppressed since the last line), or None while the interval that
    the last line opened runs. Keys come from small fixed sets (reasons, statuses); past
    `max_keys` the oldest intervals are forgotten."""

    def __init__(self, interval_seconds: float, max_keys: int = 64) -> None:
        self.interval_seconds = interval_seconds
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # key: (window end, suppressed)

    def admit(self, key: str, now: float | None = None) -> int | None:
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._windows.get(key)
            if window is not None and window[0] > now:
                self._windows[key] = (window[0], window[1] + 1)
                return None
            if window is None and len(self._windows) >= self.max_keys:
                self._windows.clear()
            self._windows[key] = (now + self.interval_seconds, 0)
            return 1 + (window[1] if window is not None else 0)
