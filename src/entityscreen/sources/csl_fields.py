"""Field-level parsing of trade.gov Consolidated Screening List records, shared by CSV and JSON.

Both forms of the CSL are first turned into a :class:`CslRecord` (multi-valued fields already
split, addresses and ids already structured); :func:`build_party` turns a record into a
:class:`~entityscreen.model.Party`. Only the splitting differs between the two forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, Listing, Name, NameKind, Party, PartyType
from entityscreen.sources.common import country_code, iso_date, split_aliases
from entityscreen.sources.ofac_remarks import Facts, add_typed, make_name, parse_dob

__all__ = [
    "CslRecord",
    "build_party",
    "clean",
    "id_orientation",
    "ofac_facts",
    "parse_birth_dates",
    "parse_id_item",
    "source_list",
    "split_addresses",
    "split_multi",
    "to_iso",
]

OFAC = "US Treasury OFAC"

# The abbreviation in brackets in the `source` column -> entityscreen list code.
_LIST_CODES = {
    "SDN": "SDN",
    "SSI": "SSI",
    "FSE": "FSE",
    "PLC": "PLC",
    "CMIC": "CMIC",
    "CAP": "CAPTA",
    "NS-MBS LIST": "MBS",
    "NS-MBS": "MBS",
    "EL": "EL",
    "DPL": "DPL",
    "UVL": "UVL",
    "MEU": "MEU",
    "ISN": "ISN",
    "DTC": "DTC",
}
# The agency after " - " in the `source` column -> authority.
_AUTHORITIES = {
    "treasury department": OFAC,
    "bureau of industry and security": "US Commerce BIS",
    "state department": "US State Department",
}
_TYPES = {
    "individual": PartyType.PERSON,
    "entity": PartyType.ORGANIZATION,
    "vessel": PartyType.VESSEL,
    "aircraft": PartyType.AIRCRAFT,
}

_CC = re.compile(r"[A-Z]{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2} \d{4}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"(1[89]|20)\d\d")
_WS_NL = re.compile(r"\s*[\r\n]+\s*")


@dataclass(slots=True)
class CslRecord:
    """One CSL row with multi-valued fields split.

    ``line`` (CSV) or ``index`` (JSON, 1-based) locate it for error messages.
    """

    line: int | None
    index: int | None
    uid: str  # the `_id` (CSV) / `id` (JSON) column
    source: str
    entity_number: str
    type: str
    name: str
    programs: list[str] = field(default_factory=list)
    alt_names: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    citation: str = ""
    start_date: str = ""
    end_date: str = ""
    standard_order: str = ""
    license_requirement: str = ""
    license_policy: str = ""
    remarks: str = ""
    call_sign: str = ""
    source_list_url: str = ""
    source_information_url: str = ""
    citizenships: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    dates_of_birth: list[str] = field(default_factory=list)
    ids: list[tuple[str, str, str | None]] = field(default_factory=list)  # type, value, country


def clean(text: str | None) -> str:
    """Strip and fold embedded line breaks (DPL/MEU addresses and names) into one space."""
    if not text:
        return ""
    text = text.strip()
    if "\n" in text or "\r" in text:
        text = _WS_NL.sub(" ", text)
    return text


def to_iso(text: str | None) -> str | None:
    """:func:`iso_date` with a fast path for the ISO dates the CSV mostly carries."""
    if not text:
        return None
    text = text.strip()
    if _ISO.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if _YEAR.fullmatch(text):
        return text
    return iso_date(text)


def split_multi(text: str | None) -> list[str]:
    """A CSV multi-valued field, joined by the CSL with ``"; "``."""
    if not text:
        return []
    if "\n" in text or "\r" in text:
        text = clean(text)
    return [p for p in (x.strip() for x in text.split(";")) if p]


def _country(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip()
    if code == "XK":  # Kosovo: user-assigned code that OFAC uses, unknown to ISO/pycountry
        return "XK"
    if code.upper() == "PRC":
        return "CN"
    return country_code(code)


def _address_country(piece: str) -> str | None:
    last = piece.rsplit(",", 1)[-1].strip()
    if _CC.fullmatch(last):
        return _country(last)
    # UVL/EL addresses sometimes end in a country name instead of the code ("..., Turkey").
    return country_code(last) if "," in piece else None


def split_addresses(text: str | None) -> list[Address]:
    """Split the CSV ``addresses`` field; each address ends in ``", XX"`` (its country).

    Addresses are joined with ``"; "`` but an address may itself contain ``"; "`` (an OFAC
    street line, Entity List "...; and ..." alternatives), so pieces are accumulated until one
    ends with a country.
    """
    text = clean(text)
    if not text:
        return []
    out: list[Address] = []
    pending: list[str] = []
    for piece in text.split("; "):
        piece = piece.strip()
        if not piece:
            continue
        pending.append(piece)
        country = _address_country(piece)
        if country is not None:
            out.append(Address("; ".join(pending), country))
            pending = []
    if pending:
        out.append(Address("; ".join(pending), None))
    return out


def id_orientation(values: Iterable[str]) -> bool:
    """True when ``ids`` items read ``type, value[, country]`` (2023 layout).

    The 2022 layout is reversed: ``[country, ][dates, ]value, type`` (``"HK, 2162198, C.R. No."``,
    ``"10 Dec 2021, Listing Date (CMIC)"``). The file is voted on as a whole because a
    two-part item (``"Male, Gender"``) cannot tell on its own.
    """
    first = last = 0
    for value in values:
        if not value:
            continue
        for item in value.split("; "):
            parts = item.split(", ")
            if len(parts) < 2:
                continue
            head, tail = parts[0].strip(), parts[-1].strip()
            if len(parts) >= 3 and _CC.fullmatch(head):
                last += 1
            elif (len(parts) >= 3 and _CC.fullmatch(tail)) or _DATE.fullmatch(tail):
                first += 1
            elif _DATE.fullmatch(head):
                last += 1
        if first + last >= 500:  # plenty to decide; keeps the vote cheap on big files
            break
    return first >= last


def parse_id_item(item: str, type_first: bool) -> tuple[str, str, str | None] | None:
    """One ``ids`` entry -> (type, value, country code or None); issue/expiry dates dropped."""
    parts = [p.strip() for p in item.split(", ")]
    if len(parts) < 2:
        return None
    country: str | None = None
    if type_first:
        label, rest = parts[0], parts[1:]
        while len(rest) > 1 and _DATE.fullmatch(rest[-1]):
            rest.pop()
        if len(rest) > 1 and _CC.fullmatch(rest[-1]):
            country = rest.pop()
    else:
        label, rest = parts[-1], parts[:-1]
        if len(rest) > 1 and _CC.fullmatch(rest[0]):
            country = rest.pop(0)
        while len(rest) > 1 and _DATE.fullmatch(rest[0]):
            rest.pop(0)
    value = ", ".join(rest).strip()
    if not label or not value:
        return None
    return label, value, country


def ofac_facts(ids: Iterable[tuple[str, str, str | None]]) -> Facts:
    """Read ``ids`` entries with the OFAC feeds' own rules (:func:`ofac_remarks.add_typed`).

    So a CSL party and the same OFAC record from an OFAC feed carry the same identifiers
    (``"IMO"``, ``"Unified Social Credit Code"``), the same listing details
    (``effective_date``, ``divestment_date``, ``secondary_sanctions_risk``, ``directive``) and
    the same list dates, and merge without duplicates. Labels OFAC's table does not know are
    kept as identifiers under their own label; "Gender", "Website" and the like are dropped
    there, as in the OFAC feeds (the model has no field for them).
    """
    facts = Facts()
    for label, value, country in ids:
        if not add_typed(facts, label, value, country):
            core = label.strip().rstrip(":-").strip()
            if core and value:
                facts.add_identifier(Identifier(core, value, _country(country)))
    return facts


def parse_birth_dates(values: Iterable[str]) -> list[str]:
    """``"1962-08-06"`` (fast path), else OFAC's forms: ``"circa 1957"``, ``"1957 to 1959"``."""
    out: list[str] = []
    for raw in values:
        text = raw.strip()
        found = [d] if _ISO.fullmatch(text) and (d := to_iso(text)) else parse_dob(text)
        out.extend(d for d in found if d not in out)
    return out


