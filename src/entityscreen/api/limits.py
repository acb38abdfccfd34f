"""Per-key rate limits: a token bucket per key, kept in ``HOME/limits.sqlite`` so every server
process on that home (``serve --workers N``, or several ``serve`` commands) spends the same
buckets and a key gets its rate once, not once per process.

A key with a rate of N requests per minute may burst up to N requests, then gets one more
every 60/N seconds. Spending a request is one SQLite statement (an upsert that refills,
spends and says whether it could): about 40-80 µs, measured in bench/RESULTS.md.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from entityscreen.dbfile import connect
from entityscreen.errors import StoreError

__all__ = ["RateLimiter"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    key TEXT PRIMARY KEY,
    tokens REAL NOT NULL,  -- requests the key may still make now
    at REAL NOT NULL,      -- when tokens was computed (seconds since the epoch)
    ok INTEGER NOT NULL    -- whether the last request was let through
);
"""
# Refill for the time since the last request (none if the clock went back), capped at the
# rate; spend one token if there is one. SET reads the row as it was before the update.
_TAKE = """
INSERT INTO buckets (key, tokens, at, ok) VALUES (:key, :cap - 1, :now, 1)
ON CONFLICT (key) DO UPDATE SET
    tokens = min(:cap, tokens + max(0, :now - at) * :per_second)
             - (min(:cap, tokens + max(0, :now - at) * :per_second) >= 1),
    ok = min(:cap, tokens + max(0, :now - at) * :per_second) >= 1,
    at = :now
RETURNING ok, tokens
"""


class RateLimiter:
    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time
                 ) -> None:
        self._conn = conn
        self._clock = clock

    @classmethod
    def open(cls, path: Path, clock: Callable[[], float] = time.time) -> RateLimiter:
        # a bucket lost to a power cut only lets a key start afresh: no fsync needed
        return cls(connect(path, _SCHEMA, what="the rate-limit database", synchronous="OFF"),
                   clock)

    def close(self) -> None:
        self._conn.close()

    def take(self, key_id: str, per_minute: int) -> float | None:
        """Spend one request of ``key_id``; None if allowed, else seconds until it would be."""
        try:
            ok, tokens = self._conn.execute(_TAKE, {
                "key": key_id, "cap": float(per_minute), "now": self._clock(),
                "per_second": per_minute / 60.0}).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot update the rate limits: {exc}") from None
        if ok:
            return None
        return (1.0 - tokens) * 60.0 / per_minute
