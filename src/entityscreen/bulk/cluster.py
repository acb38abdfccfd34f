"""Screening chunks on a Dask distributed cluster, results in submission order.

    runner = DaskRunner(screener, "tcp://scheduler:8786")

This process still reads the input, writes the outputs and checkpoints (``run``); only the
screening of each chunk runs on the cluster. A worker process loads the index once and keeps
it, keyed by the index cache's name (which changes with the list versions, the index format
and the reference tables), so every chunk after the first is screened straight away.

Workers that can read this process's index cache file (a LocalCluster, or a cluster sharing
the filesystem) load it from there; otherwise its bytes are sent to every worker once per
run. Either way a worker refuses an index made by another entityscreen version rather than
screen with different analysis tables. A remote worker needs entityscreen (the same version)
installed, not the lists or the database: search only reads the index.
"""

from __future__ import annotations

import gc
import os
import socket
import tempfile
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entityscreen.bulk.pool import Job, Screened, screen_chunk
from entityscreen.errors import EntityscreenError, UsageError
from entityscreen.match.index import INDEX_FORMAT, Index, reference_digest
from entityscreen.screener import Screener, index_cache_path
from entityscreen.settings import Settings
from entityscreen.store import Store

__all__ = ["CONNECT_TIMEOUT", "DaskRunner"]

# Seconds to wait for the scheduler to answer, and then for a first worker to join.
CONNECT_TIMEOUT = 10.0
# Chunks in flight per worker thread: keeps workers busy while bounding memory here and there.
INFLIGHT_PER_THREAD = 2

_INSTALL = "install the extra: pip install 'entityscreen[dask]'"
_REACH = ("check the address (tcp://HOST:8786), that a Dask scheduler (not another service) "
          "listens there and that it accepts connections from here")


@dataclass(frozen=True)
class _Spec:
    """What a worker needs to know to screen: which index, made how, with which settings."""

    key: str  # the index cache file's name
    index_format: int
    reference: str  # digest of the reference tables the index was built with
    settings: Settings


# -- the worker side: one index per process, kept between chunks and runs ----------------------

_LOCK = threading.Lock()  # a worker's threads must not load the same index twice
_LOADED: dict[tuple[str, Settings], Screener] = {}


