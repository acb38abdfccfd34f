"""What the fast candidate retrieval loses: indexed search against exhaustive search.

    python bench/index_recall.py [--home DIR] [--cases FILE ...]

For every case, ``Screener.search`` runs twice with the default limit: once on the index's
candidates (what users get) and once with ``exhaustive=True``, which scores every listed name
sharing a similar token with the query. A match is *lost* when the exhaustive search returns a
party with ``match=True`` and the indexed search does not return that party with
``match=True``. Reported: matches found by the exhaustive search, matches lost, the loss rate
(target: at most 0.1 %), and how often both searches put the same party first.

Runs in the entityscreen venv; ``run.py`` calls :func:`measure` for its "Index recall" section.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entityscreen.errors import EntityscreenError
from entityscreen.model import Hit, PartyType, Query
from entityscreen.screener import Screener
from entityscreen.settings import Settings

__all__ = ["IndexRecall", "Lost", "measure", "render"]

BENCH = Path(__file__).resolve().parent
EVAL = Path(os.environ.get("ENTITYSCREEN_EVAL_DIR", "/work/shared/eval"))
TARGET_LOSS = 0.001  # the target: at most 0.1 % of matches lost


@dataclass(frozen=True, slots=True)
class Lost:
    """One case where the index missed matches the exhaustive search found."""

    case_id: str
    category: str
    query: str
    lost: tuple[tuple[str, str, float], ...]  # (party id, matched name, exhaustive score)
    indexed_top: str  # the indexed search's first result, for comparison


@dataclass(slots=True)
class IndexRecall:
    label: str  # the case file(s)
    cases: int = 0
    exhaustive_matches: int = 0  # (query, party) pairs with match=True, exhaustive search
    indexed_matches: int = 0
    lost_matches: int = 0
    extra_matches: int = 0  # matched by the index but not by the exhaustive search (limit ties)
    top1_compared: int = 0  # cases where either search returned something
    top1_agree: int = 0
    top1_match_compared: int = 0  # cases where the exhaustive first result is a match
    top1_match_agree: int = 0
    indexed_s: float = 0.0
    exhaustive_s: float = 0.0
    lost: list[Lost] = field(default_factory=list)

    @property
    def loss_rate(self) -> float:
        return self.lost_matches / self.exhaustive_matches if self.exhaustive_matches else 0.0

    @property
    def top1_rate(self) -> float:
        return self.top1_agree / self.top1_compared if self.top1_compared else 1.0

    @property
    def top1_match_rate(self) -> float:
        return (self.top1_match_agree / self.top1_match_compared
                if self.top1_match_compared else 1.0)

    def add(self, other: IndexRecall) -> None:
        for f in ("cases", "exhaustive_matches", "indexed_matches", "lost_matches",
                  "extra_matches", "top1_compared", "top1_agree", "top1_match_compared",
                  "top1_match_agree", "indexed_s", "exhaustive_s"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.lost.extend(other.lost)


def to_query(q: dict[str, Any]) -> Query:
    try:
        ptype = PartyType(q["type"]) if q.get("type") else None
    except ValueError:
        ptype = None
    return Query(q.get("name") or "", ptype, q.get("country") or None)


def load_cases(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    return cases[:limit] if limit else cases


def _search(screener: Screener, query: Query, exhaustive: bool) -> tuple[list[Hit], float]:
    t0 = time.perf_counter()
    try:
        hits = screener.search(query, exhaustive=exhaustive)
    except EntityscreenError:  # an over-long name is refused either way
        hits = []
    return hits, time.perf_counter() - t0


def measure(screener: Screener, cases: Sequence[dict[str, Any]], label: str = "") -> IndexRecall:
    """Indexed against exhaustive search over ``cases`` (default limit, default threshold)."""
    res = IndexRecall(label, cases=len(cases))
    for case in cases:
        query = to_query(case["query"])
        fast, t_fast = _search(screener, query, exhaustive=False)
        full, t_full = _search(screener, query, exhaustive=True)
        res.indexed_s += t_fast
        res.exhaustive_s += t_full
        fast_ids = {h.party_id for h in fast if h.match}
        full_ids = {h.party_id for h in full if h.match}
        res.exhaustive_matches += len(full_ids)
        res.indexed_matches += len(fast_ids)
        res.extra_matches += len(fast_ids - full_ids)
        missing = [h for h in full if h.match and h.party_id not in fast_ids]
        res.lost_matches += len(missing)
        same_top = bool(fast and full and fast[0].party_id == full[0].party_id)
        if fast or full:
            res.top1_compared += 1
            res.top1_agree += same_top
        if full and full[0].match:
            res.top1_match_compared += 1
            res.top1_match_agree += same_top
        if missing:
            top = (f"{fast[0].explanation.matched_name} [{fast[0].score:.2f}"
                   f"{' M' if fast[0].match else ''}]") if fast else "(nothing)"
            res.lost.append(Lost(
                str(case.get("id", "?")), str(case.get("category", "?")), query.name,
                tuple((h.party_id, h.explanation.matched_name, h.score) for h in missing), top))
    return res


def render(results: Sequence[IndexRecall]) -> list[str]:
    """Markdown lines for RESULTS.md (one row per case file, then the lost cases)."""
    L = ["| cases | queries | matches (exhaustive) | lost by the index | loss rate | "
         "extra (index only) | top-1 agreement, all | top-1 agreement, exhaustive top-1 "
         "matched | indexed s | exhaustive s |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        verdict = "ok" if r.loss_rate <= TARGET_LOSS else "**above the 0.1 % target**"
        L.append(f"| {r.label} | {r.cases} | {r.exhaustive_matches} | {r.lost_matches} | "
                 f"{r.loss_rate:.2%} ({verdict}) | {r.extra_matches} | "
                 f"{r.top1_rate:.3f} ({r.top1_agree}/{r.top1_compared}) | "
                 f"{r.top1_match_rate:.3f} ({r.top1_match_agree}/{r.top1_match_compared}) | "
                 f"{r.indexed_s:.1f} | {r.exhaustive_s:.1f} |")
    L += ["", "A match is lost when the exhaustive search returns a party with `match: true` "
          "that the indexed search does not return as a match (both with the default limit and "
          "threshold). Top-1 agreement: both searches put the same party first, over the queries "
          "where either returned anything, and over those where the exhaustive search's first "
          "result is a match (the ones that decide an alert)."]
    lost = [x for r in results for x in r.lost]
    L += ["", f"Cases where the index lost a match ({len(lost)}):", ""]
    if not lost:
        L.append("None.")
    for x in lost:
        what = "; ".join(f"{pid} '{name}' [{score:.2f}]" for pid, name, score in x.lost)
        L.append(f"- {x.case_id} [{x.category}] {x.query!r}: lost {what}; indexed top: "
                 f"{x.indexed_top}")
    return L


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, action="append",
                    help="case file (repeatable) [default /work/shared/eval/dev.jsonl]")
    ap.add_argument("--limit", type=int, help="only the first N cases of each file")
    ap.add_argument("--home", type=Path,
                    default=Path(os.environ.get("ENTITYSCREEN_HOME") or BENCH / "out" / "home"),
                    help="entityscreen home [env ENTITYSCREEN_HOME; default bench/out/home]")
    args = ap.parse_args(argv)
    files = args.cases or [EVAL / "dev.jsonl"]

    def log(message: str) -> None:
        print(f"index-recall: {message}", file=sys.stderr, flush=True)

    results = []
    with Screener.open(Settings.from_env(home=args.home.resolve()), progress=log) as screener:
        for path in files:
            log(f"{path}")
            results.append(measure(screener, load_cases(path, args.limit), path.name))
    if len(results) > 1:
        total = IndexRecall("all")
        for r in results:
            total.add(r)
        total.lost = []  # listed once, under their own file
        results.append(total)
    print("\n".join(render(results)))
    return 0 if all(r.loss_rate <= TARGET_LOSS for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
