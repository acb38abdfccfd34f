"""Change-driven re-screening at scale: N watched rows, a list update that changes 100 parties.

Target (issue 4): re-screening 1,000,000 watched rows after an update that changed 100
parties in at most 20 s on this 2-core machine, with the bundled lists.

For each size N (default 100,000 and 1,000,000):

1. a fresh home with the bundled lists (``load_bundled``);
2. N watched rows: persons and companies made of faker name parts (first names, last names
   and company names of 8 locales, drawn at random and combined), plus a sprinkle of the
   names of the listed parties the update will add, remove or change;
3. the baseline, as a first full rescreen would leave it: every row marked screened, the
   sprinkled rows screened for real (their matches stored), the faker rows taken as having
   no match (screening a million rows in full is the bulk ``screen`` job, not measured here);
4. the update: a copy of the bundled trade.gov CSL without 40 parties, with 30 parties given
   one more alias and 30 parties added from the November 2023 CSL sample (real rows),
   imported as a new version of ``us_csl``: 100 changed parties;
5. the list index rebuilt for the new lists (any search after an update needs it; timed apart)
   and the watched-name index built (once per change of the watch set; timed apart);
6. ``entityscreen rescreen`` in a fresh process, timed end to end (process start, opening the
   store and the cached indexes, the diff, retrieval, scoring, storing the results), with its
   peak RSS;
7. the reference check: a full search of the sprinkled rows and of 2,000 random rows, whose
   matches must be the ones the rescreen left stored.

Run with the entityscreen venv's python:  python bench/rescreen_bench.py [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LISTS = Path(os.environ.get("ENTITYSCREEN_TEST_LISTS",
                            Path(__file__).resolve().parents[2] / "shared" / "data" / "lists"))
CSL_2023 = LISTS / "trade_gov_csl" / "2023-11-30_partial_SAMPLE" / "csl.csv"
LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "zh_CN", "tr_TR")
# Distinct name parts drawn from faker per locale and kind; combined at random into rows.
POOL = 3000
# Changes the update makes to the bundled CSL: removed, aliased, added (100 parties).
REMOVED, ALIASED, ADDED = 40, 30, 30


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def faker_rows(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """n (name, type, country) rows from faker name parts of several locales."""
    from faker import Faker

    rng = random.Random(seed)
    pools = []
    for loc in LOCALES:
        fake = Faker(loc)
        fake.seed_instance(seed)
        country = loc[-2:]
        pools.append((country,
                      [fake.first_name() for _ in range(POOL // 3)],
                      [fake.last_name() for _ in range(POOL // 3)],
                      [fake.company() for _ in range(POOL)]))
    rows = []
    for _ in range(n):
        country, firsts, lasts, companies = rng.choice(pools)
        if rng.random() < 0.5:
            rows.append((f"{rng.choice(firsts)} {rng.choice(lasts)}", "person", country))
        else:
            rows.append((rng.choice(companies), "organization", country))
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def updated_csl(bundled: bytes, rng: random.Random) -> tuple[bytes, dict[str, list[str]]]:
    """The bundled CSL with REMOVED rows dropped, ALIASED rows given one more alias and
    ADDED rows from the 2023 sample; returns the file and the names touched, per change."""
    rows = _csv_rows(bundled)
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    have = {r[0] for r in body}
    sample = _csv_rows(CSL_2023.read_bytes()[: CSL_2023.read_bytes().rindex(b"\n") + 1])
    scol = {name: i for i, name in enumerate(sample[0])}
    fresh = [r for r in sample[1:] if len(r) == len(sample[0]) and r[0] not in have
             and r[scol["name"]].strip()]
    # one row per party: a party id appears once in the CSL
    picks = rng.sample(range(len(body)), REMOVED + ALIASED)
    removed = set(picks[:REMOVED])
    aliased = set(picks[REMOVED:])
    out_rows = [header]
    touched: dict[str, list[str]] = {"removed": [], "aliased": [], "added": []}
    for i, r in enumerate(body):
        if i in removed:
            touched["removed"].append(r[col["name"]])
            continue
        if i in aliased:
            r = list(r)
            alias = r[col["name"]] + " TRADING"
            r[col["alt_names"]] = "; ".join(x for x in (r[col["alt_names"]], alias) if x)
            touched["aliased"].append(alias)
        out_rows.append(r)
    for r in rng.sample(fresh, ADDED):
        out_rows.append([r[scol[name]] if name in scol else "" for name in header])
        touched["added"].append(r[scol["name"]])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(out_rows)
    return buf.getvalue().encode("utf-8"), touched


def _spellings(name: str) -> list[str]:
    """A listed name as listed, with two letters of its longest word swapped, and with its
    words in reverse order."""
    words = name.replace(",", " ").split()
    longest = max(words, key=len, default="")
    out = [name]
    if len(longest) > 5:
        out.append(name.replace(longest, longest[:2] + longest[3] + longest[2] + longest[4:]))
    if len(words) > 1:
        out.append(" ".join(reversed(words)))
    return out


def setup(home: Path, n: int) -> dict[str, Any]:
    """Steps 1-5; returns the timings of the one-off steps."""
    from entityscreen.bundle import bundled_files, load_bundled
    from entityscreen.model import PartyType, Query
    from entityscreen.rescreen import _Run
    from entityscreen.screener import Screener
    from entityscreen.settings import Settings
    from entityscreen.sources import get_source
    from entityscreen.store import Store
    from entityscreen.watch import watch_index

    timings: dict[str, Any] = {}
    rng = random.Random(11)
    settings = Settings.from_env(home=home)
    with Store.open(settings.db_path) as store:
        load_bundled(store)
    bundled = bundled_files("us_csl")["consolidated.csv"]
    update, touched = updated_csl(bundled, rng)
    started = time.perf_counter()
    rows = faker_rows(n)
    timings["faker_s"] = time.perf_counter() - started
    watched = [(f"r{i:07d}", Query(name, PartyType(t), c)) for i, (name, t, c) in
               enumerate(rows)]
    # the sprinkle: names the update removes (their matches must clear), aliases it adds and
    # parties it adds (new matches), as listed and misspelt
    sprinkle = [(f"s{kind}{i:03d}{v}", Query(text)) for kind, names in touched.items()
                for i, name in enumerate(names) for v, text in enumerate(_spellings(name))]
    with Screener.open(settings) as screener:
        store = screener.store
        started = time.perf_counter()
        store.watch.put(watched + sprinkle)
        timings["watch_add_s"] = time.perf_counter() - started
        # the baseline: the sprinkled rows screened for real, the faker rows taken as clear
        run = _Run(screener, {})
        run.full(store.watch.rows([k for k, _q in sprinkle]), "baseline")
        store.watch.save_rescreen(
            hits=run.hits, dropped=[], screened=(k for k, _q in watched + sprinkle),
            state={"versions": {v.source: v.version for v in screener.versions},
                   "algorithm": screener.algorithm.name,
                   "threshold": screener.settings.threshold, "at": "baseline"})
        timings["baseline_matches"] = len(run.hits)
        started = time.perf_counter()
        watch_index(store, settings.cache_dir)
        timings["watch_index_build_s"] = time.perf_counter() - started
        timings["peak_rss_setup_mib"] = round(_rss_mib())
        started = time.perf_counter()
        store.import_source(get_source("us_csl"), {"consolidated.csv": update},
                            origin="bench update")
        timings["update_import_s"] = time.perf_counter() - started
    started = time.perf_counter()
    Screener.open(settings).close()  # the list index for the new lists, built once
    timings["list_index_build_s"] = time.perf_counter() - started
    return timings


def measure(home: Path) -> dict[str, Any]:
    """Step 6: ``entityscreen rescreen --json`` in a fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, "--home", str(home), "rescreen", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    lines = [json.loads(x) for x in out.decode().splitlines()]
    counts = {c: sum(1 for x in lines if x["change"] == c) for c in ("new", "cleared", "changed")}
    messages = err.decode().strip().splitlines()
    peak = next(m.split("=")[1] for m in messages if m.startswith("peak_rss_mib="))
    return {"rescreen_wall_s": round(wall, 2), "exit": proc.returncode, **counts,
            "summary": next(m for m in messages if "rescreen (" in m),
            "rescreen_peak_rss_mib": int(peak)}


