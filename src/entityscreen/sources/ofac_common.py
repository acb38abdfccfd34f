"""What OFAC's legacy CSV and XML feeds share once a record is read: lists, listings, the party.

The SDN files hold only the SDN list. The consolidated (non-SDN) files hold several lists
and do not say which one a record is on: it follows from the program tags, read with the
table below, and from the remarks (directives, menu-based measures).

=========================================  ======  ==========================================
program tag in the consolidated files      list    why
=========================================  ======  ==========================================
``CMIC-EO13959``, ``CMIC-EO14032``,        CMIC    Non-SDN Chinese Military-Industrial
``NS-CMIC``                                        Complex Companies List
``NS-PLC``                                 PLC     Palestinian Legislative Council List
``UKRAINE-EO13662``                        SSI     Sectoral Sanctions Identifications List
``FSE-*`` (``FSE-IR``, ``FSE-SY``, ...)    FSE     Foreign Sanctions Evaders List
``NS-MBS``, ``MBS``, ``NS-ISA``            MBS     Non-SDN Menu-Based Sanctions List (the
                                                   NS-ISA list under its 2022 name)
``CAPTA``, ``561-Related``                 CAPTA   Correspondent Account or Payable-Through
                                                   Account Sanctions (was the Part 561 List)
any other tag (``RUSSIA-EO14024``,         see     the remarks decide: EO 14024 Directive 2
``CAATSA - RUSSIA``, ``BURMA-EO14014``,    right   -> CAPTA; other directives and menu-based
``ILLICIT-DRUGS-EO14059``, ``SDGT``,               measures (``CAATSA Section 235
``VENEZUELA-EO13850`` ...)                         Information``, ``Executive Order 14059
                                                   information``) -> MBS. Without such
                                                   remarks: MBS when the record has no list
                                                   tag of its own (it is on the consolidated
                                                   list for this tag alone), else SDN (OFAC
                                                   prints every program of a party on each
                                                   of its entries, so ``SDGT] [NS-PLC`` is a
                                                   PLC listing plus an SDN/SDGT listing).
=========================================  ======  ==========================================

Checked against every program value in cons_prim.csv (2025-12-19) and consolidated.xml
(2023-03-08), and against the list each record has in the trade.gov CSL of 2022-05.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Listing, Name, Party, PartyType
from entityscreen.sources.ofac_remarks import Facts

__all__ = [
    "AUTHORITY",
    "build_party",
    "check_list_kind",
    "lists_for",
    "party_type",
    "split_programs",
]

AUTHORITY = "US Treasury OFAC"

_LIST_TAGS = {
    "CMIC-EO13959": "CMIC",
    "CMIC-EO14032": "CMIC",
    "NS-CMIC": "CMIC",
    "NS-PLC": "PLC",
    "UKRAINE-EO13662": "SSI",
    "NS-MBS": "MBS",
    "MBS": "MBS",
    "NS-ISA": "MBS",
    "CAPTA": "CAPTA",
    "561-Related": "CAPTA",
}

_TYPES = {
    "individual": PartyType.PERSON,
    "entity": PartyType.ORGANIZATION,
    "vessel": PartyType.VESSEL,
    "aircraft": PartyType.AIRCRAFT,
}


def party_type(text: str | None) -> PartyType | None:
    """``individual`` / ``Entity`` / ``vessel`` / ``aircraft``; the CSV's null means entity."""
    if text is None or text.strip() in ("", "-0-"):
        return PartyType.ORGANIZATION
    return _TYPES.get(text.strip().casefold())


def split_programs(text: str) -> list[str]:
    """``"SDGT] [IRGC"`` -> ``["SDGT", "IRGC"]`` (the CSV's multi-tag notation)."""
    return [p.strip() for p in re.split(r"\]\s*\[", text.strip().strip("[]")) if p.strip()]


