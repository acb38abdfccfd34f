"""The 50 % rules evaluated on prepared edges: the simple reference implementation.

A party is restricted by extension when the shares held in it by parties that are listed, or
themselves restricted by extension, add up to the threshold or more. Starting from the listed
parties (the seeds) this is repeated to a fixed point; adding a party only ever adds shares, so
the fixed point is reached whatever the order, and ownership cycles terminate. Nothing passes
through a party that is not restricted (OFAC FAQ 401), and control without ownership was
already set aside (FAQ 398).

Unknown shares are evaluated twice: as nothing (what is certain) and as everything (what could
be). A party restricted only in the second reading is "ownership unknown — due diligence
required", never "clear".

:mod:`entityscreen.ownership.fast` does the same on arrays for millions of edges; a property
test keeps the two in agreement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from entityscreen.ownership.graph import cycles
from entityscreen.ownership.model import (
    Contribution,
    Edge,
    OwnershipPath,
    Seed,
    Status,
    Step,
    Verdict,
)

__all__ = ["EPSILON", "MAX_PATHS", "Evaluation", "evaluate", "fixed_point"]

# Shares are decimal percentages: 33.33 + 16.67 must reach 50.
EPSILON = 1e-6
# Most contributing paths listed per verdict (the aggregate always counts every holding).
MAX_PATHS = 25
# From this many holdings on, the rounds run on arrays (fast.levels: same rounds, same answer,
# checked by a test); below it the plain loops are quicker than building arrays.
ARRAYS_FROM = 400


def fixed_point(edges: Iterable[Edge], seeds: Iterable[str], threshold: float = 50.0,
                *, unknown_as: float = 0.0) -> dict[str, int]:
    """Every party restricted (seeds included) with the round it became so (seeds: 0).

    Plain rounds over every edge until nothing changes: obviously correct, not fast.
    ``unknown_as`` is the share an unknown holding counts as.
    """
    edge_list = list(edges)
    level = {s: 0 for s in seeds}
    round_ = 0
    while True:
        round_ += 1
        held: dict[str, float] = defaultdict(float)
        for e in edge_list:
            if e.owner in level:
                held[e.owned] += unknown_as if e.share is None else e.share
        new = [k for k, v in held.items() if k not in level and v >= threshold - EPSILON]
        if not new:
            return level
        for k in new:
            level[k] = round_


@dataclass
class Evaluation:
    """One rule evaluated on one set of edges; ask it for any party's verdict."""

    rule: str
    edges: tuple[Edge, ...]
    seeds: Mapping[str, Seed]
    threshold: float
    certain: dict[str, int]  # restricted counting known shares only, with rounds
    possible: dict[str, int]  # restricted if every unknown share were 100 %
    in_force: bool = True
    rule_note: str | None = None  # the rule's dates / citation, stated on every verdict
    incoming: dict[str, list[Edge]] = field(default_factory=dict)
    _cycle_of: dict[str, list[str]] = field(default_factory=dict)
    _inherited: dict[str, Seed] = field(default_factory=dict)
    cycle_groups: tuple[tuple[str, ...], ...] | None = None  # from prepare(), else worked out

    def __post_init__(self) -> None:
        inc: dict[str, list[Edge]] = defaultdict(list)
        for e in self.edges:
            inc[e.owned].append(e)
        for lst in inc.values():
            lst.sort(key=lambda e: (-(e.share if e.share is not None else -1), e.owner))
        self.incoming = dict(inc)
        groups = self.cycle_groups
        for group in groups if groups is not None else cycles(self.edges):
            for k in group:
                self._cycle_of[k] = list(group)
        self._inherited = self._inherit()

    def _inherit(self) -> dict[str, Seed]:
        """The most restrictive seed behind each restricted party (to a fixed point)."""
        best: dict[str, Seed] = {k: s for k, s in self.seeds.items() if k in self.certain}
        changed = True
        while changed:
            changed = False
            for k in sorted(self.certain, key=lambda x: (self.certain[x], x)):
                if k in self.seeds:
                    continue
                for e in self.incoming.get(k, ()):
                    got = best.get(e.owner)
                    if e.share is None or got is None:
                        continue
                    cur = best.get(k)
                    if cur is None or (got.rank, cur.key) > (cur.rank, got.key):
                        best[k] = got
                        changed = True
        return best

    def status(self, key: str) -> Status:
        if key in self.seeds:
            return Status.LISTED
        if key in self.certain:
            return Status.EXTENDED if self.in_force else Status.NOT_IN_FORCE
        if key in self.possible:
            return Status.UNKNOWN if self.in_force else Status.NOT_IN_FORCE
        return Status.CLEAR

    def aggregate(self, key: str) -> float:
        return round(sum(e.share for e in self.incoming.get(key, ())
                         if e.share is not None and e.owner in self.certain), 6)

    def paths(self, key: str, limit: int = MAX_PATHS) -> list[OwnershipPath]:
        """Contributing paths from a seed down to ``key``, each owner restricted a round
        before the party it owns (so every path is finite, even around cycles)."""
        out: list[OwnershipPath] = []

        def walk(node: str, suffix: tuple[Step, ...]) -> None:
            if len(out) >= limit:
                return
            if node in self.seeds and suffix:
                out.append(OwnershipPath(node, self.seeds[node].reason, suffix))
                return
            for e in self.incoming.get(node, ()):
                lvl = self.certain.get(e.owner)
                if e.share is None or lvl is None or lvl >= self.certain[node]:
                    continue
                walk(e.owner, (Step(e.owner, node, e.share), *suffix))

        if key in self.certain:
            walk(key, ())
        return out

    def verdict(self, key: str) -> Verdict:
        status = self.status(key)
        notes: list[str] = []
        if key in self._cycle_of:
            notes.append("on an ownership cycle: " + " → ".join(
                [*self._cycle_of[key], self._cycle_of[key][0]]))
        if self.rule_note:
            notes.append(self.rule_note)
        if status is Status.LISTED:
            seed = self.seeds[key]
            return Verdict(key, self.rule, status, 100.0, reason=seed.reason,
                           restriction=seed.restriction, notes=tuple(notes))
        owners = []
        for e in self.incoming.get(key, ()):
            if e.owner in self.possible:  # restricted, or could be (certain ⊆ possible)
                owners.append(Contribution(e.owner, e.share, self.status(e.owner)))
        if status is Status.UNKNOWN:
            notes.append("a listed or restricted owner holds an unknown share: ownership "
                         "unknown — due diligence required (not cleared)")
        inherited = self._inherited.get(key)
        restricted = key in self.certain
        return Verdict(
            key, self.rule, status, self.aggregate(key), tuple(owners),
            tuple(self.paths(key)) if restricted else (),
            inherited.restriction if restricted and inherited else None,
            notes=tuple(notes))


def evaluate(rule: str, edges: Iterable[Edge], seeds: Mapping[str, Seed], *,
             threshold: float = 50.0, in_force: bool = True,
             rule_note: str | None = None,
             cycles: tuple[tuple[str, ...], ...] | None = None) -> Evaluation:
    """Evaluate one rule on prepared edges (see :func:`entityscreen.ownership.graph.prepare`)."""
    edge_tuple = tuple(edges)
    if len(edge_tuple) >= ARRAYS_FROM:
        from entityscreen.ownership.fast import levels

        certain = levels(edge_tuple, seeds, threshold)
        possible = levels(edge_tuple, seeds, threshold, unknown_as=100.0)
    else:
        certain = fixed_point(edge_tuple, seeds, threshold)
        possible = fixed_point(edge_tuple, seeds, threshold, unknown_as=100.0)
    return Evaluation(rule, edge_tuple, seeds, threshold, certain, possible, in_force, rule_note,
                      cycle_groups=cycles)
