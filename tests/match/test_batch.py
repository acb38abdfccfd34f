"""Compiled scoring: every candidate scores what the matcher gives it, and searches find the
same hits, explained the same, with the names as arrays or without."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from entityscreen.match.analysis import analyze
from entityscreen.match.batch import score_candidates
from entityscreen.match.matcher import QueryMatcher
from entityscreen.match.scoring import ALGORITHMS, weights
from entityscreen.model import PartyType, Query


def _misspell(name: str, how: int, at: int) -> str:
    """A listed name as a customer file may hold it."""
    words = name.split() or [name]
    k = at % len(words)
    if how == 0:  # a typo
        w = words[k]
        words[k] = w[: at % max(len(w), 1)] + w[at % max(len(w), 1) + 1 :]
    elif how == 1 and len(words) > 1:  # two words run together
        words[k - 1 : k + 1] = [words[k - 1] + words[k]] if k else [words[0] + words[1]]
    elif how == 2:  # a word split
        w = words[k]
        words[k] = w[: len(w) // 2] + " " + w[len(w) // 2 :]
    elif how == 3:  # a given name as an initial
        words[k] = words[k][:1] + "."
    elif how == 4 and len(words) > 1:  # a word dropped
        del words[k]
    elif how == 5:  # a legal form and a branch added
        words += ["Co.,", "Ltd.", "(Shenzhen", "Branch)"]
    return " ".join(words)


def _compare(screener, names: list[str]) -> int:  # type: ignore[no-untyped-def]
    index = screener.index
    index.compile()
    where = index.postings.key_ids()
    compared = 0
    for algo in ALGORITHMS.values():
        for name in names:
            q = analyze(name)
            if not q.tokens:
                continue
            qw = weights(q, index.weight)
            nids = index.candidates(q, algo.retrieval, qw)
            matcher = QueryMatcher(q, qw, algo)
            analysed = index.analyses(nids)
            matcher.prepare(analysed)
            persons = [index.party_types[index.name_owner[n]] == "person" for n in nids]
            got = score_candidates(index.scoring, where, matcher, nids).tolist()
            want = [matcher.align_prepared(c, index.weights_of(n), person=p)[0]
                    for n, c, p in zip(nids, analysed, persons, strict=True)]
            assert got == want, name  # the same floats, not merely close ones
            compared += len(nids)
    return compared


def test_compiled_scores_are_the_matchers_on_listed_names_and_their_misspellings(  # type: ignore[no-untyped-def]
    screener,
) -> None:
    index = screener.index
    names = [_misspell(index.name_text[nid], nid % 6, nid // 6)
             for nid in range(0, index.n_names, 97)]
    assert _compare(screener, names) > 10 * len(names)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 5), st.integers(0, 50)),
                min_size=1, max_size=4))
def test_compiled_scores_are_the_matchers_on_mixed_names(  # type: ignore[no-untyped-def]
    screener, parts: list[tuple[int, int, int]]
) -> None:
    # pieces of several listed names, misspelt, in one query: many options per name
    index = screener.index
    name = " ".join(_misspell(index.name_text[n % index.n_names], how, at)
                    for n, how, at in parts)
    _compare(screener, [name])


def test_searches_find_and_explain_the_same_with_compiled_scoring(screener) -> None:  # type: ignore[no-untyped-def]
    index = screener.index
    queries = [Query(_misspell(index.name_text[nid], nid % 6, nid), type=t)
               for nid, t in zip(range(0, index.n_names, 173),
                                 [None, PartyType.PERSON, PartyType.ORGANIZATION] * 1000,
                                 strict=False)]
    # a party carrying an identifier the query gives is a candidate whatever its name
    idents = index.party_idents.keys[::97]
    queries += [Query(q.name, identifiers=(key,)) for q, key in zip(queries, idents,
                                                                     strict=False)]
    index.compile()
    table = index.scoring
    try:
        index.scoring = None
        want = [screener.search(q, limit=5) for q in queries]
        index.scoring = table
        got = [screener.search(q, limit=5) for q in queries]
    finally:
        index.scoring = table
    assert got == want
    assert sum(h.match for hits in got for h in hits) > len(queries) // 4
    by_identifier = [h for hits in got for h in hits
                     if any(e.attribute == "identifier" for e in h.explanation.evidence)]
    assert len(by_identifier) >= len(idents) // 2
