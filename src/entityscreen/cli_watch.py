"""The change-driven commands: ``diff``, ``watch add/list/remove`` and ``rescreen``.

Registered on the main group in :mod:`entityscreen.cli` (``cli.add_command``), whose error
handling turns library errors into one line and an exit code. Each command opens the store or
the screener, calls one library function and prints: a table on a terminal, JSON lines with
``--json``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from entityscreen.bulk.writers import OUTPUT_FORMATS
from entityscreen.changes import SourceDiff
from entityscreen.cli_screen import columns_of, input_options
from entityscreen.errors import UsageError
from entityscreen.report import dumps as _dumps

__all__ = ["COMMANDS", "diff_cmd", "register", "rescreen_cmd", "watch_group"]

# Rows `watch list` prints as a table before it says how many more there are.
LIST_ROWS = 50
# Skipped input rows named on stderr by `watch add` before it only counts them.
SKIPPED_SHOWN = 20



def _console() -> Console:
    return Console(highlight=False)


def _output_options(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """-o FILE and --output-format, as `screen` has them."""
    def add(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--output-format", type=click.Choice(OUTPUT_FORMATS),
            help="Format of -o FILE if not its extension's; without -o, csv or jsonl on "
            "stdout.")(command)
        return click.option(
            "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
            help=f"Write the {what} to a .csv, .jsonl, .xlsx or .parquet file (written "
            "whole or not at all; spreadsheet formulas neutralised).")(command)
    return add


def _write(records: Iterable[Mapping[str, Any]], output: Path | None,
           output_format: str | None, layout: Any) -> int:
    from entityscreen.bulk.records import write_records

    return write_records(records, output, layout, output_format=output_format,
                         stream=sys.stdout.buffer)


# -- diff ----------------------------------------------------------------------------------

def _what(diff_fields: list[dict[str, Any]]) -> str:
    lines = []
    for f in diff_fields:
        lines += [f"{f['field']}: − {v}" for v in f["removed"]]
        lines += [f"{f['field']}: + {v}" for v in f["added"]]
    return "\n".join(lines)


def _print_diff(d: SourceDiff) -> None:
    console = _console()
    console.print(f"[bold]{d.source}[/]: version {d.old_version} → {d.new_version}: "
                  f"{d.count('added')} added, {d.count('removed')} removed, "
                  f"{d.count('changed')} changed")
    if not d.changes:
        return
    table = Table(show_header=True, show_lines=False)
    for col in ("change", "id", "name", "what changed"):
        table.add_column(col, overflow="fold")
    for c in d.changes:
        table.add_row(c.change, escape(c.id), escape(c.name),
                      escape(_what(c.to_dict()["fields"])))
    console.print(table)


@click.command("diff")
@click.argument("source", required=False)
@click.option("--from", "old", type=int, help="Version to compare from [the one before --to].")
@click.option("--to", "new", type=int, help="Version to compare to [the active one].")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per added, removed or changed party.")
@_output_options("changes")
@click.pass_context
def diff_cmd(ctx: click.Context, source: str | None, old: int | None, new: int | None,
             as_json: bool, output: Path | None, output_format: str | None) -> None:
    """List the parties added, removed and changed between two stored versions of SOURCE
    (by default the previous and the active version; `entityscreen lists` shows the
    versions). Without SOURCE: every loaded source that has an earlier version stored."""
    from entityscreen.changes import diff_source
    from entityscreen.cli import _progress, _settings
    from entityscreen.store import Store

    if source is None and (old is not None or new is not None):
        raise UsageError("--from and --to need a SOURCE",
                         fix="e.g. `entityscreen diff us_csl --from 1 --to 2`")
    with Store.open(_settings(ctx).db_path, create=False) as store:
        if source is not None:
            diffs = [diff_source(store, source, old, new)]
        else:
            stored = store.versions(active_only=False)
            diffs = [
                diff_source(store, v.source) for v in store.versions()
                if any(s.source == v.source and s.version < v.version for s in stored)
            ]
            if not diffs:
                raise UsageError("no loaded source has an earlier version to compare with",
                                 fix="run `entityscreen update` when the lists have changed")
    if output is not None or output_format is not None:
        from entityscreen.change_records import DIFF_LAYOUT

        n = _write(({"source": d.source, "from": d.old_version, "to": d.new_version,
                     **c.to_dict()} for d in diffs for c in d.changes),
                   output, output_format, DIFF_LAYOUT)
        for d in diffs:
            _progress(f"{d.source}: version {d.old_version} → {d.new_version}: "
                      f"{d.count('added')} added, {d.count('removed')} removed, "
                      f"{d.count('changed')} changed")
        if output is not None:
            _progress(f"{n} changes written to {output}")
        return
    for d in diffs:
        if as_json:
            for c in d.changes:
                click.echo(_dumps({"source": d.source, "from": d.old_version,
                                   "to": d.new_version, **c.to_dict()}))
        else:
            _print_diff(d)


# -- watch ---------------------------------------------------------------------------------

@click.group("watch")
def watch_group() -> None:
    """Keep a set of counterparties in the store, re-screened by `entityscreen rescreen`."""


@watch_group.command("add")
@click.argument("file")
@input_options
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the rows that could not be added, with the reason (CSV).")
@click.pass_context
def watch_add(ctx: click.Context, file: str, input_format: str | None,
              name_col: tuple[str, ...], type_col: str | None, country_col: str | None,
              dob_col: str | None, id_col: tuple[str, ...], key_col: str | None,
              no_header: bool, sheet: str | None, rejects: Path | None) -> None:
    """Add the rows of FILE (CSV, TSV, XLSX, Parquet or JSON lines; - for stdin) to the
    watch set. The columns are found as `entityscreen screen` finds them (name, key or
    customer id, type, country, date of birth, identifiers...), or given with --name-col
    etc. A row whose key is already watched replaces it; without a key column, a key is
    made from the row's content. Rows that cannot be used (no name, over-long fields,
    broken encoding, a repeated key) are skipped and named on stderr."""
    from entityscreen.cli import _progress, _settings
    from entityscreen.store import Store
    from entityscreen.watch import add_watch_file

    settings = _settings(ctx)
    columns = columns_of(name_col, type_col, country_col, dob_col, id_col, key_col)
    with Store.open(settings.db_path) as store:
        added, changed, got = add_watch_file(
            store, file, rejects=rejects, columns=columns, input_format=input_format,
            header=not no_header, sheet=sheet, max_name_length=settings.max_name_length)
        total, _done = store.watch.count()
    where = "stdin" if file == "-" else file
    for row, line, reason, _excerpt in got.skipped[:SKIPPED_SHOWN]:
        at = f"line {line}" if line is not None else f"row {row}"
        _progress(f"{where} {at} skipped: {reason}")
    if len(got.skipped) > SKIPPED_SHOWN:
        more = f" (see {rejects})" if rejects else ""
        _progress(f"… and {len(got.skipped) - SKIPPED_SHOWN} more rows skipped{more}")
    unchanged = len(got.rows) - added - changed
    click.echo(f"{added} added, {changed} changed, {unchanged} unchanged, "
               f"{len(got.skipped)} skipped; {total} rows watched — run "
               "`entityscreen rescreen` to screen them")


@watch_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per watched row.")
@click.pass_context
def watch_list_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show the watched rows (a table of the first ones; --json for all)."""
    from entityscreen.cli import _settings
    from entityscreen.store import Store
    from entityscreen.watch import watch_list

    with Store.open(_settings(ctx).db_path, create=False) as store:
        total, done = store.watch.count()
        if as_json:
            for row in watch_list(store):
                click.echo(_dumps(row))
            return
        table = Table(show_header=True)
        for col in ("key", "name", "type", "country", "birth date", "identifiers",
                    "screened"):
            table.add_column(col, overflow="fold")
        for i, row in enumerate(watch_list(store)):
            if i == LIST_ROWS:
                break
            table.add_row(escape(row["key"]), escape(row["name"]), row["type"] or "",
                          row["country"] or "", row["birth_date"] or "",
                          escape("; ".join(row["identifiers"])),
                          "yes" if row["screened"] else "not yet")
    console = _console()
    console.print(table)
    more = f"; the first {LIST_ROWS} shown, --json for all" if total > LIST_ROWS else ""
    console.print(f"{total} rows watched, {done} screened{more}")


