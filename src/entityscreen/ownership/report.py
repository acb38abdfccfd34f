"""Verdicts as JSON (the ``ownership`` key of search results, ``owners --json``) and as text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from entityscreen.ownership.model import OwnershipNode, OwnershipPath, Status, Verdict
from entityscreen.ownership.service import PartyVerdicts

__all__ = [
    "party_to_dict",
    "path_text",
    "restricted_by_extension",
    "share_text",
    "verdict_to_dict",
]

NameOf = Callable[[str], str]


def share_text(share: float | None) -> str:
    return "? %" if share is None else f"{share:g} %"


def path_text(path: OwnershipPath, name_of: NameOf) -> str:
    """``SENSETIME GROUP LIMITED —100 %→ Shenzhen SenseTime Technology Co., Ltd.``"""
    parts = [name_of(path.seed)]
    for step in path.steps:
        parts.append(f" —{share_text(step.share)}→ {name_of(step.owned)}")
    return "".join(parts)


def verdict_to_dict(v: Verdict, name_of: NameOf,
                    nodes: Mapping[str, OwnershipNode] | None = None) -> dict[str, Any]:
    """One rule's verdict; with ``nodes``, each owner carries the listed party it matched
    (``listed_party``, ``matched_name``, ``match_score``)."""
    def owner(key: str, share: float | None, status: str) -> dict[str, Any]:
        node = (nodes or {}).get(key)
        return {"key": key, "name": name_of(key), "share": share, "status": status,
                "listed_party": node.party_id if node else None,
                "matched_name": node.matched_name if node else None,
                "match_score": node.score if node else None}

    return {
        "rule": v.rule,
        "status": v.status.value,
        "restricted": v.restricted,
        "aggregate": v.aggregate,
        "reason": v.reason,
        "restriction": v.restriction,
        "owners": [owner(c.owner, c.share, c.owner_status.value) for c in v.owners],
        "paths": [{"text": path_text(p, name_of), "listed": p.reason,
                   "steps": [{"owner": name_of(s.owner), "owned": name_of(s.owned),
                              "share": s.share} for s in p.steps]} for p in v.paths],
        "notes": list(v.notes),
    }


def party_to_dict(pv: PartyVerdicts) -> dict[str, Any]:
    node = pv.nodes.get(pv.key)
    return {
        "key": pv.key,
        "name": pv.name(pv.key),
        "as_of": pv.on,
        "listed_party": node.party_id if node else None,
        "match_score": node.score if node else None,
        "matched_name": node.matched_name if node else None,
        "verdicts": [verdict_to_dict(v, pv.name, pv.nodes) for v in pv.verdicts.values()],
        "links": [{"party": lk.a, "to": lk.b, "relation": lk.relation, "source": lk.source}
                  for lk in pv.links],
        "issues": [{"kind": i.kind, "message": i.message, "where": i.where} for i in pv.issues],
    }


def restricted_by_extension(pv: PartyVerdicts) -> bool:
    return any(v.status in (Status.EXTENDED, Status.UNKNOWN) for v in pv.verdicts.values())
