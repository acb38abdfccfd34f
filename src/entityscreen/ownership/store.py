"""Ownership data on disk: ``ownership.sqlite`` beside the entityscreen store.

One import replaces one named source in a single transaction (all of it or none of it).
Parties are shared between sources by key (an LEI, a FollowTheMoney id, a normalised name), so
the same holding stated by two sources meets itself and is counted once (see ``graph``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from entityscreen.dbfile import immediate, when_unlocked
from entityscreen.errors import StoreError
from entityscreen.normalize import normalize
from entityscreen.ownership.model import Basis, Edge, Link, OwnershipNode

__all__ = ["FILENAME", "OwnershipStore", "SourceInfo"]

FILENAME = "ownership.sqlite"
# Parties fetched per SQL statement when walking up or down the graph.
BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
  name TEXT PRIMARY KEY, kind TEXT NOT NULL, origin TEXT NOT NULL, sha256 TEXT NOT NULL,
  imported_at TEXT NOT NULL, edges INTEGER NOT NULL, links INTEGER NOT NULL,
  lists_state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
  key TEXT PRIMARY KEY, name TEXT NOT NULL, norm TEXT NOT NULL, country TEXT,
  party_id TEXT, score REAL, matched_name TEXT, party_ids TEXT);
CREATE INDEX IF NOT EXISTS nodes_norm ON nodes(norm);
CREATE INDEX IF NOT EXISTS nodes_party ON nodes(party_id);
CREATE TABLE IF NOT EXISTS edges (
  source TEXT NOT NULL, owner TEXT NOT NULL, owned TEXT NOT NULL, share REAL,
  basis TEXT NOT NULL, start TEXT, end_ TEXT, as_of TEXT, record TEXT NOT NULL,
  owner_n INTEGER NOT NULL, owned_n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS edges_owned ON edges(owned);
CREATE INDEX IF NOT EXISTS edges_owner ON edges(owner);
CREATE INDEX IF NOT EXISTS edges_source ON edges(source);
CREATE TABLE IF NOT EXISTS links (
  source TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, relation TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_a ON links(a);
"""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    name: str
    kind: str
    origin: str
    sha256: str
    imported_at: str
    edges: int
    links: int
    lists_state: str  # the list versions the parties were matched against


_EDGE_COLUMNS = "source, owner, owned, share, basis, start, end_, as_of, record"
_NODE_COLUMNS = "key, name, country, party_id, score, matched_name, party_ids"


def _node(row: tuple[Any, ...]) -> OwnershipNode:
    key, name, country, party_id, score, matched_name, ids = row
    return OwnershipNode(key, name, country, party_id, score, matched_name,
                         None if ids is None else tuple(json.loads(ids)))


def _ids(node: OwnershipNode) -> str | None:
    return None if node.party_ids is None else json.dumps(list(node.party_ids))


def _edge(row: tuple[Any, ...]) -> Edge:
    source, owner, owned, share, basis, start, end, as_of, record = row
    return Edge(owner, owned, share, Basis(basis), start, end, as_of, source, record)


