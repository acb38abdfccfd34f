"""The 50 % rules at scale: N ownership holdings in the shape of GLEIF Level-2 data.

Target (issue 6): 10,000,000 holdings evaluated (both readings: known shares, and unknown shares
as 100 %) in at most 2 minutes and 4 GB on this 2-core machine; one party's verdict with its
paths in at most 50 ms.

The generated graph (seeded, reproducible), shaped like GLEIF relationship data:

- 0.75 N companies and 0.05 N investors (persons, funds: owned by nobody);
- 70 % of holdings are "direct parent" links: every company but the first few thousand gets
  one parent drawn from earlier companies with a strong lean to the early ones (a few huge
  groups, many small ones), share 100 % (60 %), unknown (25 %, a consolidation without a
  percentage) or 50-100 % (15 %);
- 30 % are minority stakes of 1-49 % in companies without a 100 % parent, held by investors
  (95 %) or other companies (5 %: cross-holdings, which also make cycles and some totals over
  100 %);
- 5 % of holdings ended in the past (inactive on the evaluation date), 0.1 % are duplicates;
- 20,000 random parties are listed (the SDN list is ~17,000 entries).

Measured: the vectorised preparation (dates, duplicates, self-ownership) plus both rule readings
with the array engine; peak RSS of the process; then the holdings are written to an ownership
store (sqlite, as ``ownership import`` writes them) and 300 parties restricted by extension get
their verdict the way ``owners`` / ``search`` do: walk up the store, prepare, evaluate both
rules, collect paths. ``ownership check`` (read the whole store into arrays, both rules) is
timed on the same store.

Run with the entityscreen venv's python:  python bench/ownership_bench.py [--edges 10000000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from entityscreen.ownership.bulk import check_store
from entityscreen.ownership.engine import evaluate
from entityscreen.ownership.fast import NO_END, NO_START, evaluate_arrays, strip
from entityscreen.ownership.graph import prepare
from entityscreen.ownership.model import Seed
from entityscreen.ownership.store import OwnershipStore, SourceInfo

ON = 20_790  # 2026-12-03 as days since 1970
LISTED = 20_000


def generate(n_edges: int, seed: int = 6) -> tuple[int, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    companies = int(n_edges * 0.75)
    n = int(n_edges * 0.8)  # the rest are investors: persons and funds that nobody owns
    n_tree = int(n_edges * 0.7)
    child = rng.choice(np.arange(5_000, companies), size=n_tree, replace=False).astype(np.int64)
    parent = (child * rng.random(n_tree) ** 3).astype(np.int64)
    kind = rng.random(n_tree)
    tree_share = np.where(kind < 0.6, 100.0, np.where(kind < 0.85, np.nan,
                                                      rng.uniform(50, 100, n_tree)))
    n_min = n_edges - n_tree
    # minority stakes: mostly investors, 5 % other companies (cross-holdings, some cycles),
    # in companies without a 100 % parent (group roots and partly held ones)
    mo = np.where(rng.random(n_min) < 0.95, rng.integers(companies, n, n_min),
                  rng.integers(0, companies, n_min))
    open_to = np.concatenate([np.arange(5_000), child[tree_share != 100.0]])
    md = rng.choice(open_to, size=n_min)
    owner = np.concatenate([parent, mo]).astype(np.int32)
    owned = np.concatenate([child, md]).astype(np.int32)
    share = np.concatenate([tree_share, rng.uniform(1, 49, n_min)])
    dup = rng.random(n_edges) < 0.001
    owner[dup] = np.roll(owner, 1)[dup]
    owned[dup] = np.roll(owned, 1)[dup]
    share[dup] = np.roll(share, 1)[dup]
    start = np.full(n_edges, NO_START, dtype=np.int32)
    end = np.where(rng.random(n_edges) < 0.05, ON - rng.integers(1, 3000, n_edges),
                   NO_END).astype(np.int32)
    return n, {"owner": owner, "owned": owned, "share": share, "start": start, "end": end}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edges", type=int, default=10_000_000)
    ap.add_argument("--verdicts", type=int, default=300)
    ap.add_argument("--no-store", action="store_true", help="skip the sqlite part")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    t0 = time.perf_counter()
    n, a = generate(args.edges)
    print(f"generated {args.edges:,} holdings over {n:,} parties in "
          f"{time.perf_counter() - t0:.1f} s (not part of the figure)")
    rng = np.random.default_rng(7)
    seeds = np.zeros(n, dtype=bool)
    seeds[rng.choice(n, LISTED, replace=False)] = True

    t0 = time.perf_counter()
    g, removed = strip(a["owner"], a["owned"], a["share"], n, start=a["start"], end=a["end"],
                       on=ON)
    t_strip = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = evaluate_arrays(g, seeds, 50.0, removed)
    t_eval = time.perf_counter() - t1
    total = time.perf_counter() - t0
    extended = np.flatnonzero(result.certain > 0)
    unknown = np.flatnonzero((result.possible >= 0) & (result.certain < 0))
    print(f"prepared in {t_strip:.1f} s (set aside: {removed}); evaluated in {t_eval:.1f} s "
          f"({result.rounds} rounds)")
    print(f"TOTAL {total:.1f} s for {args.edges:,} holdings = "
          f"{args.edges / total / 1e6:.2f} M holdings/s; peak RSS {rss_mb():,.0f} MB")
    print(f"{LISTED:,} listed -> {len(extended):,} restricted by extension, "
          f"{len(unknown):,} ownership unknown; {result.over_100:,} parties over 100 %; "
          f"{result.on_cycles:,} parties on or between cycles")
    print(f"load average after: {os.getloadavg()}")
    if args.no_store:
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ownership.sqlite"
        t0 = time.perf_counter()
        with OwnershipStore.open(path) as store:
            c = store.conn
            c.execute("BEGIN")
            for name in ("edges_owned", "edges_owner", "edges_source"):
                c.execute(f"DROP INDEX {name}")
            step = 500_000
            # parties first (row number i + 1 for party i), as an import writes them
            for i in range(0, n, step):
                c.executemany("INSERT INTO nodes VALUES (?, ?, ?, NULL, NULL, NULL, NULL, NULL)",
                              ((f"p{k}", f"p{k}", f"p{k}") for k in range(i, min(n, i + step))))
            for i in range(0, args.edges, step):
                rows = zip(a["owner"][i:i + step].tolist(), a["owned"][i:i + step].tolist(),
                           a["share"][i:i + step].tolist(), a["end"][i:i + step].tolist(),
                           strict=True)
                c.executemany(
                    "INSERT INTO edges VALUES "
                    "('bench', ?, ?, ?, 'ownership', NULL, ?, NULL, '', ?, ?)",
                    ((f"p{o}", f"p{d}", None if s != s else s,
                      None if e == NO_END else "2020-01-01", o + 1, d + 1)
                     for o, d, s, e in rows))
            c.execute("CREATE INDEX edges_owned ON edges(owned)")
            c.execute("CREATE INDEX edges_owner ON edges(owner)")
            c.execute("COMMIT")
            store.replace_source(SourceInfo("x", "bench", "", "", "", 0, 0, ""), [], [], [])
            print(f"store written in {time.perf_counter() - t0:.1f} s "
                  f"({path.stat().st_size / 1e9:.2f} GB)")
            seed_map = {f"p{i}": Seed(f"p{i}", "SDN", "Blocked") for i in np.flatnonzero(seeds)}
            t = time.perf_counter()
            checked = check_store(store, {"ofac_50": set(seed_map),
                                          "bis_affiliates": set(seed_map)}, "2026-12-03")
            print(f"`ownership check` from the store (read {checked.holdings:,} holdings into "
                  f"arrays, both rules): {time.perf_counter() - t:.1f} s; "
                  f"{len(checked.rules[0].extended):,} restricted by extension; "
                  f"peak RSS {rss_mb():,.0f} MB")
            picks = random.Random(8).sample(list(extended), min(args.verdicts, len(extended)))
            times, sizes, paths = [], [], []
            for i in picks:
                key = f"p{i}"
                t = time.perf_counter()
                up = store.walk(key, up=True)
                prepared = prepare(up, "2026-12-03")
                # as Ownership.verdicts does: only the parties above this one can be seeds
                near = {k: seed_map[k] for e in up for k in (e.owner, e.owned) if k in seed_map}
                for rule in ("ofac_50", "bis_affiliates"):
                    v = evaluate(rule, prepared.edges, near,
                                 cycles=prepared.cycles).verdict(key)
                times.append((time.perf_counter() - t) * 1000)
                sizes.append(len(up))
                paths.append(len(v.paths))
            times.sort()
            print(f"one party's verdict (both rules, with paths), {len(times)} parties "
                  f"restricted by extension: median {statistics.median(times):.1f} ms, "
                  f"p95 {times[int(len(times) * 0.95)]:.1f} ms, max {times[-1]:.1f} ms; "
                  f"holdings above a party: median {statistics.median(sizes):.0f}, "
                  f"max {max(sizes)}; paths: median {statistics.median(paths):.0f}")
    print(f"peak RSS {rss_mb():,.0f} MB; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
