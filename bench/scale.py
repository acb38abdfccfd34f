"""Scale run: entityscreen's index with a million names more than the lists hold.

    python bench/scale.py [--home DIR] [--sizes 250000,500000,1000000] [--json FILE]

Every listed party from the store, plus N synthetic parties generated with faker (persons with
``name()``, companies with ``company()``, in 18 locales, fixed seed; one name each, one dummy
listing: authority "synthetic", list "SYN"). For each N in ``--sizes``:

- **build**: ``Index.build`` in a fresh interpreter; wall time (reading the store and the
  synthetic file included), the process's peak resident memory (``VmHWM``, which starts afresh
  at exec, unlike ``ru_maxrss``, which can carry the parent's size), and its resident memory
  once the build's temporaries are freed;
- **cache**: ``Index.save`` time and file size; ``Index.load`` time and resident memory in
  another fresh interpreter (what a screening process holds);
- **queries**: the dev queries through ``Screener.search`` on that index, in this process:
  latency p50/p99 after a warm-up pass, and recall / false alarms decided as the shared runner
  decides them (a ``match: true`` result whose name or alias normalises to an expected name).

The synthetic names are generated once (in a child process, ~1 minute per million) and kept in
``bench/out/scale/`` (git-ignored); the index caches written there are deleted afterwards
unless ``--keep``. Targets from the issue: 1M names, p50 <= 10 ms, resident <= 2 GB, build
<= 2 minutes. ``run.py --scale`` runs this script as a child and puts :func:`render` 's lines
under "Scale" in RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "out" / "scale"
EVAL = Path(os.environ.get("ENTITYSCREEN_EVAL_DIR", "/work/shared/eval"))
SIZES = (250_000, 500_000, 1_000_000)
SEED = 20240611
# locale -> (country of the generated parties, weight); en_US weighs more, as Latin-script
# names dominate the real lists
LOCALES: dict[str, tuple[str | None, int]] = {
    "en_US": ("US", 4), "ru_RU": ("RU", 2), "zh_CN": ("CN", 2), "ar_AA": (None, 2),
    "de_DE": ("DE", 1), "fr_FR": ("FR", 1), "es_ES": ("ES", 1), "ja_JP": ("JP", 1),
    "ko_KR": ("KR", 1), "tr_TR": ("TR", 1), "it_IT": ("IT", 1), "pt_BR": ("BR", 1),
    "pl_PL": ("PL", 1), "uk_UA": ("UA", 1), "fa_IR": ("IR", 1), "hi_IN": ("IN", 1),
    "vi_VN": ("VN", 1), "id_ID": ("ID", 1),
}
PERSON_SHARE = 0.6
TARGETS = {"p50_ms": 10.0, "rss_mib": 2048.0, "build_s": 120.0}


def log(message: str) -> None:
    print(f"scale: {message}", file=sys.stderr, flush=True)


def _status_mib(field: str) -> float | None:
    """``VmHWM`` / ``VmRSS`` of this process image, in MiB (Linux)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        text = Path("/proc/self/status").read_text()
        return int(text.split(f"{field}:")[1].split()[0]) / 1024
    return None


# -- synthetic parties -------------------------------------------------------------------------


def synthetic_file(seed: int) -> Path:
    return WORK / f"synthetic-seed{seed}.tsv"


def generate(path: Path, n: int, seed: int) -> None:
    """Write ``n`` lines "type<TAB>country<TAB>name". Deterministic for a seed and faker
    version; a longer file starts with the lines of a shorter one, so one file serves every
    size. Exact repeats are redrawn (a few times) so the index is not padded with copies."""
    import faker

    rng = random.Random(seed)
    locales = list(LOCALES)
    weights = [LOCALES[loc][1] for loc in locales]
    fakers = {}
    for i, loc in enumerate(locales):
        f = faker.Faker(loc)
        f.seed_instance(seed + i)
        fakers[loc] = f
    seen: set[str] = set()
    tmp = path.with_suffix(".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", encoding="utf-8") as fh:
        for _ in range(n):
            loc = rng.choices(locales, weights)[0]
            person = rng.random() < PERSON_SHARE
            make = fakers[loc].name if person else fakers[loc].company
            for _attempt in range(4):
                name = " ".join(make().split())  # no tabs or newlines in the file
                if name not in seen:
                    break
            seen.add(name)
            country = LOCALES[loc][0] or ""
            fh.write(f"{'person' if person else 'organization'}\t{country}\t{name}\n")
    meta = {"n": n, "seed": seed, "faker": faker.VERSION}
    tmp.replace(path)
    path.with_suffix(".meta.json").write_text(json.dumps(meta), encoding="utf-8")


