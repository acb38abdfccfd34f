"""FollowTheMoney entities (OpenSanctions JSON lines): ``Ownership`` entities as holdings.

``Ownership``: ``owner`` holds ``percentage`` of ``asset`` from ``startDate`` to ``endDate``; an
Ownership with no percentage (only a share count, or a role such as "subsidiary of") is a holding
of unknown amount. ``Directorship``, ``UnknownLink``, ``Associate``, ``Family``, ``Membership``,
``Employment`` and ``Representation`` are ties without a share: links, never counted. Parties are
the file's ``Company``, ``Organization``, ``LegalEntity``, ``PublicBody`` and ``Person``
entities, by id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from entityscreen.errors import InputError
from entityscreen.ownership.model import Edge, Issue, Link, OwnershipNode, Parsed
from entityscreen.ownership.values import ValueProblem, iso_date, share

__all__ = ["read_ftm"]

PARTIES = {"Company", "Organization", "LegalEntity", "PublicBody", "Person"}
# schema -> (property of one side, property of the other, relation shown)
LINKS = {
    "Directorship": ("director", "organization", "director of"),
    "UnknownLink": ("subject", "object", "linked to"),
    "Associate": ("person", "associate", "associate of"),
    "Family": ("person", "relative", "family of"),
    "Membership": ("member", "organization", "member of"),
    "Employment": ("employee", "employer", "employed by"),
    "Representation": ("agent", "client", "represents"),
}


def _first(props: dict[str, Any], name: str) -> str:
    values = props.get(name) or []
    return str(values[0]).strip() if values else ""


def read_ftm(path: Path, *, source: str) -> Parsed:
    names: dict[str, tuple[str, str | None]] = {}
    raw_edges: list[tuple[int, dict[str, Any], str]] = []
    links: list[Link] = []
    problems: list[Issue] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        try:
            lines = list(enumerate(handle, 1))
        except UnicodeDecodeError as exc:
            raise InputError(f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start})",
                             fix="FollowTheMoney files are UTF-8 JSON lines") from None
    for line, text in lines:
        if not text.strip():
            continue
        try:
            ent = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Issue("bad line", f"not JSON ({exc.msg})",
                                  f"{path.name} line {line}"))
            continue
        if not isinstance(ent, dict) or "schema" not in ent:
            problems.append(Issue("bad line", "not a FollowTheMoney entity (no schema)",
                                  f"{path.name} line {line}"))
            continue
        props = ent.get("properties") or {}
        schema = ent["schema"]
        if schema in PARTIES:
            name = _first(props, "name") or str(ent.get("caption") or ent.get("id"))
            names[str(ent["id"])] = (name, _first(props, "country").upper()[:2] or None)
        elif schema == "Ownership":
            raw_edges.append((line, props, str(ent.get("id", ""))))
        elif schema in LINKS:
            a, b, relation = LINKS[schema]
            if _first(props, a) and _first(props, b):
                links.append(Link(f"ftm:{_first(props, a)}", f"ftm:{_first(props, b)}",
                                  relation, source, f"line {line}"))
    nodes: dict[str, OwnershipNode] = {}
    edges: list[Edge] = []
    undated = 0
    for line, props, _eid in raw_edges:
        where = f"{path.name} line {line}"
        owner, asset = _first(props, "owner"), _first(props, "asset")
        if not owner or not asset:
            problems.append(Issue("bad record", "Ownership without owner or asset", where))
            continue
        if owner == asset:
            problems.append(Issue("bad record", f"{owner} is said to own itself", where))
            continue
        try:
            edge = Edge(f"ftm:{owner}", f"ftm:{asset}", share(_first(props, "percentage")),
                        start=iso_date(_first(props, "startDate")),
                        end=iso_date(_first(props, "endDate")),
                        as_of=iso_date(_first(props, "date")), source=source,
                        record=f"line {line}")
        except ValueProblem as exc:
            problems.append(Issue("bad record", str(exc), where))
            continue
        if edge.start is None and edge.as_of is None:
            undated += 1
        edges.append(edge)
        for ident in (owner, asset):
            if f"ftm:{ident}" not in nodes:
                name, country = names.get(ident, (ident, None))
                nodes[f"ftm:{ident}"] = OwnershipNode(f"ftm:{ident}", name, country)
    notes = []
    if undated:
        notes.append(Issue("unknown dates", f"{undated} holding(s) state no start date: "
                           "counted as current", path.name))
    missing = sum(1 for n in nodes.values() if n.name == n.key[4:])
    if missing:
        notes.append(Issue("no names", f"{missing} part(y/ies) named only by id (not in the "
                           "file)", path.name))
    problems.sort(key=lambda i: int(i.where.rsplit(" ", 1)[-1]))  # in file order
    return Parsed(tuple(nodes.values()), tuple(edges), tuple(links), tuple(problems),
                  tuple(notes))
