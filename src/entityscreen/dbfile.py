"""The small SQLite files beside the list store (audit ledger, review queue, API keys, rate
limits): opened one way, written in ``BEGIN IMMEDIATE`` transactions.

    conn = connect(home / "reviews.sqlite", SCHEMA, what="the review database")
    with immediate(conn):
        conn.execute("UPDATE ...")

Each file is in WAL mode (readers never wait for the writer) with ``synchronous=NORMAL``: a
committed transaction survives a crash of the process; FULL would also survive a power cut
at the price of one fsync per commit. Connections may be used from another thread than the
one that opened them, one thread at a time.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from entityscreen.errors import StoreError

__all__ = ["connect", "immediate", "when_unlocked"]

T = TypeVar("T")

# Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = 30.0


def connect(path: Path, schema: str, *, what: str, fix: str | None = None,
            synchronous: str = "NORMAL") -> sqlite3.Connection:
    """Open (creating if needed) ``path`` with ``schema``; ``what`` names the file in errors
    ("the audit ledger"), ``fix`` says what to do about a damaged one; ``synchronous="OFF"``
    for data a power cut may lose."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None,
                               check_same_thread=False)
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror}",
                         fix="pass --home DIR with a writable folder") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open {what} {path}: {exc}",
                         fix="pass --home DIR with a writable folder") from None
    try:
        when_unlocked(lambda: _open(conn, schema, synchronous))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"cannot open {what} {path}: {exc}", fix=fix) from None
    return conn


def _open(conn: sqlite3.Connection, schema: str, synchronous: str) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.executescript(schema)


def when_unlocked(run: Callable[[], T]) -> T:
    """``run()``, tried again while SQLite answers "database is locked" without waiting, up
    to BUSY_TIMEOUT: processes opening a new file at once all ask for the lock that switching
    it to WAL takes, and SQLite refuses one of them at once (a deadlock guard) instead of
    calling the busy handler. ``run`` must be idempotent (opening statements are)."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return run()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed when the block ends, rolled back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
