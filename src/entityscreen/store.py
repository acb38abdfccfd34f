"""The embedded SQLite store: versioned sources, atomic replace, look-ups.

Every import of a source becomes a new *version* (publication date, fetched-at time, sha256 of
the original files, record count, origin). The whole file set is parsed before the database is
touched, and the new version is written and made active in one transaction, so readers (WAL
mode) see the old version or the new one, never a mix; a failed import leaves the previous data
as it was. Earlier versions are kept (``KEEP_VERSIONS``) for diffs and for re-deriving old results.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from entityscreen.codec import party_from_dict, party_to_dict
from entityscreen.dbfile import immediate, when_unlocked
from entityscreen.errors import SourceFormatError, StoreError
from entityscreen.model import Party, SourceVersion, merge_parties
from entityscreen.sources import SourceSpec

if TYPE_CHECKING:
    from entityscreen.watchset import WatchSet

__all__ = ["KEEP_VERSIONS", "Store"]

SCHEMA_VERSION = 1
# How many versions of each source stay in the database (the active one included).
KEEP_VERSIONS = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    published TEXT,
    fetched_at TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    records INTEGER NOT NULL,
    files TEXT NOT NULL,
    origin TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, version)
);
CREATE TABLE IF NOT EXISTS parties (
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    id TEXT NOT NULL,
    merge_key TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (source, version, id)
);
CREATE INDEX IF NOT EXISTS parties_id ON parties (id);
CREATE INDEX IF NOT EXISTS parties_merge ON parties (merge_key);
-- the watched counterparties (``entityscreen watch``); screened=0 until a rescreen has
-- screened the row against all the lists
CREATE TABLE IF NOT EXISTS watch (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT,
    country TEXT,
    birth_date TEXT,
    identifiers TEXT NOT NULL DEFAULT '[]',
    screened INTEGER NOT NULL DEFAULT 0
);
-- the matches of the last rescreen per watched row; party_key is the party's merge key or,
-- without one, its id (it survives a change of the feed a merged party is shown under)
CREATE TABLE IF NOT EXISTS watch_results (
    key TEXT NOT NULL,
    party_key TEXT NOT NULL,
    party_id TEXT NOT NULL,
    party_name TEXT NOT NULL,
    score REAL NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (key, party_key)
);
"""


