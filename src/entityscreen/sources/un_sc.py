"""UN Security Council Consolidated List, XML (``consolidated.xml``, schema sc-sanctions.xsd).

``<CONSOLIDATED_LIST dateGenerated=...>`` holds ``INDIVIDUALS/INDIVIDUAL`` and
``ENTITIES/ENTITY``. Each record has a ``REFERENCE_NUMBER`` ("QDi.290", "KPe.001"), the UN's
global id for the listing (UK and EU lists cite it), used as record id, and a ``UN_LIST_TYPE``
naming the sanctions regime ("Al-Qaida", "DPRK", "Taliban" ...), used as program.

Mapping:

- Person names: FIRST_NAME .. FOURTH_NAME joined with spaces in the UN's order (the UN puts the
  family name wherever the naming custom puts it, so nothing is reordered). Entity: FIRST_NAME.
  A primary that packs two names ("X (CAGL) ; GREAT LAKES BUSINESS COMPANY (GLBC)") is split;
  the rest become aliases.
- ``NAME_ORIGINAL_SCRIPT`` (Arabic, Cyrillic) -> ALIAS with its script.
- ``*_ALIAS``: QUALITY "Good"/"a.k.a."/empty -> ALIAS, "Low" -> WEAK_ALIAS, "f.k.a." ->
  FORMER. The UN packs several names into one alias: "A; B", "A; B b) C; D", and
  "<Arabic> (<Latin>; <Latin>)". These are split into separate names (:func:`split_un_names`);
  a plain parenthetical remark ("Encep Nurjaman (birth name)") is kept as written.
- Birth dates: DATE, YEAR, or every year FROM_YEAR..TO_YEAR ("BETWEEN"), plus the
  DATE_OF_BIRTH the UN gives for an alias identity.
- NATIONALITY and address COUNTRY -> countries; documents -> identifiers; addresses.
- ``remarks``: COMMENTS1, then title, designation, place of birth, gender and documents without
  a number, which the model has no field for.
- Listing: authority "UN Security Council", list "UN", program UN_LIST_TYPE, ``listed_on``
  LISTED_ON, ``last_updated`` the newest LAST_DAY_UPDATED. The reference is also an identifier
  ``Identifier("UN Ref", ...)``, as in the UK and EU lists, and ``merge_key = "un:<reference>"``
  so that a feed carrying the UN reference can opt in to merging with the UN record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, Listing, Name, NameKind, Party, PartyType
from entityscreen.sources import Files, SourceSpec
from entityscreen.sources.common import country_code, script_of

__all__ = ["SOURCES", "URL", "parse", "published", "split_un_names"]

FILE = "consolidated.xml"
URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
AUTHORITY = "UN Security Council"
SOURCE = "un_sc"
_FIX_DOWNLOAD = f"the file is truncated or damaged; download it again from {URL}"

# Country names as the UN writes them that the shared table does not know; None = not a country.
_UN_COUNTRIES: dict[str, str | None] = {
    "state of palestine": "PS",
    "china, hong kong special administrative region": "HK",
    "china, macao special administrative region": "MO",
    "former soviet union": None,
    "former yugoslavia": None,
    "na": None,  # "not available", not Namibia
}
_ALIAS_KINDS = {
    "good": NameKind.ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "f.k.a.": NameKind.FORMER,
}
_LETTER = re.compile(r"(?:^|\s+)[a-z]\)\s+")  # "a) X b) Y" enumerations
# "(original script)" / "original script:" label a name, they are not part of it
_LABEL_TAIL = re.compile(r"\s*\(original script\)$", re.I)
_LABEL_HEAD = re.compile(r"^original script:\s*", re.I)
_ISO_DAY = re.compile(r"(\d{4}-\d\d-\d\d)")
_YEAR = re.compile(r"(1[89]|20)\d\d")


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _text(e: Element, path: str) -> str:
    return _clean(e.findtext(path))


def _values(e: Element, path: str) -> list[str]:
    return [v for v in (_clean(x.text) for x in e.iterfind(path)) if v]


def _country(text: str | None) -> str | None:
    t = _clean(text)
    if not t:
        return None
    low = t.casefold()
    if low in _UN_COUNTRIES:
        return _UN_COUNTRIES[low]
    if len(t) < 4:  # the UN writes full names; a short token is a note, never an ISO code
        return None
    return country_code(t)


def _day(text: str | None) -> str | None:
    """``2014-09-23-04:00`` (a date with a time-zone offset) or ``2012-12-31`` -> ISO day."""
    m = _ISO_DAY.match(_clean(text))
    return m.group(1) if m else None


# --------------------------------------------------------------------------- names


def _split_top(text: str, sep: str = ";") -> list[str]:
    """Split on ``sep`` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _trailing_group(text: str) -> tuple[str, str] | None:
    """``"X (A; B)"`` -> ``("X", "A; B")`` for the last balanced top-level parenthesis."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return text[:i].strip(), text[i + 1 : -1].strip()
    return None


def _latin(text: str) -> bool:
    return script_of(text) in (None, "Latin")


def split_un_names(text: str) -> list[str]:
    """The names one UN alias field holds, in order.

    ``"A; B b) C"`` -> ``[A, B, C]``; ``"حسن غول (Hassan Ghul; Hassan Gul)"`` and
    ``"Abubakar (original script: Абубакар)"`` -> the name and its other-script forms. The
    label "original script" is dropped. A parenthesis that is not a list of names in another
    script (``"Encep Nurjaman (birth name)"``, ``"Leader (Hong Kong) International"``) stays.
    """
    out: list[str] = []
    for piece in _LETTER.split(_clean(text)):
        for raw in _split_top(piece):
            name = _LABEL_TAIL.sub("", _LABEL_HEAD.sub("", raw.rstrip(" ,")))
            group = _trailing_group(name)
            if group and group[0]:
                outer, inner = group[0], _LABEL_HEAD.sub("", group[1])
                if ";" in inner or _latin(outer) != _latin(inner):
                    out.append(outer)
                    out.extend(split_un_names(inner))
                    continue
            out.append(name)
    return [n for n in dict.fromkeys(out) if n]


def _name(value: str, kind: NameKind) -> Name:
    script = None if value.isascii() else script_of(value)
    return Name(value, kind, None if script == "Latin" else script)


def _names(e: Element, person: bool, record: str) -> tuple[Name, ...]:
    parts = (
        ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME") if person else ("FIRST_NAME",)
    )
    full = " ".join(p for p in (_text(e, tag) for tag in parts) if p)
    primaries = _split_top(full)
    if not primaries:
        raise SourceFormatError(
            FILE, "the record has no name", record=record, field="FIRST_NAME",
            fix="is the file complete?",
        )  # fmt: skip
    names: dict[str, Name] = {}
    for i, value in enumerate(primaries):
        names.setdefault(value, _name(value, NameKind.PRIMARY if i == 0 else NameKind.ALIAS))
    original = _text(e, "NAME_ORIGINAL_SCRIPT")
    for value in split_un_names(original) if original else ():
        names.setdefault(value, _name(value, NameKind.ALIAS))
    for alias in e.iterfind("INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"):
        kind = _ALIAS_KINDS.get(_text(alias, "QUALITY").lower(), NameKind.ALIAS)
        for value in split_un_names(_text(alias, "ALIAS_NAME")):
            names.setdefault(value, _name(value, kind))
    return tuple(names.values())


# --------------------------------------------------------------------------- facts


def _birth_dates(e: Element) -> list[str]:
    out: list[str] = []
    for dob in e.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        day, year = _day(dob.findtext("DATE")), _text(dob, "YEAR")
        first, last = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
        if day:
            out.append(day)
        elif _YEAR.fullmatch(year):
            out.append(year)
        elif _YEAR.fullmatch(first) and _YEAR.fullmatch(last):
            y0, y1 = sorted((int(first), int(last)))
            years = range(y0, y1 + 1) if y1 - y0 <= 15 else (y0, y1)
            out.extend(str(y) for y in years)  # a matcher compares years: list them all
    for alias in e.iterfind("INDIVIDUAL_ALIAS"):
        day = _day(alias.findtext("DATE_OF_BIRTH"))
        if day:
            out.append(day)
    return list(dict.fromkeys(out))


def _addresses(e: Element, tag: str) -> list[Address]:
    out: dict[Address, None] = {}
    for a in e.iterfind(tag):
        country = _text(a, "COUNTRY")
        parts = [_text(a, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE")]
        text = ", ".join(p for p in (*parts, country) if p)
        if text:
            out[Address(text, _country(country))] = None
    return list(out)


def _documents(e: Element, notes: list[str]) -> list[Identifier]:
    out: list[Identifier] = []
    for d in e.iterfind("INDIVIDUAL_DOCUMENT"):
        kind = _text(d, "TYPE_OF_DOCUMENT") or _text(d, "TYPE_OF_DOCUMENT2") or "ID"
        number = _text(d, "NUMBER")
        country = _text(d, "ISSUING_COUNTRY") or _text(d, "COUNTRY_OF_ISSUE")
        if number:
            out.append(Identifier(kind, number, _country(country)))
        elif _text(d, "NOTE"):  # the UN wrote the number into the note: keep it readable
            notes.append(f"{kind}: {_text(d, 'NOTE')}")
    return list(dict.fromkeys(out))


def _place_of_birth(e: Element) -> list[str]:
    out = []
    for pob in e.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = [_text(pob, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY", "NOTE")]
        text = ", ".join(p for p in parts if p)
        if text:
            out.append(text)
    return out


def _remarks(e: Element, notes: list[str]) -> str | None:
    parts = [_text(e, "COMMENTS1")]  # whitespace collapsed: the XML is hard-wrapped, indented
    for label, values in (
        ("Title", _values(e, "TITLE/VALUE")),
        ("Designation", _values(e, "DESIGNATION/VALUE")),
        ("POB", _place_of_birth(e)),
        ("Gender", [_text(e, "GENDER")] if _text(e, "GENDER") else []),
    ):
        if values:
            parts.append(f"{label}: {'; '.join(values)}")
    parts.extend(notes)
    return " | ".join(p for p in parts if p) or None


def _party(e: Element, person: bool, index: int) -> Party:
    kind = "INDIVIDUAL" if person else "ENTITY"
    record = _text(e, "REFERENCE_NUMBER")
    if not record:
        dataid = _text(e, "DATAID")
        raise SourceFormatError(
            FILE, "the record has no reference number",
            record=f"DATAID {dataid}" if dataid else f"{kind} #{index}",
            field="REFERENCE_NUMBER", fix="is this the UN's original file?",
        )  # fmt: skip
    names = _names(e, person, record)
    notes: list[str] = []
    # "UN Ref" is how the UK and EU parsers record the UN reference: same identifier here.
    identifiers = [Identifier("UN Ref", record), *(_documents(e, notes) if person else [])]
    addresses = _addresses(e, f"{kind}_ADDRESS")
    countries = [_country(v) for v in _values(e, "NATIONALITY/VALUE")]
    countries += [a.country for a in addresses]
    regime = _text(e, "UN_LIST_TYPE") or None
    updated = sorted(d for d in (_day(v) for v in _values(e, "LAST_DAY_UPDATED/VALUE")) if d)
    listing = Listing(
        authority=AUTHORITY,
        list="UN",
        program=regime,
        listed_on=_day(e.findtext("LISTED_ON")),
        citation=f"UN Security Council {regime or 'consolidated'} sanctions (ref {record})",
        source_url=URL,
        record_id=record,
        feeds=(SOURCE,),
        details=(("last_updated", updated[-1]),) if updated else (),
    )
    return Party(
        id=f"{SOURCE}:{record}",
        type=PartyType.PERSON if person else PartyType.ORGANIZATION,
        names=names,
        listings=(listing,),
        addresses=tuple(addresses),
        countries=tuple(dict.fromkeys(c for c in countries if c)),
        identifiers=tuple(identifiers),
        birth_dates=tuple(_birth_dates(e)) if person else (),
        remarks=_remarks(e, notes),
        merge_key=f"un:{record}",
    )


# --------------------------------------------------------------------------- file


def _root(files: Files) -> Element:
    data = files.get(FILE)
    if data is None:
        raise SourceFormatError(FILE, "the file is missing", fix=f"download {URL}")
    if not data.strip():
        raise SourceFormatError(FILE, "the file is empty", fix=f"download {URL} again")
    if not data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise SourceFormatError(
            FILE, "not an XML file", fix=f"download the UN Security Council list from {URL}"
        )
    try:
        root = DET.fromstring(data)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SourceFormatError(
            FILE, f"malformed XML ({exc.msg})", line=line, fix=_FIX_DOWNLOAD
        ) from None
    except DefusedXmlException as exc:
        raise SourceFormatError(
            FILE, f"unsafe XML refused ({exc})", fix="is this the UN's original file?"
        ) from None
    if root.tag != "CONSOLIDATED_LIST":
        raise SourceFormatError(
            FILE,
            f"not a UN consolidated list (the root element is <{root.tag}>)",
            fix=f"download the UN Security Council list from {URL}",
        )
    return root


def parse(files: Files) -> Iterator[Party]:
    root = _root(files)
    if root.find("INDIVIDUALS") is None and root.find("ENTITIES") is None:
        raise SourceFormatError(
            FILE, "no <INDIVIDUALS> or <ENTITIES> element", fix="is this the UN's XML export?"
        )
    parties = [
        _party(e, person, i)
        for person, path in ((True, "INDIVIDUALS/INDIVIDUAL"), (False, "ENTITIES/ENTITY"))
        for i, e in enumerate(root.iterfind(path), 1)
    ]
    if not parties:
        raise SourceFormatError(FILE, "the list holds no records", fix=_FIX_DOWNLOAD)
    yield from parties


def published(files: Files) -> str | None:
    """``dateGenerated="2026-02-27T00:00:09.554Z"`` -> ``2026-02-27``."""
    return _day(_root(files).get("dateGenerated"))


SOURCES = (
    SourceSpec(
        name=SOURCE,
        title="UN Security Council Consolidated List",
        publisher=AUTHORITY,
        urls={FILE: URL},
        parse=parse,
        published=published,
        file_aliases={"un_consolidated.xml": FILE, "consolidated_un.xml": FILE},
        licence="UN Security Council public document (UN terms of use)",
    ),
)
