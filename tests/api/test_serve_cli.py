"""`entityscreen serve` as a user runs it: a key from `keys create`, the real command on a
free port, ready with the cached index, answering that key; stopped by SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.api.conftest import free_port

pytestmark = pytest.mark.slow


def test_serve_command(home: Path, screener: object) -> None:
    exe = [sys.executable, "-m", "entityscreen", "--home", str(home)]
    key = subprocess.run([*exe, "keys", "create", "--role", "screener"], capture_output=True,
                         text=True, check=True).stdout.splitlines()[-1]
    port = free_port()
    proc = subprocess.Popen([*exe, "serve", "--port", str(port)],
                            env={**os.environ, "ENTITYSCREEN_HOME": ""},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "not ready within 60 s"
            time.sleep(0.05)
        res = httpx.get(url + "/search", params={"q": "Megvii"},
                        headers={"Authorization": f"ApiKey {key}"})
        assert res.status_code == 200 and res.json()["results"][0]["match"]
        assert httpx.get(url + "/search", params={"q": "Megvii"}).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err
