"""OFAC's remarks mini-language, shared by the legacy CSV, legacy XML and CSL parsers.

OFAC's legacy CSV packs everything that is not a name, a program or an address into one
``Remarks`` field of ``"; "``-separated items::

    DOB Aug 1953; POB Yining City, Xinjiang, China; nationality China; Gender Male;
    Effective Date (CMIC) 08 Feb 2022; Purchase/Sales For Divestment Date (CMIC) 10 Dec 2022;
    Listing Date (CMIC) 10 Dec 2021; C.R. No. 2162198 (Hong Kong); a.k.a. 'BNC'.

The legacy XML carries the same facts already split, as ``<idType>`` / ``<idNumber>`` /
``<idCountry>`` triples (``C.R. No.`` / ``2162198`` / ``Hong Kong``). Both end up in
:func:`add_typed`, so the two formats give the same :class:`Facts`.

Labels come from OFAC's own reference values (see :mod:`entityscreen.sources.ofac_labels`).
An item whose label is unknown (job titles, "Linked To: ...") is left alone; the raw remarks
are kept on the party anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from entityscreen.model import Identifier, Name, NameKind
from entityscreen.sources.common import country_code, iso_date, script_of
from entityscreen.sources.ofac_labels import (
    DETAIL_KEYS,
    DIGITAL_CURRENCY,
    ID_RENAME,
    ID_TYPES,
    OFAC_COUNTRIES,
    OTHER_LABELS,
)

__all__ = [
    "Facts",
    "add_typed",
    "make_name",
    "ofac_country",
    "ofac_date",
    "parse_dob",
    "parse_remarks",
    "split_remarks",
]


@lru_cache(maxsize=4096)
def ofac_country(text: str | None) -> str | None:
    """ISO alpha-2 for a country as OFAC writes it (``Region: Gaza``, ``Cote d Ivoire``...)."""
    if not text:
        return None
    t = text.strip().rstrip(".").strip()
    if not t or t == "-0-":
        return None
    t = re.sub(r"^Region:\s*", "", t)
    t = re.sub(r"\.\s+Previously .*$", "", t)  # "Cabo Verde.  Previously Cape Verde."
    code = country_code(t)
    if code is None:
        code = OFAC_COUNTRIES.get(t.casefold())
    return code


@dataclass(slots=True)
class Facts:
    """What the remarks (or an XML idList) of one OFAC record say, gathered in file order."""

    names: list[Name] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    # Facts that belong to one non-SDN list: (list code, key, value), e.g.
    # ("CMIC", "listed_on", "2021-12-10"), ("CAPTA", "directive", "EO 14024 Directive 2").
    list_facts: list[tuple[str, str, str]] = field(default_factory=list)
    # Program token (an EO number such as "EO14024", or "CAATSA") -> non-SDN lists the remarks
    # put that program's measures on ("MBS" for menu-based / directive measures, "CAPTA").
    evidence: dict[str, set[str]] = field(default_factory=dict)
    # Record-level (key, value) facts, copied onto every listing of the party.
    details: list[tuple[str, str]] = field(default_factory=list)

    def add_country(self, code: str | None) -> None:
        if code and code not in self.countries:
            self.countries.append(code)

    def add_identifier(self, ident: Identifier) -> None:
        if ident.value and ident not in self.identifiers:
            self.identifiers.append(ident)

    def add_list_fact(self, lst: str, key: str, value: str) -> None:
        if (lst, key, value) not in self.list_facts:
            self.list_facts.append((lst, key, value))

    def add_detail(self, key: str, value: str) -> None:
        if value and (key, value) not in self.details:
            self.details.append((key, value))


def make_name(value: str, kind: NameKind) -> Name:
    """A :class:`Name`, with its script set only when it is not Latin."""
    if value.isascii():
        return Name(value, kind)  # fast path: ASCII is Latin
    script = script_of(value)
    return Name(value, kind, script if script not in (None, "Latin") else None)


def split_remarks(text: str | None) -> list[str]:
    """``"DOB 1962; POB Shati."`` -> ``["DOB 1962", "POB Shati"]`` (the final stop dropped)."""
    if not text:
        return []
    items = []
    for raw in re.split(r";\s*", text):
        item = raw.strip()
        if item.endswith(".") and not item.endswith("..."):
            item = item[:-1].rstrip()
        if item:
            items.append(item)
    return items


_MONTH_NAMES = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(" "), 1)}
_OFAC_DATE = re.compile(r"^(?:(?:(\d{1,2}) )?([A-Za-z]{3}) )?(\d{4})$")


def ofac_date(text: str | None) -> str | None:
    """OFAC's ``10 Dec 2021`` / ``Dec 2021`` / ``2021`` (fast), else any form iso_date knows."""
    if not text:
        return None
    t = text.strip().rstrip(".")
    m = _OFAC_DATE.match(t)
    if m:
        day, mon, year = m.groups()
        month = _MONTHS.get(mon.lower()) if mon else None
        if mon and month is None:
            return None
        if month is None:
            return year
        if day is None:
            return f"{year}-{month:02d}"
        try:
            return date(int(year), month, int(day)).isoformat()
        except ValueError:
            return None  # "31 Feb 1970"
    return iso_date(t)