def ensure_synthetic(n: int, seed: int) -> Path:
    """The synthetic-name file for ``seed`` with at least ``n`` lines (generated in a child
    process, so that this one stays small for the memory measurements that follow)."""
    path = synthetic_file(seed)
    meta = path.with_suffix(".meta.json")
    with contextlib.suppress(OSError, ValueError, KeyError):
        if path.exists() and json.loads(meta.read_text())["n"] >= n:
            return path
    log(f"generating {n} synthetic names with faker (once; cached in {path})")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "generate", str(path), str(n), str(seed)],
                   check=True)
    log(f"generated in {time.perf_counter() - t0:.0f} s")
    return path


def synthetic_parties(path: Path, n: int) -> Iterator[Any]:
    """The first ``n`` synthetic parties, ids ``syn:0`` ... Each has its own countries tuple,
    as parties decoded from the store have; the dummy listing is shared (the index ignores it)."""
    from entityscreen.model import Listing, Name, NameKind, Party, PartyType

    listings = (Listing("synthetic", "SYN", feeds=("synthetic",)),)
    types = {t.value: t for t in PartyType}
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(islice(fh, n)):
            ptype, country, name = line.rstrip("\n").split("\t", 2)
            yield Party(id=f"syn:{i}", type=types[ptype], names=(Name(name, NameKind.PRIMARY),),
                        listings=listings, countries=(country,) if country else ())


# -- children: build, load ---------------------------------------------------------------------


