"""CPU per `GET /search` spent by the server around the engine, measured in one process.

    python bench/serve_overhead.py                 # ENTITYSCREEN_HOME with the lists loaded
    python bench/serve_overhead.py --requests 2000 --rounds 7

Calls the app as uvicorn would (ASGI, 16 requests at a time, no sockets) and times the CPU
of this process per answer (serve_bench's names in turn), beside the engine's own work for
the same names (``Service.screen``: search and result dicts) and beside the same app with
the SQLite stores stubbed out (rate limits, review queue, audit ledger), in interleaved rounds (the
minimum of each is given). CPU time, not wall time: a shared machine's load moves it much
less. What uvicorn and the sockets cost comes on top; bench/serve_bench.py measures that.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from serve_bench import NAMES  # the same names as the load test

BATCH = 16  # requests in flight together (their audit records share a commit)


def _stub_stores(service: Any) -> None:
    service.reviews.enqueue = lambda *a, **k: []
    service.limiter.take = lambda *a, **k: None
    count = [0]

    def append_many(records: list[Any], at: object = None) -> list[int]:
        count[0] += len(records)
        return list(range(count[0] - len(records), count[0]))

    service.ledger.append_many = append_many


async def main(requests: int, rounds: int) -> None:
    from entityscreen.api import create_app
    from entityscreen.api.keys import KeyStore
    from entityscreen.query import make_query
    from entityscreen.settings import Settings

    os.environ.setdefault("ENTITYSCREEN_RATE_LIMIT", "10000000")
    settings = Settings.from_env()
    with KeyStore.open(settings.home / "keys.sqlite") as ks:
        key = ks.create("screener", "serve_overhead bench")[1]
    apps = {"app": create_app(settings), "app, stores stubbed": create_app(settings)}
    for app in apps.values():
        await app.state.service.load()
    _stub_stores(apps["app, stores stubbed"].state.service)
    auth = f"Bearer {key}".encode()

    def caller(app: Any) -> Callable[[str], Awaitable[None]]:
        async def call(query: str) -> None:
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                     "method": "GET", "scheme": "http", "path": "/search",
                     "raw_path": b"/search", "query_string": query.encode(),
                     "headers": [(b"host", b"bench"), (b"authorization", auth)],
                     "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
                     "root_path": "", "state": {}}
            sent: list[dict[str, Any]] = []

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            await app(scope, receive, send)
            if sent[0]["status"] != 200:
                raise SystemExit(f"GET /search answered {sent[0]['status']}: {sent[1:]}")
        return call

    queries = [f"limit=5&q={quote(n)}" for n in NAMES]

    async def over_http(app: Any) -> float:
        call = caller(app)
        started = time.process_time()
        for i in range(0, requests, BATCH):
            await asyncio.gather(*(call(queries[(i + j) % len(queries)])
                                   for j in range(BATCH)))
        return (time.process_time() - started) / requests

    service = apps["app"].state.service
    screener = service.ready()

    async def engine(_: Any) -> float:
        started = time.process_time()
        for i in range(requests):
            query = make_query(NAMES[i % len(NAMES)], None, None, None)
            service.screen(screener, query, limit=5, threshold=settings.threshold)
        return (time.process_time() - started) / requests

    runs: dict[str, tuple[Callable[[Any], Awaitable[float]], Any]] = {
        "engine alone (Service.screen)": (engine, None),
        **{f"GET /search, {name}": (over_http, app) for name, app in apps.items()}}
    for run, arg in runs.values():  # warm the caches
        await run(arg)
    best: dict[str, float] = {}
    for _ in range(rounds):
        for label, (run, arg) in runs.items():
            best[label] = min(best.get(label, float("inf")), await run(arg))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"CPU per answer, best of {rounds} rounds of {requests} (load {load}):")
    base = best["engine alone (Service.screen)"]
    for label, cpu in best.items():
        extra = f"  (+{(cpu - base) * 1000:.3f} ms around the engine)" if cpu != base else ""
        print(f"  {label:34} {cpu * 1000:.3f} ms{extra}")
    for app in apps.values():
        app.state.service.jobs.close()
        app.state.service.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=800)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if not os.environ.get("ENTITYSCREEN_HOME"):
        raise SystemExit("set ENTITYSCREEN_HOME to a home with the lists loaded")
    import uvloop

    uvloop.run(main(args.requests, args.rounds))
