"""Speed and memory measurements of entityscreen (runs in the entityscreen venv).

- ``latency``: single-query latency of ``Screener.search`` in-process, after a warm-up pass.
- ``streaming``: queries/s of one ``entityscreen search --json -`` process fed N queries.
- ``startup``: wall time and peak RSS of ``entityscreen search NAME --json`` with a warm cache.
- ``index_build``: ``Index.build(store.parties())`` in a fresh interpreter (this file run as
  ``python perf.py build-index``), wall time and peak RSS from ``resource.getrusage``.

Peak RSS of a child process comes from ``os.wait4``, which reports that one child's rusage.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Latency", "Startup", "Streaming", "index_build", "latency", "startup", "streaming"]


def _rss_mib(ru_maxrss: int) -> float:
    return ru_maxrss / 1024.0  # Linux reports kilobytes


def _wait(proc: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Reap ``proc`` and return (exit status, its own peak RSS in MiB)."""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, _rss_mib(usage.ru_maxrss)


def _pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass(frozen=True, slots=True)
class Latency:
    n: int
    passes: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float


def latency(screener: Any, queries: Sequence[Any], *, min_passes: int = 3,
            min_seconds: float = 15.0, max_passes: int = 20) -> Latency:
    """Time each ``screener.search`` call; one untimed warm-up pass first."""
    from entityscreen.errors import EntityscreenError

    def one(q: Any) -> None:
        # an over-long name is refused with an error: still a timed answer
        with contextlib.suppress(EntityscreenError):
            screener.search(q)

    for q in queries:
        one(q)
    times: list[float] = []
    passes = 0
    started = time.perf_counter()
    while passes < max_passes and (passes < min_passes
                                   or time.perf_counter() - started < min_seconds):
        for q in queries:
            t0 = time.perf_counter()
            one(q)
            times.append(time.perf_counter() - t0)
        passes += 1
    ms = [t * 1000 for t in times]
    return Latency(len(ms), passes, _pct(ms, 50), _pct(ms, 90), _pct(ms, 99),
                   statistics.fmean(ms), max(ms))


@dataclass(frozen=True, slots=True)
class Streaming:
    n: int
    answered: int
    wall_s: float
    first_s: float
    qps: float  # all queries / wall time, start-up included
    steady_qps: float  # after the first answer
    peak_rss_mib: float
    error: str | None


def streaming(cmd: Sequence[str], queries: Iterable[dict[str, Any]], n: int,
              env: dict[str, str] | None = None) -> Streaming:
    """Feed ``n`` queries (cycling ``queries``) through one process, as the runner does."""
    base = list(queries)
    lines = [(json.dumps(base[i % len(base)], ensure_ascii=False) + "\n").encode()
             for i in range(n)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin is not None and proc.stdout is not None

    def writer() -> None:
        assert proc.stdin is not None
        try:
            for line in lines:
                proc.stdin.write(line)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    answered = 0
    first = last = t0
    for raw in proc.stdout:
        if raw.strip():
            answered += 1
            last = time.perf_counter()
            if answered == 1:
                first = last
    rc, rss = _wait(proc)
    wall = last - t0
    error = None
    if rc != 0:
        error = f"exit status {rc}"
    elif answered != n:
        error = f"{answered} answers for {n} queries"
    steady = (answered - 1) / (last - first) if answered > 1 and last > first else float("nan")
    return Streaming(n, answered, wall, first - t0, answered / wall if wall > 0 else 0.0,
                     steady, rss, error)


@dataclass(frozen=True, slots=True)
class Startup:
    runs: int
    median_s: float
    min_s: float
    peak_rss_mib: float
    error: str | None


def startup(cmd: Sequence[str], runs: int = 5, env: dict[str, str] | None = None) -> Startup:
    """Wall time of a one-shot search, process start to exit (warm index cache)."""
    walls: list[float] = []
    rss: list[float] = []
    error = None
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env)
        rc, peak = _wait(proc)
        walls.append(time.perf_counter() - t0)
        rss.append(peak)
        if rc != 0:
            error = f"exit status {rc}"
    return Startup(runs, statistics.median(walls), min(walls), max(rss), error)


def index_build(home: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the index in a fresh interpreter (this file as a script) and return its figures."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "build-index",
                           str(home)], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = " / ".join(proc.stderr.strip().splitlines()[-3:])
        return {"error": f"exit status {proc.returncode}: {tail}"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _build_index_child(home: Path) -> None:
    """Child side of :func:`index_build`: prints one JSON line."""
    from entityscreen.match.index import INDEX_FORMAT, Index
    from entityscreen.settings import Settings
    from entityscreen.store import Store

    settings = Settings.from_env(home=home)
    store = Store.open(settings.db_path, create=False)
    base = _rss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    t0 = time.perf_counter()
    index = Index.build(store.parties())
    build_s = time.perf_counter() - t0
    peak = _rss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    hwm = None  # this process image's own high-water mark, as a cross-check
    with contextlib.suppress(OSError, ValueError, IndexError):
        hwm = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
    cache = settings.cache_dir / f"index-{INDEX_FORMAT}-{store.state_key()}.pickle"
    load_s = None
    if cache.exists():
        t1 = time.perf_counter()
        Index.load(cache)
        load_s = time.perf_counter() - t1
    print(json.dumps({
        "build_s": round(build_s, 3), "peak_rss_mib": round(peak, 1),
        "base_rss_mib": round(base, 1), "vmhwm_mib": round(hwm, 1) if hwm else None,
        "parties": index.n_parties,
        "names": index.n_names, "tokens": len(index.postings),
        "cache_mib": round(cache.stat().st_size / 2**20, 1) if cache.exists() else None,
        "cache_load_s": round(load_s, 3) if load_s is not None else None,
    }))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build-index":
        _build_index_child(Path(sys.argv[2]))
    else:
        sys.exit("usage: perf.py build-index HOME")
