"""The watch set: counterparties kept in the store to be re-screened whenever a list changes.

A watched row is a key and a :class:`~entityscreen.model.Query` (name, type, country, birth
date, identifiers). ``entityscreen watch add FILE`` reads them from CSV/TSV or JSON lines;
:mod:`entityscreen.rescreen` screens them.

Re-screening a large set after an update must not screen every row again, so the watched names
get a name index of their own (:func:`watch_index`, built with the same
:class:`~entityscreen.match.index.Index` as the lists and cached on disk until the watch set
changes): the names of the few parties that changed are looked up in it, the other way round
from a search.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entityscreen.errors import EntityscreenError, InputError
from entityscreen.match.index import INDEX_FORMAT, Index, reference_digest
from entityscreen.match.rows import FloatRows
from entityscreen.model import Identifier, Name, Party, PartyType, Query
from entityscreen.store import Store

__all__ = [
    "COLUMNS",
    "WatchFile",
    "add_watch_file",
    "parse_watch_data",
    "read_watch_file",
    "watch_index",
    "watch_list",
    "watch_party",
]

# Header names (lower case, spaces and hyphens as "_") each watched field is read from.
COLUMNS: dict[str, tuple[str, ...]] = {
    "key": ("key", "id", "customer_id", "reference", "ref"),
    "name": ("name", "full_name", "party_name", "entity_name", "company_name"),
    "type": ("type", "party_type", "entity_type"),
    "country": ("country", "country_code", "nationality"),
    "birth_date": ("birth_date", "dob", "date_of_birth", "birthdate"),
    "identifiers": ("identifiers", "identifier", "ids"),
}
# Several identifiers in one CSV cell are separated by this.
ID_SEPARATOR = ";"
# Bump when what the watched-name index keeps changes (see _slim): old caches are rebuilt.
WATCH_INDEX_FORMAT = 4


@dataclass
class WatchFile:
    """Rows read from a watch file, and the lines that could not be used, with why."""

    rows: list[tuple[str, Query]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _header_key(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _columns(header: list[str], source: str) -> dict[str, int]:
    """Which column holds which field; a clear error when the file says nothing usable."""
    keys = [_header_key(h) for h in header]
    found: dict[str, int] = {}
    for fld, names in COLUMNS.items():
        hits = [i for i, k in enumerate(keys) if k in names]
        if len(hits) > 1:
            cols = ", ".join(repr(header[i]) for i in hits)
            raise InputError(f"{source}: columns {cols} could all be the {fld}",
                             fix="rename all but one of them")
        if hits:
            found[fld] = hits[0]
    if "name" not in found:
        raise InputError(
            f"{source}: no name column among: {', '.join(map(repr, header)) or 'none'}",
            fix="call the column 'name' (the others: key, type, country, birth_date, "
            "identifiers)")
    return found


def _key(given: str | None, q: Query) -> str:
    """The row's own key, or one derived from its content (stable across re-imports)."""
    if given:
        return given
    text = "\x1f".join([q.name, q.type.value if q.type else "", q.country or "",
                        q.birth_date or "", *q.identifiers])
    return "sha1:" + hashlib.sha1(text.encode()).hexdigest()[:16]


def _row(values: dict[str, Any], line: int, out: WatchFile, seen: dict[str, int],
         max_name_length: int) -> None:
    # make_query maps type names ("company", "individual") and country names the same way
    # for every input; it lives in cli.py for now
    from entityscreen.query import make_query

    name = str(values.get("name") or "").strip()
    if not name:
        out.skipped.append((line, "no name"))
        return
    if len(name) > max_name_length:
        out.skipped.append((line, f"name longer than {max_name_length} characters"))
        return
    idents = values.get("identifiers") or ()
    if isinstance(idents, str):
        idents = [i for i in (p.strip() for p in idents.split(ID_SEPARATOR)) if i]
    if not isinstance(idents, list | tuple) or not all(isinstance(i, str) for i in idents):
        out.skipped.append((line, "identifiers must be strings"))
        return
    try:
        query = make_query(name, values.get("type") or None, values.get("country") or None,
                           values.get("birth_date") or None, tuple(idents))
    except EntityscreenError as exc:
        out.skipped.append((line, exc.message))
        return
    key = _key(str(values.get("key") or "").strip() or None, query)
    if key in seen:
        out.skipped.append((line, f"key {key!r} already on line {seen[key]}"))
        return
    seen[key] = line
    out.rows.append((key, query))


