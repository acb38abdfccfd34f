"""The array engine gives the same verdicts as the reference engine (property test)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from entityscreen.ownership.engine import evaluate
from entityscreen.ownership.fast import evaluate_arrays, strip
from entityscreen.ownership.graph import prepare
from entityscreen.ownership.model import Edge, Seed

N = 10
shares = st.one_of(st.none(), st.sampled_from([0, 10, 25, 40, 49.99, 50, 60, 100]),
                   st.floats(0, 100, allow_nan=False))
edges_st = st.lists(st.tuples(st.integers(0, N - 1), st.integers(0, N - 1), shares),
                    max_size=40)


@settings(max_examples=300, deadline=None)
@given(edges_st, st.sets(st.integers(0, N - 1), max_size=3))
def test_fast_agrees_with_reference(rows, seed_ids) -> None:
    edges = [Edge(str(o), str(d), s) for o, d, s in rows]
    ref = evaluate("ofac_50", prepare(edges, "2026-01-01").edges,
                   {str(k): Seed(str(k), "t", "t") for k in seed_ids})
    owner = np.array([o for o, _, _ in rows], dtype=np.int32)
    owned = np.array([d for _, d, _ in rows], dtype=np.int32)
    share = np.array([np.nan if s is None else s for _, _, s in rows], dtype=np.float64)
    g, _removed = strip(owner, owned, share, N)
    seeds = np.zeros(N, dtype=bool)
    seeds[list(seed_ids)] = True
    got = evaluate_arrays(g, seeds)
    assert {str(i) for i in np.flatnonzero(got.certain >= 0)} == set(ref.certain)
    assert {str(i) for i in np.flatnonzero(got.possible >= 0)} == set(ref.possible)
    for k, lvl in ref.certain.items():
        assert got.certain[int(k)] == lvl
        assert abs(got.held[int(k)] - ref.aggregate(k)) < 1e-6 or k in ref.seeds


def test_strip_reports_what_it_removes() -> None:
    owner = np.array([0, 0, 1, 2, 2], dtype=np.int32)
    owned = np.array([1, 1, 1, 3, 3], dtype=np.int32)
    share = np.array([30, 30, 50, -1, np.nan])
    start = np.array([0, 0, 0, 0, 100], dtype=np.int32)
    end = np.array([10**6] * 5, dtype=np.int32)
    g, removed = strip(owner, owned, share, 4, start=start, end=end, on=50)
    assert removed == {"inactive": 1, "self-ownership": 1, "bad share": 1, "duplicate": 1}
    assert list(zip(g.owner, g.owned, g.share, strict=True)) == [(0, 1, 30.0)]


def test_cycles_are_counted_and_terminate() -> None:
    owner = np.array([0, 1, 2, 3], dtype=np.int32)
    owned = np.array([1, 2, 1, 4], dtype=np.int32)
    g, _ = strip(owner, owned, np.array([60.0, 50, 50, 100]), 5)
    seeds = np.array([True, False, False, False, False])
    r = evaluate_arrays(g, seeds)
    assert r.on_cycles == 2
    assert list(np.flatnonzero(r.certain >= 0)) == [0, 1, 2]


def test_large_subgraphs_use_arrays_with_the_same_rounds() -> None:
    import random

    from entityscreen.ownership.engine import ARRAYS_FROM, fixed_point

    rnd = random.Random(3)
    edges = prepare([Edge(f"n{rnd.randrange(300)}", f"n{rnd.randrange(300)}",
                          rnd.choice([None, 20.0, 50.0, 100.0, rnd.uniform(0, 100)]))
                     for _ in range(3 * ARRAYS_FROM)], "2026-01-01").edges
    assert len(edges) >= ARRAYS_FROM
    seeds = {f"n{i}": Seed(f"n{i}", "t", "t") for i in range(0, 300, 25)}
    ev = evaluate("ofac_50", edges, seeds)
    assert ev.certain == fixed_point(edges, seeds)
    assert ev.possible == fixed_point(edges, seeds, unknown_as=100.0)
    assert len(ev.certain) > len(seeds)
