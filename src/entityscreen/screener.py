"""The library's front door: open the store and index once, then screen names.

    from entityscreen import Screener, Query
    with Screener.open() as screener:
        hits = screener.search(Query("Megvii"))
"""

from __future__ import annotations

import gc
import heapq
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from entityscreen.errors import UsageError
from entityscreen.match.analysis import (
    Analyzed,
    analyze,
    names_an_organisation,
    with_country_hint,
)
from entityscreen.match.batch import best_by_party
from entityscreen.match.index import INDEX_FORMAT, Index, reference_digest
from entityscreen.match.matcher import QueryMatcher
from entityscreen.match.scoring import (
    ALGORITHMS,
    Algorithm,
    Pick,
    evidence,
    explain,
    most_evidence_adds,
    weights,
)
from entityscreen.model import (
    Evidence,
    Explanation,
    Hit,
    Party,
    PartyType,
    Query,
    SourceVersion,
)
from entityscreen.normalize import describe_folding
from entityscreen.recent import Recent
from entityscreen.settings import Settings
from entityscreen.store import Store

__all__ = ["Freshness", "Screener", "index_cache_path", "screening_worker_gc"]

T = TypeVar("T")

# Parties kept decoded in memory for repeated hits (a bulk file hits the same few often).
PARTY_CACHE = 4096
# Evidence weighed recently, by party and hints (a bulk file's rows share a few types and
# countries, and common names meet the same listed parties again and again).
EVIDENCE_CACHE = 20_000
# Names in Han, Cyrillic and Arabic script: one search of it loads every lazy table.
WARM_QUERY = "旷视科技 Мегвий ميغفي Megvii"


# Collector thresholds for processes that only screen (bulk and stream workers, the server):
# a query allocates thousands of short-lived objects and makes almost no reference cycles,
# so the default (a collection every 700 allocations) spent ~6 % of a bulk worker's CPU
# finding nothing, and the server's full collections showed in its slowest answers.
WORKER_GC_THRESHOLDS = (50_000, 20, 100)


def screening_worker_gc() -> None:
    """Set this process's collector for a process that only screens or serves (bulk and
    stream pools, ``serve``; never a library caller's process)."""
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def index_cache_path(settings: Settings, store: Store) -> Path:
    """Where the index of the store's active list versions is cached; the name changes with
    the list versions, the index format and the reference tables, so it keys the index."""
    key = store.state_key()
    return settings.cache_dir / f"index-{INDEX_FORMAT}-{key}-{reference_digest()}.pickle"


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old one source's data is, and whether that is too old to screen against quietly."""

    source: str
    version: int
    published: str | None
    fetched_at: str
    age_days: int  # from the publication date when the file states one, else from import
    stale: bool


# One scored party: score, party id, name id, name score, alignment, evidence.
_Scored = tuple[float, str, int, float, list[Pick] | None, tuple[Evidence, ...]]


@dataclass(frozen=True, slots=True)
class _Ranked:
    """The best parties for one query, scored, before they are explained."""

    query: Query  # with the country the name hinted at
    q: Analyzed
    qw: tuple[float, ...]
    algorithm: Algorithm
    scored: list[_Scored]  # best first
    matcher: QueryMatcher  # the query's, to align a name scored compiled when it is shown


