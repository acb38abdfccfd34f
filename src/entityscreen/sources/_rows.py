"""Delimited-text reading with line numbers and truncation checks (CSL and DPL parsers).

The CSL and the DPL need the line each record starts on (records span lines: DPL addresses
carry embedded newlines) and must notice a file that was cut off inside a quoted field,
which :mod:`csv` silently accepts at EOF.
"""

from __future__ import annotations

import csv
import io

from entityscreen.errors import SourceFormatError

__all__ = ["read_rows"]


def read_rows(
    text: str, file: str, *, delimiter: str = ",", fix: str | None = None
) -> list[tuple[int, list[str]]]:
    """Parse delimited text into ``(first line number, fields)`` pairs.

    Raises :class:`SourceFormatError` with the line for a csv error (NUL bytes, ...) and for a
    last record that ends inside an open quote, i.e. a truncated download.
    """
    # newline="" keeps \r\n inside quoted fields and splits lines the way csv counts them
    # (str.splitlines would also split on \x85 and \u2028, which may occur inside names).
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceFormatError(
            file, f"malformed record ({exc})", line=start, fix=fix or "is the file damaged?"
        ) from None
    if rows:
        # The csv module returns a record cut off inside a quoted field as if it were complete;
        # re-read only the last record strictly to tell a truncated file from a good one.
        last = rows[-1][0]
        try:
            list(csv.reader(lines[last - 1 :], delimiter=delimiter, strict=True))
        except csv.Error as exc:
            # Only an open quote at EOF means truncation; other strictness complaints (a quote
            # followed by a tab in a file that is not comma-separated) are left to the caller,
            # whose header check names the real problem.
            if "unexpected end of data" not in str(exc):
                return rows
            raise SourceFormatError(
                file,
                "the last record ends inside a quoted field: the file is truncated",
                line=last,
                fix="download the file again",
            ) from None
    return rows
