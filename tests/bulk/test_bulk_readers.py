"""Streaming readers: formats, encodings, broken rows and files that are not what they say."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from entityscreen.bulk import readers, text
from entityscreen.bulk.readers import cell_text, open_table
from entityscreen.errors import InputError

from .bulk_data import zip_bomb, zip_not_xlsx


def rows_of(path: Path | str, **kw: object) -> tuple[tuple[str, ...], list[readers.RawRow]]:
    table = open_table(path, **kw)  # type: ignore[arg-type]
    try:
        return table.headers, list(table.rows(range(len(table.headers))))
    finally:
        table.close()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(("data", "fields"), [
    (b"name,country\nMegvii,CN\n", ["Megvii", "CN"]),
    (b"name;country\r\nMegvii;CN\r\n", ["Megvii", "CN"]),  # European Excel
    (b"name\tcountry\nMegvii\tCN\n", ["Megvii", "CN"]),
    (b"name|country\nMegvii|CN\n", ["Megvii", "CN"]),
    (b"\xef\xbb\xbfname,country\nMegvii,CN\n", ["Megvii", "CN"]),  # UTF-8 BOM
    (b'name,country\n"Megvii, Inc.",CN\n', ["Megvii, Inc.", "CN"]),
    (b"name\nAcme, Inc\n", ["Acme, Inc"]),  # one column: a comma is part of the name
    (b'name,notes\n"Megvii","two\nlines"\n', ["Megvii", "two\nlines"]),
    (b"name,country\nM\xfcller GmbH,DE\n", ["Müller GmbH", "DE"]),  # a Windows-1252 line
    ("name,country\n旷视科技,CN\n".encode("utf-16"), ["旷视科技", "CN"]),  # Excel Unicode text
])
def test_csv_dialects_and_encodings(tmp_path: Path, data: bytes, fields: list[str]) -> None:
    headers, rows = rows_of(write(tmp_path, "in.csv", data))
    assert headers[0] == "name"
    assert [list(r.fields) for r in rows] == [fields]
    assert rows[0].problem is None


def test_blank_rows_are_not_rows_and_numbers_count_data_rows(tmp_path: Path) -> None:
    data = b"name,country\n\nMegvii,CN\n,,\n\nSenseTime,HK\n"
    _, rows = rows_of(write(tmp_path, "in.csv", data))
    assert [(r.row, r.line, r.fields[0]) for r in rows] == [(1, 3, "Megvii"), (2, 6, "SenseTime")]


def test_bad_rows_are_flagged_and_reading_goes_on(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "MAX_LINE_BYTES", 100)
    data = (b"name,country\nMegvii,CN\nbad \x81\x8d bytes,CN\n" + b"x" * 5000 + b",CN\n"
            + b"SenseTime,HK\n")
    _, rows = rows_of(write(tmp_path, "in.csv", data))
    assert [(r.row, r.line) for r in rows] == [(1, 2), (2, 3), (3, 4), (4, 5)]
    assert [r.problem is None for r in rows] == [True, False, False, True]
    assert "undecodable" in (rows[1].problem or "")
    assert rows[1].excerpt == "bad \\x81\\x8d bytes,CN"
    assert "longer than 100 bytes" in (rows[2].problem or "")
    assert rows[2].excerpt.startswith("xxx") and len(rows[2].excerpt) <= 200
    assert rows[3].fields[0] == "SenseTime"


def test_a_runaway_quote_costs_one_reject_not_the_file(tmp_path: Path) -> None:
    data = (b'name,country\n"runaway,CN\n' + (b"z" * 98 + b"\n") * 1400
            + b"SenseTime,HK\n")
    _, rows = rows_of(write(tmp_path, "in.csv", data))
    assert "unreadable CSV: field larger than field limit" in (rows[0].problem or "")
    assert rows[0].line == 2 and rows[0].excerpt == '"runaway,CN'
    assert rows[-1].fields[0] == "SenseTime" and rows[-1].problem is None


def test_no_header_numbers_the_columns(tmp_path: Path) -> None:
    headers, rows = rows_of(write(tmp_path, "in.csv", b"Megvii,CN\nSenseTime,HK\n"),
                            header=False)
    assert headers == ("1", "2")
    assert [r.fields[0] for r in rows] == ["Megvii", "SenseTime"]


def test_jsonl(tmp_path: Path) -> None:
    lines = [json.dumps({"name": "Megvii", "country": "CN", "ids": ["A1", "B2"]}),
             "", "{not json", "[1, 2]", json.dumps({"name": "SenseTime", "extra": 1}),
             b"\x81\x8d".decode("latin-1")]
    data = "\n".join(lines).encode("utf-8").replace(b"\xc2\x81\xc2\x8d", b"\x81\x8d")
    headers, rows = rows_of(write(tmp_path, "in.jsonl", data))
    assert headers == ("name", "country", "ids")
    assert list(rows[0].fields) == ["Megvii", "CN", "A1; B2"]
    assert [r.problem for r in rows[1:3]] == ["not valid JSON (Expecting property name "
                                              "enclosed in double quotes)", "not a JSON object"]
    assert list(rows[3].fields) == ["SenseTime", "", ""]
    assert "undecodable" in (rows[4].problem or "")


def test_jsonl_keys_in_another_case_are_the_same_column(tmp_path: Path) -> None:
    data = b'{"Name": "Megvii", "Country": "CN"}\n{"name": "SenseTime", "COUNTRY": "HK"}\n'
    headers, rows = rows_of(write(tmp_path, "in.jsonl", data))
    assert headers == ("Name", "Country")
    assert [list(r.fields) for r in rows] == [["Megvii", "CN"], ["SenseTime", "HK"]]


def test_stdin_is_sniffed(tmp_path: Path) -> None:
    stdin = io.BytesIO(b'{"name": "Megvii"}\n{"name": "SenseTime"}\n')
    headers, rows = rows_of("-", stdin=stdin)
    assert headers == ("name",) and [r.fields[0] for r in rows] == ["Megvii", "SenseTime"]


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([None])
    ws.append(["Name", "Customer ID", "DOB", "Active"])
    ws.append(["Megvii", 12345.0, datetime(1957, 5, 1), True])
    ws.append([None, None, None, None])
    ws.append(["Chen Quanguo", 7, date(1955, 11, 1), False])
    path = tmp_path / "in.xlsx"
    wb.save(path)
    headers, rows = rows_of(path)
    assert headers == ("Name", "Customer ID", "DOB", "Active")
    assert [list(r.fields) for r in rows] == [["Megvii", "12345", "1957-05-01", "true"],
                                             ["Chen Quanguo", "7", "1955-11-01", "false"]]
    assert [r.line for r in rows] == [3, 5]


def test_parquet_reads_only_what_is_used(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"name": ["Megvii", None], "score": [1.5, 2.0],
                             "dob": [date(1957, 5, 1), None]}), path)
    table = open_table(path)
    rows = list(table.rows([0, 2]))
    table.close()
    assert table.headers == ("name", "score", "dob")
    assert [list(r.fields) for r in rows] == [["Megvii", "", "1957-05-01"], ["", "", ""]]


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (12345.0, "12345"), (1.5, "1.5"), (float("nan"), ""), (True, "true"),
    (datetime(2020, 1, 2, 3, 4), "2020-01-02T03:04:00"), (["a", None, "b"], "a; b"),
])
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(("name", "make", "message"), [
    ("empty.csv", lambda p: p.write_bytes(b""), "empty.csv is empty"),
    ("blank.csv", lambda p: p.write_bytes(b"\n\n  \n"), "blank.csv has no lines"),
    ("image.csv", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 400),
     "not a text file"),
    ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100), "old Excel"),
    ("bomb.xlsx", zip_bomb, "possible zip bomb"),
    ("archive.xlsx", zip_not_xlsx, "not an Excel workbook"),
    ("fake.xlsx", lambda p: p.write_bytes(b"name\nMegvii\n"), "not an XLSX file"),
    ("fake.parquet", lambda p: p.write_bytes(b"name\nMegvii\n"), "not a Parquet file"),
    ("array.jsonl", lambda p: p.write_bytes(b'[{"name": "x"}]'), "JSON array"),
    ("names.jsonl", lambda p: p.write_bytes(b'"Megvii"\n'), "is not a JSON object"),
])
def test_unreadable_files_raise_input_error(tmp_path: Path, name: str, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError, match=message) as exc:
        open_table(path)
    assert exc.value.fix


def test_a_huge_line_is_never_held_in_memory(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "MAX_LINE_BYTES", 1000)
    path = write(tmp_path, "in.csv", b"name\n" + b"y" * 3_000_000 + b"\nMegvii\n")
    seen: list[int] = []
    raw = path.open("rb")
    real = raw.readline

    def spy(limit: int = -1) -> bytes:
        got = real(limit)
        seen.append(len(got))
        return got

    raw.readline = spy  # type: ignore[method-assign]
    table = text.CsvTable(raw, "in.csv", "csv", None)
    table.start(True)
    rows = list(table.rows([0]))
    table.close()
    assert [r.problem is not None for r in rows] == [True, False]
    assert max(seen) <= 1 << 20  # read in pieces of at most 1 MiB, dropped as it goes


def test_xlsx_from_stdin_and_a_chosen_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["notes"])
    ws = wb.create_sheet("Customers")
    ws.append(["Name"])
    ws.append(["Megvii"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    headers, rows = rows_of("-", stdin=buf, sheet="Customers")
    assert headers == ("Name",) and [r.fields[0] for r in rows] == ["Megvii"]
    buf.seek(0)
    with pytest.raises(InputError, match="no sheet 'Suppliers'; its sheets are 'Sheet', "
                                         "'Customers'"):
        open_table("-", stdin=buf, sheet="Suppliers")
