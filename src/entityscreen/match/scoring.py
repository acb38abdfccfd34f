"""Scoring algorithms, described as data and versioned.

A score compares a query name with one listed name by *token alignment*: every query token is
paired with at most one listed token (or a pair of tokens, for split and merged words), each
pair scored by :func:`~entityscreen.match.features.token_similarity`, and the pairs weighted by
how rare the tokens are across all listed names, so "Technology" and "Co" count little and
"Hikvision" a lot. Unaligned rare tokens pull the score down: query tokens fully, listed tokens
by ``unmatched_listed`` (a listed middle name missing from the query costs less than a query
word the list does not have). Secondary attributes (type, country, birth year) then raise or
lower the score by the amounts in the algorithm's table.

A score means: 1.0 the same name up to case, punctuation, script and legal-form noise; 0.9 a
typo, a transliteration variant or a missing generic word away; below ``threshold`` (0.82 by
default) a distinct name that shares words with a listed one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property, reduce
from operator import add

from entityscreen.match.analysis import GENERIC, LEGAL, PLACE, STOP, WORD, Analyzed
from entityscreen.match.index import PartyRef, Retrieval, identifier_key
from entityscreen.model import Alignment, Evidence, PartyType, Query

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "MATCHING_REVISION",
    "Algorithm",
    "NameScore",
    "align",
    "evidence",
    "explain",
    "most_evidence_adds",
    "score_names",
    "weights",
]


@dataclass(frozen=True)
class Algorithm:
    """One scoring algorithm: its parameters are the whole of what it is."""

    name: str
    description: str
    # weight of a listed token the query does not have, relative to a query token: people
    # are often screened without middle names or patronymics; organisations rarely lose a
    # distinctive word
    unmatched_listed_person: float = 0.5
    unmatched_listed: float = 0.8
    # weight of a query word the list does not have when the whole listed name of an
    # organisation is in the query ("ONERBANK ZAO, Minsk Branch"): extra words describe
    unmatched_query_contained: float = 0.35
    # ... when one of the listed words is at least this rare (weight 9 ~ in under 20 listed
    # names): "Advanced Technologies" or "Chemical Industry Company" inside a query prove little
    contained_min_weight: float = 9.0
    # least similarity for a merged/split pair ("cloud walk" ~ "cloudwalk")
    merge_min: float = 0.9
    # a query name equal to a listed name once spaces are removed scores at least this
    compact_equal: float = 0.97
    # secondary evidence, added to the name score
    type_mismatch: float = -0.20
    country_agree: float = 0.02
    country_disagree: float = -0.02
    birth_year_agree: float = 0.03
    birth_year_disagree: float = -0.15
    # an identifier the query gives that the party carries decides: the score becomes 1.0
    identifier_agree: float = 1.0
    candidates: int = 32  # parties fully scored per query
    # retrieval (see ``Retrieval``): follow only listed tokens the alignment can use, and
    # look up listed tokens two edits away from query tokens this long (0: never)
    aligning_retrieval: bool = False
    two_edit_min_len: int = 0
    # compare a token with every other spelling analysis reads as the token it is compared
    # with (normalize.spellings: "Alezey" with "Alexey", a spelling of "aleksei"; "Inxustrial"
    # with "industrial", read as "industry"), in scoring and retrieval
    variant_spellings: bool = False
    # least letters of each token in a merged pair, unless the merge is exact: a one-letter
    # token is an initial, and read as a typo of a merged word ("lazarevic v" ~ "lazarevic")
    # it hides what it stands for ("V." for "Vladimir")
    merge_part_min: int = 1
    # retrieval: an initial in the query prefers, among the names found, those with a word
    # it can stand for
    initial_retrieval: bool = False

    @cached_property
    def retrieval(self) -> Retrieval:
        return Retrieval(self.candidates, self.aligning_retrieval, self.two_edit_min_len,
                         self.merge_min, self.variant_spellings, self.initial_retrieval)

    @property
    def similarity(self) -> Callable[[str, str], tuple[float, str]]:
        """How this algorithm compares two tokens."""
        return self.retrieval.similarity

    def merges(self, a: str, b: str, sim: float, how: str) -> bool:
        """Do tokens ``a`` and ``b``, merged and compared with another at ``sim`` (``how``),
        align as a merged pair?"""
        return sim >= self.merge_min and (how == "exact" or (
            how == "fuzzy" and len(a) >= self.merge_part_min and len(b) >= self.merge_part_min))


_FIRST = Algorithm(
    name="entityscreen-1",
    description="rarity-weighted token alignment (rapidfuzz OSA), split/merge, "
    "transliteration skeletons, type/country/birth-year evidence",
)
ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        _FIRST,
        replace(
            _FIRST,
            name="entityscreen-2",
            description="entityscreen-1 scoring, and a token compared with every spelling "
            "read as the other (a given name's, a generic word's inflections), an initial never "
            "merged by a typo; retrieval follows only listed tokens the alignment can use, "
            "finds tokens two typos away in words of 8 letters or more and through those "
            "spellings, and prefers names with a word an initial of the query stands for; "
            "a transliteration keeps the vowels where they stand",
            aligning_retrieval=True,
            two_edit_min_len=8,
            variant_spellings=True,
            merge_part_min=2,
            initial_retrieval=True,
        ),
    )
}
DEFAULT_ALGORITHM = "entityscreen-2"
# Bump when a change to the matching code (not to an algorithm's settings or the reference
# tables, tracked apart) can change what an algorithm finds for the same lists: the next
# rescreen then screens every watched row again. 2: names tied at the candidate pool's cut
# are taken from the lowest id.
MATCHING_REVISION = 2


def plain_sum(values: Iterable[float]) -> float:
    """The floats added left to right, as ``sum`` does up to Python 3.11 (3.12 compensates
    rounding): a score is the same on every Python, and in compiled code (``match.batch``)."""
    return reduce(add, values, 0.0)


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    aligned: tuple[Alignment, ...]
    unmatched_query: tuple[str, ...]
    unmatched_listed: tuple[str, ...]
    ignored: tuple[str, ...]


Weigher = Callable[[str, str], float]


def weights(a: Analyzed, weigh: Weigher) -> tuple[float, ...]:
    return tuple(map(weigh, a.tokens, a.kinds))  # (tokens and kinds are as long)


_NAMING = (WORD, PLACE, GENERIC)  # the kinds of token that name a party
# A listed token aligned at least this closely (and exactly, when five letters or fewer)
# counts as present for the containment rule.
CLOSE = 0.85
Pick = tuple[float, str, tuple[int, ...], tuple[int, ...]]  # similarity, how, query, listed


def align(
    q: Analyzed,
    c: Analyzed,
    qw: tuple[float, ...],
    cw: tuple[float, ...],
    algo: Algorithm,
    *,
    person: bool = False,
) -> tuple[float, list[Pick]]:
    """The alignment of a query name with a listed name, and its score (the hot path).

    Every option (a token pair, or a merged pair against one token) is valued by similarity
    times the weight of the tokens it covers; options are taken greedily, best first, each
    token used once.
    """
    qt, ct = q.tokens, c.tokens
    similarity, merges = algo.similarity, algo.merges
    # options in a fixed order (listed token by listed token), which breaks ties between
    # equally valuable options
    options: list[tuple[float, float, str, tuple[int, ...], tuple[int, ...]]] = []
    for j, b in enumerate(ct):
        for i, a in enumerate(qt):
            sim, how = similarity(a, b)
            if sim > 0:
                option = _single_option(i, j, sim, how, qw, cw, person)
                if option:
                    options.append(option)
        for i in range(len(qt) - 1):  # two query tokens merged ("cloud walk" ~ "cloudwalk")
            merged = qt[i] + qt[i + 1]
            sim, how = similarity(merged, b)
            if merges(qt[i], qt[i + 1], sim, how):
                options.append((sim * (qw[i] + qw[i + 1] + cw[j]), sim, "merged",
                                (i, i + 1), (j,)))
    for j in range(len(ct) - 1):  # two listed tokens merged
        merged = ct[j] + ct[j + 1]
        for i, a in enumerate(qt):
            sim, how = similarity(a, merged)
            if merges(ct[j], ct[j + 1], sim, how):
                options.append((sim * (qw[i] + cw[j] + cw[j + 1]), sim, "merged",
                                (i,), (j, j + 1)))
    picked = _pick(options, q.kinds, c)
    return _total(q, c, qw, cw, picked, algo, person), picked[4]


Option = tuple[float, float, str, tuple[int, ...], tuple[int, ...]]


def _pick(
    options: list[Option], qk: tuple[str, ...], c: Analyzed
) -> tuple[float, set[int], set[int], set[int], list[Pick], bool]:
    """Take options greedily, most valuable first, each token used once. Returns the aligned
    value, the query and listed tokens used, the listed tokens aligned closely (similarity
    0.85 or more, and exactly when five letters or fewer: what counts as present for the
    containment rule), the picks, and whether a real word (not an initial, not a legal form
    or stopword) aligned on both sides."""
    options.sort(key=lambda o: -o[0])
    ck, ct = c.kinds, c.tokens
    used_q: set[int] = set()
    used_c: set[int] = set()
    close: set[int] = set()
    picks: list[Pick] = []
    num = 0.0
    word_aligned = False
    for value, sim, how, qi, cj in options:
        if used_q.intersection(qi) or used_c.intersection(cj):
            continue
        used_q.update(qi)
        used_c.update(cj)
        num += value
        if sim >= CLOSE and (how == "exact" or len(cj) > 1 or len(ct[cj[0]]) > 5):
            close.update(cj)
        if not word_aligned and how != "initial" and any(qk[i] == WORD for i in qi) and any(
            ck[j] == WORD for j in cj
        ):
            word_aligned = True
        picks.append((sim, how, qi, cj))
    return num, used_q, used_c, close, picks, word_aligned


def _single_option(
    i: int, j: int, sim: float, how: str, qw: tuple[float, ...], cw: tuple[float, ...],
    person: bool,
) -> Option | None:
    """One query token against one listed token, valued by similarity times weight. An
    initial stands for a person's given name only ("A. B. KARLIN"), never for a word of an
    organisation's name (a rare "Cemex" must not ride on a listed "C")."""
    if how == "initial" and not person:
        return None
    return (sim * (qw[i] + cw[j]), sim, how, (i,), (j,))


