"""Results as the stable JSON contract (documented in the README, pinned by a test).

``{"query": {...}, "results": [{"id", "name", "aliases", "type", "score", "match",
"matched_name", "listings": [{"source", "authority", "list", "program", "listed_on",
"restriction", "citation", ...}], "explanation": {...}, "algorithm"}], "ownership": [...],
"data": {...}}`` (``ownership``: :mod:`entityscreen.ownership.report`)
"""

from __future__ import annotations

from typing import Any

import orjson

from entityscreen.model import Hit, Listing, Party, Query
from entityscreen.restrictions import restriction_for
from entityscreen.screener import Freshness

__all__ = [
    "data_status",
    "dumps",
    "hit_to_dict",
    "listing_to_result",
    "party_to_result",
    "query_to_dict",
]


def dumps(obj: Any) -> str:
    """One compact JSON document on one line, non-ASCII kept as is (UTF-8): the form of every
    ``--json`` line and JSON-lines file. orjson writes the same text as ``json.dumps(obj,
    ensure_ascii=False, separators=(",", ":"))`` for the values results hold, ten times
    faster, which matters at a thousand lines a second."""
    return orjson.dumps(obj).decode()


def query_to_dict(query: Query) -> dict[str, Any]:
    return {
        "name": query.name,
        "type": query.type.value if query.type else None,
        "country": query.country,
        "birth_date": query.birth_date,
        "identifiers": list(query.identifiers),
    }


def listing_to_result(listing: Listing) -> dict[str, Any]:
    r = restriction_for(listing)
    return {
        "source": ", ".join(listing.feeds),
        "authority": listing.authority,
        "list": listing.list,
        "program": listing.program,
        "listed_on": listing.listed_on,
        "restriction": r.summary,
        "legal_basis": r.legal_basis,
        "dates": dict(r.dates),
        "citation": listing.citation,
        "source_url": listing.source_url,
        "record_id": listing.record_id,
    }


def party_to_result(party: Party) -> dict[str, Any]:
    """The part of a result that depends on the party only (names, listings, restrictions)."""
    return {
        "id": party.id,
        "name": party.name,
        "aliases": list(party.aliases),
        "type": party.type.value,
        "countries": list(party.countries),
        "listings": [listing_to_result(lst) for lst in party.listings],
    }


def hit_to_dict(
    hit: Hit, party: Party, static: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One result of the JSON contract; ``static`` is :func:`party_to_result` if already made."""
    expl = hit.explanation
    base = static if static is not None else party_to_result(party)
    return {
        "id": base["id"],
        "name": base["name"],
        "aliases": base["aliases"],
        "type": base["type"],
        "score": hit.score,
        "match": hit.match,
        "matched_name": expl.matched_name,
        "countries": base["countries"],
        "listings": base["listings"],
        "explanation": {
            "name_score": expl.name_score,
            "aligned": [
                {"query": a.query, "listed": a.listed, "similarity": a.similarity,
                 "how": a.how, "weight": a.weight}
                for a in expl.aligned
            ],
            "unmatched_query": list(expl.unmatched_query),
            "unmatched_listed": list(expl.unmatched_listed),
            "ignored": list(expl.ignored),
            "folding": list(expl.folding),
            "evidence": [
                {"attribute": e.attribute, "query": e.query, "listed": e.listed,
                 "effect": e.effect}
                for e in expl.evidence
            ],
        },
        "algorithm": hit.algorithm,
    }


def data_status(freshness: list[Freshness]) -> dict[str, Any]:
    """How old the data behind an answer is: every answer says it."""
    return {
        "sources": [
            {"source": f.source, "version": f.version, "published": f.published,
             "age_days": f.age_days, "stale": f.stale}
            for f in freshness
        ],
        "stale": any(f.stale for f in freshness),
    }
