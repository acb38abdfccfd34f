"""GLEIF Level-2 relationship records (RR-CDF XML, or the golden-copy CSV) as holdings.

Start node = the child, end node = the parent. What each relationship type implies here:

================================  ===========================================================
IS_DIRECTLY_CONSOLIDATED_BY       the parent consolidates the child in its accounts: control
                                  under accounting rules (IFRS 10, US GAAP), which usually but
                                  not always means majority ownership. Kept as a
                                  ``consolidation`` holding: with an ACCOUNTING_CONSOLIDATION
                                  percentage it counts as that share; without one the share is
                                  unknown, so a listed parent gives "ownership unknown — due
                                  diligence required", never "clear".
IS_ULTIMATELY_CONSOLIDATED_BY     derived from the direct chain: kept as context (a link), never
                                  counted, so nothing is counted twice.
IS_INTERNATIONAL_BRANCH_OF        a branch is part of its head office's legal person: counted as
                                  100 % (``branch``).
IS_FUND-MANAGED_BY, IS_SUBFUND_OF, management or fund structure, not ownership: links only.
IS_FEEDER_TO
================================  ===========================================================

A QuantifierAmount is read as the percentage it says it is (its unit is PERCENTAGE); a few
records state 1.00 where 100 % seems meant, and are taken as written (1 %), so a share read
from GLEIF is worth checking before it clears anyone. Inactive relationships are skipped
(and counted in the notes). Names come from a Level-1
(LEI-CDF) file given with ``names``; without it parties are known by LEI only, and are matched
to listed parties that carry the LEI as an identifier.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from defusedxml import ElementTree

from entityscreen.errors import InputError
from entityscreen.ownership.model import Basis, Edge, Issue, Link, OwnershipNode, Parsed
from entityscreen.ownership.values import ValueProblem, iso_date, share

__all__ = ["read_gleif", "read_lei_names"]

_EDGES = {"IS_DIRECTLY_CONSOLIDATED_BY": Basis.CONSOLIDATION,
          "IS_INTERNATIONAL_BRANCH_OF": Basis.BRANCH}
_LINKS = {"IS_ULTIMATELY_CONSOLIDATED_BY": "ultimately consolidated by",
          "IS_FUND-MANAGED_BY": "fund managed by", "IS_SUBFUND_OF": "sub-fund of",
          "IS_FEEDER_TO": "feeder fund to"}


class _Wrapped(io.RawIOBase):
    """A file of concatenated XML records (GLEIF's record fragments) read as one document."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._parts = iter([b"<wrapped>", None, b"</wrapped>"])
        self._stream = stream
        self._buf = b""
        self._current: bytes | None = next(self._parts)

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            if self._current is None:
                chunk = self._stream.read(1 << 16)
                if chunk:
                    self._buf = _strip_decl(chunk)
                    break
                self._current = next(self._parts, b"")
                if self._current == b"":
                    return 0
            else:
                self._buf, self._current = self._current, next(self._parts, b"")
                if self._buf == b"":
                    return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _strip_decl(chunk: bytes) -> bytes:
    # an XML declaration is only allowed at the very start; inside the wrapper drop them
    while True:
        start = chunk.find(b"<?xml")
        if start < 0:
            return chunk
        end = chunk.find(b"?>", start)
        if end < 0:
            return chunk
        chunk = chunk[:start] + chunk[end + 2:]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as raw:
        stream = io.BufferedReader(_Wrapped(raw))
        n = 0
        try:
            for _event, el in ElementTree.iterparse(stream, events=("end",)):
                if _local(el.tag) != "RelationshipRecord":
                    continue
                n += 1
                yield n, _xml_record(el)
                el.clear()
        except ElementTree.ParseError as exc:
            raise InputError(f"{path.name}: not well-formed XML after record {n} ({exc})",
                             fix="is this a GLEIF RR-CDF file, complete and not truncated?"
                             ) from None


def _xml_record(el: Any) -> dict[str, Any]:
    def text(*names: str) -> str:
        node = el
        for name in names:
            node = next((c for c in node if _local(c.tag) == name), None)
            if node is None:
                return ""
        return (node.text or "").strip()

    rel = next((c for c in el if _local(c.tag) == "Relationship"), None)
    periods, quantifiers = [], []
    if rel is not None:
        for c in rel.iter():
            if _local(c.tag) == "RelationshipPeriod":
                periods.append({_local(x.tag): (x.text or "").strip() for x in c})
            elif _local(c.tag) == "RelationshipQuantifier":
                quantifiers.append({_local(x.tag): (x.text or "").strip() for x in c})
    return {
        "child": text("Relationship", "StartNode", "NodeID"),
        "parent": text("Relationship", "EndNode", "NodeID"),
        "type": text("Relationship", "RelationshipType"),
        "status": text("Relationship", "RelationshipStatus"),
        "periods": periods,
        "quantifiers": quantifiers,
        "updated": text("Registration", "LastUpdateDate"),
    }


def _csv_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        need = {"Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID",
                "Relationship.RelationshipType"}
        missing = need - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}",
                             fix="is this the GLEIF golden-copy relationship (RR) CSV?")
        for line, row in enumerate(reader, start=2):
            periods = []
            for i in range(1, 6):
                p = f"Relationship.Period.{i}."
                if row.get(p + "startDate") or row.get(p + "endDate"):
                    periods.append({"StartDate": row.get(p + "startDate") or "",
                                    "EndDate": row.get(p + "endDate") or "",
                                    "PeriodType": row.get(p + "periodType") or ""})
            quantifiers = []
            for i in range(1, 6):
                q = f"Relationship.Quantifiers.{i}."
                if row.get(q + "QuantifierAmount"):
                    quantifiers.append({k: row.get(q + k) or "" for k in (
                        "MeasurementMethod", "QuantifierAmount", "QuantifierUnits")})
            yield line, {
                "child": row["Relationship.StartNode.NodeID"].strip(),
                "parent": row["Relationship.EndNode.NodeID"].strip(),
                "type": row["Relationship.RelationshipType"].strip(),
                "status": (row.get("Relationship.RelationshipStatus") or "").strip(),
                "periods": periods, "quantifiers": quantifiers,
                "updated": row.get("Registration.LastUpdateDate") or "",
            }


