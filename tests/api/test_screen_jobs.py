"""POST /screen: a file uploaded becomes a bulk job with a status and results to download."""

from __future__ import annotations

import json
import time

from tests.api.conftest import Server

from entityscreen.audit import Ledger

CSV = (b"customer_id,name,country\n"
       b"c1,SenseTime Group Limited,CN\n"
       b"c2,Jane Quite Unlisted Person,GB\n"
       b"c3,,US\n")


def _wait(server: Server, job_id: str) -> dict[str, object]:
    for _ in range(600):
        job: dict[str, object] = server.client().get(f"/screen/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_upload_poll_download(server: Server) -> None:
    res = server.client().post("/screen", files={"file": ("suppliers.csv", CSV, "text/csv")})
    assert res.status_code == 202, res.text
    job = res.json()
    assert job["status"] in ("queued", "running", "done") and job["filename"] == "suppliers.csv"
    early = server.client().get(job["results_url"])
    assert early.status_code in (200, 404)  # 404 with the shape while it runs
    done = _wait(server, str(job["id"]))
    assert done["status"] == "done", done
    assert (done["rows"], done["matches"], done["rejects"]) == (3, 1, 1)
    rows = [json.loads(x) for x in server.client().get(job["results_url"]).text.splitlines()]
    by_key = {r["key"]: r for r in rows}
    assert by_key["c1"]["decision"] == "match" and by_key["c3"]["decision"] == "rejected"
    rejects = server.client().get(job["results_url"], params={"which": "rejects"})
    assert rejects.status_code == 200 and "empty name" in rejects.text
    with Ledger.open(server.home / "audit.sqlite") as ledger:
        (rec,) = [r for r in ledger.records(kind="bulk_screening")
                  if r.body["job"] == job["id"]]
    assert rec.body["rows"] == 3 and rec.body["lists"]["un_sc"] >= 1


def test_raw_upload_and_bad_files(server: Server) -> None:
    res = server.client().post("/screen", params={"filename": "x.csv", "format": "csv"},
                               content=CSV)
    assert res.status_code == 202
    done = _wait(server, res.json()["id"])
    assert done["status"] == "done"
    assert server.client().get(res.json()["results_url"]).text.startswith("row,")
    broken = server.client().post("/screen", params={"filename": "x.xlsx"},
                                  content=b"PK\x03\x04 not really a workbook")
    job = _wait(server, broken.json()["id"])
    assert job["status"] == "failed"
    assert "x.xlsx is not a readable XLSX file" in str(job["error"])
    too_big = server.client().post("/screen", params={"filename": "x.csv"},
                                   content=b"a" * 50_000_001)
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large_error"
