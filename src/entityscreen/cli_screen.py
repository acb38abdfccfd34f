"""``entityscreen screen FILE``: bulk screening from the command line (registered in cli.py).

The command translates options and calls :func:`entityscreen.bulk.screen_file`; a progress bar
shows on a terminal only, never in pipes or CI logs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from entityscreen.bulk import DEFAULT_REVIEW_THRESHOLD, Columns, Summary, screen_file, write_html
from entityscreen.bulk.readers import FORMATS
from entityscreen.bulk.run import CHUNK_ROWS
from entityscreen.bulk.writers import OUTPUT_FORMATS

__all__ = ["columns_of", "input_options", "screen"]


# How an input file is read and which column holds what: `screen` and `watch add` share them.
_INPUT_OPTIONS = (
    click.option("--input-format", type=click.Choice(FORMATS),
                 help="Input format, if neither the content nor the extension tells."),
    click.option("--name-col", multiple=True,
                 help="Column of the names (header or number from 1); repeat to join columns, "
                 "e.g. first and last name."),
    click.option("--type-col", help="Column of the party type (person, company, vessel...)."),
    click.option("--country-col", help="Column of the country (a hint, never a filter)."),
    click.option("--dob-col", help="Column of the birth date (persons)."),
    click.option("--id-col", multiple=True,
                 help="Column of identifiers (LEI, ISIN, IMO, registration or passport number); "
                 "repeatable."),
    click.option("--key-col", help="Column of the row's own key, copied to the results "
                 "[default: a customer id / key / id column, else the row number; for watch add, "
                 "a key made from the row's content]."),
    click.option("--no-header", is_flag=True,
                 help="The first row is data; address columns by number."),
    click.option("--sheet", help="XLSX sheet to read [default: the first]."),
)


def input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --input-format, the column options, --no-header and --sheet to ``command``."""
    for option in reversed(_INPUT_OPTIONS):
        command = option(command)
    return command


