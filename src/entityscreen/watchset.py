"""The watched counterparties and their last matches, in the list store's database.

``entityscreen watch add`` puts rows here; ``entityscreen rescreen`` reads them, screens what
a list update changed and records the matches. Every write is one transaction. The tables are
created with the store's schema (``store._SCHEMA``); this module only reads and writes them.

    watch = store.watch
    added, changed = watch.put([("C1", Query("Megvii"))])
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from entityscreen.dbfile import immediate
from entityscreen.model import PartyType, Query

__all__ = ["WatchHit", "WatchSet"]

# Watched rows read per SQL statement (SQLite caps the variables of one statement).
_CHUNK = 500


class WatchHit(NamedTuple):
    """A stored match of a watched row."""

    party_id: str
    party_name: str
    score: float
    fingerprint: str  # of the party's content (``changes.fingerprint``) when it matched


class WatchSet:
    """The ``watch`` and ``watch_results`` tables of one store connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def put(self, rows: Iterable[tuple[str, Query]]) -> tuple[int, int]:
        """Add or replace watched rows by key, in one transaction: (added, changed). A row
        whose content changed is screened again in full by the next rescreen."""
        conn = self._conn
        with immediate(conn):
            (before,) = conn.execute("SELECT COUNT(*) FROM watch").fetchone()
            start = conn.total_changes
            conn.executemany(
                "INSERT INTO watch (key, name, type, country, birth_date, identifiers) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET name=excluded.name, "
                "type=excluded.type, country=excluded.country, birth_date=excluded.birth_date, "
                "identifiers=excluded.identifiers, screened=0 WHERE "
                "watch.name IS NOT excluded.name OR watch.type IS NOT excluded.type OR "
                "watch.country IS NOT excluded.country OR "
                "watch.birth_date IS NOT excluded.birth_date OR "
                "watch.identifiers IS NOT excluded.identifiers",
                ((key, q.name, q.type.value if q.type else None, q.country, q.birth_date,
                  json.dumps(list(q.identifiers), ensure_ascii=False)) for key, q in rows),
            )
            touched = conn.total_changes - start
            (after,) = conn.execute("SELECT COUNT(*) FROM watch").fetchone()
            if touched:
                self._new_generation()
        return after - before, touched - (after - before)

    def remove(self, keys: Iterable[str] | None = None) -> int:
        """Remove watched rows (and their stored results) by key; ``None`` removes them all."""
        conn = self._conn
        with immediate(conn):
            start = conn.total_changes
            if keys is None:
                conn.execute("DELETE FROM watch")
                removed = conn.total_changes - start
                conn.execute("DELETE FROM watch_results")
            else:
                ks = [(k,) for k in keys]
                conn.executemany("DELETE FROM watch WHERE key=?", ks)
                removed = conn.total_changes - start
                conn.executemany("DELETE FROM watch_results WHERE key=?", ks)
            if removed:
                self._new_generation()
        return removed

    def rows(
        self, keys: Iterable[str] | None = None, *, screened: bool | None = None
    ) -> Iterator[tuple[str, Query, bool]]:
        """Watched rows as (key, query, screened), in key order; only ``keys`` if given."""
        sql = "SELECT key, name, type, country, birth_date, identifiers, screened FROM watch"
        if screened is not None:
            sql += f" WHERE screened={int(screened)}"
        if keys is None:
            yield from map(_row, self._conn.execute(sql + " ORDER BY key"))
            return
        wanted = sorted(set(keys))
        glue = " AND " if screened is not None else " WHERE "
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            yield from map(_row, self._conn.execute(
                f"{sql}{glue}key IN ({marks}) ORDER BY key", chunk))

    def count(self) -> tuple[int, int]:
        """(watched rows, rows screened at least once)."""
        n, done = self._conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(screened), 0) FROM watch").fetchone()
        return int(n), int(done)

    def generation(self) -> str:
        """Changes whenever the watch set changes (keys caches built from it)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key='watch_generation'").fetchone()
        return str(row[0]) if row else "0"

    def _new_generation(self) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('watch_generation', ?)",
                           (uuid.uuid4().hex[:16],))

    def results(self) -> dict[str, dict[str, WatchHit]]:
        """The stored matches: watched key -> party key -> match."""
        out: dict[str, dict[str, WatchHit]] = {}
        for key, pkey, *hit in self._conn.execute(
            "SELECT key, party_key, party_id, party_name, score, fingerprint "
            "FROM watch_results"
        ):
            out.setdefault(key, {})[pkey] = WatchHit(*hit)
        return out

    def rescreen_state(self) -> dict[str, Any] | None:
        """What the last rescreen screened against (source versions, algorithm, threshold)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key='rescreen'").fetchone()
        return json.loads(row[0]) if row else None

    def save_rescreen(
        self,
        *,
        hits: Iterable[tuple[str, str, WatchHit]],
        dropped: Iterable[tuple[str, str]],
        screened: Iterable[str],
        state: Mapping[str, Any],
    ) -> None:
        """Record one rescreen in one transaction: matches (key, party key, hit) stored or
        replaced, matches (key, party key) dropped, rows marked screened, the new state."""
        conn = self._conn
        with immediate(conn):
            conn.executemany("DELETE FROM watch_results WHERE key=? AND party_key=?", dropped)
            conn.executemany(
                "INSERT OR REPLACE INTO watch_results VALUES (?,?,?,?,?,?)",
                ((k, pk, *hit) for k, pk, hit in hits))
            conn.executemany("UPDATE watch SET screened=1 WHERE key=? AND screened=0",
                             ((k,) for k in screened))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('rescreen', ?)",
                         (json.dumps(dict(state), sort_keys=True),))


def _row(row: tuple[Any, ...]) -> tuple[str, Query, bool]:
    key, name, ptype, country, birth_date, idents, screened = row
    return key, Query(name, PartyType(ptype) if ptype else None, country, birth_date,
                      tuple(json.loads(idents))), bool(screened)
