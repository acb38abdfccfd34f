"""Writers: formula neutralising, atomic finish, empty runs, what XLSX cannot hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from entityscreen.bulk.writers import (
    Outcome,
    ResultsFile,
    RunContext,
    flat_header,
    neutralise,
    partial_path,
)

CTX = RunContext(limit=2, list_versions={"us_csl": 3}, algorithm="entityscreen-1")


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"), ("+49 30 1234", "'+49 30 1234"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Megvii", "Megvii"), ("", ""), (" =1", " =1"),
    ("a=b", "a=b"),
])
def test_neutralise(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_an_empty_run_still_makes_a_valid_file(tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / f"out.{fmt}"
    ResultsFile(dest, fmt, CTX).finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == [dest.name]
    if fmt == "csv":
        assert dest.read_text().strip() == ",".join(flat_header(2))
    if fmt == "parquet":
        import pyarrow.parquet as pq

        assert pq.read_table(dest).column_names == flat_header(2)


def test_output_appears_only_when_finished_and_xlsx_gets_only_legal_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    dest = tmp_path / "out.xlsx"
    results = ResultsFile(dest, "xlsx", CTX)
    results.write([Outcome(1, "K1", "bell\x07 =x", "clear", 0.1),
                   Outcome(2, "=K2", "Megvii", "rejected", reason="empty name")])
    results.commit()
    assert not dest.exists() and partial_path(dest).exists()
    results.finish()
    assert not partial_path(dest).exists()
    rows = list(load_workbook(dest).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:6] == (1, "K1", "bell\ufffd =x", "clear", 0.1, None)
    assert rows[2][1] == "'=K2" and rows[2][5] == "empty name"
    assert rows[1][-2:] == ("us_csl:3", "entityscreen-1")
