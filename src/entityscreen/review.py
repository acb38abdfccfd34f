"""The review queue: alerts (a query matched a listed party) and the decisions on them.

    reviews = Reviews.open(settings.home / "reviews.sqlite", ledger=ledger, four_eyes=False)
    reviews.enqueue(query, [("us_csl:123", "SENSETIME", 0.97)], screening=seq)
    reviews.enqueue_many([(query, hits, seq, {"job": "4f2a", "row": 7, "key": "c7"})])
    reviews.decide(item_id, "false_positive", "different company, other country",
                   reviewer="key:ab12:alice", version=1, fingerprint=fp)

An item is ``open`` until a reviewer decides it: ``true_match`` or ``false_positive``, always
with a reason. With four-eyes on, a decision waits as ``pending`` until a second, different
reviewer approves it (or sends it back to ``open``). The same query hitting the same party
again does not queue a new item: a decided false positive stays decided (a "false hit list")
until the party's listing changes, when :meth:`Reviews.reopen_changed` sets it ``reopened``
(OFAC's guidance: a false hit must be looked at again when the listing it was cleared
against changes). Every decision, approval and reopening is also written to the audit ledger.

An item raised by a bulk job (``POST /screen``) carries the job, row and row key as its
``context``; ``screening`` is the number of the audit record that holds the hits.

Each item carries a version; a decision names the version it was made on, so of two
reviewers deciding the same item at once, the second gets a :class:`ConflictError`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from entityscreen.audit import Ledger
from entityscreen.dbfile import connect, immediate
from entityscreen.errors import AccessError, ConflictError, NotFoundError, UsageError

__all__ = ["DECISIONS", "OPEN_STATUSES", "Item", "Reviews"]

DECISIONS = ("true_match", "false_positive")
OPEN_STATUSES = ("open", "reopened", "pending")
MAX_REASON = 2000  # characters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_items (
    id INTEGER PRIMARY KEY,
    query_key TEXT NOT NULL,
    query TEXT NOT NULL,
    party_id TEXT NOT NULL,
    party_name TEXT NOT NULL,
    score REAL NOT NULL,
    screening INTEGER,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT,
    reason TEXT,
    decided_by TEXT,
    decided_at TEXT,
    approved_by TEXT,
    fingerprint TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    context TEXT,
    UNIQUE (query_key, party_id)
);
CREATE INDEX IF NOT EXISTS review_status ON review_items (status);
CREATE INDEX IF NOT EXISTS review_party ON review_items (party_id);
"""
_COLS = ("id, query, party_id, party_name, score, screening, created_at, status, decision, "
         "reason, decided_by, decided_at, approved_by, fingerprint, version, context")


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    query: dict[str, Any]
    party_id: str
    party_name: str
    score: float
    screening: int | None  # the audit record of the screening that raised it
    created_at: str
    status: str  # open, pending, true_match, false_positive, reopened
    decision: str | None
    reason: str | None
    decided_by: str | None
    decided_at: str | None
    approved_by: str | None
    fingerprint: str | None  # the party's content when it was decided
    version: int
    context: dict[str, Any] | None = None  # a bulk job's {"job", "row", "key"}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _item(row: tuple[Any, ...]) -> Item:
    (id_, query, party_id, party_name, score, screening, created_at, status, decision, reason,
     decided_by, decided_at, approved_by, fingerprint, version, context) = row
    return Item(id_, json.loads(query), party_id, party_name, score, screening, created_at,
                status, decision, reason, decided_by, decided_at, approved_by, fingerprint,
                version, None if context is None else json.loads(context))


def query_key(query: dict[str, Any]) -> str:
    """Two screenings are the same query when name (case and spaces aside) and hints agree."""
    q = dict(query)
    q["name"] = " ".join(str(q.get("name") or "").casefold().split())
    return json.dumps(q, sort_keys=True, ensure_ascii=False)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _add_context_column(conn: sqlite3.Connection) -> None:
    """A review database made before items had a context gets the column (once; another
    process may add it at the same moment)."""
    if "context" not in {r[1] for r in conn.execute("PRAGMA table_info(review_items)")}:
        try:
            conn.execute("ALTER TABLE review_items ADD COLUMN context TEXT")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):
                raise


Hits = Iterable[tuple[str, str, float]]  # (party id, party name, score)


