"""The small SQLite files: opened safely by several processes or threads at once."""

from __future__ import annotations

import threading
from pathlib import Path

from entityscreen.dbfile import connect, immediate

SCHEMA = "CREATE TABLE IF NOT EXISTS t(k TEXT PRIMARY KEY, v INTEGER);"


def _together(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _open_and_write(path: Path, k: int, barrier: threading.Barrier,
                    errors: list[BaseException]) -> None:
    barrier.wait()
    try:
        conn = connect(path, SCHEMA, what="the test file")
        with immediate(conn):
            conn.execute("INSERT INTO t VALUES (?, ?)", (f"w{k}", k))
        conn.close()
    except BaseException as exc:
        errors.append(exc)


def test_many_openers_of_a_new_file_at_once_all_open_it(tmp_path: Path) -> None:
    # switching a new file to WAL takes a lock SQLite refuses to wait for when two ask at
    # once ("database is locked"): a server's workers starting together must not fail
    for r in range(25):
        path = tmp_path / f"{r}.sqlite"
        barrier = threading.Barrier(6)
        errors: list[BaseException] = []
        _together([threading.Thread(target=_open_and_write, args=(path, k, barrier, errors))
                   for k in range(6)])
        assert errors == []
        conn = connect(path, SCHEMA, what="the test file")
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 6
        conn.close()


def _open_store(path: Path, barrier: threading.Barrier, errors: list[BaseException]) -> None:
    from entityscreen.store import Store

    barrier.wait()
    try:
        Store.open(path).close()
    except BaseException as exc:
        errors.append(exc)


def test_many_openers_of_a_new_list_store_at_once_all_open_it(tmp_path: Path) -> None:
    for r in range(10):
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []
        _together([threading.Thread(target=_open_store,
                                    args=(tmp_path / f"{r}.sqlite", barrier, errors))
                   for _ in range(4)])
        assert errors == []
