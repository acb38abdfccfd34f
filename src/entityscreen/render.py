"""Terminal and JSON output for the CLI. No logic: everything shown comes from the library."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from entityscreen.codec import party_to_dict
from entityscreen.errors import EntityscreenError
from entityscreen.model import Party, Query
from entityscreen.report import (
    data_status,
    hit_to_dict,
    listing_to_result,
    party_to_result,
    query_to_dict,
)
from entityscreen.report import dumps as _dumps
from entityscreen.screener import Screener
from entityscreen.updates import UpdateResult

__all__ = ["render_lists", "render_party", "render_search", "render_update", "search_lines"]

Echo = Callable[[str], None]



def search_result(screener: Screener, query: Query, *,
                  as_of: str | None = None) -> dict[str, Any]:
    hits = screener.search(query)
    results = []
    parties = screener.parties(h.party_id for h in hits)
    for hit in hits:
        party = parties.get(hit.party_id)
        if party is None:
            continue
        static = screener.derived(party, party_to_result)
        results.append(hit_to_dict(hit, party, static))
    status = data_status(screener.freshness())
    from entityscreen.ownership.hook import ownership_for_name

    return {
        "query": query_to_dict(query),
        "results": results,
        # parties restricted by extension (50 % rules); [] without ownership data
        "ownership": ownership_for_name(screener, query.name, on=as_of),
        "data": {"stale": status["stale"],
                 "oldest_days": max((s["age_days"] for s in status["sources"]), default=None)},
    }


def search_lines(screener: Screener, queries: Iterable[Callable[[], Query]], *,
                 as_of: str | None = None) -> Iterator[str]:
    """One JSON line per input line, in order; a bad line answers with an error, not a stop."""
    for make in queries:
        try:
            query = make()
            yield _dumps(search_result(screener, query, as_of=as_of))
        except EntityscreenError as exc:
            yield _dumps({"query": None, "results": [], "error": str(exc)})


def render_search(screener: Screener, query: Query, *, as_json: bool, echo: Echo,
                  as_of: str | None = None) -> None:
    result = search_result(screener, query, as_of=as_of)
    if as_json:
        result["data"] = data_status(screener.freshness())
        echo(_dumps(result))
        return
    console = Console(highlight=False)
    _print_ownership(console, result["ownership"])
    if not result["results"]:
        console.print(f"No listed party resembles {query.name!r}.")
        return
    for r in result["results"]:
        verdict = "[bold red]MATCH[/]" if r["match"] else "[yellow]below threshold[/]"
        console.print(f"[bold]{escape(r['name'])}[/]  score {r['score']:.2f}  {verdict}")
        console.print(f"  id {r['id']} · {r['type']} · matched name: "
                      f"{escape(r['matched_name'])}")
        for lst in r["listings"]:
            head = " · ".join(x for x in (
                f"{lst['authority']} {lst['list']}",
                lst["program"] and f"program {lst['program']}",
                lst["listed_on"] and f"listed {lst['listed_on']}",
                lst["citation"],
            ) if x)
            console.print(f"  • {escape(head)}")
            console.print(Padding(escape(lst["restriction"]), (0, 0, 0, 4)))
        e = r["explanation"]
        why = ", ".join(f"{a['query']}≈{a['listed']} ({a['how']} {a['similarity']:.2f})"
                        for a in e["aligned"])
        console.print(f"  why: {escape(why)}")
        extras = []
        if e["ignored"]:
            extras.append(f"ignored: {' '.join(e['ignored'])}")
        if e["unmatched_query"]:
            extras.append(f"not on the list: {' '.join(e['unmatched_query'])}")
        if e["unmatched_listed"]:
            extras.append(f"listed but not asked: {' '.join(e['unmatched_listed'])}")
        extras += e["folding"]
        extras += [f"{ev['attribute']} {ev['query']} vs {ev['listed']} ({ev['effect']:+.2f})"
                   for ev in e["evidence"]]
        if extras:
            console.print("  " + escape("; ".join(extras)))
        console.print()
    ages = ", ".join(f"{f.source} {f.published or f.fetched_at[:10]}"
                     for f in screener.freshness())
    console.print(f"[dim]data: {ages} · algorithm {screener.algorithm.name} · threshold "
                  f"{screener.settings.threshold}[/]")


def _print_ownership(console: Console, found: list[dict[str, Any]]) -> None:
    """Verdicts of the 50 % rules for the name, when it is in the ownership data."""
    for p in found:
        for v in p["verdicts"]:
            if v["status"] in ("clear", "listed"):
                continue
            console.print(f"[bold red]{escape(p['name'])}: {v['status']}[/] under {v['rule']} "
                          f"({v['aggregate']:g} % held by restricted owners, as of "
                          f"{p['as_of']})")
            for path in v["paths"]:
                console.print(f"  path: {escape(path['text'])}  [{escape(path['listed'])}]")
            if v["restriction"]:
                console.print(Padding(escape("inherits: " + v["restriction"]), (0, 0, 0, 2)))
            for note in v["notes"]:
                console.print(f"  [dim]{escape(note)}[/]")
        if any(v["status"] not in ("clear", "listed") for v in p["verdicts"]):
            console.print()


def render_update(results: list[UpdateResult], echo: Echo) -> bool:
    """Print one line per source; True when any failed."""
    failed = False
    for r in results:
        if r.version is not None:
            v = r.version
            echo(f"{r.source}: version {v.version}, {v.records} records, published "
                 f"{v.published or 'unknown'}, sha256 {v.sha256[:12]}")
        else:
            failed = failed or r.note != "not modified"
            echo(f"{r.source}: {r.note}")
    return failed


def render_lists(screener: Screener, *, as_json: bool, echo: Echo) -> None:
    fresh = {f.source: f for f in screener.freshness()}
    rows: list[dict[str, Any]] = []
    for v in screener.versions:
        f = fresh[v.source]
        rows.append({"source": v.source, "version": v.version, "published": v.published,
                     "fetched_at": v.fetched_at, "records": v.records, "sha256": v.sha256,
                     "origin": v.origin, "age_days": f.age_days, "stale": f.stale})
    if as_json:
        echo(_dumps({"sources": rows, "algorithm": screener.algorithm.name}))
        return
    table = Table(show_header=True)
    for col in ("source", "version", "published", "imported", "records", "age", "origin"):
        table.add_column(col)
    for r in rows:
        age = f"{r['age_days']} d" + (" STALE" if r["stale"] else "")
        table.add_row(r["source"], str(r["version"]), r["published"] or "?",
                      r["fetched_at"][:16], str(r["records"]), age, r["origin"])
    Console(highlight=False).print(table)


def render_party(party: Party, *, as_json: bool, echo: Echo) -> None:
    data = party_to_dict(party)
    data["listings"] = [listing_to_result(lst) for lst in party.listings]
    if as_json:
        echo(_dumps(data))
        return
    console = Console(highlight=False)
    console.print(f"[bold]{party.name}[/]  ({party.type.value}, id {party.id})")
    for n in party.names[1:]:
        console.print(f"  {n.kind.value}: {n.value}" + (f" [{n.script}]" if n.script else ""))
    for lst in data["listings"]:
        console.print(f"• {lst['authority']} {lst['list']} {lst['program'] or ''} "
                      f"listed {lst['listed_on'] or '?'} ({lst['citation'] or 'no citation'})")
        console.print(f"    {lst['restriction']}")
    for a in party.addresses:
        console.print(f"  address: {a.text}")
    for i in party.identifiers:
        console.print(f"  {i.type}: {i.value}" + (f" ({i.country})" if i.country else ""))
    if party.birth_dates:
        console.print(f"  born: {', '.join(party.birth_dates)}")
    if party.remarks:
        console.print(f"  remarks: {party.remarks}")
