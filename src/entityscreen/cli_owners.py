"""The ownership commands: ``owners NAME`` and ``ownership import / check / sources / remove``.

Registered lazily on the main group in :mod:`entityscreen.cli`. Each opens the screener and the
ownership store, calls one library function and prints (``--json`` for machines).
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from entityscreen.errors import UsageError
from entityscreen.ownership.model import Status
from entityscreen.ownership.report import party_to_dict, share_text
from entityscreen.ownership.service import ImportReport, Ownership, PartyVerdicts
from entityscreen.report import dumps as _dumps
from entityscreen.screener import Screener

__all__ = ["owners_cmd", "ownership_group"]

# Issues printed after an import before "... and N more".
ISSUES_SHOWN = 20
FORMATS = ("table", "ftm", "gleif", "bods")
_STYLE = {Status.LISTED: "bold red", Status.EXTENDED: "bold red", Status.UNKNOWN: "yellow",
          Status.CLEAR: "green", Status.NOT_IN_FORCE: "dim"}



def _as_of(value: str | None) -> str:
    if value is None:
        from entityscreen.ownership.service import today

        return today()
    return check_as_of(value)


def check_as_of(value: str) -> str:
    """An --as-of value as YYYY-MM-DD, or a UsageError saying how to write it."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"--as-of {value!r} is not a date", fix="write YYYY-MM-DD") from None


def _open(ctx: click.Context, **overrides: Any) -> Any:
    from entityscreen.cli import _open as open_screener
    from entityscreen.cli import _settings

    return open_screener(_settings(ctx, **overrides))


def _imported(screener: Screener) -> Ownership:
    """The imported ownership data, or a UsageError saying how to import some."""
    if not Ownership.exists(screener):
        raise UsageError("no ownership data imported",
                         fix="run `entityscreen ownership import FILE` first")
    return Ownership.open(screener)


as_of_option = click.option("--as-of", "as_of", metavar="DATE",
                            help="Evaluate the rules and holdings as of this date [today].")


@click.command("owners")
@click.argument("name")
@as_of_option
@click.option("--depth", type=click.IntRange(0, 20), default=2, show_default=True,
              help="Levels of owned parties shown below NAME.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per party found.")
@click.pass_context
def owners_cmd(ctx: click.Context, name: str, as_of: str | None, depth: int,
               as_json: bool) -> None:
    """Show NAME's ownership tree, up and down, with the verdict of each rule (OFAC 50 %
    rule, BIS Affiliates rule). NAME is a name in the imported ownership data, or its key."""
    on = _as_of(as_of)
    with _open(ctx) as screener, _imported(screener) as own:
        found = own.find(name)
        if not found:
            raise UsageError(f"{name!r} is not in the imported ownership data",
                             fix="names are compared normalised; "
                             "`entityscreen ownership sources` shows what was imported")
        for node in found:
            pv = own.verdicts(node.key, on=on, below=depth)
            if as_json:
                click.echo(_dumps(party_to_dict(pv)))
            else:
                _print_tree(pv)