def _load(spec: _Spec, source: str | bytes) -> Index:
    if spec.index_format != INDEX_FORMAT or spec.reference != reference_digest():
        raise UsageError(
            f"a Dask worker runs another entityscreen version than the client (index format "
            f"{INDEX_FORMAT} there, {spec.index_format} here, or other reference tables) — "
            "install the same entityscreen version on the client and every worker")
    if isinstance(source, bytes):
        fd, tmp = tempfile.mkstemp(prefix="entityscreen-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(source)
            index = Index.load(Path(tmp))
        finally:
            Path(tmp).unlink(missing_ok=True)
    else:
        index = Index.load(Path(source))
    if index is None:
        where = "the index sent by the client" if isinstance(source, bytes) else source
        raise UsageError(f"a Dask worker cannot read {where} — run the client again; if the "
                         "workers share its filesystem, check they may read its cache folder")
    gc.freeze()  # as Screener.open: keep the collector off the index's long-lived objects
    return index


def _searcher(spec: _Spec, source: str | bytes) -> Screener:
    with _LOCK:
        got = _LOADED.get((spec.key, spec.settings))
        if got is None:
            index = next((s.index for (k, _), s in _LOADED.items() if k == spec.key), None)
            if index is None:
                index = _load(spec, source)
                index.compile()  # a worker screens many names: retrieve with compiled code
            for old in [k for k in _LOADED if k[0] != spec.key]:
                del _LOADED[old]  # an older list version's index: never asked for again
            # search reads only the index and the settings: no database on a worker
            screener = Screener(spec.settings, Store.open(Path(":memory:")), index)
            got = _LOADED[(spec.key, spec.settings)] = screener
        return got


def _screen_remote(spec: _Spec, source: str | bytes, job: Job) -> list[Screened]:
    return screen_chunk(_searcher(spec, source), job)


def _can_read(path: str, size: int) -> bool:
    try:
        return os.path.getsize(path) == size and os.access(path, os.R_OK)
    except OSError:
        return False


# -- the client side -------------------------------------------------------------------------


class DaskRunner:
    """Screens chunks on the Dask cluster whose scheduler is at ``address``.

    ``ship_index`` None sends the index's bytes only to clusters that cannot read this
    process's index cache file; True always sends them, False never does.
    """

    def __init__(self, screener: Screener, address: str, *,
                 timeout: float = CONNECT_TIMEOUT, ship_index: bool | None = None) -> None:
        try:
            import distributed
        except ImportError:
            raise UsageError("--dask needs Dask distributed, which is not installed",
                             fix=_INSTALL) from None
        self._address = address
        _check_address(address, timeout)
        try:
            self._client = _client_class(distributed.Client, 2 * timeout)(
                address, timeout=timeout, set_as_default=False)
        except Exception as exc:  # refused, timed out, or another service answering there
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {_one_line(exc)}",
                             fix=_REACH) from None
        try:
            self._start(screener, timeout, ship_index)
        except BaseException:
            self._client.close()
            raise
        self._queue: deque[tuple[Any, Any]] = deque()

    def _start(self, screener: Screener, timeout: float, ship_index: bool | None) -> None:
        client = self._client
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"the Dask scheduler at {self._address} has no workers "
                             f"({_one_line(exc)})",
                             fix="start workers: dask worker " + self._address) from None
        self.workers = sum(client.nthreads().values())
        path = index_cache_path(screener.settings, screener.store)
        if not path.exists():  # removed since the screener opened: write it again
            screener.index.save(path)
        self._spec = _Spec(path.name, INDEX_FORMAT, reference_digest(), screener.settings)
        # this process may host workers itself (a LocalCluster without processes)
        self._seeded = (path.name, screener.settings)
        _LOADED.setdefault(self._seeded, screener)
        if ship_index is None:
            size = path.stat().st_size
            ship_index = not all(client.run(_can_read, str(path), size).values())
        self._source: Any = str(path)
        if ship_index:
            self._source = client.scatter(path.read_bytes(), broadcast=True, hash=False)

    @property
    def full(self) -> bool:
        return len(self._queue) >= max(1, self.workers * INFLIGHT_PER_THREAD)

    def submit(self, tag: Any, job: Job, *, more: bool) -> None:
        future = self._client.submit(_screen_remote, self._spec, self._source, job, pure=False)
        self._queue.append((tag, future))

    def pending(self) -> bool:
        return bool(self._queue)

    def next(self) -> tuple[Any, list[Screened]]:
        tag, future = self._queue.popleft()
        try:
            return tag, future.result()
        except EntityscreenError:
            raise
        except Exception as exc:  # a worker died, the scheduler went away...
            raise EntityscreenError(
                f"the Dask cluster at {self._address} failed: {_one_line(exc)}",
                fix="run the same command with --resume once the cluster works") from None

    def close(self, *, ok: bool) -> None:
        try:
            if not ok and self._queue:
                self._client.cancel([f for _, f in self._queue])
            self._queue.clear()
        finally:
            _LOADED.pop(self._seeded, None)
            self._client.close()


def _client_class(base: type, bound: float) -> type:
    """Dask's Client, given at most ``bound`` seconds to connect (its own timeout does not
    cover a server that accepts the connection but never answers: it would wait forever),
    and cleaned up when it cannot: the failed Client is never handed back, so its event loop
    thread would keep running, and at exit its ``__del__`` would wait for a connection that
    never was, then print a traceback."""

    class Client(base):
        def start(self, **kwargs: Any) -> Any:
            try:
                return super().start(callback_timeout=bound, **kwargs)
            except BaseException:
                self.status = "closed"  # nothing left for close() / __del__ to do
                self._loop_runner.stop()
                raise

    return Client


def _check_address(address: str, timeout: float) -> None:
    """Refuse a malformed address, and a TCP address where nothing listens, before making a
    Client: one that fails to connect is left half-made, its event loop thread running (and,
    for a malformed address, its clean-up hangs and prints a traceback at exit)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else ("", 0)
    except ValueError as exc:
        raise UsageError(f"{address!r} is not a Dask scheduler address: {_one_line(exc)}",
                         fix="give it as tcp://HOST:PORT (the scheduler's port is 8786 "
                         "unless it was started with another)") from None
    if scheme == "tcp":
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as exc:
            why = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {why}",
                             fix=_REACH) from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
