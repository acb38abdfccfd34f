"""The command line: each command parses its options, calls the library, prints.

Exit codes: 0 success (``search``: ran, whatever it found); 1 matches found (``screen``, reserved);
2 usage or input error; 3 an official list file is malformed; 4 database problem; 5 download
failed; 6 the audit ledger fails verification; 70 internal error (a bug: please report it);
130 interrupted. Errors print one line on stderr: what went wrong and how to fix it.
"""

from __future__ import annotations

import importlib
import io
import os
import sys
from pathlib import Path
from typing import Any, ClassVar

import click

from entityscreen.errors import EntityscreenError, UsageError
from entityscreen.query import TYPES, make_query
from entityscreen.screener import Screener
from entityscreen.settings import Settings

__all__ = ["main"]



def _err(message: str) -> None:
    click.echo(message, err=True)


def _progress(message: str) -> None:
    _err(f"entityscreen: {message}")


class _Group(click.Group):
    """Translates the library's errors into one line and an exit code, once, here.

    Commands with heavy imports of their own live in their own modules and are loaded when
    asked for, so `search` starts fast and no module imports the CLI while it is loading.
    """

    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "screen": ("entityscreen.cli_screen", "screen"),
        "diff": ("entityscreen.cli_watch", "diff_cmd"),
        "watch": ("entityscreen.cli_watch", "watch_group"),
        "rescreen": ("entityscreen.cli_watch", "rescreen_cmd"),
        "owners": ("entityscreen.cli_owners", "owners_cmd"),
        "ownership": ("entityscreen.cli_owners", "ownership_group"),
        "serve": ("entityscreen.cli_serve", "serve"),
        "keys": ("entityscreen.cli_serve", "keys_group"),
        "audit": ("entityscreen.cli_serve", "audit_group"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attr = self.lazy[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EntityscreenError as exc:
            _err(f"Error: {exc}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _err("Interrupted.")
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()  # reader went away (| head): not an error
            ctx.exit(0)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # a bug: one line, not a traceback, unless asked for
            if os.environ.get("ENTITYSCREEN_DEBUG"):
                raise
            _err(f"Internal error: {type(exc).__name__}: {exc} — please report it; "
                 "ENTITYSCREEN_DEBUG=1 shows the traceback")
            ctx.exit(70)


@click.group(cls=_Group)
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the database and caches [env ENTITYSCREEN_HOME; default: the "
              "user data folder].")
@click.version_option(package_name="entityscreen")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """entityscreen: screen names against official sanctions and export-control lists."""
    ctx.obj = {"home": home}


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    try:
        return Settings.from_env(home=ctx.obj["home"], **overrides)
    except ValueError as exc:
        raise UsageError(f"bad ENTITYSCREEN_* environment value: {exc}") from None


def _open(settings: Settings) -> Screener:

    return Screener.open(settings, progress=_progress)


@cli.command()
@click.argument("name")
@click.option("--type", "type_", type=click.Choice(TYPES), help="Party type, if known.")
@click.option("--country", help="ISO country code hint (raises/lowers scores, never filters).")
@click.option("--birth-date", help="Birth date (YYYY, YYYY-MM or YYYY-MM-DD) for persons.")
@click.option("--id", "identifiers", multiple=True,
              help="An identifier (ISIN, IMO, registration or passport number); a party "
              "carrying it is a match. Repeatable.")
@click.option("--limit", type=click.IntRange(1, 100), help="Most results per query [5].")
@click.option("--threshold", type=click.FloatRange(0, 1),
              help="Score at or above which a hit is a match [0.82].")
@click.option("--algorithm", help="Matching algorithm (see `entityscreen algorithms`).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query (see README).")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Date of the ownership rules' verdicts (YYYY-MM-DD) [today].")
@click.option("--workers", type=click.IntRange(1, 256),
              help="Processes answering a stream of queries (NAME \"-\") [one per core; 1 "
              "when typing at a terminal].")
@click.pass_context
def search(ctx: click.Context, name: str, type_: str | None, country: str | None,
           birth_date: str | None, identifiers: tuple[str, ...], limit: int | None,
           threshold: float | None, algorithm: str | None, as_json: bool, as_of: str | None,
           workers: int | None) -> None:
    """Screen NAME against the loaded lists; NAME "-" reads queries from stdin, one per line
    (a name, or a JSON object with name/type/country/birth_date), answering one line each."""
    from entityscreen.render import render_search

    if as_of is not None:
        from entityscreen.cli_owners import check_as_of

        as_of = check_as_of(as_of)
    settings = _settings(ctx, limit=limit, threshold=threshold, algorithm=algorithm)
    with _open(settings) as screener:
        _warn_stale(screener)
        if name == "-":
            if not as_json:
                raise UsageError("reading from stdin needs --json",
                                 fix="run `entityscreen search --json -`")
            from entityscreen.screener import screening_worker_gc
            from entityscreen.stream import answer_lines, cores

            screener.warm()
            screening_worker_gc()  # this process now only screens (or feeds those that do)
            if workers is None:
                workers = 1 if sys.stdin.isatty() else cores()
            for out in answer_lines(screener, _stdin_lines(), workers=workers, as_of=as_of):
                sys.stdout.write(out + "\n")
                sys.stdout.flush()
            return
        query = make_query(name, type_, country, birth_date, identifiers)
        render_search(screener, query, as_json=as_json, echo=click.echo, as_of=as_of)


def _stdin_lines() -> io.TextIOWrapper:
    # undecodable bytes become U+FFFD rather than stopping the whole batch
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")


def _warn_stale(screener: Screener) -> None:
    for f in screener.freshness():
        if f.stale:
            _err(f"entityscreen: warning: {f.source} data is {f.age_days} days old "
                 f"(published {f.published or 'unknown'}); run `entityscreen update`")


@cli.command()
@click.option("--from", "from_path", type=click.Path(path_type=Path),
              help="Import list files from this folder or file instead of downloading.")
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--bundled", is_flag=True, help="Re-import the snapshot shipped with the package.")
@click.pass_context
def update(ctx: click.Context, from_path: Path | None, sources: tuple[str, ...],
           bundled: bool) -> None:
    """Refresh the lists from their official publishers (or from local files)."""
    from entityscreen.render import render_update
    from entityscreen.store import Store
    from entityscreen.updates import update_from_network, update_from_path

    settings = _settings(ctx)
    with Store.open(settings.db_path) as store:
        if bundled:
            from entityscreen.bundle import load_bundled

            load_bundled(store, _progress)
            results = []
        elif from_path is not None:
            results = update_from_path(store, from_path, sources or None, _progress)
        else:
            from entityscreen.fetch import Fetcher
            from entityscreen.sources import BUNDLED

            fetcher = Fetcher(settings.home / "fetch-state.json")
            try:
                results = update_from_network(store, fetcher, sources or BUNDLED, _progress)
            finally:
                fetcher.close()
        failed = render_update(results, click.echo)
    if failed:
        ctx.exit(5 if from_path is None else 3)


@cli.command("lists")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def lists_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show the loaded sources with their versions, dates and record counts."""
    from entityscreen.render import render_lists

    with _open(_settings(ctx)) as screener:
        render_lists(screener, as_json=as_json, echo=click.echo)


@cli.command()
@click.argument("party_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def show(ctx: click.Context, party_id: str, as_json: bool) -> None:
    """Show one listed party: all names, listings, restrictions, addresses, identifiers."""
    from entityscreen.render import render_party

    with _open(_settings(ctx)) as screener:
        party = screener.party(party_id)
        if party is None:
            raise UsageError(f"no party with id {party_id!r}",
                             fix="ids appear in `entityscreen search` results")
        render_party(party, as_json=as_json, echo=click.echo)


@cli.command()
def algorithms() -> None:
    """List the matching algorithms (results name the one that produced them)."""
    from entityscreen.match.scoring import ALGORITHMS, DEFAULT_ALGORITHM

    for name, algo in ALGORITHMS.items():
        mark = " (default)" if name == DEFAULT_ALGORITHM else ""
        click.echo(f"{name}{mark}: {algo.description}")


def main() -> None:
    cli(prog_name="entityscreen")