_DOB_RANGE = re.compile(r"^(.+?)\s*(?:\bto\b|-)\s*(.+)$")


def parse_dob(text: str) -> list[str]:
    """OFAC birth dates: ``10 Dec 1948``, ``Mar 1945``, ``1962``, ``circa 1951``, ranges.

    A range (``1956 to 1958``, ``01 Jan 1960 to 31 Dec 1962``, ``circa 1970-1972``) becomes
    every year it spans, so a screening date inside the range still matches.
    """
    t = re.sub(r"^(circa|approximately|approx\.)\s+", "", text.strip(), flags=re.I).rstrip(".")
    single = ofac_date(t)
    if single:
        return [single]
    m = _DOB_RANGE.match(t)
    if m:
        start, end = ofac_date(m.group(1)), ofac_date(m.group(2))
        if start and end:
            y0, y1 = int(start[:4]), int(end[:4])
            if y0 == y1:
                return list(dict.fromkeys((start, end)))
            if 0 < y1 - y0 <= 15:
                return [str(y) for y in range(y0, y1 + 1)]
            return [start, end]
    return []


# label -> canonical label, looked up by the first word of an item (longest label first).
def _label_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for label in (*ID_TYPES, *OTHER_LABELS):
        index.setdefault(label.split(" ", 1)[0], []).append(label)
    for labels in index.values():
        labels.sort(key=len, reverse=True)
    return index


_LABELS = _label_index()
_VALUE_TAIL = re.compile(
    r"^(?P<value>.*?)(?:\s+\((?P<country>[^()]+)\))?"
    r"(?:,?\s+issued\s+(?P<issued>[^,]+?))?(?:,?\s+expires\s+(?P<expires>.+?))?$"
)
_QUALIFIED_DATE = re.compile(
    r"^(?P<what>Listing Date|Effective Date|Purchase/Sales For Divestment Date)"
    r"\s+\((?P<qualifier>[^)]+)\):?\s*(?P<date>.*)$"
)
_DATE_KEYS = {
    "Listing Date": "listed_on",
    "Effective Date": "effective_date",
    "Purchase/Sales For Divestment Date": "divestment_date",
}
_ALIAS = re.compile(r"^(?P<kind>a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s+'(?P<name>.+)'$")
_ALIAS_KINDS = {"a.k.a.": NameKind.WEAK_ALIAS, "f.k.a.": NameKind.FORMER, "n.k.a.": NameKind.ALIAS}
_EO_INFO = re.compile(r"^Executive Order (\d{5}) (?:Directive )?[Ii]nformation:?\s*-?\s*(.*)$")


def _directive_list(eo: str, number: str) -> str:
    """Which non-SDN list a directive puts its targets on.

    EO 13662 directives are the SSI list; EO 14024 Directive 2 (correspondent and
    payable-through accounts) is the CAPTA list; every other directive (EO 14024 Directives
    1a, 3 and 4, EO 14014 Directive 1) is a menu-based measure, the NS-MBS list.
    """
    if eo == "13662":
        return "SSI"
    if eo == "14024" and number == "2":
        return "CAPTA"
    return "MBS"


def _add_directive(facts: Facts, eo: str, number: str) -> None:
    lst = _directive_list(eo, number)
    facts.add_list_fact(lst, "directive", f"EO {eo} Directive {number}")
    if lst != "SSI":
        facts.evidence.setdefault(f"EO{eo}", set()).add(lst)


def add_typed(facts: Facts, label: str, value: str, country: str | None = None) -> bool:
    """Record one typed fact (an XML ``<id>`` or a split remark item); False if not understood.

    ``label`` is OFAC's type (``"C.R. No."``, ``"Listing Date (CMIC)"``), ``value`` the
    number or text, ``country`` OFAC's country name for it, if any.
    """
    label = label.strip()
    value = value.strip()
    if not value:
        return False
    if label.startswith(DIGITAL_CURRENCY) or label in ID_TYPES:
        facts.add_identifier(_identifier(label, value, country))
        return True
    if label in DETAIL_KEYS:
        facts.add_detail(DETAIL_KEYS[label], value)
        return True
    if label == "Organization Established Date":
        facts.add_detail("organization_established_date", ofac_date(value) or value)
        return True
    if label in ("Nationality of Registration", "Registration Country"):
        facts.add_country(ofac_country(value))
        return True
    if label == "Executive Order 13662 Directive Determination -":
        d = re.search(r"Directive (\w+)", value)
        if d:
            _add_directive(facts, "13662", d.group(1))
        return True
    if label == "CAATSA Section 235 Information:":
        facts.evidence.setdefault("CAATSA", set()).add("MBS")
        facts.add_detail("caatsa_235", value)
        return True
    return _add_text(facts, f"{label} {value}") or label in OTHER_LABELS


