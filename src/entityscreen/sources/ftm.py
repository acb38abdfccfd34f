"""FollowTheMoney (FtM) entities as JSON lines: the OpenSanctions bulk export format.

File: ``entities.ftm.json``, one JSON object per line::

    {"id": "NK-...", "schema": "Person", "caption": "...", "properties": {"name": [...], ...},
     "datasets": ["eu_fsf"], "referents": ["ofac-46001", ...], "target": true, ...}

What becomes what:

- ``Person``, ``Company``, ``Organization``, ``PublicBody``, ``LegalEntity``, ``Vessel`` and
  ``Airplane`` entities become parties.
- ``Sanction`` entities (``entity`` -> the sanctioned party) become that party's listings
  (authority, program, listingDate/startDate, sourceUrl). A party with no Sanction gets one
  listing per ``program``/``programId`` value (else one, program = its topics) with authority
  ``"OpenSanctions dataset <dataset>"`` and list = its first dataset.
- ``Address`` entities are joined to the parties that point at them (``addressEntity``), and
  ``Passport``/``Identification`` entities with a number to their ``holder``.
- Everything else (``Ownership``, ``Directorship``, ``Family``, ``Passport``, ...) is not a party
  and is skipped; :func:`schema_counts` counts every schema and :func:`iter_relations` yields
  the ``Ownership`` (or any other) relation entities for features that need them.

The file states no publication date, so :func:`published` returns None. Licence: as the
dataset states; OpenSanctions data is CC BY-NC 4.0, so the data is never bundled.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, Listing, Name, NameKind, Party, PartyType
from entityscreen.sources import SourceSpec
from entityscreen.sources.common import country_code, script_of

__all__ = ["SOURCES", "iter_relations", "parse", "published", "schema_counts"]

log = logging.getLogger(__name__)

NAME = "ftm"
FILE = "entities.ftm.json"
URL = "https://data.opensanctions.org/datasets/latest/default/entities.ftm.json"
_FIX = "is this a FollowTheMoney entities.ftm.json export (one JSON object per line)?"

PARTY_SCHEMAS = {
    "Person": PartyType.PERSON,
    "Company": PartyType.ORGANIZATION,
    "Organization": PartyType.ORGANIZATION,
    "PublicBody": PartyType.ORGANIZATION,
    "LegalEntity": PartyType.UNKNOWN,  # FtM's "person or organization, not known which"
    "Vessel": PartyType.VESSEL,
    "Airplane": PartyType.AIRCRAFT,
}
# FtM property -> (identifier type, issuing country when the property implies one).
_IDENTIFIERS: dict[str, tuple[str, str | None]] = {
    "registrationNumber": ("Registration Number", None),
    "idNumber": ("ID Number", None),
    "passportNumber": ("Passport", None),
    "taxNumber": ("Tax Number", None),
    "vatCode": ("VAT", None),
    "innCode": ("INN", "RU"),
    "ogrnCode": ("OGRN", "RU"),
    "kppCode": ("KPP", "RU"),
    "okpoCode": ("OKPO", "RU"),
    "bikCode": ("BIK", "RU"),
    "isin": ("ISIN", None),
    "isinCode": ("ISIN", None),
    "leiCode": ("LEI", None),
    "swiftBic": ("SWIFT/BIC", None),
    "dunsCode": ("D-U-N-S Number", None),
    "uniqueEntityId": ("SAM UEI", "US"),
    "imoNumber": ("IMO", None),
    "mmsi": ("MMSI", None),
    "callSign": ("Call Sign", None),
    "serialNumber": ("Serial Number", None),
}
# Identity-document entities (holder -> party): schema -> identifier type (None: use "type").
_DOCUMENTS: dict[str, str | None] = {"Passport": "Passport", "Identification": None}
_NAME_PROPS = (
    ("name", NameKind.ALIAS),  # the primary name is chosen among these (the caption)
    ("alias", NameKind.ALIAS),
    ("abbreviation", NameKind.ALIAS),
    ("weakAlias", NameKind.WEAK_ALIAS),
    ("previousName", NameKind.FORMER),
)
_COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_OFAC_REF = re.compile(r"ofac-(\d+)")


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    if not data.strip():
        raise SourceFormatError(FILE, "the file is empty", fix="download it again")
    for lineno, raw in enumerate(io.BytesIO(data), start=1):
        if raw.strip():
            yield lineno, raw


def _entity(raw: bytes, lineno: int) -> dict[str, Any]:
    try:
        obj = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        detail = (
            f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else exc
        )
        raise SourceFormatError(FILE, f"not valid JSON ({detail})", line=lineno, fix=_FIX) from None
    if (
        not isinstance(obj, dict)
        or not isinstance(obj.get("schema"), str)
        or not isinstance(obj.get("id"), str)
        or not obj["id"]
    ):
        raise SourceFormatError(
            FILE, "not a FollowTheMoney entity (no 'id' or 'schema')", line=lineno, fix=_FIX
        )
    # Type checks up front, so that nothing below meets a number where it expects a string.
    props = obj.get("properties", {})
    if not isinstance(props, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in props.values()
    ):
        raise SourceFormatError(
            FILE, "'properties' must map names to lists of strings", line=lineno,
            record=obj["id"], field="properties", fix=_FIX,
        )  # fmt: skip
    for key in ("referents", "datasets"):
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise SourceFormatError(
                FILE, "must be a list of strings", line=lineno, record=obj["id"], field=key,
                fix=_FIX,
            )  # fmt: skip
    if not isinstance(obj.get("caption", ""), str | None):
        raise SourceFormatError(
            FILE, "must be a string", line=lineno, record=obj["id"], field="caption", fix=_FIX
        )
    return obj


def _data(files: Mapping[str, bytes]) -> bytes:
    if FILE not in files:
        raise SourceFormatError(FILE, "missing from the file set", fix=f"download {URL}")
    return files[FILE]


def _scan(data: bytes, schemas: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Entities of the given schemas, parsing only lines that can hold them (fast pre-filter)."""
    wanted = set(schemas)
    needles = [f'"{s}"'.encode() for s in wanted]
    for lineno, raw in _lines(data):
        if any(n in raw for n in needles):
            obj = _entity(raw, lineno)
            if obj["schema"] in wanted:
                yield lineno, obj


