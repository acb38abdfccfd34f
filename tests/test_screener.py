"""Screener.screen, the bulk entry point, keeps exactly what search-then-filter keeps."""

from __future__ import annotations

import pytest

from entityscreen.model import PartyType, Query

QUERIES = [
    Query("Megvii Technology Limited"),
    Query("Hangzhou Hikvision Digital Technology Co., Ltd.", country="CN"),
    Query("Chen Quanguo", type=PartyType.PERSON),
    Query("Shohrat Zakir", type=PartyType.PERSON, birth_date="1953"),
    Query("Rosneft Oil Company", type=PartyType.ORGANIZATION, country="RU"),
    Query("Chris Curtis", type=PartyType.PERSON, country="US"),
    Query("Loretta Köster B.Eng.", type=PartyType.PERSON, country="DE"),
    Query("Gilbert S.A.R.L.", type=PartyType.ORGANIZATION, country="FR"),
    Query("Mohammad Hossein", type=PartyType.PERSON),
    Query("Bank Melli", country="IR"),
    Query("旷视科技"),
    Query("..."),
]


@pytest.mark.parametrize("floor", [0.5, 0.7, 0.9])
def test_screen_keeps_what_search_then_filter_keeps(screener, floor: float) -> None:  # type: ignore[no-untyped-def]
    for query in QUERIES:
        hits = screener.search(query, limit=5)
        best, kept = screener.screen(query, limit=5, floor=floor)
        assert best == (hits[0].score if hits else None), query
        assert kept == [h for h in hits if h.match or h.score >= floor], query


def test_evidence_follows_each_querys_own_hints(screener) -> None:  # type: ignore[no-untyped-def]
    """Evidence is remembered per party and hints: the same listed party met by queries with
    other hints is weighed again, not given the first query's evidence."""
    name = "Hangzhou Hikvision Digital Technology Co., Ltd."
    cn = screener.search(Query(name, country="CN"), limit=1)[0]

    def same_party(query: Query):  # type: ignore[no-untyped-def]
        return next(h for h in screener.search(query, limit=10) if h.party_id == cn.party_id)

    us, person = same_party(Query(name, country="US")), same_party(
        Query(name, type=PartyType.PERSON))
    assert ("country", True) in {(e.attribute, e.effect > 0) for e in cn.explanation.evidence}
    assert ("country", False) in {(e.attribute, e.effect > 0) for e in us.explanation.evidence}
    assert [e.attribute for e in person.explanation.evidence] == ["type"]
    assert cn.score > us.score > person.score
    assert same_party(Query(name, country="CN")) == cn
