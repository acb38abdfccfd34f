"""Screen a whole file: stream rows, decide match / review / clear, write results in order.

    summary = screen_file(screener, Path("suppliers.csv"), Path("results.csv"), workers=2)

Rows are read in this process and sent in chunks (the text of the used columns only) to be
made queries and screened, inline or in a pool of forked workers that share the loaded index
(``pool``), or on a Dask cluster (``cluster``). Results come back in input order; this process
looks up the hit parties, writes the output and rejects files and, after every chunk, a
checkpoint, so ``resume=True`` continues an interrupted run exactly where its last chunk ended.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from entityscreen.bulk.columns import Columns, resolve
from entityscreen.bulk.pool import Dispatcher, Job, Row, Runner, Screened
from entityscreen.bulk.prepare import MAX_FIELD
from entityscreen.bulk.readers import RawRow, open_table
from entityscreen.bulk.repeats import Repeats
from entityscreen.bulk.summary import Checkpoint, Summary
from entityscreen.bulk.writers import (
    Outcome,
    RejectsFile,
    ResultsFile,
    RunContext,
    format_for,
    partial_path,
)
from entityscreen.errors import UsageError
from entityscreen.ownership.hook import decision_for, ownership_for_name
from entityscreen.ownership.service import Ownership
from entityscreen.report import data_status, hit_to_dict, party_to_result
from entityscreen.screener import Screener

__all__ = ["DEFAULT_REVIEW_THRESHOLD", "Progress", "screen_file"]

# A best score at or above this, but below the match threshold, asks a person to look.
DEFAULT_REVIEW_THRESHOLD = 0.70
# Rows per chunk: the unit of work sent to a worker and of checkpointing.
CHUNK_ROWS = 2000
Progress = Callable[[int, "float | None"], None]  # rows done, fraction of the input read


# -- the run -------------------------------------------------------------------------------------


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _outcomes(screener: Screener, raws: list[RawRow], screened: list[Screened], *,
              as_of: str | None, owners: bool, queries: bool) -> list[Outcome]:
    """The output rows of a chunk. ``owners``: ownership data is there (looked for once per
    run); ``queries``: the output shows each row's query (JSON lines)."""
    out = []
    for raw, (key, name, problem, best, hits, query) in zip(raws, screened, strict=True):
        if problem is not None:
            out.append(Outcome(raw.row, key, name, "rejected", reason=problem))
            continue
        if not hits and not owners and not queries:  # most rows: nothing found, nothing to add
            out.append(Outcome(raw.row, key, name, "clear", best))
            continue
        dicts = []
        for h in hits:
            party = screener.party(h.party_id)
            if party is not None:
                dicts.append(hit_to_dict(h, party, screener.derived(party, party_to_result)))
        decision = ("match" if any(h.match for h in hits)
                    else "review" if dicts else "clear")
        # the 50 % rules as of that date (None: today)
        owned = ownership_for_name(screener, query["name"], on=as_of) \
            if owners and query is not None else []
        extended = decision_for(owned) if owned else None
        if extended == "match" or (extended == "review" and decision == "clear"):
            decision = extended
        out.append(Outcome(raw.row, key, name, decision, best, None,
                           query if queries else None,
                           tuple(dicts), tuple(owned)))
    return out


def _fingerprint(source: Path | str, **options: Any) -> dict[str, Any]:
    """What must not change between an interrupted run and its resumption."""
    path = Path(source).resolve()
    st = path.stat()
    return {"input": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "options": hashlib.sha256(repr(sorted(options.items())).encode()).hexdigest()}


def _partials_intact(done: Checkpoint, output: Path, rejects: Path | None) -> bool:
    def at_least(path: Path, size: int) -> bool:
        partial = partial_path(path)
        return partial.exists() and partial.stat().st_size >= size

    return at_least(output, done.output_offset) and (
        rejects is None or at_least(rejects, done.rejects_offset))


