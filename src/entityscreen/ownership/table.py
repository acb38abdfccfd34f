"""A user's ownership table (CSV, TSV, XLSX): one holding per row.

Columns (header names, case-insensitive; ``owner`` and ``owned`` required):

========================  ==================================================================
owner, owned              the two parties' names
share                     percent held, 0-100 ("50", "50 %"); empty or "unknown" = unknown
basis                     ownership (default), control, consolidation, branch
as_of                     date the holding was stated
start, end                dates the holding began and ended (empty = not stated)
owner_id, owned_id        an identifier: an LEI joins GLEIF data, others join this table
owner_country,            ISO country codes, a hint when matching to listed parties
owned_country
========================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from entityscreen.bulk.readers import open_table
from entityscreen.errors import InputError
from entityscreen.ownership.model import Basis, Edge, Issue, OwnershipNode, Parsed
from entityscreen.ownership.values import ValueProblem, iso_date, node_key, share

__all__ = ["COLUMNS", "read_table"]

COLUMNS = ("owner", "owned", "share", "basis", "as_of", "start", "end", "owner_id", "owned_id",
           "owner_country", "owned_country")
ALIASES = {
    "owner_name": "owner", "parent": "owner", "shareholder": "owner",
    "owned_name": "owned", "subsidiary": "owned", "child": "owned", "company": "owned",
    "percent": "share", "percentage": "share", "share_percent": "share", "ownership": "share",
    "start_date": "start", "end_date": "end", "asof": "as_of", "date": "as_of",
}
_BASES = {b.value: b for b in Basis} | {"shares": Basis.OWNERSHIP, "equity": Basis.OWNERSHIP}


def _header(name: str) -> str:
    h = name.strip().casefold().replace(" ", "_").replace("-", "_")
    return ALIASES.get(h, h)


def read_table(path: Path, *, source: str) -> Parsed:
    table = open_table(path)
    try:
        headers = [_header(h) for h in table.headers]
        unknown = [table.headers[i] for i, h in enumerate(headers) if h not in COLUMNS]
        if unknown:
            raise InputError(f"{table.label}: unknown column(s) {', '.join(map(repr, unknown))}",
                             fix=f"rename or remove them; known columns: {', '.join(COLUMNS)}")
        missing = [c for c in ("owner", "owned") if c not in headers]
        if missing:
            raise InputError(f"{table.label}: no {' or '.join(missing)} column",
                             fix="the header needs at least owner,owned (and usually share)")
        col = {h: i for i, h in enumerate(headers)}
        nodes: dict[str, OwnershipNode] = {}
        edges: list[Edge] = []
        problems: list[Issue] = []
        undated = 0
        for raw in table.rows(list(col.values())):
            where = f"{table.label} line {raw.line or raw.row + 1}"
            if raw.problem:
                problems.append(Issue("unreadable row", raw.problem, where))
                continue

            fields = raw.fields

            def get(name: str, fields: Sequence[str] = fields) -> str:
                i = col.get(name)
                return str(fields[i]).strip() if i is not None and i < len(fields) else ""

            try:
                owner_name, owned_name = get("owner"), get("owned")
                if not owner_name or not owned_name:
                    raise ValueProblem("owner and owned must both be named")
                owner = node_key(owner_name, get("owner_id"))
                owned = node_key(owned_name, get("owned_id"))
                if owner == owned:
                    raise ValueProblem(f"{owner_name!r} is said to own itself")
                basis_text = get("basis").casefold() or "ownership"
                if basis_text not in _BASES:
                    raise ValueProblem(f"basis {get('basis')!r} is not one of "
                                       f"{', '.join(b.value for b in Basis)}")
                edge = Edge(owner, owned, share(get("share")), _BASES[basis_text],
                            iso_date(get("start")), iso_date(get("end")),
                            iso_date(get("as_of")), source, f"line {raw.line or raw.row + 1}")
            except ValueProblem as exc:
                problems.append(Issue("bad row", str(exc), where))
                continue
            if edge.start is None and edge.as_of is None:
                undated += 1
            edges.append(edge)
            for key, name, side in ((owner, owner_name, "owner"), (owned, owned_name, "owned")):
                if key not in nodes:
                    nodes[key] = OwnershipNode(key, name, get(f"{side}_country") or None)
        notes = []
        if undated:
            notes.append(Issue("unknown dates", f"{undated} holding(s) state neither a start "
                               "nor an as-of date: counted as current", table.label))
        return Parsed(tuple(nodes.values()), tuple(edges), (), tuple(problems), tuple(notes))
    finally:
        table.close()