class Screener:
    def __init__(self, settings: Settings, store: Store, index: Index) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.versions: list[SourceVersion] = store.versions()
        # parties are read from these versions, whatever an update makes active meanwhile
        self._pinned = {v.source: v.version for v in self.versions}
        self._parties: dict[str, Party] = {}
        self._derived: dict[tuple[str, object], object] = {}
        self._freshness: tuple[date, list[Freshness]] | None = None
        self._evidence: Recent[tuple[int, tuple[object, ...]], tuple[Evidence, ...]] = Recent(
            EVIDENCE_CACHE)

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
        path = index_cache_path(settings, store)
        index = Index.load(path)
        if index is None:
            if progress:
                progress("building the name index (once per list version)")
            started = time.perf_counter()
            index = Index.build(store.parties())
            index.build_arrays()  # for long runs' compiled scoring: built once, saved
            index.save(path)
            for old in settings.cache_dir.glob("index-*.pickle"):
                if old != path:
                    old.unlink(missing_ok=True)
            if progress:
                progress(f"index built in {time.perf_counter() - started:.1f} s")
        # The index is millions of long-lived objects: keep the cyclic garbage collector from
        # walking them on every full collection (a 0.3 s pause per query at 1M names).
        gc.freeze()
        return cls(settings, store, index)

    def warm(self) -> None:
        """Load what a first query in another script loads lazily (the Han romanisation and
        transliteration tables, ~0.7 s) and the compiled retrieval core (~1 s): long-running
        processes (a stream of queries, a server, a bulk pool) do it before their first
        answer, not in the middle of a run."""
        self.index.compile()
        self.search(Query(WARM_QUERY), limit=1)

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
        exhaustive: bool = False,
    ) -> list[Hit]:
        """The listed parties that best match ``query``, best first.

        ``exhaustive`` scores every name that shares a similar token with the query instead
        of the index's best candidates: much slower, used to check what the index loses.

        Empty names and names of only punctuation give no results; names longer than
        ``settings.max_name_length`` are refused with a :class:`UsageError`.
        """
        limit = self.settings.limit if limit is None else limit
        threshold = self.settings.threshold if threshold is None else threshold
        ranked = self._rank(query, limit, exhaustive=exhaustive)
        return self._hits(ranked, ranked.scored, threshold) if ranked else []

    def screen(
        self, query: Query, *, floor: float, limit: int | None = None,
        threshold: float | None = None,
    ) -> tuple[float | None, list[Hit]]:
        """What a bulk run keeps of :meth:`search`: the best score (None: no result) and the
        hits scoring at least ``floor`` or matching, the same hits ``search`` gives.

        Cheaper than ``search`` then filtering: parties that can neither reach ``floor`` nor
        beat the best score are not weighed on their other attributes, and hits below
        ``floor`` are not explained."""
        limit = self.settings.limit if limit is None else limit
        threshold = self.settings.threshold if threshold is None else threshold
        low = min(floor, threshold)  # a hit is kept from this score up
        ranked = self._rank(query, limit, floor=low)
        if not ranked or not ranked.scored:
            return None, []
        kept = [s for s in ranked.scored if s[0] >= low]
        return ranked.scored[0][0], self._hits(ranked, kept, threshold) if kept else []

    def _rank(self, query: Query, limit: int, *, exhaustive: bool = False,
              floor: float | None = None) -> _Ranked | None:
        """The ``limit`` best parties for ``query``, scored with their evidence, best first;
        None when the name has no tokens. With a ``floor``, only the best party and those
        that can reach the floor are certain to be there (the best score stays exact)."""
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
            return None
        # "Agnes NANDUTU (Uganda)": the country is a hint, and its words only locate (they
        # still tell "AL-HARAMAIN (UNION OF THE COMOROS)" from other branches)
        q, hinted_country = with_country_hint(query.name, q)
        if hinted_country:
            query = replace(query, country=query.country or hinted_country)
        algo = self.algorithm
        index = self.index
        qw = weights(q, index.weight)
        matcher = QueryMatcher(q, qw, algo)
        candidates = (index.all_candidates(q, algo.retrieval) if exhaustive
                      else index.candidates(q, algo.retrieval, qw))
        by_identifier = index.parties_with_identifier(query.identifiers)
        if by_identifier:
            # a party carrying the identifier is a candidate whatever its name
            have = set(candidates)
            candidates = candidates + [
                nid for p in sorted(by_identifier) for nid in index.names_of(p) if nid not in have
            ]
        analysed = index.analyses(candidates)
        matcher.prepare(analysed)
        best = self._best_names(matcher, candidates, analysed, by_identifier)
        scored: list[_Scored] = []
        # a legal form in the name ("Andreev Limited") says the query is an organisation
        as_typed = query
        if query.type is None and names_an_organisation(q):
            as_typed = replace(query, type=PartyType.ORGANIZATION)
        hinted = as_typed.type is not None or bool(
            query.country or query.birth_date or query.identifiers)
        party_ids = index.party_ids
        # best name score first: once ``limit`` parties are scored, a party whose name score
        # plus all evidence could add stays below the last of them cannot be shown; with a
        # floor, nor can one that stays below both the floor and the best score so far
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        most = most_evidence_adds(as_typed, algo) if hinted else 0.0
        lowest: list[float] = []  # the ``limit`` best scores so far, as a heap
        top = -1.0
        # evidence depends on the party and these hints only (the algorithm is the screener's)
        hints = (as_typed.type, as_typed.country, as_typed.birth_date, as_typed.identifiers)
        weighed, remember = self._evidence.get, self._evidence.put
        for pidx, (name_score, nid, picks) in ranked:
            if len(lowest) == limit and name_score + most < lowest[0] - 1e-4:
                break  # (rounding to 4 places cannot lift it to a tie: 1e-4 apart)
            if floor is not None and name_score + most < min(floor, top) - 1e-4:
                break
            if hinted:
                ev = weighed((pidx, hints))
                if ev is None:
                    ev = evidence(as_typed, index.party(pidx), algo)
                    remember((pidx, hints), ev)
                gain = 0.0
                for e in ev:
                    gain += e.effect
                score = round(max(0.0, min(1.0, name_score + gain)), 4)
            else:
                ev, score = (), round(max(0.0, min(1.0, name_score)), 4)
            if len(lowest) < limit:
                heapq.heappush(lowest, score)
            elif score > lowest[0]:
                heapq.heapreplace(lowest, score)
            top = max(top, score)
            scored.append((score, party_ids[pidx], nid, best[pidx][0], picks, ev))
        scored.sort(key=lambda s: (-s[0], s[1]))
        del scored[limit:]
        return _Ranked(query, q, qw, algo, scored, matcher)

    def _best_names(self, matcher: QueryMatcher, candidates: list[int],
                    analysed: list[Analyzed], by_identifier: set[int],
                    ) -> dict[int, tuple[float, int, list[Pick] | None]]:
        """Per party among the candidates, its best name: (name score, name id, alignment;
        None when scored compiled: made again for the hits explained)."""
        index = self.index
        best: dict[int, tuple[float, int, list[Pick] | None]] = {}
        name_party, party_types, person_type = index.name_owner, index.party_types, "person"
        weights_of, align = index.weights_of, matcher.align_prepared
        if index.scoring is not None:
            for pidx, score, nid in best_by_party(index.scoring, index.postings.key_ids(),
                                                  matcher, candidates, index.name_party,
                                                  by_identifier):
                best[pidx] = (score, nid, None)
            return best
        memo: dict[tuple[str, bool], tuple[float, list[Pick]]] = {}
        name_tokens = index.name_tokens
        for nid, c in zip(candidates, analysed, strict=True):
            pidx = name_party[nid]
            person = party_types[pidx] == person_type
            # the same name is often listed by several publishers: align it once
            key = (name_tokens[nid], person)
            got = memo.get(key)
            if got is None:
                got = memo[key] = align(c, weights_of(nid), person=person)
            score, got_picks = got
            if (score > 0 or pidx in by_identifier) and (
                pidx not in best or best[pidx][0] < score
            ):
                best[pidx] = (score, nid, got_picks)
        return best

    def _hits(self, ranked: _Ranked, scored: list[_Scored], threshold: float) -> list[Hit]:
        """Hits for ``scored`` (some of ``ranked``), each with its explanation."""
        index, q, qw, name = self.index, ranked.q, ranked.qw, ranked.algorithm.name
        folding = tuple(describe_folding(ranked.query.name))
        hits = []
        for score, pid, nid, name_score, picks, ev in scored:
            c = index.analysis(nid)
            if picks is None:  # scored compiled: the alignment is made for the hits shown
                person = index.party_types[index.name_owner[nid]] == "person"
                picks = ranked.matcher.align(c, index.weights_of(nid), person=person)[1]
            ns = explain(q, c, qw, name_score, picks)
            expl = Explanation(
                matched_name=index.name_text[nid], name_score=round(ns.score, 4),
                aligned=ns.aligned, unmatched_query=ns.unmatched_query,
                unmatched_listed=ns.unmatched_listed, ignored=ns.ignored, folding=folding,
                evidence=ev,
            )
            hits.append(Hit(pid, score, score >= threshold, expl, name))
        return hits

    def party(self, party_id: str) -> Party | None:
        """A whole party from the store, as in the list versions this screener loaded
        (recently used ones kept in memory)."""
        cached = self._parties.get(party_id)
        if cached is None:
            cached = self.store.party(party_id, self._pinned)
            if cached is not None:
                if len(self._parties) >= PARTY_CACHE:
                    self._parties.pop(next(iter(self._parties)))
                self._parties[party_id] = cached
        return cached

    def parties(self, party_ids: Iterable[str]) -> dict[str, Party]:
        """:meth:`party` of several ids, those not in memory read from the store together."""
        out: dict[str, Party] = {}
        missing: list[str] = []
        for pid in party_ids:
            cached = self._parties.get(pid)
            if cached is None:
                missing.append(pid)
            else:
                out[pid] = cached
        for start in range(0, len(missing), 500):  # under SQLite's limit on parameters
            for pid, party in self.store.parties_by_id(missing[start:start + 500],
                                                       self._pinned).items():
                if len(self._parties) >= PARTY_CACHE:
                    self._parties.pop(next(iter(self._parties)))
                self._parties[pid] = out[pid] = party
        return out

    def derived(self, party: Party, make: Callable[[Party], T]) -> T:
        """``make(party)``, kept for this screener's lifetime (its data cannot change under
        it): the rendered party part of results is made once per party, not once per hit."""
        key = (party.id, make)
        if key not in self._derived:
            if len(self._derived) >= PARTY_CACHE:
                self._derived.pop(next(iter(self._derived)))
            self._derived[key] = make(party)
        return self._derived[key]  # type: ignore[return-value]

    def freshness(self, today: date | None = None) -> list[Freshness]:
        today = today or datetime.now(UTC).date()
        if self._freshness is not None and self._freshness[0] == today:
            return self._freshness[1]  # every answer states it: work it out once a day
        out = []
        for v in self.versions:
            ref = v.published or v.fetched_at[:10]
            try:
                age = (today - date.fromisoformat(ref[:10])).days
            except ValueError:
                age = (today - date.fromisoformat(v.fetched_at[:10])).days
            out.append(Freshness(v.source, v.version, v.published, v.fetched_at, age,
                                 age > self.settings.max_age_days))
        self._freshness = (today, out)
        return out
