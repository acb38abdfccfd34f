"""One command for every benchmark figure of entityscreen, with OpenSanctions' matchers alongside.

    python bench/run.py [--quick] [--no-peers] [--no-index-recall] [--scale] [--limit N]
                        [--home DIR] [--cases FILE]

Runs in the entityscreen venv (standard library + entityscreen). It prints, and writes to
bench/RESULTS.md:

(a) the shared runner over the dev cases for entityscreen (``entityscreen search --json -``) and
    for the peers (``peer_search.py`` with logic-v2, logic-v1, ofac, in ``bench/.peers``);
(b) in-process single-query latency of ``Screener.search``;
(c) streaming throughput of ``search --json -`` over N queries;
(d) index build time and peak RSS in a fresh process, cold start-up of a one-shot search;
(e) entityscreen's queries/s over logic-v2's in the same run;
(f) index recall: what the fast candidate retrieval loses against an exhaustive search
    (``index_recall.py``; ``--no-index-recall`` skips it);
(g) with ``--scale``: an index of over a million names, listed plus synthetic (``scale.py``,
    about 10 minutes).

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import index_recall
import perf
import scale
from entityscreen.model import PartyType, Query
from entityscreen.screener import Screener
from entityscreen.settings import Settings
from entityscreen.store import Store
from evaluate import EvalResult, run_eval
from export_universe import export

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
EVAL = Path(os.environ.get("ENTITYSCREEN_EVAL_DIR", "/work/shared/eval"))
PEERS_PY = BENCH / ".peers" / "bin" / "python"
PEERS = ("logic-v2", "logic-v1", "ofac")
ES_BIN = Path(sys.executable).parent / "entityscreen"


@dataclass(slots=True)
class Run:
    """Everything measured in one run, for the report."""

    args: argparse.Namespace
    started: str
    evals: list[EvalResult]
    notes: list[str]
    universe: dict[str, Any] | None = None
    lat: perf.Latency | None = None
    stream: perf.Streaming | None = None  # one worker per core (the default)
    stream1: perf.Streaming | None = None  # --workers 1
    start: perf.Startup | None = None
    build: dict[str, Any] | None = None
    load: tuple[float, float] = (0.0, 0.0)  # load average at the start and at the end
    recall: index_recall.IndexRecall | None = None
    scale: dict[str, Any] | None = None
    seconds: float = 0.0


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def load_cases(path: Path, limit: int | None) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    return cases[:limit] if limit else cases


def to_query(q: dict[str, Any]) -> Query:
    try:
        ptype = PartyType(q["type"]) if q.get("type") else None
    except ValueError:
        ptype = None
    return Query(q.get("name") or "", ptype, q.get("country") or None)


def index_caches(home: Path) -> list[tuple[str, int]]:
    """The index cache files and their mtimes: a change means an index was rebuilt."""
    cache = Settings.from_env(home=home).cache_dir
    return sorted((p.name, p.stat().st_mtime_ns) for p in cache.glob("index-*.pickle"))


def git_commit() -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True,
                              check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0))
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"nproc {nproc}{mem}, {cpu or platform.machine()}, Python {platform.python_version()}"


def evaluate_all(run: Run, env: dict[str, str]) -> None:
    args = run.args
    log("runner: entityscreen")
    # one process, as each peer runs: the speed ratio compares engines, not core counts
    cmd = f"{shlex.quote(str(ES_BIN))} search --json - --workers 1"
    run.evals.append(run_eval("entityscreen", EVAL / "run.py", args.cases, cmd,
                              OUT / "report-entityscreen.md", limit=args.limit, env=env))
    if args.no_peers:
        return
    if not PEERS_PY.exists():
        run.notes.append("peers skipped: bench/.peers missing (run bench/setup_peers.sh)")
        return
    log("exporting the listed parties for the peers")
    universe = OUT / "universe.jsonl"
    with Store.open(Settings.from_env(home=args.home).db_path, create=False) as store:
        run.universe = export(store, universe)
    for algo in PEERS:
        log(f"runner: {algo}")
        cmd = " ".join(shlex.quote(str(x)) for x in (
            PEERS_PY, BENCH / "peer_search.py", "--universe", universe, "--algorithm", algo))
        run.evals.append(run_eval(algo, EVAL / "run.py", args.cases, cmd,
                                  OUT / f"report-{algo}.md", limit=args.limit, env=env))


def measure_processes(run: Run, cases: list[dict[str, Any]], env: dict[str, str]) -> None:
    """Figures taken from child processes. Run while this process is still small: on Linux
    a child's ru_maxrss starts at its parent's resident size at exec time."""
    args = run.args
    log(f"streaming {args.stream_n} queries (one worker per core, the default)")
    run.stream = perf.streaming([str(ES_BIN), "search", "--json", "-"],
                                [c["query"] for c in cases], args.stream_n, env=env)
    log(f"streaming {args.stream_n} queries, --workers 1")
    run.stream1 = perf.streaming([str(ES_BIN), "search", "--json", "-", "--workers", "1"],
                                 [c["query"] for c in cases], args.stream_n, env=env)
    log("cold start-up")
    run.start = perf.startup([str(ES_BIN), "search", "SenseTime", "--json"],
                             runs=3 if args.quick else 5, env=env)
    log("index build (fresh process)")
    run.build = perf.index_build(args.home, env=env)


def measure_latency(run: Run, cases: list[dict[str, Any]]) -> None:
    args = run.args
    log("latency (in-process)")
    queries = [to_query(c["query"]) for c in cases]
    with Screener.open(Settings.from_env(home=args.home), progress=log) as screener:
        run.lat = perf.latency(screener, queries, min_passes=1 if args.quick else 3,
                               min_seconds=3.0 if args.quick else 15.0)


def measure_index_recall(run: Run, cases: list[dict[str, Any]]) -> None:
    log("index recall: indexed against exhaustive search (about a minute)")
    with Screener.open(Settings.from_env(home=run.args.home), progress=log) as screener:
        run.recall = index_recall.measure(screener, cases, run.args.cases.name)


def measure_scale(run: Run, env: dict[str, str]) -> None:
    """In its own process: it holds an index of a million names."""
    log("scale run (about 10 minutes)")
    run.scale = scale.run_child(run.args.home, env=env, extra=["--cases", str(run.args.cases)])


# -- report ------------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 3) -> str:
    if x is None or x != x:  # None or NaN
        return "-"
    return f"{x:.{digits}f}"


def render(run: Run) -> str:
    a = run.args
    L = ["# entityscreen benchmark", ""]
    L.append(f"- date: {run.started}")
    L.append(f"- machine: {machine()}")
    busy = max(run.load) > len(os.sched_getaffinity(0))
    L.append(f"- load average: {run.load[0]:.1f} at the start, {run.load[1]:.1f} at the end"
             + (" (above nproc: other work competed for the CPUs and slowed the speed figures)"
                if busy else ""))
    L.append(f"- git commit: {git_commit()}")
    L.append(f"- cases: `{a.cases}`" + (f" (first {a.limit})" if a.limit else ""))
    argv = " ".join(sys.argv[1:])
    L.append(f"- command: `python bench/run.py{' ' + argv if argv else ''}` "
             f"({run.seconds:.0f} s in all)")
    if run.universe:
        L.append(f"- universe: {run.universe['parties']} listed parties, "
                 f"{run.universe['names']} names and aliases")
    L += [f"- note: {n}" for n in run.notes]
    L += ["", "## (a) Accuracy on the dev cases (shared runner)", "",
          "| engine | recall | top-1 | unexpected matches / positive | false-alarm | "
          "qps (incl. start-up) | wall s | first answer s |",
          "|---|---|---|---|---|---|---|---|"]
    for e in run.evals:
        rec = f"{_f(e.recall)} ({e.recall_count})" if e.recall_count else _f(e.recall)
        fa = (f"{_f(e.false_alarm)} ({e.false_alarm_count})" if e.false_alarm_count
              else _f(e.false_alarm))
        L.append(f"| {e.engine} | {rec} | {_f(e.top1)} | {_f(e.unexpected)} | {fa} | "
                 f"{_f(e.qps, 1)} | {_f(e.wall_s, 1)} | {_f(e.first_s, 2)} |")
    errors = [f"{e.engine}: {e.error}" for e in run.evals if e.error]
    L += ["", *(f"**ERROR** {x}" for x in errors)] if errors else []
    cats: dict[str, dict[str, Any]] = {}
    for e in run.evals:
        for c in e.categories:
            row = cats.setdefault(c.name, {"kind": c.kind, "n": c.n})
            row[e.engine] = c.pass_rate
    if cats:
        names = [e.engine for e in run.evals]
        L += ["", "Pass rate per category:", "",
              "| category | kind | n | " + " | ".join(names) + " |",
              "|---|---|---|" + "---|" * len(names)]
        for cat, row in cats.items():
            L.append(f"| {cat} | {row['kind']} | {row['n']} | "
                     + " | ".join(_f(row.get(n)) for n in names) + " |")
    L += render_perf(run)
    if run.recall:
        L += ["", "## (f) Index recall: indexed against exhaustive search", ""]
        L += index_recall.render([run.recall])
    if run.scale:
        L += ["", "## Scale", ""]
        L += scale.render(run.scale)
    L += render_failures(run)
    return "\n".join(L) + "\n"


KEPT = "<!-- Sections below are written by hand or by other scripts; bench/run.py keeps them. -->"


def kept_sections(previous: str, scale_rerun: bool) -> str:
    """What run.py must not drop from the previous RESULTS.md: everything after the KEPT
    marker and, when this run did not redo the scale benchmark, the previous Scale section
    (wherever it was); a new Scale section replaces the old one."""
    scale = re.compile(r"^## Scale.*?(?=^## |\Z)", flags=re.S | re.M)
    _head, marker, tail = previous.partition(KEPT)
    found = scale.search(previous)
    parts = [KEPT]
    if found and not scale_rerun:
        parts.append(found.group(0).rstrip())
    if marker:
        parts.append(scale.sub("", tail).strip())
    return "\n\n".join(p for p in parts if p) + "\n"


def render_perf(run: Run) -> list[str]:
    L = ["", "## (b)-(e) Speed and memory of entityscreen", "", "| figure | value |", "|---|---|"]
    if run.lat:
        t = run.lat
        L.append(f"| (b) single-query latency, in-process | p50 {t.p50_ms:.2f} ms, p90 "
                 f"{t.p90_ms:.2f} ms, p99 {t.p99_ms:.2f} ms, mean {t.mean_ms:.2f} ms, max "
                 f"{t.max_ms:.1f} ms ({t.n} searches, {t.passes} passes after warm-up) |")
    for label, s in (("", run.stream), (" --workers 1", run.stream1)):
        if s is None:
            continue
        err = f" **{s.error}**" if s.error else ""
        L.append(f"| (c) streaming `search --json -{label}`, {s.n} queries | {s.qps:.0f} "
                 f"queries/s incl. start-up ({s.wall_s:.1f} s); {s.steady_qps:.0f} queries/s "
                 f"after the first answer ({s.first_s:.2f} s); peak RSS "
                 f"{s.peak_rss_mib:.0f} MiB{err} |")
    if run.build:
        b = run.build
        if "error" in b:
            L.append(f"| (d) index build | **{b['error']}** |")
        else:
            L.append(f"| (d) index build, fresh process | {b['build_s']:.1f} s for "
                     f"{b['parties']} parties, {b['names']} indexed names, {b['tokens']} keys; "
                     f"peak RSS {b['peak_rss_mib']:.0f} MiB ({b['base_rss_mib']:.0f} MiB "
                     f"before the build) |")
            if b.get("cache_mib") is not None:
                L.append(f"| (d) index cache | {b['cache_mib']:.0f} MiB pickle, loads in "
                         f"{b['cache_load_s']:.2f} s |")
    if run.start:
        s2 = run.start
        err = f" **{s2.error}**" if s2.error else ""
        L.append(f"| (d) cold start-up, `entityscreen search SenseTime --json`, warm cache | "
                 f"median {s2.median_s:.2f} s, min {s2.min_s:.2f} s over {s2.runs} runs; peak "
                 f"RSS {s2.peak_rss_mib:.0f} MiB{err} |")
    by = {e.engine: e for e in run.evals}
    es, lv2 = by.get("entityscreen"), by.get("logic-v2")
    if es and lv2 and lv2.qps > 0:
        L.append(f"| (e) entityscreen qps / logic-v2 qps (runner, same run) | "
                 f"{es.qps / lv2.qps:.1f}x ({es.qps:.1f} vs {lv2.qps:.1f}) |")
    return L


def render_failures(run: Run) -> list[str]:
    es = next((e for e in run.evals if e.engine == "entityscreen"), None)
    if es is None or not es.categories:
        return []
    by_cat: dict[str, list[Any]] = {}
    for f in es.failures:
        by_cat.setdefault(f.category, []).append(f)
    L = ["", f"## entityscreen's failing cases ({len(es.failures)}; full list in "
         f"bench/out/report-entityscreen.md)", ""]
    if not es.failures:
        L.append("None.")
    for cat, fails in sorted(by_cat.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        L.append(f"- **{cat}**: {len(fails)}")
        for f in fails[:3]:
            L.append(f"  - {f.query} -> {f.got[:160]} | {f.want[:120]}")
    weak = [f"{c.name} {c.top1:.3f}" for c in es.categories
            if c.top1 is not None and c.top1 < 1.0]
    if weak:
        L += ["", "Positive categories where the first result is not always the expected "
              "party (top-1 rate): " + ", ".join(weak) + "."]
    return L


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="skip the peers and the index recall, shorten the speed measurements")
    ap.add_argument("--no-peers", action="store_true", help="skip the OpenSanctions peers")
    ap.add_argument("--limit", type=int, help="only the first N cases")
    ap.add_argument("--cases", type=Path, default=EVAL / "dev.jsonl")
    ap.add_argument("--home", type=Path,
                    default=Path(os.environ.get("ENTITYSCREEN_HOME") or OUT / "home"),
                    help="entityscreen home for the store [env ENTITYSCREEN_HOME; "
                    "default bench/out/home]")
    ap.add_argument("--stream-n", type=int, default=5000,
                    help="queries for the streaming figure [5000; 1000 with --quick]")
    ap.add_argument("--no-index-recall", action="store_true",
                    help="skip the indexed-against-exhaustive comparison (about a minute)")
    ap.add_argument("--scale", action="store_true",
                    help="also run the million-name scale benchmark (about 10 minutes)")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    args = ap.parse_args(argv)
    if args.quick:
        args.no_peers = True
        args.no_index_recall = True
        if args.stream_n == 5000:
            args.stream_n = 1000
    args.home = args.home.resolve()
    env = dict(os.environ, ENTITYSCREEN_HOME=str(args.home))
    t0, load0 = time.perf_counter(), os.getloadavg()[0]
    run = Run(args, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), [], [])
    cases = load_cases(args.cases, args.limit)
    log(f"warm-up in {args.home} (first use imports the lists and builds the index)")
    warm = subprocess.run([str(ES_BIN), "search", "SenseTime", "--json"], env=env,
                          stdout=subprocess.DEVNULL, check=False)
    if warm.returncode != 0:
        log(f"entityscreen does not run (exit status {warm.returncode}); see above")
        return 2
    before = index_caches(args.home)
    evaluate_all(run, env)
    measure_processes(run, cases, env)
    if args.scale:
        measure_scale(run, env)
    measure_latency(run, cases)
    if not args.no_index_recall:
        measure_index_recall(run, cases)
    if index_caches(args.home) != before:
        run.notes.append("the index cache was rebuilt during the run (the engine's code or "
                         "lists changed?): some speed figures include an index build; "
                         "run again")
    run.seconds = time.perf_counter() - t0
    run.load = (load0, os.getloadavg()[0])
    previous = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    text = render(run) + "\n" + kept_sections(previous, scale_rerun=bool(run.scale))
    tmp = args.results.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.results)
    print(text)
    log(f"wrote {args.results}")
    return 1 if any(e.error for e in run.evals) else 0


if __name__ == "__main__":
    sys.exit(main())
