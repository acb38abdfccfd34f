"""The HTML summary of a bulk run: counts, hits by list, top hits with their explanations.

One self-contained page (inline CSS, no script, nothing fetched). Every value from the input
file or the lists is escaped: customer files and list entries are untrusted text.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from entityscreen.bulk.summary import Summary
from entityscreen.bulk.writers import partial_path

__all__ = ["render_html", "write_html"]

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.n{text-align:right;font-variant-numeric:tabular-nums}
.match{color:#a00;font-weight:bold} .review{color:#a60;font-weight:bold}
.hit{border:1px solid #ddd;border-radius:4px;padding:.6em 1em;margin:0 0 1em}
.why{color:#555} small{color:#666}
.stale{background:#fff3cd;border:1px solid #e0b400;padding:.5em 1em}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _table(head: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = ["<table><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr>"]
    for r in rows:
        cells = "".join(f'<td class="n">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>"
                        for i, v in enumerate(r))
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def _hit(entry: dict[str, Any]) -> str:
    h = entry["hit"]
    e = h["explanation"]
    listings = "".join(
        f"<li>{_e(x['authority'])} {_e(x['list'])}"
        + (f", program {_e(x['program'])}" if x["program"] else "")
        + (f", listed {_e(x['listed_on'])}" if x["listed_on"] else "")
        + f"<br><small>{_e(x['restriction'])}</small></li>"
        for x in h["listings"])
    aligned = _table(["query token", "listed token", "how", "similarity", "weight"],
                     [[a["query"], a["listed"], a["how"], f"{a['similarity']:.2f}",
                       f"{a['weight']:.2f}"] for a in e["aligned"]], {3, 4})
    notes = []
    if e["unmatched_query"]:
        notes.append("not on the list: " + " ".join(e["unmatched_query"]))
    if e["unmatched_listed"]:
        notes.append("listed but not asked: " + " ".join(e["unmatched_listed"]))
    if e["ignored"]:
        notes.append("ignored: " + " ".join(e["ignored"]))
    notes += e["folding"]
    notes += [f"{ev['attribute']} {ev['query']} vs {ev['listed']} ({ev['effect']:+.2f})"
              for ev in e["evidence"]]
    decision = entry["decision"]
    return (
        f'<div class="hit"><p><span class="{_e(decision)}">{_e(decision.upper())}</span> '
        f"score {h['score']:.2f} &middot; row {_e(entry['row'])} &middot; key "
        f"{_e(entry['key'])}</p>"
        f"<p><b>{_e(entry['name'])}</b> &rarr; <b>{_e(h['name'])}</b> "
        f"<small>({_e(h['id'])}, {_e(h['type'])}; matched name "
        f"{_e(h['matched_name'])})</small></p>"
        f"<ul>{listings}</ul>{aligned}"
        + (f'<p class="why">{_e("; ".join(notes))}</p>' if notes else "")
        + "</div>"
    )


def render_html(summary: Summary, *, generated: datetime | None = None) -> str:
    s = summary
    when = (generated or datetime.now(UTC)).isoformat(timespec="seconds")
    counts = _table(["rows", "screened", "match", "review", "clear", "rejected"],
                    [[s.rows, s.screened, s.matches, s.reviews, s.clears, s.rejects]],
                    set(range(6)))
    by_list = sorted(s.by_list.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    lists = _table(["list", "rows matching", "rows to review"],
                   [[name, m, r] for name, (m, r) in by_list], {1, 2}) if by_list else \
        "<p>No row resembles a listed party.</p>"
    sources = s.data.get("sources", [])
    versions = ", ".join(
        f"{d['source']} v{d['version']} (published {d['published'] or '?'}, {d['age_days']} "
        f"days old{', STALE' if d['stale'] else ''})" for d in sources) or \
        ", ".join(f"{src} v{v}" for src, v in s.list_versions.items())
    stale = [d["source"] for d in sources if d["stale"]]
    warning = (f'<p class="stale">Screened against stale data: {_e(", ".join(stale))}. Run '
               "<code>entityscreen update</code> and screen again.</p>") if stale else ""
    top = "".join(_hit(t) for t in s.top) or "<p>None.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>entityscreen: {_e(Path(s.source).name)}</title><style>{_CSS}</style></head><body>
<h1>Screening of {_e(s.source)}</h1>{warning}
<p><small>generated {_e(when)} &middot; algorithm {_e(s.algorithm)} &middot; match at
{_e(s.threshold)}, review from {_e(s.review_threshold)} &middot; lists {_e(versions)}</small></p>
<h2>Counts</h2>{counts}
<p><small>results: {_e(s.output or "stdout")} &middot; rejects: {_e(s.rejects_file or "none")}
</small></p>
<h2>Hits by list</h2>{lists}
<h2>Top hits</h2>{top}
</body></html>
"""


def write_html(summary: Summary, path: Path) -> None:
    """Write the report atomically (a temporary file in the same folder, then a rename)."""
    tmp = partial_path(path, ".tmp")
    try:
        tmp.write_text(render_html(summary), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
