"""Ownership edges made ready for the rules on one date: inactive, control-only and bad edges
set aside, duplicates merged, totals over 100 % and cycles reported.

Everything here is order-independent: edges are sorted before any choice is made, so the same
edges read in any order give the same graph and the same reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from entityscreen.ownership.model import Basis, Edge, Issue

__all__ = ["Prepared", "cycles", "prepare"]

# Totals over 100 % by less than this are rounding in published percentages, not bad data.
OVER_100_TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class Prepared:
    edges: tuple[Edge, ...]  # counted: ownership / branch with a share, or share unknown
    control: tuple[Edge, ...]  # control without ownership: shown, never counted
    issues: tuple[Issue, ...]
    cycles: tuple[tuple[str, ...], ...] = ()  # strongly connected groups, each sorted


def _where(e: Edge) -> str:
    return " ".join(x for x in (e.source, e.record) if x)


def _sort_key(e: Edge) -> tuple[object, ...]:
    return (e.owned, e.owner, e.basis.value, e.as_of or "", -1.0 if e.share is None else e.share,
            e.source, e.record, e.start or "", e.end or "")


def prepare(edges: Iterable[Edge], on: str) -> Prepared:
    """The edges that count on ``on`` (ISO date), with every problem reported once."""
    issues: list[Issue] = []
    kept: dict[tuple[str, str], Edge] = {}
    control: list[Edge] = []
    for e in sorted(edges, key=_sort_key):
        if not e.active(on):
            continue
        if e.owner == e.owned:
            issues.append(Issue("self-ownership", f"{e.owner} is said to own itself; not "
                                "counted", _where(e)))
            continue
        if e.share is not None and (e.share < 0 or e.share > 100):
            issues.append(Issue("bad share", f"{e.owner} → {e.owned}: share {e.share} % is not "
                                "between 0 and 100; not counted", _where(e)))
            continue
        if e.basis is Basis.CONTROL:
            control.append(e)
            continue
        if e.basis is Basis.BRANCH:
            e = replace(e, share=100.0)
        pair = (e.owner, e.owned)
        old = kept.get(pair)
        if old is None:
            kept[pair] = e
            continue
        kept[pair] = winner = _prefer(old, e)
        loser = e if winner is old else old
        same = old.share == e.share
        issues.append(Issue(
            "duplicate",
            f"{e.owner} → {e.owned} stated twice ({_share(old)} at {_where(old) or '?'}, "
            f"{_share(e)} at {_where(e) or '?'}); counted once"
            + ("" if same else f", as {_share(winner)} (the {_why(winner, loser)})"),
            _where(e)))
    totals: dict[str, float] = defaultdict(float)
    for e in kept.values():
        if e.share is not None:
            totals[e.owned] += e.share
    for owned, total in sorted(totals.items()):
        if total > 100 + OVER_100_TOLERANCE:
            issues.append(Issue("over 100 %", f"{owned}: its owners' shares add up to "
                                f"{total:g} %; check the sources", owned))
    counted = tuple(kept.values())
    groups = tuple(tuple(c) for c in cycles(counted))
    for cycle in groups:
        issues.append(Issue("cycle", "ownership cycle: " + " → ".join([*cycle, cycle[0]])
                            + "; evaluated to a fixed point", cycle[0]))
    return Prepared(counted, tuple(control), tuple(issues), groups)


def _share(e: Edge) -> str:
    return "unknown %" if e.share is None else f"{e.share:g} %"


def _prefer(a: Edge, b: Edge) -> Edge:
    """Of two statements of one holding: a known share beats an unknown one, then the later
    statement, then the larger share (the conservative reading)."""
    def rank(e: Edge) -> tuple[object, ...]:
        return (e.share is not None, e.as_of or "", e.share or 0.0)
    return b if rank(b) > rank(a) else a


def _why(winner: Edge, loser: Edge) -> str:
    if (winner.share is None) != (loser.share is None):
        return "known share"
    if (winner.as_of or "") != (loser.as_of or ""):
        return "later statement"
    return "larger share"


def cycles(edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected groups of more than one party (Tarjan, iterative), sorted."""
    graph: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        graph[e.owner].append(e.owned)
        graph.setdefault(e.owned, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    group.append(w)
                    if w == node:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
    return sorted(out)
