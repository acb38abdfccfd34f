"""The audit ledger: an append-only, hash-chained record of every screening and decision.

    ledger = Ledger.open(settings.home / "audit.sqlite")
    seq = ledger.append("screening", actor="key:ab12cd34", body={...})
    ledger.verify()            # raises AuditError naming the first bad record

Each record holds its sequence number, time (UTC), kind, actor and a JSON body, and the hash
``sha256(prev_hash | seq | at | kind | actor | body)``. Triggers refuse UPDATE and DELETE;
the chain still catches a record edited or deleted behind SQLite's back (a gap in the
sequence, a hash that does not recompute, a head that does not match the last record).

Writes are committed before :meth:`Ledger.append` returns, so no answer is ever sent for a
screening the ledger lost. Records older than the retention period may be purged
(:meth:`Ledger.purge`); the purge keeps the hash of the last purged record as the new
anchor, so the remaining chain still verifies.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

from entityscreen.dbfile import connect, immediate
from entityscreen.errors import AuditError, StoreError, UsageError

__all__ = ["GENESIS", "Ledger", "Record"]

GENESIS = "0" * 64  # the "previous hash" of the first record

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_at ON ledger (at);
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger
WHEN OLD.seq > COALESCE((SELECT CAST(value AS INTEGER) FROM ledger_meta
                         WHERE key='purged_upto'), 0)
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
"""


@dataclass(frozen=True, slots=True)
class Record:
    seq: int
    at: str
    kind: str
    actor: str
    body: dict[str, Any]
    prev: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "kind": self.kind, "actor": self.actor,
                "body": self.body, "prev": self.prev, "hash": self.hash}