def _add_text(facts: Facts, text: str) -> bool:
    """Items whose label carries a qualifier: dated list facts and executive-order measures."""
    m = _QUALIFIED_DATE.match(text)
    if m:
        return _add_qualified_date(facts, m.group("what"), m.group("qualifier"), m.group("date"))
    eo = _EO_INFO.match(text)
    if eo is None:
        return False
    number, rest = eo.groups()
    d = re.match(r"Subject to Directive (\w+)", rest)
    if d:
        _add_directive(facts, number, d.group(1))
    elif "irective" not in rest:
        # "Executive Order 14059 information: Prohibition on ..." = a menu-based measure
        facts.evidence.setdefault(f"EO{number}", set()).add("MBS")
    return True


def _add_qualified_date(facts: Facts, what: str, qualifier: str, date_text: str) -> bool:
    """``Listing Date (CMIC) 10 Dec 2021`` / ``Effective Date (EO 14024 Directive 2): ...``."""
    iso = ofac_date(date_text)
    if iso is None:
        return False
    q = qualifier.strip()
    d = re.fullmatch(r"EO (\d{5}) Directive (\w+)", q)
    if d:
        _add_directive(facts, d.group(1), d.group(2))
        lst = _directive_list(d.group(1), d.group(2))
    elif q.upper() == "CMIC":
        lst = "CMIC"
    else:
        return False
    facts.add_list_fact(lst, _DATE_KEYS[what], iso)
    return True


def _identifier(label: str, value: str, country: str | None) -> Identifier:
    kind = ID_RENAME.get(label, label)
    if country is None:
        # "AIMM67125HCHRRG06 (Mexico) issued 1968" in remarks, and sometimes in XML idNumber
        m = _VALUE_TAIL.match(value)
        if m and m.group("value"):
            tail = m.group("country")
            if tail is None or ofac_country(tail) is not None:
                value, country = m.group("value"), tail
    imo = re.fullmatch(r"IMO\s*(\d{7})", value)
    if imo and kind in ("Vessel Registration Identification", "Identification Number"):
        kind, value = "IMO", imo.group(1)
    elif imo and kind == "Company Number":
        kind, value = "IMO Company Number", imo.group(1)
    return Identifier(kind, value, ofac_country(country))


def _split_label(item: str) -> tuple[str, str] | None:
    """``"C.R. No. 2162198 (Hong Kong)"`` -> ``("C.R. No.", "2162198 (Hong Kong)")``."""
    if item.startswith(DIGITAL_CURRENCY):
        m = re.match(r"(Digital Currency Address - \S+)\s+(.+)$", item)
        return (m.group(1), m.group(2)) if m else None
    for label in _LABELS.get(item.split(" ", 1)[0], ()):
        if item.startswith(label) and item[len(label) : len(label) + 1] in (" ", ":"):
            return label, item[len(label) :].lstrip(" :")
    return None


def _add_item(facts: Facts, item: str) -> None:
    if item.startswith("alt. "):
        item = item[5:].lstrip()
    alias = _ALIAS.match(item)
    if alias:
        name = alias.group("name").strip()
        if name:
            facts.names.append(make_name(name, _ALIAS_KINDS[alias.group("kind")]))
        return
    head, _, rest = item.partition(" ")
    if head == "DOB":
        facts.birth_dates.extend(d for d in parse_dob(rest) if d not in facts.birth_dates)
    elif head == "POB":
        if rest not in facts.birth_places:
            facts.birth_places.append(rest)
    elif head in ("nationality", "citizen"):
        facts.add_country(ofac_country(rest))
    elif head == "Linked":
        return  # "Linked To: X" names another party, not this one
    else:
        split = _split_label(item)
        if split is None:
            _add_text(facts, item)
            return
        add_typed(facts, *split)


def parse_remarks(text: str | None, facts: Facts | None = None) -> Facts:
    """Parse OFAC remarks into :class:`Facts` (adding to ``facts`` when given)."""
    facts = facts if facts is not None else Facts()
    for item in split_remarks(text):
        _add_item(facts, item)
    return facts
