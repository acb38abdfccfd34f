"""What every reader yields: rows of text fields, numbered, with a problem when unreadable."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

__all__ = ["EXCERPT_CHARS", "RawRow", "Table", "cell_text"]

# What a reject shows of the raw row.
EXCERPT_CHARS = 200


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: its number among the data rows (from 1), where it is, its fields."""

    row: int
    line: int | None  # physical line (text) or sheet row (XLSX) where the row starts
    fields: Sequence[str]
    problem: str | None = None  # why the row cannot be screened, if it cannot
    excerpt: str = ""  # the raw row as read, shortened, for the rejects file


class Table:
    """An opened input: its headers, then its rows, streamed once."""

    label: str
    format: str
    headers: tuple[str, ...]

    def rows(self, used: Sequence[int]) -> Iterator[RawRow]:
        """Data rows; ``used`` are the column positions wanted (others may be left empty)."""
        raise NotImplementedError

    def fraction(self) -> float | None:
        """How far through the input the rows read so far are, when that can be known."""
        return None

    def close(self) -> None:
        pass


def cell_text(value: Any) -> str:
    """A spreadsheet, Parquet or JSON value as the text a user would read in it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list | tuple):
        return "; ".join(t for t in (cell_text(v) for v in value) if t)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
