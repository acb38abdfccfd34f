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
