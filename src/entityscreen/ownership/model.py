"""Ownership as data: frozen dataclasses for edges, links, parties, paths and verdicts.

An :class:`Edge` says "owner holds share % of owned" (share ``None`` = held, amount unknown),
with the dates it held and where it was read. A :class:`Link` is a tie a list states without a
share ("Linked To:", a subordinate unit): context only, never counted as ownership. A
:class:`Verdict` is one rule's answer for one party, with every contributing :class:`OwnershipPath`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "COUNTED_BASES",
    "Basis",
    "Contribution",
    "Edge",
    "Issue",
    "Link",
    "OwnershipNode",
    "OwnershipPath",
    "Parsed",
    "Seed",
    "Status",
    "Step",
    "Verdict",
]


class Basis(StrEnum):
    """What an edge says the owner has."""

    OWNERSHIP = "ownership"  # shares / equity: counted
    BRANCH = "branch"  # a branch is part of the same legal person: counted as 100 %
    CONSOLIDATION = "consolidation"  # consolidated in accounts (control): share unknown
    CONTROL = "control"  # control without ownership: never counted (OFAC FAQ 398)


# Bases whose share adds up under the 50 % rules; a consolidation edge counts as
# "held, amount unknown" (due diligence), control never counts.
COUNTED_BASES = frozenset({Basis.OWNERSHIP, Basis.BRANCH})


class Status(StrEnum):
    LISTED = "listed"  # on a list the rule starts from
    EXTENDED = "restricted by extension"  # 50 % or more held by listed / extended parties
    UNKNOWN = "ownership unknown — due diligence required"  # could reach 50 %: shares unknown
    CLEAR = "clear"
    NOT_IN_FORCE = "rule not in force"  # would be extended, but the rule is not in force


@dataclass(frozen=True, slots=True)
class Edge:
    owner: str  # node key
    owned: str  # node key
    share: float | None  # percent, 0 < share <= 100; None = held, amount unknown
    basis: Basis = Basis.OWNERSHIP
    start: str | None = None  # ISO date the holding began, if stated
    end: str | None = None  # ISO date it ended, if stated
    as_of: str | None = None  # date the source stated it
    source: str = ""  # import name
    record: str = ""  # "line 12", a record id: where to look

    def active(self, on: str) -> bool:
        """Held on ``on`` (ISO date)? Unknown dates count as held (reported at import)."""
        return (self.start is None or self.start[:10] <= on) and (
            self.end is None or on <= self.end[:10])

    @property
    def counted(self) -> bool:
        return self.basis in COUNTED_BASES or self.basis is Basis.CONSOLIDATION


@dataclass(frozen=True, slots=True)
class Link:
    """A tie without a share: shown as context, never counted."""

    a: str  # node key or listed party id
    b: str  # the other side, as named
    relation: str  # "linked to", "subordinate unit", "fund managed by", ...
    source: str = ""
    record: str = ""


@dataclass(frozen=True, slots=True)
class OwnershipNode:
    """A party named in ownership data, with the listed party it matched (if any)."""

    key: str
    name: str
    country: str | None = None
    party_id: str | None = None  # matched listed party
    score: float | None = None  # the match score
    matched_name: str | None = None  # the listed name that matched
    # every listed record matching as well as the best (the same name on two lists as two
    # records), best first; None = not recorded (matched by an older version: search again)
    party_ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Seed:
    """A party a rule starts from: listed, with what its listing imposes."""

    key: str
    reason: str  # "OFAC SDN [GLOMAG]", "BIS EL"
    restriction: str  # what it imposes, in plain words
    rank: tuple[int, int] = (0, 0)  # how restrictive (higher = more); BIS: most restrictive wins


@dataclass(frozen=True, slots=True)
class Step:
    owner: str
    owned: str
    share: float


@dataclass(frozen=True, slots=True)
class OwnershipPath:
    """From a listed party down to the party judged, share by share."""

    seed: str  # key of the listed party the path starts from
    reason: str  # its listing
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Contribution:
    """One direct owner whose holding counts (or could count) towards the verdict."""

    owner: str
    share: float | None  # None: unknown amount
    owner_status: Status


@dataclass(frozen=True, slots=True)
class Verdict:
    key: str
    rule: str  # "ofac_50", "bis_affiliates"
    status: Status
    aggregate: float  # percent held by listed / extended owners (known shares only)
    owners: tuple[Contribution, ...] = ()
    paths: tuple[OwnershipPath, ...] = ()
    restriction: str | None = None  # inherited (most restrictive owner's, for BIS)
    reason: str | None = None  # the listing, when LISTED
    notes: tuple[str, ...] = ()  # cycles, unknown shares, rule dates

    @property
    def restricted(self) -> bool:
        return self.status in (Status.LISTED, Status.EXTENDED)


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem in the ownership data, reported and never silently counted."""

    kind: str  # "negative share", "self-ownership", "over 100 %", "duplicate", "cycle", ...
    message: str
    where: str = ""  # source and line / record


@dataclass(frozen=True, slots=True)
class Parsed:
    """What an importer read from one file, before matching and storing."""

    nodes: tuple[OwnershipNode, ...]
    edges: tuple[Edge, ...]
    links: tuple[Link, ...] = ()
    problems: tuple[Issue, ...] = ()  # rows refused (bad share, self-ownership, bad date...)
    notes: tuple[Issue, ...] = ()  # read, but worth saying (unknown dates, skipped records)
