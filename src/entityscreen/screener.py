"""The library's front door: open the store and index once, then screen names.

    from entityscreen import Screener, Query
    with Screener.open() as screener:
        hits = screener.search(Query("Megvii"))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from entityscreen.errors import UsageError
from entityscreen.match.analysis import analyze
from entityscreen.match.index import INDEX_FORMAT, Index
from entityscreen.match.scoring import ALGORITHMS, Algorithm, evidence, score_names
from entityscreen.model import Explanation, Hit, Party, PartyType, Query, SourceVersion
from entityscreen.normalize import describe_folding
from entityscreen.settings import Settings
from entityscreen.store import Store

__all__ = ["Freshness", "Screener"]


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old one source's data is, and whether that is too old to screen against quietly."""

    source: str
    version: int
    published: str | None
    fetched_at: str
    age_days: int  # from the publication date when the file states one, else from import
    stale: bool


class Screener:
    def __init__(self, settings: Settings, store: Store, index: Index) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.versions: list[SourceVersion] = store.versions()

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> Screener:
        """Open the store (importing the bundled snapshot on first use) and the index."""
        settings = settings or Settings.from_env()
        if settings.algorithm not in ALGORITHMS:
            raise UsageError(
                f"unknown algorithm {settings.algorithm!r}",
                fix=f"use one of: {', '.join(ALGORITHMS)}",
            )
        store = Store.open(settings.db_path)
        if not store.versions():
            from entityscreen.bundle import load_bundled

            if progress:
                progress("first use: importing the bundled lists (once)")
            load_bundled(store, progress)
        key = store.state_key()
        path = settings.cache_dir / f"index-{INDEX_FORMAT}-{key}.pickle"
        index = Index.load(path)
        if index is None:
            if progress:
                progress("building the name index (once per list version)")
            started = time.perf_counter()
            index = Index.build(store.parties())
            index.save(path)
            for old in settings.cache_dir.glob("index-*.pickle"):
                if old != path:
                    old.unlink(missing_ok=True)
            if progress:
                progress(f"index built in {time.perf_counter() - started:.1f} s")
        return cls(settings, store, index)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Screener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def algorithm(self) -> Algorithm:
        return ALGORITHMS[self.settings.algorithm]

    def search(
        self,
        query: Query,
        *,
        limit: int | None = None,
        threshold: float | None = None,
    ) -> list[Hit]:
        """The listed parties that best match ``query``, best first.

        Empty names and names of only punctuation give no results; names longer than
        ``settings.max_name_length`` are refused with a :class:`UsageError`.
        """
        limit = self.settings.limit if limit is None else limit
        threshold = self.settings.threshold if threshold is None else threshold
        if len(query.name) > self.settings.max_name_length:
            raise UsageError(
                f"name is {len(query.name)} characters long; the limit is "
                f"{self.settings.max_name_length}",
                fix="screen the name itself, not a whole text (or raise max_name_length)",
            )
        if limit < 1:
            raise UsageError("limit must be at least 1")
        q = analyze(query.name)
        if not q.tokens:
            return []
        algo = self.algorithm
        index = self.index
        best: dict[int, tuple[float, Explanation]] = {}
        folding = tuple(describe_folding(query.name))
        for nid in index.candidates(q, algo.candidates):
            pidx, listed_name, c = index.names[nid]
            person = index.parties[pidx].type is PartyType.PERSON
            ns = score_names(q, c, index.weight, algo, person=person)
            if ns.score <= 0:
                continue
            prev = best.get(pidx)
            if prev is not None and prev[1].name_score >= ns.score:
                continue
            best[pidx] = (ns.score, Explanation(
                matched_name=listed_name, name_score=round(ns.score, 4), aligned=ns.aligned,
                unmatched_query=ns.unmatched_query, unmatched_listed=ns.unmatched_listed,
                ignored=ns.ignored, folding=folding,
            ))
        hits = []
        for pidx, (name_score, expl) in best.items():
            ref = index.parties[pidx]
            ev = evidence(query, ref, algo)
            score = max(0.0, min(1.0, name_score + sum(e.effect for e in ev)))
            expl = replace(expl, evidence=ev)
            hits.append(Hit(ref.id, round(score, 4), score >= threshold, expl, algo.name))
        hits.sort(key=lambda h: (-h.score, h.party_id))
        return hits[:limit]

    def party(self, party_id: str) -> Party | None:
        return self.store.party(party_id)

    def freshness(self, today: date | None = None) -> list[Freshness]:
        today = today or datetime.now(UTC).date()
        out = []
        for v in self.versions:
            ref = v.published or v.fetched_at[:10]
            try:
                age = (today - date.fromisoformat(ref[:10])).days
            except ValueError:
                age = (today - date.fromisoformat(v.fetched_at[:10])).days
            out.append(Freshness(v.source, v.version, v.published, v.fetched_at, age,
                                 age > self.settings.max_age_days))
        return out
