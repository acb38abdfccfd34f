"""``ownership check``: every imported holding evaluated at once with the array engine.

The store's holdings are read as plain rows into arrays (no objects per holding), prepared for
the date and evaluated for each rule; only the parties the rules restrict get their names read
back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from entityscreen.ownership.fast import NO_END, NO_START, ArrayGraph, evaluate_arrays, strip
from entityscreen.ownership.rules import RULES, in_force
from entityscreen.ownership.store import OwnershipStore

__all__ = ["CheckResult", "RuleCheck", "check_store", "load_arrays"]

_EPOCH = date(1970, 1, 1)
# Holdings read from the store per fetch: bounds the Python objects alive at once.
FETCH = 200_000


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    in_force: bool
    listed: int  # parties in the data matched to a listing the rule starts from
    extended: tuple[tuple[str, float], ...]  # (key, % held by restricted owners)
    unknown: tuple[str, ...]  # could reach the threshold: shares unknown
    rounds: int


@dataclass(frozen=True)
class CheckResult:
    on: str
    parties: int
    holdings: int
    removed: dict[str, int]
    over_100: int
    on_cycles: int
    rules: tuple[RuleCheck, ...]
    names: dict[str, str]  # of the parties in ``rules``


def _day(iso: str | None, default: int) -> int:
    return default if not iso else (date.fromisoformat(iso[:10]) - _EPOCH).days


def load_arrays(store: OwnershipStore, on: str) -> tuple[list[str], ArrayGraph, dict[str, int]]:
    ids: dict[str, int] = {}
    put = ids.setdefault
    parts: list[tuple[np.ndarray, ...]] = []
    cur = store.conn.execute(
        "SELECT owner, owned, CASE WHEN basis = 'branch' THEN 100.0 ELSE share END, start, end_ "
        "FROM edges")
    while rows := cur.fetchmany(FETCH):
        owner, owned, share, start, end = zip(*rows, strict=True)
        parts.append((
            np.array([put(k, len(ids)) for k in owner], dtype=np.int32),
            np.array([put(k, len(ids)) for k in owned], dtype=np.int32),
            np.array(share, dtype=np.float64),  # None (unknown) becomes NaN
            np.array([NO_START if d is None else _day(d, NO_START) for d in start],
                     dtype=np.int32),
            np.array([NO_END if d is None else _day(d, NO_END) for d in end], dtype=np.int32)))
    if parts:
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    else:
        cols = [np.zeros(0, dtype=t) for t in (np.int32, np.int32, np.float64, np.int32,
                                                np.int32)]
    g, removed = strip(cols[0], cols[1], cols[2], len(ids), start=cols[3], end=cols[4],
                       on=_day(on, 0))
    return list(ids), g, removed


def check_store(store: OwnershipStore, seeds: Mapping[str, set[str]], on: str) -> CheckResult:
    """Each rule over every holding; ``seeds`` maps a rule to the keys it starts from."""
    keys, g, removed = load_arrays(store, on)
    index = {k: i for i, k in enumerate(keys)}
    rules = []
    over_100 = on_cycles = 0
    for rule in RULES:
        mask = np.zeros(g.n, dtype=bool)
        mask[[index[k] for k in seeds.get(rule, ()) if k in index]] = True
        period = in_force(rule, on)
        result = evaluate_arrays(g, mask, period.threshold if period else 50.0, removed)
        over_100, on_cycles = result.over_100, result.on_cycles
        ext = np.flatnonzero(result.certain > 0)
        unk = np.flatnonzero((result.possible >= 0) & (result.certain < 0))
        rules.append(RuleCheck(rule, period is not None, int(mask.sum()),
                               tuple((keys[i], round(float(result.held[i]), 6)) for i in ext),
                               tuple(keys[i] for i in unk), result.rounds))
    named = {k for r in rules for k in (*(x for x, _ in r.extended), *r.unknown)}
    names = {k: n.name for k, n in store.nodes(named).items()}
    return CheckResult(on, g.n, len(g.owner), removed, over_100, on_cycles, tuple(rules), names)
