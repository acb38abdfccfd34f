"""Binary inputs: XLSX (openpyxl, read-only, streamed) and Parquet (pyarrow, in batches).

An XLSX file is a zip: before openpyxl opens it, its members' declared sizes and packing
ratios are checked, so a zip bomb is refused instead of unpacked.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from entityscreen.bulk.table import EXCERPT_CHARS, RawRow, Table, cell_text
from entityscreen.errors import InputError

__all__ = ["ParquetTable", "XlsxTable"]

# Zip-bomb guards for XLSX: total unpacked size, and the packing ratio of a large member.
# Real sheets pack 5-30x; 1,000,000 rows unpack to a few hundred MB.
MAX_XLSX_UNPACKED = 2 * 1024**3
MAX_XLSX_RATIO = 200
RATIO_CHECKED_FROM = 16 * 1024**2


def _check_zip(path: Path, label: str) -> None:
    """Refuse a zip that is not a workbook, or that would unpack to an absurd size."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{label} is not a readable XLSX file ({exc})",
                         fix="open it in Excel and save it again as .xlsx") from None
    if "xl/workbook.xml" not in names:
        raise InputError(f"{label} is a zip archive but not an Excel workbook",
                         fix="pass an .xlsx file saved by Excel or LibreOffice")
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_UNPACKED:
        raise InputError(
            f"{label} would unpack to {total // 1024**2} MB (the limit is "
            f"{MAX_XLSX_UNPACKED // 1024**2} MB); refusing it as a possible zip bomb",
            fix="export the sheet as CSV and screen that")
    for i in infos:
        if i.file_size > RATIO_CHECKED_FROM and i.file_size > MAX_XLSX_RATIO * max(
                i.compress_size, 1):
            raise InputError(
                f"{label}: member {i.filename} is packed {i.file_size // max(i.compress_size, 1)}"
                f" to 1; refusing it as a possible zip bomb",
                fix="export the sheet as CSV and screen that")


class XlsxTable(Table):
    def __init__(self, path: Path, label: str, header: bool, sheet: str | None) -> None:
        import openpyxl

        self.label, self.format = label, "xlsx"
        _check_zip(path, label)
        try:
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise InputError(f"{label} is not a readable XLSX file ({type(exc).__name__}: "
                             f"{exc})", fix="open it in Excel and save it again") from None
        try:
            if sheet is not None:
                if sheet not in self._wb.sheetnames:
                    raise InputError(f"{label} has no sheet {sheet!r}; its sheets are "
                                     f"{', '.join(map(repr, self._wb.sheetnames))}",
                                     fix="pass --sheet with one of those names")
                ws = self._wb[sheet]
            else:
                ws = self._wb.worksheets[0]
            self._total = ws.max_row if isinstance(ws.max_row, int) and ws.max_row > 1 else None
            self._it = enumerate(ws.iter_rows(values_only=True), 1)
            self._done = 0
            self._pending: tuple[int, list[str]] | None = None
            number, cells = next(((n, c) for n, c in ((n, [cell_text(v) for v in values])
                                                      for n, values in self._it)
                                  if any(x.strip() for x in c)), (0, []))
            if not cells:
                raise InputError(f"{label}: the sheet is empty", fix="pass a sheet with rows")
        except InputError:
            self._wb.close()
            raise
        if header:
            while cells and not cells[-1].strip():
                cells.pop()
            self.headers = tuple(c.strip() for c in cells)
        else:
            self.headers = tuple(str(i) for i in range(1, len(cells) + 1))
            self._pending = (number, cells)

    def rows(self, used: Sequence[int]) -> Iterator[RawRow]:
        row = 0
        if self._pending is not None:
            number, cells = self._pending
            row += 1
            yield RawRow(row, number, cells, excerpt=" | ".join(cells)[:EXCERPT_CHARS])
        try:
            for number, values in self._it:
                self._done = number
                cells = [cell_text(v) for v in values]
                if not any(c.strip() for c in cells):
                    continue
                row += 1
                yield RawRow(row, number, cells, excerpt=" | ".join(cells)[:EXCERPT_CHARS])
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{self.label}: the sheet breaks off after row {self._done} "
                             f"({type(exc).__name__}: {exc})",
                             fix="open it in Excel and save it again") from None

    def fraction(self) -> float | None:
        return min(1.0, self._done / self._total) if self._total else None

    def close(self) -> None:
        self._wb.close()


class ParquetTable(Table):
    def __init__(self, path: Path, label: str, header: bool) -> None:
        import pyarrow.parquet as pq

        self.label, self.format = label, "parquet"
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ...
            raise InputError(f"{label} is not a readable Parquet file ({exc})",
                             fix="pass --input-format to say what it is") from None
        self.headers = tuple(self._file.schema_arrow.names)
        self._total = self._file.metadata.num_rows
        self._done = 0

    def rows(self, used: Sequence[int]) -> Iterator[RawRow]:
        width = len(self.headers)
        names = [self.headers[i] for i in used]
        number = 0
        try:
            for batch in self._file.iter_batches(batch_size=8192, columns=names):
                columns = [batch.column(j).to_pylist() for j in range(len(names))]
                for k in range(batch.num_rows):
                    fields = [""] * width
                    for i, col in zip(used, columns, strict=True):
                        fields[i] = cell_text(col[k])
                    number += 1
                    self._done = number
                    excerpt = " | ".join(fields[i] for i in used)[:EXCERPT_CHARS]
                    yield RawRow(number, None, fields, excerpt=excerpt)
        except OSError as exc:  # pyarrow's errors for a damaged file are OSError subclasses
            raise InputError(f"{self.label}: cannot read past row {number} ({exc})",
                             fix="is the file complete?") from None

    def fraction(self) -> float | None:
        return min(1.0, self._done / self._total) if self._total else None

    def close(self) -> None:
        self._file.close()
