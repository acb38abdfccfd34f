"""Which column holds what: explicit ``--name-col``-style choices, else common header names.

A customer file's headers are matched after folding case, punctuation and spacing
("Customer_Name", "customer name" and "CUSTOMER-NAME" are one header). Each role has tiers of
header names, best first; the best tier present wins, and two different columns in that tier
mean the file is ambiguous: the error names them and the option that settles it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from entityscreen.errors import InputError

__all__ = ["Columns", "Mapping", "fold_header", "resolve"]

# Header names per role, best tier first. A bare "id" is deliberately a *key*, not an
# identifier: in customer exports it is the row's own number, and a row number that happens to
# equal a listed registration number would otherwise be scored as a decisive identifier match.
NAME_TIERS: tuple[tuple[str, ...], ...] = (
    ("name", "full name", "fullname", "party name", "entity name", "customer name",
     "client name", "company name", "legal name", "organization name", "organisation name",
     "business name", "supplier name", "vendor name", "counterparty name", "beneficiary name",
     "account name", "registered name", "issuer name", "consignee name", "name of entity"),
    ("company", "customer", "client", "party", "supplier", "vendor", "counterparty",
     "beneficiary", "consignee", "issuer", "organization", "organisation", "entity",
     "account holder", "payee", "legal entity"),
)
# Used, joined in this order, only when no whole-name column exists.
FIRST_NAMES = ("first name", "firstname", "given name", "given names", "forename", "forenames")
MIDDLE_NAMES = ("middle name", "middle names", "middlename")
LAST_NAMES = ("last name", "lastname", "surname", "family name")
TYPE_TIERS = (
    ("type", "entity type", "party type", "customer type", "client type", "legal type",
     "entity kind", "party kind", "kind"),
)
COUNTRY_TIERS = (
    ("country", "country code", "iso country", "country iso", "country iso code"),
    ("nationality", "citizenship", "country of incorporation", "country of residence",
     "residence country", "jurisdiction", "domicile", "country of registration"),
)
DOB_TIERS = (
    ("dob", "date of birth", "birth date", "birthdate", "birthday", "born"),
    ("year of birth", "birth year"),
)
# Every column of these tiers is an identifier column (a file may carry a LEI and an ISIN).
ID_NAMES = (
    "identifier", "identifiers", "id number", "identification number", "registration number",
    "reg number", "reg no", "company number", "registry number", "passport", "passport number",
    "passport no", "national id", "national id number", "tax id", "tin", "vat number", "lei",
    "isin", "imo", "imo number", "duns",
)
KEY_TIERS = (
    ("key", "customer id", "customer number", "customer no", "client id", "client number",
     "account id", "account number", "account no", "row id", "record id", "supplier id",
     "vendor id", "party id", "counterparty id", "customer ref", "reference", "ref"),
    ("id", "no"),
)


def fold_header(text: str) -> str:
    """'Customer_Name ', 'D.O.B.' -> 'customer name', 'dob'."""
    t = text.replace("\ufeff", "").casefold().replace(".", "")
    return re.sub(r"[^0-9a-z\u00c0-\uffff]+", " ", t).strip()


@dataclass(frozen=True)
class Columns:
    """Columns chosen by the user, by header text or 1-based number; empty = detect.

    Several ``name`` columns are joined with a space (first and last name); several ``id``
    columns each give identifiers.
    """

    name: tuple[str, ...] = ()
    type: str | None = None
    country: str | None = None
    dob: str | None = None
    id: tuple[str, ...] = ()
    key: str | None = None


@dataclass(frozen=True)
class Mapping:
    """Resolved column positions in one file."""

    headers: tuple[str, ...]
    name: tuple[int, ...]
    type: int | None = None
    country: int | None = None
    dob: int | None = None
    id: tuple[int, ...] = ()
    key: int | None = None

    @cached_property
    def used(self) -> tuple[int, ...]:
        """Every column position read, for readers that can skip the others (Parquet)."""
        single = (self.type, self.country, self.dob, self.key)
        return tuple(sorted({*self.name, *self.id, *(i for i in single if i is not None)}))

    def narrowed(self) -> Mapping:
        """The same roles over only the used columns, in ``used`` order: what a row's
        ``[fields[i] for i in used]`` is read with (so chunks sent to workers carry only
        those)."""
        at = {i: n for n, i in enumerate(self.used)}

        def one(i: int | None) -> int | None:
            return None if i is None else at[i]

        return Mapping(tuple(self.headers[i] for i in self.used),
                       tuple(at[i] for i in self.name), one(self.type), one(self.country),
                       one(self.dob), tuple(at[i] for i in self.id), one(self.key))

    def describe(self) -> dict[str, object]:
        """Role -> header text(s), e.g. for a checkpoint or a report."""
        h = self.headers

        def one(i: int | None) -> str | None:
            return None if i is None else h[i]

        return {"name": [h[i] for i in self.name], "type": one(self.type),
                "country": one(self.country), "dob": one(self.dob),
                "id": [h[i] for i in self.id], "key": one(self.key)}


def _quote(items: Sequence[str]) -> str:
    return ", ".join(repr(x) for x in items)


def _find(headers: Sequence[str], wanted: str, label: str, option: str) -> int:
    """Position of an explicitly named column: exact text, folded text, or a 1-based number."""
    if wanted in headers:
        return headers.index(wanted)
    folded = [fold_header(h) for h in headers]
    if fold_header(wanted) in folded:
        return folded.index(fold_header(wanted))
    if wanted.isdigit() and 1 <= int(wanted) <= len(headers):
        return int(wanted) - 1
    raise InputError(
        f"{label} has no column {wanted!r} (given by {option}); its columns are "
        f"{_quote(headers)}",
        fix=f"pass {option} with one of those names, or a column number from 1",
    )


def _detect(folded: Sequence[str], tiers: Sequence[Sequence[str]], role: str,
            headers: Sequence[str], label: str, option: str) -> int | None:
    for tier in tiers:
        found = [i for i, f in enumerate(folded) if f in tier]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(
                f"{label}: cannot decide which column holds the {role}: "
                f"{_quote([headers[i] for i in found])}",
                fix=f"pass {option} COLUMN",
            )
    return None


def resolve(headers: Sequence[str], columns: Columns, label: str) -> Mapping:
    """Positions of the name, type, country, birth date, identifier and key columns."""
    headers = tuple(headers)
    folded = [fold_header(h) for h in headers]
    if columns.name:
        name = tuple(_find(headers, c, label, "--name-col") for c in columns.name)
    elif len(headers) == 1:
        name = (0,)  # a plain list of names
    else:
        whole = _detect(folded, NAME_TIERS, "names", headers, label, "--name-col")
        if whole is not None:
            name = (whole,)
        else:
            parts = [_detect(folded, (names,), "names", headers, label, "--name-col")
                     for names in (FIRST_NAMES, MIDDLE_NAMES, LAST_NAMES)]
            if parts[0] is None or parts[2] is None:
                raise InputError(
                    f"{label}: cannot tell which column holds the names; its columns are "
                    f"{_quote(headers)}",
                    fix="pass --name-col COLUMN (repeat it to join first and last names)",
                )
            name = tuple(p for p in parts if p is not None)

    def single(given: str | None, tiers: Sequence[Sequence[str]], role: str,
               option: str) -> int | None:
        if given:
            return _find(headers, given, label, option)
        found = _detect(folded, tiers, role, headers, label, option)
        return None if found in name else found

    ids = (tuple(_find(headers, c, label, "--id-col") for c in columns.id) if columns.id
           else tuple(i for i, f in enumerate(folded) if f in ID_NAMES and i not in name))
    return Mapping(
        headers=headers,
        name=name,
        type=single(columns.type, TYPE_TIERS, "party type", "--type-col"),
        country=single(columns.country, COUNTRY_TIERS, "country", "--country-col"),
        dob=single(columns.dob, DOB_TIERS, "birth date", "--dob-col"),
        id=ids,
        key=single(columns.key, KEY_TIERS, "row key", "--key-col"),
    )
