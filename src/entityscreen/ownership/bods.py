"""Beneficial Ownership Data Standard 0.4 (Open Ownership) statements: shareholdings as holdings.

A BODS file is a JSON array (or JSON lines) of statements, each about one record: an ``entity``,
a ``person`` or a ``relationship`` (``interestedParty`` has interests in ``subject``). Records
change by later statements (``recordStatus`` ``updated`` / ``closed``): the latest statement of
a record, by ``statementDate``, is its state.

- Parties: entity and person records, keyed by their LEI (scheme ``XI-LEI``, so they meet GLEIF
  imports) or ``bods:<recordId>``. An entity's jurisdiction is its country hint; a person gets
  none (a nationality is not a place, and no hint is taken from it).
- Holdings: ``shareholding`` interests held ``direct`` (or of unknown directness). An exact share
  counts as stated; a range (``minimum`` / ``maximum``...) counts as "held, amount unknown", so
  a verdict says "due diligence" rather than clearing on a guess. ``indirect`` interests are set
  aside: the chain is counted through its direct holdings, and counting both would count twice.
- Every other interest (voting rights, board seats, trustee, nominee, other influence or
  control...) is a link: shown, never counted (OFAC FAQ 398: control is not ownership).
- A closed relationship ends on its interests' ``endDate``, else on the closing statement's date.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from entityscreen.errors import InputError
from entityscreen.ownership.model import Edge, Issue, Link, OwnershipNode, Parsed
from entityscreen.ownership.values import ValueProblem, iso_date, share

__all__ = ["read_bods"]

COUNTED_INTEREST = "shareholding"


def _statements(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(where, statement) in file order, from a JSON array or JSON lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start})",
                         fix="BODS files are UTF-8 JSON") from None
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path.name} line {exc.lineno}: not JSON ({exc.msg})",
                             fix="is this a BODS 0.4 JSON array of statements?") from None
        return [(f"statement {n}", s) for n, s in enumerate(items, 1)]
    out = []
    for line, raw in enumerate(text.splitlines(), 1):
        if raw.strip():
            try:
                out.append((f"line {line}", json.loads(raw)))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path.name} line {line}: not JSON ({exc.msg})",
                                 fix="BODS JSON lines hold one statement per line") from None
    return out


def _name(record_type: str, details: dict[str, Any]) -> str:
    if record_type == "entity":
        return str(details.get("name") or "").strip()
    names = [n for n in details.get("names") or [] if isinstance(n, dict) and n.get("fullName")]
    legal = [n for n in names if n.get("type") == "legal"]
    return str((legal or names or [{"fullName": ""}])[0]["fullName"]).strip()


def _key(record_id: str, details: dict[str, Any]) -> str:
    for ident in details.get("identifiers") or []:
        if isinstance(ident, dict) and ident.get("scheme") == "XI-LEI" and ident.get("id"):
            return f"lei:{str(ident['id']).strip().upper()}"
    return f"bods:{record_id}"


def _share(value: Any) -> float | None:
    """An exact share; a range (or nothing) is an unknown amount."""
    if not isinstance(value, dict) or value.get("exact") is None:
        return None
    return share(str(value["exact"]))


def read_bods(path: Path, *, source: str) -> Parsed:
    latest: dict[str, tuple[str, str, dict[str, Any]]] = {}  # recordId -> (date, where, stmt)
    problems: list[Issue] = []
    for where, stmt in _statements(path):
        if not isinstance(stmt, dict) or not stmt.get("recordId") or not stmt.get("recordType"):
            problems.append(Issue("bad statement", "not a BODS 0.4 statement (no recordId or "
                                  "recordType)", f"{path.name} {where}"))
            continue
        date = str(stmt.get("statementDate") or "")
        old = latest.get(str(stmt["recordId"]))
        if old is None or date >= old[0]:  # later statements of a record supersede earlier ones
            latest[str(stmt["recordId"])] = (date, where, stmt)
    parties: dict[str, OwnershipNode] = {}
    for rid, (_, _, stmt) in latest.items():
        details = stmt.get("recordDetails") or {}
        if stmt["recordType"] in ("entity", "person"):
            jurisdiction = details.get("jurisdiction") or {}
            country = (str(jurisdiction.get("code") or "")[:2].upper() or None
                       if stmt["recordType"] == "entity" else None)
            parties[rid] = OwnershipNode(_key(rid, details), _name(stmt["recordType"], details)
                                         or rid, country)
    edges: list[Edge] = []
    links: list[Link] = []
    nodes: dict[str, OwnershipNode] = {}
    counts: Counter[str] = Counter()
    for rid, (date, where, stmt) in latest.items():
        if stmt["recordType"] != "relationship":
            continue
        at = f"{path.name} {where}"
        details = stmt.get("recordDetails") or {}
        owned, owner = details.get("subject"), details.get("interestedParty")
        if not isinstance(owner, str):
            counts["unspecified"] += 1  # an interested party not disclosed (with a reason)
            continue
        if owned not in parties or owner not in parties:
            problems.append(Issue("bad statement", f"relationship {rid} names a party with no "
                                  "entity or person statement in the file", at))
            continue
        if parties[owned].key == parties[owner].key:
            problems.append(Issue("bad statement", f"{parties[owner].name!r} is said to own "
                                  "itself", at))
            continue
        closed_on = iso_date(date) if stmt.get("recordStatus") == "closed" else None
        for interest in details.get("interests") or []:
            kind = str(interest.get("type") or "unknownInterest")
            direct = interest.get("directOrIndirect") in (None, "direct", "unknown")
            if kind != COUNTED_INTEREST:
                links.append(Link(parties[owner].key, parties[owned].key, kind, source,
                                  f"{where}, relationship {rid}"))
                continue
            if not direct:
                counts["indirect"] += 1
                continue
            try:
                held = _share(interest.get("share"))
                edge = Edge(parties[owner].key, parties[owned].key, held,
                            start=iso_date(str(interest.get("startDate") or "")),
                            end=iso_date(str(interest.get("endDate") or "")) or closed_on,
                            as_of=iso_date(date), source=source,
                            record=f"{where}, relationship {rid}")
            except ValueProblem as exc:
                problems.append(Issue("bad statement", str(exc), at))
                continue
            if held is None and interest.get("share"):
                counts["range"] += 1
            if edge.start is None:
                counts["undated"] += 1
            edges.append(edge)
            for rec in (owner, owned):
                nodes[parties[rec].key] = parties[rec]
    return Parsed(tuple(nodes.values()), tuple(edges), tuple(links), tuple(problems),
                  _notes(counts, path.name))


def _notes(counts: Counter[str], where: str) -> tuple[Issue, ...]:
    said = {
        "range": "shareholding(s) stated as a range: counted as held, amount unknown",
        "indirect": "indirect shareholding(s) set aside: counted through the direct holdings",
        "unspecified": "relationship(s) with an undisclosed interested party: nothing counted",
        "undated": "holding(s) state no start date: counted as current",
    }
    kinds = {"undated": "unknown dates"}
    return tuple(Issue(kinds.get(k, k), f"{counts[k]} {text}", where)
                 for k, text in said.items() if counts[k])
