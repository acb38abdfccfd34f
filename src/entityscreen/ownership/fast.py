"""The 50 % rules on arrays: millions of holdings evaluated in seconds.

Same rules as :mod:`entityscreen.ownership.engine` (the reference a property test compares this
with): parties are integers, holdings three parallel arrays (owner, owned, share with NaN for
unknown). Each party's holdings are added to what it owns once, in the round it becomes
restricted, so a whole evaluation touches every holding at most once per reading (certain /
possible) and ends when a round restricts nobody new.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from entityscreen.ownership.engine import EPSILON
from entityscreen.ownership.model import Edge

__all__ = ["ArrayGraph", "BulkResult", "evaluate_arrays", "levels", "propagate", "strip"]

IntArray = npt.NDArray[np.int64]
# days since 1970 for "no date": before / after every real date
NO_START = np.iinfo(np.int32).min
NO_END = np.iinfo(np.int32).max


@dataclass(frozen=True)
class ArrayGraph:
    n: int  # parties 0..n-1
    owner: npt.NDArray[np.int32]
    owned: npt.NDArray[np.int32]
    share: npt.NDArray[np.float64]  # percent; NaN = unknown

    def by_owner(self) -> tuple[IntArray, IntArray]:
        """Holdings ordered by owner, and each owner's first position (CSR)."""
        order = np.argsort(self.owner, kind="stable")
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.owner, minlength=self.n), out=indptr[1:])
        return order.astype(np.int64), indptr


@dataclass(frozen=True)
class BulkResult:
    certain: npt.NDArray[np.int32]  # round restricted (0 = seed), -1 = not
    possible: npt.NDArray[np.int32]  # same, unknown shares read as 100 %
    held: npt.NDArray[np.float64]  # percent held by certainly restricted owners
    rounds: int
    removed: dict[str, int]  # holdings set aside while preparing, by reason
    over_100: int  # parties whose owners' known shares add up to more than 100 %
    on_cycles: int  # parties on (or between) ownership cycles


def strip(owner: npt.NDArray[np.int32], owned: npt.NDArray[np.int32],
          share: npt.NDArray[np.float64], n: int, *,
          start: npt.NDArray[np.int32] | None = None, end: npt.NDArray[np.int32] | None = None,
          on: int | None = None) -> tuple[ArrayGraph, dict[str, int]]:
    """The holdings that count on day ``on``: inactive, self-owned and out-of-range holdings
    removed, one holding per (owner, owned) pair kept (known share first, then the larger)."""
    keep = np.ones(len(owner), dtype=bool)
    removed: dict[str, int] = {}
    if on is not None and start is not None and end is not None:
        active = (start <= on) & (on <= end)
        removed["inactive"] = int((~active).sum())
        keep &= active
    self_owned = owner == owned
    bad = ~np.isnan(share) & ((share < 0) | (share > 100))
    removed["self-ownership"] = int((self_owned & keep).sum())
    removed["bad share"] = int((bad & keep & ~self_owned).sum())
    keep &= ~self_owned & ~bad
    o, d, s = owner[keep], owned[keep], share[keep]
    # duplicates: sort by pair, then known share first and larger share first; keep the first
    known = ~np.isnan(s)
    order = np.lexsort((-np.where(known, s, -1.0), ~known, d, o))
    o, d, s = o[order], d[order], s[order]
    first = np.ones(len(o), dtype=bool)
    first[1:] = (o[1:] != o[:-1]) | (d[1:] != d[:-1])
    removed["duplicate"] = int((~first).sum())
    return ArrayGraph(n, o[first], d[first], s[first]), removed


def propagate(g: ArrayGraph, seeds: npt.NDArray[np.bool_], threshold: float = 50.0, *,
              unknown_as: float = 0.0,
              csr: tuple[IntArray, IntArray] | None = None,
              ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64], int]:
    """Rounds to a fixed point: (round each party was restricted or -1, held %, rounds)."""
    order, indptr = csr or g.by_owner()
    weight = np.where(np.isnan(g.share), unknown_as, g.share)
    level = np.full(g.n, -1, dtype=np.int32)
    level[seeds] = 0
    held = np.zeros(g.n, dtype=np.float64)
    frontier: npt.NDArray[np.intp] = np.flatnonzero(seeds)
    rounds = 0
    while frontier.size:
        rounds += 1
        lo, hi = indptr[frontier], indptr[frontier + 1]
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            break
        # positions lo..hi-1 of every frontier owner, without a Python loop
        pos = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)
        edges = order[pos]
        targets = g.owned[edges]
        np.add.at(held, targets, weight[edges])
        cand = np.unique(targets)
        frontier = cand[(level[cand] < 0) & (held[cand] >= threshold - EPSILON)].astype(np.intp)
        level[frontier] = rounds
    return level, held, rounds


def _on_cycles(g: ArrayGraph) -> int:
    """Parties left after repeatedly removing those nobody owns or that own nobody: every
    party on a cycle, and those between cycles."""
    alive = np.ones(g.n, dtype=bool)
    o, d = g.owner, g.owned
    while True:
        live = alive[o] & alive[d]
        indeg = np.bincount(d[live], minlength=g.n)
        outdeg = np.bincount(o[live], minlength=g.n)
        drop = alive & ((indeg == 0) | (outdeg == 0))
        if not drop.any():
            return int(alive.sum())
        alive &= ~drop
        o, d = o[live], d[live]


def evaluate_arrays(g: ArrayGraph, seeds: npt.NDArray[np.bool_], threshold: float = 50.0,
                    removed: dict[str, int] | None = None) -> BulkResult:
    csr = g.by_owner()
    certain, _held, rounds = propagate(g, seeds, threshold, csr=csr)
    possible, _, _ = propagate(g, seeds, threshold, unknown_as=100.0, csr=csr)
    mask = certain[g.owner] >= 0
    known = ~np.isnan(g.share)
    held = np.bincount(g.owned[mask & known], weights=g.share[mask & known],
                       minlength=g.n).astype(np.float64)
    totals = np.bincount(g.owned[known], weights=g.share[known], minlength=g.n)
    return BulkResult(certain, possible, held, rounds, dict(removed or {}),
                      int((totals > 100 + 0.01).sum()), _on_cycles(g))


def levels(edges: Sequence[Edge], seeds: Iterable[str], threshold: float = 50.0, *,
           unknown_as: float = 0.0) -> dict[str, int]:
    """:func:`entityscreen.ownership.engine.fixed_point` on arrays: the same rounds."""
    ids: dict[str, int] = {}
    owner = np.fromiter((ids.setdefault(e.owner, len(ids)) for e in edges), np.int32,
                        len(edges))
    owned = np.fromiter((ids.setdefault(e.owned, len(ids)) for e in edges), np.int32,
                        len(edges))
    share = np.fromiter((np.nan if e.share is None else e.share for e in edges), np.float64,
                        len(edges))
    seed_list = list(seeds)
    for k in seed_list:
        ids.setdefault(k, len(ids))
    mask = np.zeros(len(ids), dtype=bool)
    mask[[ids[k] for k in seed_list]] = True
    level, _held, _rounds = propagate(ArrayGraph(len(ids), owner, owned, share), mask,
                                      threshold, unknown_as=unknown_as)
    keys = list(ids)
    return {keys[i]: int(level[i]) for i in np.flatnonzero(level >= 0)}
