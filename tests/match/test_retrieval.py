"""Retrieval is part of an algorithm: entityscreen-2 finds two typos in a long word and
follows only listed tokens the alignment can use; entityscreen-1 stays as it was."""

from __future__ import annotations

from dataclasses import replace

from entityscreen.match.analysis import analyze
from entityscreen.match.features import token_similarity
from entityscreen.match.scoring import ALGORITHMS, DEFAULT_ALGORITHM
from entityscreen.model import PartyType, Query
from entityscreen.screener import Screener
from entityscreen.settings import Settings

FIRST, SECOND = ALGORITHMS["entityscreen-1"], ALGORITHMS["entityscreen-2"]


def _search(screener, name: str, algorithm: str):  # type: ignore[no-untyped-def]
    settings = replace(screener.settings, algorithm=algorithm)
    return Screener(settings, screener.store, screener.index).search(Query(name), limit=5)


def test_the_default_algorithm_is_the_settings_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert Settings.from_env(home=tmp_path).algorithm == DEFAULT_ALGORITHM == "entityscreen-2"


def test_two_typos_in_a_long_word_are_found_by_the_second_algorithm_only(screener) -> None:  # type: ignore[no-untyped-def]
    query = "Hukvisiom"  # Hikvision with two letters changed: 7/9 alike
    assert token_similarity("hukvisiom", "hikvision")[0] > 0  # the scoring accepts it...
    first = _search(screener, query, "entityscreen-1")
    assert not any("HIKVISION" in h.explanation.matched_name.upper() for h in first)
    second = _search(screener, query, "entityscreen-2")  # ... and now retrieval finds it
    assert second and "HIKVISION" in second[0].explanation.matched_name.upper()
    assert second[0].algorithm == "entityscreen-2"


def test_second_algorithm_candidates_all_share_an_aligning_token(screener) -> None:  # type: ignore[no-untyped-def]
    index = screener.index
    for name in ("Chris Curtis", "Loretta Koster", "Gilbert SARL", "Ivan Petrov",
                 "Zhejiang Dahua Technology"):
        q = analyze(name)
        keys = set(q.tokens) | {a + b for a, b in zip(q.tokens, q.tokens[1:], strict=False)}
        for nid in index.candidates(q, SECOND.retrieval):
            listed = index.analysis(nid)
            assert (set(listed.tokens) | set(listed.pairs)) & keys or any(
                SECOND.similarity(k, t)[0] > 0 for k in keys for t in listed.tokens
            ) or listed.compact == q.compact, (name, index.name_text[nid])


def test_first_algorithm_retrieval_is_the_plain_retrieval(screener) -> None:  # type: ignore[no-untyped-def]
    index = screener.index
    for name in ("Chris Curtis", "Hikvision", "Megvii Technology", "Sberbank of Russia"):
        q = analyze(name)
        assert index.candidates(q, FIRST.retrieval) == index.candidates(q, FIRST.candidates)


def test_every_algorithm_stays_selectable(screener) -> None:  # type: ignore[no-untyped-def]
    for name in ALGORITHMS:
        hits = _search(screener, "Megvii Technology Limited", name)
        assert hits[0].algorithm == name and hits[0].match


def test_a_typo_of_a_listed_given_name_is_found_by_the_second_algorithm(screener) -> None:  # type: ignore[no-untyped-def]
    # "Alexey" is analysed as "aleksei" (data/name_variants.csv): "Alezey" is a typo of the
    # spelling on the list, not of "aleksei", and entityscreen-2 compares it with the spellings
    query = "Alezey KLTYAVIN"
    first = _search(screener, query, "entityscreen-1")
    assert not any(h.match for h in first)
    second = _search(screener, query, "entityscreen-2")
    assert second[0].match and "KLYAVIN" in second[0].explanation.matched_name.upper()
    aligned = {(a.query, a.listed, a.how) for a in second[0].explanation.aligned}
    assert ("alezey", "aleksei", "variant") in aligned


def test_second_algorithm_looks_up_given_names_through_their_spellings(screener) -> None:  # type: ignore[no-untyped-def]
    index = screener.index
    # a token outside data/name_variants.csv finds the names one of whose spellings is like it
    assert index.neighbours.through_spellings("alezey") == {"aleksei"}
    assert index.neighbours.through_spellings("mohzamed") == {"muhammad"}
    q = analyze("Alezey")
    for retrieval, finds in ((SECOND.retrieval, True), (FIRST.retrieval, False)):
        names = [index.analysis(nid).tokens for nid in index.candidates(q, retrieval)]
        assert any("aleksei" in tokens for tokens in names) is finds


def test_an_initial_picks_among_many_parties_of_one_surname(screener) -> None:  # type: ignore[no-untyped-def]
    # a hundred-odd listed names hold "khan": entityscreen-2 prefers those with a word "N."
    # can stand for, so the one it is an initial of is scored at all
    query = Query("KHAN, N.", type=PartyType.PERSON)
    hits = {a: Screener(replace(screener.settings, algorithm=a), screener.store,
                        screener.index).search(query, limit=5) for a in ALGORITHMS}
    best = hits["entityscreen-2"][0]
    assert best.match and best.explanation.matched_name.upper().startswith("KHAN, N")
    assert ("n", "nafir", "initial") in {(a.query, a.listed, a.how)
                                         for a in best.explanation.aligned}
    assert not any(h.match for h in hits["entityscreen-1"])


def test_a_moved_vowel_in_a_short_name_is_no_transliteration_in_the_second_algorithm(
        screener) -> None:  # type: ignore[no-untyped-def]
    # "Castro" is one moved letter from the listed "CASTOR": a typo at most, not a spelling
    def castor(algorithm: str):  # type: ignore[no-untyped-def]
        hits = _search(screener, "Castro", algorithm)
        return next(h for h in hits if h.explanation.matched_name.upper() == "CASTOR")

    first, second = castor("entityscreen-1"), castor("entityscreen-2")
    assert [a.how for a in first.explanation.aligned] == ["transliteration"]
    assert [a.how for a in second.explanation.aligned] == ["fuzzy"]
    assert second.score < first.score and second.score < 0.85
