"""Screening results out: CSV, JSON lines, XLSX or Parquet, written atomically.

Rows are appended to a hidden partial file next to the output (``.NAME.partial``), whose
length after each chunk is what a checkpoint records, so an interrupted run can cut off a
half-written chunk and go on. The finished file appears under its own name in one
``os.replace``: a reader never sees half a file. XLSX and Parquet cannot be appended to, so
their partial file holds JSON rows that are converted at the end.

CSV and XLSX cells that begin with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading
apostrophe, so a customer name like ``=HYPERLINK(...)`` stays text in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import orjson

from entityscreen.errors import UsageError
from entityscreen.ownership.hook import summary_text
from entityscreen.report import dumps as _dumps

__all__ = [
    "OUTPUT_FORMATS",
    "REJECT_HEADER",
    "Outcome",
    "RejectsFile",
    "ResultsFile",
    "RunContext",
    "flat_header",
    "format_for",
    "neutralise",
    "partial_path",
]

OUTPUT_FORMATS = ("csv", "jsonl", "xlsx", "parquet")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
              ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet size, less the header row
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (so XLSX) cannot hold; openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HIT_FIELDS = ("score", "id", "name", "matched_name", "lists", "programs", "restriction", "why")
REJECT_HEADER = ("row", "line", "reason", "excerpt")


@dataclass(frozen=True, slots=True)
class Outcome:
    """One output row: what became of one input row."""

    row: int
    key: str
    name: str
    decision: str  # "match", "review", "clear" or "rejected"
    best_score: float | None = None
    reason: str | None = None  # why a rejected row could not be screened
    query: dict[str, Any] | None = None
    hits: tuple[dict[str, Any], ...] = ()  # results in the JSON contract (report.hit_to_dict)
    ownership: tuple[dict[str, Any], ...] = ()  # 50 % rule verdicts (ownership.hook)


@dataclass(frozen=True)
class RunContext:
    """What is the same for every row of a run."""

    limit: int  # hit columns in flat formats
    list_versions: dict[str, int] = field(default_factory=dict)
    algorithm: str = ""

    @cached_property
    def versions_text(self) -> str:
        return "; ".join(f"{s}:{v}" for s, v in self.list_versions.items())


def neutralise(text: str) -> str:
    """A cell a spreadsheet would run as a formula, made plain text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def format_for(path: Path | None, given: str | None) -> str:
    """The results format: ``given``, else from the extension; JSON lines on stdout."""
    if given is not None:
        if given not in OUTPUT_FORMATS:
            raise UsageError(f"unknown output format {given!r}",
                             fix=f"use one of: {', '.join(OUTPUT_FORMATS)}")
        return given
    if path is None:
        return "jsonl"
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the output format of {path.name}",
                         fix="name it .csv, .jsonl, .xlsx or .parquet, or pass --output-format")
    return fmt


def partial_path(dest: Path, suffix: str = ".partial") -> Path:
    return dest.with_name(f".{dest.name}{suffix}")


def flat_header(limit: int) -> list[str]:
    cols = ["row", "key", "name", "decision", "best_score", "reason", "hits"]
    for i in range(1, limit + 1):
        cols += [f"hit{i}_{f}" for f in HIT_FIELDS]
    return [*cols, "ownership", "list_versions", "algorithm"]


def _unique(items: Iterator[str | None]) -> str:
    return "; ".join(dict.fromkeys(x for x in items if x))


def why(hit: dict[str, Any]) -> str:
    """An explanation in one line: aligned tokens, then what moved the score."""
    e = hit["explanation"]
    parts = [f"{a['query']}≈{a['listed']} ({a['how']} {a['similarity']:.2f})"
             for a in e["aligned"]]
    if e["unmatched_query"]:
        parts.append("not on the list: " + " ".join(e["unmatched_query"]))
    parts += [f"{ev['attribute']} {ev['query']} vs {ev['listed']} ({ev['effect']:+.2f})"
              for ev in e["evidence"]]
    return "; ".join(parts)


