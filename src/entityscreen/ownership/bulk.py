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


def load_arrays(store: OwnershipStore, on: str) -> tuple[ArrayGraph, dict[str, int]]:
    """Every holding as arrays over the parties' row numbers, prepared for ``on``."""
    n = (store.conn.execute("SELECT max(rowid) FROM nodes").fetchone()[0] or 0) + 1
    parts: list[tuple[np.ndarray, ...]] = []
    cur = store.conn.execute(
        "SELECT owner_n, owned_n, CASE WHEN basis = 'branch' THEN 100.0 ELSE share END, "
        "start, end_ FROM edges")
    while rows := cur.fetchmany(FETCH):
        owner, owned, share, start, end = zip(*rows, strict=True)
        parts.append((
            np.array(owner, dtype=np.int32), np.array(owned, dtype=np.int32),
            np.array(share, dtype=np.float64),  # None (unknown) becomes NaN
            np.array([NO_START if d is None else _day(d, NO_START) for d in start],
                     dtype=np.int32),
            np.array([NO_END if d is None else _day(d, NO_END) for d in end], dtype=np.int32)))
    if parts:
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    else:
        cols = [np.zeros(0, dtype=t) for t in (np.int32, np.int32, np.float64, np.int32,
                                                np.int32)]
    return strip(cols[0], cols[1], cols[2], n, start=cols[3], end=cols[4], on=_day(on, 0))


def check_store(store: OwnershipStore, seeds: Mapping[str, set[str]], on: str) -> CheckResult:
    """Each rule over every holding; ``seeds`` maps a rule to the keys it starts from."""
    g, removed = load_arrays(store, on)
    rules = []
    over_100 = on_cycles = 0
    found: list[tuple[str, bool, int, np.ndarray, np.ndarray, np.ndarray, int]] = []
    for rule in RULES:
        mask = np.zeros(g.n, dtype=bool)
        mask[list(store.row_numbers(seeds.get(rule, ())).values())] = True
        period = in_force(rule, on)
        result = evaluate_arrays(g, mask, period.threshold if period else 50.0, removed)
        over_100, on_cycles = result.over_100, result.on_cycles
        ext = np.flatnonzero(result.certain > 0)
        unk = np.flatnonzero((result.possible >= 0) & (result.certain < 0))
        found.append((rule, period is not None, int(mask.sum()), ext, result.held[ext], unk,
                      result.rounds))
    key = store.keys_of(int(i) for _, _, _, ext, _, unk, _ in found for i in (*ext, *unk))
    for rule, active, listed, ext, held, unk, rounds in found:
        rules.append(RuleCheck(rule, active, listed,
                               tuple((key[int(i)], round(float(h), 6))
                                     for i, h in zip(ext, held, strict=True)),
                               tuple(key[int(i)] for i in unk), rounds))
    names = {k: n.name for k, n in store.nodes(key.values()).items()}
    parties = int(np.unique(np.concatenate([g.owner, g.owned])).size)
    return CheckResult(on, parties, len(g.owner), removed, over_100, on_cycles, tuple(rules),
                       names)