class OwnershipStore:
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> OwnershipStore:
        if not create and not path.exists():
            raise StoreError(f"no ownership data at {path}",
                             fix="import some with `entityscreen ownership import FILE`")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
            when_unlocked(lambda: (conn.execute("PRAGMA journal_mode=WAL"),
                                   conn.executescript(_SCHEMA)))
            columns = {r[1] for r in conn.execute("PRAGMA table_info(nodes)")}
            if "party_ids" not in columns:  # a file from before party_ids was kept
                conn.execute("ALTER TABLE nodes ADD COLUMN party_ids TEXT")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: {exc}",
                             fix="move the file away and import the ownership data again"
                             ) from None
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> OwnershipStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def replace_source(self, info: SourceInfo, nodes: Iterable[OwnershipNode],
                       edges: Iterable[Edge], links: Iterable[Link]) -> None:
        """Replace everything ``info.name`` said, atomically."""
        c = self.conn
        with immediate(c):
            c.execute("DELETE FROM edges WHERE source = ?", (info.name,))
            c.execute("DELETE FROM links WHERE source = ?", (info.name,))
            c.executemany(
                "INSERT INTO nodes (key, name, norm, country, party_id, score, matched_name, "
                "party_ids) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET "
                "name=excluded.name, norm=excluded.norm, "
                "country=coalesce(excluded.country, country), party_id=excluded.party_id, "
                "score=excluded.score, matched_name=excluded.matched_name, "
                "party_ids=excluded.party_ids",
                ((n.key, n.name, normalize(n.name), n.country, n.party_id, n.score,
                  n.matched_name, _ids(n)) for n in nodes))
            # owner_n / owned_n: the parties' row numbers, so `check` reads integers
            c.executemany(
                "INSERT INTO edges VALUES (?,?,?,?,?,?,?,?,?,"
                "(SELECT rowid FROM nodes WHERE key = ?), (SELECT rowid FROM nodes WHERE key = ?))",
                ((info.name, e.owner, e.owned, e.share, e.basis.value, e.start, e.end, e.as_of,
                  e.record, e.owner, e.owned) for e in edges))
            c.executemany("INSERT INTO links VALUES (?,?,?,?,?)",
                          ((info.name, lk.a, lk.b, lk.relation, lk.record) for lk in links))
            c.execute("INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?)",
                      (info.name, info.kind, info.origin, info.sha256, info.imported_at,
                       info.edges, info.links, info.lists_state))

    def remove_source(self, name: str) -> bool:
        c = self.conn
        with immediate(c):
            c.execute("DELETE FROM edges WHERE source = ?", (name,))
            c.execute("DELETE FROM links WHERE source = ?", (name,))
            gone = c.execute("DELETE FROM sources WHERE name = ?", (name,)).rowcount
        return bool(gone)

    def sources(self) -> list[SourceInfo]:
        return [SourceInfo(*r) for r in self.conn.execute("SELECT * FROM sources ORDER BY name")]

    def node(self, key: str) -> OwnershipNode | None:
        row = self.conn.execute(f"SELECT {_NODE_COLUMNS} FROM nodes WHERE key = ?",
                                (key,)).fetchone()
        return _node(row) if row else None

    def nodes(self, keys: Iterable[str]) -> dict[str, OwnershipNode]:
        out: dict[str, OwnershipNode] = {}
        wanted = list(dict.fromkeys(keys))
        for i in range(0, len(wanted), BATCH):
            part = wanted[i:i + BATCH]
            q = f"SELECT {_NODE_COLUMNS} FROM nodes WHERE key IN ({','.join('?' * len(part))})"
            for row in self.conn.execute(q, part):
                out[row[0]] = _node(row)
        return out

    def find(self, name: str) -> list[OwnershipNode]:
        """Parties whose name normalises to the same text as ``name``, or with that key."""
        rows = self.conn.execute(
            f"SELECT {_NODE_COLUMNS} FROM nodes WHERE norm = ? OR key = ? ORDER BY key",
            (normalize(name), name)).fetchall()
        return [_node(r) for r in rows]

    def row_numbers(self, keys: Iterable[str]) -> dict[str, int]:
        wanted = list(keys)
        out: dict[str, int] = {}
        for i in range(0, len(wanted), BATCH):
            part = wanted[i:i + BATCH]
            q = f"SELECT key, rowid FROM nodes WHERE key IN ({','.join('?' * len(part))})"
            out.update(self.conn.execute(q, part).fetchall())
        return out

    def keys_of(self, rows: Iterable[int]) -> dict[int, str]:
        wanted = list(rows)
        out: dict[int, str] = {}
        for i in range(0, len(wanted), BATCH):
            part = wanted[i:i + BATCH]
            q = f"SELECT rowid, key FROM nodes WHERE rowid IN ({','.join('?' * len(part))})"
            out.update(self.conn.execute(q, part).fetchall())
        return out

    def listed_nodes(self) -> list[OwnershipNode]:
        """Parties matched to a listed party."""
        rows = self.conn.execute(
            f"SELECT {_NODE_COLUMNS} FROM nodes WHERE party_id IS NOT NULL ORDER BY key"
        ).fetchall()
        return [_node(r) for r in rows]

    def with_party(self, party_id: str) -> list[OwnershipNode]:
        rows = self.conn.execute(
            f"SELECT {_NODE_COLUMNS} FROM nodes WHERE party_id = ? ORDER BY key",
            (party_id,)).fetchall()
        return [_node(r) for r in rows]

    def _edges(self, column: str, keys: list[str]) -> list[Edge]:
        out: list[Edge] = []
        for i in range(0, len(keys), BATCH):
            part = keys[i:i + BATCH]
            q = (f"SELECT {_EDGE_COLUMNS} FROM edges WHERE {column} IN "
                 f"({','.join('?' * len(part))})")
            out += [_edge(r) for r in self.conn.execute(q, part)]
        return out

    def edges_into(self, keys: Iterable[str]) -> list[Edge]:
        return self._edges("owned", list(keys))

    def walk(self, key: str, *, up: bool, max_depth: int | None = None,
             max_nodes: int = 100_000) -> list[Edge]:
        """Every edge above (owners, their owners...) or below ``key``, breadth first."""
        seen = {key}
        frontier = [key]
        out: list[Edge] = []
        depth = 0
        while frontier and (max_depth is None or depth < max_depth) and len(seen) < max_nodes:
            depth += 1
            found = self._edges("owned" if up else "owner", frontier)
            out += found
            nxt = []
            for e in found:
                k = e.owner if up else e.owned
                if k not in seen:
                    seen.add(k)
                    nxt.append(k)
            frontier = nxt
        return out

    def links(self, keys: Iterable[str]) -> list[Link]:
        wanted = list(keys)
        out: list[Link] = []
        for i in range(0, len(wanted), BATCH):
            part = wanted[i:i + BATCH]
            q = f"SELECT a, b, relation, source, record FROM links WHERE a IN " \
                f"({','.join('?' * len(part))})"
            out += [Link(*r) for r in self.conn.execute(q, part)]
        return out

    def all_edges(self) -> Iterator[Edge]:
        for r in self.conn.execute(f"SELECT {_EDGE_COLUMNS} FROM edges"):
            yield _edge(r)

    def all_nodes(self) -> Iterator[OwnershipNode]:
        for r in self.conn.execute(f"SELECT {_NODE_COLUMNS} FROM nodes"):
            yield _node(r)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
