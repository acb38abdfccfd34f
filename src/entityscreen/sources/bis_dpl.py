"""BIS Denied Persons List, ``dpl.txt``: tab-delimited, every field quoted, one row per address.

Columns (found by header name): Name, Street_Address, City, State, Country, Postal_Code,
Effective_Date, Expiration_Date (``MM/DD/YYYY``), Standard_Order, Last_Update (ISO), Action,
FR_Citation.

A denied person with several addresses has one row per address, repeating the order's fields
(and, the file being maintained by hand, sometimes with small typos between the copies). Rows with
the same Name and Effective_Date are one party: its addresses are the rows' addresses, the listing
fields come from the first row. The DPL has no record ids, so the id is derived from Name and
Effective_Date, which stay the same across versions of the list. The DPL does not say whether a
party is a person or a company: type UNKNOWN.

Dates that cannot be real (``Last_Update`` "3033-09-30" and "1023-11-01" in the 2023-11-30
file) are kept as written in the listing details and flagged with a ``data_warning`` detail.

:func:`published`: the file states no date. The newest plausible ``Last_Update`` (not in the
future) is the last change the file contains, so it is returned (2023-11-28 for the 2023-11-30
file, whose newest Effective_Date is 2023-11-16); files without Last_Update fall back to the
newest Effective_Date.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from datetime import date

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Listing, Name, NameKind, Party, PartyType
from entityscreen.sources import SourceSpec
from entityscreen.sources._rows import read_rows
from entityscreen.sources.common import country_code, decode, script_of, today

__all__ = ["SOURCES", "parse", "published"]

FILE = "dpl.txt"
URL = "https://www.bis.doc.gov/dpl/dpl.txt"
NAME = "bis_dpl"
INFO_URL = (
    "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/"
    "denied-persons-list"
)
_FIX = f"is this the BIS Denied Persons List ({URL})?"
REQUIRED = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "FR_Citation",
)
OPTIONAL = ("Last_Update", "Action")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_EARLIEST = "1950-01-01"  # the DPL started in the 1980s; earlier dates are typos


def _date(text: str) -> str | None:
    """``MM/DD/YYYY`` or ``YYYY-MM-DD`` -> ISO; None when not a calendar date."""
    text = text.strip()
    m = _US_DATE.fullmatch(text)
    if m:
        month, day, year = m.groups()
    else:
        m = _ISO_DATE.fullmatch(text)
        if not m:
            return None
        year, month, day = m.groups()
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _plausible(iso: str | None, now: str) -> bool:
    return iso is not None and _EARLIEST <= iso <= now


def _table(files: Mapping[str, bytes]) -> list[tuple[int, dict[str, str]]]:
    data = files.get(FILE)
    if data is None:
        raise SourceFormatError(FILE, "the file is missing", fix=f"download {URL}")
    rows = read_rows(decode(data, FILE), FILE, delimiter="\t", fix=_FIX)
    rows = [(line, row) for line, row in rows if any(c.strip() for c in row)]
    if not rows:
        raise SourceFormatError(FILE, "the file has no header row", fix=_FIX)
    header_line, header = rows[0]
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        cols.setdefault(h.strip().lower(), i)
    missing = [c for c in REQUIRED if c.lower() not in cols]
    if missing:
        raise SourceFormatError(
            FILE, f"missing columns: {', '.join(missing)}", line=header_line, fix=_FIX
        )
    wanted = [(c, cols.get(c.lower())) for c in REQUIRED + OPTIONAL]
    out: list[tuple[int, dict[str, str]]] = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise SourceFormatError(
                FILE,
                f"the record has {len(row)} fields but the header has {len(header)}",
                line=line,
                fix="the file is truncated or damaged: download it again",
            )
        out.append((line, {c: (row[i].strip() if i is not None else "") for c, i in wanted}))
    return out


def _address(row: dict[str, str]) -> Address | None:
    parts = [row[c] for c in ("Street_Address", "City", "State", "Postal_Code", "Country")]
    text = ", ".join(p for p in parts if p)
    if not text:
        return None
    raw = row["Country"]
    country = "CN" if raw.upper() == "PRC" else country_code(raw)
    if country is None and not raw and row["State"]:
        # The DPL leaves Country empty on US addresses; every row with a State is American.
        country = "US"
    return Address(text, country)


def _listing(line: int, row: dict[str, str], record_id: str, now: str) -> Listing:
    details: list[tuple[str, str]] = []
    warnings: list[str] = []
    for column, key in (
        ("Expiration_Date", "expiration_date"),
        ("Standard_Order", "standard_order"),
        ("Last_Update", "last_updated"),
        ("Action", "action"),
    ):
        raw = row[column]
        if not raw:
            continue
        value = raw.upper() if column == "Standard_Order" else raw
        if column.endswith("_Date") or column == "Last_Update":
            iso = _date(raw)
            if iso is None or (column == "Last_Update" and not _plausible(iso, now)):
                warnings.append(f"{column} {raw!r} is not a plausible date (line {line})")
            else:
                value = iso
        details.append((key, value))
    effective = _date(row["Effective_Date"])
    if row["Effective_Date"] and effective is None:
        warnings.append(f"Effective_Date {row['Effective_Date']!r} is not a date (line {line})")
    details.extend(("data_warning", w) for w in warnings)
    return Listing(
        authority="US Commerce BIS",
        list="DPL",
        listed_on=effective,
        citation=row["FR_Citation"] or None,
        source_url=INFO_URL,
        record_id=record_id,
        feeds=(NAME,),
        details=tuple(details),
    )


def parse(files: Mapping[str, bytes]) -> Iterator[Party]:
    rows = _table(files)
    now = today()
    groups: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        if not row["Name"]:
            raise SourceFormatError(
                FILE, "the name is empty", line=line, field="Name", fix="is the file damaged?"
            )
        groups.setdefault((row["Name"], row["Effective_Date"]), []).append((line, row))
    for (name, effective), members in groups.items():
        record_id = hashlib.sha1(f"{name}|{effective}".encode()).hexdigest()[:16]
        line, first = members[0]
        addresses = list(dict.fromkeys(a for _, r in members if (a := _address(r))))
        countries = list(dict.fromkeys(a.country for a in addresses if a.country))
        script = script_of(name)
        yield Party(
            id=f"{NAME}:{record_id}",
            type=PartyType.UNKNOWN,
            names=(Name(name, NameKind.PRIMARY, None if script == "Latin" else script),),
            listings=(_listing(line, first, record_id, now),),
            addresses=tuple(addresses),
            countries=tuple(countries),
        )


def published(files: Mapping[str, bytes]) -> str | None:
    rows = _table(files)
    now = today()
    for column in ("Last_Update", "Effective_Date"):
        dates = [d for _, row in rows if _plausible(d := _date(row[column]), now)]
        if dates:
            return max(d for d in dates if d)
    return None


SOURCES = (
    SourceSpec(
        name=NAME,
        title="US Commerce BIS Denied Persons List",
        publisher="US Department of Commerce, Bureau of Industry and Security",
        urls={FILE: URL},
        parse=parse,
        published=published,
    ),
)
