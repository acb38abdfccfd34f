"""screen_file on a Dask cluster (LocalCluster): the same output, row for row, as local
workers; resuming; a clear error when the scheduler cannot be reached or Dask is missing."""

from __future__ import annotations

import functools
import json
import socket
import sys
from pathlib import Path
from typing import Any

import distributed  # the dev extra installs it: CI runs these tests
import pytest

from entityscreen.bulk import screen_file
from entityscreen.bulk.summary import Summary
from entityscreen.bulk.writers import partial_path

from .bulk_data import HEADER, customer_rows, write_csv

# run last (tests/conftest.py): Dask leaves a thread behind, and tests that fork want none
pytestmark = [pytest.mark.slow, pytest.mark.dask]

CHUNK = 40


@pytest.fixture(scope="module")
def listed_and_clean(screener, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """Names of 150 listed parties spread over the bundled lists, the customers (clear and
    listed names), a row with no name and one with an over-long name: 317 rows."""
    parties = sorted(screener.store.parties(), key=lambda p: p.id)
    step = len(parties) // 150
    listed = [[f"L{i}", p.names[0].value, p.type.value, ""]
              for i, p in enumerate(parties[::step][:150])]
    customers = [[f"{k}-{i}", n, t, c] for i in range(11) for k, n, t, c in customer_rows()]
    rows = [*listed, ["EMPTY", "", "", ""], ["LONG", "x" * 1200, "", ""], *customers]
    return write_csv(tmp_path_factory.mktemp("dask") / "in.csv", rows, HEADER)


def run(screener, source: Path, out: Path, **kwargs: Any) -> tuple[bytes, bytes, Summary]:  # type: ignore[no-untyped-def]
    summary = screen_file(screener, source, out, chunk_rows=CHUNK, **kwargs)
    return out.read_bytes(), out.with_name(out.stem + ".rejects.csv").read_bytes(), summary


def same(a: tuple[bytes, bytes, Summary], b: tuple[bytes, bytes, Summary]) -> None:
    assert a[0] == b[0], "results differ"
    assert a[1] == b[1], "rejects differ"
    sa, sb = a[2], b[2]
    assert (sa.rows, sa.matches, sa.reviews, sa.clears, sa.rejects) == \
        (sb.rows, sb.matches, sb.reviews, sb.clears, sb.rejects)
    assert sa.top == sb.top and sa.by_list == sb.by_list


@pytest.fixture(scope="module")
def local(screener, listed_and_clean: Path, tmp_path_factory: pytest.TempPathFactory  # type: ignore[no-untyped-def]
          ) -> tuple[bytes, bytes, Summary]:
    """The run on one local worker, checked equal to the run on two."""
    folder = tmp_path_factory.mktemp("local")
    one = run(screener, listed_and_clean, folder / "one.csv", workers=1)
    two = run(screener, listed_and_clean, folder / "two.csv", workers=2)
    same(one, two)
    s = one[2]
    assert s.matches >= 150 and s.clears >= 50 and s.rejects == 2  # a real mix
    return one


@pytest.fixture(scope="module")
def in_process():  # type: ignore[no-untyped-def]
    """A cluster of two worker threads in this process: they use the loaded index."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_gives_the_same_output_as_local_workers(screener, listed_and_clean: Path,  # type: ignore[no-untyped-def]
                                                    local, in_process: str,
                                                    tmp_path: Path) -> None:
    got = run(screener, listed_and_clean, tmp_path / "dask.csv", dask=in_process)
    same(got, local)
    assert got[2].workers == 2
    assert not list(tmp_path.glob(".*")), "no partial or checkpoint file is left behind"


def test_a_worker_process_loads_the_index_sent_to_it(screener, listed_and_clean: Path,  # type: ignore[no-untyped-def]
                                                    local, tmp_path: Path) -> None:
    """A remote cluster cannot read this machine's index cache: its bytes are sent, and the
    worker process (spawned, without the loaded index) screens with them."""
    from entityscreen.bulk.cluster import DaskRunner

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        make = functools.partial(DaskRunner, screener, cluster.scheduler_address,
                                 ship_index=True)
        got = run(screener, listed_and_clean, tmp_path / "dask.csv", runner=make)
    same(got, local)


class Stop(Exception):
    pass


def test_resume_on_dask_after_interruption(screener, listed_and_clean: Path, local,  # type: ignore[no-untyped-def]
                                           in_process: str, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    seen: list[int] = []

    def stop_after_three(rows: int, fraction: float | None) -> None:
        seen.append(rows)
        if len(seen) == 3:
            raise Stop

    with pytest.raises(Stop):
        screen_file(screener, listed_and_clean, out, chunk_rows=CHUNK, dask=in_process,
                    progress=stop_after_three)
    assert not out.exists()
    assert json.loads(partial_path(out, ".checkpoint.json").read_text())["rows_done"] == 120
    got = run(screener, listed_and_clean, out, dask=in_process, resume=True)
    assert got[2].resumed_at == 120
    same(got, local)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_scheduler_is_one_line_and_exit_2(screen_cli, customers_csv: Path,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    address = f"tcp://127.0.0.1:{_closed_port()}"
    result = screen_cli("screen", str(customers_csv), "-o", str(out), "--dask", address,
                        "--dask-timeout", "1")
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if "warning:" not in line]
    assert len(errors) == 1 and "Traceback" not in result.output
    assert errors[0].startswith(f"Error: cannot reach the Dask scheduler at {address}")
    assert list(tmp_path.iterdir()) == [customers_csv], "nothing written"


def test_a_service_that_is_not_a_scheduler_is_one_line_and_exit_2(  # type: ignore[no-untyped-def]
        screen_cli, customers_csv: Path) -> None:
    """It accepts the connection but never answers as a scheduler: the half-made client is
    stopped (no event loop thread left running, no traceback when the process exits)."""
    import threading

    before = set(threading.enumerate())
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        result = screen_cli("screen", str(customers_csv), "--dask", address,
                            "--dask-timeout", "1")
    assert result.exit_code == 2
    assert f"Error: cannot reach the Dask scheduler at {address}" in result.output
    assert "Traceback" not in result.output
    left = {t.name for t in set(threading.enumerate()) - before}
    assert "IO loop" not in left


def test_missing_dask_names_the_extra(screen_cli, customers_csv: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an absent package does
    result = screen_cli("screen", str(customers_csv), "-o", str(tmp_path / "o.csv"),
                        "--dask", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert "not installed" in result.output and "entityscreen[dask]" in result.output


def test_dask_and_workers_exclude_each_other(screen_cli, customers_csv: Path) -> None:  # type: ignore[no-untyped-def]
    result = screen_cli("screen", str(customers_csv), "--dask", "tcp://x:8786",
                        "--workers", "2")
    assert result.exit_code == 2 and "exclude each other" in result.output


@pytest.mark.parametrize(("address", "message"), [
    ("scheduler", "'scheduler' is not a Dask scheduler address: missing port number"),
    ("http://127.0.0.1:8786", "unknown address scheme 'http'"),
])
def test_malformed_addresses_are_refused_before_connecting(
        screen_cli, customers_csv: Path, address: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = screen_cli("screen", str(customers_csv), "--dask", address)
    assert result.exit_code == 2 and message in result.output
    assert "give it as tcp://HOST:PORT" in result.output


def test_a_worker_refuses_an_index_of_another_version(screener) -> None:  # type: ignore[no-untyped-def]
    """A worker whose entityscreen analyses names with other reference tables would score
    differently: it says so instead of screening."""
    from entityscreen.bulk.cluster import _load, _Spec
    from entityscreen.errors import UsageError
    from entityscreen.match.index import INDEX_FORMAT

    spec = _Spec("index-x.pickle", INDEX_FORMAT, "0" * 12, screener.settings)
    with pytest.raises(UsageError, match="install the same entityscreen version"):
        _load(spec, b"")