def iter_relations(
    files: Mapping[str, bytes], schemas: Iterable[str] = ("Ownership",)
) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """``(schema, properties)`` of each relation entity, e.g. Ownership ``owner``/``asset``.

    The ids in ``owner``/``asset`` are FtM entity ids; the parties built from them have the id
    ``"ftm:<entity id>"``.
    """
    for _, obj in _scan(_data(files), schemas):
        yield obj["schema"], obj.get("properties", {})


def schema_counts(files: Mapping[str, bytes]) -> dict[str, int]:
    """How many entities of each schema the file holds (parties and skipped ones alike)."""
    counts: Counter[str] = Counter()
    for lineno, raw in _lines(_data(files)):
        counts[_entity(raw, lineno)["schema"]] += 1
    return dict(counts)


def published(files: Mapping[str, bytes]) -> str | None:
    """FtM exports state no publication date of their own."""
    _data(files)
    return None


def _first(props: Mapping[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for v in props.get(key, ()):
            if v:
                return str(v)
    return None


def _listing_from_sanction(sanction: dict[str, Any]) -> list[Listing]:
    props = sanction.get("properties", {})
    datasets = sanction.get("datasets") or ["opensanctions"]
    authority = _first(props, "authority") or f"OpenSanctions dataset {datasets[0]}"
    listed_on = _first(props, "listingDate", "startDate")
    details = [
        ("authority_id", _first(props, "authorityId", "unscId")),
        ("effective_date", _first(props, "startDate") if _first(props, "listingDate") else None),
        ("end_date", _first(props, "endDate")),
        ("status", _first(props, "status")),
        ("provisions", "; ".join(props.get("provisions", [])) or None),
    ]
    programs = props.get("program") or props.get("programId") or [None]
    return [
        Listing(
            authority=authority,
            list=datasets[0],
            program=program,
            listed_on=listed_on,
            source_url=_first(props, "sourceUrl", "programUrl"),
            record_id=sanction["id"],
            feeds=(NAME,),
            details=tuple((k, v) for k, v in details if v),
        )
        for program in programs
    ]


def _default_listings(obj: dict[str, Any]) -> list[Listing]:
    """Listings for a party no Sanction entity points at: one per program of its dataset."""
    props = obj.get("properties", {})
    dataset = (obj.get("datasets") or ["opensanctions"])[0]
    topics = ", ".join(props.get("topics", [])) or None
    programs = props.get("program") or props.get("programId") or [topics]
    return [
        Listing(
            authority=f"OpenSanctions dataset {dataset}",
            list=dataset,
            program=program,
            # createdAt is when the source first listed a target; for a mere related entity
            # (target false, e.g. a company from a registry) it is no listing date.
            listed_on=_first(props, "createdAt") if obj.get("target") else None,
            source_url=_first(props, "sourceUrl"),
            record_id=obj["id"],
            feeds=(NAME,),
            details=(("target", "true" if obj.get("target") else "false"),),
        )
        for program in programs
    ]


def _script(value: str) -> str | None:
    script = script_of(value)
    return None if script == "Latin" else script


def _names(obj: dict[str, Any]) -> tuple[Name, ...]:
    props = obj.get("properties", {})
    caption = obj.get("caption")
    primary = caption if caption and caption != obj.get("schema") else _first(props, "name")
    names: dict[str, Name] = {}
    if primary:
        names[primary] = Name(primary, NameKind.PRIMARY, _script(primary))
    for prop, kind in _NAME_PROPS:
        for value in props.get(prop, ()):
            if value and value not in names:
                names[value] = Name(value, kind, _script(value))
    return tuple(names.values())


def _country(value: str) -> str | None:
    if len(value) == 2 and value.isalpha():
        return None if value.lower() == "zz" else value.upper()  # "zz": global / unknown
    return country_code(value)


def _merge_key(obj: dict[str, Any]) -> str | None:
    # OpenSanctions keeps each source record's id as a referent; "ofac-46001" is OFAC entity
    # number 46001. Only an unambiguous single number is used to merge with OFAC feeds.
    nums = {
        m.group(1) for r in [obj["id"], *obj.get("referents", [])] if (m := _OFAC_REF.fullmatch(r))
    }
    return f"ofac:{nums.pop()}" if len(nums) == 1 else None


def _party(
    obj: dict[str, Any],
    sanctions: list[dict[str, Any]],
    addresses: Mapping[str, tuple[str, str | None]],
    documents: list[Identifier],
) -> Party | None:
    props: dict[str, list[str]] = obj.get("properties", {})
    names = _names(obj)
    if not names:
        return None
    listings = [lst for s in sanctions for lst in _listing_from_sanction(s)]
    countries = [c for p in _COUNTRY_PROPS for v in props.get(p, ()) if (c := _country(v))]
    addrs = [Address(text) for text in props.get("address", []) if text]
    for ref in props.get("addressEntity", []):
        if ref in addresses:
            text, country = addresses[ref]
            addrs.append(Address(text, country))
            if country:
                countries.append(country)
    identifiers = [
        Identifier(kind, value, country)
        for prop, (kind, country) in _IDENTIFIERS.items()
        for value in props.get(prop, [])
        if value
    ]
    identifiers.extend(documents)
    notes = [n for n in props.get("notes", []) if n]
    return Party(
        id=f"{NAME}:{obj['id']}",
        type=PARTY_SCHEMAS[obj["schema"]],
        names=names,
        listings=tuple(dict.fromkeys(listings or _default_listings(obj))),
        addresses=tuple({a.text: a for a in addrs}.values()),
        countries=tuple(dict.fromkeys(countries)),
        identifiers=tuple(dict.fromkeys(identifiers)),
        birth_dates=tuple(
            dict.fromkeys(d for d in props.get("birthDate", []) if _ISO_DATE.fullmatch(d))
        ),
        remarks="\n".join(notes) or None,
        merge_key=_merge_key(obj),
    )


def parse(files: Mapping[str, bytes]) -> Iterator[Party]:
    """Parties in file order; Sanction and Address entities are read in a first, filtered pass."""
    data = _data(files)
    sanctions: dict[str, list[dict[str, Any]]] = {}
    addresses: dict[str, tuple[str, str | None]] = {}
    documents: dict[str, list[Identifier]] = {}
    read_first: set[int] = set()
    for lineno, obj in _scan(data, ("Sanction", "Address", *_DOCUMENTS)):
        read_first.add(lineno)
        props = obj.get("properties", {})
        if obj["schema"] == "Sanction":
            for target in props.get("entity", []):
                sanctions.setdefault(target, []).append(obj)
        elif obj["schema"] in _DOCUMENTS:
            number = _first(props, "number", "passportNumber")
            if number:
                kind = _DOCUMENTS[obj["schema"]] or _first(props, "type") or "ID Number"
                country = next((c for v in props.get("country", []) if (c := _country(v))), None)
                for holder in props.get("holder", []):
                    documents.setdefault(holder, []).append(Identifier(kind, number, country))
        else:
            text = _first(props, "full") or obj.get("caption")
            if text:
                country = next((c for v in props.get("country", []) if (c := _country(v))), None)
                for key in [obj["id"], *obj.get("referents", [])]:
                    addresses[key] = (text, country)
    skipped: Counter[str] = Counter()
    for lineno, raw in _lines(data):
        if lineno in read_first:
            continue
        obj = _entity(raw, lineno)
        schema = obj["schema"]
        if schema not in PARTY_SCHEMAS:
            skipped[schema] += 1
            continue
        party = _party(obj, sanctions.get(obj["id"], []), addresses, documents.get(obj["id"], []))
        if party is None:
            skipped[f"{schema} without a name"] += 1
            continue
        yield party
    log.info("ftm: skipped entities that are not parties: %s", dict(skipped))


SOURCES = (
    SourceSpec(
        name=NAME,
        title="FollowTheMoney entities (OpenSanctions bulk export)",
        publisher="OpenSanctions (or any FollowTheMoney producer)",
        urls={FILE: URL},
        parse=parse,
        published=published,
        file_aliases={"entities.ftm.jsonl": FILE},
        licence="as the dataset states (OpenSanctions data: CC BY-NC 4.0)",
        redistributable=False,
    ),
)
