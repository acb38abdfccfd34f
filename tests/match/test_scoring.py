"""Scoring: the fast per-query matcher agrees with the reference alignment; scores behave."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entityscreen.match.analysis import analyze
from entityscreen.match.matcher import QueryMatcher
from entityscreen.match.scoring import ALGORITHMS, align, score_names, weights

ALGO = ALGORITHMS["entityscreen-1"]


def weigh(token: str, kind: str) -> float:
    """A stand-in rarity: longer tokens rarer, legal forms and stopwords light."""
    return {"legal": 0.3, "stop": 0.15}.get(kind, 1.0 + len(token) / 2)


WORDS = ["hik", "vision", "hikvision", "sense", "time", "sensetime", "co", "ltd", "chen",
         "quanguo", "quangou", "q", "dahua", "technology", "tech", "of", "the", "megvii",
         "megvi", "xinjiang", "a", "1", "2",
         # given names of data/name_variants.csv, typos of their spellings, initials
         "alexey", "alezey", "aleksei", "o", "oleksandr", "aleksandr", "v", "lazarevic",
         "mohzamed", "muhammad", "yu", "ri", "galina", "halyna", "halyma", "h", "ihar", "igor",
         "inxustrial", "industrial"]
names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(names, st.lists(names, min_size=1, max_size=5), st.booleans(),
       st.sampled_from(sorted(ALGORITHMS)))
def test_fast_matcher_agrees_with_reference(
    query: str, listed: list[str], person: bool, algorithm: str
) -> None:
    algo = ALGORITHMS[algorithm]
    q = analyze(query)
    qw = weights(q, weigh)
    matcher = QueryMatcher(q, qw, algo)
    cands = [analyze(n) for n in listed]
    matcher.prepare(cands[1:])  # the first is aligned without being prepared
    for c in cands:
        cw = weights(c, weigh)
        fast, fast_picks = matcher.align(c, cw, person=person)
        slow, slow_picks = align(q, c, qw, cw, algo, person=person)
        assert fast == slow
        assert fast_picks == slow_picks  # the same explanation, not just the same score


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Quanguo Chen", "CHEN, Quanguo"),
        ("Hangzhou Hikvision Digital Technology Co Ltd",
         "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."),
        ("Cloud Walk Technology", "CloudWalk Technology"),
        ("Hіkvision", "Hikvision"),
        ("旷视科技有限公司", "Kuangshi Technology Co., Ltd."),
    ],
)
def test_same_party_scores_high(screener, query: str, listed: str) -> None:  # type: ignore[no-untyped-def]
    weigh_real = screener.index.weight  # rarity across the real bundled lists
    assert score_names(analyze(query), analyze(listed), weigh_real, ALGO).score >= 0.95


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Dongguan Shunfeng Optical Technology Co., Ltd.",
         "Dongguan Durun Optical Technology Co., Ltd."),
        ("Co., Ltd.", "Megvii Technology Co., Ltd."),
        ("Plant 3", "Plant 2"),
    ],
)
def test_different_party_scores_low(screener, query: str, listed: str) -> None:  # type: ignore[no-untyped-def]
    weigh_real = screener.index.weight
    assert score_names(analyze(query), analyze(listed), weigh_real, ALGO).score < 0.8


def test_explanation_names_aligned_and_ignored_tokens() -> None:
    ns = score_names(analyze("Megvii Technology Co., Ltd."), analyze("MEGVII TECHNOLOGY"),
                     weigh, ALGO)
    assert ("megvii", "megvii", "exact") in {(a.query, a.listed, a.how) for a in ns.aligned}
    assert ns.ignored == ("co", "ltd")
    assert ns.unmatched_listed == ()


SECOND = ALGORITHMS["entityscreen-2"]


@pytest.mark.parametrize(
    ("query", "listed", "aligned"),
    [
        # a typo of a spelling of a listed given name aligns with it, as a variant
        ("Alezey KLTYAVIN", "Alexey KLYAVIN", ("alezey", "aleksei", "variant")),
        ("Mohamnad HOSSEINI", "Mohammad HOSSEINI", ("mohamnad", "muhammad", "variant")),
        # and so does a typo of an inflection: "industrial" is read as "industry"
        ("Zorbex Inxustrial Group", "ZORBEX INDUSTRIAL GROUP", ("inxustrial", "industry",
                                                                "variant")),
        # spellings analysis leaves apart are one name (data/name_spellings.csv)
        ("Halyna KOLESNIKOVA", "Galina KOLESNIKOVA", ("halyna", "galina", "variant")),
        # an initial stands for a spelling too ("O." for "Oleksandr", read as "aleksandr")
        ("O. S. KHODAKOVSKYY", "Oleksandr Sergeyevich KHODAKOVSKYY", ("o", "aleksandr",
                                                                       "initial")),
        # an initial is an initial, not a typo merged into the surname ("lazarevic v" was
        # "lazarevic" at 0.9, and "V." then stood for nothing)
        ("LAZAREVIC V.", "LAZAREVIC, Vladimir", ("v", "vladimir", "initial")),
    ],
)
def test_second_algorithm_aligns_variants_and_initials(
    query: str, listed: str, aligned: tuple[str, str, str]
) -> None:
    q, c = analyze(query), analyze(listed)
    second = score_names(q, c, weigh, SECOND, person=True)
    first = score_names(q, c, weigh, ALGO, person=True)
    assert aligned in {(a.query, a.listed, a.how) for a in second.aligned}
    assert aligned not in {(a.query, a.listed, a.how) for a in first.aligned}
    assert second.score > first.score


def test_merges_of_words_still_align_in_the_second_algorithm() -> None:
    ns = score_names(analyze("Cloud Walk Technology"), analyze("CloudWalk Technology"), weigh,
                     SECOND)
    assert ("cloud walk", "cloudwalk", "merged") in {(a.query, a.listed, a.how)
                                                     for a in ns.aligned}
