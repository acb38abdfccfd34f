"""A customer row made a query: the mapped columns read, type words and dates understood.

    prepared = prepare(raw_row, mapping, max_field=1000)
    prepared.query   # a Query, or None with prepared.problem saying why not

``screen`` and ``watch add`` read rows the same way, so a file gives the same queries (and
the same rejects) to both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from entityscreen.bulk.columns import Mapping
from entityscreen.bulk.table import RawRow
from entityscreen.errors import EntityscreenError
from entityscreen.model import Query
from entityscreen.query import make_query

__all__ = ["MAX_FIELD", "TYPE_WORDS", "Prepared", "birth_date", "prepare", "row_key", "row_name"]

# Longest field read from a mapped column; longer rows are rejected, not truncated.
MAX_FIELD = 1000
# Type words customer files use, beyond those make_query knows. An unknown word drops the
# hint (screening without it only finds more), it does not reject the row.
TYPE_WORDS = {
    "person": ("person", "individual", "natural person", "private person", "private", "human",
               "p", "i", "ind", "indiv"),
    "organization": ("organization", "organisation", "company", "corporate", "corporation",
                     "business", "entity", "legal entity", "legal person", "firm", "org", "c",
                     "o", "e", "institution", "bank", "llc", "ltd"),
    "vessel": ("vessel", "ship", "boat", "v"),
    "aircraft": ("aircraft", "plane", "airplane", "a"),
}
_TYPE = {word: kind for kind, words in TYPE_WORDS.items() for word in words}
_ID_SPLIT = re.compile(r"[;|,]")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True, slots=True)
class Prepared:
    """One input row: its key (given, else the row number), name, and query or problem."""

    raw: RawRow
    key: str
    name: str
    query: Query | None
    problem: str | None


def birth_date(text: str) -> str | None:
    """ISO as given, else the year of "05/01/1957" or "1 May 1957"; None if no year shows."""
    t = text.strip()
    if re.match(r"\d{4}(-\d\d){0,2}$", t[:10]):
        return t[:10]
    m = _YEAR.search(t)
    return m.group(1) if m else None


def _get(fields: Sequence[str], i: int | None) -> str:
    return fields[i].strip() if i is not None and i < len(fields) else ""


def row_key(fields: Sequence[str], m: Mapping, row: int) -> str:
    """The key a row's results carry: its key column, else its number."""
    return _get(fields, m.key) or str(row)


def row_name(fields: Sequence[str], m: Mapping) -> str:
    """The name screened: the name column, or the name columns joined with spaces."""
    if len(m.name) == 1:
        return _get(fields, m.name[0])
    return " ".join(p for p in (_get(fields, i) for i in m.name) if p)


def prepare(raw: RawRow, m: Mapping, max_field: int) -> Prepared:
    """The query of one row, or why it cannot be screened (empty name, a field longer than
    ``max_field``, an unreadable row)."""
    fields = raw.fields

    def get(i: int | None) -> str:
        return _get(fields, i)

    key = row_key(fields, m, raw.row)
    name = row_name(fields, m)
    if raw.problem:
        return Prepared(raw, key, name, None, raw.problem)
    # (nearly every row is settled at once: no field of it, used or not, is that long)
    too_long = [i for i in m.used if i < len(fields) and len(fields[i]) > max_field] \
        if fields and max(map(len, fields)) > max_field else []
    if too_long:
        i = too_long[0]
        return Prepared(raw, key, name[:100], None,
                        f"field {m.headers[i]!r} is {len(fields[i])} characters long "
                        f"(the limit is {max_field})")
    if not name:
        return Prepared(raw, key, name, None, "empty name")
    kind = _TYPE.get(get(m.type).casefold()) if m.type is not None else None
    ids = tuple(x.strip() for i in m.id for x in _ID_SPLIT.split(get(i)) if x.strip()) \
        if m.id else ()
    dob = get(m.dob)
    try:
        query = make_query(name, kind, get(m.country) or None,
                           birth_date(dob) if dob else None, ids)
    except EntityscreenError as exc:
        return Prepared(raw, key, name, None, str(exc))
    return Prepared(raw, key, name, query, None)
