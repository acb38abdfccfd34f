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


# Rows without a hit take a fast path; each must come out as the plain writer writes it.
FAST_PATH_ROWS = [
    Outcome(1, "C1", "Multi\nline Sberbank", "clear", 0.41),
    Outcome(2, "C2", 'Acme "Best" Ltd, Berlin', "clear"),
    Outcome(3, "=K3", "\rcarriage", "clear", 0.1),
    Outcome(4, "", "", "rejected", reason="empty name"),
    Outcome(5, "C5", "-5 Holdings", "rejected", reason="=reason; with, comma"),
    Outcome(6, "C6", "旷视科技", "clear", 0.6999999999999998),
    Outcome(7, "C7", "tab\tinside", "clear"),
]


@pytest.mark.parametrize("ctx", [CTX, RunContext(limit=1), RunContext(
    limit=3, list_versions={"a,b": 1, "=c": 2}, algorithm="x\ny")])
def test_csv_rows_without_hits_are_written_as_the_plain_writer_writes_them(
        tmp_path: Path, ctx: RunContext) -> None:
    from entityscreen.bulk.writers import _csv_bytes, flat_row

    dest = tmp_path / "out.csv"
    results = ResultsFile(dest, "csv", ctx)
    results.write(FAST_PATH_ROWS)
    results.finish()
    expected = _csv_bytes([flat_header(ctx.limit), *(flat_row(o, ctx) for o in FAST_PATH_ROWS)])
    assert dest.read_bytes() == expected