# The command, run in a child that reports its own peak RSS (VmHWM) as it exits: the rusage
# of a child forked from this big process would count this process's memory too.
_CHILD = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("peak_rss_mib=%d" % (int(line.split()[1]) // 1024), file=sys.stderr)
atexit.register(peak)
from entityscreen.cli import cli
from entityscreen.cli_watch import register
register(cli)
cli(prog_name="entityscreen")
"""


def check(home: Path, n: int, seed: int = 5) -> dict[str, Any]:
    """The reference: a full search of the sprinkled rows and of ``n`` random rows; their
    matches on the parties the update touched must be the ones the change-driven rescreen
    left stored. (Matches on other parties may differ: the baseline took the faker rows as
    clear, and some faker names do match a listed name.)"""
    from entityscreen.changes import diff_versions
    from entityscreen.screener import Screener
    from entityscreen.settings import Settings

    with Screener.open(Settings.from_env(home=home)) as screener:
        store = screener.store
        touched = {c.party_key for c in diff_versions(store, "us_csl", 1, 2).changes}
        touched |= {p.merge_key or p.id for k in list(touched)
                    if (p := store.party_by_key(k)) is not None}
        stored = store.watch.results()
        keys = [k for k, _q, _s in store.watch.rows() if k.startswith("s")]
        total, _done = store.watch.count()
        rng = random.Random(seed)
        keys += [f"r{i:07d}" for i in rng.sample(range(total - len(keys)), n)]
        differ = []
        others = 0
        started = time.perf_counter()
        for key, query, _s in store.watch.rows(keys):
            found = set()
            for hit in screener.search(query):
                party = screener.party(hit.party_id)
                if hit.match and party is not None:
                    found.add(party.merge_key or party.id)
            kept = set(stored.get(key, {}))
            if found != kept:
                others += 1
            if found & touched != kept & touched:
                differ.append((key, query.name, sorted(found & touched),
                               sorted(kept & touched)))
    return {"checked_rows": len(keys), "check_s": round(time.perf_counter() - started, 1),
            "rows_differing_on_changed_parties": len(differ), "differing": differ[:5],
            "rows_matching_unchanged_parties_not_in_baseline": others - len(differ)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--keep", action="store_true", help="keep the homes (printed)")
    parser.add_argument("--check", type=int, default=2000,
                        help="random rows (besides the sprinkled ones) whose stored matches "
                        "are compared with a full search afterwards [2000; 0: no check]")
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        home = Path(tempfile.mkdtemp(prefix=f"rescreen-{n}-"))
        result = {"watched_rows": n, **setup(home, n)}
        result.update(measure(home))
        if args.check:
            result.update(check(home, args.check))
        result = {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
        print(json.dumps(result), flush=True)
        if not args.keep:
            import shutil

            shutil.rmtree(home, ignore_errors=True)
        else:
            print(f"home kept: {home}", file=sys.stderr)


if __name__ == "__main__":
    main()
