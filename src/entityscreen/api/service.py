"""What one server process holds: the screener (swapped whole when the lists change), the
audit ledger, the review queue, the keys, the bulk jobs; and screening with its audit record.

Requests run on the event loop thread and take ``service.screener`` once, so a list update
(a new screener built on a worker thread, then swapped in) never mixes two list versions in
one answer.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from entityscreen.api.jobs import Jobs
from entityscreen.api.keys import ApiKey, KeyStore
from entityscreen.api.limits import RateLimiter
from entityscreen.audit import Ledger
from entityscreen.changes import fingerprint
from entityscreen.errors import StoreError
from entityscreen.match.index import Index
from entityscreen.model import Hit, Query
from entityscreen.report import hit_to_dict, party_to_result, query_to_dict
from entityscreen.review import Item, Reviews
from entityscreen.screener import Screener
from entityscreen.settings import Settings
from entityscreen.store import Store

__all__ = ["Screened", "Service"]

# Seconds a verified key stays cached: a revoked key stops working within this time.
KEY_CACHE_SECONDS = 10.0
# Seconds between checks whether another process imported new list versions.
RELOAD_CHECK_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Screened:
    query: Query
    pairs: list[tuple[Hit, dict[str, Any]]]  # each hit with its report.hit_to_dict

    @property
    def results(self) -> list[dict[str, Any]]:
        return [r for _, r in self.pairs]


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        home = settings.home
        self.ledger = Ledger.open(home / "audit.sqlite")
        self.keys = KeyStore.open(home / "keys.sqlite")
        self.reviews = Reviews.open(home / "reviews.sqlite", ledger=self.ledger,
                                    four_eyes=settings.four_eyes)
        self.limiter = RateLimiter.open(home / "limits.sqlite")
        self.jobs = Jobs(settings)
        self.screener: Screener | None = None
        self.state_key: str | None = None
        self.lists: dict[str, int] = {}
        self.error: str | None = None
        self._key_cache: dict[str, tuple[ApiKey, float]] = {}
        self._reload_lock = asyncio.Lock()
        # screenings waiting for the next group commit to the ledger
        self._pending: list[tuple[tuple[str, str, dict[str, Any]], asyncio.Future[int]]] = []

    # -- the lists -------------------------------------------------------------------------

    def _build(self) -> tuple[Index, str]:
        """Worker thread: open (importing or indexing if needed) and return the index."""
        s = Screener.open(self.settings)
        try:
            # before ready: a first Chinese name must not stall every client for ~0.7 s
            s.warm()
            return s.index, s.store.state_key()
        finally:
            s.close()

    async def load(self) -> None:
        """Load (or reload) the lists off the event loop, then swap the screener in."""
        async with self._reload_lock:
            while True:
                try:
                    index, key = await asyncio.to_thread(self._build)
                except Exception as exc:  # readyz says why; the process stays up
                    self.error = str(exc)
                    raise
                # the store connection is opened here, on the thread that will use it
                screener = Screener(self.settings, Store.open(self.settings.db_path), index)
                if screener.store.state_key() == key:
                    break
                screener.close()  # another update landed meanwhile: index that one too
            old, self.screener, self.state_key = self.screener, screener, key
            self.lists = {v.source: v.version for v in screener.versions}
            self.error = None
            if old is not None:
                old.close()
            # a listing may have changed since a decision (also while no server ran)
            self.reopen_changed()

    async def reload_if_changed(self) -> bool:
        s = self.screener
        if s is None:
            if self.error is None:
                return False  # still loading
        elif s.store.state_key() == self.state_key:
            return False
        await self.load()
        return True

    async def watch_lists(self) -> None:
        while True:
            await asyncio.sleep(RELOAD_CHECK_SECONDS)
            try:
                await self.reload_if_changed()
            except Exception as exc:  # keep serving the lists already loaded
                self.error = f"reload failed: {exc}"

    def ready(self) -> Screener:
        if self.screener is None:
            raise StoreError(self.error or "the lists are still loading",
                             fix="wait for GET /readyz to answer 200")
        return self.screener

    def current_fingerprint(self, party_id: str) -> str | None:
        party = self.ready().party(party_id)
        return None if party is None else fingerprint(party)

    def reopen_changed(self) -> list[int]:
        return self.reviews.reopen_changed(self.current_fingerprint)

    def decide(self, item_id: int, decision: str, reason: str, *, reviewer: str, version: int
               ) -> Item:
        """A reviewer's decision, pinned to the party's listing as it is now (a false
        positive re-opens when that changes)."""
        party_id = self.reviews.get(item_id).party_id
        return self.reviews.decide(item_id, decision, reason, reviewer=reviewer,
                                   version=version,
                                   fingerprint=self.current_fingerprint(party_id))

    # -- keys ------------------------------------------------------------------------------

    def check_key(self, token: str) -> ApiKey | None:
        now = time.monotonic()
        got = self._key_cache.get(token)
        if got is not None and got[1] > now:
            return got[0]
        key = self.keys.verify(token)
        if key is not None:
            if len(self._key_cache) > 10_000:
                self._key_cache.clear()
            self._key_cache[token] = (key, now + KEY_CACHE_SECONDS)
        return key

    # -- screening -------------------------------------------------------------------------

    def screen(self, screener: Screener, query: Query, *, limit: int, threshold: float
               ) -> Screened:
        hits = screener.search(query, limit=limit, threshold=threshold)
        pairs = []
        for hit in hits:
            party = screener.party(hit.party_id)
            if party is not None:
                pairs.append((hit, hit_to_dict(hit, party,
                                               screener.derived(party, party_to_result))))
        return Screened(query, pairs)

    async def record(self, screener: Screener, key: ApiKey, endpoint: str,
                     screened: dict[str, list[Screened]], *, threshold: float, limit: int
                     ) -> int:
        """Append the screening to the ledger and queue its matches for review; returns the
        ledger record's number once it is committed (answer only after that).

        Records of requests answered in the same turn of the event loop are committed in one
        transaction (a group commit): one commit per batch instead of one per request."""
        body = {
            "endpoint": endpoint,
            "queries": {k: [{"query": query_to_dict(s.query), "hits": [
                {"id": r["id"], "score": r["score"], "match": r["match"],
                 "matched_name": r["matched_name"]} for r in s.results]} for s in ss]
                for k, ss in screened.items()},
            "lists": self.lists,
            "algorithm": screener.algorithm.name,
            "threshold": threshold,
            "limit": limit,
        }
        seq = await self._commit(("screening", key.actor, body))
        for ss in screened.values():
            for s in ss:
                matches = [(r["id"], r["name"], r["score"]) for r in s.results if r["match"]]
                if matches:
                    self.reviews.enqueue(query_to_dict(s.query), matches, screening=seq)
        return seq

    def _commit(self, record: tuple[str, str, dict[str, Any]]) -> asyncio.Future[int]:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[int] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((record, done))
        return done

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        try:
            seqs = self.ledger.append_many([r for r, _ in batch])
        except Exception as exc:  # every waiting request fails: none is answered unrecorded
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        for (_, done), seq in zip(batch, seqs, strict=True):
            if not done.done():
                done.set_result(seq)

    def close(self) -> None:
        if self.screener is not None:
            self.screener.close()
        self.reviews.close()
        self.limiter.close()
        self.keys.close()
        self.ledger.close()
