"""What ``search`` and ``screen`` add to a result: the ownership verdicts for a screened name.

A name that is in the imported ownership data gets every rule's verdict (the party may be on no
list and still be restricted by extension). Without ownership data this adds nothing and opens
nothing.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from entityscreen.ownership.model import Status
from entityscreen.ownership.report import party_to_dict
from entityscreen.ownership.service import Ownership, PartyVerdicts
from entityscreen.screener import Screener

__all__ = ["decision_for", "ownership_for_name", "summary_text", "verdicts_for_name"]

# Parties of one name looked at (the same name in several sources is usually one party).
MAX_PARTIES = 5

# Seconds during which "no ownership data" is taken as still true: a stream of searches
# must not look for the file at every name, and an import made meanwhile by another process
# is seen this soon.
RECHECK_S = 2.0

_open: weakref.WeakKeyDictionary[Screener, Ownership] = weakref.WeakKeyDictionary()
_absent: weakref.WeakKeyDictionary[Screener, float] = weakref.WeakKeyDictionary()


def _ownership(screener: Screener) -> Ownership | None:
    own = _open.get(screener)
    if own is None:
        now = time.monotonic()
        if now - _absent.get(screener, -RECHECK_S) < RECHECK_S:
            return None
        if not Ownership.exists(screener):
            _absent[screener] = now
            return None
        own = _open[screener] = Ownership.open(screener, create=False)
    return own


def verdicts_for_name(screener: Screener, name: str,
                      on: str | None = None) -> list[PartyVerdicts]:
    own = _ownership(screener)
    if own is None or not name.strip():
        return []
    return [own.verdicts(n.key, on=on) for n in own.find(name)[:MAX_PARTIES]]


def ownership_for_name(screener: Screener, name: str, on: str | None = None) -> list[dict[str,
                                                                                          Any]]:
    """The ``ownership`` key of a result: one object per matching party (empty: none)."""
    return [party_to_dict(pv) for pv in verdicts_for_name(screener, name, on)]


def decision_for(found: list[dict[str, Any]]) -> str | None:
    """"match" when a party is restricted by extension, "review" when its ownership is
    unknown, else None (the name screening decides)."""
    statuses = {v["status"] for p in found for v in p["verdicts"]}
    if Status.EXTENDED.value in statuses:
        return "match"
    if Status.UNKNOWN.value in statuses:
        return "review"
    return None


def summary_text(found: list[dict[str, Any]]) -> str:
    """One line for flat outputs: each rule that extends, with its aggregate and paths."""
    parts = []
    for p in found:
        for v in p["verdicts"]:
            if v["status"] in (Status.EXTENDED.value, Status.UNKNOWN.value):
                paths = "; ".join(x["text"] for x in v["paths"])
                parts.append(f"{v['rule']}: {v['status']} ({v['aggregate']:g} %"
                             + (f": {paths}" if paths else "") + ")")
    return " | ".join(parts)


