"""Golden table: the Xinjiang surveillance parties, with the lists, programs, dates, citations
and restrictions the bundled official files give (tests/golden/xinjiang.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from entityscreen.model import PartyType, Query
from entityscreen.report import hit_to_dict

ROWS = list(csv.DictReader((Path(__file__).parent / "golden" / "xinjiang.csv").open(
    encoding="utf-8")))


@pytest.mark.slow
@pytest.mark.parametrize("row", ROWS, ids=[f"{r['query']}->{r['list']}" for r in ROWS])
def test_xinjiang_party_is_found_with_its_listing(screener, row: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    query = Query(row["query"], PartyType(row["type"]) if row["type"] else None)
    hits = screener.search(query, limit=10)
    results = [hit_to_dict(h, screener.party(h.party_id)) for h in hits]
    found = [r for r in results if r["name"] == row["expected_name"]]
    assert found, f"{row['expected_name']!r} not in {[r['name'] for r in results]}"
    result = found[0]
    assert result["match"] is True
    listings = [
        lst for lst in result["listings"]
        if (lst["authority"], lst["list"], lst["program"] or "")
        == (row["authority"], row["list"], row["program"])
    ]
    assert listings, result["listings"]
    lst = listings[0]
    assert (lst["listed_on"] or "") == row["listed_on"]
    assert row["citation_contains"] in ((lst["citation"] or "") + (lst["legal_basis"] or ""))
    assert row["restriction_contains"] in lst["restriction"]