@watch_group.command("remove")
@click.argument("keys", nargs=-1)
@click.option("--all", "remove_all", is_flag=True, help="Remove every watched row.")
@click.pass_context
def watch_remove(ctx: click.Context, keys: tuple[str, ...], remove_all: bool) -> None:
    """Stop watching the rows with these KEYS (and forget their matches)."""
    from entityscreen.cli import _settings
    from entityscreen.store import Store

    if bool(keys) == remove_all:
        raise UsageError("give the keys to remove, or --all",
                         fix="keys appear in `entityscreen watch list`")
    with Store.open(_settings(ctx).db_path, create=False) as store:
        removed = store.watch.remove(None if remove_all else keys)
        total, _done = store.watch.count()
    missing = len(set(keys)) - removed if keys else 0
    note = f" ({missing} of the keys were not watched)" if missing else ""
    click.echo(f"{removed} removed{note}; {total} rows watched")


# -- rescreen ------------------------------------------------------------------------------

@click.command("rescreen")
@click.option("--full", is_flag=True,
              help="Screen every watched row against every party, not only the changes.")
@click.option("--threshold", type=click.FloatRange(0, 1),
              help="Score at or above which a hit is a match [0.82].")
@click.option("--algorithm", help="Matching algorithm (see `entityscreen algorithms`).")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per new, cleared or changed match.")
@_output_options("new, cleared and changed matches")
@click.pass_context
def rescreen_cmd(ctx: click.Context, full: bool, threshold: float | None,
                 algorithm: str | None, as_json: bool, output: Path | None,
                 output_format: str | None) -> None:
    """Screen the watch set against what changed in the lists since the last rescreen (run
    it after `entityscreen update`): new matches, cleared matches (the party was removed or
    no longer matches) and changed matches (the party or the score changed). Every row is
    screened in full the first time, and all of them when the algorithm or the threshold
    changed. Exit code 1 when there is a new or changed match, 0 otherwise."""
    from entityscreen.bulk.writers import format_for
    from entityscreen.cli import _open, _progress, _settings, _warn_stale
    from entityscreen.rescreen import finding_to_dict, rescreen

    settings = _settings(ctx, threshold=threshold, algorithm=algorithm)
    to_file = output is not None or output_format is not None
    if to_file:  # a wrong name or format fails before the work, not after
        fmt = format_for(output, output_format)
        if output is None and fmt in ("xlsx", "parquet"):
            raise UsageError(f"{fmt} output needs a file", fix="pass -o FILE")
    with _open(settings) as screener:
        _warn_stale(screener)
        report = rescreen(screener, full=full, progress=_progress)
        rows = [finding_to_dict(f, screener) for f in report.findings]
    s = report.summary()
    line = (f"rescreen ({report.mode}: {report.reason}): {s['new']} new, {s['cleared']} "
            f"cleared, {s['changed']} changed; {report.rescored} rows re-scored against the "
            f"changes, {report.screened} screened in full, {report.rows} watched, "
            f"{report.seconds:.1f} s")
    if to_file:
        from entityscreen.change_records import RESCREEN_LAYOUT

        n = _write(rows, output, output_format, RESCREEN_LAYOUT)
        _progress(line)
        if output is not None:
            _progress(f"{n} findings written to {output}")
    elif as_json:
        for row in rows:
            click.echo(_dumps(row))
        _progress(line)
    else:
        if rows:
            table = Table(show_header=True)
            for col in ("change", "key", "watched name", "party", "score", "was", "why"):
                table.add_column(col, overflow="fold")
            for r in rows:
                why = r["reason"] + (f" [{', '.join(r['fields'])}]" if r["fields"] else "")
                table.add_row(r["change"], escape(r["key"]), escape(r["name"]),
                              escape(f"{r['party_name']} ({r['party_id']})"),
                              _score(r["score"]), _score(r["previous_score"]), escape(why))
            _console().print(table)
        click.echo(line)
    if s["new"] or s["changed"]:
        ctx.exit(1)


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


# Every command of this module, for `cli.add_command`.
COMMANDS: tuple[click.Command, ...] = (diff_cmd, watch_group, rescreen_cmd)


def register(group: click.Group) -> None:
    """Add this module's commands to ``group`` (the main ``entityscreen`` group)."""
    for command in COMMANDS:
        group.add_command(command)

