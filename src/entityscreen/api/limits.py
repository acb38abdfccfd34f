"""Per-key rate limits: a token bucket per key, kept in ``HOME/limits.sqlite`` so every server
process on that home (``serve --workers N``, or several ``serve`` commands) spends the same
buckets and a key gets its rate once, not once per process.

A key with a rate of N requests per minute may burst up to N requests, then gets one more
every 60/N seconds. Taking tokens from the shared bucket is one SQLite statement (an upsert
that refills, takes and says how many it could): 40-110 µs. So that a busy key does not pay
that on every request, a process takes N/600 tokens at a time (at most 100) and spends them
from memory: the limit is exact up to 1,200 requests a minute, and above that N processes
let through at most N x N/600 requests more than the burst (a tenth of a second's worth
each).
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
# Refill for the time since the last take (none if the clock went back), capped at the
# rate; take as many whole tokens as wanted and there are. SET reads the row as it was.
_TAKE = """
INSERT INTO buckets (key, tokens, at, ok) VALUES (:key, :cap - :want, :now, :want)
ON CONFLICT (key) DO UPDATE SET
    tokens = min(:cap, tokens + max(0, :now - at) * :per_second)
             - min(:want, CAST(min(:cap, tokens + max(0, :now - at) * :per_second) AS INTEGER)),
    ok = min(:want, CAST(min(:cap, tokens + max(0, :now - at) * :per_second) AS INTEGER)),
    at = :now
RETURNING ok, tokens
"""
# A process takes this share of a key's rate per minute at a time (see above), at most
# LEASE_MAX tokens.
LEASE_SHARE = 1 / 600
LEASE_MAX = 100


class RateLimiter:
    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time
                 ) -> None:
        self._conn = conn
        self._clock = clock
        self._held: dict[str, int] = {}  # key id -> tokens taken, not yet spent

    @classmethod
    def open(cls, path: Path, clock: Callable[[], float] = time.time) -> RateLimiter:
        # a bucket lost to a power cut only lets a key start afresh: no fsync needed
        return cls(connect(path, _SCHEMA, what="the rate-limit database", synchronous="OFF"),
                   clock)

    def close(self) -> None:
        self._conn.close()

    def take(self, key_id: str, per_minute: int) -> float | None:
        """Spend one request of ``key_id``; None if allowed, else seconds until it would be."""
        held = self._held.get(key_id, 0)
        if held > 0:
            self._held[key_id] = held - 1
            return None
        want = max(1, min(LEASE_MAX, int(per_minute * LEASE_SHARE)))
        try:
            got, tokens = self._conn.execute(_TAKE, {
                "key": key_id, "cap": float(per_minute), "now": self._clock(),
                "per_second": per_minute / 60.0, "want": want}).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot update the rate limits: {exc}") from None
        if got:
            self._held[key_id] = got - 1
            return None
        return (1.0 - tokens) * 60.0 / per_minute
