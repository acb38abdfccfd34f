"""Building an :class:`~entityscreen.match.index.Index` from parties, on every core.

Analysing names (cleaning, folding, romanising, tokenising) is most of the work of a build
and is pure per name, so large builds analyse in worker processes, in order, while this
process files the results into posting lists; small builds (the bundled lists) analyse
inline, where starting workers would cost more than it saves. Either way the index is the
same, name for name.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from array import array
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from entityscreen.match.analysis import GENERIC, LEGAL, PLACE, STOP, WORD, analyze, name_variants
from entityscreen.match.index import identifier_key
from entityscreen.match.postings import Postings
from entityscreen.match.rows import FloatRows
from entityscreen.model import Party

if TYPE_CHECKING:
    from entityscreen.match.index import Index

__all__ = ["CODE_OF", "KIND_OF", "analyse_names", "fill"]

CODE_OF = {WORD: "w", LEGAL: "l", STOP: "s", PLACE: "p", GENERIC: "g"}
KIND_OF = {v: k for k, v in CODE_OF.items()}
# Names below which a build analyses inline (starting workers would cost more than it saves).
PARALLEL_MIN_NAMES = 20_000
# Names per task sent to a worker, and tasks in flight per worker (memory stays flat).
CHUNK = 4_000
IN_FLIGHT = 3
# Analysed form of one name: its variants' (tokens joined by spaces, kind codes, compact).
Analysis = list[tuple[str, str, str]]


def _analyse(value: str) -> Analysis:
    out = []
    for variant in name_variants(value):
        a = analyze(variant)
        if a.tokens:
            out.append((" ".join(a.tokens), "".join(CODE_OF[k] for k in a.kinds), a.compact))
    return out


def _analyse_chunk(values: list[str]) -> list[Analysis]:
    return [_analyse(v) for v in values]


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return min(cores, 8)


def analyse_names(values: list[str], workers: int | None = None) -> Iterator[Analysis]:
    """The analysis of every name in ``values``, in order."""
    workers = _workers() if workers is None else workers
    # Workers are forked: spawned ones would re-run the caller's main module, which a
    # script without a ``__main__`` guard cannot survive. Forking is safe only while this
    # process has one thread (a lock held by another thread would stay locked in the
    # child), so a threaded caller, and any platform without fork, analyses inline.
    if (workers < 2 or len(values) < PARALLEL_MIN_NAMES or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        yield from map(_analyse, values)
        return
    # objects the workers inherit stay shared with this process (a collection in a worker
    # would otherwise write to, and so copy, every page of them)
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            pending: deque[Future[list[Analysis]]] = deque()
            for start in range(0, len(values), CHUNK):
                pending.append(pool.submit(_analyse_chunk, values[start : start + CHUNK]))
                if len(pending) >= workers * IN_FLIGHT:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        if not frozen_before:  # leave a caller's own freeze (a loaded index) alone
            gc.unfreeze()


def fill(index: Index, parties: Iterable[Party], workers: int | None = None) -> None:
    """Fill an empty ``index`` with ``parties`` and their names."""
    idents: dict[str, set[int]] = defaultdict(set)
    values: list[str] = []  # every listed name, in party order
    owners = array("i")  # the party of each
    for party in parties:
        pidx = len(index.party_ids)
        index.party_ids.append(party.id)
        index.party_names.append(party.name)
        index.party_types.append(party.type.value)
        index.party_countries.append(party.countries)
        index.party_years.append(
            tuple(sorted({int(d[:4]) for d in party.birth_dates if d[:4].isdigit()})))
        for ident in party.identifiers:
            key = identifier_key(ident.value)
            if key:
                idents[key].add(pidx)
        for name in party.names:
            values.append(name.value)
            owners.append(pidx)
    # name ids only grow and a name's keys are a set: appended lists come out sorted and
    # without repeats, at a quarter of the memory of sets
    postings: dict[str, list[int]] = defaultdict(list)
    doc_freq: dict[str, int] = defaultdict(int)
    name_party = array("i")
    seen: set[str] = set()
    last = -1
    for value, owner, variants in zip(values, owners, analyse_names(values, workers),
                                      strict=True):
        if owner != last:
            seen, last = set(), owner  # a party's names are indexed once each
        for tokens, kinds, compact in variants:
            if tokens in seen:
                continue
            seen.add(tokens)
            nid = len(name_party)
            name_party.append(owner)
            index.name_text.append(value)
            index.name_tokens.append(tokens)
            index.name_kinds.append(kinds)
            toks = tokens.split(" ")
            keys = set(toks)
            for t in keys:
                doc_freq[t] += 1
            # adjacent pairs, so "Cloud Walk" is found by "CloudWalk"
            keys.update(x + y for x, y in pairwise(toks))
            if compact:
                keys.add(compact)
            for key in keys:
                postings[key].append(nid)
    del values, owners
    index.n_names = len(name_party)
    index.name_party = np.frombuffer(name_party, dtype=np.int32).copy()
    index.name_owner = index.name_party.tolist()
    index.postings = Postings.from_sorted(postings)
    del postings
    index.party_idents = Postings(idents)
    index.df = dict(doc_freq)
    weight = index.weight
    known: dict[tuple[str, str], float] = {}  # a token's weight, worked out once per kind

    def weigh(token: str, code: str) -> float:
        w = known.get((token, code))
        if w is None:
            w = known[token, code] = weight(token, KIND_OF[code])
        return w

    index.name_weights = FloatRows(
        [weigh(t, k) for t, k in zip(tokens.split(" "), kinds, strict=True)]
        for tokens, kinds in zip(index.name_tokens, index.name_kinds, strict=True)
    )

