"""Retrieval's numeric core: the compiled implementation finds what the numpy one finds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from entityscreen.match.accumulate import _best, compiled, reference
from entityscreen.match.analysis import analyze
from entityscreen.match.index import Retrieval
from entityscreen.match.scoring import ALGORITHMS, weights

N = 300  # ids in the random cases
ids_strategy = st.lists(st.integers(0, N - 1), max_size=80).map(lambda x: sorted(set(x)))


def _run(core, lists, gains, initials, owner, limit, pool, floor):  # type: ignore[no-untyped-def]
    gather, credit, rank = core
    acc = np.zeros(N, dtype=np.float32)
    ids = gather([np.array(x, dtype=np.int32) for x in lists], gains, acc, 8)
    found = ids.tolist()
    for words, exact, gain in initials:
        credit(ids, np.array(words, dtype=np.int32),
               None if exact is None else np.array(exact, dtype=np.int32), acc, gain)
    out = rank(ids, acc, owner, limit, pool, 3, floor) if len(ids) else []
    assert not acc.any()  # the accumulator is left clean for the next query
    return found, out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(ids_strategy.filter(bool), st.sampled_from([0.3, 0.5, 1.25, 2.0, 4.5])),
             max_size=6),
    st.lists(st.tuples(ids_strategy, st.none() | ids_strategy, st.sampled_from([0.4, 1.6])),
             max_size=2),
    st.integers(1, 12), st.integers(1, 40), st.sampled_from([0.0, 1.0, 3.0]), st.integers(1, 60),
)
def test_compiled_core_equals_the_numpy_core(  # type: ignore[no-untyped-def]
    keyed, initials, limit, pool, floor, parties
) -> None:
    # tied scores, common lists (over 8 ids) and aliases of one party all occur here
    owner_list = [i % parties for i in range(N)]
    lists = [x for x, _g in keyed]
    gains = [g for _x, g in keyed]
    want = _run(reference(), lists, gains, initials, owner_list, limit, pool, floor)
    got = _run(compiled(), lists, gains, initials, np.array(owner_list, dtype=np.int32), limit,
               pool, floor)
    assert got == want


def test_compiled_retrieval_finds_what_numpy_retrieval_finds(screener) -> None:  # type: ignore[no-untyped-def]
    # listed names, and as customers misspell them: a typo, an initial, a dropped word
    index = screener.index
    queries = []
    for nid in range(0, index.n_names, 97):
        name = index.name_text[nid]
        words = name.split()
        queries += [name, name[:3] + name[4:], " ".join([*words[1:], words[0][:1]]),
                    " ".join(words[:-1])]
    analysed = [q for q in map(analyze, queries) if q.tokens]
    for algo in ALGORITHMS.values():
        r: Retrieval = algo.retrieval
        qws = [weights(q, index.weight) for q in analysed]
        before = index._core, index._compiled
        index._core, index._compiled = reference(), False
        try:
            want = [index.candidates(q, r, w) for q, w in zip(analysed, qws, strict=True)]
            index.compile()
            got = [index.candidates(q, r, w) for q, w in zip(analysed, qws, strict=True)]
        finally:
            index._core, index._compiled = before
        assert got == want
        assert sum(map(len, got)) > len(analysed)  # the cases do retrieve names


@given(st.lists(st.sampled_from([0.5, 1.0, 1.5, 2.0]), min_size=2, max_size=60), st.data())
def test_the_candidate_pool_cut_keeps_the_best_and_the_lowest_of_the_tied(
    scores: list[float], data: st.DataObject
) -> None:
    # names tied at the pool's cut come from the lowest ids (retrieval's ids are sorted), so
    # which names are scored never depends on numpy's partition algorithm
    n = data.draw(st.integers(1, len(scores) - 1))
    got = _best(np.array(scores, dtype=np.float32), n)
    expected = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:n]
    assert sorted(got.tolist()) == sorted(expected)