def _contained(c: Analyzed, close: set[int]) -> bool:
    """Is the whole listed name in the query? Every listed word aligned closely (``close``:
    the listed tokens aligned at similarity 0.85 or more), and the listed name says
    something: two or more words, or one distinctive word of five letters or more."""
    named = [j for j, k in enumerate(c.kinds) if k in _NAMING]
    if not named or any(j not in close for j in named):
        return False
    if len(named) >= 2:
        return any(c.kinds[j] == WORD for j in named)
    j = named[0]
    return c.kinds[j] == WORD and len(c.tokens[j]) >= 5


def _total(
    q: Analyzed, c: Analyzed, qw: tuple[float, ...], cw: tuple[float, ...],
    picked: tuple[float, set[int], set[int], set[int], list[Pick], bool], algo: Algorithm,
    person: bool,
) -> float:
    """The score of an alignment (what :func:`_pick` returns): aligned weight over all
    weight, unaligned tokens counted at the algorithm's factors."""
    num, used_q, used_c, close, _picks, word_aligned = picked
    if not word_aligned:
        return algo.compact_equal if q.compact and q.compact == c.compact else 0.0
    missing = algo.unmatched_listed_person if person else algo.unmatched_listed
    extra = 1.0
    # unaligned query words cost less when the whole listed name of an organisation is in
    # the query (a person's name with an extra word is usually another person), unless the
    # listed name is of common words ("Chemical Industry Company" proves little)
    if len(used_q) < len(qw) and not person and _contained(c, close) and max(
        (w for w, k in zip(cw, c.kinds, strict=True) if k == WORD), default=0.0
    ) >= algo.contained_min_weight:
        extra = algo.unmatched_query_contained
    den = plain_sum(w if i in used_q else extra * w for i, w in enumerate(qw))
    den += plain_sum(w if j in used_c else missing * w for j, w in enumerate(cw))
    score = num / den if den else 0.0
    if q.compact and q.compact == c.compact:
        score = max(score, algo.compact_equal)
    return min(1.0, score)


