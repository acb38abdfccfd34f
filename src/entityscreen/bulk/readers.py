"""Open a customer file, CSV/TSV, JSON lines, XLSX or Parquet, or stdin, as a stream of rows.

Every reader yields :class:`RawRow` s one at a time, so memory stays flat whatever the file
size. A row that cannot be read (an undecodable or absurdly long line, broken CSV quoting,
a JSON line that is not an object) comes out with ``problem`` set instead of stopping the run;
only a file that cannot be read at all (empty, binary, not a spreadsheet, a zip bomb) raises
:class:`InputError`. The text formats are in ``text``, the binary ones in ``sheets``.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from entityscreen.bulk.sheets import ParquetTable, XlsxTable
from entityscreen.bulk.table import RawRow, Table, cell_text
from entityscreen.bulk.text import text_table
from entityscreen.errors import InputError, UsageError

__all__ = ["FORMATS", "RawRow", "Table", "cell_text", "open_table"]

FORMATS = ("csv", "tsv", "jsonl", "xlsx", "parquet")
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
              ".ndjson": "jsonl", ".json": "jsonl", ".xlsx": "xlsx", ".xlsm": "xlsx",
              ".parquet": "parquet", ".pq": "parquet"}


def open_table(source: Path | str, *, format: str | None = None, header: bool = True,
               sheet: str | None = None, stdin: IO[bytes] | None = None) -> Table:
    """Open ``source`` (a path, or "-" for stdin) and read its header.

    The format is ``format`` if given, else what the content shows (zip -> XLSX, PAR1 ->
    Parquet), else the file extension, else JSON lines when the first character is "{".
    """
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown input format {format!r}",
                         fix=f"use one of: {', '.join(FORMATS)}")
    if str(source) == "-":
        return _open_stream(stdin or sys.stdin.buffer, "stdin", format, header, sheet)
    path = Path(source)
    label = path.name
    try:
        stream = path.open("rb")
    except IsADirectoryError:
        raise InputError(f"{path} is a folder", fix="pass a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}",
                         fix="check the path and its permissions") from None
    try:
        head = stream.read(4096)
        fmt = format or _sniff(head) or EXTENSIONS.get(path.suffix.lower()) or _text_kind(head)
        _refuse_other(head, label, fmt)
        if fmt in ("xlsx", "parquet"):
            stream.close()
            return XlsxTable(path, label, header, sheet) if fmt == "xlsx" else \
                ParquetTable(path, label, header)
        stream.seek(0)
        size = os.fstat(stream.fileno()).st_size
        return text_table(stream, label, fmt, header, size)
    except BaseException:
        stream.close()
        raise


def _open_stream(stream: IO[bytes], label: str, format: str | None, header: bool,
                 sheet: str | None) -> Table:
    head = stream.read(4096)
    fmt = format or _sniff(head) or _text_kind(head)
    _refuse_other(head, label, fmt)
    if fmt in ("xlsx", "parquet"):
        # both need to seek: spool the stream to a temporary file, deleted when the table
        # closes (so it outlives this function: no context manager)
        spool = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="entityscreen-stdin-", suffix="." + fmt)
        try:
            spool.write(head)
            shutil.copyfileobj(stream, spool, 1 << 20)
            spool.flush()
            path = Path(spool.name)
            inner = XlsxTable(path, label, header, sheet) if fmt == "xlsx" else \
                ParquetTable(path, label, header)
        except BaseException:
            spool.close()
            raise
        return _Spooled(inner, spool)
    return text_table(io.BufferedReader(_Prefixed(head, stream), 1 << 16), label, fmt,
                       header, None)


class _Spooled(Table):
    """A table read from a temporary copy of stdin, which goes when the table is closed."""

    def __init__(self, inner: Table, spool: IO[bytes]) -> None:
        self._inner, self._spool = inner, spool
        self.label, self.format, self.headers = inner.label, inner.format, inner.headers

    def rows(self, used: Sequence[int]) -> Iterator[RawRow]:
        return self._inner.rows(used)

    def fraction(self) -> float | None:
        return self._inner.fraction()

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._spool.close()


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    return None


def _text_kind(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "jsonl" if text.startswith(b"{") else "csv"


def _refuse_other(head: bytes, label: str, fmt: str) -> None:
    if not head:
        raise InputError(f"{label} is empty", fix="pass a file with a header line and rows")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{label} is an old Excel (.xls) workbook",
                         fix="save it as .xlsx or CSV in Excel and screen that")
    if fmt == "xlsx" and not head.startswith(b"PK"):
        raise InputError(f"{label} is not an XLSX file (not a zip archive)",
                         fix="pass --input-format to say what it is, or save it as .xlsx")
    if fmt == "parquet" and not head.startswith(b"PAR1"):
        raise InputError(f"{label} is not a Parquet file",
                         fix="pass --input-format to say what it is")
    if fmt in ("csv", "tsv", "jsonl") and not head.startswith((b"\xff\xfe", b"\xfe\xff")) \
            and head.count(b"\x00") > len(head) // 20:
        raise InputError(f"{label} is not a text file (it holds binary data)",
                         fix="pass a CSV, TSV, JSON lines, XLSX or Parquet file")


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


