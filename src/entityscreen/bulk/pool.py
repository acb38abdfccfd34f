"""Screening chunks of rows, inline or in a pool of forked workers, in submission order.

The workers are forked from the process that loaded the index, so they share it
copy-on-write instead of loading or building their own; where fork is unavailable the run
stays in one process (spawned workers would each load the index again).

:class:`Runner` is what ``run`` drives: :class:`Dispatcher` here, or the Dask runner in
``cluster``; both screen a chunk with :func:`screen_chunk`.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from entityscreen.bulk.columns import Mapping
from entityscreen.bulk.prepare import prepare
from entityscreen.bulk.table import RawRow
from entityscreen.errors import EntityscreenError
from entityscreen.model import Hit, Query
from entityscreen.report import query_to_dict
from entityscreen.screener import Screener, screening_worker_gc

__all__ = ["Answer", "Dispatcher", "Job", "Row", "Runner", "Screened", "screen_chunk"]

# Chunks in flight per worker: keeps workers busy while bounding memory.
INFLIGHT_PER_WORKER = 2

# The screener workers use: set in this process before the pool forks, so children inherit
# the loaded index instead of loading or building their own.
_SCREENER: Screener | None = None

# One input row as sent to a worker: its number (the key when the file gives none), the text
# of the columns the mapping uses, and why the reader could not read it (None: it could).
Row = tuple[int, Sequence[str], str | None]
# What became of a row: its key, its name, why it was not screened (None: it was), the best
# score, the hits kept, and its query when the job asks for it.
Screened = tuple[str, str, str | None, float | None, list[Hit], dict[str, Any] | None]
Answer = tuple[float | None, list[Hit], str | None]  # best score, kept hits, error


@dataclass(frozen=True)
class Job:
    """A chunk of rows and how to screen them. Rows become queries where they are screened
    (``prepare`` is pure), so this process only reads the input and writes the results."""

    rows: list[Row]
    mapping: Mapping  # over the columns sent (``Mapping.narrowed``)
    max_field: int
    limit: int
    floor: float  # the review threshold: hits below it are dropped
    # send each row's query back (JSON lines, ownership look-ups), as the JSON shows it: a
    # dict pickles in a fraction of the time a Query (a frozen slots dataclass) takes
    with_query: bool = False


def _screen_one(screener: Screener, q: Query, limit: int, floor: float) -> Answer:
    try:
        best, hits = screener.screen(q, limit=limit, floor=floor)
    except EntityscreenError as exc:
        return (None, [], str(exc))
    return (best, hits, None)


def screen_chunk(screener: Screener, job: Job) -> list[Screened]:
    """Prepare and screen one chunk's rows (the reading process answers repeated rows:
    ``repeats``)."""
    limit, floor, mapping, max_field = job.limit, job.floor, job.mapping, job.max_field
    out: list[Screened] = []
    for number, fields, problem in job.rows:
        p = prepare(RawRow(number, None, fields, problem), mapping, max_field)
        q = p.query
        if q is None:
            out.append((p.key, p.name, p.problem, None, [], None))
            continue
        best, hits, error = _screen_one(screener, q, limit, floor)
        out.append((p.key, p.name, error, best, hits,
                    query_to_dict(q) if job.with_query else None))
    return out


def _screen_chunk(job: Job) -> list[Screened]:
    assert _SCREENER is not None
    return screen_chunk(_SCREENER, job)


def _init_worker() -> None:
    # Ctrl-C is the parent's to handle: it stops the pool and leaves a resumable checkpoint.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    screening_worker_gc()


class Runner(Protocol):
    """Screens chunks somewhere and gives their results back in submission order.

    ``run`` submits while not ``full``, takes results with ``next`` (oldest first) and
    closes with ``ok=False`` when the run stops early (the partial files stay for --resume).
    """

    workers: int  # how many chunks can be screened at once (reported in the summary)

    @property
    def full(self) -> bool: ...

    def submit(self, tag: Any, job: Job, *, more: bool) -> None: ...

    def pending(self) -> bool: ...

    def next(self) -> tuple[Any, list[Screened]]: ...

    def close(self, *, ok: bool) -> None: ...


class Dispatcher:
    """Screens chunks inline or in a forked pool; results come back in submission order.

    The pool starts with the first full chunk: a file that fits in one chunk is screened
    inline, without forking.
    """

    def __init__(self, screener: Screener, workers: int) -> None:
        global _SCREENER
        _SCREENER = screener
        self._screener = screener
        fork = "fork" in multiprocessing.get_all_start_methods()
        # without fork, each worker would load the index again: not worth it
        self._wanted = workers if fork else 1
        self.workers = 1
        self._pool: Any = None
        self._queue: deque[tuple[Any, Any]] = deque()

    def _start_pool(self) -> None:
        # first use loads lazy tables (pinyin, transliteration): load them once, here
        self._screener.warm()
        gc.freeze()  # the collector then leaves the index's pages unwritten (shared)
        self._pool = multiprocessing.get_context("fork").Pool(
            self._wanted, initializer=_init_worker)
        self.workers = self._wanted

    @property
    def full(self) -> bool:
        return len(self._queue) >= max(1, self.workers * INFLIGHT_PER_WORKER)

    def submit(self, tag: Any, job: Job, *, more: bool) -> None:
        """Queue a chunk; ``more`` says more chunks may follow (worth starting the pool)."""
        if self._pool is None and more and self._wanted > 1:
            self._start_pool()
        if self._pool is None:
            self._queue.append((tag, _screen_chunk(job)))
        else:
            self._queue.append((tag, self._pool.apply_async(_screen_chunk, (job,))))

    def pending(self) -> bool:
        return bool(self._queue)

    def next(self) -> tuple[Any, list[Screened]]:
        tag, result = self._queue.popleft()
        return tag, (result if self._pool is None else result.get())

    def close(self, *, ok: bool) -> None:
        global _SCREENER
        if self._pool is not None:
            if ok:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
            gc.unfreeze()
        _SCREENER = None
