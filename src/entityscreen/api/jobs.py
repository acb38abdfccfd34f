"""Bulk screening jobs: an uploaded file screened by ``bulk.screen_file`` on a worker thread.

Each job is a folder ``HOME/jobs/ID`` with the input, ``job.json`` (status, counts; written
atomically) and, when done, the results and rejects files. One job runs at a time, beside
the interactive requests; a job survives in its folder after the server stops (a job that
was running then is reported ``failed`` by the next server).

Rows decided ``match`` or ``review`` feed the review queue as single searches do: after each
chunk of rows, one ``bulk_alerts`` audit record holds those rows' queries and hits, then
their items are queued with the job, row and row key as context (the ledger first: no item
is queued whose hits are not in the ledger). The job's ``bulk_screening`` record at the end
holds the counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from entityscreen.audit import Ledger
from entityscreen.bulk import screen_file
from entityscreen.bulk.writers import OUTPUT_FORMATS, Outcome, ResultsFile, RunContext
from entityscreen.errors import EntityscreenError, NotFoundError, UsageError
from entityscreen.match.index import Index
from entityscreen.review import Reviews
from entityscreen.screener import Screener
from entityscreen.settings import Settings
from entityscreen.store import Store

__all__ = ["Jobs"]

_SAFE_EXT = {".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".jsonl", ".json", ".ndjson"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, path)


def _outcome(row: dict[str, Any]) -> Outcome:
    """A JSON-lines result row back as the Outcome it was written from."""
    return Outcome(row["row"], row["key"], row["name"], row["decision"], row["best_score"],
                   row["reason"], row["query"], tuple(row["hits"]), tuple(row["ownership"]))


def _to_review(row: dict[str, Any]) -> list[tuple[str, str, float]]:
    """The hits of a match or review row that a reviewer must look at: its matches, or, when
    none is at the threshold (a review row), every hit it has (all at or above the review
    threshold). A row decided by ownership alone, with no hit, queues nothing."""
    if row["decision"] not in ("match", "review"):
        return []
    hits = [h for h in row["hits"] if h["match"]] or row["hits"]
    return [(h["id"], h["name"], h["score"]) for h in hits]


class _Tap:
    """The stream ``screen_file`` writes its JSON-lines rows to: each row goes on to the
    results file in the format asked for, and each chunk's alerts to ``alerts``."""

    def __init__(self, results: ResultsFile,
                 alerts: Callable[[list[dict[str, Any]]], None]) -> None:
        self._results, self._alerts = results, alerts
        self._rest = b""

    def write(self, data: bytes) -> int:
        *lines, self._rest = (self._rest + data).split(b"\n")
        rows = [json.loads(line) for line in lines if line]
        if rows:
            self._results.write([_outcome(r) for r in rows])
            self._alerts([r for r in rows if r["decision"] in ("match", "review")])
        return len(data)

    def flush(self) -> None:
        pass