def flat_row(o: Outcome, ctx: RunContext) -> list[Any]:
    row: list[Any] = [o.row, o.key, o.name, o.decision, o.best_score, o.reason, len(o.hits)]
    for i in range(ctx.limit):
        if i < len(o.hits):
            h = o.hits[i]
            lst = h["listings"]
            row += [h["score"], h["id"], h["name"], h["matched_name"],
                    _unique(f"{x['authority']} {x['list']}" for x in lst),
                    _unique(x["program"] for x in lst),
                    _unique(x["restriction"] for x in lst), why(h)]
        else:
            row += [None] * len(HIT_FIELDS)
    return [*row, summary_text(list(o.ownership)) or None, ctx.versions_text, ctx.algorithm]


def json_row(o: Outcome, ctx: RunContext) -> dict[str, Any]:
    return {"row": o.row, "key": o.key, "name": o.name, "decision": o.decision,
            "best_score": o.best_score, "reason": o.reason, "query": o.query,
            "hits": list(o.hits), "ownership": list(o.ownership),
            "list_versions": ctx.list_versions,
            "algorithm": ctx.algorithm}



def _cells(r: Sequence[Any]) -> list[Any]:
    return [neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in r]


def _csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(_cells(r))
    return buf.getvalue().encode("utf-8")


class _CsvRows:
    """Outcomes as CSV lines, as ``_csv_bytes([flat_row(o, ctx)])`` writes them, faster.

    Most rows have no hit: their columns after "hits" are the same on every row, so that
    part is encoded once per run and each row encodes only its first seven cells (a CSV
    field is quoted or not by itself alone, so the two parts join as one row would).
    """

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._buf = io.StringIO()
        # one writer for both: its line terminator decides which fields it quotes
        self._writer = csv.writer(self._buf, lineterminator="\n")
        empty = Outcome(0, "", "", "clear")
        self._tail = "," + _csv_bytes([flat_row(empty, ctx)[7:]]).decode("utf-8")

    def encode(self, outcomes: Sequence[Outcome]) -> bytes:
        buf = self._buf
        buf.seek(0)
        buf.truncate()
        for o in outcomes:
            if o.hits or o.ownership:
                self._writer.writerow(_cells(flat_row(o, self._ctx)))
            else:
                self._writer.writerow((o.row, neutralise(o.key), neutralise(o.name), o.decision,
                                       "" if o.best_score is None else o.best_score,
                                       "" if o.reason is None else neutralise(o.reason), 0))
                buf.seek(buf.tell() - 1)  # back over the line's "\n": the tail ends the line
                buf.write(self._tail)
        return buf.getvalue().encode("utf-8")


class _Appender:
    """An append-only partial file; ``commit`` gives the length a checkpoint records."""

    def __init__(self, partial: Path, offset: int | None, header: bytes) -> None:
        self.path = partial
        if offset is None or not partial.exists():
            self._f: IO[bytes] = partial.open("wb")
            self._f.write(header)
        else:
            self._f = partial.open("r+b")
            self._f.truncate(offset)  # drop what was written after the last checkpoint
            self._f.seek(offset)

    def append(self, data: bytes) -> None:
        self._f.write(data)

    def commit(self) -> int:
        # flushed to the OS: survives the process being killed (not a power cut; see finish)
        self._f.flush()
        return self._f.tell()

    def close(self, sync: bool = False) -> None:
        if self._f.closed:
            return
        self._f.flush()
        if sync:
            os.fsync(self._f.fileno())
        self._f.close()