@lru_cache(maxsize=64)
def source_list(source: str) -> tuple[str, str] | None:
    """``"Entity List (EL) - Bureau of Industry and Security"`` -> ("US Commerce BIS", "EL")."""
    m = re.search(r"\(([^()]+)\)", source)
    if not m or " - " not in source:
        return None
    abbr = m.group(1).strip()
    agency = source.rsplit(" - ", 1)[1].strip()
    code = _LIST_CODES.get(abbr.upper(), abbr)  # a list new to the CSL keeps its own code
    authority = _AUTHORITIES.get(agency.lower(), agency)
    return authority, code


def _names(rec: CslRecord, ofac: bool) -> tuple[Name, ...]:
    names = [make_name(rec.name, NameKind.PRIMARY)]
    seen = {rec.name}
    for raw in rec.alt_names:
        # OFAC aliases are "LAST, First": only non-OFAC lists write "A; B; and C" / "X, and Y".
        pieces = [clean(raw)] if ofac else split_aliases(clean(raw))
        for alias in pieces:
            if alias and alias not in seen:
                seen.add(alias)
                names.append(make_name(alias, NameKind.ALIAS))
    return tuple(names)


def _error(
    file: str, rec: CslRecord, problem: str, column: str, fix: str | None = None
) -> SourceFormatError:
    record = None if rec.index is None else f"#{rec.index}"
    return SourceFormatError(file, problem, line=rec.line, record=record, field=column, fix=fix)


