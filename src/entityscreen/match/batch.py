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
from typing import Any

import numpy as np

from entityscreen.match.index import _KIND_OF, Index
from entityscreen.match.matcher import QueryMatcher, _kind_masks
from entityscreen.match.scoring import _NAMING, CLOSE, Algorithm

__all__ = ["NameTable", "best_by_party", "score_candidates"]

# how two tokens are alike, as codes (every other way counts as OTHER)
EXACT, FUZZY, INITIAL, MERGED, OTHER = 0, 1, 2, 3, 4
_HOW = {"exact": EXACT, "fuzzy": FUZZY, "initial": INITIAL}


@dataclass(frozen=True)
class NameTable:
    """The index's names as arrays: per name its tokens (as posting-key ids, with their
    lengths and weights) from ``start[n]``, its adjacent pairs from ``start[n] - n``, masks of
    its word and naming tokens, its compact form's key id (-1: none), and whether its party
    is a person."""

    start: np.ndarray  # int64, one more than names
    token_key: np.ndarray  # int32
    token_len: np.ndarray  # int32
    weight: np.ndarray  # float64 (the index's name_weights)
    pair_key: np.ndarray  # int32
    word: np.ndarray  # int64 masks
    naming: np.ndarray  # int64 masks
    compact_key: np.ndarray  # int32
    person: np.ndarray  # bool
    # ids past the posting keys for compact forms that are no posting key (none, as built)
    extra_compacts: dict[str, int]

    def compact_id(self, compact: str, where: dict[str, int]) -> int:
        """The key id of a query's compact form (-2: none, so never equal to a name's)."""
        if not compact:
            return -2
        got = where.get(compact)
        return got if got is not None else self.extra_compacts.get(compact, -2)

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
        extra: dict[str, int] = {}
        for nid, (text, codes) in enumerate(zip(index.name_tokens, index.name_kinds,
                                                strict=True)):
            toks = text.split(" ")
            a = int(start[nid])
            if len(toks) != int(start[nid + 1]) - a:
                raise ValueError(f"name {nid}: tokens and weights disagree")
            if len(toks) > 62:  # (analysis keeps at most MAX_TOKENS, far fewer)
                raise ValueError(f"name {nid}: {len(toks)} tokens do not fit a 64-bit mask")
            token_key[a : a + len(toks)] = [where[t] for t in toks]
            token_len[a : a + len(toks)] = [len(t) for t in toks]
            pair_key[a - nid : a - nid + len(toks) - 1] = [
                where[x + y] for x, y in pairwise(toks)]
            kinds = tuple(_KIND_OF[c] for c in codes)
            word[nid], naming[nid] = _kind_masks(kinds)
            compact = "".join(t for t, k in zip(toks, kinds, strict=True) if k in _NAMING)
            if compact:
                got = where.get(compact)
                if got is None:
                    got = extra.setdefault(compact, len(where) + len(extra))
                compact_key[nid] = got
        person = np.array([t == "person" for t in index.party_types],
                          dtype=bool)[index.name_party]
        return cls(start, token_key, token_len, index.name_weights.values, pair_key, word,
                   naming, compact_key, person, extra)


def _options(matcher: QueryMatcher, where: dict[str, int]) -> tuple[np.ndarray, ...]:
    """The matcher's prepared comparisons as arrays, in the order it made them: the listed
    key, query position, similarity and how of each; then the same of the query pairs merged
    like a listed token."""
    if matcher.found:
        ts, qi, sims, hows = zip(*matcher.found, strict=True)
        single = (np.fromiter(map(where.__getitem__, ts), dtype=np.int32, count=len(ts)),
                  np.array(qi, dtype=np.int32), np.array(sims, dtype=np.float64),
                  np.fromiter(map(_how_code, hows), dtype=np.int8, count=len(hows)))
    else:
        single = (_NO_INT, _NO_INT, _NO_FLOAT, _NO_HOW)
    if matcher.merged:
        ts, qi, sims = zip(*matcher.merged, strict=True)
        pair = (np.fromiter(map(where.__getitem__, ts), dtype=np.int32, count=len(ts)),
                np.array(qi, dtype=np.int32), np.array(sims, dtype=np.float64))
    else:
        pair = (_NO_INT, _NO_INT, _NO_FLOAT)
    return single + pair


_NO_INT = np.zeros(0, dtype=np.int32)
_NO_FLOAT = np.zeros(0, dtype=np.float64)
_NO_HOW = np.zeros(0, dtype=np.int8)
_how_code = lambda how: _HOW.get(how, OTHER)  # noqa: E731


def score_candidates(table: NameTable, where: dict[str, int], matcher: QueryMatcher,
                     nids: list[int]) -> np.ndarray:
    """The name score of each of ``nids`` (names of the index, all given to
    ``matcher.prepare``) against the matcher's query, as ``matcher.align_prepared`` gives it
    (the names of a person's party aligned as a person's)."""
    out = np.empty(len(nids), dtype=np.float64)
    _kernels().score_names(
        np.array(nids, dtype=np.int64), table.person, table.start, table.token_key,
        table.token_len, table.weight, table.pair_key, table.word, table.naming,
        table.compact_key, *_options(matcher, where),
        np.array(matcher.qw, dtype=np.float64), matcher.q_word,
        table.compact_id(matcher.q.compact, where), _params(matcher.algo),
        matcher.algo.merge_part_min, out)
    return out


def best_by_party(table: NameTable, where: dict[str, int], matcher: QueryMatcher,
                  nids: list[int], owner: np.ndarray, keep: set[int],
                  ) -> list[tuple[int, float, int]]:
    """Per party of the candidates ``nids``, its best name as (party, name score, name id),
    parties in the order their first scoring name comes (ties keep the first name); a party
    scores when a name scores above 0, or when it is in ``keep`` (it carries an identifier
    the query gives)."""
    scores = score_candidates(table, where, matcher, nids)
    k = _kernels()
    ids = np.array(nids, dtype=np.int64)
    n = len(nids)
    parties = np.empty(n, dtype=np.int64)
    names = np.empty(n, dtype=np.int64)
    best = np.empty(n, dtype=np.float64)
    kept = np.array(sorted(keep), dtype=np.int64) if keep else _NO_KEEP
    m = k.best_by_party(ids, scores, owner, kept, parties, names, best)
    return list(zip(parties[:m].tolist(), best[:m].tolist(), names[:m].tolist(), strict=True))


_NO_KEEP = np.zeros(0, dtype=np.int64)


def _params(algo: Algorithm) -> np.ndarray:
    return np.array([algo.unmatched_listed_person, algo.unmatched_listed,
                     algo.unmatched_query_contained, algo.contained_min_weight,
                     algo.merge_min, algo.compact_equal, CLOSE], dtype=np.float64)


def _kernels() -> Any:
    from entityscreen.match import kernels  # heavy (numba): imported by long runs only

    return kernels
