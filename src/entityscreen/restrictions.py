"""What a listing restricts, in plain words, with its legal basis and the dates that matter.

The wording lives in ``data/restrictions.csv`` (one row per authority, list and program; an empty
program is the row for "any program of that list"; sources in ``data/RESTRICTIONS.md``). This module
picks the row for a :class:`~entityscreen.model.Listing` and adds the record's own facts: the Entity
List licence requirement and review policy, the CMIC effective and divestment dates, the end of a
denial order, the Federal Register citation.

Look-up order: (authority, list, program), then (authority, list, ""), then a generic sentence that
points at the listing's own citation, so a hit never goes out without an explanation.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources

from entityscreen.model import Listing

__all__ = [
    "COLUMNS",
    "Restriction",
    "RestrictionRow",
    "RestrictionTableError",
    "find_row",
    "load_table",
    "restriction_for",
]

COLUMNS = ("authority", "list", "program", "restriction", "legal_basis", "url", "notes")
_REQUIRED = ("authority", "list", "restriction")


@dataclass(frozen=True)
class Restriction:
    summary: str
    legal_basis: str | None
    url: str | None
    # Labelled ISO dates, e.g.
    # (("effective", "2022-02-08"), ("divestment allowed until", "2022-12-10")).
    dates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RestrictionRow:
    authority: str
    list: str
    program: str  # "" = any program of the list
    restriction: str
    legal_basis: str
    url: str
    notes: str


class RestrictionTableError(ValueError):
    """The restrictions table is malformed (wrong columns, empty required cell, duplicate key)."""


@functools.lru_cache(maxsize=8192)
def _key(text: str | None) -> str:
    # Program tags are spelled differently by different feeds ("SouthSudan" / "South Sudan",
    # "[SDGT]", curly apostrophes in UK regime names): compare letters and digits only.
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def load_table(text: str, source: str = "restrictions.csv") -> tuple[RestrictionRow, ...]:
    """Parse and validate the table; any unknown column, empty required cell or duplicate raises."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise RestrictionTableError(f"{source}: empty file, expected header {','.join(COLUMNS)}")
    if tuple(header) != COLUMNS:
        unknown = [h for h in header if h not in COLUMNS]
        raise RestrictionTableError(
            f"{source}: header must be {','.join(COLUMNS)}"
            + (
                f"; unknown column(s): {', '.join(unknown)}"
                if unknown
                else f"; got {','.join(header)}"
            )
        )
    rows: list[RestrictionRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            raise RestrictionTableError(
                f"{source} line {line}: {len(cells)} cells, "
                f"expected {len(COLUMNS)} ({','.join(COLUMNS)})"
            )
        row = RestrictionRow(*(c.strip() for c in cells))
        for name in _REQUIRED:
            if not getattr(row, name):
                raise RestrictionTableError(f"{source} line {line}: column {name!r} is empty")
        key = (_key(row.authority), _key(row.list), _key(row.program))
        if key in seen:
            raise RestrictionTableError(
                f"{source} line {line}: duplicate of line {seen[key]} "
                f"({row.authority} / {row.list} / {row.program or '(any program)'})"
            )
        seen[key] = line
        rows.append(row)
    return tuple(rows)


@functools.cache
def _index() -> dict[tuple[str, str, str], RestrictionRow]:
    text = resources.files("entityscreen").joinpath("data", "restrictions.csv").read_text("utf-8")
    return {(_key(r.authority), _key(r.list), _key(r.program)): r for r in load_table(text)}


@functools.lru_cache(maxsize=4096)
def find_row(authority: str, list_code: str, program: str | None) -> RestrictionRow | None:
    """The table row for a listing: exact program, else the list's own row, else None."""
    index = _index()
    authority_key, list_key = _key(authority), _key(list_code)
    return index.get((authority_key, list_key, _key(program))) or index.get(
        (authority_key, list_key, "")
    )


@functools.lru_cache(maxsize=8192)
def restriction_for(listing: Listing) -> Restriction:
    """What this listing forbids, in plain words, with its legal basis and dates."""
    row = find_row(listing.authority, listing.list, listing.program)
    dates = _dates(listing)
    if row is None:
        pointer = listing.citation or listing.source_url or "the listing authority's notice"
        what = " / ".join(p for p in (listing.authority, listing.list, listing.program) if p)
        return Restriction(
            summary=f"Restrictions depend on the listing authority ({what}); see {pointer}.",
            legal_basis=listing.citation,
            url=listing.source_url,
            dates=dates,
        )
    summary = " ".join([row.restriction, *_record_facts(listing)])
    return Restriction(
        summary=summary,
        legal_basis=_join_legal(row.legal_basis, listing.citation),
        url=row.url or listing.source_url,
        dates=dates,
    )


def _join_legal(basis: str, citation: str | None) -> str | None:
    parts = [p for p in (basis, _clean(citation)) if p]
    if len(parts) == 2 and _key(parts[1]) in _key(parts[0]):
        parts.pop()  # the record repeats the table's basis
    return "; ".join(parts) or None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _sentence(text: str) -> str:
    text = _clean(text)
    return text if not text or text[-1] in ".!?)" else text + "."


def _is_list(listing: Listing, code: str) -> bool:
    return _key(listing.list) == _key(code)


# Directive statements come in three shapes, depending on the feed:
#   ("directive", "EO 13662 Directive 2")                       OFAC legacy CSV parser
#   ("executive_order_13662_directive_determination", "Subject to Directive 2")   trade.gov CSL
#   remarks text "Executive Order 13662 Directive Determination - Subject to Directive 2"
_EO = re.compile(r"\b(?:executive[ _]order|e\.?o\.?)[ _]*(\d{5})", re.I)
_DIRECTIVE = re.compile(r"directive\s+(\d+[a-z]?)\b(?!.*directive\s+\d)", re.I)
_REMARK_DIRECTIVE = re.compile(
    r"(?:Executive Order|E\.O\.)\s*(\d{5})\s+Directive[^;]*?Subject to Directive\s+(\w+)", re.I
)


def _record_facts(listing: Listing) -> list[str]:
    """Sentences from the record itself that sharpen the table's wording."""
    facts: list[str] = []
    requirement, policy = listing.detail("license_requirement"), listing.detail("license_policy")
    if _clean(requirement):
        facts.append(_sentence(f"Licence required: {requirement}"))
    if _clean(policy):
        facts.append(_sentence(f"Review policy: {policy}"))
    effective, divest = listing.detail("effective_date"), listing.detail("divestment_date")
    if _is_list(listing, "CMIC") and (effective or divest):
        clauses = []
        if effective:
            clauses.append(f"purchase or sale prohibited from {effective}")
        if divest:
            clauses.append(f"divestment allowed until {divest}")
        text = "; ".join(clauses)
        facts.append(text[0].upper() + text[1:] + ".")
    expires = listing.detail("expiration_date") or listing.detail("end_date")
    if _is_list(listing, "DPL"):
        start = listing.detail("effective_date") or listing.listed_on
        if start or expires:
            span = f"from {start}" if start else ""
            span += f"{' ' if span else ''}until {expires}" if expires else ""
            facts.append(f"Denial order in effect {span}.")
        standard = _clean(listing.detail("standard_order")).upper()
        if standard == "Y":
            facts.append("Standard denial order terms apply.")
        elif standard == "N":
            facts.append("Non-standard order: its terms are in the Federal Register notice.")
    elif expires:
        facts.append(f"Listing ends {expires}.")
    directives = _directives(listing)
    if directives:
        facts.append(f"Subject to {', '.join(directives)}.")
    risks = _all(listing, "secondary_sanctions_risk")
    if risks:
        facts.append(
            _sentence(f"Secondary sanctions risk: {'; '.join(r.rstrip('.') for r in risks)}")
        )
    return facts


def _all(listing: Listing, key: str) -> list[str]:
    """Every distinct value of a detail that may repeat (directives, secondary sanctions risks)."""
    return list(dict.fromkeys(_clean(v) for k, v in listing.details if k == key and _clean(v)))


def _directives(listing: Listing) -> list[str]:
    found: list[str] = []
    for key, value in listing.details:
        if key == "remarks":
            found += [f"E.O. {eo} Directive {d}" for eo, d in _REMARK_DIRECTIVE.findall(value)]
        elif "directive" in key:
            eo = _EO.search(value) or _EO.search(key)
            number = _DIRECTIVE.search(value)
            if number:
                found.append(
                    f"{'E.O. ' + eo.group(1) + ' ' if eo else ''}Directive {number.group(1)}"
                )
    return list(dict.fromkeys(found))


def _dates(listing: Listing) -> tuple[tuple[str, str], ...]:
    dpl = _is_list(listing, "DPL")
    found: list[tuple[str, str]] = []
    if listing.listed_on:
        found.append(("effective" if dpl else "listed", listing.listed_on))
    for key, label in (
        ("effective_date", "effective"),
        ("divestment_date", "divestment allowed until"),
        ("expiration_date", "expires"),
        ("end_date", "expires" if dpl else "ends"),
        ("last_updated", "last updated"),
    ):
        value = _clean(listing.detail(key))
        if value and all(v != value or lbl != label for lbl, v in found):
            found.append((label, value))
    return tuple(found)
