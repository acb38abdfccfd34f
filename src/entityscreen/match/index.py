"""Candidate retrieval: an in-memory index over every listed name, cached on disk.

A query never scores every name. Each query token looks up the listed names that contain the
same token, a token one edit away (deletion neighbourhoods, as in SymSpell), a token with the
same transliteration skeleton, or the concatenation of two tokens (split/merge). Names collect
the rarity weight of what they share with the query; the best ``candidates`` names go on to full
scoring.
"""

from __future__ import annotations

import heapq
import math
import os
import pickle
import tempfile
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from entityscreen.match.analysis import (
    GENERIC,
    LEGAL,
    PLACE,
    STOP,
    WORD,
    Analyzed,
    analyze,
    name_variants,
    skeleton,
)
from entityscreen.model import Party, PartyType

__all__ = ["INDEX_FORMAT", "Index", "PartyRef"]

# Bump when the pickled layout or the analysis changes: old caches are then rebuilt.
INDEX_FORMAT = 8
# Tokens shorter than this get no fuzzy (one-edit) look-up: "co" ~ "ca" means nothing.
MIN_FUZZY_LEN = 4
# Place names and generic business words weigh this fraction of their rarity: "Hangzhou"
# locates and "Technology" describes, "Hikvision" identifies.
WEAK_FACTOR = 0.4
# Posting lists longer than this (common words) only add weight to names found by rarer keys.
COMMON_POSTINGS = 300


@dataclass(frozen=True, slots=True)
class PartyRef:
    """What scoring needs of a party; the rest is read from the store for the top hits."""

    id: str
    name: str
    type: PartyType
    countries: tuple[str, ...]
    birth_years: tuple[int, ...]


