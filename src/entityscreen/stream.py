"""Answering a stream of query lines (``search --json -``), in order, on every core.

With one worker the lines are answered here, one after another. With more, forked worker
processes (sharing the loaded index copy-on-write, each with its own store connection) answer
whole lines -- search, parties, rendering -- and this process only reads lines and writes
answers. A line is sent on as soon as it is read, so a caller that writes one line and waits
for its answer gets it at once; lines that arrive together travel in small batches. At most a
few batches per worker are in flight, so a long input is never read far ahead of the output.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import queue
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from entityscreen.query import parse_line
from entityscreen.render import search_lines
from entityscreen.screener import Screener, screening_worker_gc
from entityscreen.store import Store

__all__ = ["answer_lines", "cores"]

# Lines sent to a worker at once, when that many are waiting.
BATCH = 16
# Batches in flight per worker: keeps workers busy while bounding read-ahead.
INFLIGHT_PER_WORKER = 3

Line = tuple[int, str]  # (line number, text)

# What a forked worker answers with: set in the parent just before the pool forks.
_SCREENER: Screener | None = None
_AS_OF: str | None = None
_INHERITED: list[Any] = []  # the parent's store connection: kept, never used or closed


def answer_lines(screener: Screener, lines: Iterable[str], *, workers: int = 1,
                 as_of: str | None = None) -> Iterator[str]:
    """One JSON answer per line of ``lines``, in their order (a bad line answers with an
    error object); ``workers`` > 1 answers on that many forked processes where the
    platform forks, else here."""
    numbered = enumerate(lines, 1)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from search_lines(screener, _queries(numbered), as_of=as_of)
        return
    yield from _parallel(screener, numbered, workers, as_of)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _queries(numbered: Iterable[Line]) -> Iterator[Any]:
    for number, text in numbered:
        yield functools.partial(parse_line, text, number)


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    screening_worker_gc()
    assert _SCREENER is not None
    # an SQLite connection must not cross a fork: this process opens its own
    _INHERITED.append(_SCREENER.store)
    _SCREENER.store = Store.open(_SCREENER.settings.db_path, create=False)


def _answer_batch(batch: list[Line]) -> list[str]:
    assert _SCREENER is not None
    return list(search_lines(_SCREENER, _queries(batch), as_of=_AS_OF))


def _parallel(screener: Screener, numbered: Iterator[Line], workers: int,
              as_of: str | None) -> Iterator[str]:
    global _SCREENER, _AS_OF
    _SCREENER, _AS_OF = screener, as_of
    gc.freeze()  # the collector then leaves the index's pages unwritten (shared)
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker)
    waiting: queue.Queue[Line | None] = queue.Queue(maxsize=BATCH * workers)
    failure: list[BaseException] = []

    def read() -> None:
        try:
            for item in numbered:
                waiting.put(item)
        except BaseException as exc:  # handed to the main thread below
            failure.append(exc)
        finally:
            waiting.put(None)

    reader = threading.Thread(target=read, name="entityscreen-stdin", daemon=True)
    reader.start()
    in_flight: deque[Any] = deque()
    ended = False
    try:
        while True:
            while not ended and len(in_flight) < workers * INFLIGHT_PER_WORKER:
                try:
                    # wait for a line only when no answer is pending
                    first = waiting.get(block=not in_flight)
                except queue.Empty:
                    break
                if first is None:
                    ended = True
                    break
                batch = [first]
                while len(batch) < BATCH:
                    try:
                        item = waiting.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        ended = True
                        break
                    batch.append(item)
                in_flight.append(pool.apply_async(_answer_batch, (batch,)))
            if not in_flight:
                break
            yield from in_flight.popleft().get()
        if failure:
            raise failure[0]
        pool.close()
    finally:
        pool.terminate()
        pool.join()
