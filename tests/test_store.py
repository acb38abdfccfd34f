"""The store: versioned, atomic imports; a failed import leaves the previous data intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import read
from entityscreen.errors import SourceFormatError, StoreError
from entityscreen.sources import get_source
from entityscreen.store import KEEP_VERSIONS, Store

DPL = ("bis_dpl", "2023-11-30", "dpl.txt")


def test_import_records_version_checksum_and_counts(tmp_path: Path, lists_dir: Path) -> None:
    with Store.open(tmp_path / "db.sqlite") as store:
        v = store.import_source(get_source("bis_dpl"), {"dpl.txt": read(lists_dir, *DPL)},
                                origin="test")
        assert (v.source, v.version, v.records) == ("bis_dpl", 1, 547)
        assert len(v.sha256) == 64
        assert [x.records for x in store.versions()] == [547]
        assert sum(1 for _ in store.parties()) == 547


def test_failed_import_leaves_previous_version_intact(tmp_path: Path, lists_dir: Path) -> None:
    data = read(lists_dir, *DPL)
    with Store.open(tmp_path / "db.sqlite") as store:
        store.import_source(get_source("bis_dpl"), {"dpl.txt": data}, origin="test")
        key = store.state_key()
        with pytest.raises(SourceFormatError, match=r"dpl\.txt"):
            store.import_source(get_source("bis_dpl"),
                                {"dpl.txt": b"\x89PNG\r\n\x1a\n" + data[:50]}, origin="test")
        assert store.state_key() == key
        assert [(v.version, v.records) for v in store.versions()] == [(1, 547)]


def test_old_versions_are_pruned(tmp_path: Path, lists_dir: Path) -> None:
    data = read(lists_dir, *DPL)
    with Store.open(tmp_path / "db.sqlite") as store:
        for _ in range(KEEP_VERSIONS + 2):
            store.import_source(get_source("bis_dpl"), {"dpl.txt": data}, origin="test")
        kept = store.versions(active_only=False)
        assert len(kept) == KEEP_VERSIONS
        assert [v.version for v in store.versions()] == [KEEP_VERSIONS + 2]
        assert sum(1 for _ in store.parties()) == 547


def test_missing_required_file_is_named(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db.sqlite") as store, pytest.raises(
        SourceFormatError, match=r"cons_prim\.csv"
    ):
        store.import_source(get_source("ofac_cons_csv"), {"cons_alt.csv": b"x"}, origin="test")


def test_damaged_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="move it away"):
        Store.open(path)


def test_missing_database_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="entityscreen update"):
        Store.open(tmp_path / "absent.sqlite", create=False)


def test_parties_read_together_equal_parties_read_one_by_one(screener) -> None:  # type: ignore[no-untyped-def]
    """A stream of queries reads its hits' parties in one go: the same parties, merged the
    same way (a party listed by several feeds), as reading each alone."""
    store = screener.store
    pinned = {v.source: v.version for v in store.versions()}
    merged = [pid for (pid,) in store._conn.execute(
        "SELECT id FROM parties WHERE merge_key IS NOT NULL LIMIT 40")]
    single = [pid for (pid,) in store._conn.execute(
        "SELECT id FROM parties WHERE merge_key IS NULL LIMIT 40")]
    ids = [*merged, *single, "no-such-party"]
    together = store.parties_by_id(ids, pinned)
    assert "no-such-party" not in together
    assert merged and single and len(together) == len(ids) - 1
    for pid in ids[:-1]:
        assert together[pid] == store.party(pid, pinned)
    # some of them are merged from several feeds, which is what makes this worth testing
    assert any(len(p.listings) > 1 for p in together.values())
    assert screener.parties(ids) == together
