"""OFAC legacy XML: SDN.XML and consolidated.xml (namespace ``http://tempuri.org/sdnList.xsd``).

One ``<sdnList>`` with ``<publshInformation>`` (sic: ``Publish_Date`` as MM/DD/YYYY and
``Record_Count``) and one ``<sdnEntry>`` per party: ``uid`` (the entity number, same as the
CSV's ``ent_num``), ``lastName``/``firstName``, ``sdnType``, ``programList``, ``idList``
(documents, but also dated facts such as ``Listing Date (CMIC)`` and directive notes),
``akaList`` (``category`` strong/weak), ``addressList``, ``nationalityList``,
``citizenshipList``, ``dateOfBirthList``, ``placeOfBirthList``, ``vesselInfo`` and
``remarks`` (what is left over).

Names are written as in the CSV (``LAST, First``) and addresses are joined the CSV's way, so
the same record from both formats merges cleanly. Which non-SDN list a consolidated record is
on is decided as for the CSV (see :mod:`entityscreen.sources.ofac_common`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, Name, NameKind, Party, PartyType
from entityscreen.sources import Files, SourceSpec
from entityscreen.sources.ofac_common import (
    build_party,
    check_list_kind,
    party_type,
    split_programs,
)
from entityscreen.sources.ofac_remarks import (
    Facts,
    add_typed,
    make_name,
    ofac_country,
    parse_dob,
    parse_remarks,
)

__all__ = ["SOURCES", "parse_cons", "parse_sdn", "published_cons", "published_sdn"]

_SDN_FILE = "SDN.XML"
_CONS_FILE = "consolidated.xml"
_SDN_URL = "https://www.treasury.gov/ofac/downloads/sdn.xml"
_CONS_URL = "https://www.treasury.gov/ofac/downloads/consolidated/consolidated.xml"
_NAMESPACE = "http://tempuri.org/sdnList.xsd"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(data: bytes, file: str) -> Iterator[tuple[str, Element]]:
    """``iterparse`` events, with every parser failure turned into a SourceFormatError."""
    if not data.strip():
        raise SourceFormatError(file, "the file is empty", fix="download it again")
    try:
        yield from iterparse(io.BytesIO(data), events=("start", "end"))
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceFormatError(
            file,
            f"malformed XML ({exc.msg})",
            line=line,
            fix="the file looks truncated or damaged; download it again",
        ) from None
    except DefusedXmlException as exc:
        raise SourceFormatError(
            file,
            f"refused unsafe XML ({type(exc).__name__})",
            fix="OFAC's files declare no DTD or entities; is this the publisher's file?",
        ) from None


def _check_root(elem: Element, file: str) -> str:
    """The namespace prefix (``{...}``) of an OFAC legacy XML root, or an error naming it."""
    if _local(elem.tag) != "sdnList":
        hint = "is this OFAC's legacy SDN.XML / consolidated.xml?"
        if _local(elem.tag) == "Sanctions":
            hint = "this is sdn_advanced.xml (the advanced schema), not the legacy SDN.XML"
        raise SourceFormatError(
            file, f"root element is <{_local(elem.tag)}>, not <sdnList>", fix=hint
        )
    return elem.tag[: elem.tag.index("}") + 1] if elem.tag.startswith("{") else ""


class _Entry:
    """Namespace-aware accessors for one ``<sdnEntry>``."""

    def __init__(self, elem: Element, ns: str) -> None:
        self.elem = elem
        self.ns = ns

    def text(self, elem: Element, name: str) -> str | None:
        child = elem.find(self.ns + name)
        if child is None or child.text is None:
            return None
        value = child.text.strip()
        return value or None

    def items(self, list_name: str, item_name: str) -> list[Element]:
        return self.elem.findall(f"{self.ns}{list_name}/{self.ns}{item_name}")


def _full_name(entry: _Entry, elem: Element) -> str | None:
    last, first = entry.text(elem, "lastName"), entry.text(elem, "firstName")
    if last and first:
        return f"{last}, {first}"
    return last or first


def _address(entry: _Entry, elem: Element) -> Address | None:
    t = entry.text
    street = ", ".join(
        p for p in (t(elem, "address1"), t(elem, "address2"), t(elem, "address3")) if p
    )
    place = ", ".join(p for p in (t(elem, "city"), t(elem, "stateOrProvince")) if p)
    postal = t(elem, "postalCode")
    if postal:
        place = f"{place} {postal}" if place else postal
    country = t(elem, "country")
    parts = [p for p in (street, place, country) if p]
    if not parts:
        return None
    return Address(", ".join(parts), ofac_country(country))


def _aka_kind(entry: _Entry, elem: Element) -> NameKind:
    kind = (entry.text(elem, "type") or "").lower()
    if kind.startswith("f.k.a"):
        return NameKind.FORMER
    if (entry.text(elem, "category") or "").lower() == "weak":
        return NameKind.WEAK_ALIAS
    return NameKind.ALIAS


@dataclass(frozen=True, slots=True)
class _Head:
    uid: str
    name: str
    type: PartyType
    programs: list[str]


def _read_entry(entry: _Entry, file: str, index: int) -> _Head:
    """The fields of one entry, checked; errors name the uid (or the entry's position)."""
    e = entry.elem
    uid = entry.text(e, "uid")
    where = uid or f"#{index}"
    if not uid or not uid.isdigit():
        raise SourceFormatError(
            file,
            f"missing or bad <uid> {uid!r}",
            record=where,
            field="uid",
            fix="download it again",
        )
    name = _full_name(entry, e)
    if not name:
        raise SourceFormatError(
            file, "no name", record=uid, field="lastName", fix="download it again"
        )
    ptype = party_type(entry.text(e, "sdnType"))
    if ptype is None:
        raise SourceFormatError(
            file,
            f"unknown sdnType {entry.text(e, 'sdnType')!r}",
            record=uid,
            field="sdnType",
            fix="is this OFAC's legacy XML?",
        )
    programs: list[str] = []
    for p in entry.items("programList", "program"):
        programs.extend(split_programs(p.text or ""))
    if not programs:
        raise SourceFormatError(
            file, "no program", record=uid, field="programList", fix="download it again"
        )
    return _Head(uid, name, ptype, list(dict.fromkeys(programs)))


def _party(entry: _Entry, head: _Head, *, feed: str, consolidated: bool, url: str) -> Party:
    t = entry.text
    facts = Facts()
    names: list[Name] = [make_name(head.name, NameKind.PRIMARY)]
    for aka in entry.items("akaList", "aka"):
        value = _full_name(entry, aka)
        if value:
            names.append(make_name(value, _aka_kind(entry, aka)))
    for ident in entry.items("idList", "id"):
        id_type, number = t(ident, "idType"), t(ident, "idNumber")
        if id_type and number:
            add_typed(facts, id_type, number, t(ident, "idCountry"))
    for dob in entry.items("dateOfBirthList", "dateOfBirthItem"):
        for d in parse_dob(t(dob, "dateOfBirth") or ""):
            if d not in facts.birth_dates:
                facts.birth_dates.append(d)
    for pob in entry.items("placeOfBirthList", "placeOfBirthItem"):
        place = t(pob, "placeOfBirth")
        if place and place not in facts.birth_places:
            facts.birth_places.append(place)
    for list_name, item in (("nationalityList", "nationality"), ("citizenshipList", "citizenship")):
        for elem in entry.items(list_name, item):
            facts.add_country(ofac_country(t(elem, "country")))
    countries: list[str] = []
    vessel = entry.elem.find(entry.ns + "vesselInfo")
    if vessel is not None:
        call_sign = t(vessel, "callSign")
        if call_sign:
            facts.add_identifier(Identifier("Call Sign", call_sign))
        flag = ofac_country(t(vessel, "vesselFlag"))
        if flag:
            countries.append(flag)  # a vessel's flag state
    remarks = t(entry.elem, "remarks")
    parse_remarks(remarks, facts)
    addresses = [
        a for a in (_address(entry, x) for x in entry.items("addressList", "address")) if a
    ]
    return build_party(
        feed=feed,
        consolidated=consolidated,
        record_id=head.uid,
        ptype=head.type,
        names=names,
        programs=head.programs,
        facts=facts,
        addresses=addresses,
        countries=countries,
        remarks=remarks,
        url=url,
    )


def _parse(
    files: Mapping[str, bytes], file: str, feed: str, url: str, consolidated: bool
) -> Iterator[Party]:
    if file not in files:
        raise SourceFormatError(file, "missing from the file set", fix="download it again")
    ns = ""
    count: int | None = None
    heads: list[_Head] = []
    parties: list[Party] = []
    root: Element | None = None
    for event, elem in _events(files[file], file):
        if root is None:
            root = elem
            ns = _check_root(elem, file)
            continue
        if event != "end":
            continue
        tag = _local(elem.tag)
        if tag == "Record_Count":
            text = (elem.text or "").strip()
            count = int(text) if text.isdigit() else None
        elif tag == "sdnEntry":
            entry = _Entry(elem, ns)
            head = _read_entry(entry, file, len(heads) + 1)
            heads.append(head)
            parties.append(_party(entry, head, feed=feed, consolidated=consolidated, url=url))
            root.remove(elem)  # parties are far smaller than their elements; keep memory flat
    if not parties:
        raise SourceFormatError(file, "no <sdnEntry> records", fix="is the file truncated?")
    if count is not None and count != len(parties):
        raise SourceFormatError(
            file,
            f"Record_Count says {count} records but the file holds {len(parties)}",
            fix="the file looks truncated or damaged; download it again",
        )
    check_list_kind(file, consolidated, (h.programs for h in heads))
    yield from parties


def _published(files: Mapping[str, bytes], file: str) -> str | None:
    if file not in files:
        raise SourceFormatError(file, "missing from the file set", fix="download it again")
    root: Element | None = None
    for event, elem in _events(files[file], file):
        if root is None:
            root = elem
            _check_root(elem, file)
        elif event == "end" and _local(elem.tag) == "Publish_Date":
            m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", (elem.text or "").strip())
            if m is None:
                raise SourceFormatError(
                    file,
                    f"Publish_Date {elem.text!r} is not MM/DD/YYYY",
                    field="Publish_Date",
                    fix="is this OFAC's legacy XML?",
                )
            month, day, year = (int(g) for g in m.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                raise SourceFormatError(
                    file, f"Publish_Date {elem.text!r} is not a date", field="Publish_Date"
                ) from None
        elif event == "start" and _local(elem.tag) == "sdnEntry":
            break  # publshInformation comes first; do not read the whole file
    return None


def parse_sdn(files: Files) -> Iterator[Party]:
    """Parties of the SDN list from SDN.XML."""
    return _parse(files, _SDN_FILE, "ofac_sdn_xml", _SDN_URL, False)


def parse_cons(files: Files) -> Iterator[Party]:
    """Parties of the Consolidated Non-SDN List from consolidated.xml."""
    return _parse(files, _CONS_FILE, "ofac_cons_xml", _CONS_URL, True)


def published_sdn(files: Files) -> str | None:
    """``publshInformation/Publish_Date`` of SDN.XML as an ISO date."""
    return _published(files, _SDN_FILE)


def published_cons(files: Files) -> str | None:
    """``publshInformation/Publish_Date`` of consolidated.xml as an ISO date."""
    return _published(files, _CONS_FILE)


def _spec(
    name: str,
    title: str,
    file: str,
    url: str,
    parse: Callable[[Files], Iterator[Party]],
    published: Callable[[Files], str | None],
) -> SourceSpec:
    return SourceSpec(
        name=name,
        title=title,
        publisher="US Treasury OFAC",
        urls={file: url},
        parse=parse,
        published=published,
    )


SOURCES = (
    _spec(
        "ofac_sdn_xml",
        "OFAC Specially Designated Nationals (SDN) list (XML)",
        _SDN_FILE,
        _SDN_URL,
        parse_sdn,
        published_sdn,
    ),
    _spec(
        "ofac_cons_xml",
        "OFAC Consolidated Non-SDN List (XML)",
        _CONS_FILE,
        _CONS_URL,
        parse_cons,
        published_cons,
    ),
)
