"""The OFAC 50 % rule's worked examples (FAQs 398, 399, 401) and the engine's properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entityscreen.ownership.engine import evaluate, fixed_point
from entityscreen.ownership.graph import prepare
from entityscreen.ownership.model import Basis, Edge, Seed, Status

TODAY = "2026-12-03"


def seeds(*keys: str) -> dict[str, Seed]:
    return {k: Seed(k, "OFAC SDN", "Blocked") for k in keys}


def run(edges: list[Edge], blocked: tuple[str, ...] = ("X",)):
    return evaluate("ofac_50", prepare(edges, TODAY).edges, seeds(*blocked))


def e(owner: str, owned: str, share: float | None, **kw) -> Edge:
    return Edge(owner, owned, share, **kw)


# (name, edges, blocked owners, expected status of every other party)
WORKED = [
    ("FAQ 401 example 1: indirect through a blocked subsidiary",
     [e("X", "A", 50), e("A", "B", 50)], ("X",),
     {"A": Status.EXTENDED, "B": Status.EXTENDED}),
    ("FAQ 401 example 2: two blocked subsidiaries own 25 % each",
     [e("X", "A", 50), e("X", "B", 50), e("A", "C", 25), e("B", "C", 25)], ("X",),
     {"A": Status.EXTENDED, "B": Status.EXTENDED, "C": Status.EXTENDED}),
    ("FAQ 401 example 3: direct 10 % plus 40 % through a blocked subsidiary",
     [e("X", "A", 50), e("X", "B", 10), e("A", "B", 40)], ("X",),
     {"A": Status.EXTENDED, "B": Status.EXTENDED}),
    ("FAQ 401: intermediates not blocked, nothing passes through",
     [e("X", "A", 25), e("X", "B", 25), e("A", "C", 50), e("B", "C", 50)], ("X",),
     {"A": Status.CLEAR, "B": Status.CLEAR, "C": Status.CLEAR}),
    ("FAQ 399: aggregated across two blocked persons",
     [e("X", "B", 25), e("Y", "B", 25)], ("X", "Y"), {"B": Status.EXTENDED}),
    ("direct 50 %", [e("X", "A", 50)], ("X",), {"A": Status.EXTENDED}),
    ("49.99 % is not 50 %", [e("X", "A", 49.99)], ("X",), {"A": Status.CLEAR}),
    ("FAQ 398: control without ownership does not count",
     [e("X", "A", None, basis=Basis.CONTROL), e("X", "A2", 10)], ("X",),
     {"A": Status.CLEAR, "A2": Status.CLEAR}),
    ("unknown share of a blocked owner: due diligence, not clear",
     [e("X", "A", None), e("A", "B", 100)], ("X",),
     {"A": Status.UNKNOWN, "B": Status.UNKNOWN}),
    ("unknown share beside a known 50 %: blocked",
     [e("X", "A", 50), e("Y", "A", None)], ("X", "Y"), {"A": Status.EXTENDED}),
]


def test_worked_examples() -> None:
    for name, edges, blocked, expected in WORKED:
        ev = run(edges, blocked)
        got = {k: ev.status(k) for k in expected}
        assert got == expected, name
        for k in blocked:
            assert ev.status(k) is Status.LISTED, name


def test_example_3_paths_and_aggregate() -> None:
    ev = run([e("X", "A", 50), e("X", "B", 10), e("A", "B", 40)])
    v = ev.verdict("B")
    assert v.aggregate == 50
    assert sorted(tuple((s.owner, s.owned, s.share) for s in p.steps) for p in v.paths) == [
        (("X", "A", 50), ("A", "B", 40)),
        (("X", "B", 10),),
    ]
    assert {(c.owner, c.share) for c in v.owners} == {("X", 10), ("A", 40)}
    assert v.restriction == "Blocked"


def test_cycle_terminates_and_is_reported() -> None:
    edges = [e("X", "A", 60), e("A", "B", 50), e("B", "A", 40), e("C", "D", 50),
             e("D", "C", 50)]
    prepared = prepare(edges, TODAY)
    assert [i.message for i in prepared.issues if i.kind == "cycle"] == [
        "ownership cycle: A → B → A; evaluated to a fixed point",
        "ownership cycle: C → D → C; evaluated to a fixed point"]
    ev = evaluate("ofac_50", prepared.edges, seeds("X"))
    assert ev.status("B") is Status.EXTENDED
    assert ev.status("C") is Status.CLEAR
    assert any("cycle" in n for n in ev.verdict("A").notes)
    assert all(p.steps for p in ev.verdict("B").paths)


def test_bad_input_reported_never_counted_twice() -> None:
    edges = [
        e("X", "A", 30, source="a.csv", record="line 2"),
        e("X", "A", 30, source="b.csv", record="line 7"),  # the same holding from two sources
        e("X", "X", 100, source="a.csv", record="line 3"),
        e("X", "B", -5, source="a.csv", record="line 4"),
        e("P", "C", 70), e("Q", "C", 60),
    ]
    prepared = prepare(edges, TODAY)
    kinds = sorted(i.kind for i in prepared.issues)
    assert kinds == ["bad share", "duplicate", "over 100 %", "self-ownership"]
    assert run(edges).status("A") is Status.CLEAR  # 30 %, not 60 %
    dup = next(i for i in prepared.issues if i.kind == "duplicate")
    assert "a.csv line 2" in dup.message and "b.csv line 7" in dup.message


@pytest.mark.parametrize(("first", "second", "counted", "why"), [
    ({"share": 30}, {"share": 30}, 30, ""),
    ({"share": 30}, {"share": 45}, 45, ", as 45 % (the larger share)"),
    ({"share": 45, "as_of": "2023-01-01"}, {"share": 30, "as_of": "2024-01-01"}, 30,
     ", as 30 % (the later statement)"),
    ({"share": None}, {"share": 20}, 20, ", as 20 % (the known share)"),
])
def test_one_holding_from_two_sources_is_counted_once(first, second, counted, why) -> None:  # type: ignore[no-untyped-def]
    a = e("X", "A", source="a.csv", record="line 2", **first)
    b = e("X", "A", source="b.csv", record="line 7", **second)
    for edges in ([a, b], [b, a]):  # whichever source was read first
        prepared = prepare(edges, TODAY)
        assert [x.share for x in prepared.edges] == [counted]
        (dup,) = prepared.issues
        assert dup.kind == "duplicate" and dup.message.endswith("counted once" + why)


def test_dates_decide_which_holdings_count() -> None:
    edges = [e("X", "A", 60, start="2020-01-01", end="2023-03-02")]
    assert evaluate("ofac_50", prepare(edges, "2022-06-01").edges, seeds("X")).status(
        "A") is Status.EXTENDED
    assert evaluate("ofac_50", prepare(edges, TODAY).edges, seeds("X")).status(
        "A") is Status.CLEAR


def test_most_restrictive_owner_is_inherited() -> None:
    s = {"L1": Seed("L1", "BIS EL", "some items", (1, 1)),
         "L2": Seed("L2", "BIS EL", "all items", (3, 2))}
    edges = prepare([e("L1", "A", 30), e("L2", "A", 20), e("A", "B", 100)], TODAY).edges
    ev = evaluate("bis_affiliates", edges, s)
    assert ev.verdict("A").restriction == "all items"
    assert ev.verdict("B").restriction == "all items"
    off = evaluate("bis_affiliates", edges, s, in_force=False)
    assert off.status("B") is Status.NOT_IN_FORCE


# --- properties --------------------------------------------------------------------------

NODES = [f"N{i}" for i in range(8)]
edge_st = st.builds(
    Edge, st.sampled_from(NODES), st.sampled_from(NODES),
    st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
)
graphs = st.lists(edge_st, max_size=25)
seed_sets = st.sets(st.sampled_from(NODES), max_size=3)


@settings(max_examples=200, deadline=None)
@given(graphs, seed_sets, st.randoms())
def test_order_of_edges_does_not_matter(edges, blocked, rnd) -> None:
    shuffled = list(edges)
    rnd.shuffle(shuffled)
    a, b = run(edges, tuple(blocked)), run(shuffled, tuple(blocked))
    assert a.certain.keys() == b.certain.keys()
    assert a.possible.keys() == b.possible.keys()
    for k in NODES:
        assert a.verdict(k) == b.verdict(k)


@settings(max_examples=200, deadline=None)
@given(graphs, seed_sets, st.sampled_from(NODES), st.sampled_from(NODES),
       st.floats(0, 100, allow_nan=False))
def test_adding_a_blocked_owners_share_never_unblocks(edges, blocked, owner, owned, share):
    blocked = set(blocked) | {owner}
    prepared = list(prepare(edges, "2026-01-01").edges)
    before = fixed_point(prepared, blocked)
    more = [x for x in prepared if (x.owner, x.owned) != (owner, owned)]
    old = next((x.share or 0.0 for x in prepared if (x.owner, x.owned) == (owner, owned)), 0.0)
    if owner != owned:
        more.append(Edge(owner, owned, max(old, share)))
    after = fixed_point(more, blocked)
    assert before.keys() <= after.keys()


@settings(max_examples=100, deadline=None)
@given(graphs, seed_sets)
def test_certain_within_possible_and_seeds_listed(edges, blocked) -> None:
    ev = run(edges, tuple(blocked))
    assert ev.certain.keys() <= ev.possible.keys()
    assert set(blocked) <= ev.certain.keys()
