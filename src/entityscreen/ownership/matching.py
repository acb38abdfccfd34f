"""Parties in ownership data matched to listed parties with the matching engine.

Each party is screened once (:meth:`Screener.search`); the best hit is kept on the party with
its score and matched name when it is a match, so a verdict can say who the owner was taken to
be and how sure that was. The same name is often listed by several publishers as separate
records (Hikvision is one record on NS-CMIC and another on the Entity List): every record that
matches as well as the best one is the party. :func:`match_nodes` keeps them all on the party
(one search), and :func:`listed_records` reads them back, searching again only for parties
matched before they were kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from entityscreen.errors import UsageError
from entityscreen.model import Hit, Query
from entityscreen.ownership.model import OwnershipNode
from entityscreen.screener import Screener

__all__ = ["listed_records", "match_nodes"]

# Most listed records one name is taken to be (records tied with the best hit).
MAX_TIED = 10


def node_query(node: OwnershipNode) -> Query:
    ident = node.key.split(":", 1)[1] if node.key.startswith(("lei:", "id:")) else None
    return Query(node.name, country=node.country, identifiers=(ident,) if ident else ())


def _tied(hits: list[Hit], best: float) -> tuple[str, ...]:
    return tuple(h.party_id for h in hits if h.match and h.score >= best)


def listed_records(screener: Screener, node: OwnershipNode) -> list[str]:
    """Ids of the listed records ``node`` is: its matched party, and every other record
    that matches its name at least as well (empty when it matched nothing)."""
    if not node.party_id:
        return []
    if node.party_ids is not None:
        return list(dict.fromkeys([node.party_id, *node.party_ids]))
    try:
        hits = screener.search(node_query(node), limit=MAX_TIED)
    except UsageError:
        hits = []
    tied = _tied(hits, node.score if node.score is not None else 1.0)
    return list(dict.fromkeys([node.party_id, *tied]))


def match_nodes(screener: Screener, nodes: Iterable[OwnershipNode], *,
                progress: Callable[[int], None] | None = None) -> list[OwnershipNode]:
    out = []
    for n, node in enumerate(nodes, 1):
        try:
            hits = screener.search(node_query(node), limit=MAX_TIED)
        except UsageError:
            hits = []  # a name too long to screen stays unmatched (and is reported so)
        best = hits[0] if hits else None
        if best is not None and best.match:
            node = replace(node, party_id=best.party_id, score=best.score,
                           matched_name=best.explanation.matched_name,
                           party_ids=tuple(dict.fromkeys(
                               [best.party_id, *_tied(hits, best.score)])))
        else:
            node = replace(node, party_id=None, score=None, matched_name=None, party_ids=None)
        out.append(node)
        if progress and n % 500 == 0:
            progress(n)
    return out
