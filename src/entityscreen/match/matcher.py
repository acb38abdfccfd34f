"""The fast path of :func:`~entityscreen.match.scoring.align`: one query against the many
names the index offers as candidates.

:class:`QueryMatcher` compares the query's tokens with every distinct token of the candidates
in one C-level call, then aligns each name with a few look-ups and token sets as bit masks. It
must give exactly what the reference :func:`~entityscreen.match.scoring.align` gives (scores and
picks); a Hypothesis property test in ``tests/match/test_scoring.py`` holds it to that.
"""

from __future__ import annotations

import string
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from entityscreen.match.analysis import WORD, Analyzed
from entityscreen.match.scoring import _NAMING, CLOSE, Algorithm, Pick, plain_sum
from entityscreen.normalize import spellings

__all__ = ["QueryMatcher"]


# -- the fast path's bookkeeping: token sets as bit masks -------------------------------------

MaskedOption = tuple[float, float, str, tuple[int, ...], tuple[int, ...], int, int]
_SINGLES: list[tuple[int]] = []  # (j,) for every position, made once
# The tokens of one character (tokens are made of [0-9a-z]: ``normalize.tokens``).
_ONE_CHARACTER = frozenset(string.ascii_lowercase + string.digits)


def _singles(j: int) -> list[tuple[int]]:
    """The (j,) tuples, long enough to index ``j``."""
    while len(_SINGLES) <= j:
        _SINGLES.append((len(_SINGLES),))
    return _SINGLES


@lru_cache(maxsize=4096)
def _kind_masks(kinds: tuple[str, ...]) -> tuple[int, int]:
    """Bit masks of the real words, and of the tokens that name a party, in a name."""
    word = sum(1 << j for j, k in enumerate(kinds) if k == WORD)
    naming = sum(1 << j for j, k in enumerate(kinds) if k in _NAMING)
    return word, naming


def _value(option: MaskedOption) -> float:
    return option[0]


def _pick_masked(
    options: list[MaskedOption], q_word: int, c: Analyzed, c_word: int
) -> tuple[float, int, int, int, list[Pick], bool]:
    """:func:`_pick` with token sets as bit masks (same picks, same order)."""
    options.sort(key=_value, reverse=True)  # stable, like sorting by -value
    ct = c.tokens
    used_q = used_c = close = 0
    picks: list[Pick] = []
    num = 0.0
    word_aligned = False
    for value, sim, how, qi, cj, qm, cm in options:
        if used_q & qm or used_c & cm:
            continue
        used_q |= qm
        used_c |= cm
        num += value
        if sim >= CLOSE and (how == "exact" or len(cj) > 1 or len(ct[cj[0]]) > 5):
            close |= cm
        if not word_aligned and how != "initial" and q_word & qm and c_word & cm:
            word_aligned = True
        picks.append((sim, how, qi, cj))
    return num, used_q, used_c, close, picks, word_aligned


def _total_masked(
    q: Analyzed, c: Analyzed, qw: tuple[float, ...], cw: tuple[float, ...],
    picked: tuple[float, int, int, int, list[Pick], bool], masks: tuple[int, int],
    algo: Algorithm, person: bool, q_den: dict[tuple[int, float], float],
) -> float:
    """:func:`_total` over :func:`_pick_masked`'s masks (same arithmetic, same order).

    ``q_den`` memoises the query's part of the denominator per (tokens used, weight of the
    unused): the same sum of the same terms in the same order, so the same float."""
    num, used_q, used_c, close, _picks, word_aligned = picked
    if not word_aligned:
        return algo.compact_equal if q.compact and q.compact == c.compact else 0.0
    missing = algo.unmatched_listed_person if person else algo.unmatched_listed
    extra = 1.0
    if used_q != (1 << len(qw)) - 1 and not person and _contained_masked(c, close, masks) and max(
        (w for w, k in zip(cw, c.kinds, strict=True) if k == WORD), default=0.0
    ) >= algo.contained_min_weight:
        extra = algo.unmatched_query_contained
    den = q_den.get((used_q, extra))
    if den is None:
        den = q_den[used_q, extra] = plain_sum(
            w if used_q >> i & 1 else extra * w for i, w in enumerate(qw))
    if used_c == (1 << len(cw)) - 1:
        den += plain_sum(cw)
    else:
        den += plain_sum(w if used_c >> j & 1 else missing * w for j, w in enumerate(cw))
    score = num / den if den else 0.0
    if q.compact and q.compact == c.compact:
        score = max(score, algo.compact_equal)
    return min(1.0, score)


