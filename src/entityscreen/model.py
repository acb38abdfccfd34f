"""The one model every source is parsed into: frozen dataclasses, no behaviour beyond helpers.

A :class:`Party` is a person, organization, vessel or aircraft as one publisher lists it. It has
names (with their kind and script), addresses, countries, identifiers, birth dates and one or more
:class:`Listing` s (authority, list, program, date, legal basis, provenance).

Parties from different feeds that are the same listing (an OFAC entity number seen in
``cons_prim.csv`` and in the trade.gov CSL) share a ``merge_key`` and are merged into one party
whose listings carry both feeds (see :func:`merge_parties`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "Address",
    "Alignment",
    "Evidence",
    "Explanation",
    "Hit",
    "Identifier",
    "Listing",
    "Name",
    "NameKind",
    "Party",
    "PartyType",
    "Query",
    "SourceVersion",
    "merge_parties",
]


class PartyType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


class NameKind(StrEnum):
    PRIMARY = "primary"
    ALIAS = "alias"  # a strong a.k.a.
    WEAK_ALIAS = "weak_alias"  # OFAC "weak a.k.a.", UN "low quality" aliases
    FORMER = "former"  # f.k.a. / previous name


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    kind: NameKind = NameKind.PRIMARY
    script: str | None = None  # e.g. "Latin", "Han", "Cyrillic"; None when not stated
    lang: str | None = None  # ISO 639 code when the publisher states it


@dataclass(frozen=True, slots=True)
class Address:
    text: str
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Identifier:
    type: str  # e.g. "Registration Number", "Passport", "ISIN", "IMO"
    value: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """One listing of a party: which authority put it on which list under which program."""

    authority: str  # "US Treasury OFAC", "US Commerce BIS", "UN Security Council", ...
    list: str  # short code: "SDN", "CMIC", "EL", "DPL", "UVL", "MEU", "UN", "UK" ...
    program: str | None = None  # "CMIC-EO13959", "GLOMAG", "SDGT", "Russia" ...
    listed_on: str | None = None  # ISO date the listing took effect
    citation: str | None = None  # legal basis / Federal Register citation
    source_url: str | None = None
    record_id: str | None = None  # the publisher's id for this record
    feeds: tuple[str, ...] = ()  # entityscreen source names this listing arrived through
    # Record-level details a restriction depends on, as (key, value) pairs, e.g.
    # ("license_requirement", ...), ("effective_date", "2022-02-08"), ("divestment_date", ...).
    details: tuple[tuple[str, str], ...] = ()

    def detail(self, key: str) -> str | None:
        for k, v in self.details:
            if k == key:
                return v
        return None

    @property
    def identity(self) -> tuple[str, str, str | None, str | None]:
        """What makes two listings the same listing, whichever feed brought them."""
        return (self.authority, self.list, self.program, self.record_id)


@dataclass(frozen=True, slots=True)
class Party:
    id: str  # stable, "<source>:<record id>"
    type: PartyType
    names: tuple[Name, ...]
    listings: tuple[Listing, ...]
    addresses: tuple[Address, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, addresses and nationalities
    identifiers: tuple[Identifier, ...] = ()
    birth_dates: tuple[str, ...] = ()  # ISO dates or partial ("1957", "1957-05")
    remarks: str | None = None
    # Parties with the same merge key are the same listed record seen through two feeds,
    # e.g. "ofac:33114" for the OFAC entity number 33114.
    merge_key: str | None = None

    @property
    def name(self) -> str:
        for n in self.names:
            if n.kind is NameKind.PRIMARY:
                return n.value
        return self.names[0].value if self.names else ""

    @property
    def aliases(self) -> tuple[str, ...]:
        primary = self.name
        seen = {primary}
        out = []
        for n in self.names:
            if n.value not in seen:
                seen.add(n.value)
                out.append(n.value)
        return tuple(out)


def _unique(items: Iterable[object]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _merge_listings(listings: Iterable[Listing]) -> tuple[Listing, ...]:
    merged: dict[tuple[str, str, str | None, str | None], Listing] = {}
    for listing in listings:
        key = listing.identity
        old = merged.get(key)
        if old is None:
            merged[key] = listing
            continue
        details = dict(old.details)
        for k, v in listing.details:
            details.setdefault(k, v)
        merged[key] = replace(
            old,
            listed_on=old.listed_on or listing.listed_on,
            citation=old.citation or listing.citation,
            source_url=old.source_url or listing.source_url,
            feeds=_unique(old.feeds + listing.feeds),
            details=tuple(details.items()),
        )
    return tuple(merged.values())


def merge_parties(parties: Iterable[Party]) -> Party:
    """Merge parties that are one listed record seen through several feeds.

    The first party's id, type and primary name win; names, listings and attributes are unioned
    without duplicates, so each listing appears once with every feed that carried it.
    """
    group = list(parties)
    first = group[0]
    if len(group) == 1:
        return first
    ptype = first.type
    if ptype is PartyType.UNKNOWN:
        ptype = next((p.type for p in group if p.type is not PartyType.UNKNOWN), ptype)
    primary = first.name
    names: dict[str, Name] = {}
    for p in group:
        for n in p.names:
            if n.kind is NameKind.PRIMARY and n.value != primary:
                n = replace(n, kind=NameKind.ALIAS)
            names.setdefault(n.value, n)
    return Party(
        id=first.id,
        type=ptype,
        names=tuple(names.values()),
        listings=_merge_listings(lst for p in group for lst in p.listings),
        addresses=_unique(a for p in group for a in p.addresses),
        countries=_unique(c for p in group for c in p.countries),
        identifiers=_unique(i for p in group for i in p.identifiers),
        birth_dates=_unique(d for p in group for d in p.birth_dates),
        remarks=first.remarks or next((p.remarks for p in group if p.remarks), None),
        merge_key=first.merge_key,
    )


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """What the store knows about one imported version of a source."""

    source: str
    version: int
    published: str | None  # publication date the file states, ISO
    fetched_at: str  # ISO timestamp of import
    sha256: str  # of the original files, joined
    records: int
    files: tuple[str, ...] = field(default=())
    origin: str = ""  # "bundled", a URL, or a local path


@dataclass(frozen=True, slots=True)
class Query:
    """What a user screens: a name and the hints that come with it."""

    name: str
    type: PartyType | None = None  # person / organization / vessel / aircraft; None = unknown
    country: str | None = None  # ISO 3166-1 alpha-2 hint, never a filter
    birth_date: str | None = None  # ISO, partial allowed
    # identifier values (ISIN, IMO, registration or passport number): a match is decisive
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alignment:
    """One query token (or pair) aligned with one listed token (or pair)."""

    query: str
    listed: str
    similarity: float  # 0..1
    how: str  # "exact", "fuzzy", "transliteration", "variant", "merged", "initial"
    weight: float  # how much this token counts (rarity across all listed names)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A secondary attribute that raised or lowered the score."""

    attribute: str  # "type", "country", "birth_date", "identifier"
    query: str
    listed: str
    effect: float  # added to the score (negative lowers it)


@dataclass(frozen=True, slots=True)
class Explanation:
    matched_name: str  # the listed name that scored best
    name_score: float  # before secondary evidence
    aligned: tuple[Alignment, ...] = ()
    unmatched_query: tuple[str, ...] = ()
    unmatched_listed: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # legal forms and stopwords, down-weighted
    folding: tuple[str, ...] = ()  # transliterations and foldings applied to the query
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    party_id: str
    score: float
    match: bool
    explanation: Explanation
    algorithm: str
