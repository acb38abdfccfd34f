"""Throughput and memory of `entityscreen screen` on a file of realistic names.

    python bench/screen_bench.py                    # 20,000 rows, --workers 1 and 2
    python bench/screen_bench.py --rows 1000000 --workers 2
    python bench/screen_bench.py --rows 100000 --dask   # and on a 2-worker Dask LocalCluster

Writes a CSV of faker persons and companies in several locales with a sprinkle (1 in 200)
of listed names, then runs the real command line on it once per worker count and prints
rows/s, CPU time (all of it, and the main process's own: reading, dispatching, writing) and
memory: the peak resident memory of the main process, and the peak total
proportional set size (PSS) of the process and its workers, which counts pages the forked
workers share with it once rather than once per process. ``--dask`` adds a run with
``--dask ADDRESS`` on a LocalCluster of worker processes started here (each loads the index
from the shared cache once; that load is inside the timed run); its PSS and CPU figures add
the workers' to the command's. Needs faker (`pip install entityscreen[bench]`, and
`entityscreen[dask]` for --dask); Linux for the memory figures (/proc).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "zh_CN", "ja_JP",
           "ar_AA", "tr_TR", "pt_BR")
LISTED = ("Megvii Technology Limited", "Hangzhou Hikvision Digital Technology Co., Ltd.",
          "Zhejiang Dahua Technology", "SenseTime Group Limited", "iFlytek Co Ltd",
          "Chen Quanguo", "Shohrat Zakir", "Xinjiang Production and Construction Corps",
          "Rosneft Oil Company", "Sberbank of Russia")
# Seconds between looks at the command's memory and CPU.
POLL_S = 0.25
# Registers the screen command the way cli.py does, for a tree where it is not yet registered.
RUNNER = (
    "import sys\n"
    "from entityscreen.cli import cli\n"
    "if 'screen' not in cli.commands:\n"
    "    from entityscreen.cli_screen import screen\n"
    "    cli.add_command(screen)\n"
    "cli(sys.argv[1:], prog_name='entityscreen')\n"
)


def make_input(path: Path, rows: int, seed: int = 7) -> None:
    from faker import Faker

    fakers = [Faker(loc) for loc in LOCALES]
    for i, f in enumerate(fakers):
        f.seed_instance(seed + i)
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["customer_id", "name", "type", "country"])
        for i in range(rows):
            f = fakers[i % len(fakers)]
            if rnd.random() < 0.005:
                name, kind = rnd.choice(LISTED), ""
            elif rnd.random() < 0.5:
                name, kind = f.name(), "person"
            else:
                name, kind = f.company(), "company"
            w.writerow([f"C{i:07d}", name, kind, f.current_country_code()])


def host_speed(seconds: float = 1.0) -> float:
    """Rounds per CPU-second of a fixed pure-Python workload (dictionary, string and sort
    operations, as screening does): the machine's speed at the time. This shared host's
    speed changes by a third from hour to hour; runs made at different times compare only
    next to it."""
    rnd = random.Random(1)
    words = ["".join(rnd.choices("abcdefghijklmnop", k=8)) for _ in range(2000)]
    rounds = 0
    started = time.process_time()
    while time.process_time() - started < seconds:
        counts: dict[str, int] = {}
        for w in words:
            counts[w[:4]] = counts.get(w[:4], 0) + len(w)
        sorted(words)
        rounds += 1
    return rounds / (time.process_time() - started)


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return pids


def _memory(pid: int) -> tuple[int, int]:
    """(RSS of pid, PSS of pid and its descendants), in kB."""
    rss = pss = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:") and p == pid:
                        rss = int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of live processes (Dask workers are not waited for)."""
    ticks = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def run(source: Path, out: Path, workers: int | str, home: str | None,
        extra: list[int] | None = None) -> dict[str, float]:
    """One timed `screen`; ``workers`` a count or a Dask scheduler address, ``extra`` the
    pids of Dask worker processes, whose memory and CPU count too."""
    cmd = [sys.executable, "-c", RUNNER]
    if home:
        cmd += ["--home", home]
    how = ["--workers", str(workers)] if isinstance(workers, int) else ["--dask", workers]
    cmd += ["screen", str(source), "-o", str(out), *how, "-q"]
    extra = extra or []
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    extra_cpu = _cpu_seconds(extra)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = 0
    main_cpu = 0.0
    while proc.poll() is None:
        rss, pss = _memory(proc.pid)
        pss += sum(_memory(p)[1] for p in extra)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        main_cpu = _cpu_seconds([proc.pid]) or main_cpu  # its own, not its workers'
        # (reading smaps costs CPU too: often enough for flat memory, not more)
        time.sleep(POLL_S)
    elapsed = time.perf_counter() - started
    # the command and its workers (waited for by it): CPU time, whatever else loads the machine
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
    cpu += _cpu_seconds(extra) - extra_cpu
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"screen failed ({proc.returncode}): {err}")
    return {"seconds": elapsed, "cpu": cpu, "main_cpu": main_cpu, "rss_mb": peak_rss / 1024,
            "pss_mb": peak_pss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--home", default=os.environ.get("ENTITYSCREEN_HOME"),
                    help="entityscreen home with the lists imported and the index cached")
    ap.add_argument("--keep", type=Path, help="keep the input and outputs in this folder")
    ap.add_argument("--dask", action="store_true",
                    help="also screen on a Dask LocalCluster of --dask-workers processes")
    ap.add_argument("--dask-workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / f"names-{args.rows}.csv"
        if not source.exists():
            make_input(source, args.rows)
        # import the lists and build the index cache first, so the timed runs measure screening
        home = ["--home", args.home] if args.home else []
        subprocess.run([sys.executable, "-c", RUNNER, *home, "lists"], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"{args.rows:,} rows, {source.stat().st_size / 1e6:.1f} MB CSV, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before, "
              f"host speed {host_speed():,.0f} rounds per CPU-second before\n")
        print("| workers | seconds | rows/s | CPU s | rows per CPU s | main process CPU s (share) "
              "| peak RSS main (MB) | peak PSS total (MB) |")
        print("|---|---|---|---|---|---|---|---|")
        outputs = []

        def report(label: str, r: dict[str, float], out: Path) -> None:
            outputs.append(out.read_bytes())
            print(f"| {label} | {r['seconds']:.1f} | {args.rows / r['seconds']:,.0f} | "
                  f"{r['cpu']:.1f} | {args.rows / r['cpu']:,.0f} | "
                  f"{r['main_cpu']:.1f} ({r['main_cpu'] / r['cpu']:.0%}) | {r['rss_mb']:,.0f} | "
                  f"{r['pss_mb']:,.0f} |", flush=True)

        for w in args.workers:
            out = folder / f"results-w{w}.csv"
            report(str(w), run(source, out, w, args.home), out)
        if args.dask:
            out = folder / "results-dask.csv"
            report(f"Dask, {args.dask_workers} worker processes",
                   _run_dask(source, out, args.home, args.dask_workers), out)
        same = all(o == outputs[0] for o in outputs)
        print(f"\noutputs identical across runs: {same}; load average "
              f"{os.getloadavg()[0]:.1f} after, host speed {host_speed():,.0f} after")


def _run_dask(source: Path, out: Path, home: str | None, workers: int) -> dict[str, float]:
    from distributed import LocalCluster

    if home:  # the workers find the index cache where the command does
        os.environ["ENTITYSCREEN_HOME"] = home
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        mine = set(_tree(os.getpid()))
        return run(source, out, cluster.scheduler_address, home,
                   extra=sorted(mine - {os.getpid()}))


if __name__ == "__main__":
    main()