def _digest(prev: str, seq: int, at: str, kind: str, actor: str, body: str) -> str:
    h = hashlib.sha256()
    for part in (prev, str(seq), at, kind, actor, body):
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def _canonical(body: dict[str, Any]) -> str:
    """The body's text as stored and hashed: compact, keys sorted, UTF-8 unescaped. Written
    by orjson (2 µs instead of json's 16 per screening); the hash covers the stored text, so
    records written by another encoder (json wrote 1e-05 where orjson writes 0.00001)
    still verify."""
    try:
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:  # what orjson refuses (an integer over 64 bits): json writes it
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class Ledger:
    """One ledger file. Safe to append from several processes (each append is one
    ``BEGIN IMMEDIATE`` transaction that reads the head and writes the next record)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> Ledger:
        return cls(path, connect(path, _SCHEMA, what="the audit ledger",
                                 fix="check the file; never delete it (it is the audit trail)"))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM ledger_meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def append(self, kind: str, *, actor: str, body: dict[str, Any],
               at: datetime | None = None) -> int:
        """Write one record and commit it; returns its sequence number."""
        return self.append_many([(kind, actor, body)], at=at)[0]

    def append_many(self, records: list[tuple[str, str, dict[str, Any]]], *,
                    at: datetime | None = None) -> list[int]:
        """Write (kind, actor, body) records in one transaction (a group commit) and commit
        them; returns their sequence numbers."""
        stamp = (at or datetime.now(UTC)).isoformat(timespec="microseconds")
        texts = [(kind, actor, _canonical(body)) for kind, actor, body in records]
        conn = self._conn
        try:
            with immediate(conn):
                row = conn.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1"
                                   ).fetchone()
                if row is None:
                    seq = int(self._meta("purged_upto") or 0)
                    prev = self._meta("anchor") or GENESIS
                else:
                    seq, prev = row
                rows, seqs = [], []
                for kind, actor, text in texts:
                    seq += 1
                    digest = _digest(prev, seq, stamp, kind, actor, text)
                    rows.append((seq, stamp, kind, actor, text, prev, digest))
                    seqs.append(seq)
                    prev = digest
                conn.executemany("INSERT INTO ledger VALUES (?,?,?,?,?,?,?)", rows)
                conn.execute("INSERT OR REPLACE INTO ledger_meta VALUES ('head', ?)",
                             (f"{seq}:{prev}",))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot write the audit ledger {self.path}: {exc}") from None
        return seqs

    def records(self, *, start: str | None = None, end: str | None = None,
                kind: str | None = None) -> Iterator[Record]:
        """Records in order; ``start``/``end`` are ISO dates or times (end exclusive)."""
        for seq, at, k, actor, body, prev, digest in self._rows(start, end, kind):
            yield Record(seq, at, k, actor, json.loads(body), prev, digest)

    def _rows(self, start: str | None, end: str | None, kind: str | None
              ) -> Iterator[tuple[int, str, str, str, str, str, str]]:
        """Rows as stored (the body as its hashed text)."""
        sql, args = "SELECT seq, at, kind, actor, body, prev, hash FROM ledger WHERE 1=1", []
        if start:
            sql += " AND at >= ?"
            args.append(start)
        if end:
            sql += " AND at < ?"
            args.append(end)
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        yield from self._conn.execute(sql + " ORDER BY seq", args)

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM ledger").fetchone()[0])

    def verify(self) -> int:
        """Recompute the whole chain; returns the number of records checked.

        Raises :class:`AuditError` at the first record that was edited, deleted or
        inserted out of order, or when the newest records were cut off.
        """
        expect_seq = int(self._meta("purged_upto") or 0) + 1
        prev = self._meta("anchor") or GENESIS
        n = 0
        fix = "restore the ledger from a backup and investigate who changed it"
        rows = self._conn.execute(
            "SELECT seq, at, kind, actor, body, prev, hash FROM ledger ORDER BY seq")
        for seq, at, kind, actor, body, stored_prev, digest in rows:
            if seq != expect_seq:
                raise AuditError(f"audit record {expect_seq} is missing (next is {seq})",
                                 fix=fix)
            if stored_prev != prev or _digest(prev, seq, at, kind, actor, body) != digest:
                raise AuditError(f"audit record {seq} was changed after it was written",
                                 fix=fix)
            prev, expect_seq, n = digest, seq + 1, n + 1
        head = self._meta("head")
        if head is not None:
            head_seq, head_hash = head.split(":", 1)
            if int(head_seq) != expect_seq - 1 or head_hash != prev:
                raise AuditError(f"the newest audit records after {expect_seq - 1} were "
                                 f"deleted (the head says {head_seq})", fix=fix)
        return n

    def purge(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete records older than ``retention_days``; returns how many went."""
        if retention_days < 1:
            raise UsageError("the retention must be at least one day")
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=retention_days)).isoformat()
        conn = self._conn
        with immediate(conn):
            row = conn.execute("SELECT seq, hash FROM ledger WHERE at < ? ORDER BY seq DESC "
                               "LIMIT 1", (cutoff,)).fetchone()
            if row is None:
                return 0
            upto, anchor = row
            (gone,) = conn.execute("SELECT COUNT(*) FROM ledger WHERE seq <= ?",
                                   (upto,)).fetchone()
            conn.execute("INSERT OR REPLACE INTO ledger_meta VALUES ('purged_upto', ?)",
                         (str(upto),))
            conn.execute("INSERT OR REPLACE INTO ledger_meta VALUES ('anchor', ?)", (anchor,))
            conn.execute("DELETE FROM ledger WHERE seq <= ?", (upto,))
        return gone

    def export(self, out: IO[str], fmt: str, *, start: str | None = None,
               end: str | None = None) -> int:
        """Write records as CSV or JSON lines; returns how many."""
        if fmt not in ("csv", "jsonl"):
            raise UsageError(f"unknown export format {fmt!r}", fix="use csv or jsonl")
        n = 0
        writer = None
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(["seq", "at", "kind", "actor", "body", "prev", "hash"])
        for seq, at, kind, actor, body, prev, digest in self._rows(start, end, None):
            if writer is not None:
                # the body's stored text: what the hash covers, so the export verifies
                writer.writerow([seq, at, kind, actor, body, prev, digest])
            else:
                out.write(json.dumps(Record(seq, at, kind, actor, json.loads(body), prev,
                                            digest).to_dict(), ensure_ascii=False) + "\n")
            n += 1
        return n
