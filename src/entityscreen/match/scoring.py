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

from collections.abc import Callable
from dataclasses import dataclass

from entityscreen.match.analysis import LEGAL, STOP, WORD, Analyzed
from entityscreen.match.features import token_similarity
from entityscreen.match.index import PartyRef
from entityscreen.model import Alignment, Evidence, PartyType, Query

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "Algorithm", "NameScore", "evidence", "score_names"]


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
    candidates: int = 48  # names fully scored per query


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            name="entityscreen-1",
            description="rarity-weighted token alignment (rapidfuzz OSA), split/merge, "
            "transliteration skeletons, type/country/birth-year evidence",
        ),
    )
}
DEFAULT_ALGORITHM = "entityscreen-1"


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    aligned: tuple[Alignment, ...]
    unmatched_query: tuple[str, ...]
    unmatched_listed: tuple[str, ...]
    ignored: tuple[str, ...]


Weigher = Callable[[str, str], float]


def score_names(
    q: Analyzed, c: Analyzed, weigh: Weigher, algo: Algorithm, *, person: bool = False
) -> NameScore:
    """Align the tokens of a query name with those of a listed name and score the alignment."""
    qt, ct = q.tokens, c.tokens
    qw = [weigh(t, k) for t, k in zip(qt, q.kinds, strict=True)]
    cw = [weigh(t, k) for t, k in zip(ct, c.kinds, strict=True)]
    options: list[tuple[float, float, str, tuple[int, ...], tuple[int, ...]]] = []
    for i, a in enumerate(qt):
        for j, b in enumerate(ct):
            sim, how = token_similarity(a, b)
            if sim > 0:
                options.append((sim * (qw[i] + cw[j]), sim, how, (i,), (j,)))
    for i in range(len(qt) - 1):
        merged = qt[i] + qt[i + 1]
        for j, b in enumerate(ct):
            sim, how = token_similarity(merged, b)
            if sim >= algo.merge_min and how in ("exact", "fuzzy"):
                options.append((sim * (qw[i] + qw[i + 1] + cw[j]), sim, "merged",
                                (i, i + 1), (j,)))
    for j in range(len(ct) - 1):
        merged = ct[j] + ct[j + 1]
        for i, a in enumerate(qt):
            sim, how = token_similarity(a, merged)
            if sim >= algo.merge_min and how in ("exact", "fuzzy"):
                options.append((sim * (qw[i] + cw[j] + cw[j + 1]), sim, "merged",
                                (i,), (j, j + 1)))
    options.sort(key=lambda o: -o[0])
    used_q: set[int] = set()
    used_c: set[int] = set()
    aligned: list[Alignment] = []
    num = 0.0
    word_aligned = False
    for value, sim, how, qi, cj in options:
        if used_q.intersection(qi) or used_c.intersection(cj):
            continue
        used_q.update(qi)
        used_c.update(cj)
        num += value
        if any(q.kinds[i] == WORD for i in qi) and any(c.kinds[j] == WORD for j in cj):
            word_aligned = True
        aligned.append(Alignment(
            query=" ".join(qt[i] for i in qi), listed=" ".join(ct[j] for j in cj),
            similarity=round(sim, 3), how=how,
            weight=round(sum(qw[i] for i in qi), 3),
        ))
    missing = algo.unmatched_listed_person if person else algo.unmatched_listed
    den = sum(qw)
    den += sum(w if j in used_c else missing * w for j, w in enumerate(cw))
    score = num / den if den and word_aligned else 0.0
    if q.compact and q.compact == c.compact:
        score = max(score, algo.compact_equal)
    ignored = tuple(t for t, k in zip(qt, q.kinds, strict=True) if k in (LEGAL, STOP))
    return NameScore(
        score=min(1.0, score),
        aligned=tuple(aligned),
        unmatched_query=tuple(t for i, t in enumerate(qt) if i not in used_q),
        unmatched_listed=tuple(t for j, t in enumerate(ct) if j not in used_c),
        ignored=ignored,
    )


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
    return tuple(out)
