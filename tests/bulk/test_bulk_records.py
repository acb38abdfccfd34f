"""write_records (diff and rescreen output): every format, formulas made text, whole or nothing."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from entityscreen.bulk.records import Layout, write_records

LAYOUT = Layout(columns=("name", "version", "score"),
                flat=lambda r: [r["name"], r["version"], r["score"]],
                integers=frozenset({"version"}), floats=frozenset({"score"}))
RECORDS = [{"name": "=HYPERLINK(\"http://x\")", "version": 2, "score": 0.91},
           {"name": "Банк Россия", "version": None, "score": None}]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_every_format_and_formulas_stay_text(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    assert write_records(iter(RECORDS), out, LAYOUT) == 2
    if fmt == "csv":
        with out.open(newline="", encoding="utf-8") as f:
            rows: list[Any] = [list(r.values()) for r in csv.DictReader(f)]
        assert rows == [["'=HYPERLINK(\"http://x\")", "2", "0.91"], ["Банк Россия", "", ""]]
    elif fmt == "jsonl":  # the records whole, as --json prints them
        assert [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] == RECORDS
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(out).worksheets[0]
        assert ws["A2"].value == "'=HYPERLINK(\"http://x\")" and ws["A2"].data_type == "s"
        assert [c.value for c in ws[3]] == ["Банк Россия", None, None]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert str(table.schema.field("version").type) == "int64"
        assert table.to_pylist()[0]["score"] == 0.91
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_failed_write_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    def broken() -> Iterator[Mapping[str, Any]]:
        yield RECORDS[0]
        raise OSError("disk gone")

    out = tmp_path / f"out.{fmt}"
    out.write_text("the previous file")
    with pytest.raises(OSError, match="disk gone"):
        write_records(broken(), out, LAYOUT)
    assert out.read_text() == "the previous file"  # untouched, and no partial file beside it
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
