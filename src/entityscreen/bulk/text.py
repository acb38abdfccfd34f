"""Text inputs, CSV/TSV and JSON lines, read line by line with caps on what a line may hold.

Text is read as UTF-8, line by line falling back to Windows-1252 (files assembled from
several exports mix the two); a line valid in neither is rejected, and so is a line longer
than MAX_LINE_BYTES, which is skipped without ever being held in memory. A UTF-16 file
(Excel's "Unicode text") is recognised by its byte-order mark.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from entityscreen.bulk.table import EXCERPT_CHARS, RawRow, Table, cell_text
from entityscreen.errors import InputError

__all__ = ["MAX_LINE_BYTES", "CsvTable", "JsonlTable", "text_table"]

# Longest physical line read; a longer one is skipped (never held in memory) and rejected.
MAX_LINE_BYTES = 4 * 1024 * 1024
# Delimiters tried on a CSV header line, in order of preference on a tie.
DELIMITERS = ",;\t|"
NO_SPLIT = "\x1f"  # a one-column file: commas in names must not split them


@dataclass(slots=True)
class _Line:
    number: int
    raw: bytes  # the whole line, or only its first bytes when too long
    too_long: bool


def _lines(readline: Callable[[int], bytes], counter: list[int]) -> Iterator[_Line]:
    """Physical lines, each at most MAX_LINE_BYTES; a longer line is drained, not kept."""
    number = 0
    while True:
        raw = readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        counter[0] += len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            head = raw[:EXCERPT_CHARS]
            while True:
                more = readline(1 << 20)
                counter[0] += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield _Line(number, head, True)
            continue
        yield _Line(number, raw, False)


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode(raw: bytes) -> str | None:
    text = _utf8(raw)
    if text is not None:
        return text
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return None


class _Utf16Lines:
    """``readline`` for a UTF-16 stream, giving UTF-8 bytes like the plain path."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-16", errors="replace", newline="")

    def readline(self, limit: int) -> bytes:
        return self._text.readline(limit // 4).encode("utf-8")


class _TextTable(Table):
    def __init__(self, stream: IO[bytes], label: str, fmt: str, size: int | None) -> None:
        self._stream = stream
        self.label = label
        self.format = fmt
        self._size = size
        self._read = [0]
        head = stream.peek(2)[:2] if isinstance(stream, io.BufferedReader) else b""
        readline = _Utf16Lines(stream).readline if head in (b"\xff\xfe", b"\xfe\xff") \
            else stream.readline
        self._lines = _lines(readline, self._read)

    def fraction(self) -> float | None:
        if not self._size:
            return None
        return min(1.0, self._read[0] / self._size)

    def start(self, header: bool) -> None:
        """Read the header (or, without one, number the columns)."""
        raise NotImplementedError

    def close(self) -> None:
        self._stream.close()  # for stdin, a wrapper: stdin itself stays open

    def _first_line(self) -> _Line | None:
        """The first non-blank line, which must be readable (it holds the header)."""
        for line in self._lines:
            if line.too_long:
                raise InputError(f"{self.label} line {line.number} is longer than "
                                 f"{MAX_LINE_BYTES} bytes", fix="is this really a CSV file?")
            if line.raw.strip(b"\xef\xbb\xbf \t\r\n"):
                return line
        return None


def text_table(stream: IO[bytes], label: str, fmt: str, header: bool,
                size: int | None) -> Table:
    table: _TextTable = (JsonlTable if fmt == "jsonl" else CsvTable)(stream, label, fmt, size)
    table.start(header)
    return table


class _Feed:
    """Decoded lines for ``csv.reader``, remembering what the record being read looked like."""

    def __init__(self, lines: Iterator[_Line]) -> None:
        self._lines = lines
        self.reset()

    def reset(self) -> None:
        self.first: int | None = None
        self.problem: str | None = None
        self.excerpt: str | None = None

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        if self.first is None:
            self.first = line.number
        text = None if line.too_long else _utf8(line.raw)
        if self.excerpt is None:  # the record's first line, as read (UTF-8 text: as decoded)
            shown = text if text is not None else \
                line.raw.decode("utf-8", "backslashreplace")
            self.excerpt = shown[:EXCERPT_CHARS].rstrip("\r\n")
        if line.too_long:
            self.problem = self.problem or (
                f"line {line.number} is longer than {MAX_LINE_BYTES} bytes")
            return "\n"
        if text is None:
            text = _decode(line.raw)
        if text is None:
            self.problem = self.problem or (
                f"line {line.number}: undecodable bytes (neither UTF-8 nor Windows-1252)")
            return line.raw.decode("utf-8", "replace")
        return text


class CsvTable(_TextTable):
    def start(self, header: bool) -> None:
        first = self._first_line()
        if first is None:
            raise InputError(f"{self.label} has no lines", fix="pass a file with rows")
        text = _decode(first.raw)
        if text is None:
            raise InputError(f"{self.label} line {first.number}: undecodable header",
                             fix="save the file as UTF-8")
        text = text.lstrip("\ufeff")
        if self.format == "tsv":
            delimiter = "\t"
        else:
            counts = [text.count(d) for d in DELIMITERS]
            delimiter = DELIMITERS[counts.index(max(counts))] if max(counts) else NO_SPLIT
        self._feed = _Feed(self._lines)
        self._feed.first, self._feed.excerpt = first.number, text[:EXCERPT_CHARS]

        def replay() -> Iterator[str]:
            yield text
            yield from self._feed

        self._reader = csv.reader(replay(), delimiter=delimiter)
        self._pending: list[str] | None = None
        self._first_number = first.number
        head_row = next(self._reader, None) or [""]
        if header:
            self.headers = tuple(h.strip() for h in head_row)
            self._next_row = 1
        else:
            self.headers = tuple(str(i) for i in range(1, len(head_row) + 1))
            self._pending = head_row
        if not any(self.headers):
            raise InputError(f"{self.label}: the header line is empty",
                             fix="the first line must name the columns (or pass --no-header)")

    def rows(self, used: Sequence[int]) -> Iterator[RawRow]:
        number = 0
        if self._pending is not None:
            number += 1
            yield RawRow(number, self._first_number, self._pending,
                         excerpt=self._feed.excerpt or "")
        feed, reader = self._feed, self._reader
        while True:
            feed.reset()
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                yield RawRow(number, feed.first, (), f"unreadable CSV: {exc}",
                             feed.excerpt or "")
                continue
            if feed.problem is None and not "".join(fields).strip():
                continue  # a blank line (or one of only delimiters) is not a row
            number += 1
            yield RawRow(number, feed.first, fields, feed.problem, feed.excerpt or "")


def _json_cells(obj: dict[str, Any], headers: tuple[str, ...]) -> list[str]:
    """The object's values for the columns the first object named; a key spelt in another
    case ("Name" on one line, "name" on the next) is the same column."""
    cells = []
    for h in headers:
        if h in obj:
            value = obj[h]
        else:
            folded = h.casefold()
            value = next((v for k, v in obj.items() if k.casefold() == folded), None)
        cells.append(cell_text(value))
    return cells


class JsonlTable(_TextTable):
    def start(self, header: bool) -> None:
        first = self._first_line()
        if first is None:
            raise InputError(f"{self.label} has no lines", fix="pass a file with rows")
        text = (_decode(first.raw) or "").lstrip("\ufeff").strip()
        if text.startswith("["):
            raise InputError(f"{self.label} is a JSON array, not JSON lines",
                             fix="write one JSON object per line")
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{self.label} line {first.number} is not JSON ({exc.msg})",
                             fix="pass --input-format csv if it is a CSV file") from None
        if not isinstance(obj, dict):
            raise InputError(f"{self.label} line {first.number} is not a JSON object",
                             fix='write one object per line, e.g. {"name": "..."}')
        self.headers = tuple(obj)
        self._first: tuple[int, dict[str, Any], str] | None = (first.number, obj, text)

    def rows(self, used: Sequence[int]) -> Iterator[RawRow]:
        headers = self.headers
        number = 0
        if self._first is not None:
            line_no, obj, text = self._first
            self._first = None
            number += 1
            yield RawRow(number, line_no, _json_cells(obj, headers),
                         excerpt=text[:EXCERPT_CHARS])
        for line in self._lines:
            shown = line.raw.decode("utf-8", "backslashreplace")[:EXCERPT_CHARS].rstrip()
            if line.too_long:
                number += 1
                yield RawRow(number, line.number, (),
                             f"line {line.number} is longer than {MAX_LINE_BYTES} bytes", shown)
                continue
            decoded = _decode(line.raw)
            if decoded is not None and not decoded.strip():
                continue
            number += 1
            if decoded is None:
                yield RawRow(number, line.number, (),
                             "undecodable bytes (neither UTF-8 nor Windows-1252)", shown)
                continue
            try:
                obj = json.loads(decoded)
            except json.JSONDecodeError as exc:
                yield RawRow(number, line.number, (), f"not valid JSON ({exc.msg})", shown)
                continue
            if not isinstance(obj, dict):
                yield RawRow(number, line.number, (), "not a JSON object", shown)
                continue
            yield RawRow(number, line.number, _json_cells(obj, headers), excerpt=shown)


