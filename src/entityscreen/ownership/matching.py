"""Parties in ownership data matched to listed parties with the matching engine.

Each party is screened once (:meth:`Screener.search`); the best hit is kept on the party with
its score and matched name when it is a match, so a verdict can say who the owner was taken to
be and how sure that was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from entityscreen.errors import UsageError
from entityscreen.model import Query
from entityscreen.ownership.model import OwnershipNode
from entityscreen.screener import Screener

__all__ = ["match_nodes"]


def match_nodes(screener: Screener, nodes: Iterable[OwnershipNode], *,
                progress: Callable[[int], None] | None = None) -> list[OwnershipNode]:
    out = []
    for n, node in enumerate(nodes, 1):
        ident = node.key.split(":", 1)[1] if node.key.startswith(("lei:", "id:")) else None
        query = Query(node.name, country=node.country,
                      identifiers=(ident,) if ident else ())
        try:
            hits = screener.search(query, limit=1)
        except UsageError:
            hits = []  # a name too long to screen stays unmatched (and is reported so)
        best = hits[0] if hits else None
        if best is not None and best.match:
            node = replace(node, party_id=best.party_id, score=best.score,
                           matched_name=best.explanation.matched_name)
        else:
            node = replace(node, party_id=None, score=None, matched_name=None)
        out.append(node)
        if progress and n % 500 == 0:
            progress(n)
    return out