def _print_tree(pv: PartyVerdicts) -> None:
    console = Console(highlight=False)
    node = pv.nodes.get(pv.key)
    console.print(f"[bold]{escape(pv.name(pv.key))}[/]  ({pv.key}) as of {pv.on}")
    if node and node.party_id:
        console.print(f"  listed: {node.party_id} (matched {escape(node.matched_name or '')}, "
                      f"score {node.score:.2f})")
    for v in pv.verdicts.values():
        console.print(f"  [{_STYLE[v.status]}]{v.rule}: {v.status.value}[/]"
                      + (f" — {v.aggregate:g} % held by restricted owners"
                         if v.status is not Status.LISTED else f" — {escape(v.reason or '')}"))
        for p in v.paths:
            steps = "".join(f" —{share_text(s.share)}→ {escape(pv.name(s.owned))}"
                            for s in p.steps)
            console.print(f"      path: {escape(pv.name(p.seed))} [{escape(p.reason)}]{steps}")
        if v.restriction and v.status is not Status.LISTED:
            console.print(f"      inherits: {escape(v.restriction)}")
        for n in v.notes:
            console.print(f"      [dim]{escape(n)}[/]")
    up = _edges_up(pv)
    if up:
        console.print("  owned by:")
        for e, level in up:
            owner = pv.nodes.get(e.owner)
            listed = escape(f" [listed: {owner.party_id}, matched {owner.matched_name or ''}"
                            f" {owner.score:.2f}]") if owner and owner.party_id else ""
            console.print(f"  {'  ' * level}↑ {escape(pv.name(e.owner))} "
                          f"{share_text(e.share)}{listed} ({e.basis.value}; {e.source} "
                          f"{e.record})")
    if pv.below:
        console.print("  owns:")
        for e in pv.below:
            console.print(f"    ↓ {escape(pv.name(e.owned))} {share_text(e.share)} "
                          f"({e.basis.value}; {e.source} {e.record})")
    for lk in pv.links:
        console.print(f"  [dim]context, not ownership: {escape(lk.a)} {lk.relation} "
                      f"{escape(lk.b)} ({lk.source})[/]")
    for i in pv.issues:
        console.print(f"  [yellow]data issue ({i.kind}):[/] {escape(i.message)}")
    console.print()


def _edges_up(pv: PartyVerdicts) -> list[tuple[Any, int]]:
    """The owners above the party, nearest first, each holding once (cycles stop)."""
    into: dict[str, list[Any]] = {}
    for e in pv.above:
        into.setdefault(e.owned, []).append(e)
    out: list[tuple[Any, int]] = []
    seen: set[tuple[str, str]] = set()

    def walk(key: str, level: int) -> None:
        for e in sorted(into.get(key, ()), key=lambda e: (-(e.share or 0), e.owner)):
            if (e.owner, e.owned) in seen:
                continue
            seen.add((e.owner, e.owned))
            out.append((e, level))
            walk(e.owner, level + 1)

    walk(pv.key, 1)
    return out


@click.group("ownership")
def ownership_group() -> None:
    """Import ownership data and evaluate the 50 % rules over all of it."""


@ownership_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True,
              help="table: CSV/TSV/XLSX with documented columns; ftm: FollowTheMoney JSON "
              "lines (Ownership entities); gleif: GLEIF Level-2 relationship records (XML/CSV); "
              "bods: Beneficial Ownership Data Standard 0.4 statements (JSON).")
@click.option("--name", help="Name of this source; importing it again replaces it "
              "[the file name].")
@click.option("--names", "names_file", type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
              help="gleif: the LEI-CDF (Level 1) file giving the parties' names.")
@click.option("--threshold", type=click.FloatRange(0, 1),
              help="Score at or above which a party is taken to be the listed party it "
              "matches [the search threshold, 0.82].")
@click.option("--skip-bad", is_flag=True,
              help="Import the readable rows and list the refused ones (default: refuse "
              "the file).")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, fmt: str, name: str | None,
               names_file: Path | None, threshold: float | None, skip_bad: bool) -> None:
    """Import ownership holdings from FILE, matching every party to the listed parties."""
    from entityscreen.ownership.importers import read

    source = name or file.name
    parsed = read(file, fmt, source=source, names=names_file)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    with _open(ctx, threshold=threshold) as screener, Ownership.open(screener) as own:
        report = own.import_parsed(parsed, name=source, kind=fmt, origin=str(file),
                                   sha256=sha, skip_bad=skip_bad)
    _print_import(report)


