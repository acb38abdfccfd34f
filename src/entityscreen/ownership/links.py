"""Ties that lists state without a share: shown as context, never counted as ownership.

OFAC remarks name related parties as "Linked To: NAME." (the enhanced XML's relationships are
written the same way by our parser); Entity List entries name subordinate institutions in their
addresses or remarks ("... and its subordinate institution X").
"""

from __future__ import annotations

import re

from entityscreen.model import Party
from entityscreen.ownership.model import Link

__all__ = ["links_of"]

_LINKED = re.compile(r"Linked To:\s*([^;()]+?)\s*(?:\.\s*(?:;|$)|[;)]|$)", re.I)
_SUBORDINATE = re.compile(
    r"\b(?i:subordinate)(?: (?:institution|unit|entity|organization|body)s?)?"
    r"(?:\s+(?:of|to)\s+|:\s*)((?:the )?[A-Z][^;.,()]{1,120})")


def links_of(party: Party) -> list[Link]:
    out: list[Link] = []
    texts = [party.remarks or ""] + [v for lst in party.listings for k, v in lst.details
                                     if k == "remarks"]
    for text in dict.fromkeys(texts):
        for m in _LINKED.finditer(text):
            out.append(Link(party.id, m.group(1).strip().rstrip("."), "linked to",
                            "list remarks"))
        for m in _SUBORDINATE.finditer(text):
            out.append(Link(party.id, m.group(1).strip(), "subordinate unit", "list entry"))
    for a in party.addresses:
        for m in _SUBORDINATE.finditer(a.text):
            out.append(Link(party.id, m.group(1).strip(), "subordinate unit", "list address"))
    return list(dict.fromkeys(out))
