"""Any list of records out in the formats ``screen`` writes: CSV, JSON lines, XLSX, Parquet.

    write_records(rows, Path("changes.xlsx"), DIFF_LAYOUT)

Used by ``diff`` and ``rescreen``. JSON lines keep each record as it is (the ``--json``
form); the flat formats take the layout's columns. As with screening results, the file is
spooled next to the destination and appears whole in one ``os.replace`` (or not at all), and
CSV and XLSX cells that a spreadsheet would run as a formula are made text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from entityscreen.bulk.writers import (
    _csv_bytes,
    _dumps,
    _spooled,
    _xlsx_cell,
    format_for,
    partial_path,
)
from entityscreen.errors import UsageError

__all__ = ["Layout", "write_records"]


@dataclass(frozen=True)
class Layout:
    """The flat form of a kind of record: column names, the row of a record, and which
    columns are numbers (typed so in Parquet; every other column is text)."""

    columns: tuple[str, ...]
    flat: Callable[[Mapping[str, Any]], Sequence[Any]]
    integers: frozenset[str] = field(default_factory=frozenset)
    floats: frozenset[str] = field(default_factory=frozenset)


def write_records(records: Iterable[Mapping[str, Any]], dest: Path | None, layout: Layout, *,
                  output_format: str | None = None, stream: IO[bytes] | None = None) -> int:
    """Write ``records`` to ``dest`` (None: ``stream``, CSV or JSON lines only) in
    ``output_format`` or the format its extension names; the number of records written."""
    fmt = format_for(dest, output_format)
    if dest is None:
        if fmt in ("xlsx", "parquet"):
            raise UsageError(f"{fmt} output needs a file", fix="pass -o FILE")
        assert stream is not None
        return _write(records, stream, fmt, layout)
    spool = partial_path(dest)
    tmp = partial_path(dest, ".tmp")
    try:
        with spool.open("wb") as f:
            n = _write(records, f, "jsonl" if fmt == "jsonl" else
                       ("csv" if fmt == "csv" else "spool"), layout)
            f.flush()
            os.fsync(f.fileno())
        if fmt in ("csv", "jsonl"):
            os.replace(spool, dest)
            return n
        if fmt == "xlsx":
            _to_xlsx(spool, tmp, layout)
        else:
            _to_parquet(spool, tmp, layout)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
        return n
    finally:
        spool.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)


def _write(records: Iterable[Mapping[str, Any]], out: IO[bytes], how: str,
           layout: Layout) -> int:
    n = 0
    if how == "csv":
        out.write(_csv_bytes([layout.columns]))
    for r in records:
        if how == "jsonl":
            out.write((_dumps(r) + "\n").encode())
        elif how == "csv":
            out.write(_csv_bytes([layout.flat(r)]))
        else:  # flat rows as JSON arrays, converted once all are in
            out.write((_dumps(list(layout.flat(r))) + "\n").encode())
        n += 1
    out.flush()
    return n


def _to_xlsx(spool: Path, dest: Path, layout: Layout) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("records")
    ws.append(list(layout.columns))
    for row in _spooled(spool):
        ws.append([_xlsx_cell(v) for v in row])
    wb.save(dest)


def _to_parquet(spool: Path, dest: Path, layout: Layout) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def kind(col: str) -> Any:
        if col in layout.integers:
            return pa.int64()
        return pa.float64() if col in layout.floats else pa.string()

    schema = pa.schema([(c, kind(c)) for c in layout.columns])
    rows = list(_spooled(spool))  # diffs and rescreen findings: thousands, not millions
    cols: list[Sequence[Any]] = (list(zip(*rows, strict=True)) if rows
                                 else [[] for _ in schema])
    table = pa.table([pa.array([_text(v, f.type) for v in c], type=f.type)
                      for c, f in zip(cols, schema, strict=True)], schema=schema)
    pq.write_table(table, dest)


def _text(value: Any, kind: Any) -> Any:
    import pyarrow as pa

    if kind == pa.string() and value is not None and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) \
            else str(value)
    return value