def _print_import(r: ImportReport) -> None:
    click.echo(f"{r.name}: {r.edges} holdings, {r.links} links, {r.nodes} parties "
               f"({len(r.matched)} matched to listed parties, {r.unmatched} match none)")
    for n in r.matched:
        click.echo(f"  listed: {n.name} = {n.party_id} ({n.matched_name}, score {n.score:.2f})")
    if r.unmatched:
        more = r.unmatched - len(r.unmatched_names)
        click.echo("  no listed party matches: " + "; ".join(r.unmatched_names)
                   + (f"; ... and {more} more" if more > 0 else ""))
    for i in r.skipped:
        click.echo(f"  refused: {i.where}: {i.message}", err=True)
    for i in r.issues[:ISSUES_SHOWN]:
        click.echo(f"  {i.kind}: {i.message}" + (f" ({i.where})" if i.where else ""), err=True)
    if len(r.issues) > ISSUES_SHOWN:
        click.echo(f"  ... and {len(r.issues) - ISSUES_SHOWN} more issues", err=True)


@ownership_group.command("check")
@as_of_option
@click.option("--json", "as_json", is_flag=True,
              help="One JSON line per party restricted by extension or unknown, per rule.")
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True,
              help="Parties listed per rule on a terminal.")
@click.pass_context
def check_cmd(ctx: click.Context, as_of: str | None, as_json: bool, limit: int) -> None:
    """Evaluate both rules over all imported holdings: who is restricted by extension."""
    on = _as_of(as_of)
    with _open(ctx) as screener, _imported(screener) as own:
        r = own.check(on)
    if as_json:
        for rc in r.rules:
            for key, held in rc.extended:
                click.echo(_dumps({"rule": rc.rule, "key": key, "name": r.names.get(key, key),
                                   "status": (Status.EXTENDED if rc.in_force
                                              else Status.NOT_IN_FORCE).value,
                                   "aggregate": held, "as_of": on}))
            for key in rc.unknown:
                click.echo(_dumps({"rule": rc.rule, "key": key, "name": r.names.get(key, key),
                                   "status": Status.UNKNOWN.value, "as_of": on}))
        return
    aside = ", ".join(f"{v} {k}" for k, v in r.removed.items() if v) or "none"
    click.echo(f"as of {on}: {r.parties} parties, {r.holdings} holdings counted; set aside: "
               + aside
               + f"; {r.over_100} parties with owners over 100 %; {r.on_cycles} parties on "
               "ownership cycles")
    for rc in r.rules:
        state = "in force" if rc.in_force else "NOT in force (shown as it would apply)"
        click.echo(f"{rc.rule} ({state}): {rc.listed} listed, {len(rc.extended)} restricted "
                   f"by extension, {len(rc.unknown)} ownership unknown ({rc.rounds} rounds)")
        for key, held in rc.extended[:limit]:
            click.echo(f"  {r.names.get(key, key)}  {held:g} %  ({key})")
        if len(rc.extended) > limit:
            click.echo(f"  ... and {len(rc.extended) - limit} more (--json lists all)")
        for key in rc.unknown[:limit]:
            click.echo(f"  ? {r.names.get(key, key)}  ownership unknown — due diligence "
                       f"required ({key})")


@ownership_group.command("sources")
@click.pass_context
def sources_cmd(ctx: click.Context) -> None:
    """List the imported ownership sources."""
    from entityscreen.cli import _settings
    from entityscreen.ownership.store import FILENAME, OwnershipStore

    path = _settings(ctx).home / FILENAME
    with OwnershipStore.open(path, create=False) as store:
        for s in store.sources():
            click.echo(f"{s.name}: {s.kind}, {s.edges} holdings, {s.links} links, imported "
                       f"{s.imported_at} from {s.origin}")


@ownership_group.command("remove")
@click.argument("name")
@click.pass_context
def remove_cmd(ctx: click.Context, name: str) -> None:
    """Remove one imported ownership source."""
    from entityscreen.cli import _settings
    from entityscreen.ownership.store import FILENAME, OwnershipStore

    path = _settings(ctx).home / FILENAME
    with OwnershipStore.open(path, create=False) as store:
        if not store.remove_source(name):
            raise UsageError(f"no ownership source {name!r}",
                             fix="`entityscreen ownership sources` lists them")
    click.echo(f"removed {name}")