def build_party(rec: CslRecord, spec_name: str, file: str) -> Party:
    name = clean(rec.name)
    if not name:
        raise _error(file, rec, "the name is empty", "name", "is the record damaged?")
    rec.name = name
    listed = source_list(rec.source)
    if listed is None:
        raise _error(
            file,
            rec,
            f"cannot read the list from {rec.source!r} (expected 'List Name (CODE) - Agency')",
            "source",
            "is this the trade.gov Consolidated Screening List?",
        )
    authority, code = listed
    ofac = authority == OFAC
    record_id = rec.entity_number or rec.uid
    if not record_id:
        raise _error(file, rec, "the record has neither _id nor entity_number", "_id")

    facts = ofac_facts(rec.ids)
    identifiers = list(facts.identifiers)
    if rec.call_sign:
        call_sign = Identifier("Call Sign", rec.call_sign)
        if call_sign not in identifiers:
            identifiers.insert(0, call_sign)
    # Facts about this row's own list (CMIC dates, the directive of an SSI/CAPTA listing).
    list_dates = [v for lst, k, v in facts.list_facts if lst == code and k == "listed_on"]
    details = [
        (k, v)
        for k, v in (
            ("license_requirement", clean(rec.license_requirement)),
            ("license_policy", clean(rec.license_policy)),
            ("end_date", to_iso(rec.end_date) or clean(rec.end_date)),
            ("standard_order", clean(rec.standard_order)),
        )
        if v
    ]
    for lst, k, v in facts.list_facts:
        if lst == code and k != "listed_on" and (k, v) not in details:
            details.append((k, v))
    details.extend(d for d in facts.details if d not in details)
    listed_on = to_iso(rec.start_date) or (min(list_dates) if list_dates else None)
    citation = clean(rec.citation) or None
    source_url = rec.source_list_url or rec.source_information_url or None
    frozen_details = tuple(details)
    # One listing per program tag; a row without programs (BIS, DTC lists) still is a listing.
    programs: list[str | None] = list(rec.programs) or [None]
    listings = tuple(
        Listing(
            authority=authority,
            list=code,
            program=program,
            listed_on=listed_on,
            citation=citation,
            source_url=source_url,
            record_id=record_id,
            feeds=(spec_name,),
            details=frozen_details,
        )
        for program in programs
    )

    countries: list[str] = []
    for c in (
        [a.country for a in rec.addresses]
        + [_country(x) for x in rec.citizenships + rec.nationalities]
        + facts.countries
    ):
        if c and c not in countries:
            countries.append(c)
    if ofac and rec.entity_number:
        merge_key: str | None = f"ofac:{rec.entity_number}"
    else:
        # trade.gov's own _id is the same in the CSV and the JSON export of one snapshot.
        merge_key = f"csl:{rec.uid}" if rec.uid else None
    return Party(
        id=f"{spec_name}:{record_id}",
        type=_TYPES.get(rec.type.strip().lower(), PartyType.UNKNOWN),
        names=_names(rec, ofac),
        listings=listings,
        addresses=tuple(dict.fromkeys(rec.addresses)),
        countries=tuple(countries),
        identifiers=tuple(identifiers),
        birth_dates=tuple(parse_birth_dates(rec.dates_of_birth)),
        remarks=clean(rec.remarks) or None,
        merge_key=merge_key,
    )
