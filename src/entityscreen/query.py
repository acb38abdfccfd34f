"""Building a :class:`~entityscreen.model.Query` from raw values (a command line, a stdin
line, a row of a customer file), with the same readings everywhere."""

from __future__ import annotations

from entityscreen.errors import UsageError
from entityscreen.model import PartyType, Query

__all__ = ["TYPES", "make_query"]

TYPES = [t.value for t in PartyType if t is not PartyType.UNKNOWN]
# Type words users and files write, read as entityscreen's types (None: no type hint).
_TYPE_WORDS: dict[str, str | None] = {
    "company": "organization",
    "entity": "organization",
    "organisation": "organization",
    "individual": "person",
    "legalentity": None,
}


def make_query(name: str, type_: str | None, country: str | None,
               birth_date: str | None, identifiers: tuple[str, ...] = ()) -> Query:
    """A query from raw values: type words and country names read, lone surrogates replaced.

    Raises :class:`UsageError` for a type word it does not know.
    """
    ptype = None
    if type_:
        word = str(type_).lower()
        t = _TYPE_WORDS.get(word, word)
        if t is not None:
            if t not in TYPES:
                raise UsageError(f"unknown type {type_!r}", fix=f"use one of: {', '.join(TYPES)}")
            ptype = PartyType(t)
    cc = country.strip().upper() if isinstance(country, str) and country.strip() else None
    if cc is not None and (len(cc) != 2 or not cc.isalpha()):
        from entityscreen.sources.common import country_code

        cc = country_code(cc)
    # lone surrogates (from JSON escapes) cannot be written back out as UTF-8
    name = name.encode("utf-8", "replace").decode("utf-8")
    return Query(name=name, type=ptype, country=cc,
                 birth_date=str(birth_date) if birth_date else None, identifiers=identifiers)
