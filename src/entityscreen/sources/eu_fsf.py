"""EU Financial Sanctions Files (FSF), XML 1.1: the consolidated list of persons, groups and
entities subject to EU financial sanctions.

File: ``xmlFullSanctionsList_1_1.xml`` (namespace ``http://eu.europa.ec/fpi/fsd/export``)::

    <export generationDate="2020-04-15T15:29:22.497+02:00" globalFileId="123465">
      <sanctionEntity logicalId="5295" euReferenceNumber="EU.2026.82" designationDate="...">
        <regulation programme="TAQA" numberTitle="2019/555 (OJ L97)" publicationDate="...">
          <publicationUrl>https://eur-lex.europa.eu/...</publicationUrl></regulation>
        <subjectType code="person"/>
        <nameAlias wholeName="..." strong="true" nameLanguage="" .../>
        <citizenship countryIso2Code="DZ"/> <birthdate birthdate="1965-12-12" year="1965"/>
        <identification number="..." identificationTypeCode="passport"/> <address .../>
      </sanctionEntity> ...

Each ``sanctionEntity`` becomes a Party (id ``eu_fsf:<logicalId>``) with one Listing per
regulation programme (``TAQA``, ``PRK``, ``UKR`` ...): listed_on = designationDate (else the
regulation's publication date), citation = the regulation's number/title, source_url = its
publication URL. Two ``sanctionEntity`` elements with the same logicalId are one record and
are merged. :func:`published` is ``export/@generationDate``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Mapping
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from entityscreen.errors import SourceFormatError
from entityscreen.model import (
    Address,
    Identifier,
    Listing,
    Name,
    NameKind,
    Party,
    PartyType,
    merge_parties,
)
from entityscreen.sources import SourceSpec
from entityscreen.sources.common import iso_date, script_of

__all__ = ["SOURCES", "parse", "published"]

log = logging.getLogger(__name__)

NAME = "eu_fsf"
FILE = "xmlFullSanctionsList_1_1.xml"
URL = (
    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
    "?token=n002q6ze"
)
NS = "http://eu.europa.ec/fpi/fsd/export"
AUTHORITY = "European Union"
LIST = "EU"
_FIX = "is this the EU Financial Sanctions Files XML 1.1 (xmlFullSanctionsList_1_1.xml)?"

_TYPES = {
    "person": PartyType.PERSON,
    "enterprise": PartyType.ORGANIZATION,
    "vessel": PartyType.VESSEL,
    "aircraft": PartyType.AIRCRAFT,
}
_ID_TYPES = {"passport": "Passport", "id": "National ID", "regnumber": "Registration Number"}
_NO_COUNTRY = {"", "00"}  # FSF writes countryIso2Code="00" with countryDescription="UNKNOWN"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _events(data: bytes, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    """iterparse that turns every XML failure into a SourceFormatError with the line."""
    if not data.strip():
        raise SourceFormatError(FILE, "the file is empty", fix="download it again")
    try:
        yield from iterparse(io.BytesIO(data), events=events)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SourceFormatError(FILE, f"malformed XML ({exc})", line=line, fix=_FIX) from None
    except DefusedXmlException as exc:
        raise SourceFormatError(FILE, f"forbidden XML construct ({exc})", fix=_FIX) from None


def _check_root(elem: Element) -> None:
    if _local(elem.tag) != "export":
        raise SourceFormatError(
            FILE, f"root element is <{_local(elem.tag)}>, not <export>", fix=_FIX
        )


def _data(files: Mapping[str, bytes]) -> bytes:
    if FILE not in files:
        raise SourceFormatError(FILE, "missing from the file set", fix=f"download {URL}")
    return files[FILE]


def published(files: Mapping[str, bytes]) -> str | None:
    """``export/@generationDate`` as an ISO date (``2020-04-15T15:29:22+02:00`` -> day)."""
    for _, elem in _events(_data(files), ("start",)):
        _check_root(elem)
        return iso_date(elem.get("generationDate"))
    return None


def _children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if _local(c.tag) == name]


def _attr(elem: Element, name: str) -> str:
    return (elem.get(name) or "").strip()


def _names(entity: Element, record: str) -> tuple[Name, ...]:
    found: list[tuple[str, bool, str | None]] = []
    for alias in _children(entity, "nameAlias"):
        value = _attr(alias, "wholeName") or " ".join(
            p for p in (_attr(alias, k) for k in ("firstName", "middleName", "lastName")) if p
        )
        if value:
            strong = _attr(alias, "strong").lower() != "false"
            found.append((value, strong, _attr(alias, "nameLanguage").lower() or None))
    if not found:
        raise SourceFormatError(
            FILE, "no name", record=record, field="nameAlias/@wholeName", fix=_FIX
        )
    # The first strong alias is the primary name; weak ("strong=false") ones are weak aliases.
    primary = next((v for v, strong, _ in found if strong), found[0][0])
    names: dict[str, Name] = {}
    for value, strong, lang in sorted(found, key=lambda f: f[0] != primary):
        if value in names:
            continue
        kind = (
            NameKind.PRIMARY
            if value == primary
            else (NameKind.ALIAS if strong else NameKind.WEAK_ALIAS)
        )
        script = script_of(value)
        names[value] = Name(value, kind, None if script == "Latin" else script, lang)
    return tuple(names.values())


def _birth(elem: Element) -> str | None:
    full = iso_date(_attr(elem, "birthdate"))
    if full:
        return full
    year, month = _attr(elem, "year"), _attr(elem, "monthOfYear")
    if not year.isdigit():
        return None
    if month.isdigit() and 1 <= int(month) <= 12:
        day = _attr(elem, "dayOfMonth")
        if day.isdigit():
            return iso_date(f"{year}-{int(month):02d}-{int(day):02d}") or f"{year}-{int(month):02d}"
        return f"{year}-{int(month):02d}"
    return year


def _country(elem: Element) -> str | None:
    code = _attr(elem, "countryIso2Code").upper()
    return None if code in _NO_COUNTRY else code


def _address(elem: Element) -> Address | None:
    keys = ("street", "poBox", "zipCode", "city", "place", "region")
    parts = [p for p in (_attr(elem, k) for k in keys) if p]
    description = _attr(elem, "countryDescription")
    if description and description.upper() != "UNKNOWN":
        parts.append(description)
    if not parts:
        return None
    return Address(", ".join(parts), _country(elem))


def _identifier(elem: Element) -> Identifier | None:
    number = _attr(elem, "number") or _attr(elem, "latinNumber")
    if not number:
        return None
    code = _attr(elem, "identificationTypeCode")
    kind = _ID_TYPES.get(code) or _attr(elem, "identificationTypeDescription") or code or "ID"
    return Identifier(kind, number, _country(elem))


def _listings(entity: Element, ref: str | None) -> tuple[Listing, ...]:
    designated = iso_date(_attr(entity, "designationDate"))
    by_programme: dict[str | None, Listing] = {}
    for reg in _children(entity, "regulation") or [Element("regulation")]:
        programme = _attr(reg, "programme") or None
        if programme in by_programme:
            continue
        url = next((u.text.strip() for u in _children(reg, "publicationUrl") if u.text), None)
        details = [
            ("effective_date", iso_date(_attr(reg, "entryIntoForceDate"))),
            ("regulation_type", _attr(reg, "regulationType") or None),
        ]
        by_programme[programme] = Listing(
            authority=AUTHORITY,
            list=LIST,
            program=programme,
            listed_on=designated or iso_date(_attr(reg, "publicationDate")),
            citation=_attr(reg, "numberTitle") or None,
            source_url=url,
            record_id=ref,
            feeds=(NAME,),
            details=tuple((k, v) for k, v in details if v),
        )
    return tuple(by_programme.values())


def _party(entity: Element) -> Party:
    logical_id = _attr(entity, "logicalId")
    ref = _attr(entity, "euReferenceNumber") or None
    record = logical_id or ref
    if not record:
        raise SourceFormatError(
            FILE, "sanctionEntity without logicalId or euReferenceNumber", field="logicalId",
            fix=_FIX,
        )  # fmt: skip
    subjects = _children(entity, "subjectType")
    code = _attr(subjects[0], "code").lower() if subjects else ""
    ptype = _TYPES.get(code, PartyType.UNKNOWN)
    countries = [c for x in _children(entity, "citizenship") if (c := _country(x))]
    addresses = [a for x in _children(entity, "address") if (a := _address(x))]
    countries += [a.country for a in addresses if a.country]
    identifiers = [i for x in _children(entity, "identification") if (i := _identifier(x))]
    if ref:
        identifiers.insert(0, Identifier("EU Reference Number", ref))
    if un_id := _attr(entity, "unitedNationId"):
        identifiers.append(Identifier("UN Ref", un_id))
    remarks = [_attr(entity, "designationDetails")]
    remarks += [(r.text or "").strip() for r in entity.iter() if _local(r.tag) == "remark"]
    return Party(
        id=f"{NAME}:{record}",
        type=ptype,
        names=_names(entity, record),
        listings=_listings(entity, ref),
        addresses=tuple(dict.fromkeys(addresses)),
        countries=tuple(dict.fromkeys(countries)),
        identifiers=tuple(dict.fromkeys(identifiers)),
        birth_dates=tuple(
            dict.fromkeys(b for x in _children(entity, "birthdate") if (b := _birth(x)))
        ),
        remarks="\n".join(dict.fromkeys(r for r in remarks if r)) or None,
    )


def parse(files: Mapping[str, bytes]) -> Iterator[Party]:
    """One Party per sanctionEntity logicalId, in file order."""
    parties: dict[str, list[Party]] = {}
    root_seen = False
    for event, elem in _events(_data(files), ("start", "end")):
        if not root_seen:
            _check_root(elem)
            root_seen = True
            continue
        if event == "end" and _local(elem.tag) == "sanctionEntity":
            party = _party(elem)
            parties.setdefault(party.id, []).append(party)
            elem.clear()  # keep memory flat on the ~25 MB full file
    if not parties:
        raise SourceFormatError(FILE, "no <sanctionEntity> in the file", fix=_FIX)
    for pid, group in parties.items():
        if len(group) > 1:
            log.info("eu_fsf: %d sanctionEntity elements share the id %s; merged", len(group), pid)
        yield merge_parties(group)


SOURCES = (
    SourceSpec(
        name=NAME,
        title="EU Financial Sanctions Files (consolidated list, XML 1.1)",
        publisher="European Commission, FPI (Financial Sanctions Database)",
        urls={FILE: URL},
        parse=parse,
        published=published,
        licence="EU Commission reuse policy (Decision 2011/833/EU)",
        redistributable=True,
    ),
)
