"""Candidate retrieval: an in-memory index over every listed name, cached on disk.

A query never scores every name. Each query token looks up the listed names that contain the
same token, a token one edit away (deletion neighbourhoods, as in SymSpell), a token with the
same transliteration skeleton, or the concatenation of two tokens (split/merge). Names collect
the rarity weight of what they share with the query; the best ``candidates`` names go on to full
scoring.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from entityscreen.match.accumulate import Core, compiled, reference
from entityscreen.match.analysis import (
    GENERIC,
    LEGAL,
    PLACE,
    STOP,
    WORD,
    Analyzed,
    skeleton,
)
from entityscreen.match.features import token_similarity, variant_similarity
from entityscreen.match.neighbours import MIN_FUZZY_LEN, SIMILAR_CACHE, Neighbours, deletes
from entityscreen.match.postings import Postings, union, without
from entityscreen.match.rows import FloatRows
from entityscreen.model import Party, PartyType
from entityscreen.normalize import spellings
from entityscreen.recent import Recent

if TYPE_CHECKING:
    from entityscreen.match.batch import NameTable

__all__ = ["INDEX_FORMAT", "Index", "PartyRef", "Retrieval", "identifier_key",
           "reference_digest"]

# Bump when the pickled layout or the analysis changes: old caches are then rebuilt.
INDEX_FORMAT = 22
# Place names and generic business words weigh this fraction of their rarity: "Hangzhou"
# locates and "Technology" describes, "Hikvision" identifies.
WEAK_FACTOR = 0.4
# Per-name analyses and per-party references kept built (bounded: bulk runs are long).
OBJECT_CACHE = 200_000
# Retrieval stops at names sharing less than this share of the query's token weight, once
# MIN_PARTIES parties are in (the score of such a name stays far below any threshold).
WEAK_SHARE = 0.35
MIN_PARTIES = 8
# Posting lists longer than this (common words) only add weight to names found by rarer keys.
COMMON_POSTINGS = 300
# Query tokens whose look-ups are remembered (see Recent): a bulk file's vocabulary is small
# (1M faker rows hold 19,000 distinct tokens but 670,000 distinct adjacent pairs).
TOKEN_CACHE = 100_000
# A key's names: those holding it exactly, and those holding a token like it (None: none).
_KeyPostings = tuple[np.ndarray | None, np.ndarray | None]


@dataclass(frozen=True, slots=True)
class Retrieval:
    """How an algorithm looks up candidates (part of :class:`~entityscreen.match.scoring.
    Algorithm`: changing it changes results, so it is versioned with the scoring)."""

    limit: int = 32  # parties fully scored per query
    # Follow a listed token found by a look-up only when the alignment can use it: token
    # neighbours that ``token_similarity`` rejects (most one-deletion neighbours of short
    # words) never score, and only crowd out names that can.
    aligning_only: bool = False
    # Query tokens at least this long also look up listed tokens two edits away (two typos
    # in "Hikvision" still align at 0.78); 0: never.
    two_edit_min_len: int = 0
    merge_min: float = 0.9  # least similarity of a merged pair (the scoring's)
    # A query token also finds the tokens one of whose other spellings (``normalize.
    # spellings``: of a given name, of a generic word) is like it, and such a token finds the
    # listed tokens like its spellings (the scoring compares them so:
    # ``features.variant_similarity``).
    variant_spellings: bool = False
    # A one-letter query token (an initial) adds to the names found by other keys that hold a
    # word it can stand for: "YOUSEF, H." prefers the Yousefs with a word in H among many.
    initials: bool = False

    @property
    def similarity(self) -> Callable[[str, str], tuple[float, str]]:
        """How tokens are compared (the alignment's comparison, which retrieval follows)."""
        return variant_similarity if self.variant_spellings else token_similarity


# What a look-up key is in the query: a token, two adjacent tokens joined, or the whole name
# without spaces. A key that is several is taken as the first.
TOKEN, PAIR, COMPACT = 0, 1, 2


def reference_digest() -> str:
    """A digest of the reference tables analysis reads (legal forms, abbreviations, name
    variants...): editing one of them invalidates cached indexes."""
    from importlib import resources

    digest = hashlib.sha256()
    root = resources.files("entityscreen.data")
    for name in sorted(p.name for p in root.iterdir() if p.name.endswith((".csv", ".tsv", ".txt"))):
        digest.update(name.encode())
        digest.update(root.joinpath(name).read_bytes())
    return digest.hexdigest()[:12]


def identifier_key(value: str) -> str | None:
    """Comparable form of an identifier value: letters and digits, upper case, without an
    "IMO" prefix; None when too short to identify anything (under 5 characters)."""
    key = "".join(ch for ch in value.upper() if ch.isalnum())
    if key.startswith("IMO") and key[3:].isdigit():
        key = key[3:]
    return key if len(key) >= 5 else None


@dataclass(frozen=True, slots=True)
class PartyRef:
    """What scoring needs of a party; the rest is read from the store for the top hits."""

    id: str
    name: str
    type: PartyType
    countries: tuple[str, ...]
    birth_years: tuple[int, ...]
    identifiers: frozenset[str] = frozenset()  # identifier_key() of each listed identifier


def _invert(postings: Postings) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for key in postings.keys:
        for pidx in postings[key].tolist():
            out[pidx].append(key)
    return dict(out)


_KIND_OF = {"w": WORD, "l": LEGAL, "s": STOP, "p": PLACE, "g": GENERIC}  # as building writes


def _near(fuzzy: list[np.ndarray], exact: np.ndarray | None) -> np.ndarray | None:
    """The names in any of the ``fuzzy`` posting lists and not in ``exact`` (None: none)."""
    if not fuzzy:
        return None
    near = union(fuzzy) if len(fuzzy) > 1 else fuzzy[0]
    if exact is not None:
        near = without(near, exact)
    return near if len(near) else None


def _aligns(key: str, listed: str, role: int, r: Retrieval) -> bool:
    """Can the alignment use ``listed`` for a query ``key`` of this role?"""
    sim, how = r.similarity(key, listed)
    if role == TOKEN:
        return sim > 0
    return sim >= r.merge_min and how in ("exact", "fuzzy")


class Index:
    """Listed names and their look-up structures, stored column-wise.

    Column lists and arrays pickle and load fast; the per-name :class:`Analyzed` and per-party
    :class:`PartyRef` objects are rebuilt on demand for the few candidates a query touches.
    """

    def __init__(self) -> None:
        # parties, column-wise
        self.party_ids: list[str] = []
        self.party_names: list[str] = []
        self.party_types: list[str] = []
        self.party_countries: list[tuple[str, ...]] = []
        self.party_years: list[tuple[int, ...]] = []
        self.party_idents = Postings()  # identifier key -> party indexes
        # names, column-wise: owning party, listed form, tokens, kind codes, compact form
        self.name_party = np.zeros(0, dtype=np.int32)
        self.name_text: list[str] = []
        self.name_tokens: list[str] = []
        self.name_kinds: list[str] = []
        self.name_weights = FloatRows()  # per name, per token rarity weight
        self.postings = Postings()  # token, adjacent pair or compact form -> name ids
        self.df: dict[str, int] = {}
        self.vocab: list[str] = []  # single listed tokens
        self.by_delete = Postings()  # one-character deletion -> vocab ids
        self.by_skeleton = Postings()  # transliteration skeleton -> vocab ids
        self.n_names = 0
        self._analysis: dict[int, Analyzed] = {}
        self._weights: dict[int, tuple[float, ...]] = {}
        self._refs: dict[int, PartyRef] = {}
        # candidates' score accumulator, one per thread (a server screens in several), reused
        self._local = threading.local()
        self._near: Recent[str, _KeyPostings] = Recent(SIMILAR_CACHE)
        # the same for retrievals that keep only aligning tokens, per retrieval: query tokens
        # (a bounded vocabulary, met again and again) apart from adjacent pairs and compact
        # forms (nearly one new per name), so that these never push the tokens out
        self._aligning: dict[Retrieval, tuple[Recent[str, _KeyPostings],
                                              Recent[tuple[str, int], _KeyPostings]]] = {}
        # listed tokens like a token (one edit, skeleton, spellings...), remembered
        self.neighbours = Neighbours(self)
        self._idents_of: dict[int, list[str]] = {}
        self.name_owner: list[int] = []  # name_party as a list: fast scalar look-ups
        # retrieval's numeric core: numpy steps, or the same compiled (``compile``)
        self._core: Core = reference()
        self._compiled = False
        self.arrays: NameTable | None = None  # the names as arrays (match.batch), built once
        self.scoring: NameTable | None = None  # the same while compiled scoring is on (compile)

    # -- access ------------------------------------------------------------------------------

    @property
    def n_parties(self) -> int:
        return len(self.party_ids)

    def party(self, pidx: int) -> PartyRef:
        ref = self._refs.get(pidx)
        if ref is None:
            if len(self._refs) >= OBJECT_CACHE:
                self._refs.clear()
            ref = PartyRef(self.party_ids[pidx], self.party_names[pidx],
                           PartyType(self.party_types[pidx]), self.party_countries[pidx],
                           self.party_years[pidx], frozenset(self._idents_of.get(pidx, ())))
            self._refs[pidx] = ref
        return ref

    def analyses(self, nids: list[int]) -> list[Analyzed]:
        """:meth:`analysis` of each name id."""
        try:  # in a long run, every name met so far is kept built: one C-level pass
            return list(map(self._analysis.__getitem__, nids))
        except KeyError:
            got = self._analysis.get
            return [got(nid) or self.analysis(nid) for nid in nids]

    def weights_of(self, nid: int) -> tuple[float, ...]:
        """The token weights of one name (``name_weights[nid]``, kept built like analyses)."""
        w = self._weights.get(nid)
        if w is None:
            if len(self._weights) >= OBJECT_CACHE:
                self._weights.clear()
            w = self._weights[nid] = self.name_weights[nid]
        return w

    def analysis(self, nid: int) -> Analyzed:
        a = self._analysis.get(nid)
        if a is None:
            if len(self._analysis) >= OBJECT_CACHE:
                self._analysis.clear()
            toks = tuple(self.name_tokens[nid].split(" "))
            kinds = tuple(_KIND_OF[c] for c in self.name_kinds[nid])
            a = Analyzed(toks, kinds, "".join(
                t for t, k in zip(toks, kinds, strict=True) if k in (WORD, PLACE, GENERIC)))
            self._analysis[nid] = a
        return a

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(cls, parties: Iterable[Party], *, workers: int | None = None) -> Index:
        """The index of ``parties``; large builds analyse names on ``workers`` processes
        (default: one per core)."""
        from entityscreen.match.building import fill

        index = cls()
        fill(index, parties, workers)
        index._idents_of = _invert(index.party_idents)
        index.vocab = sorted(index.df)
        by_delete: dict[str, list[int]] = defaultdict(list)
        by_skeleton: dict[str, list[int]] = defaultdict(list)
        for vid, token in enumerate(index.vocab):
            # single listed tokens only: pairs and compacts are exact keys
            if len(token) >= MIN_FUZZY_LEN:
                for d in deletes(token):
                    by_delete[d].append(vid)
                by_skeleton[skeleton(token)].append(vid)
        index.by_delete = Postings(by_delete)
        index.by_skeleton = Postings(by_skeleton)
        return index

    def build_arrays(self) -> None:
        """Keep the names as arrays for compiled scoring (``match.batch``; ~11 us a name),
        saved with the index: the lists' index has them, a watch set's needs none."""
        from entityscreen.match.batch import NameTable  # (batch imports scoring, this)

        self.arrays = NameTable.of(self)

    def compile(self) -> None:
        """Retrieve with the compiled core and keep the names as arrays for compiled scoring
        (``match.batch``) from now on: the same results, faster. Loading numba and the
        compiled code takes ~1 s, worth it for a long-running process."""
        if not self._compiled:
            self._core = compiled()
            if self.arrays is None:
                self.build_arrays()
            self.scoring = self.arrays
            self._compiled = True

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

    def _key_postings(self, key: str) -> _KeyPostings:
        """The names holding ``key`` exactly, and those holding a token like it but not the
        key itself (a name counts a key once, at its best)."""
        cached = self._near.get(key)
        if cached is None:
            similar = self.neighbours.similar(key)
            exact = self.postings.get(key) if key in similar else None
            fuzzy = [self.postings[s] for s in similar if s != key and s in self.postings]
            cached = (exact, _near(fuzzy, exact))
            self._near.put(key, cached)
        return cached

    def _aligning_postings(self, key: str, role: int, r: Retrieval) -> _KeyPostings:
        """:meth:`_key_postings` keeping only the listed tokens the alignment can use with
        ``key`` in its ``role``: any likeness for a query token, a merge-grade likeness for
        two query tokens joined, equality for the compact form (which only scores when equal).
        """
        caches = self._aligning.get(r)
        if caches is None:
            caches = self._aligning.setdefault(r, (Recent(TOKEN_CACHE), Recent(SIMILAR_CACHE)))
        got = caches[0].get(key) if role == TOKEN else caches[1].get((key, role))
        if got is not None:
            return got
        postings = self.postings
        fuzzy: list[np.ndarray] = []
        if role == COMPACT:
            exact = postings.get(key)
        else:
            # a merge must be nearly exact (``merge_min``): one edit, never a transliteration
            like = self.neighbours
            similar = set(like.similar(key) if role == TOKEN else like.one_edit(key))
            if role == TOKEN and r.two_edit_min_len and len(key) >= r.two_edit_min_len:
                similar.update(like.two_edits(key))
            if role == TOKEN and r.variant_spellings:
                similar.update(like.through_spellings(key))
            exact = postings.get(key) if key in similar else None
            fuzzy = [postings[s] for s in similar
                     if s != key and s in postings and _aligns(key, s, role, r)]
        got = (exact, _near(fuzzy, exact))
        if role == TOKEN:
            caches[0].put(key, got)
        else:
            caches[1].put((key, role), got)
        return got

    def candidates(self, query: Analyzed, retrieval: Retrieval | int,
                   qw: tuple[float, ...] | None = None) -> list[int]:
        """Ids of the names sharing the most rare material with the query, best first.

        Keys (query tokens, adjacent pairs, the compact form) are taken rarest first; a key
        whose posting list is long (a common word) only adds to names already found by a
        rarer key, so "Technology" never drags in thousands of names. A key counts once per
        name: fully through an exact token, 0.8 through a token one edit away.
        ``retrieval`` is the algorithm's :class:`Retrieval` (an int: the default retrieval
        with that limit); ``qw`` the query's token weights when the caller has them.
        """
        r = Retrieval(limit=retrieval) if isinstance(retrieval, int) else retrieval
        limit = r.limit
        toks, kinds = query.tokens, query.kinds
        if qw is None:
            qw = tuple(self.weight(t, k) for t, k in zip(toks, kinds, strict=True))
        keys: dict[str, float] = {}
        role: dict[str, int] = {}
        for t, w in zip(toks, qw, strict=True):
            keys[t] = max(keys.get(t, 0.0), w)
            role[t] = TOKEN
        for (x, kx), (y, ky) in zip(zip(toks, kinds, strict=True),
                                    zip(toks[1:], kinds[1:], strict=True), strict=False):
            if kx == WORD and ky == WORD:
                keys.setdefault(x + y, self.weight(x + y))
                role.setdefault(x + y, PAIR)
        if query.compact and query.compact not in keys:
            keys[query.compact] = self.weight(query.compact)
            role[query.compact] = COMPACT
        acc = getattr(self._local, "acc", None)
        if acc is None or len(acc) != self.n_names:
            acc = self._local.acc = np.zeros(self.n_names, dtype=np.float32)
        # acc is all zeros between calls: only the entries touched are reset, by rank
        lists: list[np.ndarray] = []
        gains: list[float] = []
        aligning = r.aligning_only
        for key, w in sorted(keys.items(), key=lambda kv: -kv[1]):
            exact, near = (self._aligning_postings(key, role[key], r) if aligning
                           else self._key_postings(key))
            if exact is not None:
                lists.append(exact)
                gains.append(w)
            if near is not None:
                lists.append(near)
                gains.append(w * 0.8)
        gather, credit, rank = self._core
        owner = self.name_party if self._compiled else self.name_owner  # (an array compiled)
        ids = gather(lists, gains, acc, COMMON_POSTINGS)  # the names found, sorted
        if not len(ids):
            return []
        if r.initials:
            for key, w in keys.items():
                if len(key) == 1 and role[key] == TOKEN:
                    # a key counts once per name: not again where the letter is a token
                    credit(ids, self.neighbours.words_from(key, r.variant_spellings),
                           self.postings.get(key), acc, w * 0.8)
        # ``limit`` counts parties, not names: a party's aliases must not crowd out others.
        # A name sharing little of the query's rare material cannot score high: once enough
        # parties are in, names below this share of the query's own weight are not scored.
        return rank(ids, acc, owner, limit, limit * 4, MIN_PARTIES, WEAK_SHARE * sum(qw))

    def parties_with_identifier(self, values: Iterable[str]) -> set[int]:
        """Indexes of the parties that carry one of these identifier values."""
        out: set[int] = set()
        for value in values:
            key = identifier_key(value)
            hit = self.party_idents.get(key) if key else None
            if hit is not None:
                out.update(hit.tolist())
        return out

    def names_of(self, pidx: int) -> list[int]:
        """The name ids of one party (a party's names are stored next to each other)."""
        lo = int(np.searchsorted(self.name_party, pidx, side="left"))
        hi = int(np.searchsorted(self.name_party, pidx, side="right"))
        return list(range(lo, hi))

    def all_candidates(self, query: Analyzed, retrieval: Retrieval | None = None) -> list[int]:
        """Every name that can score above zero against ``query`` (slow, lossless).

        Compares each query token (and adjacent pair) with the whole vocabulary, so names
        sharing a token two edits away, which :meth:`candidates` may miss, are included; with
        a ``retrieval`` that compares through spellings, so are the tokens like a spelling of a
        query token, and those one of whose spellings is like it (or, for an initial, starts
        with it). Used to measure what the fast retrieval loses, and by ``search --exhaustive``.
        """
        vocab = self.vocab
        found: set[str] = set()
        probes = list(query.tokens)
        probes += [x + y for x, y in zip(query.tokens, query.tokens[1:], strict=False)]
        for probe in probes:
            if len(probe) == 1:
                found.update(t for t in vocab if t.startswith(probe))
                continue
            found.update(m[0] for m in process.extract(
                probe, vocab, scorer=OSA.normalized_similarity, score_cutoff=0.7, limit=None))
            found.update(t for t in vocab if len(t) == 1 and probe.startswith(t))
        if retrieval is not None and retrieval.variant_spellings:
            table = spellings()
            for a in query.tokens:
                if len(a) == 1:
                    found.update(name for name, xs in table.items()
                                 if any(x.startswith(a) for x in xs))
                    continue
                for x in table.get(a, ()):
                    found.update(m[0] for m in process.extract(
                        x, vocab, scorer=OSA.normalized_similarity, score_cutoff=0.7,
                        limit=None))
                found.update(self.neighbours.through_spellings(a))
        # listed pairs merged ("cloud walk") and compact forms equal to a query token
        found.update(t for t in query.tokens if t in self.postings)
        if query.compact in self.postings:
            found.add(query.compact)
        ids: set[int] = set()
        for token in found:
            hit = self.postings.get(token)
            if hit is not None:
                ids.update(hit.tolist())
        return sorted(ids)

    # -- cache -------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write atomically: a reader sees the old cache or the new one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")
                         and k not in ("name_owner", "neighbours", "scoring")}
                pickle.dump((INDEX_FORMAT, state), fh, protocol=pickle.HIGHEST_PROTOCOL)
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
        index.__dict__.update(state)  # public columns only: the caches start empty
        index._idents_of = _invert(index.party_idents)
        index.name_owner = index.name_party.tolist()
        return index
