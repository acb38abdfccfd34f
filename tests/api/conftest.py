"""A real uvicorn server on a free loopback port, over the session's store (bundled lists),
with one key per role; and helpers to start an app in-process on its own home."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from entityscreen.api import create_app
from entityscreen.api.keys import KeyStore
from entityscreen.settings import Settings
from entityscreen.store import Store
from entityscreen.updates import update_from_path


@dataclass
class Server:
    url: str
    home: Path
    keys: dict[str, str]  # name -> key

    def client(self, who: str | None = "screener") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_keys(home: Path) -> dict[str, str]:
    with KeyStore.open(home / "keys.sqlite") as ks:
        return {
            "screener": ks.create("screener", "screener-test")[1],
            "reviewer": ks.create("reviewer", "alice")[1],
            "reviewer2": ks.create("reviewer", "bob")[1],
            "admin": ks.create("admin", "admin-test")[1],
            "slow": ks.create("screener", "two-a-minute", rate=2)[1],
        }


def dpl_home(tmp_path: Path, lists_dir: Path) -> Path:
    """A home of its own holding only the Denied Persons List (547 records: quick to load)."""
    home, drop = tmp_path / "home", tmp_path / "drop"
    drop.mkdir()
    shutil.copy(lists_dir / "bis_dpl" / "2023-11-30" / "dpl.txt", drop / "dpl.txt")
    with Store.open(home / "entityscreen.sqlite") as store:
        update_from_path(store, drop)
    return home


@contextlib.contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """``entityscreen serve`` in a thread on a free loopback port, until its lists are
    loaded; yields its URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not become ready")
        time.sleep(0.05)
    try:
        yield url
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(home: Path, screener: object) -> Iterator[Server]:
    """``screener`` first: the session's store is imported and indexed once, by it. One
    server per module: its threads end with the module (other tests fork, and check that
    they are alone)."""
    keys = make_keys(home)
    with serving(Settings.from_env(home=home)) as url:
        yield Server(url, home, keys)