def explain(
    q: Analyzed, c: Analyzed, qw: tuple[float, ...], score: float, picks: list[Pick]
) -> NameScore:
    """The alignment in words, for the hits that are shown."""
    qt, ct = q.tokens, c.tokens
    aligned = []
    used_q: set[int] = set()
    used_c: set[int] = set()
    for sim, how, qi, cj in picks:
        used_q.update(qi)
        used_c.update(cj)
        if len(qi) == 1:
            query, weight = qt[qi[0]], qw[qi[0]]
        else:
            query, weight = " ".join([qt[i] for i in qi]), sum([qw[i] for i in qi])
        listed = ct[cj[0]] if len(cj) == 1 else " ".join([ct[j] for j in cj])
        aligned.append(Alignment(query=query, listed=listed, similarity=round(sim, 3),
                                 how=how, weight=round(weight, 3)))
    return NameScore(
        score=score,
        aligned=tuple(aligned),
        unmatched_query=tuple([t for i, t in enumerate(qt) if i not in used_q]),
        unmatched_listed=tuple([t for j, t in enumerate(ct) if j not in used_c]),
        ignored=tuple([t for t, k in zip(qt, q.kinds, strict=True) if k in (LEGAL, STOP)]),
    )


def score_names(
    q: Analyzed, c: Analyzed, weigh: Weigher, algo: Algorithm, *, person: bool = False
) -> NameScore:
    """Score and explain one query name against one listed name (the simple entry point)."""
    qw, cw = weights(q, weigh), weights(c, weigh)
    score, picks = align(q, c, qw, cw, algo, person=person)
    return explain(q, c, qw, score, picks)