def columns_of(name_col: tuple[str, ...], type_col: str | None, country_col: str | None,
               dob_col: str | None, id_col: tuple[str, ...], key_col: str | None) -> Columns:
    return Columns(name=name_col, type=type_col, country=country_col, dob=dob_col, id=id_col,
                   key=key_col)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Bar:
    """A rich progress bar on stderr, redrawn per chunk (no refresh thread: workers fork)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(), console=Console(stderr=True), auto_refresh=False,
            transient=True)
        self._task = self._progress.add_task("screening", total=1000)
        self._started: float | None = None
        self._first = 0
        self._progress.start()

    def __call__(self, rows: int, fraction: float | None) -> None:
        import time

        now = time.perf_counter()
        if self._started is None:
            self._started, self._first = now, rows
        rate = (rows - self._first) / (now - self._started) if now > self._started else 0.0
        self._progress.update(self._task, description=f"{rows:,} rows · {rate:,.0f} rows/s",
                              completed=None if fraction is None else fraction * 1000)
        self._progress.refresh()

    def stop(self) -> None:
        self._progress.stop()  # idempotent


def _report(s: Summary) -> str:
    where = f" (see {s.rejects_file})" if s.rejects and s.rejects_file else ""
    resumed = f", resumed at row {s.resumed_at + 1}" if s.resumed_at else ""
    return (f"entityscreen: {s.rows:,} rows: {s.matches:,} match, {s.reviews:,} review, "
            f"{s.clears:,} clear, {s.rejects:,} rejected{where}; {s.rows_per_second:,.0f} "
            f"rows/s with {s.workers} worker{'s' if s.workers > 1 else ''}{resumed}")


@click.command()
@click.argument("file")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Results file: .csv, .jsonl, .xlsx or .parquet [default: JSON lines on "
              "stdout].")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS),
              help="Results format, if not the output file's extension.")
@input_options
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Rows that could not be screened, with the reason [default: "
              "NAME.rejects.csv next to the output].")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an HTML summary: counts, hits by list, top hits explained.")
@click.option("--workers", type=click.IntRange(1, 256),
              help="Processes screening in parallel on this machine [default: every core]; "
              "not with --dask.")
@click.option("--dask", metavar="ADDRESS",
              help="Screen on the Dask cluster whose scheduler is at ADDRESS (e.g. "
              "tcp://host:8786) instead of local processes; needs the dask extra.")
@click.option("--dask-timeout", type=click.FloatRange(0.1, 600), default=10.0,
              show_default=True, help="Seconds to wait for the Dask scheduler and a worker.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run into the same output (same options).")
@click.option("--limit", type=click.IntRange(1, 20), default=3, show_default=True,
              help="Most hits reported per row.")
@click.option("--threshold", type=click.FloatRange(0, 1),
              help="Score at or above which a hit is a match [0.82].")
@click.option("--review-threshold", type=click.FloatRange(0, 1),
              default=DEFAULT_REVIEW_THRESHOLD, show_default=True,
              help="Best score from which a row below the match threshold is flagged for "
              "review.")
@click.option("--algorithm", help="Matching algorithm (see `entityscreen algorithms`).")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Date of the ownership rules' verdicts (YYYY-MM-DD) [the day of the run].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.option("--chunk-rows", type=click.IntRange(1, 100_000), default=CHUNK_ROWS, hidden=True,
              help="Rows per chunk (the unit of work and of checkpoints); for tests.")
@click.pass_context
def screen(ctx: click.Context, file: str, output: Path | None, output_format: str | None,
           input_format: str | None, name_col: tuple[str, ...], type_col: str | None,
           country_col: str | None, dob_col: str | None, id_col: tuple[str, ...],
           key_col: str | None, no_header: bool, sheet: str | None, rejects: Path | None,
           report: Path | None, workers: int | None, dask: str | None,
           dask_timeout: float, resume: bool, limit: int,
           threshold: float | None, review_threshold: float, algorithm: str | None,
           quiet: bool, chunk_rows: int, as_of: str | None) -> None:
    """Screen every row of FILE (CSV, TSV, XLSX, Parquet or JSON lines; "-" for stdin).

    Each row gets a decision: match (a hit at or above the threshold), review (best score
    at or above the review threshold) or clear; rows that cannot be screened (no name,
    broken encoding, over-long fields) are "rejected" and listed in the rejects file. The
    name column and the others are found from common headers (name, company, customer
    name, first/last name, country, dob, customer id...), or given with --name-col etc.

    \b
    Exit codes:
      0  every row screened, no match
      1  matches found (whatever else happened)
      2  usage or input error, or rows that could not be screened (see the rejects)
      130 interrupted: run again with --resume to continue
    """
    from entityscreen.cli import _open, _settings, _warn_stale

    if dask is not None and workers is not None:
        raise click.UsageError("--workers and --dask exclude each other: the cluster's "
                               "workers screen")
    if as_of is not None:
        from entityscreen.cli_owners import check_as_of

        as_of = check_as_of(as_of)
    settings = _settings(ctx, threshold=threshold, algorithm=algorithm)
    columns = columns_of(name_col, type_col, country_col, dob_col, id_col, key_col)
    with _open(settings) as screener:
        _warn_stale(screener)
        show = not quiet and sys.stderr.isatty() and not os.environ.get("CI")
        bar = _Bar() if show else None
        try:
            summary = screen_file(
                screener, file, output, columns=columns, input_format=input_format,
                output_format=output_format, header=not no_header, sheet=sheet,
                rejects=rejects, workers=workers or _cores(), dask=dask,
                dask_timeout=dask_timeout, resume=resume, limit=limit,
                review_threshold=review_threshold, chunk_rows=chunk_rows, progress=bar,
                as_of=as_of)
        except KeyboardInterrupt:
            if bar is not None:
                bar.stop()
            if output is not None:
                click.echo("entityscreen: interrupted; run the same command with --resume "
                           "to continue", err=True)
            raise
        finally:
            if bar is not None:
                bar.stop()
    if report is not None:
        write_html(summary, report)
    if not quiet:
        click.echo(_report(summary), err=True)
    if summary.rows == 0:
        click.echo(f"entityscreen: warning: {file} has a header but no rows", err=True)
    if summary.matches:
        ctx.exit(1)
    if summary.rejects:
        ctx.exit(2)