def _deletes(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


class Index:
    def __init__(self) -> None:
        self.parties: list[PartyRef] = []
        # name entries: (party index, listed name, analysis)
        self.names: list[tuple[int, str, Analyzed]] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.df: dict[str, int] = {}
        self.by_delete: dict[str, list[str]] = defaultdict(list)
        self.by_skeleton: dict[str, list[str]] = defaultdict(list)
        self.n_names = 0
        self.name_weights: list[tuple[float, ...]] = []  # per name, per token rarity weight

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(cls, parties: Iterable[Party]) -> Index:
        index = cls()
        postings: dict[str, set[int]] = defaultdict(set)
        for party in parties:
            pidx = len(index.parties)
            years = tuple(sorted({int(d[:4]) for d in party.birth_dates if d[:4].isdigit()}))
            index.parties.append(
                PartyRef(party.id, party.name, party.type, party.countries, years)
            )
            seen: set[tuple[str, ...]] = set()
            for name in party.names:
                for variant in name_variants(name.value):
                    a = analyze(variant)
                    if not a.tokens or a.tokens in seen:
                        continue
                    seen.add(a.tokens)
                    nid = len(index.names)
                    index.names.append((pidx, name.value, a))
                    keys = set(a.tokens)
                    # adjacent pairs, so "Cloud Walk" is found by "CloudWalk"
                    keys.update(x + y for x, y in zip(a.tokens, a.tokens[1:], strict=False))
                    if a.compact:
                        keys.add(a.compact)
                    for key in keys:
                        postings[key].add(nid)
        index.n_names = len(index.names)
        index.postings = {k: sorted(v) for k, v in postings.items()}
        doc_freq: dict[str, int] = defaultdict(int)
        for _pidx, _name, a in index.names:
            for t in set(a.tokens):
                doc_freq[t] += 1
        index.df = dict(doc_freq)
        index.name_weights = [
            tuple(index.weight(t, k) for t, k in zip(a.tokens, a.kinds, strict=True))
            for _p, _n, a in index.names
        ]
        by_delete: dict[str, list[str]] = defaultdict(list)
        by_skeleton: dict[str, list[str]] = defaultdict(list)
        for token in index.df:  # single listed tokens only: pairs and compacts are exact keys
            if len(token) >= MIN_FUZZY_LEN:
                for d in _deletes(token):
                    by_delete[d].append(token)
                by_skeleton[skeleton(token)].append(token)
        index.by_delete = dict(by_delete)
        index.by_skeleton = dict(by_skeleton)
        return index

    # -- weights -----------------------------------------------------------------------------

    def weight(self, token: str, kind: str = WORD) -> float:
        """Rarity of a token across listed names (inverse document frequency).

        Legal forms and stopwords count for little whatever their rarity.
        """
        if kind == LEGAL:
            return 0.3
        if kind == STOP:
            return 0.15
        df = self.df.get(token, 0)
        w = math.log((self.n_names + 1) / (df + 1)) + 1.0
        if kind in (PLACE, GENERIC):
            w *= WEAK_FACTOR
        if len(token) <= 2:
            w *= 0.5  # initials and two-letter tokens identify little
        return w

    # -- retrieval ---------------------------------------------------------------------------

    def similar_tokens(self, token: str) -> set[str]:
        """Listed tokens equal to ``token``, one edit away, or with the same skeleton."""
        found = {token} if token in self.postings else set()
        if len(token) >= MIN_FUZZY_LEN:
            for key in [token, *_deletes(token)]:
                found.update(self.by_delete.get(key, ()))
                if key in self.postings and len(key) >= MIN_FUZZY_LEN:
                    found.add(key)
            found.update(self.by_skeleton.get(skeleton(token), ()))
        return found

    def candidates(self, query: Analyzed, limit: int) -> list[int]:
        """Ids of the names sharing the most rare material with the query, best first.

        Keys (query tokens, adjacent pairs, the compact form) are taken rarest first; a key
        whose posting list is long (a common word) only adds to names already found by a
        rarer key, so "Technology" never drags in thousands of names.
        """
        toks, kinds = query.tokens, query.kinds
        keys: dict[str, float] = {}
        for t, k in zip(toks, kinds, strict=True):
            keys[t] = max(keys.get(t, 0.0), self.weight(t, k))
        for (x, kx), (y, ky) in zip(zip(toks, kinds, strict=True),
                                    zip(toks[1:], kinds[1:], strict=True), strict=False):
            if kx == WORD and ky == WORD:
                keys.setdefault(x + y, self.weight(x + y))
        if query.compact and query.compact not in keys:
            keys[query.compact] = self.weight(query.compact)
        acc: dict[int, float] = {}
        for key, w in sorted(keys.items(), key=lambda kv: -kv[1]):
            gains: dict[int, float] = {}
            for similar in self.similar_tokens(key):
                gain = w if similar == key else w * 0.8
                plist = self.postings.get(similar, ())
                if len(plist) > COMMON_POSTINGS and acc:
                    for nid in acc:
                        pos = bisect_left(plist, nid)
                        if pos < len(plist) and plist[pos] == nid and gains.get(nid, 0) < gain:
                            gains[nid] = gain
                else:
                    for nid in plist:
                        if gains.get(nid, 0.0) < gain:
                            gains[nid] = gain
            for nid, gain in gains.items():
                acc[nid] = acc.get(nid, 0.0) + gain
        if len(acc) <= limit:
            return sorted(acc, key=lambda nid: (-acc[nid], nid))
        best = heapq.nlargest(limit, acc.items(), key=lambda kv: (kv[1], -kv[0]))
        return [nid for nid, _ in best]

    # -- cache -------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write atomically: a reader sees the old cache or the new one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((INDEX_FORMAT, self.__dict__), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> Index | None:
        """The cached index, or None when absent, unreadable or of another format."""
        try:
            with path.open("rb") as fh:
                fmt, state = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            return None
        if fmt != INDEX_FORMAT:
            return None
        index = cls()
        index.__dict__.update(state)
        return index