def most_evidence_adds(query: Query, algo: Algorithm) -> float:
    """The most :func:`evidence` can add to any party's score for this query (what agrees
    adds; what disagrees only takes away)."""
    gain = 0.0
    if query.country:
        gain += max(0.0, algo.country_agree, algo.country_disagree)
    if query.birth_date:
        gain += max(0.0, algo.birth_year_agree, algo.birth_year_disagree)
    if query.identifiers:
        gain += max(0.0, algo.identifier_agree)
    if query.type is not None:
        gain += max(0.0, algo.type_mismatch)
    return gain


def evidence(query: Query, party: PartyRef, algo: Algorithm) -> tuple[Evidence, ...]:
    """Secondary attributes that agree or disagree, with their effect on the score."""
    out: list[Evidence] = []
    if query.type is not None and party.type is not PartyType.UNKNOWN:
        person_q = query.type is PartyType.PERSON
        person_p = party.type is PartyType.PERSON
        if person_q != person_p:
            out.append(Evidence("type", query.type.value, party.type.value, algo.type_mismatch))
    if query.country and party.countries:
        if query.country in party.countries:
            out.append(Evidence("country", query.country, query.country, algo.country_agree))
        else:
            out.append(Evidence("country", query.country, ",".join(party.countries),
                                algo.country_disagree))
    if query.birth_date and query.birth_date[:4].isdigit() and party.birth_years:
        year = int(query.birth_date[:4])
        listed = ",".join(str(y) for y in party.birth_years)
        if any(abs(year - y) <= 1 for y in party.birth_years):
            out.append(Evidence("birth_date", query.birth_date, listed, algo.birth_year_agree))
        else:
            out.append(Evidence("birth_date", query.birth_date, listed,
                                algo.birth_year_disagree))
    if query.identifiers and party.identifiers:
        for value in query.identifiers:
            key = identifier_key(value)
            if key and key in party.identifiers:
                out.append(Evidence("identifier", value, key, algo.identifier_agree))
                break
    return tuple(out)
