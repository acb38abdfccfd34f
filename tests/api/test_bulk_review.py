"""Bulk jobs feed the review queue: a POST /screen job's match and review rows become review
items with the job as context, their hits are in the audit ledger first, and the results
files are the same as `entityscreen screen` writes."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from tests.api.conftest import dpl_home, make_keys, serving

from entityscreen.audit import Ledger
from entityscreen.bulk import screen_file
from entityscreen.screener import Screener
from entityscreen.settings import Settings

# on the Denied Persons List alone: a match (1.0), a review row (0.74: between the review
# threshold 0.70 and the match threshold 0.82), a clear row and a row with no name
CSV = ("customer_id,name,country\n"
       "c1,Abdul Majid Saidi,\n"
       "c2,Saeid Charkhi,\n"
       "c3,Jane Quite Unlisted Person,GB\n"
       "c4,,US\n")


def _run_job(client: httpx.Client, fmt: str) -> dict[str, object]:
    res = client.post("/screen", params={"format": fmt},
                      files={"file": ("customers.csv", CSV.encode(), "text/csv")})
    assert res.status_code == 202, res.text
    job_id = res.json()["id"]
    for _ in range(1200):
        job: dict[str, object] = client.get(f"/screen/{job_id}").json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return job
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_bulk_job_rows_reach_the_review_queue(tmp_path: Path, lists_dir: Path) -> None:
    home = dpl_home(tmp_path, lists_dir)
    keys = make_keys(home)
    settings = Settings.from_env(home=home)
    with serving(settings) as url:
        screener = httpx.Client(base_url=url, timeout=60,
                                headers={"Authorization": f"Bearer {keys['screener']}"})
        reviewer = httpx.Client(base_url=url, timeout=60,
                                headers={"Authorization": f"Bearer {keys['reviewer']}"})
        job = _run_job(screener, "csv")
        assert (job["rows"], job["matches"], job["reviews"], job["clears"], job["rejects"],
                job["queued"]) == (4, 1, 1, 1, 1, 2)
        csv_results = screener.get(f"/screen/{job['id']}/results").content

        items = reviewer.get("/reviews", params={"job": job["id"]}).json()["items"]
        by_key = {i["context"]["key"]: i for i in items}
        assert set(by_key) == {"c1", "c2"}
        assert by_key["c1"]["party_name"] == "ABDUL MAJID SAIDI"
        assert by_key["c1"]["score"] == 1.0 and by_key["c1"]["context"] == {
            "job": job["id"], "row": 1, "key": "c1"}
        assert by_key["c2"]["party_name"] == "SAEID YAHYA CHARKHIAN"
        assert 0.70 <= by_key["c2"]["score"] < 0.82  # a review row's hit is queued too
        assert {i["status"] for i in items} == {"open"}
        # the same queue as single searches: the unfiltered queue holds them, and the page
        everyone = reviewer.get("/reviews").json()["items"]
        assert {i["id"] for i in items} <= {i["id"] for i in everyone}
        page = reviewer.get("/ui/review").text
        assert f"bulk job {job['id']}, row 2, key c2" in page

        # decided over the API like any other item
        c2 = by_key["c2"]
        res = reviewer.post(f"/reviews/{c2['id']}/decision", json={
            "decision": "false_positive", "reason": "Saeid Charkhi is our supplier's clerk",
            "version": c2["version"]})
        assert res.status_code == 200 and res.json()["status"] == "false_positive"

        # the same file again: its rows are screened and audited, nothing is queued twice
        again = _run_job(screener, "jsonl")
        assert again["queued"] == 0 and again["matches"] == 1
        assert reviewer.get("/reviews", params={"job": again["id"]}).json()["items"] == []
        jsonl_results = screener.get(f"/screen/{again['id']}/results").content

    with Ledger.open(home / "audit.sqlite") as ledger:
        assert ledger.verify() == ledger.count()
        alerts = {r.seq: r for r in ledger.records(kind="bulk_alerts")}
        bulk = [r.body for r in ledger.records(kind="bulk_screening")]
        reviews = [r.body for r in ledger.records(kind="review")]
    # each item points at the audit record that holds its row's query and hits
    for item in items:
        record = alerts[item["screening"]]
        assert record.body["job"] == job["id"] and record.actor.endswith(":screener-test")
        (row,) = [r for r in record.body["rows"] if r["key"] == item["context"]["key"]]
        assert row["query"] == item["query"]
        assert item["party_id"] in {h["id"] for h in row["hits"]}
    assert sorted(r["key"] for a in alerts.values() for r in a.body["rows"]
                  if a.body["job"] == again["id"]) == ["c1", "c2"]
    assert [(b["job"], b["queued"]) for b in bulk] == [(job["id"], 2), (again["id"], 0)]
    assert [(r["item"], r["action"]) for r in reviews] == [(c2["id"], "decide")]

    # the results are what `entityscreen screen` writes from the same file
    (tmp_path / "in.csv").write_text(CSV, "utf-8")
    with Screener.open(settings) as s:
        for fmt, got in (("csv", csv_results), ("jsonl", jsonl_results)):
            out = tmp_path / f"out.{fmt}"
            screen_file(s, tmp_path / "in.csv", out, limit=3, workers=1)
            assert out.read_bytes() == got, fmt
