"""Per-key rate limits hold across server processes: every process on a home spends the same
token buckets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from tests.api.conftest import dpl_home, free_port, make_keys

from entityscreen.api.limits import RateLimiter


def test_buckets_refill_and_are_shared_by_every_opener(tmp_path: Path) -> None:
    now = [1000.0]
    a = RateLimiter.open(tmp_path / "limits.sqlite", clock=lambda: now[0])
    b = RateLimiter.open(tmp_path / "limits.sqlite", clock=lambda: now[0])
    # 3 a minute: a burst of 3 between the two, then one every 20 s
    assert [a.take("k1", 3), b.take("k1", 3), a.take("k1", 3)] == [None, None, None]
    assert b.take("k1", 3) == 20.0
    assert a.take("k2", 3) is None  # another key has its own bucket
    now[0] += 10
    assert a.take("k1", 3) == 10.0
    now[0] += 10
    assert b.take("k1", 3) is None and a.take("k1", 3) == 20.0
    now[0] -= 3600  # the clock went back: no refill, no error
    assert a.take("k1", 3) == 20.0
    now[0] += 3600 + 600  # long idle: back to a full burst, not more
    assert [a.take("k1", 3) for _ in range(4)] == [None, None, None, 20.0]
    a.close()
    b.close()


_SPEND = """
import sys
from entityscreen.api.limits import RateLimiter
limiter = RateLimiter.open(__import__("pathlib").Path(sys.argv[1]), clock=lambda: 5000.0)
print(sum(limiter.take("k", 50) is None for _ in range(100)))
"""


def test_two_processes_spend_one_bucket(tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _SPEND, str(tmp_path / "limits.sqlite")],
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    allowed = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert sum(allowed) == 50, allowed


def test_serve_with_two_workers_holds_a_keys_limit(tmp_path: Path, lists_dir: Path) -> None:
    home = dpl_home(tmp_path, lists_dir)
    keys = make_keys(home)  # "slow": 2 requests a minute
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "entityscreen", "--home", str(home), "serve",
                             "--port", str(port), "--workers", "2"],
                            env={**os.environ, "ENTITYSCREEN_HOME": ""},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        ready = 0
        while ready < 10:  # both processes up and loaded: ten readies in a row
            try:
                ready = ready + 1 if httpx.get(url + "/readyz").status_code == 200 else 0
            except httpx.TransportError:
                ready = 0
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "not ready within 120 s"
            time.sleep(0.05)

        def one(_: int) -> int:
            # a connection of its own each: the two processes share the listening socket
            return httpx.get(url + "/search", params={"q": "Abdul Majid Saidi"}, timeout=60,
                             headers={"Authorization": f"Bearer {keys['slow']}"}).status_code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(one, range(16)))
        assert sorted(codes) == [200] * 2 + [429] * 14
        other = httpx.get(url + "/search", params={"q": "Abdul Majid Saidi"},
                          headers={"Authorization": f"Bearer {keys['screener']}"})
        assert other.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err, err.decode()


def test_a_busy_key_takes_tokens_in_leases_and_none_is_made_up(tmp_path: Path) -> None:
    a = RateLimiter.open(tmp_path / "limits.sqlite", clock=lambda: 1000.0)
    b = RateLimiter.open(tmp_path / "limits.sqlite", clock=lambda: 1000.0)
    statements: list[str] = []
    for limiter in (a, b):
        limiter._conn.set_trace_callback(statements.append)
    allowed, refused = 0, 0
    while refused < 2:  # both openers, in turn, until neither has a token left
        for limiter in (a, b):
            if limiter.take("busy", 60_000) is None:
                allowed, refused = allowed + 1, 0
            else:
                refused += 1
    assert allowed == 60_000  # 100 at a time from the shared bucket, all spent, none extra
    # the shared bucket is written once per 100 requests (and once per refusal)
    assert sum("INSERT INTO buckets" in x for x in statements) == 600 + 2
    a.close()
    b.close()
