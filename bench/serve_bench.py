"""Throughput and latency of `entityscreen serve` under load, and its start-up time.

    python bench/serve_bench.py                      # 1 and 2 server processes, 10 s each
    python bench/serve_bench.py --workers 2 --seconds 20

Starts the real command (`entityscreen serve`, loopback, a fresh API key) on the store in
ENTITYSCREEN_HOME (the bundled lists; the index cache must exist for the start-up figure to
mean "cached index"), times it until GET /readyz answers 200, then drives it with wrk
(Debian's `wrk`): 32 connections, bounded seconds, names taken in turn from a list of
listed and unlisted names, first on GET /search, then on POST /match with one query each.
Prints requests/s and latency percentiles, with the load average beside them (the machine
has 2 cores and wrk itself uses part of them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

NAMES = ("Megvii Technology", "Hikvision", "SenseTime Group Limited", "Sberbank",
         "Rosneft", "Kim Jong Un", "Vladimir Putin", "Huawei Technologies",
         "Siemens AG", "Acme Trading LLC", "Maria Gonzalez", "Zhang Wei",
         "Islamic Revolutionary Guard Corps", "Banco Nacional de Cuba", "Tata Motors",
         "John Smith", "Mahan Air", "Wagner Group", "Nippon Steel", "Olena Kovalenko")

_LUA = """
local names = {%s}
local i = 0
request = function()
  i = i + 1
  local n = names[(i %% #names) + 1]
  local auth = "Bearer %s"
  %s
end
"""
_GET = ('return wrk.format("GET", "/search?limit=5&q=" .. n, {["Authorization"]=auth})')
_POST = ('local body = \'{"queries":{"q":{"schema":"LegalEntity","properties":{"name":["\' '
         '.. n .. \'"]}}}}\'\n  return wrk.format("POST", "/match/default", '
         '{["Content-Type"]="application/json", ["Authorization"]=auth}, body)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its children so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
         "-s", str(script), url],
        capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if m is None:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rate, "p50": ms("50%"), "p90": ms("90%"), "p99": ms("99%"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "none"}  # type: ignore[dict-item]


def run(workers: int, seconds: int, connections: int, home: str) -> None:
    env = {**os.environ, "ENTITYSCREEN_HOME": home, "ENTITYSCREEN_RATE_LIMIT": "10000000"}
    exe = shutil.which("entityscreen") or str(Path(sys.executable).parent / "entityscreen")
    key = subprocess.run([exe, "keys", "create", "--role", "screener", "--name", "bench"],
                         env=env, capture_output=True, text=True, check=True
                         ).stdout.splitlines()[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen([exe, "serve", "--port", str(port), "--workers", str(workers)],
                              env=env)
    try:
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.perf_counter() - started > 120:
                raise SystemExit("the server did not start")
            time.sleep(0.02)
        ready = time.perf_counter() - started
        if workers > 1:  # each process loads its own index; wait until all answer
            time.sleep(3)
        print(f"\nserve --workers {workers}: ready in {ready:.2f} s (load {_load()})")
        names = ", ".join(json.dumps(quote(n)) for n in NAMES)
        names_raw = ", ".join(json.dumps(n) for n in NAMES)
        with tempfile.TemporaryDirectory() as tmp:
            # wrk.format drops -H headers once given its own: the key goes in each request
            for label, lua in (("GET /search", _LUA % (names, key, _GET)),
                               ("POST /match (1 query)", _LUA % (names_raw, key, _POST))):
                script = Path(tmp) / "s.lua"
                script.write_text(lua)
                before, cpu = _load(), _cpu_seconds(server.pid)
                r = _wrk(url, script, seconds, connections)
                # server CPU per answer: what the load average cannot distort much
                per = (_cpu_seconds(server.pid) - cpu) / max(1.0, r["rps"] * seconds) * 1000
                print(f"  {label:22} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f} ms  "
                      f"p90 {r['p90']:6.1f} ms  p99 {r['p99']:6.1f} ms  server CPU "
                      f"{per:.2f} ms/request  non-2xx {r['non2xx']}  socket errors "
                      f"{r['socket_errors']}  (load before {before}, after {_load()})")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--home", default=os.environ.get("ENTITYSCREEN_HOME"))
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install wrk")
    if not args.home:
        raise SystemExit("set ENTITYSCREEN_HOME (or --home) to a home with the lists loaded")
    print(f"entityscreen serve on loopback, {args.connections} connections, {args.seconds} s "
          f"per run; {os.cpu_count()} cores")
    for w in args.workers:
        run(w, args.seconds, args.connections, args.home)


if __name__ == "__main__":
    main()
