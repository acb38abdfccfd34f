"""API keys: created with a role, stored only as SHA-256 hashes, checked per request.

A key reads ``es_<id>_<secret>``: the id (8 hex digits) finds the row, the hash of the whole
key must equal the stored one. Keys are 190 random bits, so a plain hash is enough (no
password stretching): nobody can guess one, and the database alone gives no usable key.

Roles are ordered: ``screener`` < ``reviewer`` < ``admin``; a role can do all the roles below
it can.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from entityscreen.dbfile import connect
from entityscreen.errors import NotFoundError, UsageError

__all__ = ["ROLES", "ApiKey", "KeyStore", "role_allows"]

ROLES = ("screener", "reviewer", "admin")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    rate INTEGER,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


def role_allows(have: str, need: str) -> bool:
    return ROLES.index(have) >= ROLES.index(need)


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    role: str
    name: str
    rate: int | None  # requests per minute; None: the server's default
    created_at: str
    revoked_at: str | None = None

    @property
    def actor(self) -> str:
        """How the audit ledger names whoever used this key."""
        return f"key:{self.id}:{self.name}"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> KeyStore:
        return cls(path, connect(path, _SCHEMA, what="the key database"))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> KeyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create(self, role: str, name: str = "", rate: int | None = None) -> tuple[ApiKey, str]:
        """A new key: its record and the key itself (shown once, never stored)."""
        if role not in ROLES:
            raise UsageError(f"unknown role {role!r}", fix=f"use one of: {', '.join(ROLES)}")
        if rate is not None and rate < 1:
            raise UsageError("the rate limit must be at least 1 request per minute")
        key_id = secrets.token_hex(4)
        key = f"es_{key_id}_{secrets.token_urlsafe(24)}"
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._conn.execute("INSERT INTO api_keys VALUES (?,?,?,?,?,?,NULL)",
                           (key_id, _hash(key), role, name, rate, now))
        return ApiKey(key_id, role, name, rate, now), key

    def verify(self, key: str) -> ApiKey | None:
        """The key's record if ``key`` is a valid, unrevoked key; else None."""
        parts = key.split("_")
        if len(parts) < 3 or parts[0] != "es":
            return None
        row = self._conn.execute(
            "SELECT id, role, name, rate, created_at, revoked_at, hash FROM api_keys "
            "WHERE id=?", (parts[1],)).fetchone()
        if row is None or row[5] is not None:
            return None
        if not hmac.compare_digest(row[6], _hash(key)):
            return None
        return ApiKey(*row[:6])

    def list(self) -> list[ApiKey]:
        return [ApiKey(*r) for r in self._conn.execute(
            "SELECT id, role, name, rate, created_at, revoked_at FROM api_keys ORDER BY "
            "created_at, id")]

    def revoke(self, key_id: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self._conn.execute(
            "UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS NULL", (now, key_id))
        if cur.rowcount == 0:
            raise NotFoundError(f"no active key with id {key_id!r}",
                                fix="`entityscreen keys list` shows the ids")