def _child_build(home: Path, path: Path, n: int, cache: Path) -> dict[str, Any]:
    from entityscreen.match.index import Index
    from entityscreen.settings import Settings
    from entityscreen.store import Store

    store = Store.open(Settings.from_env(home=home).db_path, create=False)
    # What reading the parties costs (decoding the store's JSON, making the synthetic Party
    # objects) on its own, so that it can be told apart from the index's own work.
    t0 = time.perf_counter()
    deque(chain(store.parties(), synthetic_parties(path, n)), maxlen=0)
    read_s = time.perf_counter() - t0
    base = _status_mib("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    w0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    index = Index.build(chain(store.parties(), synthetic_parties(path, n)))
    build_s, build_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    # the build's worker processes (forked, reaped when it ends)
    w1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu_s = (w1.ru_utime + w1.ru_stime) - (w0.ru_utime + w0.ru_stime)
    peak = _status_mib("VmHWM")
    after = _status_mib("VmRSS")
    t1 = time.perf_counter()
    index.save(cache)
    save_s = time.perf_counter() - t1
    return {
        "synthetic": n, "parties": index.n_parties, "names": index.n_names,
        "keys": len(index.postings), "vocab": len(index.vocab),
        "delete_keys": len(index.by_delete),
        "read_s": round(read_s, 2), "build_s": round(build_s, 2),
        "build_cpu_s": round(build_cpu_s, 2), "workers_cpu_s": round(workers_cpu_s, 2),
        "workers_maxrss_mib": round(w1.ru_maxrss / 1024), "base_rss_mib": base,
        "peak_rss_mib": peak, "built_rss_mib": after, "save_peak_rss_mib": _status_mib("VmHWM"),
        "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "save_s": round(save_s, 2), "cache_mib": round(cache.stat().st_size / 2**20, 1),
    }


def _child_load(cache: Path) -> dict[str, Any]:
    from entityscreen.match.index import Index

    base = _status_mib("VmRSS")
    t0 = time.perf_counter()
    index = Index.load(cache)
    load_s = time.perf_counter() - t0
    assert index is not None, f"cannot load {cache}"
    return {"load_s": round(load_s, 2), "load_base_rss_mib": base,
            "loaded_rss_mib": _status_mib("VmRSS"), "load_peak_rss_mib": _status_mib("VmHWM")}


def _child(*argv: str) -> dict[str, Any]:
    """Run this file as a child with ``argv``; its last stdout line is a JSON object."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        tail = " / ".join(proc.stderr.strip().splitlines()[-2:])
        return {f"{argv[0]}_error": f"exit status {proc.returncode}: {tail}"}
    out = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    out[f"{argv[0]}_wall_s"] = round(time.perf_counter() - t0, 1)
    return out


# -- queries, in this process ------------------------------------------------------------------


def norm(s: object) -> str:
    """The shared runner's normalisation: NFKC, casefold, letters and digits only."""
    if not isinstance(s, str):
        return ""
    s = unicodedata.normalize("NFKC", s).casefold()
    return "".join(ch for ch in s if ch.isalnum())


def same_words(a: str, b: str) -> bool:
    """The same words in any order ("PRATIWI, Jamal" / "Jamal Pratiwi"): a synthetic party so
    named is a true match of a negative case's name, not an engine error."""
    def words(s: str) -> list[str]:
        s = unicodedata.normalize("NFKC", s).casefold()
        return sorted("".join(ch if ch.isalnum() else " " for ch in s).split())

    return words(a) == words(b)


def query_figures(home: Path, cache: Path, n_synthetic: int,
                  cases: Sequence[dict[str, Any]], min_seconds: float) -> dict[str, Any]:
    """Latency, recall and false alarms of the dev cases on the index cached at ``cache``
    (``n_synthetic == 0``: the listed parties alone, the engine's own cached index)."""
    import perf
    from entityscreen.match.index import Index
    from entityscreen.screener import Screener
    from entityscreen.settings import Settings
    from entityscreen.store import Store
    from index_recall import to_query

    settings = Settings.from_env(home=home)
    index = Index.load(cache)
    if index is None:
        return {"query_error": f"Index.load({cache.name}) gave nothing: the engine's "
                "INDEX_FORMAT changed during the run?"}
    store = Store.open(settings.db_path, create=False)
    screener = Screener(settings, store, index)
    first_syn = index.n_parties - n_synthetic  # synthetic parties come last, in order
    names: dict[str, list[str]] = {}

    def names_of(pid: str) -> list[str]:
        if pid not in names:
            if pid.startswith("syn:"):
                names[pid] = [index.party_names[first_syn + int(pid[4:])]]
            else:
                p = screener.party(pid)
                names[pid] = [p.name, *p.aliases] if p else []
        return names[pid]

    queries = [to_query(c["query"]) for c in cases]
    lat = perf.latency(screener, queries, min_passes=2, min_seconds=min_seconds, max_passes=10)
    pos = found = neg = alarms = alarms_syn = unexpected = 0
    alarm_list: list[str] = []
    missed: list[str] = []
    for case, query in zip(cases, queries, strict=True):
        results = screener.search(query)
        hits = [h for h in results if h.match]
        expect = {norm(x) for x in case["expect"]} - {""}
        if case["expect"]:
            pos += 1
            ok = [h for h in hits if any(norm(n) in expect for n in names_of(h.party_id))]
            found += bool(ok)
            unexpected += len(hits) - len(ok)
            if not ok:
                got = "; ".join(f"{h.explanation.matched_name!r} ({h.party_id}, {h.score:.2f}"
                                f"{' M' if h.match else ''})" for h in results[:3])
                missed.append(f"{case['id']} [{case['category']}] {query.name!r} -> "
                              f"{got or 'nothing'}")
        else:
            neg += 1
            if hits:
                alarms += 1
                alarms_syn += all(h.party_id.startswith("syn:") for h in hits)
                h = hits[0]
                same = same_words(h.explanation.matched_name, query.name)
                alarm_list.append(f"{case['id']} [{case['category']}] {query.name!r} -> "
                                  f"{h.explanation.matched_name!r} ({h.party_id}, "
                                  f"{h.score:.2f}{', same words' if same else ''})")
    store.close()
    return {
        "p50_ms": round(lat.p50_ms, 2), "p90_ms": round(lat.p90_ms, 2),
        "p99_ms": round(lat.p99_ms, 2), "mean_ms": round(lat.mean_ms, 2),
        "max_ms": round(lat.max_ms, 1), "searches": lat.n, "passes": lat.passes,
        "positives": pos, "found": found, "negatives": neg, "alarms": alarms,
        "alarms_synthetic": alarms_syn, "unexpected": unexpected, "alarm_list": alarm_list,
        "missed_list": missed,
        "process_rss_mib": _status_mib("VmRSS"),
    }


def _commit() -> str:
    """The engine's git commit, with a digest of uncommitted changes to src/ (the engine
    changing during a run makes its figures a mix)."""
    def git(*a: str) -> str:
        return subprocess.run(["git", "-C", str(BENCH.parent), *a], capture_output=True,
                              text=True, check=False).stdout.strip()

    diff = git("diff", "HEAD", "--", "src")
    digest = "+" + hashlib.sha1(diff.encode()).hexdigest()[:7] if diff else ""
    return (git("rev-parse", "--short", "HEAD") or "unknown") + digest


# -- orchestration -----------------------------------------------------------------------------


def measure(home: Path, sizes: Sequence[int], seed: int, cases: Sequence[dict[str, Any]],
            min_seconds: float = 10.0, keep: bool = False) -> dict[str, Any]:
    from entityscreen.screener import Screener, index_cache_path
    from entityscreen.settings import Settings

    started = time.perf_counter()
    load0, commit0 = os.getloadavg()[0], _commit()
    settings = Settings.from_env(home=home)
    with Screener.open(settings, progress=log) as s:  # imports the lists on first use
        base_cache = index_cache_path(settings, s.store)
    path = ensure_synthetic(max(sizes), seed)
    meta = json.loads(path.with_suffix(".meta.json").read_text())
    rows: list[dict[str, Any]] = []
    # All children first, while this process is small; then the indexes, one at a time, here.
    for n in sizes:
        cache = WORK / f"index-{n}.pickle"
        log(f"{n} synthetic names: building the index in a fresh process")
        row = {"synthetic": n, **_child("build", str(home), str(path), str(n), str(cache))}
        if "build_error" in row:
            log(f"  build failed: {row['build_error']}")
        else:
            log(f"  built in {row['build_s']} s, {row['names']} names, peak RSS "
                f"{row['peak_rss_mib']:.0f} MiB; loading it in a fresh process")
            row.update(_child("load", str(cache)))
        rows.append(row)

    def queries(cache: Path, n: int) -> dict[str, Any]:
        try:
            return query_figures(home, cache, n, cases, min_seconds)
        except Exception as exc:  # e.g. the engine changed under the run: report, go on
            return {"query_error": f"{type(exc).__name__}: {exc}"}

    log("listed names only: queries")
    baseline = {"synthetic": 0, **queries(base_cache, 0)}
    for n, row in zip(sizes, rows, strict=True):
        cache = WORK / f"index-{n}.pickle"
        if "build_error" not in row:
            log(f"{n} synthetic names: queries")
            row.update(queries(cache, n))
        if not keep:
            cache.unlink(missing_ok=True)
    commit1 = _commit()
    return {"seed": seed, "faker": meta.get("faker"), "locales": list(LOCALES),
            "loadavg": [load0, os.getloadavg()[0]], "commit": commit0,
            "engine_changed": commit0 != commit1,
            "cases": len(cases), "baseline": baseline, "rows": rows,
            "seconds": round(time.perf_counter() - started, 1)}


def run_child(home: Path, env: dict[str, str] | None = None,
              extra: Sequence[str] = ()) -> dict[str, Any]:
    """This script as a child process (for ``run.py --scale``); returns its figures."""
    out = WORK / "scale.json"
    out.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, __file__, "--home", str(home), "--json", str(out),
                           *extra], env=env, stdout=subprocess.DEVNULL, check=False)
    if proc.returncode != 0 or not out.exists():
        return {"error": f"scale.py exited with status {proc.returncode}"}
    return dict(json.loads(out.read_text(encoding="utf-8")))


