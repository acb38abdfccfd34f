"""OFAC legacy CSV: the SDN list (sdn.csv & co.) and the Consolidated Non-SDN List (cons_*.csv).

Each set is four files joined on the entity number (``ent_num``)::

    sdn.csv / cons_prim.csv     ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
                                Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
    add.csv / cons_add.csv      ent_num, Add_num, Address, City/State/Postal, Country, Add_remarks
    alt.csv / cons_alt.csv      ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks
    sdn_comments.csv / cons_comments.csv
                                ent_num, Remarks_Extended

Quirks of the real files: no header; nulls are ``-0-`` followed by a space; text fields are
double-quoted; CRLF; a DOS end-of-file byte (0x1A) at the end; Remarks stop at 1,000
characters and go on, mid-word, in the comments file (joined here without a separator);
several programs in one field as ``SDGT] [IRGC``; ``SDN_Type`` null means an entity; strong
aliases are in alt.csv while OFAC's weak aliases are only in Remarks, as ``a.k.a. 'BNC'``.

No file states a publication date, so :func:`published` is always None.

Incomplete sets: the alias and address files are *required* in the source specs, so a folder
import refuses a set without them (screening without aliases would miss matches silently).
:func:`parse` itself accepts the main file alone, which is how the only full post-2021 SDN
table at hand comes: a re-saved copy with a header row (``ID,Name,Type,...``), minimal
quoting and a last line of ``0x1A,,,,,,,,,,,``. Alias or address files from another release
than the main file are refused (more than 1% of their rows for unknown entity numbers).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, Name, NameKind, Party, PartyType
from entityscreen.sources import Files, SourceSpec
from entityscreen.sources.common import decode
from entityscreen.sources.ofac_common import (
    build_party,
    check_list_kind,
    party_type,
    split_programs,
)
from entityscreen.sources.ofac_remarks import make_name, ofac_country, parse_remarks

__all__ = ["SOURCES", "parse_cons", "parse_sdn", "published"]

_SDN_BASE = "https://www.treasury.gov/ofac/downloads/"
_CONS_BASE = "https://www.treasury.gov/ofac/downloads/consolidated/"

# column count -> which file of a set has it, to name a file given in the wrong place
_WIDTHS = {12: "sdn.csv / cons_prim.csv", 6: "add.csv", 5: "alt.csv", 2: "sdn_comments.csv"}
_ALT_KINDS = {"aka": NameKind.ALIAS, "fka": NameKind.FORMER, "nka": NameKind.ALIAS}
# share of alias/address rows for unknown entity numbers above which the set is mixed up
_ORPHAN_LIMIT = 0.01


@dataclass(frozen=True)
class _Set:
    feed: str
    consolidated: bool
    main: str
    add: str
    alt: str
    comments: str
    base_url: str


_SDN = _Set("ofac_sdn_csv", False, "sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv", _SDN_BASE)
_CONS = _Set(
    "ofac_cons_csv",
    True,
    "cons_prim.csv",
    "cons_add.csv",
    "cons_alt.csv",
    "cons_comments.csv",
    _CONS_BASE,
)


def _null(value: str) -> str | None:
    v = value.strip()
    return None if not v or v == "-0-" else v


def _rows(data: bytes, file: str, width: int) -> list[tuple[int, list[str]]]:
    """Rows (with line numbers) of one OFAC CSV file, each checked to have ``width`` fields."""
    text = decode(data, file)
    if text.count('"') % 2:
        # OFAC never escapes quotes, so an odd count means a quoted field never closes
        raise SourceFormatError(
            file,
            "a quoted field is never closed",
            line=text.count("\n") + 1,
            fix="the file looks truncated; download it again",
        )
    reader = csv.reader(text.splitlines(keepends=True))
    out: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if not any(f.strip() for f in row):
                continue  # blank line, or the re-saved file's ",,,,,,,,,,," end-of-file line
            if len(row) != width:
                raise SourceFormatError(
                    file,
                    f"{len(row)} fields, expected {width}",
                    line=reader.line_num,
                    fix=_width_fix(file, len(row), width, first=not out),
                )
            if not out and row[0].strip().lower() in ("id", "ent_num"):
                continue  # header row of re-saved copies
            if not row[0].strip().isdigit():
                raise SourceFormatError(
                    file,
                    f"entity number {row[0]!r} is not a number",
                    line=reader.line_num,
                    field="ent_num",
                    fix="is this an OFAC legacy CSV file?",
                )
            out.append((reader.line_num, row))
    except csv.Error as exc:
        raise SourceFormatError(
            file, f"malformed CSV ({exc})", line=reader.line_num, fix="download it again"
        ) from None
    return out


def _width_fix(file: str, found: int, width: int, *, first: bool) -> str:
    if first and found in _WIDTHS:
        return f"this looks like {_WIDTHS[found]}, not {file}; check the file names"
    if first:
        return f"is this OFAC's legacy {file}?"
    return "the file looks truncated or damaged; download it again"


def _orphans(file: str, ids: set[str], rows: list[tuple[int, list[str]]], main: str) -> None:
    unknown = [(line, r[0].strip()) for line, r in rows if r[0].strip() not in ids]
    if unknown and len(unknown) > _ORPHAN_LIMIT * len(rows):
        line, ent = unknown[0]
        raise SourceFormatError(
            file,
            f"{len(unknown)} of {len(rows)} rows are for entity numbers not in {main} "
            f"(first: {ent})",
            line=line,
            fix=f"{file} and {main} come from different releases; download the set together",
        )


def _address(row: list[str]) -> Address | None:
    street, city, country = _null(row[2]), _null(row[3]), _null(row[4])
    parts = [p for p in (street, city, country) if p]
    if not parts:
        return None
    return Address(", ".join(parts), ofac_country(country))


def _parse(files: Mapping[str, bytes], s: _Set) -> Iterator[Party]:
    if s.main not in files:
        raise SourceFormatError(s.main, "missing from the file set", fix="download it again")
    main = _rows(files[s.main], s.main, 12)
    if not main:
        raise SourceFormatError(s.main, "no records", fix="is the file truncated?")
    ids: dict[str, int] = {}
    for line, row in main:
        ent = row[0].strip()
        if ent in ids:
            raise SourceFormatError(
                s.main,
                f"entity number {ent} appears twice (also line {ids[ent]})",
                line=line,
                fix="is this two files joined together?",
            )
        ids[ent] = line
    id_set = set(ids)

    comments: dict[str, str] = defaultdict(str)
    aliases: dict[str, list[Name]] = defaultdict(list)
    addresses: dict[str, list[Address]] = defaultdict(list)
    if s.comments in files:
        rows = _rows(files[s.comments], s.comments, 2)
        _orphans(s.comments, id_set, rows, s.main)
        for _, r in rows:
            comments[r[0].strip()] += r[1]
    if s.alt in files:
        rows = _rows(files[s.alt], s.alt, 5)
        _orphans(s.alt, id_set, rows, s.main)
        for line, r in rows:
            name = _null(r[3])
            if name is None:
                raise SourceFormatError(
                    s.alt, "empty alias", line=line, field="alt_name", fix="download it again"
                )
            kind = _ALT_KINDS.get(r[2].strip().lower(), NameKind.ALIAS)
            aliases[r[0].strip()].append(make_name(name, kind))
    if s.add in files:
        rows = _rows(files[s.add], s.add, 6)
        _orphans(s.add, id_set, rows, s.main)
        for _, r in rows:
            address = _address(r)
            if address:
                addresses[r[0].strip()].append(address)

    records = [_record(s, line, row) for line, row in main]
    check_list_kind(s.main, s.consolidated, (r.programs for r in records))
    url = s.base_url + s.main
    for rec in records:
        ent, row = rec.ent, rec.row
        remarks = ((_null(row[11]) or "") + comments.get(ent, "")) or None
        facts = parse_remarks(remarks)
        extra_countries = []
        flag = ofac_country(_null(row[9]))
        if flag:
            extra_countries.append(flag)  # a vessel's flag state
        call_sign = _null(row[5])
        if call_sign:
            facts.add_identifier(Identifier("Call Sign", call_sign))
        yield build_party(
            feed=s.feed,
            consolidated=s.consolidated,
            record_id=ent,
            ptype=rec.ptype,
            names=[make_name(row[1].strip(), NameKind.PRIMARY), *aliases.get(ent, ())],
            programs=rec.programs,
            facts=facts,
            addresses=addresses.get(ent, ()),
            countries=extra_countries,
            remarks=remarks,
            url=url,
        )


@dataclass(frozen=True, slots=True)
class _Record:
    ent: str
    row: list[str]
    ptype: PartyType
    programs: list[str]


def _record(s: _Set, line: int, row: list[str]) -> _Record:
    """Check one main-file row's required fields (name, type, program)."""
    ent = row[0].strip()
    if _null(row[1]) is None:
        raise SourceFormatError(
            s.main, "empty name", line=line, record=ent, field="SDN_Name", fix="download it again"
        )
    ptype = party_type(_null(row[2]))
    if ptype is None:
        raise SourceFormatError(
            s.main,
            f"unknown type {row[2].strip()!r} (expected individual, vessel, aircraft or -0-)",
            line=line,
            record=ent,
            field="SDN_Type",
            fix="is this OFAC's legacy CSV?",
        )
    programs = split_programs(_null(row[3]) or "")
    if not programs:
        raise SourceFormatError(
            s.main, "no program", line=line, record=ent, field="Program", fix="download it again"
        )
    return _Record(ent, row, ptype, programs)


def parse_sdn(files: Mapping[str, bytes]) -> Iterator[Party]:
    """Parties of the SDN list from sdn.csv (+ add.csv, alt.csv, sdn_comments.csv)."""
    return _parse(files, _SDN)


def parse_cons(files: Mapping[str, bytes]) -> Iterator[Party]:
    """Parties of the Consolidated Non-SDN List from cons_prim.csv (+ cons_add/alt/comments)."""
    return _parse(files, _CONS)


def published(files: Mapping[str, bytes]) -> str | None:
    """The legacy CSV files state no date."""
    return None


def _spec(s: _Set, title: str, parse: Callable[[Files], Iterator[Party]]) -> SourceSpec:
    names = (s.main, s.add, s.alt, s.comments)
    return SourceSpec(
        name=s.feed,
        title=title,
        publisher="US Treasury OFAC",
        urls={n: s.base_url + n for n in names},
        parse=parse,
        published=published,
        optional=frozenset({s.comments}),
    )


SOURCES = (
    _spec(_SDN, "OFAC Specially Designated Nationals (SDN) list", parse_sdn),
    _spec(_CONS, "OFAC Consolidated Non-SDN List", parse_cons),
)
