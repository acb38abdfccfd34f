"""``diff`` and ``rescreen`` records as flat tables, for CSV, XLSX and Parquet output.

The JSON lines output keeps each record whole (the ``--json`` form); these layouts say which
columns the flat formats get and how a record fills them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from entityscreen.bulk.records import Layout
from entityscreen.bulk.writers import why

__all__ = ["DIFF_LAYOUT", "RESCREEN_LAYOUT"]


def _joined(items: Sequence[Any]) -> str:
    return "; ".join(dict.fromkeys(str(x) for x in items if x))


def _diff_row(r: Mapping[str, Any]) -> list[Any]:
    what = [f"{f['field']}: − {v}" for f in r["fields"] for v in f["removed"]]
    what += [f"{f['field']}: + {v}" for f in r["fields"] for v in f["added"]]
    return [r["source"], r["from"], r["to"], r["change"], r["id"], r["name"],
            r.get("merge_key"), _joined([f["field"] for f in r["fields"]]), "; ".join(what)]


DIFF_LAYOUT = Layout(
    columns=("source", "from", "to", "change", "id", "name", "merge_key", "fields",
             "what_changed"),
    flat=_diff_row,
    integers=frozenset({"from", "to"}),
)


def _rescreen_row(r: Mapping[str, Any]) -> list[Any]:
    result = r.get("result")
    listings = result["listings"] if result else []
    return [r["change"], r["key"], r["name"], r["party_id"], r["party_name"], r["score"],
            r["previous_score"], r["reason"], _joined(r["fields"]),
            _joined([f"{x['authority']} {x['list']}" for x in listings]),
            _joined([x["program"] for x in listings]),
            _joined([x["restriction"] for x in listings]),
            why(result) if result else ""]


RESCREEN_LAYOUT = Layout(
    columns=("change", "key", "name", "party_id", "party_name", "score", "previous_score",
             "reason", "fields", "lists", "programs", "restriction", "why"),
    flat=_rescreen_row,
    floats=frozenset({"score", "previous_score"}),
)