def _contained_masked(c: Analyzed, close: int, masks: tuple[int, int]) -> bool:
    """:func:`_contained` over masks."""
    word, naming = masks
    if not naming or naming & ~close:
        return False
    if naming & (naming - 1):  # two naming tokens or more
        return bool(word & naming)
    j = naming.bit_length() - 1
    return bool(word >> j & 1) and len(c.tokens[j]) >= 5


def _by_initial(tokens: list[str], spell: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """The ``tokens`` of two letters or more by the initials that can stand for them: their
    first letter, and the first letters of their other spellings."""
    out: dict[str, list[str]] = {}
    for t in tokens:
        if len(t) > 1:
            others = spell.get(t)
            for letter in {t[0], *(x[0] for x in others)} if others else (t[0],):
                out.setdefault(letter, []).append(t)
    return out


class QueryMatcher:
    """:func:`align` for one query against many listed names, fast.

    :meth:`prepare` compares the query's tokens (and adjacent pairs) with every distinct
    token of the candidate names in a few C-level ``rapidfuzz.process.extract`` calls, which
    only filter: each pair they return is then judged by the same
    :func:`~entityscreen.match.features.token_similarity` as the reference. Aligning a name is
    then a few dictionary look-ups per listed token. :func:`align` is the slow,
    obviously-correct reference; a property test checks that the two give the same scores.
    """

    # Every rule of token_similarity needs an edit similarity of at least this, except
    # initials (handled apart): the C-level filter may use it without losing a pair.
    FILTER = 0.7

    def __init__(self, q: Analyzed, qw: tuple[float, ...], algo: Algorithm) -> None:
        self.q = q
        self.qw = qw
        self.algo = algo
        self.qpairs = [(i, q.tokens[i] + q.tokens[i + 1]) for i in range(len(q.tokens) - 1)]
        # what prepare found: listed token -> the query tokens like it (position, similarity,
        # how); listed token -> the query pairs merged like it (first position, similarity)
        self.single: dict[str, list[tuple[int, float, str]]] = {}
        self.pair: dict[str, list[tuple[int, float]]] = {}
        # the same as made, flat: (listed token, position, similarity, how), and (listed
        # token, first position, similarity) (``match.batch`` reads them)
        self.found: list[tuple[str, int, float, str]] = []
        self.merged: list[tuple[str, int, float]] = []
        self._seen: set[str] = set()  # listed tokens (and pairs) compared so far
        self.q_word = _kind_masks(q.kinds)[0]
        self._q_den: dict[tuple[int, float], float] = {}
        # other spellings of a token, compared too (Algorithm.variant_spellings)
        self._spellings = spellings() if algo.variant_spellings else {}

    def prepare(self, names: list[Analyzed]) -> None:
        """Compare the query with every distinct token of ``names`` in bulk."""
        tokens = set().union(*[c.keys for c in names])
        if self._seen:
            tokens -= self._seen
        if not tokens:
            return
        self._seen |= tokens
        fresh = list(tokens)
        qt = self.q.tokens
        spell = self._spellings
        # (query token, listed token) and (query pair, listed token) worth judging
        found: set[tuple[int, str]] = set()
        pairs: set[tuple[int, str]] = set()
        # one C-level comparison of every query token and pair with every fresh token, and of
        # the other spellings of any of them (Algorithm.variant_spellings)
        probes = [(True, i, a) for i, a in enumerate(qt) if len(a) > 1]  # (a token?, which)
        probes += [(False, p, merged) for p, (_i, merged) in enumerate(self.qpairs)]
        columns = owner = fresh
        if spell:
            probes += [(tok, k, x) for tok, k, a in probes for x in spell.get(a, ())]
            extra = [(x, t) for t in spell.keys() & tokens for x in spell[t]]
            if extra:
                columns = fresh + [x for x, _t in extra]
                owner = fresh + [t for _x, t in extra]
        if probes:
            matrix = process.cdist([a for _tok, _k, a in probes], columns,
                                   scorer=OSA.normalized_similarity, score_cutoff=self.FILTER,
                                   dtype=np.float32)
            for r, col in zip(*(a.tolist() for a in matrix.nonzero()), strict=True):
                tok, k, _a = probes[r]
                (found if tok else pairs).add((k, owner[col]))
        # initials, which edit similarity cannot find: a letter stands for the words that
        # start with it, or one of whose other spellings does
        shorts = list(tokens & _ONE_CHARACTER)
        by_initial: dict[str, list[str]] | None = None
        for i, a in enumerate(qt):
            if len(a) == 1:
                if by_initial is None:
                    by_initial = _by_initial(fresh, spell)
                found.update((i, t) for t in by_initial.get(a, ()))
                found.update((i, t) for t in shorts if t == a)
            elif shorts:
                firsts = {a[0], *(x[0] for x in spell.get(a, ()))}
                found.update((i, t) for t in shorts if t in firsts)
        similarity = self.algo.similarity
        single, flat = self.single, self.found
        for i, t in sorted(found):  # a token's options in query order, as align makes them
            sim, how = similarity(qt[i], t)
            if sim > 0:
                single.setdefault(t, []).append((i, sim, how))
                flat.append((t, i, sim, how))
        merges = self.algo.merges
        for p, t in sorted(pairs):
            i, merged = self.qpairs[p]
            sim, how = similarity(merged, t)
            if merges(qt[i], qt[i + 1], sim, how):
                self.pair.setdefault(t, []).append((i, sim))
                self.merged.append((t, i, sim))

    def align(
        self, c: Analyzed, cw: tuple[float, ...], *, person: bool = False
    ) -> tuple[float, list[Pick]]:
        """:func:`align` of the query with ``c``, one of the names given to :meth:`prepare`
        (any other name is prepared first)."""
        if not self._seen.issuperset(c.keys):
            self.prepare([c])
        return self.align_prepared(c, cw, person=person)

    def align_prepared(
        self, c: Analyzed, cw: tuple[float, ...], *, person: bool = False
    ) -> tuple[float, list[Pick]]:
        """:meth:`align` of a name already given to :meth:`prepare` (not checked)."""
        qw, ct, algo = self.qw, c.tokens, self.algo
        single, pair = self.single, self.pair
        n = len(ct)
        singles = _SINGLES if len(_SINGLES) > max(n, len(qw)) else _singles(max(n, len(qw)))
        options: list[MaskedOption] = []
        for j, b in enumerate(ct):
            found = single.get(b)
            if found:
                cj, cm, wj = singles[j], 1 << j, cw[j]
                for i, sim, how in found:
                    if how != "initial" or person:
                        options.append((sim * (qw[i] + wj), sim, how, singles[i], cj,
                                        1 << i, cm))
            if pair:
                merged_q = pair.get(b)
                if merged_q:
                    for i, sim in merged_q:
                        options.append((sim * (qw[i] + qw[i + 1] + cw[j]), sim, "merged",
                                        (i, i + 1), singles[j], 3 << i, 1 << j))
        if n > 1:
            # the name's adjacent pairs merged
            merges = algo.merges
            for j, merged in enumerate(c.pairs):
                found = single.get(merged)
                if found:
                    for i, sim, how in found:
                        if merges(ct[j], ct[j + 1], sim, how):
                            options.append((sim * (qw[i] + cw[j] + cw[j + 1]), sim, "merged",
                                            singles[i], (j, j + 1), 1 << i, 3 << j))
        if not options:
            return 0.0, []
        masks = _kind_masks(c.kinds)
        picked = _pick_masked(options, self.q_word, c, masks[0])
        return (_total_masked(self.q, c, qw, cw, picked, masks, algo, person, self._q_den),
                picked[4])
