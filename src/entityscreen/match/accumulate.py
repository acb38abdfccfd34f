"""The numeric core of candidate retrieval: posting lists summed into per-name scores, and
the best names cut to so many parties.

Two implementations give the same ids in the same order: numpy calls driven from Python (the
reference, used by one-off searches: it needs nothing compiled) and the same steps compiled
by numba (:func:`compiled`), which long-running processes load once (``Screener.warm``) and
which spares a bulk run ~60 % of its retrieval time. ``tests/match/test_accumulate.py`` holds
the two to the same results on real queries.

Scores are float32 sums taken in the order the lists come (rarest key first), so both
implementations add the same floats in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from entityscreen.match.postings import members, union, without

__all__ = ["Core", "compiled", "reference"]

# gather(lists, gains, acc, common) -> the ids touched, sorted (their scores added into acc)
Gather = Callable[[Sequence[np.ndarray], Sequence[float], np.ndarray, int], np.ndarray]
# credit(ids, words, exact, acc, gain): add gain to the ids in words and not in exact
Credit = Callable[[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, float], None]
# rank(ids, acc, owner, limit, pool, min_parties, floor) -> name ids best first (acc reset)
Rank = Callable[[np.ndarray, np.ndarray, Any, int, int, int, float], list[int]]
Core = tuple[Gather, Credit, Rank]


def _gather(lists: Sequence[np.ndarray], gains: Sequence[float], acc: np.ndarray,
            common: int) -> np.ndarray:
    """Add each list's gain to its names' scores; a list longer than ``common`` (a common
    word) only adds to names an earlier list found."""
    touched: list[np.ndarray] = []
    for plist, gain in zip(lists, gains, strict=True):
        if len(plist) > common and touched:
            plist = plist[acc[plist] > 0]
        else:
            touched.append(plist)
        acc[plist] += gain
    if not touched:
        return np.zeros(0, dtype=np.int32)
    # one list alone is sorted and without repeats already
    return touched[0] if len(touched) == 1 else union(touched)


def _credit(ids: np.ndarray, words: np.ndarray, exact: np.ndarray | None, acc: np.ndarray,
            gain: float) -> None:
    """Add ``gain`` to the scores of ``ids`` that are in ``words`` and not in ``exact`` (all
    sorted): only among the names found, a long list looked up for the few found."""
    found = ids[members(ids, words)]
    if exact is not None:
        found = without(found, exact)
    acc[found] += gain


def _best(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` highest ``scores`` (fewer than ``len(scores)``), names tied at
    the cut taken from the lowest position: the same for every numpy (``argpartition`` keeps
    an arbitrary subset of the tied)."""
    cut = np.partition(scores, len(scores) - n)[len(scores) - n]  # the n-th highest
    above = np.flatnonzero(scores > cut)
    tied = np.flatnonzero(scores == cut)[: n - len(above)]
    return np.concatenate((above, tied))


def _rank(ids: np.ndarray, acc: np.ndarray, owner: Sequence[int], limit: int, pool: int,
          min_parties: int, floor: float) -> list[int]:
    """The names of ``ids`` by score (then id), at most ``pool`` of them, until ``limit``
    parties are in or, once ``min_parties`` are, a name scores under ``floor``. Resets the
    scores of ``ids`` in ``acc`` to zero."""
    scores = acc[ids]
    acc[ids] = 0.0
    if len(ids) > pool:
        keep = _best(scores, pool)
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))
    out: list[int] = []
    parties: set[int] = set()
    for nid, score in zip(ids[order].tolist(), scores[order].tolist(), strict=True):
        pidx = owner[nid]
        if pidx not in parties:
            if len(parties) == limit or (len(parties) >= min_parties and score < floor):
                break
            parties.add(pidx)
        out.append(nid)
    return out


def reference() -> Core:
    """The numpy implementation."""
    return _gather, _credit, _rank


_COMPILED: Core | None = None


def compiled() -> Core:
    """The numba implementation (compiled on first use, cached on disk by numba)."""
    global _COMPILED
    if _COMPILED is None:
        _COMPILED = _compile()
    return _COMPILED


def _compile() -> Core:
    # heavy (numba): only processes that screen many names load it
    from entityscreen.match.kernels import credit_ids, gather_lists, rank_ids

    def gather(lists: Sequence[np.ndarray], gains: Sequence[float], acc: np.ndarray,
               common: int) -> np.ndarray:
        if not lists:
            return np.zeros(0, dtype=np.int32)
        flat = np.concatenate(lists) if len(lists) > 1 else lists[0]
        touched = np.empty(len(flat), dtype=np.int32)  # at most every id once
        n = gather_lists(flat, np.array([len(x) for x in lists], dtype=np.int64),
                         np.array(gains, dtype=np.float32), acc, common, touched)
        return touched[:n]

    def rank(ids: np.ndarray, acc: np.ndarray, owner: np.ndarray, limit: int, pool: int,
             min_parties: int, floor: float) -> list[int]:
        out = np.empty(min(len(ids), pool), dtype=np.int32)
        m = rank_ids(ids, acc, owner, limit, pool, min_parties, floor, out)
        return out[:m].tolist()

    nothing = np.zeros(0, dtype=np.int32)

    def credit(ids: np.ndarray, words: np.ndarray, exact: np.ndarray | None, acc: np.ndarray,
               gain: float) -> None:
        credit_ids(ids, words, nothing if exact is None else exact, acc, np.float32(gain))

    return gather, credit, rank
