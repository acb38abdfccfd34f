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