class ResultsFile:
    """Results of one run, in ``fmt``, to ``dest`` or (``dest`` None) to ``stream``."""

    def __init__(self, dest: Path | None, fmt: str, ctx: RunContext, *,
                 offset: int | None = None, rows_before: int = 0,
                 stream: IO[bytes] | None = None) -> None:
        self.dest, self.fmt, self.ctx = dest, fmt, ctx
        self._csv = _CsvRows(ctx)
        self._rows = rows_before
        header = _csv_bytes([flat_header(ctx.limit)]) if fmt == "csv" else b""
        if dest is None:
            if fmt in ("xlsx", "parquet"):
                raise UsageError(f"{fmt} output needs a file", fix="pass -o FILE")
            assert stream is not None
            self._stream: IO[bytes] | None = stream
            stream.write(header)
            self._file: _Appender | None = None
        else:
            self._stream = None
            self._file = _Appender(partial_path(dest), offset, header)

    def write(self, outcomes: Sequence[Outcome]) -> None:
        self._rows += len(outcomes)
        if self.fmt == "xlsx" and self._rows > XLSX_MAX_ROWS:
            raise UsageError(f"an XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows",
                             fix="write CSV or Parquet (-o results.csv)")
        if self.fmt == "csv":
            data = self._csv.encode(outcomes)
        elif self.fmt == "jsonl":
            data = "".join(_dumps(json_row(o, self.ctx)) + "\n" for o in outcomes).encode()
        else:  # spooled as JSON arrays, converted in finish()
            data = "".join(_dumps(flat_row(o, self.ctx)) + "\n" for o in outcomes).encode()
        if self._stream is not None:
            self._stream.write(data)
            self._stream.flush()
        else:
            assert self._file is not None
            self._file.append(data)

    def commit(self) -> int:
        return self._file.commit() if self._file is not None else 0

    def close(self) -> None:
        """Leave the partial file as it is (an interrupted run resumes from it)."""
        if self._file is not None:
            self._file.close()

    def finish(self) -> None:
        """Make the output file, whole, under its own name."""
        if self._stream is not None:
            self._stream.flush()
            return
        assert self._file is not None and self.dest is not None
        self._file.close(sync=True)
        spool = self._file.path
        if self.fmt in ("csv", "jsonl"):
            os.replace(spool, self.dest)
            return
        tmp = partial_path(self.dest, ".tmp")
        try:
            if self.fmt == "xlsx":
                _spool_to_xlsx(spool, tmp, flat_header(self.ctx.limit))
            else:
                _spool_to_parquet(spool, tmp, self.ctx.limit)
            with tmp.open("rb+") as f:
                os.fsync(f.fileno())  # on disk before it takes the output's name
            os.replace(tmp, self.dest)
        finally:
            tmp.unlink(missing_ok=True)
        spool.unlink()


def _spooled(spool: Path) -> Iterator[list[Any]]:
    with spool.open("rb") as f:
        for line in f:
            yield orjson.loads(line)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(_XML_ILLEGAL.sub("\ufffd", value))
    return value


def _spool_to_xlsx(spool: Path, dest: Path, header: list[str]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.append(header)
    for row in _spooled(spool):
        ws.append([_xlsx_cell(v) for v in row])
    wb.save(dest)


def _parquet_schema(limit: int) -> Any:
    import pyarrow as pa

    def kind(col: str) -> Any:
        if col in ("row", "hits"):
            return pa.int64()
        if col == "best_score" or col.endswith("_score"):
            return pa.float64()
        return pa.string()

    return pa.schema([(c, kind(c)) for c in flat_header(limit)])


def _spool_to_parquet(spool: Path, dest: Path, limit: int, batch: int = 20_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema(limit)
    with pq.ParquetWriter(dest, schema) as writer:
        rows: list[list[Any]] = []

        def flush() -> None:
            cols: list[Sequence[Any]] = (list(zip(*rows, strict=True)) if rows
                                         else [[] for _ in schema])
            writer.write_table(pa.table(
                [pa.array(c, type=f.type) for c, f in zip(cols, schema, strict=True)],
                schema=schema))
            rows.clear()

        wrote = False
        for row in _spooled(spool):
            rows.append(row)
            if len(rows) >= batch:
                flush()
                wrote = True
        if rows or not wrote:
            flush()


class RejectsFile:
    """Rows that could not be screened: row, line, reason and what the row looked like (CSV)."""

    def __init__(self, dest: Path, *, offset: int | None = None) -> None:
        self.dest = dest
        self._file = _Appender(partial_path(dest), offset, _csv_bytes([REJECT_HEADER]))

    def write(self, rejects: Sequence[tuple[int, int | None, str, str]]) -> None:
        if rejects:
            self._file.append(_csv_bytes(rejects))

    def commit(self) -> int:
        return self._file.commit()

    def close(self) -> None:
        self._file.close()

    def finish(self) -> None:
        self._file.close(sync=True)
        os.replace(self._file.path, self.dest)
