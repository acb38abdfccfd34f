"""Listed tokens like a query token, looked up in an :class:`~entityscreen.match.index.Index`:
equal or one edit away (deletion neighbourhoods, as in SymSpell), with the same
transliteration skeleton, two edits away in a long word, or alike through another spelling;
and the names an initial can stand for. Each look-up is remembered per token (query words
recur across a bulk file); what an algorithm follows of them is decided by the index's
retrieval.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from entityscreen.match.analysis import skeleton
from entityscreen.match.postings import union
from entityscreen.normalize import spellings
from entityscreen.recent import Recent

if TYPE_CHECKING:
    from entityscreen.match.index import Index

__all__ = ["MIN_FUZZY_LEN", "SIMILAR_CACHE", "Neighbours", "deletes"]

# Tokens shorter than this get no fuzzy (one-edit) look-up: "co" ~ "ca" means nothing.
MIN_FUZZY_LEN = 4
# Similar-token look-ups remembered (common query words recur across a bulk file).
SIMILAR_CACHE = 50_000


def deletes(token: str) -> list[str]:
    """The token with one character deleted, each way."""
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


class Neighbours:
    """The listed tokens like a token, in one index (built lazily, remembered)."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._similar: Recent[str, frozenset[str]] = Recent(SIMILAR_CACHE)
        # vocab by first letter and length
        self._by_start: dict[tuple[str, int], list[str]] | None = None
        self._word_start: dict[str, list[str]] | None = None  # vocab (2+ letters), the same
        self._spelling_of: list[tuple[str, str]] | None = None  # (spelling, name as analysed)
        self._spelling_texts: list[str] = []  # the spellings of _spelling_of
        self._initials: dict[tuple[str, bool], np.ndarray] = {}  # see words_from

    def similar(self, token: str) -> frozenset[str]:
        """Listed tokens equal to ``token``, one edit away, or with the same skeleton."""
        cached = self._similar.get(token)
        if cached is None:
            cached = frozenset(self._similar_tokens(token))
            self._similar.put(token, cached)
        return cached

    def _similar_tokens(self, token: str) -> set[str]:
        found = self.one_edit(token)
        if len(token) >= MIN_FUZZY_LEN:
            hit = self._index.by_skeleton.get(skeleton(token))
            if hit is not None:
                vocab = self._index.vocab
                found.update(vocab[i] for i in hit.tolist())
        return found

    def one_edit(self, token: str) -> set[str]:
        """Listed tokens (and pairs) equal to ``token`` or one edit away (by deletions)."""
        found = {token} if token in self._index.postings else set()
        if len(token) >= MIN_FUZZY_LEN:
            keys = {token, *deletes(token)}
            # listed tokens one deletion away from the token, or sharing one of its deletions
            ids = self._index.by_delete.ids_of(keys)
            found.update(k for k in self._index.postings.present(keys) if len(k) >= MIN_FUZZY_LEN)
            vocab = self._index.vocab
            found.update(vocab[i] for i in ids)
        return found

    def through_spellings(self, token: str) -> set[str]:
        """Listed tokens like ``token`` through other spellings (``normalize.spellings``):
        those like one of its spellings when it has some, else the tokens one of whose
        spellings is like it (each still to be judged by the alignment)."""
        table = spellings()
        others = table.get(token)
        if others is not None:
            return {t for x in others for t in self.similar(x)}
        if len(token) < 2:
            return set()
        if self._spelling_of is None:
            self._spelling_of = [(x, name) for name, xs in table.items() for x in xs]
            self._spelling_texts = [x for x, _name in self._spelling_of]
        like = process.extract(token, self._spelling_texts,
                               scorer=OSA.normalized_similarity, score_cutoff=0.7, limit=None)
        return {self._spelling_of[m[2]][1] for m in like}

    def words_from(self, letter: str, through_spellings: bool) -> np.ndarray:
        """The names holding a word of two letters or more that ``letter`` can stand for as
        an initial: one starting with it (or, ``through_spellings``, one of whose other
        spellings does: "O." for "aleksandr", spelt "Oleksandr"), sorted."""
        got = self._initials.get((letter, through_spellings))
        if got is None:
            words = set(self._starting(letter))
            if through_spellings:
                words.update(name for name, xs in spellings().items()
                             if name in self._index.df and any(x.startswith(letter) for x in xs))
            lists = [self._index.postings[t] for t in sorted(words)]
            got = union(lists) if lists else np.zeros(0, dtype=np.int32)
            self._initials[letter, through_spellings] = got
        return got

    def _starting(self, letter: str) -> list[str]:
        """The listed tokens of two letters or more starting with ``letter``."""
        if self._word_start is None:
            by_start: dict[str, list[str]] = defaultdict(list)
            for t in self._index.vocab:
                if len(t) > 1:
                    by_start[t[0]].append(t)
            self._word_start = dict(by_start)
        return self._word_start.get(letter, [])

    def two_edits(self, token: str) -> list[str]:
        """Listed tokens two edits away from a long ``token`` (the same first letter: a
        changed first letter costs what a third edit would)."""
        if self._by_start is None:
            by_start: dict[tuple[str, int], list[str]] = defaultdict(list)
            for t in self._index.vocab:
                if len(t) >= MIN_FUZZY_LEN:
                    by_start[t[0], len(t)].append(t)
            self._by_start = dict(by_start)
        # the listed words of the same first letter and a length within 2, kept under a
        # negative length
        near = self._by_start.get((token[0], -len(token)))
        if near is None:
            near = [t for n in range(len(token) - 2, len(token) + 3)
                    for t in self._by_start.get((token[0], n), ())]
            self._by_start[token[0], -len(token)] = near
        return [m[0] for m in process.extract(token, near, scorer=OSA.distance, score_cutoff=2,
                                              limit=None)]