class Reviews:
    def __init__(self, conn: sqlite3.Connection, ledger: Ledger, four_eyes: bool) -> None:
        self._conn = conn
        self.ledger = ledger
        self.four_eyes = four_eyes

    @classmethod
    def open(cls, path: Path, *, ledger: Ledger, four_eyes: bool = False) -> Reviews:
        conn = connect(path, _SCHEMA, what="the review database")
        _add_context_column(conn)
        return cls(conn, ledger, four_eyes)

    def close(self) -> None:
        self._conn.close()

    # -- reading -------------------------------------------------------------------------------

    def get(self, item_id: int) -> Item:
        row = self._conn.execute(f"SELECT {_COLS} FROM review_items WHERE id=?",
                                 (item_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no review item {item_id}")
        return _item(row)

    def queue(self, statuses: Iterable[str] = OPEN_STATUSES, limit: int = 200, *,
              job: str | None = None) -> list[Item]:
        """Items in ``statuses``, best score first; ``job``: only those a bulk job raised."""
        statuses = tuple(statuses)
        marks = ",".join("?" * len(statuses))
        sql, args = f"SELECT {_COLS} FROM review_items WHERE status IN ({marks})", [*statuses]
        if job is not None:
            sql += " AND json_extract(context, '$.job') = ?"
            args.append(job)
        return [_item(r) for r in self._conn.execute(sql + " ORDER BY score DESC, id LIMIT ?",
                                                     (*args, limit))]

    def of_party(self, party_id: str) -> list[Item]:
        return [_item(r) for r in self._conn.execute(
            f"SELECT {_COLS} FROM review_items WHERE party_id=? ORDER BY id", (party_id,))]

    # -- writing -------------------------------------------------------------------------------

    def enqueue(self, query: dict[str, Any], hits: Hits, *, screening: int | None,
                context: dict[str, Any] | None = None) -> list[int]:
        """Queue one item per (query, party) not queued before; returns the new items' ids."""
        return self.enqueue_many([(query, hits, screening, context)])

    def enqueue_many(self, alerts: Iterable[tuple[dict[str, Any], Hits, int | None,
                                                   dict[str, Any] | None]]) -> list[int]:
        """``enqueue`` for many queries (query, hits, screening, context) in one transaction."""
        now = _now()
        rows = []
        for query, hits, screening, context in alerts:
            key = query_key(query)
            text = json.dumps(query, ensure_ascii=False)
            ctx = None if context is None else json.dumps(context, ensure_ascii=False)
            rows += [(key, text, party_id, name, score, screening, now, ctx)
                     for party_id, name, score in hits]
        # most screenings repeat a query already queued: a read finds that without taking
        # the write lock (INSERT OR IGNORE below still settles a race)
        conn = self._conn
        rows = [r for r in rows if conn.execute(
            "SELECT 1 FROM review_items WHERE query_key=? AND party_id=?", (r[0], r[2])
        ).fetchone() is None]
        if not rows:
            return []
        ids = []
        with immediate(conn):
            for row in rows:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO review_items (query_key, query, party_id, "
                    "party_name, score, screening, created_at, status, context) "
                    "VALUES (?,?,?,?,?,?,?, 'open', ?)", row)
                if cur.rowcount:
                    ids.append(int(cur.lastrowid or 0))
        return ids

    def _change(self, item: Item, sets: dict[str, Any], record: dict[str, Any],
                actor: str) -> Item:
        """Apply ``sets`` to the item if it is still at its version, audit it, commit."""
        conn = self._conn
        assign = ", ".join(f"{k}=?" for k in sets)
        with immediate(conn):
            cur = conn.execute(
                f"UPDATE review_items SET {assign}, version=version+1 WHERE id=? AND version=?",
                (*sets.values(), item.id, item.version))
            if cur.rowcount == 0:
                raise ConflictError(
                    f"review item {item.id} was changed by someone else since version "
                    f"{item.version}", fix="reload the item and decide again")
            self.ledger.append("review", actor=actor, body={
                "item": item.id, "query": item.query, "party_id": item.party_id,
                "score": item.score, "screening": item.screening, **record})
        return self.get(item.id)

    def decide(self, item_id: int, decision: str, reason: str, *, reviewer: str,
               version: int, fingerprint: str | None) -> Item:
        """Mark an open item as a true match or a false positive, with the reason."""
        if decision not in DECISIONS:
            raise UsageError(f"unknown decision {decision!r}",
                             fix=f"use one of: {', '.join(DECISIONS)}")
        reason = (reason or "").strip()
        if not reason:
            raise UsageError("a decision needs a reason", fix="say why, in a sentence")
        if len(reason) > MAX_REASON:
            raise UsageError(f"the reason is {len(reason)} characters long; the limit is "
                             f"{MAX_REASON}")
        item = self.get(item_id)
        if item.version != version:
            raise ConflictError(f"review item {item_id} is at version {item.version}, not "
                                f"{version}", fix="reload the item and decide again")
        if item.status not in ("open", "reopened"):
            raise ConflictError(f"review item {item_id} is {item.status}, not open",
                                fix="reload the queue")
        status = "pending" if self.four_eyes else decision
        return self._change(
            item,
            {"status": status, "decision": decision, "reason": reason, "decided_by": reviewer,
             "decided_at": _now(), "approved_by": None, "fingerprint": fingerprint},
            {"action": "decide", "decision": decision, "reason": reason, "status": status,
             "fingerprint": fingerprint}, reviewer)

    def approve(self, item_id: int, *, reviewer: str, version: int, approve: bool = True,
                note: str = "") -> Item:
        """Second pair of eyes: approve a pending decision, or send it back to open."""
        item = self.get(item_id)
        if item.version != version:
            raise ConflictError(f"review item {item_id} is at version {item.version}, not "
                                f"{version}", fix="reload the item")
        if item.status != "pending":
            raise ConflictError(f"review item {item_id} is {item.status}, not pending")
        if item.decided_by == reviewer:
            raise AccessError("four-eyes: the reviewer who decided cannot also approve",
                              fix="ask another reviewer", status=403)
        if approve:
            sets: dict[str, Any] = {"status": item.decision, "approved_by": reviewer}
        else:
            sets = {"status": "open", "decision": None, "decided_by": None,
                    "decided_at": None, "fingerprint": None}
        return self._change(item, sets, {"action": "approve" if approve else "send_back",
                                         "decision": item.decision, "note": note}, reviewer)

    def reopen_changed(self, current: Callable[[str], str | None]) -> list[int]:
        """Reopen decided false positives whose party's listing changed (or was removed)
        since the decision; ``current`` gives a party's fingerprint now (None: delisted)."""
        reopened = []
        for item in self.queue(("false_positive",), limit=1_000_000):
            now = current(item.party_id)
            if now != item.fingerprint:
                try:
                    self._change(item, {"status": "reopened"},
                                 {"action": "reopen", "was": item.fingerprint, "now": now},
                                 "entityscreen")
                except ConflictError:
                    continue  # decided again meanwhile
                reopened.append(item.id)
        return reopened
