"""Matching the parties that changed against the watched rows (for :mod:`.rescreen`).

A search looks one name up among all listed names. A rescreen has the opposite shape: a few
hundred listed names that changed, against up to millions of watched names. So the listed
names are looked up in the index of watched names (:func:`sharing`), the rows found are
filtered by a cheap upper bound of the score (:func:`name_bound`), and only the rows left are
scored, against the changed parties only, exactly as a search scores them
(:func:`score_against`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np

from entityscreen.match.analysis import (
    LEGAL,
    STOP,
    WORD,
    Analyzed,
    analyze,
    names_an_organisation,
    with_country_hint,
)
from entityscreen.match.index import WEAK_SHARE, Index
from entityscreen.match.matcher import QueryMatcher
from entityscreen.match.postings import union
from entityscreen.match.scoring import Algorithm, evidence, explain, weights
from entityscreen.model import Explanation, Hit, PartyType, Query
from entityscreen.normalize import describe_folding
from entityscreen.screener import Screener

__all__ = ["NEAR_GAIN", "candidates", "name_bound", "prepare", "score_against", "sharing"]

# What a listed key counts for a watched name holding a token one edit away (or of the same
# transliteration skeleton) rather than the token itself, as in ``Index.candidates``.
NEAR_GAIN = 0.8


def prepare(query: Query, analyzed: Analyzed | None = None) -> tuple[Query, Analyzed]:
    """The query and its analysis as :meth:`Screener.search` reads them: a country written
    after the name ("Agnes NANDUTU (Uganda)") is a country hint whose words only locate, and
    a legal form in the name makes the query an organisation for the type evidence.

    ``analyzed``: ``analyze(query.name)`` when already at hand (from the watched index).
    """
    q, hinted = with_country_hint(query.name, analyzed or analyze(query.name))
    if hinted:
        query = replace(query, country=query.country or hinted)
    if query.type is None and names_an_organisation(q):
        query = replace(query, type=PartyType.ORGANIZATION)
    return query, q


def score_against(screener: Screener, query: Query, parties: Iterable[int], *,
                  names_of: dict[int, list[int]] | None = None,
                  analyzed: Analyzed | None = None) -> list[Hit]:
    """``query`` scored against the given parties of the screener's index only, as
    :meth:`Screener.search` scores a candidate (same weights, evidence and explanation), best
    first. Hits under the threshold carry no alignment (nobody reads it).

    ``names_of``: the name ids of each party, when already looked up; ``analyzed``:
    ``analyze(query.name)`` when already at hand (the analysis does not depend on the lists).
    """
    index, algo = screener.index, screener.algorithm
    typed, q = prepare(query, analyzed)
    if not q.tokens:
        return []
    qw = weights(q, index.weight)
    matcher = QueryMatcher(q, qw, algo)
    names = {p: names_of[p] if names_of and p in names_of else index.names_of(p)
             for p in parties}
    matcher.prepare([index.analysis(n) for ns in names.values() for n in ns])
    by_identifier = index.parties_with_identifier(query.identifiers)
    threshold = screener.settings.threshold
    hits = []
    for p, nids in names.items():
        person = index.party_types[p] == "person"
        best = max(((*matcher.align(index.analysis(n), index.name_weights[n], person=person), n)
                    for n in nids), key=lambda b: b[0], default=None)
        if best is None or (best[0] <= 0 and p not in by_identifier):
            continue
        name_score, picks, nid = best
        ev = evidence(typed, index.party(p), algo)
        score = round(max(0.0, min(1.0, name_score + sum(e.effect for e in ev))), 4)
        if score >= threshold:
            ns = explain(q, index.analysis(nid), qw, name_score, picks)
            expl = Explanation(
                matched_name=index.name_text[nid], name_score=round(ns.score, 4),
                aligned=ns.aligned, unmatched_query=ns.unmatched_query,
                unmatched_listed=ns.unmatched_listed, ignored=ns.ignored,
                folding=tuple(describe_folding(query.name)), evidence=ev)
        else:
            expl = Explanation(index.name_text[nid], round(name_score, 4), evidence=ev)
        hits.append(Hit(index.party_ids[p], score, score >= threshold, expl, algo.name))
    return sorted(hits, key=lambda h: (-h.score, h.party_id))


def sharing(watched: Index, listed: Analyzed, lw: tuple[float, ...],
            weigh: Callable[[str, str], float]) -> np.ndarray:
    """Ids of the watched names sharing at least ``WEAK_SHARE`` of a listed name's weight.

    The listed name is the query here and the watched names the indexed ones: a few hundred
    look-ups whatever the size of the watch set. Unlike ``Index.candidates`` (the best few
    names for a search) this keeps *every* watched name above the share, however many, and
    none below it, the floor a search's retrieval uses: a name holding less than that share
    of a listed name's rarity (the lists' own weights, as in scoring) stays under the
    threshold.
    """
    keys: dict[str, float] = {}
    toks, kinds = listed.tokens, listed.kinds
    for t, k, w in zip(toks, kinds, lw, strict=True):
        if k not in (LEGAL, STOP):
            keys[t] = max(keys.get(t, 0.0), w)
    for i in range(len(toks) - 1):  # split and merged words: "Cloud Walk" ~ "CloudWalk"
        if kinds[i] == WORD and kinds[i + 1] == WORD:
            keys.setdefault(toks[i] + toks[i + 1], weigh(toks[i] + toks[i + 1], WORD))
    if listed.compact:
        keys.setdefault(listed.compact, weigh(listed.compact, WORD))
    acc = np.zeros(watched.n_names, dtype=np.float32)
    touched = []
    for key, w in keys.items():
        similar = watched.neighbours.similar(key)
        exact = watched.postings.get(key) if key in similar else None
        near = [watched.postings[t] for t in similar if t != key and t in watched.postings]
        if near:
            ids = union(near)
            if exact is not None:  # a name counts a key once, at its best
                ids = np.setdiff1d(ids, exact, assume_unique=True)
            acc[ids] += NEAR_GAIN * w
            touched.append(ids)
        if exact is not None:
            acc[exact] += w
            touched.append(exact)
    if not touched:
        return np.zeros(0, dtype=np.int64)
    ids = union(touched)
    return ids[acc[ids] >= WEAK_SHARE * sum(lw)]


def name_bound(q: Analyzed, qw: tuple[float, ...], c: Analyzed, cw: tuple[float, ...],
               algo: Algorithm, *, person: bool = False, enough: float = 2.0) -> float:
    """An upper bound of the name score :func:`~entityscreen.match.scoring.align` gives,
    found without aligning: a token similar to no token of the other name (alone or merged
    with a neighbour) can align with nothing.

    The score is at most (Q - U + x) / (Q - U + e U + x + m (C - x)), with Q and C the
    weights of the two names, U the weight of the query tokens that can align with nothing,
    e the least an unaligned query token counts (less than 1 for an organisation whose whole
    name is in the query), x the weight of the listed tokens aligned and m the weight of an
    unaligned listed token; it grows with x, which is at most C - V (V: the listed tokens
    that can align with nothing).

    Merged pairs are only looked at when the bound without them stays under ``enough``
    (they can only raise it): a caller that only asks "can it reach t?" passes t.
    """
    if q.compact and q.compact == c.compact:
        return 1.0
    qt, ct = q.tokens, c.tokens
    similarity = algo.similarity  # as the alignment compares tokens
    qa, ca = [False] * len(qt), [False] * len(ct)
    for i, a in enumerate(qt):
        for j, b in enumerate(ct):
            if similarity(a, b)[0] > 0:
                qa[i] = ca[j] = True
    missing = algo.unmatched_listed_person if person else algo.unmatched_listed
    extra = 1.0 if person else min(1.0, algo.unmatched_query_contained)
    total_q, total_c = sum(qw), sum(cw)

    def bound() -> float:
        u = sum(w for w, ok in zip(qw, qa, strict=True) if not ok)
        v = sum(w for w, ok in zip(cw, ca, strict=True) if not ok)
        num = total_q - u + total_c - v
        den = num + extra * u + missing * v
        return num / den if den > 0 else 0.0

    first = bound()
    if first >= enough or (all(qa) and all(ca)):
        return first
    merge_min = algo.merge_min

    def merges(x: str, y: str) -> bool:
        if len(x) * merge_min > len(y) or len(y) * merge_min > len(x):
            return False  # lengths too far apart for the similarity to reach merge_min
        sim, how = similarity(x, y)
        return sim >= merge_min and how in ("exact", "fuzzy")  # at least what algo.merges takes

    for i in range(len(qt) - 1):
        for j, b in enumerate(ct):
            if not (qa[i] and qa[i + 1] and ca[j]) and merges(qt[i] + qt[i + 1], b):
                qa[i] = qa[i + 1] = ca[j] = True
    for j in range(len(ct) - 1):
        for i, a in enumerate(qt):
            if not (qa[i] and ca[j] and ca[j + 1]) and merges(a, ct[j] + ct[j + 1]):
                qa[i] = ca[j] = ca[j + 1] = True
    return bound()


def candidates(watched: Index, index: Index, parties: Iterable[int], algo: Algorithm,
               threshold: float) -> dict[str, tuple[int, set[int]]]:
    """Watched key -> (the watched name id of its name, the given listed parties whose
    names or identifiers it could match).

    Retrieval (:func:`sharing`) is as lossy as a search's; then a row is kept for a party
    only when one of the party's names can reach the threshold by :func:`name_bound` plus
    the most secondary evidence can add, which loses nothing.
    """
    out: dict[str, tuple[int, set[int]]] = {}
    owner, keys = watched.name_owner, watched.party_ids
    floor = threshold - max(0.0, algo.country_agree) - max(0.0, algo.birth_year_agree)

    def own(wn: int) -> int:
        # a row's own name is the first name indexed for it (the others are variants such
        # as the parts of "X (a.k.a. Y)"), as a search analyses the name itself; a row's
        # names are stored next to each other
        while wn > 0 and owner[wn - 1] == owner[wn]:
            wn -= 1
        return wn

    def add(wn: int, p: int) -> None:
        key = keys[owner[wn]]
        got = out.get(key)
        if got is None:
            got = out[key] = (wn, set())
        got[1].add(p)

    for p in parties:
        person = index.party_types[p] == "person"
        for nid in index.names_of(p):
            c, cw = index.analysis(nid), index.name_weights[nid]
            reaches: dict[str, bool] = {}  # watched names repeat: bound each once
            for wn in sharing(watched, c, cw, index.weight).tolist():
                wn = own(wn)
                text = watched.name_text[wn]
                ok = reaches.get(text)
                if ok is None:
                    _typed, q = prepare(Query(text), watched.analysis(wn))
                    ok = reaches[text] = name_bound(
                        q, weights(q, index.weight), c, cw, algo, person=person,
                        enough=floor) >= floor
                if ok:
                    add(wn, p)
        for wp in watched.parties_with_identifier(index.party(p).identifiers):
            add(watched.names_of(wp)[0], p)  # an identifier decides, whatever the names
    return out
