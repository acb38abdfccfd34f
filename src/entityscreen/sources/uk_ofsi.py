"""HM Treasury OFSI Consolidated List of Asset Freeze Targets ("ConList", 2022 format).

Files (give one; both are optional in the spec because either is enough, and :func:`parse`
raises a clear error when neither is given; when both are given the XLSX is read):

- ``ConList.xlsx``: one worksheet; row 1 is ``Last Updated | dd/mm/yyyy``, row 2 the header.
- ``ConList.csv``: the same rows as CSV.

Layout: one row per name of a designated person/entity/ship, 36 columns (``Name 6`` is the
surname or whole entity name, ``Name 1`` .. ``Name 5`` the given names, ``Alias Type`` says
whether the row is the primary name, a variation, an a.k.a. or an f.k.a.). Rows sharing a
``Group ID`` are one designation; a designation under two regimes repeats its rows per regime.

Each Group ID becomes one :class:`Party` with one :class:`Listing` per regime. This is NOT the
FCDO "UK Sanctions List" format (different columns; a clear error says so).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import TypeVar

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, Listing, Name, NameKind, Party, PartyType
from entityscreen.sources import SourceSpec
from entityscreen.sources._rows import read_rows
from entityscreen.sources._xlsx import read_xlsx_rows
from entityscreen.sources.common import decode, script_of
from entityscreen.sources.uk_ofsi_fields import (
    LANGS,
    REF_RE,
    TRUST_RE,
    country,
    country_list,
    date,
    info_sections,
    numbered,
    ref_matches,
)

__all__ = ["SOURCES", "parse", "published"]

NAME = "uk_ofsi"
XLSX = "ConList.xlsx"
CSV = "ConList.csv"
URLS = {
    XLSX: "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.xlsx",
    CSV: "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
}
AUTHORITY = "UK HM Treasury OFSI"
LIST = "UK"

T = TypeVar("T")
_FIX = "is this OFSI's ConList (2022 format) from ofsistorage.blob.core.windows.net?"
_REQUIRED = ("Name 6", "Name 1", "Group Type", "Alias Type", "Regime", "Group ID")
_NAME_COLS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
_ADDRESS_COLS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6")

_TYPES = {
    "individual": PartyType.PERSON,
    "entity": PartyType.ORGANIZATION,
    "ship": PartyType.VESSEL,
}
_KINDS = {
    "primary name": NameKind.PRIMARY,
    "primary name variation": NameKind.ALIAS,
    "aka": NameKind.ALIAS,
    "fka": NameKind.FORMER,
    "prev": NameKind.FORMER,
}


@dataclass(frozen=True, slots=True)
class _Table:
    file: str
    url: str
    header: dict[str, int]
    rows: list[tuple[int, list[str | None]]]  # data rows after the header


def _which(files: Mapping[str, bytes]) -> str:
    if XLSX in files:
        return XLSX
    if CSV in files:
        return CSV
    raise SourceFormatError(
        f"{XLSX} or {CSV}",
        "neither file was given; the OFSI ConList needs one of them",
        fix=f"download {URLS[XLSX]} (or the CSV twin {URLS[CSV]})",
    )


def _raw_rows(
    files: Mapping[str, bytes], file: str, max_rows: int | None = None
) -> list[tuple[int, list[str | None]]]:
    data = files[file]
    if file == XLSX:
        return read_xlsx_rows(data, file, max_rows=max_rows)
    if data.startswith(b"PK"):
        raise SourceFormatError(file, "this is a zip/XLSX file, not CSV", fix=f"name it {XLSX}")
    text = decode(data, file)
    if max_rows is not None:
        # Only the first records (for published()): read them lazily, no truncation check.
        try:
            head = list(islice(csv.reader(io.StringIO(text, newline="")), max_rows))
        except csv.Error as exc:
            raise SourceFormatError(file, f"malformed CSV ({exc})", fix=_FIX) from None
        return [(i, list(r)) for i, r in enumerate(head, start=1)]
    return [(line, list(r)) for line, r in read_rows(text, file, fix=_FIX)]


def _cell(row: Sequence[str | None], i: int | None) -> str:
    if i is None or i >= len(row):
        return ""
    v = row[i]
    return v.strip() if v else ""


def _table(files: Mapping[str, bytes]) -> _Table:
    file = _which(files)
    rows = _raw_rows(files, file)
    for pos, (_, row) in enumerate(rows[:5]):
        header = {(c or "").strip(): i for i, c in enumerate(row) if c and c.strip()}
        if "Group ID" in header and "Name 6" in header:
            missing = [c for c in _REQUIRED if c not in header]
            if missing:
                raise SourceFormatError(
                    file, f"header lacks columns {', '.join(missing)}", line=rows[pos][0], fix=_FIX
                )
            return _Table(file, URLS[file], header, rows[pos + 1 :])
    if rows and any((c or "").strip() == "Unique ID" for _, r in rows[:5] for c in r):
        problem = "this looks like the FCDO 'UK Sanctions List', not the OFSI ConList"
    else:
        problem = "no header row with 'Name 6' and 'Group ID' in the first 5 rows"
    raise SourceFormatError(file, problem, fix=_FIX)


def published(files: Mapping[str, bytes]) -> str | None:
    """The ``Last Updated`` date of row 1 (``10/04/2025`` -> ``2025-04-10``)."""
    file = _which(files)
    for _, row in _raw_rows(files, file, max_rows=3):
        if _cell(row, 0).lower().startswith("last updated"):
            value = _cell(row, 1) or _cell(row, 0)[len("last updated") :].strip(" :")
            return date(value)
    return None


def _row_name(row: Sequence[str | None], h: dict[str, int]) -> str:
    # Given names first, then Name 6 (the surname), joined by single spaces as OFSI prints them.
    return " ".join(p for p in (_cell(row, h.get(c)) for c in _NAME_COLS) if p)


def _names(rows: list[tuple[int, list[str | None]]], h: dict[str, int]) -> tuple[Name, ...]:
    found: list[Name] = []
    seen_nonlatin: set[str] = set()
    primary: str | None = None
    i_type, i_quality = h["Alias Type"], h.get("Alias Quality")
    i_nonlatin, i_script, i_lang = (
        h.get("Name Non-Latin Script"),
        h.get("Non-Latin Script Type"),
        h.get("Non-Latin Script Language"),
    )
    for _, row in rows:
        value = _row_name(row, h)
        if value:
            kind = _KINDS.get(_cell(row, i_type).casefold(), NameKind.ALIAS)
            if kind is NameKind.PRIMARY:
                if primary is None:
                    primary = value
                elif value != primary:
                    kind = NameKind.ALIAS  # a second, different "Primary name" row
            if kind is NameKind.ALIAS and _cell(row, i_quality).casefold().startswith("low"):
                kind = NameKind.WEAK_ALIAS
            found.append(Name(value, kind))
        nonlatin = _cell(row, i_nonlatin)
        if nonlatin and nonlatin not in seen_nonlatin:  # repeated on every row of the group
            seen_nonlatin.add(nonlatin)
            script = script_of(nonlatin)
            if script in (None, "Other"):
                script = _cell(row, i_script) or script
            lang = LANGS.get(_cell(row, i_lang).casefold())
            found.append(Name(nonlatin, NameKind.ALIAS, script, lang))
    if primary is None and found:
        # Two groups in the 2025-04-10 file have only "Primary name variation" rows.
        primary = found[0].value
    out: dict[str, Name] = {}
    for n in found:
        if n.value == primary:
            out[n.value] = replace(n, kind=NameKind.PRIMARY)
            break
    for n in found:
        out.setdefault(n.value, n)  # first kind wins for a name seen twice
    return tuple(out.values())


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))


def _party(gid: str, rows: list[tuple[int, list[str | None]]], t: _Table) -> Party:
    h = t.header
    first = rows[0][1]
    cell = _cell
    names = _names(rows, h)
    if not names:
        raise SourceFormatError(
            t.file, "no name in any row", line=rows[0][0], record=gid, field="Name 6", fix=_FIX
        )
    ptype = _TYPES.get(cell(first, h["Group Type"]).casefold(), PartyType.UNKNOWN)
    other = next((v for _, r in rows if (v := cell(r, h.get("Other Information")))), "")
    info = info_sections(other)

    addresses: list[Address] = []
    countries: list[str] = []
    births: list[str] = []
    identifiers: list[Identifier] = []
    i_addr = [h.get(c) for c in (*_ADDRESS_COLS, "Post/Zip Code")]
    for _, row in rows:
        country_text = cell(row, h.get("Country"))
        code = country(country_text)
        parts = [p for p in (cell(row, i) for i in i_addr) if p]
        if country_text:
            parts.append(country_text)
        if parts:
            addresses.append(Address(", ".join(parts), code))
        countries.extend(country_list(cell(row, h.get("Nationality"))))
        if code:
            countries.append(code)
        dob = date(cell(row, h.get("DOB")))
        if dob:
            births.append(dob)
        for v in numbered(cell(row, h.get("Passport Number"))):
            identifiers.append(Identifier("Passport", v))
        for v in numbered(cell(row, h.get("National Identification Number"))):
            identifiers.append(Identifier("National ID", v))

    refs = REF_RE.findall(info.get("UK Sanctions List Ref", "").split(". ", 1)[0])
    identifiers[:0] = [Identifier("UK Sanctions List Ref", r) for r in refs]
    if un_ref := info.get("UN Ref", "").split(" ", 1)[0].rstrip("."):
        identifiers.append(Identifier("UN Ref", un_ref))
    if (imo := re.match(r"\d{7}\b", info.get("IMO number", ""))) and ptype is PartyType.VESSEL:
        identifiers.append(Identifier("IMO", imo.group(0)))
    for reg in numbered(info.get("Business Reg No", "")):
        identifiers.append(Identifier("Registration Number", reg))

    return Party(
        id=f"{NAME}:{gid}",
        type=ptype,
        names=names,
        listings=_listings(gid, rows, t, refs, other),
        addresses=_unique(addresses),
        countries=_unique(countries),
        identifiers=_unique(identifiers),
        birth_dates=_unique(births),
        remarks=other or None,
    )


def _listings(
    gid: str, rows: list[tuple[int, list[str | None]]], t: _Table, refs: list[str], other: str
) -> tuple[Listing, ...]:
    h = t.header
    extra: list[tuple[str, str]] = []
    if m := TRUST_RE.search(other):
        extra.append(("additional_sanctions", m.group(1).rstrip(". ")))
        if day := date(m.group(2)):
            extra.append(("trust_services_date", day))
    by_regime: dict[str, Listing] = {}
    for line, row in rows:
        regime = _cell(row, h["Regime"])
        if regime in by_regime:
            continue
        if not regime:
            raise SourceFormatError(
                t.file, "empty", line=line, record=gid, field="Regime", fix=_FIX
            )
        # Refs start with a regime code (SYR0310, INU0082); pick the one whose code the regime
        # shares, else the only ref, else the Group ID.
        record_id = refs[0] if len(refs) == 1 else gid
        if len(refs) > 1:
            record_id = next((r for r in refs if ref_matches(r, regime)), gid)
        details = [
            (k, d)
            for k, col in (
                ("date_designated", "UK Sanctions List Date Designated"),
                ("last_updated", "Last Updated"),
            )
            if (d := date(_cell(row, h.get(col))) or "")
        ]
        by_regime[regime] = Listing(
            authority=AUTHORITY,
            list=LIST,
            program=regime,
            listed_on=date(_cell(row, h.get("Listed On"))),
            source_url=t.url,
            record_id=record_id,
            feeds=(NAME,),
            details=tuple(details + extra),
        )
    return tuple(by_regime.values())


def parse(files: Mapping[str, bytes]) -> Iterator[Party]:
    """One Party per Group ID, in the order the groups first appear."""
    t = _table(files)
    i_gid = t.header["Group ID"]
    groups: dict[str, list[tuple[int, list[str | None]]]] = {}
    for line, row in t.rows:
        if not any(row):
            continue  # trailing blank rows
        gid = _cell(row, i_gid)
        if gid.endswith(".0") and gid[:-2].isdigit():
            gid = gid[:-2]  # a Group ID stored as an Excel number
        if not gid:
            raise SourceFormatError(t.file, "empty", line=line, field="Group ID", fix=_FIX)
        groups.setdefault(gid, []).append((line, row))
    if not groups:
        raise SourceFormatError(
            t.file, "no data rows under the header", fix="is the file truncated?"
        )
    for gid, rows in groups.items():
        yield _party(gid, rows, t)


SOURCES = (
    SourceSpec(
        name=NAME,
        title="UK HM Treasury OFSI Consolidated List of Asset Freeze Targets",
        publisher="HM Treasury, Office of Financial Sanctions Implementation (OFSI)",
        urls=URLS,
        parse=parse,
        published=published,
        # Either file is enough (parse() says so when both are missing); the XLSX wins if both.
        optional=frozenset(URLS),
        licence="Open Government Licence v3.0",
        redistributable=True,
    ),
)
