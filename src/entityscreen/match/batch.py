"""Every candidate name of one query scored in one compiled call.

:class:`~entityscreen.match.matcher.QueryMatcher` aligns one listed name at a time in Python;
here the same alignment (the same options in the same order, the same greedy picks, the same
floats added in the same order) runs compiled by numba over all of a query's candidates, from
the index's names stored as arrays of posting-key ids (:class:`NameTable`). It gives the
scores only: the picks of the few hits that are explained are made again by the matcher.
``tests/match/test_batch.py`` holds the two to the same scores.

Loaded by long-running processes only (``Index.compile``), like ``match.accumulate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from entityscreen.match.analysis import WORD
from entityscreen.match.scoring import _NAMING, CLOSE, Algorithm

if TYPE_CHECKING:
    from entityscreen.match.index import Index
    from entityscreen.match.matcher import QueryMatcher

__all__ = ["NameTable", "score_candidates"]

# how two tokens are alike, as codes (every other way counts as OTHER)
EXACT, FUZZY, INITIAL, MERGED, OTHER = 0, 1, 2, 3, 4
_HOW = {"exact": EXACT, "fuzzy": FUZZY, "initial": INITIAL}
_KIND_OF = {"w": WORD, "l": "legal", "s": "stop", "p": "place", "g": "generic"}


@dataclass(frozen=True)
class NameTable:
    """The index's names as arrays: per name its tokens (as posting-key ids, with their
    lengths and weights) from ``start[n]``, its adjacent pairs from ``start[n] - n``, masks of
    its word and naming tokens, and its compact form's key id (-1: none)."""

    start: np.ndarray  # int64, one more than names
    token_key: np.ndarray  # int32
    token_len: np.ndarray  # int32
    weight: np.ndarray  # float64 (the index's name_weights)
    pair_key: np.ndarray  # int32
    word: np.ndarray  # int64 masks
    naming: np.ndarray  # int64 masks
    compact_key: np.ndarray  # int32
    # names the compiled scorer leaves to the matcher (a compact form that is no posting key)
    apart: frozenset[int]

    @classmethod
    def of(cls, index: Index) -> NameTable:
        where = index.postings.key_ids()
        n = index.n_names
        start = index.name_weights.offsets
        token_key = np.empty(int(start[-1]), dtype=np.int32)
        token_len = np.empty(int(start[-1]), dtype=np.int32)
        pair_key = np.empty(int(start[-1]) - n, dtype=np.int32)
        word = np.zeros(n, dtype=np.int64)
        naming = np.zeros(n, dtype=np.int64)
        compact_key = np.full(n, -1, dtype=np.int32)
        apart: set[int] = set()
        for nid, (text, codes) in enumerate(zip(index.name_tokens, index.name_kinds,
                                                strict=True)):
            toks = text.split(" ")
            a = int(start[nid])
            if len(toks) != int(start[nid + 1]) - a or len(toks) > 62:
                raise ValueError(f"name {nid}: tokens and weights disagree")
            token_key[a : a + len(toks)] = [where[t] for t in toks]
            token_len[a : a + len(toks)] = [len(t) for t in toks]
            pair_key[a - nid : a - nid + len(toks) - 1] = [
                where[x + y] for x, y in pairwise(toks)]
            kinds = [_KIND_OF[c] for c in codes]
            word[nid] = sum(1 << j for j, k in enumerate(kinds) if k == WORD)
            naming[nid] = sum(1 << j for j, k in enumerate(kinds) if k in _NAMING)
            compact = "".join(t for t, k in zip(toks, kinds, strict=True) if k in _NAMING)
            if compact:
                got = where.get(compact)
                if got is None:
                    apart.add(nid)
                else:
                    compact_key[nid] = got
        return cls(start, token_key, token_len, index.name_weights.values, pair_key, word,
                   naming, compact_key, frozenset(apart))


def _options(matcher: QueryMatcher, where: dict[str, int]) -> tuple[np.ndarray, ...]:
    """The matcher's prepared comparisons as arrays: per listed key, the query tokens like it
    (query position, similarity, how), and the query pairs merged like it."""
    kid: list[int] = []
    qi: list[int] = []
    sims: list[float] = []
    how: list[int] = []
    for t, found in matcher.single.items():
        k = where[t]
        for i, sim, h in found:
            kid.append(k)
            qi.append(i)
            sims.append(sim)
            how.append(_HOW.get(h, OTHER))
    pkid: list[int] = []
    pqi: list[int] = []
    psims: list[float] = []
    for t, merged in matcher.pair.items():
        k = where[t]
        for i, sim in merged:
            pkid.append(k)
            pqi.append(i)
            psims.append(sim)
    return (np.array(kid, dtype=np.int32), np.array(qi, dtype=np.int32),
            np.array(sims, dtype=np.float64), np.array(how, dtype=np.int8),
            np.array(pkid, dtype=np.int32), np.array(pqi, dtype=np.int32),
            np.array(psims, dtype=np.float64))


def score_candidates(table: NameTable, where: dict[str, int], matcher: QueryMatcher,
                     nids: list[int], persons: np.ndarray) -> np.ndarray:
    """The name score of each of ``nids`` (names of the index, all given to
    ``matcher.prepare``) against the matcher's query, as ``matcher.align_prepared`` gives it;
    ``persons`` says which names are of a person. NaN for a name left to the matcher."""
    q, algo = matcher.q, matcher.algo
    q_compact = where.get(q.compact, -2) if q.compact else -2
    out = np.empty(len(nids), dtype=np.float64)
    _kernel()(
        np.array(nids, dtype=np.int64), persons, table.start, table.token_key,
        table.token_len, table.weight, table.pair_key, table.word, table.naming,
        table.compact_key, *_options(matcher, where),
        np.array(matcher.qw, dtype=np.float64), matcher.q_word, q_compact,
        _params(algo), algo.merge_part_min, out)
    if table.apart:
        for c, nid in enumerate(nids):
            if nid in table.apart:
                out[c] = np.nan
    return out


def _params(algo: Algorithm) -> np.ndarray:
    return np.array([algo.unmatched_listed_person, algo.unmatched_listed,
                     algo.unmatched_query_contained, algo.contained_min_weight,
                     algo.merge_min, algo.compact_equal, CLOSE], dtype=np.float64)


_KERNEL: Any = None


def _kernel() -> Any:
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = _compile()
    return _KERNEL


def _compile() -> Any:
    from entityscreen.match.kernels import score_names  # heavy (numba)

    return score_names
