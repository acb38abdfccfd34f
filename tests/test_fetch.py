"""Downloads go through one Fetcher: retries, conditional requests, checksums — offline."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from entityscreen.errors import FetchError
from entityscreen.fetch import Fetcher

URL = "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv"
BODY = b'33114,"SENSETIME GROUP LIMITED",-0- ,"CMIC-EO13959"\r\n'


def fetcher(tmp_path: Path, handler) -> Fetcher:  # type: ignore[no-untyped-def]
    return Fetcher(tmp_path / "state.json", transport=httpx.MockTransport(handler), sleep=0)


def test_download_records_checksum_and_validators(tmp_path: Path) -> None:
    f = fetcher(tmp_path, lambda req: httpx.Response(200, content=BODY, headers={"ETag": '"v1"'}))
    got = f.fetch(URL)
    assert got.data == BODY
    assert got.sha256 == hashlib.sha256(BODY).hexdigest()
    assert got.etag == '"v1"'


def test_conditional_request_after_remember(tmp_path: Path) -> None:
    seen: list[str | None] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req.headers.get("If-None-Match"))
        if req.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(200, content=BODY, headers={"ETag": '"v1"'})

    f = fetcher(tmp_path, handler)
    f.remember(f.fetch(URL))
    again = Fetcher(tmp_path / "state.json", transport=httpx.MockTransport(handler), sleep=0)
    got = again.fetch(URL)
    assert got.data is None  # not modified
    assert seen == [None, '"v1"']


def test_retries_server_errors_then_succeeds(tmp_path: Path) -> None:
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, content=BODY)])
    f = fetcher(tmp_path, lambda req: next(answers))
    assert f.fetch(URL).data == BODY


def test_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host")

    f = fetcher(tmp_path, handler)
    with pytest.raises(FetchError, match=r"cons_prim.csv: ConnectError.*3 attempts.*--from DIR"):
        f.fetch(URL)


def test_not_found_is_not_retried(tmp_path: Path) -> None:
    calls = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404)

    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher(tmp_path, handler).fetch(URL)
    assert len(calls) == 1


def test_update_from_network_imports_and_then_sees_not_modified(
    tmp_path: Path, lists_dir: Path
) -> None:
    from entityscreen.sources import get_source
    from entityscreen.store import Store
    from entityscreen.updates import update_from_network

    body = (lists_dir / "bis_dpl" / "2023-11-30" / "dpl.txt").read_bytes()
    spec = get_source("bis_dpl")

    def handler(req: httpx.Request) -> httpx.Response:
        assert str(req.url) == spec.urls["dpl.txt"]
        if req.headers.get("If-None-Match") == '"d1"':
            return httpx.Response(304)
        return httpx.Response(200, content=body, headers={"ETag": '"d1"'})

    with Store.open(tmp_path / "db.sqlite") as store:
        f = fetcher(tmp_path, handler)
        first = update_from_network(store, f, ["bis_dpl"])
        assert [(r.source, r.note, r.version.records if r.version else 0) for r in first] == [
            ("bis_dpl", "imported", 547)]
        second = update_from_network(store, f, ["bis_dpl"])
        assert [(r.source, r.note) for r in second] == [("bis_dpl", "not modified")]


def test_update_from_network_failure_keeps_previous_data(tmp_path: Path, lists_dir: Path) -> None:
    from entityscreen.sources import get_source
    from entityscreen.store import Store
    from entityscreen.updates import update_from_network

    body = (lists_dir / "bis_dpl" / "2023-11-30" / "dpl.txt").read_bytes()
    with Store.open(tmp_path / "db.sqlite") as store:
        store.import_source(get_source("bis_dpl"), {"dpl.txt": body}, origin="test")
        f = fetcher(tmp_path, lambda req: httpx.Response(200, content=body[: len(body) // 2]))
        (result,) = update_from_network(store, f, ["bis_dpl"])
        assert result.version is None and "dpl.txt" in result.note
        assert [(v.version, v.records) for v in store.versions()] == [(1, 547)]
