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
    "in_force",
    "load_periods",
    "load_seeds",
    "periods",
    "seed_for",
    "strictness",
]

RULES = ("ofac_50", "bis_affiliates")
_PERIOD_COLUMNS = ("rule", "title", "threshold", "in_force_from", "in_force_to", "citation",
                   "url", "notes")
_SEED_COLUMNS = ("rule", "authority", "list", "program", "notes")


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


def load_seeds(text: str, source: str = "ownership_seeds.csv") -> tuple[tuple[str, str, str,
                                                                             str], ...]:
    out = []
    for line, r in _rows(text, source, _SEED_COLUMNS):
        if r["rule"] not in RULES:
            raise RuleError(f"{source} line {line}: unknown rule {r['rule']!r}")
        if not r["authority"] or not r["list"]:
            raise RuleError(f"{source} line {line}: authority and list are required")
        out.append((r["rule"], _key(r["authority"]), _key(r["list"]), _key(r["program"])))
    return tuple(out)


def _data(name: str) -> str:
    return resources.files("entityscreen").joinpath("data", name).read_text("utf-8")


@functools.cache
def periods() -> tuple[RulePeriod, ...]:
    return load_periods(_data("ownership_rules.csv"))


@functools.cache
def _seeds() -> tuple[tuple[str, str, str, str], ...]:
    return load_seeds(_data("ownership_seeds.csv"))


def in_force(rule: str, on: str) -> RulePeriod | None:
    """The period of ``rule`` covering ``on`` (ISO date), or None when it is not in force."""
    return next((p for p in periods() if p.rule == rule and p.covers(on)), None)


def _key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def _seeds_rule(rule: str, listing: Listing) -> bool:
    a, lst, prog = _key(listing.authority), _key(listing.list), _key(listing.program)
    return any(r == rule and a == ra and lst == rl and rp in ("", prog)
               for r, ra, rl, rp in _seeds())


def strictness(listing: Listing) -> tuple[int, int]:
    """How restrictive a listing's licence requirement is (higher = more), read from its texts.

    First number: 3 = every item subject to the EAR, 2 = every item with an exception,
    1 = some items (or no text); second: 2 = presumption of denial, 1 = case-by-case, 0 = unstated.
    """
    requirement = (listing.detail("license_requirement") or "").casefold()
    policy = (listing.detail("license_policy") or "").casefold()
    if "all items subject to the ear" in requirement:
        scope = 2 if any(w in requirement for w in ("other than", "except", "excluding")) else 3
    else:
        scope = 1
    review = 2 if "presumption of denial" in policy else 1 if "case" in policy else 0
    return scope, review


def seed_for(rule: str, key: str, party: Party) -> Seed | None:
    """The seed a listed party is for ``rule`` (its most restrictive qualifying listing)."""
    chosen = [lst for lst in party.listings if _seeds_rule(rule, lst)]
    if not chosen:
        return None
    best = max(chosen, key=strictness)
    reasons = ", ".join(dict.fromkeys(
        f"{lst.authority} {lst.list}" + (f" [{lst.program}]" if lst.program else "")
        for lst in chosen))
    return Seed(key, reasons, restriction_for(best).summary, strictness(best))