def _decode(data: bytes, source: str) -> str:
    if data[:4] in (b"PK\x03\x04", b"PAR1"):
        raise InputError(f"{source} is a spreadsheet or Parquet file, not CSV or JSON lines",
                         fix="save it as CSV UTF-8 and add that")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{source} line {line}: not UTF-8 text",
                         fix="save the file as UTF-8 (CSV UTF-8 in Excel)") from None


def parse_watch_data(data: bytes, source: str, *, max_name_length: int = 1000) -> WatchFile:
    """Watched rows from CSV/TSV (header row; comma, tab, semicolon or pipe separated) or
    JSON lines (one object per line), told apart by the first character."""
    text = _decode(data, source)
    out = WatchFile()
    seen: dict[str, int] = {}
    if text.lstrip()[:1] == "{":
        fields_ = {k: v[0] for k, v in COLUMNS.items()}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                out.skipped.append((number, f"not valid JSON ({exc.msg})"))
                continue
            if not isinstance(obj, dict):
                out.skipped.append((number, "not a JSON object"))
                continue
            lowered = {_header_key(str(k)): v for k, v in obj.items()}
            values = {fld: next((lowered[n] for n in COLUMNS[fld] if n in lowered), None)
                      for fld in fields_}
            _row(values, number, out, seen, max_name_length)
        return out
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;|", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise InputError(f"{source} is empty", fix="give a CSV file with a header row")
    cols = _columns(header, source)
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        values = {fld: row[i] if i < len(row) else None for fld, i in cols.items()}
        _row(values, reader.line_num, out, seen, max_name_length)
    return out


def read_watch_file(path: Path | str, *, max_name_length: int = 1000) -> WatchFile:
    """A watch file from disk, or ``-`` for stdin."""
    if str(path) == "-":
        return parse_watch_data(sys.stdin.buffer.read(), "stdin",
                                max_name_length=max_name_length)
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}",
                         fix="check the path and its permissions") from None
    return parse_watch_data(data, p.name, max_name_length=max_name_length)


def add_watch_file(
    store: Store, path: Path | str, *, max_name_length: int = 1000
) -> tuple[int, int, WatchFile]:
    """Read a watch file and add its rows to the watch set: (added, changed, what was read)."""
    got = read_watch_file(path, max_name_length=max_name_length)
    if not got.rows:
        raise InputError(f"{path}: no row with a name",
                         fix="each row needs a name (and optionally key, type, country, "
                         "birth_date, identifiers)")
    added, changed = store.watch_put(got.rows)
    return added, changed, got


def watch_party(key: str, query: Query) -> Party:
    """A watched row as a party, so the list index can be built over watched names."""
    return Party(
        id=key,
        type=query.type or PartyType.UNKNOWN,
        names=(Name(query.name),),
        listings=(),
        countries=(query.country,) if query.country else (),
        identifiers=tuple(Identifier("id", v) for v in query.identifiers),
        birth_dates=(query.birth_date,) if query.birth_date else (),
    )


def _slim(index: Index) -> Index:
    """Drop the columns a rescreen does not read: the watched index is searched for
    candidates (postings, vocabulary, document frequencies, owners, identifiers) and gives
    the names and analysed tokens of the rows it finds (``name_text``, ``Index.analysis``);
    weights come from the lists' index. Without the rest a million watched names load in
    half the time."""
    index.name_weights = FloatRows()
    index.party_names, index.party_types, index.party_countries, index.party_years = (
        [], [], [], [])
    return index


def watch_index(
    store: Store, cache_dir: Path, progress: Callable[[str], None] | None = None
) -> Index:
    """The name index of the watched rows, from the cache or built (once per watch set)."""
    # the analysis reads the reference tables (legal forms...): editing one rebuilds it too
    path = cache_dir / (f"watch-{INDEX_FORMAT}.{WATCH_INDEX_FORMAT}-{reference_digest()}-"
                        f"{store.watch_generation()}.pickle")
    index = Index.load(path)
    if index is None:
        if progress:
            progress("indexing the watched names (once per change of the watch set)")
        index = _slim(Index.build(watch_party(k, q) for k, q, _ in store.watch_rows()))
        index.save(path)
        for old in cache_dir.glob("watch-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    return index


def watch_list(store: Store) -> Iterator[dict[str, Any]]:
    """The watched rows as plain dicts (``watch list --json``)."""
    for key, q, screened in store.watch_rows():
        yield {"key": key, "name": q.name, "type": q.type.value if q.type else None,
               "country": q.country, "birth_date": q.birth_date,
               "identifiers": list(q.identifiers), "screened": screened}