class _Alerts:
    """A job's match and review rows, chunk by chunk: one ``bulk_alerts`` audit record with
    their queries and hits, then their review items (pointing at that record)."""

    def __init__(self, job: dict[str, Any], ledger: Ledger, reviews: Reviews,
                 run: dict[str, Any]) -> None:
        self._job, self._ledger, self._reviews, self._run = job, ledger, reviews, run
        self.queued = 0  # review items opened

    def __call__(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        job_id = self._job["id"]
        (seq,) = self._ledger.append_many([("bulk_alerts", self._job["actor"], {
            "job": job_id, **self._run,
            "rows": [{"row": r["row"], "key": r["key"], "query": r["query"],
                      "decision": r["decision"],
                      "hits": [{"id": h["id"], "score": h["score"], "match": h["match"],
                                "matched_name": h["matched_name"]} for h in r["hits"]]}
                     for r in rows]})])
        self.queued += len(self._reviews.enqueue_many(
            (r["query"], _to_review(r), seq, {"job": job_id, "row": r["row"], "key": r["key"]})
            for r in rows))


class Jobs:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.home / "jobs"
        self.root.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entityscreen-job")
        self._lock = threading.Lock()
        for status in self.root.glob("*/job.json"):  # the previous server's unfinished jobs
            job = json.loads(status.read_text("utf-8"))
            if job["status"] in ("queued", "running"):
                job.update(status="failed", error="the server stopped during the job; "
                           "upload the file again", finished_at=_now())
                _write_json(status, job)

    def submit(self, data: bytes, filename: str, *, actor: str, index: Index,
               output_format: str, limit: int) -> dict[str, Any]:
        ext = Path(filename).suffix.lower()
        if ext not in _SAFE_EXT:
            raise UsageError(f"cannot screen a {ext or 'file without extension'!r} file",
                             fix="upload CSV, TSV, XLSX, Parquet or JSON lines")
        if output_format not in OUTPUT_FORMATS:
            raise UsageError(f"unknown output format {output_format!r}",
                             fix=f"use one of: {', '.join(OUTPUT_FORMATS)}")
        job_id = secrets.token_hex(8)
        folder = self.root / job_id
        folder.mkdir()
        (folder / f"input{ext}").write_bytes(data)
        job = {"id": job_id, "status": "queued", "filename": Path(filename).name,
               "bytes": len(data), "submitted_at": _now(), "actor": actor,
               "output_format": output_format, "limit": limit}
        _write_json(folder / "job.json", job)
        self._pool.submit(self._run, job, folder / f"input{ext}", index)
        return job

    def _run(self, job: dict[str, Any], source: Path, index: Index) -> None:
        folder = source.parent
        job = {**job, "status": "running", "started_at": _now()}
        _write_json(folder / "job.json", job)
        home = self.settings.home
        try:
            # this thread's own connections: sqlite ones do not cross threads
            with Store.open(self.settings.db_path) as store, \
                    Ledger.open(home / "audit.sqlite") as ledger, \
                    contextlib.closing(Reviews.open(home / "reviews.sqlite", ledger=ledger,
                                                    four_eyes=self.settings.four_eyes)
                                       ) as reviews:
                screener = Screener(self.settings, store, index)
                versions = {v.source: v.version for v in screener.versions}
                alerts = _Alerts(job, ledger, reviews, {
                    "lists": versions, "algorithm": screener.algorithm.name,
                    "threshold": self.settings.threshold})
                results = ResultsFile(folder / f"results.{job['output_format']}",
                                      job["output_format"],
                                      RunContext(job["limit"], versions, screener.algorithm.name))
                try:
                    summary = screen_file(screener, source, None, output_format="jsonl",
                                          # it only writes and flushes its stream
                                          stdout=_Tap(results, alerts),  # type: ignore[arg-type]
                                          limit=job["limit"], rejects=folder / "rejects.csv",
                                          workers=1)
                except BaseException:
                    results.close()
                    raise
                results.finish()
                counts = {"rows": summary.rows, "matches": summary.matches,
                          "reviews": summary.reviews, "clears": summary.clears,
                          "rejects": summary.rejects, "queued": alerts.queued}
                ledger.append("bulk_screening", actor=job["actor"], body={
                    "job": job["id"], "filename": job["filename"], "bytes": job["bytes"],
                    **counts, "lists": summary.list_versions, "algorithm": summary.algorithm,
                    "threshold": summary.threshold,
                    "review_threshold": summary.review_threshold,
                    "top": summary.top})
            job.update(status="done", finished_at=_now(), **counts)
        except EntityscreenError as exc:
            # name the file as the user knows it
            job.update(status="failed", finished_at=_now(),
                       error=str(exc).replace(source.name, job["filename"]))
        except Exception as exc:  # a bug: the job says so, the server stays up
            job.update(status="failed", finished_at=_now(),
                       error=f"internal error: {type(exc).__name__}")
        _write_json(folder / "job.json", job)

    def get(self, job_id: str) -> dict[str, Any]:
        if not job_id.isalnum():
            raise NotFoundError(f"no job {job_id!r}")
        path = self.root / job_id / "job.json"
        if not path.exists():
            raise NotFoundError(f"no job {job_id!r}", fix="POST /screen returns the job id")
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data

    def results(self, job_id: str, which: str = "results") -> Path:
        job = self.get(job_id)
        if job["status"] != "done":
            raise NotFoundError(f"job {job_id} is {job['status']}, it has no results yet",
                                fix=f"poll GET /screen/{job_id} until status is done")
        path = (self.root / job_id / ("rejects.csv" if which == "rejects"
                                      else f"results.{job['output_format']}"))
        if not path.exists():
            raise NotFoundError(f"job {job_id} has no {which} file")
        return path

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
