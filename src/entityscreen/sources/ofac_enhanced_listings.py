"""The listings of one ENHANCED_XML entity: which program is on which OFAC list.

An entity carries ``sanctionsLists`` (with the date it went on each), ``sanctionsPrograms``,
``legalAuthorities`` and ``sanctionsTypes`` as separate, unlinked sets. We make one
:class:`~entityscreen.model.Listing` per program and link the rest to it:

==============================================  ======
``sanctionsList`` text (keyword, first match)   code
==============================================  ======
Non-SDN **CMIC** List                           CMIC
**Sectoral** Sanctions Identifications List     SSI
Non-SDN **Menu-Based** Sanctions List           MBS
Non-SDN **Palestinian** Legislative Council     PLC
**CAPTA** List                                  CAPTA
**FSE** List (Foreign Sanctions **Evaders**)    FSE
**SDN List**                                    SDN
Consolidated List                               (skipped: the umbrella publication)
anything else                                   the list's own name, kept rather than lost
==============================================  ======

When an entity is on several lists (Sberbank: SDN under RUSSIA-EO14024 and SSI under
UKRAINE-EO13662), a program goes to the list :data:`PROGRAM_LISTS` gives it if the entity is on
that list, otherwise to SDN, otherwise to the list no program claimed. A list left without a
program still gets a listing for each program, so no list the file states is lost.

``listed_on`` is the ``datePublished`` of the listing's list, or the "Listing Date (CMIC)"
feature. Legal authorities, sanctions types and dated features (directive dates) belong to the
program they share an EO number or a word with ("Executive Order 13662 (Ukraine)" ->
UKRAINE-EO13662); those naming none of the entity's programs belong to all of them. Where a party
is on the SDN list and another list, "Block" goes to the SDN listing and "Reject" to the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from entityscreen.model import Listing
from entityscreen.sources.common import iso_date
from entityscreen.sources.ofac_remarks import Facts

__all__ = ["AUTHORITY", "LIST_CODES", "PROGRAM_LISTS", "build_listings", "list_code"]

AUTHORITY = "US Treasury OFAC"

LIST_CODES: tuple[tuple[str, str], ...] = (
    ("cmic", "CMIC"),
    ("sectoral", "SSI"),
    ("menu-based", "MBS"),
    ("palestinian", "PLC"),
    ("capta", "CAPTA"),
    ("fse", "FSE"),
    ("evader", "FSE"),
    ("sdn list", "SDN"),
)
_SKIP_LISTS = {"consolidated list"}

# Program prefix -> its list, when the entity is on several lists.
PROGRAM_LISTS: tuple[tuple[str, str], ...] = (
    ("CMIC", "CMIC"),
    ("NS-CMIC", "CMIC"),
    ("NS-PLC", "PLC"),
    ("FSE-", "FSE"),
    ("UKRAINE-EO13662", "SSI"),
    ("561-RELATED", "CAPTA"),
    ("CAPTA", "CAPTA"),
    ("NS-MBS", "MBS"),
)


def list_code(name: str) -> str | None:
    """``"Non-SDN CMIC List"`` -> ``"CMIC"``; None for the umbrella "Consolidated List"."""
    low = name.lower()
    if not low or low in _SKIP_LISTS:
        return None
    for key, code in LIST_CODES:
        if key in low:
            return code
    return name


@cache
def _tokens(text: str) -> frozenset[str]:
    """EO numbers and words that tie a legal authority, type or date to a program."""
    up = text.upper()
    words = frozenset(re.findall(r"[A-Z]{3,}", up)) - {"RELATED"}
    return frozenset(re.findall(r"\d{5}", up)) | words


def _belongs(text: str, program: str | None, programs: list[str]) -> bool:
    if len(programs) <= 1 or program is None:
        return True
    tokens = _tokens(text)
    if tokens & _tokens(program):
        return True
    return not any(tokens & _tokens(p) for p in programs)


def _assign(programs: list[str], lists: list[str]) -> list[tuple[str, str | None]]:
    """(list code, program) pairs: each program once, every list at least once."""
    ruled: dict[str, str] = {}
    for p in programs:
        for prefix, code in PROGRAM_LISTS:
            if p.upper().startswith(prefix) and code in lists:
                ruled[p] = code
                break
    free = [code for code in lists if code not in ruled.values()] or lists or ["SDN"]
    pairs: list[tuple[str, str | None]] = [
        (ruled.get(p) or ("SDN" if "SDN" in free else free[0]), p) for p in programs
    ]
    for code in lists:
        if not any(pc == code for pc, _ in pairs):
            pairs.extend((code, p) for p in programs)
    return pairs or [(code, None) for code in lists or ["SDN"]]


def build_listings(
    *,
    lists: Iterable[tuple[str, str | None]],
    programs: Iterable[str],
    authorities: list[str],
    types: list[str],
    dated: list[tuple[str, str, str]],
    facts: Facts,
    record: str,
    source: str,
    url: str,
) -> tuple[Listing, ...]:
    """One listing per program.

    ``lists`` are (sanctionsList text, datePublished) pairs; ``dated`` are (key, qualifier,
    ISO date) from features such as "Effective Date (CMIC)" -> ("effective_date", "CMIC", ...).
    """
    published: dict[str, str | None] = {}
    for name, day in lists:
        code = list_code(name)
        if code and code not in published:
            published[code] = iso_date(day)
    progs = list(dict.fromkeys(p for p in programs if p))
    out: list[Listing] = []
    for code, program in _assign(progs, list(published)):
        listed_on = published.get(code)
        details: list[tuple[str, str]] = []
        for key, qualifier, day in dated:
            if not _belongs(qualifier, program, progs):
                continue
            if "directive" in qualifier.lower():  # several directives per program: qualify
                details.append((f"{key}:{qualifier}", day))
            elif key == "listed_on":
                listed_on = day
            else:
                details.append((key, day))
        details.extend(
            (key, value)
            for lst, key, value in facts.list_facts
            if lst == code and key == "directive"
        )
        for t in types:
            if len(progs) > 1 and t in ("Block", "Reject") and (t == "Block") != (code == "SDN"):
                continue
            if _belongs(t, program, progs):
                details.append(("sanctions_type", t))
        details.extend(facts.details)
        cites = [a for a in authorities if _belongs(a, program, progs)]
        out.append(
            Listing(
                authority=AUTHORITY,
                list=code,
                program=program,
                listed_on=listed_on,
                citation="; ".join(dict.fromkeys(cites)) or None,
                source_url=url,
                record_id=record,
                feeds=(source,),
                details=tuple(dict.fromkeys(details)),
            )
        )
    return tuple(out)