def _resume_point(checkpoint: Path, fingerprint: dict[str, Any], output: Path,
                  rejects: Path | None, resume: bool) -> Checkpoint | None:
    """The checkpoint to continue from; None to start from the first row."""
    if not resume:
        checkpoint.unlink(missing_ok=True)  # an older run's, not this one's
        return None
    done = Checkpoint.load(checkpoint)
    if done is None:
        return None
    if done.fingerprint != fingerprint:
        raise UsageError(
            f"the checkpoint next to {output} was made with another input file, other "
            "options or other list versions",
            fix="repeat the interrupted run's options, or drop --resume to start over")
    if not _partials_intact(done, output, rejects):
        return None  # the files it points into are gone or cut short: start over
    return done


def _check(screener: Screener, source: Path | str, output: Path | None,
           rejects: Path | None, *, resume: bool, review_threshold: float,
           numbers: tuple[int, ...]) -> None:
    threshold = screener.settings.threshold
    if not 0 <= review_threshold <= threshold:
        raise UsageError(f"the review threshold {review_threshold} must lie between 0 and the "
                         f"match threshold {threshold}")
    if min(numbers) < 1:
        raise UsageError("limit, workers and chunk size must be at least 1")
    if str(source) != "-" and Path(source).resolve() in {
            p.resolve() for p in (output, rejects) if p is not None}:
        raise UsageError(f"the results would replace the input file {source}",
                         fix="pass -o with another file name")
    if resume and (output is None or str(source) == "-"):
        raise UsageError("--resume needs an input file and an output file",
                         fix="pass FILE (not -) and -o FILE")


def _runner(screener: Screener, workers: int, dask: str | None, dask_timeout: float | None,
            runner: Callable[[], Runner] | None) -> Runner:
    if runner is not None:
        return runner()
    if dask is None:
        return Dispatcher(screener, workers)
    from entityscreen.bulk.cluster import CONNECT_TIMEOUT, DaskRunner

    return DaskRunner(screener, dask, timeout=dask_timeout or CONNECT_TIMEOUT)