def read_lei_names(path: Path) -> dict[str, tuple[str, str | None]]:
    """LEI -> (legal name, legal address country) from a Level-1 LEI-CDF XML file."""
    out: dict[str, tuple[str, str | None]] = {}
    with path.open("rb") as raw:
        stream = io.BufferedReader(_Wrapped(raw))
        try:
            for _event, el in ElementTree.iterparse(stream, events=("end",)):
                if _local(el.tag) != "LEIRecord":
                    continue
                lei = name = country = None
                for c in el.iter():
                    tag = _local(c.tag)
                    if tag == "LEI" and lei is None:
                        lei = (c.text or "").strip()
                    elif tag == "LegalName" and name is None:
                        name = (c.text or "").strip()
                    elif tag == "LegalAddress":
                        country = next(((x.text or "").strip() for x in c
                                        if _local(x.tag) == "Country"), None)
                if lei and name:
                    out[lei.upper()] = (name, country)
                el.clear()
        except ElementTree.ParseError as exc:
            raise InputError(f"{path.name}: not well-formed XML ({exc})",
                             fix="pass a GLEIF LEI-CDF (Level 1) XML file with --names"
                             ) from None
    return out


def read_gleif(path: Path, *, source: str, names: Path | None = None) -> Parsed:
    head = path.open("rb").read(512).lstrip()
    records = _xml_records(path) if head.startswith(b"<") else _csv_records(path)
    known = read_lei_names(names) if names else {}
    nodes: dict[str, OwnershipNode] = {}
    edges: list[Edge] = []
    links: list[Link] = []
    problems: list[Issue] = []
    inactive = other = 0
    for n, rec in records:
        where = f"{path.name} record {n}"
        kind, child, parent = rec["type"], rec["child"].upper(), rec["parent"].upper()
        if not child or not parent:
            problems.append(Issue("bad record", "start or end node has no LEI", where))
            continue
        if rec["status"] and rec["status"] != "ACTIVE":
            inactive += 1
            continue
        if kind in _LINKS:
            links.append(Link(f"lei:{child}", f"lei:{parent}", _LINKS[kind], source,
                              f"record {n}"))
            continue
        if kind not in _EDGES:
            other += 1
            continue
        period = next((p for p in rec["periods"] if p.get("PeriodType") ==
                       "RELATIONSHIP_PERIOD"), None)
        amount = next((q for q in rec["quantifiers"] if q.get("QuantifierUnits") ==
                       "PERCENTAGE" and q.get("MeasurementMethod") ==
                       "ACCOUNTING_CONSOLIDATION"), None)
        try:
            held = share(amount["QuantifierAmount"]) if amount else None
            edge = Edge(f"lei:{parent}", f"lei:{child}", held, _EDGES[kind],
                        iso_date(period.get("StartDate", "")) if period else None,
                        iso_date(period.get("EndDate", "")) if period else None,
                        iso_date(rec["updated"]), source, f"record {n}")
        except ValueProblem as exc:
            problems.append(Issue("bad record", str(exc), where))
            continue
        if parent == child:
            problems.append(Issue("bad record", f"{child} is said to own itself", where))
            continue
        edges.append(edge)
        for lei in (parent, child):
            key = f"lei:{lei}"
            if key not in nodes:
                name, country = known.get(lei, (lei, None))
                nodes[key] = OwnershipNode(key, name, country)
    notes = []
    if inactive:
        notes.append(Issue("inactive", f"{inactive} inactive relationship(s) skipped",
                           path.name))
    if other:
        notes.append(Issue("other type", f"{other} relationship(s) of other types skipped",
                           path.name))
    if nodes and not known:
        notes.append(Issue("no names", "parties are known by LEI only; pass the Level-1 file "
                           "with --names to match them by name too", path.name))
    return Parsed(tuple(nodes.values()), tuple(edges), tuple(links), tuple(problems),
                  tuple(notes))
