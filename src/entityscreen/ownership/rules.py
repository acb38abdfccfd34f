"""The 50 % rules as data: when each is in force, which listings it starts from, and which
inherited restriction is the most restrictive.

Dates and citations live in ``data/ownership_rules.csv``, the listings each rule starts from in
``data/ownership_seeds.csv`` (both described in ``data/OWNERSHIP_RULES.md``).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

from entityscreen.model import Listing, Party
from entityscreen.ownership.model import Seed
from entityscreen.restrictions import restriction_for

__all__ = [
    "RULES",
    "RuleError",
    "RulePeriod",
    "SeedRow",
    "in_force",
    "load_periods",
    "load_seeds",
    "periods",
    "seed_for",
    "seed_row",
    "seed_rows",
    "strictness",
]

RULES = ("ofac_50", "bis_affiliates")
_PERIOD_COLUMNS = ("rule", "title", "threshold", "in_force_from", "in_force_to", "citation",
                   "url", "notes")
_SEED_COLUMNS = ("rule", "authority", "list", "program", "license_requirement",
                 "license_policy", "citation", "notes")


class RuleError(ValueError):
    """The rules data is malformed (a data edit went wrong)."""


@dataclass(frozen=True, slots=True)
class RulePeriod:
    rule: str
    title: str
    threshold: float  # percent at or above which the owned party is restricted
    start: str  # ISO date, inclusive
    end: str | None  # ISO date, inclusive; None = open
    citation: str
    url: str
    notes: str

    def covers(self, on: str) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True, slots=True)
class SeedRow:
    """Listings a rule starts from: one list, or one program of a list (empty = every one).

    ``license_requirement`` / ``license_policy`` state what the rule imposes when the listing
    itself does not (an SDN carries no EAR licence text; 15 CFR 744.8 supplies it); empty =
    the listing's own texts.
    """

    rule: str
    authority: str
    list: str
    program: str  # "" = every program of the list
    license_requirement: str
    license_policy: str
    citation: str
    notes: str

    def matches(self, listing: Listing) -> bool:
        return (_key(listing.authority) == _key(self.authority)
                and _key(listing.list) == _key(self.list)
                and self.program in ("", _key(listing.program)))


def _rows(text: str, source: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise RuleError(f"{source}: header must be {','.join(columns)}")
    return [(n, {k: (v or "").strip() for k, v in row.items()})
            for n, row in enumerate(reader, start=2)]


def _iso(value: str, where: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise RuleError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def load_periods(text: str, source: str = "ownership_rules.csv") -> tuple[RulePeriod, ...]:
    out: list[RulePeriod] = []
    for line, r in _rows(text, source, _PERIOD_COLUMNS):
        where = f"{source} line {line}"
        if r["rule"] not in RULES:
            raise RuleError(f"{where}: unknown rule {r['rule']!r} (known: {', '.join(RULES)})")
        if not r["citation"]:
            raise RuleError(f"{where}: citation is empty")
        try:
            threshold = float(r["threshold"])
        except ValueError:
            raise RuleError(f"{where}: threshold {r['threshold']!r} is not a number") from None
        start = _iso(r["in_force_from"], where)
        end = _iso(r["in_force_to"], where) if r["in_force_to"] else None
        if end is not None and end < start:
            raise RuleError(f"{where}: in_force_to {end} is before in_force_from {start}")
        period = RulePeriod(r["rule"], r["title"], threshold, start, end, r["citation"],
                            r["url"], r["notes"])
        for other in out:
            if other.rule == period.rule and _overlap(other, period):
                raise RuleError(f"{where}: overlaps the period from {other.start} of "
                                f"{period.rule}")
        out.append(period)
    return tuple(out)


def _overlap(a: RulePeriod, b: RulePeriod) -> bool:
    return (a.end is None or b.start <= a.end) and (b.end is None or a.start <= b.end)


def load_seeds(text: str, source: str = "ownership_seeds.csv") -> tuple[SeedRow, ...]:
    out: list[SeedRow] = []
    for line, r in _rows(text, source, _SEED_COLUMNS):
        where = f"{source} line {line}"
        if r["rule"] not in RULES:
            raise RuleError(f"{where}: unknown rule {r['rule']!r}")
        if not r["authority"] or not r["list"]:
            raise RuleError(f"{where}: authority and list are required")
        if not r["citation"]:
            raise RuleError(f"{where}: citation is empty")
        if r["license_policy"] and not r["license_requirement"]:
            raise RuleError(f"{where}: license_policy without license_requirement")
        row = SeedRow(r["rule"], r["authority"], r["list"], _key(r["program"]),
                      r["license_requirement"], r["license_policy"], r["citation"], r["notes"])
        for other in out:
            if (other.rule, _key(other.authority), _key(other.list), other.program) == (
                    row.rule, _key(row.authority), _key(row.list), row.program):
                raise RuleError(f"{where}: the same rule, list and program as an earlier row")
        out.append(row)
    return tuple(out)


def _data(name: str) -> str:
    return resources.files("entityscreen").joinpath("data", name).read_text("utf-8")


@functools.cache
def periods() -> tuple[RulePeriod, ...]:
    return load_periods(_data("ownership_rules.csv"))


@functools.cache
def seed_rows() -> tuple[SeedRow, ...]:
    return load_seeds(_data("ownership_seeds.csv"))


def in_force(rule: str, on: str) -> RulePeriod | None:
    """The period of ``rule`` covering ``on`` (ISO date), or None when it is not in force."""
    return next((p for p in periods() if p.rule == rule and p.covers(on)), None)


def _key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def seed_row(rule: str, listing: Listing) -> SeedRow | None:
    """The row through which ``listing`` seeds ``rule``: its program's row, else its list's."""
    rows = [r for r in seed_rows() if r.rule == rule and r.matches(listing)]
    return max(rows, key=lambda r: r.program != "", default=None)


def _rank(requirement: str, policy: str) -> tuple[int, int]:
    requirement, policy = requirement.casefold(), policy.casefold()
    if "all items subject to the ear" in requirement:
        scope = 2 if any(w in requirement for w in ("other than", "except", "excluding")) else 3
    else:
        scope = 1
    review = 2 if "presumption of denial" in policy else 1 if "case" in policy else 0
    return scope, review


def strictness(listing: Listing) -> tuple[int, int]:
    """How restrictive a listing's licence requirement is (higher = more), read from its texts.

    First number: 3 = every item subject to the EAR, 2 = every item with an exception,
    1 = some items (or no text); second: 2 = presumption of denial, 1 = case-by-case, 0 = unstated.
    """
    return _rank(listing.detail("license_requirement") or "",
                 listing.detail("license_policy") or "")


def _imposed(listing: Listing, row: SeedRow) -> tuple[tuple[int, int], str]:
    """What a seeding listing imposes under the row's rule: its rank and its words."""
    if not row.license_requirement:
        return strictness(listing), restriction_for(listing).summary
    words = f"Licence required: {row.license_requirement.rstrip('.')}."
    if row.license_policy:
        words += f" Review policy: {row.license_policy.rstrip('.')}."
    return _rank(row.license_requirement, row.license_policy), f"{words} ({row.citation})"


def seed_for(rule: str, key: str, party: Party) -> Seed | None:
    """The seed a listed party is for ``rule`` (its most restrictive qualifying listing)."""
    chosen = [(lst, row) for lst in party.listings if (row := seed_row(rule, lst)) is not None]
    if not chosen:
        return None
    rank, restriction = max((_imposed(lst, row) for lst, row in chosen), key=lambda x: x[0])
    reasons = ", ".join(dict.fromkeys(
        f"{lst.authority} {lst.list}" + (f" [{lst.program}]" if lst.program else "")
        for lst, _ in chosen))
    return Seed(key, reasons, restriction, rank)
