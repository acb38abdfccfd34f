"""Per-key rate limits: a token bucket per key, in this process's memory.

A key with a rate of N requests per minute may burst up to N requests, then gets one more
every 60/N seconds. With several server processes each keeps its own buckets, so the
effective limit is N per process.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, at)

    def take(self, key_id: str, per_minute: int) -> float | None:
        """Spend one request of ``key_id``; None if allowed, else seconds until it would be."""
        now = self._clock()
        tokens, at = self._buckets.get(key_id, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - at) * per_minute / 60.0)
        if tokens < 1.0:
            self._buckets[key_id] = (tokens, now)
            return (1.0 - tokens) * 60.0 / per_minute
        self._buckets[key_id] = (tokens - 1.0, now)
        return None
