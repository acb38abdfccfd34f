"""Building a :class:`~entityscreen.model.Query` from raw values (a command line, a stdin
line, a row of a customer file), with the same readings everywhere."""

from __future__ import annotations

import json

from entityscreen.errors import UsageError
from entityscreen.model import PartyType, Query

__all__ = ["TYPES", "make_query", "parse_line"]

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


def parse_line(line: str, number: int) -> Query:
    """A stdin line: a plain name, or {"name", "type", "country", "birth_date"}."""
    text = line.strip()
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"stdin line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("name", ""), str):
            raise UsageError(f"stdin line {number}: expected an object with a string 'name'")
        idents = obj.get("identifiers") or obj.get("id") or ()
        if isinstance(idents, str):
            idents = (idents,)
        if not isinstance(idents, list | tuple) or not all(isinstance(i, str) for i in idents):
            raise UsageError(f"stdin line {number}: 'identifiers' must be a list of strings")
        return make_query(obj.get("name") or "", obj.get("type"), obj.get("country"),
                          obj.get("birth_date"), tuple(idents))
    return Query(text)
