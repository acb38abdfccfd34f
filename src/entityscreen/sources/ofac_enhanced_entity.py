"""One ENHANCED_XML ``<entity>`` -> :class:`~entityscreen.model.Party`.

Mapping (see :mod:`.ofac_enhanced` for the file format):

- ``entity/@id`` is the OFAC entity number: record id, ``Party.id = <source>:<id>``,
  ``merge_key = "ofac:<id>"`` (the same number as ``ent_num`` in the legacy CSV/XML).
- ``names/name``: ``isPrimary`` -> PRIMARY, ``A.K.A.``/``N.K.A.`` -> ALIAS, ``F.K.A.`` -> FORMER,
  ``isLowQuality`` (OFAC's "weak a.k.a.") -> WEAK_ALIAS, which wins over F.K.A. because weakness
  is what matters for matching. Every ``translation`` is a name; the non-Latin translations of
  the primary name (e.g. SenseTime's 商湯集團有限公司) become ALIAS. ``Name.script`` comes from the
  file's ``script`` element, mapped to the vocabulary of :func:`script_of` ("Chinese
  Simplified"/"Chinese Traditional" -> "Han" with ``lang="zh"``); Latin stays None, as in the
  legacy OFAC parsers.
- ``features``: Birthdate (its ``valueDate`` when the text is not a plain date) -> birth dates;
  Nationality/Citizenship Country -> countries (ISO codes from the file's own reference values);
  "Listing Date (CMIC)" -> ``listed_on``, "Effective Date (CMIC)" -> ``effective_date``,
  "Purchase/Sales For Divestment Date (CMIC)" -> ``divestment_date`` of the CMIC listing;
  directive dates ("Effective Date (EO 14024 Directive 2):") go to their program's listing under
  qualified keys (``effective_date:EO 14024 Directive 2``). Everything else (ISIN, SWIFT/BIC,
  IMO, digital currency addresses, secondary sanctions risk, ...) and ``identityDocuments``
  (C.R. No., USCC, passports ...) go through :func:`~.ofac_remarks.add_typed`, the rules the
  legacy OFAC parsers use, so the same record reads the same in every OFAC feed.
- ``sanctionsPrograms`` / ``sanctionsLists`` -> listings, see :mod:`.ofac_enhanced_listings`.
- ``remarks``: rebuilt the way OFAC writes the legacy remarks column ("DOB 1962; POB Shati."),
  from the features (with their ``publishDescription``), documents, ``generalInfo/remarks`` and
  relationships ("Linked To: ..."), as the enhanced file has no remarks text of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from xml.etree.ElementTree import Element

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, Listing, Name, NameKind, Party, PartyType
from entityscreen.sources.common import iso_date, script_of
from entityscreen.sources.ofac_enhanced_listings import build_listings
from entityscreen.sources.ofac_remarks import Facts, add_typed, ofac_country

__all__ = ["Context", "entity_party"]

_SCRIPTS: dict[str, tuple[str | None, str | None]] = {
    "latin": (None, None),
    "cyrillic": ("Cyrillic", None),
    "arabic": ("Arabic", None),
    "armenian": ("Armenian", None),
    "georgian": ("Georgian", None),
    "greek": ("Greek", None),
    "hebrew": ("Hebrew", None),
    "hangul": ("Hangul", "ko"),
    "chinese simplified": ("Han", "zh"),
    "chinese traditional": ("Han", "zh"),
}
_LANGS = {"korean": "ko", "japanese": "ja"}
_COUNTRY_FEATURES = {"nationality country", "citizenship country"}
_DATED = re.compile(
    r"^(Listing Date|Effective Date|Purchase/Sales For Divestment Date) \((.+?)\):?$", re.I
)
_DATED_KEYS = {
    "listing date": "listed_on",
    "effective date": "effective_date",
    "purchase/sales for divestment date": "divestment_date",
}
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_NUMBER_COUNTRY = re.compile(r"(.+?)\s*\(([^()]+)\)")
# Address parts in the order OFAC prints them in the legacy files (street, city, state, postal
# code, region); the XML usually has this order already but does not promise it.
_PART_ORDER = {
    "ADDRESS1": 0,
    "ADDRESS2": 1,
    "ADDRESS3": 2,
    "CITY": 3,
    "STATE/PROVINCE": 4,
    "POSTAL CODE": 5,
    "REGION": 6,
}
_TYPES = {
    "individual": PartyType.PERSON,
    "entity": PartyType.ORGANIZATION,
    "vessel": PartyType.VESSEL,
    "aircraft": PartyType.AIRCRAFT,
}


@dataclass
class Context:
    """What the file says before its entities (reference values, feature types)."""

    ns: str
    source: str
    url: str
    label: str
    country_iso: dict[str, str] = field(default_factory=dict)  # referenceValue refId -> ISO
    feature_label: dict[str, str] = field(default_factory=dict)  # featureTypeId -> "DOB"

    def tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def path(self, path: str) -> str:
        return _qualify(self.ns, path)

    def text(self, elem: Element, path: str) -> str:
        return _clean(elem.findtext(self.path(path)))

    def add_reference_value(self, elem: Element) -> None:
        iso = self.text(elem, "isoCode")
        if iso and self.text(elem, "type").upper() == "COUNTRY":
            self.country_iso[elem.get("refId", "")] = iso.upper()

    def add_feature_type(self, elem: Element) -> None:
        label = self.text(elem, "publishDescription") or self.text(elem, "type")
        self.feature_label[elem.get("featureTypeId", "")] = label

    def country(self, elem: Element | None) -> str | None:
        if elem is None:
            return None
        return self.country_iso.get(elem.get("refId", "")) or ofac_country(elem.text)


@cache
def _qualify(ns: str, path: str) -> str:
    return "/".join(f"{{{ns}}}{part}" for part in path.split("/"))


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _texts(e: Element, c: Context, path: str) -> list[str]:
    return [t for t in (_clean(x.text) for x in e.iterfind(c.path(path))) if t]


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() == "true"


# --------------------------------------------------------------------------- names


def _script(raw: str, value: str) -> tuple[str | None, str | None]:
    key = raw.lower()
    if key in _SCRIPTS:
        return _SCRIPTS[key]
    script = script_of(value) or raw or None
    return (None if script == "Latin" else script), _LANGS.get(key)


def _kind(name: Element, c: Context) -> NameKind:
    if _flag(name.findtext(c.path("isPrimary"))):
        return NameKind.PRIMARY
    if _flag(name.findtext(c.path("isLowQuality"))):
        return NameKind.WEAK_ALIAS
    if c.text(name, "aliasType").upper().startswith("F.K.A"):
        return NameKind.FORMER
    return NameKind.ALIAS


def _names(e: Element, c: Context, record: str) -> tuple[Name, ...]:
    elems = e.findall(c.path("names/name"))
    elems.sort(key=lambda n: not _flag(n.findtext(c.path("isPrimary"))))  # stable: primary first
    out: dict[str, Name] = {}
    have_primary = False
    for n in elems:
        kind = _kind(n, c)
        translations = n.findall(c.path("translations/translation"))
        translations.sort(key=lambda t: not _flag(t.findtext(c.path("isPrimary"))))
        for t in translations:
            value = c.text(t, "formattedFullName") or " ".join(
                _texts(t, c, "nameParts/namePart/value")
            )
            if not value or value in out:
                continue
            k = kind
            if k is NameKind.PRIMARY:
                k = NameKind.ALIAS if have_primary else NameKind.PRIMARY
                have_primary = True
            script, lang = _script(c.text(t, "script"), value)
            out[value] = Name(value, k, script, lang)
    if not out:
        raise SourceFormatError(
            c.label, "the entity has no name", record=record, field="names",
            fix="is the file complete? download it again",
        )  # fmt: skip
    names = list(out.values())
    if not have_primary:  # never seen in OFAC's files; keep the model's one-primary promise
        first = names[0]
        names[0] = Name(first.value, NameKind.PRIMARY, first.script, first.lang)
    return tuple(names)


# --------------------------------------------------------------------------- features


def _dates(f: Element, c: Context) -> list[str]:
    """A feature's date(s), from its structured ``valueDate`` span, else from its text.

    ``1962-01-01 .. 1962-12-31`` -> ``1962``; ``1967-03-01 .. 1967-03-31`` -> ``1967-03``; a span
    over several years ("1960 to 1962") -> every year, as a matcher compares years.
    """
    vd = f.find(c.path("valueDate"))
    begin = c.text(vd, "fromDateBegin")[:10] if vd is not None else ""
    end = (c.text(vd, "toDateEnd") or begin)[:10] if vd is not None else ""
    if not _ISO_DAY.fullmatch(begin) or not _ISO_DAY.fullmatch(end):
        parsed = iso_date(c.text(f, "value"))
        return [parsed] if parsed else []
    if begin[:4] != end[:4]:
        first, last = int(begin[:4]), int(end[:4])
        years = range(first, last + 1) if 0 < last - first <= 15 else (first, last)
        return [str(y) for y in years]
    if begin == end:
        return [begin]
    if begin[5:] == "01-01" and end[5:] == "12-31":
        return [begin[:4]]
    return [begin[:7]] if begin[:7] == end[:7] else [begin[:4]]


@dataclass
class _Facts:
    typed: Facts = field(default_factory=Facts)  # identifiers, countries, details, DOBs
    dated: list[tuple[str, str, str]] = field(default_factory=list)  # (key, qualifier, date)
    remarks: list[str] = field(default_factory=list)


def _features(e: Element, c: Context, facts: _Facts) -> None:
    seen: set[str] = set()
    for f in e.iterfind(c.path("features/feature")):
        type_elem = f.find(c.path("type"))
        if type_elem is None:
            continue
        ftype, value = _clean(type_elem.text), c.text(f, "value")
        if not ftype or not value:
            continue
        low = ftype.lower()
        if low == "birthdate":
            facts.typed.birth_dates.extend(_dates(f, c))
        elif low in _COUNTRY_FEATURES:
            ref = c.text(f, "valueRefId")
            facts.typed.add_country(c.country_iso.get(ref) or ofac_country(value))
        elif m := _DATED.match(ftype):
            for day in _dates(f, c)[:1]:
                facts.dated.append((_DATED_KEYS[m.group(1).lower()], m.group(2), day))
        elif low != "place of birth":
            add_typed(facts.typed, ftype, value)
        label = c.feature_label.get(type_elem.get("featureTypeId", "")) or ftype
        facts.remarks.append(("alt. " if label in seen else "") + f"{label} {value}")
        seen.add(label)


def _documents(e: Element, c: Context, facts: _Facts) -> None:
    seen: set[str] = set()
    for d in e.iterfind(c.path("identityDocuments/identityDocument")):
        dtype, number = c.text(d, "type") or "ID", c.text(d, "documentNumber")
        if not number:
            continue
        country_elem = d.find(c.path("issuingCountry"))
        country = _clean(country_elem.text) if country_elem is not None else ""
        tail = _NUMBER_COUNTRY.fullmatch(number)
        if tail and not country and ofac_country(tail.group(2)):
            # OFAC sometimes types the country into the number: "1026303117642 (Russia)"
            number, country = tail.group(1), tail.group(2)
        if not add_typed(facts.typed, dtype, number, country or None):
            # a document type the shared table does not know yet: still an identifier
            facts.typed.add_identifier(Identifier(dtype, number, c.country(country_elem)))
        where = f" ({country})" if country else ""
        facts.remarks.append(("alt. " if dtype in seen else "") + f"{dtype} {number}{where}")
        seen.add(dtype)


def _addresses(e: Element, c: Context, facts: _Facts) -> tuple[Address, ...]:
    out: dict[Address, None] = {}
    for a in e.iterfind(c.path("addresses/address")):
        country_elem = a.find(c.path("country"))
        country_name = _clean(country_elem.text) if country_elem is not None else ""
        iso = c.country(country_elem)
        facts.typed.add_country(iso)
        translations = a.findall(c.path("translations/translation")) or [a]
        for t in translations:  # the Latin address and its Cyrillic/Chinese translation
            parts = sorted(
                (
                    (_PART_ORDER.get(c.text(p, "type").upper(), 9), c.text(p, "value"))
                    for p in t.iterfind(c.path("addressParts/addressPart"))
                ),
                key=lambda kv: kv[0],
            )
            values = [v for _, v in parts if v]
            if iso is None:  # "REGION Gaza" with no country element, as in "Region: Gaza"
                region = next((v for k, v in parts if k == _PART_ORDER["REGION"]), None)
                iso = ofac_country(region)
                facts.typed.add_country(iso)
            text = ", ".join([*values, country_name] if country_name else values)
            if text:
                out[Address(text, iso)] = None
    return tuple(out)


# --------------------------------------------------------------------------- listings


def _listings(e: Element, c: Context, facts: _Facts, record: str) -> tuple[Listing, ...]:
    return build_listings(
        lists=[
            (_clean(x.text), x.get("datePublished"))
            for x in e.iterfind(c.path("sanctionsLists/sanctionsList"))
        ],
        programs=_texts(e, c, "sanctionsPrograms/sanctionsProgram"),
        authorities=_texts(e, c, "legalAuthorities/legalAuthority"),
        types=_texts(e, c, "sanctionsTypes/sanctionsType"),
        dated=facts.dated,
        facts=facts.typed,
        record=record,
        source=c.source,
        url=c.url,
    )


# --------------------------------------------------------------------------- entity


def entity_party(e: Element, c: Context, index: int) -> Party:
    """The party of one ``<entity>`` (``index`` counts entities, for error messages)."""
    record = (e.get("id") or "").strip()
    if not record:
        raise SourceFormatError(
            c.label, "an <entity> has no id attribute", record=f"#{index}", field="id",
            fix="is this OFAC's original file?",
        )  # fmt: skip
    etype = c.text(e, "generalInfo/entityType")
    if not etype:
        raise SourceFormatError(
            c.label, "missing entity type", record=record, field="generalInfo/entityType",
            fix="is this OFAC's ENHANCED_XML export?",
        )  # fmt: skip
    names = _names(e, c, record)
    facts = _Facts()
    _features(e, c, facts)
    _documents(e, c, facts)
    addresses = _addresses(e, c, facts)
    general = c.text(e, "generalInfo/remarks")
    if general:
        facts.remarks.append(general)
    facts.remarks.extend(
        f"Linked To: {related}"
        for related in _texts(e, c, "relationships/relationship/relatedEntity")
    )
    remarks = "; ".join(facts.remarks)
    if remarks and not remarks.endswith("."):
        remarks += "."
    typed = facts.typed
    return Party(
        id=f"{c.source}:{record}",
        type=_TYPES.get(etype.lower(), PartyType.UNKNOWN),
        names=names,
        listings=_listings(e, c, facts, record),
        addresses=addresses,
        countries=tuple(dict.fromkeys(typed.countries)),
        identifiers=tuple(dict.fromkeys(typed.identifiers)),
        birth_dates=tuple(dict.fromkeys(typed.birth_dates)),
        remarks=remarks or None,
        merge_key=f"ofac:{record}",
    )