# -- report ------------------------------------------------------------------------------------


def _mib(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _check(value: float | None, target: float) -> str:
    if value is None:
        return "-"
    return "ok" if value <= target else "**over**"


def render(res: dict[str, Any]) -> list[str]:
    if "error" in res:
        return [f"**ERROR** {res['error']}"]
    b = res["baseline"]
    rows = [r for r in res["rows"] if "build_error" not in r]
    load = res.get("loadavg")
    L = [f"Every listed party plus N synthetic parties (faker {res['faker']}, seed {res['seed']}, "
         f"{len(res['locales'])} locales: {', '.join(res['locales'])}; 60 % persons, 40 % "
         f"companies; one name each). Targets from the issue, at 1M names: build <= 2 min, "
         f"resident memory <= 2 GB, p50 <= {TARGETS['p50_ms']:.0f} ms. "
         f"{res['seconds']:.0f} s in all"
         + (f"; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end "
            f"(other work on the machine slows every figure)" if load else "")
         + f"; engine at {res.get('commit', '?')}.", ""]
    if res.get("engine_changed"):
        L += ["**The engine's code changed during the run: the figures mix two versions.**", ""]
    errors = [(r["synthetic"], k[:-6], r[k]) for r in [b, *res["rows"]] for k in r
              if k.endswith("_error")]
    L += [f"- **ERROR** {n:,} synthetic, {stage}: {msg}" for n, stage, msg in errors]
    L += [""] if errors else []
    L += ["Index build in a fresh process (`Index.build` over the parties streamed from the "
          "store and the synthetic file; \"reading\" is the time of a separate pass that only "
          "reads them), save, and load in another fresh process:", "",
          "| synthetic | parties | indexed names | keys | build s (reading) | "
          "build CPU s: main + workers (peak RSS MiB of a worker) | "
          "peak RSS MiB: build / with save | RSS after build | cache MiB | save s | load s | "
          "RSS loaded |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        L.append(f"| {r['synthetic']:,} | {r['parties']:,} | {r['names']:,} | {r['keys']:,} | "
                 f"{r['build_s']:.0f} ({r['read_s']:.0f}) | {r['build_cpu_s']:.0f} + "
                 f"{r.get('workers_cpu_s', 0):.0f} ({r.get('workers_maxrss_mib', '-')}) | "
                 f"{_mib(r['peak_rss_mib'])} / "
                 f"{_mib(r['save_peak_rss_mib'])} | {_mib(r['built_rss_mib'])} | "
                 f"{r['cache_mib']:,.0f} | {r['save_s']:.1f} | {r.get('load_s', '-')} | "
                 f"{_mib(r.get('loaded_rss_mib'))} |")
    L += ["", f"The {res['cases']} dev queries through `Screener.search` on each index, in "
          "one process, after a warm-up pass; recall and false alarms decided as the shared "
          "runner decides them:", "",
          "| synthetic | p50 ms | p90 ms | p99 ms | max ms | recall | false-alarm (of which "
          "on synthetic parties only) | unexpected matches / positive |",
          "|---|---|---|---|---|---|---|---|"]
    for r in [b, *rows]:
        if "p50_ms" not in r:
            continue
        L.append(f"| {r['synthetic']:,} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | "
                 f"{r['p99_ms']:.2f} | {r['max_ms']:.0f} | "
                 f"{r['found'] / r['positives']:.3f} ({r['found']}/{r['positives']}) | "
                 f"{r['alarms'] / r['negatives']:.3f} ({r['alarms']}/{r['negatives']}; "
                 f"{r['alarms_synthetic']}) | {r['unexpected'] / r['positives']:.3f} |")
    big = [r for r in rows if r["names"] >= 1_000_000]
    if big:
        r = big[0]
        cpu = r["build_cpu_s"] + r.get("workers_cpu_s", 0)
        L += ["", f"At {r['names']:,} names: build {r['build_s']:.0f} s wall "
              f"({_check(r['build_s'], TARGETS['build_s'])}; {cpu:.0f} s of CPU in all, on "
              f"{os.cpu_count()} cores); resident memory of the loaded "
              f"index {_mib(r.get('loaded_rss_mib'))} MiB "
              f"({_check(r.get('loaded_rss_mib'), TARGETS['rss_mib'])}), "
              f"{_mib(r['save_peak_rss_mib'])} MiB at the peak of building and saving it "
              f"({_check(r['save_peak_rss_mib'], TARGETS['rss_mib'])}); p50 "
              f"{r.get('p50_ms', '-')} ms ({_check(r.get('p50_ms'), TARGETS['p50_ms'])})."]
    L += ["", "RSS is the process's own (`VmRSS`; peaks from `VmHWM`, which starts afresh at "
          "exec), interpreter and imports included (about "
          f"{_mib(rows[0].get('base_rss_mib') if rows else None)} MiB with the store open). "
          "False alarms on synthetic parties are not all engine errors: faker can generate the "
          "very name a negative case uses (\"same words\" below: the same words in any order)."]
    for r in [b, *rows]:
        label = f"{r['synthetic']:,} synthetic names" if r["synthetic"] else "the lists only"
        if r.get("missed_list"):
            L += ["", f"Positive cases missed with {label}:", ""]
            L += [f"- {a}" for a in r["missed_list"]]
        if r.get("alarm_list"):
            L += ["", f"False alarms with {label}:", ""]
            L += [f"- {a}" for a in r["alarm_list"]]
    return L


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path,
                    default=Path(os.environ.get("ENTITYSCREEN_HOME") or BENCH / "out" / "home"),
                    help="entityscreen home [env ENTITYSCREEN_HOME; default bench/out/home]")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)),
                    help="synthetic names added, comma-separated [250000,500000,1000000]")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--cases", type=Path, default=EVAL / "dev.jsonl")
    ap.add_argument("--seconds", type=float, default=10.0,
                    help="least timed seconds of queries per index [10]")
    ap.add_argument("--keep", action="store_true", help="keep the index caches in bench/out")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    from index_recall import load_cases

    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    res = measure(args.home.resolve(), sizes, args.seed, load_cases(args.cases),
                  args.seconds, args.keep)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")
    print("\n".join(render(res)))
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "generate":
        generate(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "build":
        print(json.dumps(_child_build(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]),
                                      Path(sys.argv[5]))))
    elif cmd == "load":
        print(json.dumps(_child_load(Path(sys.argv[2]))))
    else:
        sys.exit(main())