class Store:
    """One SQLite database file. Open with :meth:`open`; use as a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        if not path.exists() and not create:
            raise StoreError(
                f"no database at {path}",
                fix="run `entityscreen update` (or `entityscreen update --bundled`) first",
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            when_unlocked(lambda: (conn.execute("PRAGMA journal_mode=WAL"),
                                   conn.execute("PRAGMA synchronous=NORMAL"),
                                   conn.executescript(_SCHEMA)))
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                # (OR IGNORE: another process opening the new file may have written it)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)",
                             (str(SCHEMA_VERSION),))
            elif int(row[0]) != SCHEMA_VERSION:
                raise StoreError(
                    f"{path} has schema version {row[0]}, this entityscreen needs "
                    f"{SCHEMA_VERSION}",
                    fix="move the file away and run `entityscreen update` to rebuild it",
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open the database {path}: {exc}",
                fix="if the file is damaged, move it away and run `entityscreen update`",
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot create {path}: {exc.strerror}",
                             fix="pass --home DIR with a writable folder") from None
        return cls(path, conn)

    @property
    def watch(self) -> WatchSet:
        """The watched counterparties kept in this database (``entityscreen watch``)."""
        from entityscreen.watchset import WatchSet

        return WatchSet(self._conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- importing ---------------------------------------------------------------------------

    def import_source(
        self,
        spec: SourceSpec,
        files: Mapping[str, bytes],
        *,
        origin: str,
        published: str | None = None,
    ) -> SourceVersion:
        """Parse ``files`` completely, then store them as the new active version of ``spec``.

        ``published`` is used when the files themselves state no publication date (OFAC's
        legacy CSV files do not), e.g. the snapshot date of the bundled copy.
        """
        missing = sorted(spec.required - set(files))
        if missing:
            raise SourceFormatError(
                ", ".join(missing), f"missing file(s) for source {spec.name}",
                fix=f"{spec.name} needs: {', '.join(sorted(spec.urls))}",
            )
        parties = list(spec.parse(files))
        if not parties:
            name = ", ".join(sorted(files))
            raise SourceFormatError(name, "no records found", fix="is this the right file?")
        digest = hashlib.sha256()
        for fname in sorted(files):
            digest.update(fname.encode())
            digest.update(hashlib.sha256(files[fname]).digest())
        published = spec.published(files) or published
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (p.id, p.merge_key, json.dumps(party_to_dict(p), ensure_ascii=False))
            for p in parties
        ]
        ids = [r[0] for r in rows]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise SourceFormatError(
                ", ".join(sorted(files)), f"record id {dup!r} appears twice",
                fix="report this file to the entityscreen developers",
            )
        conn = self._conn
        with immediate(conn):
            (version,) = conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE source=?",
                (spec.name,),
            ).fetchone()
            conn.executemany(
                "INSERT INTO parties (source, version, id, merge_key, data) VALUES (?,?,?,?,?)",
                [(spec.name, version, *r) for r in rows],
            )
            conn.execute("UPDATE versions SET active=0 WHERE source=?", (spec.name,))
            conn.execute(
                "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,1)",
                (spec.name, version, published, fetched_at, digest.hexdigest(), len(rows),
                 json.dumps(sorted(files)), origin),
            )
            old = [
                v for (v,) in conn.execute(
                    "SELECT version FROM versions WHERE source=? ORDER BY version DESC "
                    "LIMIT -1 OFFSET ?", (spec.name, KEEP_VERSIONS),
                )
            ]
            for v in old:
                conn.execute("DELETE FROM parties WHERE source=? AND version=?", (spec.name, v))
                conn.execute("DELETE FROM versions WHERE source=? AND version=?", (spec.name, v))
        return SourceVersion(
            source=spec.name, version=version, published=published, fetched_at=fetched_at,
            sha256=digest.hexdigest(), records=len(rows), files=tuple(sorted(files)),
            origin=origin,
        )

    # -- reading -----------------------------------------------------------------------------

    def versions(self, *, active_only: bool = True) -> list[SourceVersion]:
        sql = "SELECT source, version, published, fetched_at, sha256, records, files, origin " \
              "FROM versions"
        if active_only:
            sql += " WHERE active=1"
        sql += " ORDER BY source, version"
        return [
            SourceVersion(s, v, p, f, h, r, tuple(json.loads(fl)), o)
            for (s, v, p, f, h, r, fl, o) in self._conn.execute(sql)
        ]

    def state_key(self) -> str:
        """Changes whenever any active source version changes (keys the index cache)."""
        parts = [f"{v.source}:{v.version}:{v.sha256}" for v in self.versions()]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def _active_rows(
        self, where: str = "", args: Iterable[object] = (),
        versions: Mapping[str, int] | None = None,
    ) -> Iterator[tuple[str, str, str | None, str]]:
        """Party rows of the active versions, or of ``versions`` (source -> version) when
        given: a reader pinned to the versions it loaded never mixes in a newer import."""
        if versions is None:
            sql = (
                "SELECT p.source, p.id, p.merge_key, p.data FROM parties p JOIN versions v "
                "ON p.source=v.source AND p.version=v.version WHERE v.active=1"
            )
            params: list[object] = []
        else:
            pinned = " OR ".join(["(p.source=? AND p.version=?)"] * len(versions)) or "0"
            sql = f"SELECT p.source, p.id, p.merge_key, p.data FROM parties p WHERE ({pinned})"
            params = [x for item in versions.items() for x in item]
        if where:
            sql += " AND " + where
        yield from self._conn.execute(sql, (*params, *args))

    def parties(self) -> Iterator[Party]:
        """Every active party, parties of several feeds with one merge key merged into one."""
        order = {name: i for i, name in enumerate(self._source_order())}
        groups: dict[str, list[tuple[int, Party]]] = {}
        for source, _pid, merge_key, data in self._active_rows():
            party = party_from_dict(orjson.loads(data))
            if merge_key is None:
                yield party
                continue
            groups.setdefault(merge_key, []).append((order.get(source, 99), party))
        for members in groups.values():
            members.sort(key=lambda m: m[0])
            yield merge_parties(p for _, p in members)

    def party(self, party_id: str, versions: Mapping[str, int] | None = None) -> Party | None:
        """One party by id, merged with the same listing from other feeds; from the active
        versions, or from ``versions`` (source -> version) when given."""
        rows = list(self._active_rows("p.id=?", (party_id,), versions))
        if not rows:
            return None
        _source, _pid, merge_key, data = rows[0]
        if merge_key is None:
            return party_from_dict(orjson.loads(data))
        order = {name: i for i, name in enumerate(self._source_order())}
        members = sorted(
            ((order.get(s, 99), party_from_dict(orjson.loads(d)))
             for s, _i, _m, d in self._active_rows("p.merge_key=?", (merge_key,), versions)),
            key=lambda m: m[0],
        )
        return merge_parties(p for _, p in members)

    def parties_by_id(self, party_ids: Collection[str],
                      versions: Mapping[str, int] | None = None) -> dict[str, Party]:
        """:meth:`party` for several ids in two queries, not two per party (ids not stored
        are left out)."""
        if not party_ids:
            return {}
        ids = list(party_ids)
        marks = ",".join("?" * len(ids))
        rows = list(self._active_rows(f"p.id IN ({marks})", ids, versions))
        keys = sorted({m for _s, _p, m, _d in rows if m is not None})
        members: dict[str, list[tuple[int, Party]]] = {}
        if keys:
            order = {name: i for i, name in enumerate(self._source_order())}
            marks = ",".join("?" * len(keys))
            for source, _pid, m, data in self._active_rows(
                    f"p.merge_key IN ({marks})", keys, versions):
                members.setdefault(m or "", []).append(
                    (order.get(source, 99), party_from_dict(orjson.loads(data))))
        out: dict[str, Party] = {}
        for _source, pid, merge_key, data in rows:
            if pid in out:
                continue  # the first row of a party, as party() takes it
            if merge_key is None:
                out[pid] = party_from_dict(orjson.loads(data))
            else:
                group = sorted(members.get(merge_key, ()), key=lambda m: m[0])
                out[pid] = merge_parties(p for _, p in group)
        return out

    def _source_order(self) -> list[str]:
        from entityscreen.sources import BUNDLED

        return list(BUNDLED)

    # -- versions of one source (for diffs) --------------------------------------------------

    def parties_of(self, source: str, version: int) -> dict[str, Party]:
        """The parties of one stored version of one source, as imported (not merged)."""
        return {pid: party_from_dict(orjson.loads(data))
                for pid, data in self.party_data(source, version).items()}

    def party_data(self, source: str, version: int) -> dict[str, str]:
        """Party id -> stored JSON text for one version of one source: one party stored
        twice unchanged has the same text, so diffs decode only the parties that differ."""
        return dict(self._conn.execute(
            "SELECT id, data FROM parties WHERE source=? AND version=?", (source, version)))

    def party_history(self, party_id: str) -> list[tuple[SourceVersion, str | None]]:
        """Each stored version of the sources that carry ``party_id``, oldest first, with
        the party's stored JSON in that version (None where the version lacks it)."""
        data = {(s, v): d for s, v, d in self._conn.execute(
            "SELECT source, version, data FROM parties WHERE id=?", (party_id,))}
        sources = {s for s, _ in data}
        return [(v, data.get((v.source, v.version)))
                for v in self.versions(active_only=False) if v.source in sources]

    def party_by_key(self, party_key: str) -> Party | None:
        """The active party with this merge key (merged across feeds) or, for a party
        without one, this id."""
        row = next(self._active_rows("p.merge_key=?", (party_key,)), None)
        if row is None:
            row = next(self._active_rows("p.id=? AND p.merge_key IS NULL", (party_key,)), None)
        return None if row is None else self.party(row[1])
