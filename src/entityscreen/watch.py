"""The watch set: counterparties kept in the store to be re-screened whenever a list changes.

A watched row is a key and a :class:`~entityscreen.model.Query` (name, type, country, birth
date, identifiers). ``entityscreen watch add FILE`` reads them with the bulk readers, from
any file ``entityscreen screen`` reads, with the same column detection and options;
:mod:`entityscreen.rescreen` screens them.

Re-screening a large set after an update must not screen every row again, so the watched names
get a name index of their own (:func:`watch_index`, built with the same
:class:`~entityscreen.match.index.Index` as the lists and cached on disk until the watch set
changes): the names of the few parties that changed are looked up in it, the other way round
from a search.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from entityscreen.bulk.columns import Columns
from entityscreen.errors import InputError
from entityscreen.match.index import INDEX_FORMAT, Index, reference_digest
from entityscreen.match.rows import FloatRows
from entityscreen.model import Identifier, Name, Party, PartyType, Query
from entityscreen.store import Store

__all__ = [
    "WatchFile",
    "add_watch_file",
    "read_watch_file",
    "watch_index",
    "watch_list",
    "watch_party",
]

# Bump when what the watched-name index keeps changes (see _slim): old caches are rebuilt.
WATCH_INDEX_FORMAT = 4
# Rows read per batch: memory stays flat whatever the file size.
BATCH_ROWS = 5000

Rejected = tuple[int, int | None, str, str]  # row, line, reason, excerpt (a rejects file row)


@dataclass
class WatchFile:
    """Rows read from a watch file, and the rows that could not be used, with why."""

    rows: list[tuple[str, Query]] = field(default_factory=list)
    skipped: list[Rejected] = field(default_factory=list)


def _key(given: str | None, q: Query) -> str:
    """The row's own key, or one derived from its content (stable across re-imports)."""
    if given:
        return given
    text = "\x1f".join([q.name, q.type.value if q.type else "", q.country or "",
                        q.birth_date or "", *q.identifiers])
    return "sha1:" + hashlib.sha1(text.encode()).hexdigest()[:16]


def read_watch_file(
    source: Path | str,
    *,
    columns: Columns | None = None,
    input_format: str | None = None,
    header: bool = True,
    sheet: str | None = None,
    stdin: IO[bytes] | None = None,
    max_name_length: int = 1000,
) -> WatchFile:
    """The rows of ``source`` (a path, or "-" for stdin) to watch, read as ``screen`` reads
    its input: CSV/TSV, JSON lines, XLSX or Parquet, columns found from common headers or
    given in ``columns``. A row without a key column gets a key made from its content."""
    from entityscreen.bulk.columns import resolve
    from entityscreen.bulk.prepare import MAX_FIELD, prepare
    from entityscreen.bulk.readers import open_table

    out = WatchFile()
    seen: dict[str, int] = {}
    table = open_table(source, format=input_format, header=header, sheet=sheet, stdin=stdin)
    try:
        mapping = resolve(table.headers, columns or Columns(), table.label)
        max_field = min(MAX_FIELD, max_name_length)
        for raw in table.rows(mapping.used):
            p = prepare(raw, mapping, max_field)
            if p.query is None:
                out.skipped.append((raw.row, raw.line, p.problem or "", raw.excerpt))
                continue
            given = (raw.fields[mapping.key].strip()
                     if mapping.key is not None and mapping.key < len(raw.fields) else "")
            key = _key(given or None, p.query)
            if key in seen:
                out.skipped.append((raw.row, raw.line, f"key {key!r} already on row {seen[key]}",
                                    raw.excerpt))
                continue
            seen[key] = raw.row
            out.rows.append((key, p.query))
    finally:
        table.close()
    return out


def add_watch_file(
    store: Store, source: Path | str, *, rejects: Path | None = None, **options: Any
) -> tuple[int, int, WatchFile]:
    """Read a watch file (``options`` as for :func:`read_watch_file`) and add its rows to
    the watch set: (added, changed, what was read). Rows that cannot be used go to
    ``rejects`` (a CSV like ``screen``'s rejects file), written whole or not at all."""
    from entityscreen.bulk.writers import RejectsFile

    got = read_watch_file(source, **options)
    if not got.rows:
        raise InputError(f"{source}: no row with a name",
                         fix="each row needs a name (and optionally a key, type, country, "
                         "birth date, identifiers); pass --name-col if the names are there")
    if rejects is not None:
        out = RejectsFile(rejects)
        try:
            out.write(got.skipped)
        except BaseException:
            out.close()
            raise
        out.finish()
    added, changed = store.watch.put(got.rows)
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
                        f"{store.watch.generation()}.pickle")
    index = Index.load(path)
    if index is None:
        if progress:
            progress("indexing the watched names (once per change of the watch set)")
        index = _slim(Index.build(watch_party(k, q) for k, q, _ in store.watch.rows()))
        index.save(path)
        for old in cache_dir.glob("watch-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    return index


def watch_list(store: Store) -> Iterator[dict[str, Any]]:
    """The watched rows as plain dicts (``watch list --json``)."""
    for key, q, screened in store.watch.rows():
        yield {"key": key, "name": q.name, "type": q.type.value if q.type else None,
               "country": q.country, "birth_date": q.birth_date,
               "identifiers": list(q.identifiers), "screened": screened}
