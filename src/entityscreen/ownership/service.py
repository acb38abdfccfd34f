"""The ownership library's front door: import sources, then ask for verdicts.

    with Ownership.open(screener) as own:
        report = own.import_parsed(read_table(path, source="mine"), name="mine", ...)
        verdicts = own.verdicts("name:shenzhen sensetime technology co ltd", on="2026-12-03")

Verdicts for one party are worked out on the part of the graph above it (its owners, their
owners...), which decides it alone; ``check`` evaluates the whole graph with the array engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from entityscreen.errors import InputError
from entityscreen.model import Party, merge_parties
from entityscreen.ownership.bulk import CheckResult
from entityscreen.ownership.engine import Evaluation, evaluate
from entityscreen.ownership.graph import prepare
from entityscreen.ownership.matching import listed_records, match_nodes
from entityscreen.ownership.model import Edge, Issue, Link, OwnershipNode, Parsed, Seed, Verdict
from entityscreen.ownership.rules import RULES, in_force, periods, seed_for
from entityscreen.ownership.store import FILENAME, OwnershipStore, SourceInfo, now
from entityscreen.screener import Screener

__all__ = ["ImportReport", "Ownership", "PartyVerdicts", "today"]

# Problems listed in an error message before "... and N more".
SHOWN_PROBLEMS = 10


def today() -> str:
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True)
class ImportReport:
    name: str
    edges: int
    links: int
    nodes: int
    matched: tuple[OwnershipNode, ...]
    unmatched: int
    unmatched_names: tuple[str, ...]  # the first few, for the report
    skipped: tuple[Issue, ...]  # rows refused and left out (only with skip_bad)
    issues: tuple[Issue, ...]  # duplicates, totals over 100 %, cycles, unknown dates


@dataclass(frozen=True)
class PartyVerdicts:
    key: str
    on: str
    verdicts: dict[str, Verdict]
    nodes: dict[str, OwnershipNode]
    issues: tuple[Issue, ...]
    links: tuple[Link, ...] = ()
    below: tuple[Edge, ...] = field(default=())  # what the party owns (for the tree)
    above: tuple[Edge, ...] = field(default=())  # its owners, their owners... (held on ``on``)

    def name(self, key: str) -> str:
        node = self.nodes.get(key)
        return node.name if node else key


def rule_note(rule: str, on: str) -> str:
    period = in_force(rule, on)
    if period is not None:
        span = f"in force from {period.start}" + (f" to {period.end}" if period.end else "")
        return f"{period.title}: {span} ({period.citation})"
    known = [p for p in periods() if p.rule == rule]
    spans = "; ".join(f"{p.start} to {p.end or 'open'}" for p in known)
    title = known[0].title if known else rule
    # the period that ended last before ``on`` says why the rule stopped (a suspension...)
    ended = max((p for p in known if p.end is not None and p.end < on),
                key=lambda p: p.start, default=None)
    why = f"; last in force to {ended.end}: {ended.citation}" if ended else ""
    return f"{title}: not in force on {on} (in force {spans}{why})"


class Ownership:
    def __init__(self, screener: Screener, store: OwnershipStore) -> None:
        self.screener = screener
        self.store = store
        self._seeds: dict[tuple[str, str], Seed | None] = {}
        self._listed: dict[str, Party | None] = {}

    @classmethod
    def open(cls, screener: Screener, *, create: bool = True) -> Ownership:
        path = screener.settings.home / FILENAME
        return cls(screener, OwnershipStore.open(path, create=create))

    @staticmethod
    def exists(screener: Screener) -> bool:
        return (screener.settings.home / FILENAME).exists()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ownership:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- import -------------------------------------------------------------------------

    def import_parsed(self, parsed: Parsed, *, name: str, kind: str, origin: str, sha256: str,
                      skip_bad: bool = False,
                      progress: Callable[[int], None] | None = None) -> ImportReport:
        """Match the parties to listed parties and replace source ``name`` atomically.

        Refused rows stop the import (nothing is written) unless ``skip_bad``.
        """
        if parsed.problems and not skip_bad:
            shown = "; ".join(f"{p.where}: {p.message}" for p in parsed.problems[:SHOWN_PROBLEMS])
            more = len(parsed.problems) - SHOWN_PROBLEMS
            raise InputError(
                f"{len(parsed.problems)} row(s) cannot be imported: {shown}"
                + (f"; ... and {more} more" if more > 0 else ""),
                fix="correct those rows, or pass --skip-bad to import the others (nothing "
                    "was imported)")
        if not parsed.edges and not parsed.links:
            raise InputError(f"{origin}: no ownership records found",
                             fix="check that this is the right file and format")
        nodes = match_nodes(self.screener, parsed.nodes, progress=progress)
        info = SourceInfo(name, kind, origin, sha256, now(), len(parsed.edges),
                          len(parsed.links), self.screener.store.state_key())
        self.store.replace_source(info, nodes, parsed.edges, parsed.links)
        self._seeds.clear()
        # the issues of the whole graph as it now stands, so cross-source duplicates show
        touched = {e.owned for e in parsed.edges}
        issues = prepare(self.store.edges_into(touched), today()).issues
        return ImportReport(name, len(parsed.edges), len(parsed.links), len(nodes),
                            tuple(n for n in nodes if n.party_id),
                            sum(1 for n in nodes if not n.party_id),
                            tuple(n.name for n in nodes if not n.party_id)[:SHOWN_PROBLEMS],
                            parsed.problems, (*parsed.notes, *issues))

    # --- verdicts -----------------------------------------------------------------------

    def seed(self, rule: str, node: OwnershipNode) -> Seed | None:
        cache_key = (rule, node.key)
        if cache_key not in self._seeds:
            party = self._listed_party(node)
            self._seeds[cache_key] = seed_for(rule, node.key, party) if party else None
        return self._seeds[cache_key]

    def _listed_party(self, node: OwnershipNode) -> Party | None:
        """The listed party ``node`` was matched to, with the listings of every record tied
        with it (one name on two lists as two records), so no rule misses a listing."""
        if node.key not in self._listed:
            parties = [p for pid in listed_records(self.screener, node)
                       if (p := self.screener.party(pid)) is not None]
            self._listed[node.key] = merge_parties(parties) if parties else None
        return self._listed[node.key]

    def evaluations(self, edges: Iterable[Edge], nodes: dict[str, OwnershipNode],
                    on: str) -> tuple[dict[str, Evaluation], tuple[Issue, ...]]:
        prepared = prepare(edges, on)
        out = {}
        for rule in RULES:
            seeds = {k: s for k, n in nodes.items() if (s := self.seed(rule, n)) is not None}
            period = in_force(rule, on)
            threshold = period.threshold if period else next(
                (p.threshold for p in periods() if p.rule == rule), 50.0)
            out[rule] = evaluate(rule, prepared.edges, seeds, threshold=threshold,
                                 in_force=period is not None, rule_note=rule_note(rule, on),
                                 cycles=prepared.cycles)
        return out, prepared.issues

    def verdicts(self, key: str, *, on: str | None = None, below: int = 0) -> PartyVerdicts:
        """Every rule's verdict on party ``key`` as of ``on``; ``below`` levels of what it
        owns are fetched too (for the tree)."""
        on = on or today()
        up = self.store.walk(key, up=True)
        down = self.store.walk(key, up=False, max_depth=below) if below else []
        keys = {key} | {e.owner for e in up} | {e.owned for e in up} | {
            e.owned for e in down}
        nodes = self.store.nodes(keys)
        evs, issues = self.evaluations(up, nodes, on)
        listed = [n.party_id for n in nodes.values() if n.party_id]
        links = self.store.links(keys) + self.listed_links(listed)
        return PartyVerdicts(key, on, {r: ev.verdict(key) for r, ev in evs.items()}, nodes,
                             issues, tuple(links),
                             tuple(e for e in down if e.active(on)),
                             tuple(e for e in up if e.active(on)))

    def find(self, name: str) -> list[OwnershipNode]:
        return self.store.find(name)

    def listed_links(self, party_ids: Iterable[str]) -> list[Link]:
        """Ties the lists themselves state without a share ("Linked To:" in OFAC remarks):
        context, never ownership."""
        from entityscreen.ownership.links import links_of

        out: list[Link] = []
        for pid in dict.fromkeys(party_ids):
            party = self.screener.party(pid)
            if party is not None:
                out += links_of(party)
        return out

    # --- the whole graph -----------------------------------------------------------------

    def check(self, on: str | None = None) -> CheckResult:
        """Every rule over every holding as of ``on``, with the array engine."""
        from entityscreen.ownership.bulk import check_store

        seeds: dict[str, set[str]] = {rule: set() for rule in RULES}
        for node in self.store.listed_nodes():
            for rule in RULES:
                if self.seed(rule, node) is not None:
                    seeds[rule].add(node.key)
        return check_store(self.store, seeds, on or today())
