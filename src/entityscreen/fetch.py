"""Downloads from the official publishers: one ``fetch()`` every update goes through.

Timeouts, retries with back-off, conditional requests (ETag / Last-Modified remembered per URL
in the store folder) and the sha256 of every file recorded. Tests pass an
``httpx.MockTransport`` so nothing here needs the network to be tested.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from entityscreen.errors import FetchError

__all__ = ["Fetched", "Fetcher"]

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRIES = 3  # attempts per file on network errors and 5xx answers
BACKOFF = 2.0  # seconds, doubled after each failed attempt
MAX_BYTES = 512 * 1024 * 1024  # refuse anything larger: no list is near this size
USER_AGENT = "entityscreen (restricted-party screening; +https://pypi.org/project/entityscreen/)"


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes | None  # None when the publisher said "not modified"
    sha256: str | None
    etag: str | None
    last_modified: str | None


class Fetcher:
    def __init__(
        self,
        state_path: Path,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: float = BACKOFF,
    ) -> None:
        self.state_path = state_path
        self._client = httpx.Client(
            timeout=TIMEOUT, follow_redirects=True, transport=transport,
            headers={"User-Agent": USER_AGENT},
        )
        self._sleep = sleep
        try:
            self._state: dict[str, dict[str, str]] = json.loads(state_path.read_text("utf-8"))
        except (OSError, ValueError):
            self._state = {}

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, conditional: bool = True) -> Fetched:
        headers = {}
        known = self._state.get(url, {})
        if conditional and known:
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        delay = self._sleep
        last_error = ""
        for attempt in range(1, RETRIES + 1):
            try:
                resp = self._client.get(url, headers=headers)
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code == 304:
                    return Fetched(url, None, known.get("sha256"), known.get("etag"),
                                   known.get("last_modified"))
                if resp.status_code < 500:
                    break
                last_error = f"HTTP {resp.status_code}"
            if attempt < RETRIES:
                time.sleep(delay)
                delay *= 2
        else:
            raise FetchError(
                f"{url}: {last_error} after {RETRIES} attempts",
                fix="check the network, or import files carried in by hand with "
                "`entityscreen update --from DIR`",
            )
        if resp.status_code != 200:
            raise FetchError(f"{url}: HTTP {resp.status_code}",
                             fix="the publisher may have moved the file; report it")
        data = resp.content
        if len(data) > MAX_BYTES:
            raise FetchError(f"{url}: {len(data)} bytes is larger than any list",
                             fix="check the URL")
        digest = hashlib.sha256(data).hexdigest()
        fetched = Fetched(url, data, digest, resp.headers.get("ETag"),
                          resp.headers.get("Last-Modified"))
        return fetched

    def remember(self, fetched: Fetched) -> None:
        """Record validators only once the file has been imported successfully."""
        self._state[fetched.url] = {
            k: v for k, v in (("etag", fetched.etag), ("last_modified", fetched.last_modified),
                              ("sha256", fetched.sha256)) if v
        }
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(self._state, fh, indent=1)
        os.replace(tmp, self.state_path)