def _list_tag(tag: str) -> str | None:
    if tag.upper().startswith("FSE-"):
        return "FSE"
    return _LIST_TAGS.get(tag)


def lists_for(tag: str, programs: Iterable[str], facts: Facts) -> tuple[str, ...]:
    """The lists a consolidated-file record is on under one program tag (see module doc)."""
    lst = _list_tag(tag)
    if lst:
        return (lst,)
    token = tag.replace(" ", "").upper()
    found: set[str] = set()
    for key, lists in facts.evidence.items():
        if key in token:
            found |= lists
    if found:
        return tuple(sorted(found))
    if not any(_list_tag(p) for p in programs):
        return ("MBS",)
    return ("SDN",)


def check_list_kind(file: str, consolidated: bool, programs: Iterable[list[str]]) -> None:
    """Refuse the SDN file given as the consolidated one, and the other way round.

    Both feeds share one layout, so only the programs tell them apart: nearly every
    consolidated record has a non-SDN list tag (CMIC, NS-PLC, UKRAINE-EO13662 ...), while SDN
    records have one only where the party is on both lists.
    """
    records = list(programs)
    if not records:
        return
    tagged = sum(1 for progs in records if any(_list_tag(p) for p in progs))
    share = tagged / len(records)
    if consolidated and share < 0.5:
        raise SourceFormatError(
            file,
            f"only {tagged} of {len(records)} records carry a non-SDN list program "
            "(CMIC, NS-PLC, UKRAINE-EO13662, FSE ...)",
            fix="this looks like the SDN list; give it as the SDN source instead",
        )
    if not consolidated and share > 0.5:
        raise SourceFormatError(
            file,
            f"{tagged} of {len(records)} records carry a non-SDN list program "
            "(CMIC, NS-PLC, UKRAINE-EO13662, FSE ...)",
            fix="this looks like the Consolidated (non-SDN) list; give it as that source instead",
        )


def _listing(
    lst: str, program: str, facts: Facts, *, feed: str, url: str, record_id: str
) -> Listing:
    details: list[tuple[str, str]] = []
    dates: list[str] = []
    for fact_list, key, value in facts.list_facts:
        if fact_list != lst:
            continue
        if key == "listed_on":
            dates.append(value)
        elif (key, value) not in details:
            details.append((key, value))
    details.extend(d for d in facts.details if d not in details)
    return Listing(
        authority=AUTHORITY,
        list=lst,
        program=program,
        listed_on=min(dates) if dates else None,
        source_url=url,
        record_id=record_id,
        feeds=(feed,),
        details=tuple(details),
    )


def build_party(
    *,
    feed: str,
    consolidated: bool,
    record_id: str,
    ptype: PartyType,
    names: Iterable[Name],
    programs: list[str],
    facts: Facts,
    addresses: Iterable[Address],
    countries: Iterable[str],
    remarks: str | None,
    url: str,
) -> Party:
    """One party from one OFAC record: names deduplicated, one listing per (program, list)."""
    unique: dict[str, Name] = {}
    for name in (*names, *facts.names):
        if name.value not in unique:
            unique[name.value] = name
    listings: list[Listing] = []
    for program in programs:
        lists = lists_for(program, programs, facts) if consolidated else ("SDN",)
        for lst in lists:
            listings.append(_listing(lst, program, facts, feed=feed, url=url, record_id=record_id))
    address_tuple = tuple(dict.fromkeys(addresses))
    all_countries = [a.country for a in address_tuple if a.country]
    all_countries.extend(countries)
    all_countries.extend(facts.countries)
    return Party(
        id=f"{feed}:{record_id}",
        type=ptype,
        names=tuple(unique.values()),
        listings=tuple(listings),
        addresses=address_tuple,
        countries=tuple(dict.fromkeys(all_countries)),
        identifiers=tuple(facts.identifiers),
        birth_dates=tuple(facts.birth_dates),
        remarks=remarks,
        merge_key=f"ofac:{record_id}",
    )
