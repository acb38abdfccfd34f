"""Where `screen` spends its time outside the engine's search: a profile with search stubbed.

    python bench/screen_profile.py                      # 100,000 rows, inline, cProfile
    python bench/screen_profile.py --rows 200000 --workers 2 --no-profile
    python bench/screen_profile.py --stages            # CPU per row of each step, one by one

``Screener.search`` is replaced, in this script's process only, by a fixed answer: the real
hits of a handful of listed names, half of them lowered to review level, given to about 4 % of
the rows (as many as the real engine flags on faker rows: 3.8 % match or review on 20,000),
chosen by a hash of the name so the same row always gets the same answer; the other rows get
no hit. Everything else is the
product's code: reading, column mapping, prepare, the pool, rendering hits (listings and
restrictions from the store), writing, the checkpoint. The figures are therefore the ceiling
the rest of `screen` puts on throughput, whatever the engine's speed.

Prints rows/s, the CPU seconds of this process and of the workers, and (with cProfile, the
default, and ``--workers 1``) the functions that take the most time in this process.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from entityscreen.bulk import screen_file
from entityscreen.model import Hit, Query
from entityscreen.screener import Screener
from entityscreen.settings import Settings
from screen_bench import LISTED, make_input

# Rows, per hundred, that get a fixed answer with hits.
FLAGGED_PERCENT = 4


def stub_search(screener: Screener) -> None:
    """Make ``Screener.search`` and ``Screener.screen`` (what a bulk run calls) return fixed
    answers (this process and forked workers)."""
    answers: list[list[Hit]] = [h for h in (screener.search(Query(n), limit=5) for n in LISTED)
                                if h]
    # the same hits below the match threshold: rows to review (real runs have more of those)
    answers += [[replace(h, match=False, score=min(h.score, 0.75)) for h in a]
                for a in answers]

    def search(self: Screener, query: Query, *, limit: int | None = None,
               threshold: float | None = None, exhaustive: bool = False) -> list[Hit]:
        h = zlib.crc32(query.name.encode())
        if h % 100 >= FLAGGED_PERCENT:
            return []
        return answers[(h // 100) % len(answers)][: limit or 5]

    def screen(self: Screener, query: Query, *, floor: float, limit: int | None = None,
               threshold: float | None = None) -> tuple[float | None, list[Hit]]:
        hits = search(self, query, limit=limit)
        return (hits[0].score if hits else None,
                [h for h in hits if h.match or h.score >= floor])

    Screener.search = search  # type: ignore[method-assign]
    Screener.screen = screen  # type: ignore[method-assign]


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def stages(screener: Screener, source: Path, folder: Path, fmt: str) -> None:
    """CPU time per row of each step of a run, timed one by one over the same chunks (as
    ``run.screen_file`` does them, without a pool; ``pickle`` is what a pool adds: the chunk
    out and its answers back). Unlike cProfile, this neither inflates small calls nor misses
    the pool's pickling threads."""
    import pickle
    from collections import defaultdict
    from itertools import islice

    from entityscreen.bulk.columns import Columns, resolve
    from entityscreen.bulk.pool import Answers, Job, screen_chunk
    from entityscreen.bulk.readers import open_table
    from entityscreen.bulk.run import CHUNK_ROWS, _outcomes
    from entityscreen.bulk.summary import Summary
    from entityscreen.bulk.writers import ResultsFile, RunContext

    spent: defaultdict[str, float] = defaultdict(float)

    def timed(step: str, started: float) -> float:
        now = time.process_time()
        spent[step] += now - started
        return now

    table = open_table(source)
    mapping = resolve(table.headers, Columns(), table.label)
    ctx = RunContext(3, {v.source: v.version for v in screener.versions},
                     screener.algorithm.name)
    results = ResultsFile(folder / f"stages-out.{fmt}", fmt, ctx)
    summary = Summary()
    rows = table.rows(mapping.used)
    answers = Answers()
    n = 0
    t = time.process_time()
    while True:
        chunk = list(islice(rows, CHUNK_ROWS))
        t = timed("read and decode the input", t)
        if not chunk:
            break
        n += len(chunk)
        job = Job([(r.row, r.fields, r.problem) for r in chunk], mapping.narrowed(), 1000, 3,
                  0.7, fmt == "jsonl")
        t = timed("make the chunk", t)
        job = pickle.loads(pickle.dumps(job))
        t = timed("pickle the chunk to a worker and back (pool only)", t)
        screened = screen_chunk(screener, job, answers)
        t = timed("worker: prepare queries + stubbed search + answer cache", t)
        screened = pickle.loads(pickle.dumps(screened))
        t = timed("pickle the answers (pool only)", t)
        outcomes = _outcomes(screener, chunk, screened, as_of=None, owners=False,
                             queries=fmt == "jsonl")
        t = timed("outcomes: decisions, hits rendered with listings", t)
        results.write(outcomes)
        results.commit()
        t = timed(f"encode and write {fmt}", t)
        for o in outcomes:
            summary.add(o)
        t = timed("counts and top hits", t)
    results.finish()
    timed(f"finish {fmt} (conversion, fsync, rename)", t)
    table.close()
    print(f"\n{n:,} rows, CPU per row by step (stubbed search):\n")
    print("| step | µs per row |\n|---|---|")
    for step, seconds in spent.items():
        print(f"| {step} | {seconds / n * 1e6:.1f} |")
    print(f"| total | {sum(spent.values()) / n * 1e6:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--format", default="csv", choices=("csv", "jsonl", "xlsx", "parquet"))
    ap.add_argument("--keep", type=Path, help="keep the input and output in this folder")
    ap.add_argument("--no-profile", action="store_true", help="time only, without cProfile")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--stages", action="store_true",
                    help="time each step of a run on its own instead (no pool, no cProfile)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / f"names-{args.rows}.csv"
        if not source.exists():
            make_input(source, args.rows)
        out = folder / f"profile-out.{args.format}"
        screener = Screener.open(Settings.from_env())
        stub_search(screener)
        screener.search(Query("warm up"))
        if args.stages:
            stages(screener, source, folder, args.format)
            return
        profiler = None if args.no_profile else cProfile.Profile()
        load = os.getloadavg()[0]
        cpu0 = _cpu()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        summary = screen_file(screener, source, out, workers=args.workers)
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu1 = _cpu()
        main_cpu, kids_cpu = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        print(f"{args.rows:,} rows, --workers {args.workers}, {args.format}, "
              f"cProfile {'off' if profiler is None else 'on'}; load average {load:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after")
        print(f"{summary.matches} match, {summary.reviews} review, {summary.clears} clear, "
              f"{summary.rejects} rejected")
        print(f"{elapsed:.1f} s, {args.rows / elapsed:,.0f} rows/s; CPU: main {main_cpu:.1f} s "
              f"({args.rows / main_cpu:,.0f} rows per main CPU-second), workers {kids_cpu:.1f} s;"
              f" peak RSS main {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
              " MB")
        if profiler is not None:
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