def screen_file(
    screener: Screener,
    source: Path | str,
    output: Path | None,
    *,
    columns: Columns | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    header: bool = True,
    sheet: str | None = None,
    rejects: Path | None = None,
    workers: int = 1,
    dask: str | None = None,
    dask_timeout: float | None = None,
    runner: Callable[[], Runner] | None = None,
    resume: bool = False,
    limit: int = 3,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
    as_of: str | None = None,
) -> Summary:
    """Screen every row of ``source`` (a path or "-") into ``output`` (None: stdout).

    Each input row gives one output row (decision match / review / clear, or rejected with
    the reason); rejected rows also go to ``rejects`` (default: ``NAME.rejects.csv`` next to
    the output). ``workers`` processes screen in parallel here, or, with ``dask`` (a
    scheduler address such as tcp://host:8786), the workers of that Dask cluster; the output
    is the same either way. ``runner`` makes another runner instead (such as a
    ``DaskRunner`` with options); the run closes it. ``resume`` continues an interrupted run
    into the same output if its checkpoint is there and was made with the same input,
    options and list versions. ``as_of`` (YYYY-MM-DD) dates the ownership rules' verdicts
    (default: the day each row is screened).
    """
    fmt = format_for(output, output_format)
    if output is not None and rejects is None:
        rejects = output.with_name(output.stem + ".rejects.csv")
    _check(screener, source, output, rejects, resume=resume, review_threshold=review_threshold,
           numbers=(limit, workers, chunk_rows))
    started = time.perf_counter()
    table = open_table(source, format=input_format, header=header, sheet=sheet, stdin=stdin)
    try:
        mapping = resolve(table.headers, columns or Columns(), table.label)
        versions = {v.source: v.version for v in screener.versions}
        ctx = RunContext(limit, versions, screener.algorithm.name)
        summary = Summary(source=str(source), output=str(output) if output else None,
                          rejects_file=str(rejects) if rejects else None,
                          list_versions=versions, data=data_status(screener.freshness()),
                          algorithm=ctx.algorithm,
                          threshold=screener.settings.threshold,
                          review_threshold=review_threshold)
        # a checkpoint needs a file to come back to and a file to continue
        checkpoint = fingerprint = done = None
        if output is not None and str(source) != "-":
            checkpoint = partial_path(output, ".checkpoint.json")
            fingerprint = _fingerprint(
                source, mapping=mapping.describe(), header=header, sheet=sheet,
                input_format=table.format, output_format=fmt, limit=limit,
                threshold=summary.threshold, review_threshold=review_threshold,
                algorithm=ctx.algorithm, rejects=str(rejects), as_of=as_of,
                lists=[(v.source, v.version, v.sha256) for v in screener.versions])
            done = _resume_point(checkpoint, fingerprint, output, rejects, resume)
        if done is not None:
            summary = done.summary
            summary.resumed_at = done.rows_done
        rows = table.rows(mapping.used)
        if done is not None and sum(1 for _ in islice(rows, done.rows_done)) != done.rows_done:
            raise UsageError("the input has fewer rows than the checkpoint says were done",
                             fix="drop --resume to start over")
        # a cluster is reached (or not) before any output file is started
        dispatcher = _runner(screener, workers, dask, dask_timeout, runner)
        try:
            results = ResultsFile(output, fmt, ctx,
                                  offset=done.output_offset if done else None,
                                  rows_before=done.rows_done if done else 0,
                                  stream=stdout or sys.stdout.buffer)
            rejected = (RejectsFile(rejects, offset=done.rejects_offset if done else None)
                        if rejects else None)
        except BaseException:
            dispatcher.close(ok=False)
            raise
        max_field = min(MAX_FIELD, screener.settings.max_name_length)
        # the ownership data (if any) there when the run starts serves all its rows
        owners = Ownership.exists(screener)
        with_query = owners or fmt == "jsonl"
        # workers get the text of the used columns only, and read it with this mapping
        used, narrow = mapping.used, mapping.narrowed()
        every_column = used == tuple(range(len(mapping.headers)))  # then send rows as read

        # rows repeating a recent row are answered here, not sent (see ``repeats``)
        repeats = Repeats(narrow, max_field)

        def drain_one() -> None:
            """Write the oldest chunk's results, then commit: counts, offsets, checkpoint."""
            (raws, sent, plan), screened = dispatcher.next()
            screened = repeats.join(sent, plan, screened)
            outcomes = _outcomes(screener, raws, screened, as_of=as_of, owners=owners,
                                 queries=with_query)
            results.write(outcomes)
            if rejected is not None:
                rejected.write([(r.row, r.line, o.reason or "", r.excerpt)
                                for r, o in zip(raws, outcomes, strict=True)
                                if o.decision == "rejected"])
            for o in outcomes:
                summary.add(o)
            summary.elapsed = time.perf_counter() - started
            if checkpoint is not None and fingerprint is not None:
                Checkpoint(fingerprint, summary.rows, results.commit(),
                           rejected.commit() if rejected else 0, summary).save(checkpoint)
            if progress is not None:
                progress(summary.rows, table.fraction())

        ok = False
        try:
            for chunk in _chunks(rows, chunk_rows):
                narrowed_rows: list[Row] = (
                    [(r.row, r.fields, r.problem) for r in chunk] if every_column else
                    [(r.row, [f[i] if i < len(f) else "" for i in used], r.problem)
                     for r in chunk for f in (r.fields,)])
                send, plan = repeats.split(narrowed_rows)
                job = Job(send, narrow, max_field, limit, review_threshold, with_query)
                while dispatcher.full:
                    drain_one()
                dispatcher.submit((chunk, narrowed_rows, plan), job,
                                  more=len(chunk) == chunk_rows)
            while dispatcher.pending():
                drain_one()
            ok = True
        finally:
            dispatcher.close(ok=ok)
            if not ok:  # leave the partial files for --resume
                results.close()
                if rejected is not None:
                    rejected.close()
        summary.workers = max(summary.workers, dispatcher.workers)
        results.finish()
        if rejected is not None:
            rejected.finish()
        if checkpoint is not None:
            checkpoint.unlink(missing_ok=True)
        summary.elapsed = time.perf_counter() - started
        return summary
    finally:
        table.close()
