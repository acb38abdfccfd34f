"""The audit ledger: hash-chained, append-only; verify finds edits and deletions; export;
retention; and every screening over HTTP leaves a record before its answer."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.api.conftest import Server

from entityscreen.audit import Ledger
from entityscreen.cli import cli
from entityscreen.errors import AuditError


def _ledger(tmp_path: Path, n: int = 5) -> Path:
    path = tmp_path / "audit.sqlite"
    with Ledger.open(path) as ledger:
        start = datetime(2025, 1, 1, tzinfo=UTC)
        for i in range(n):
            ledger.append("screening", actor=f"key:{i}", body={"q": f"Name {i}", "é": "ü"},
                          at=start + timedelta(days=i))
    return path


def _tamper(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER ledger_no_update")
    conn.execute("DROP TRIGGER ledger_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_chain_verifies_and_refuses_updates(tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    with Ledger.open(path) as ledger:
        assert ledger.verify() == 5
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            ledger._conn.execute("UPDATE ledger SET actor='x' WHERE seq=2")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            ledger._conn.execute("DELETE FROM ledger WHERE seq=2")


@pytest.mark.parametrize(("sql", "message"), [
    ("UPDATE ledger SET body='{\"q\":\"Other\"}' WHERE seq=3", "record 3 was changed"),
    ("UPDATE ledger SET at='2020-01-01' WHERE seq=1", "record 1 was changed"),
    ("DELETE FROM ledger WHERE seq=2", "record 2 is missing"),
    ("DELETE FROM ledger WHERE seq=5", "newest audit records after 4 were deleted"),
    ("UPDATE ledger SET seq=seq+10 WHERE seq=5", "record 5 is missing"),
])
def test_verify_detects_edits_and_deletions(tmp_path: Path, sql: str, message: str) -> None:
    path = _ledger(tmp_path)
    _tamper(path, sql)
    with Ledger.open(path) as ledger, pytest.raises(AuditError, match=message):
        ledger.verify()
    res = CliRunner().invoke(cli, ["--home", str(tmp_path), "audit", "verify"])
    assert res.exit_code == 6 and message in res.output and "Traceback" not in res.output


def test_export_csv_and_jsonl_by_dates(tmp_path: Path) -> None:
    _ledger(tmp_path)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(cli, ["--home", str(tmp_path), "audit", "export", "--from",
                                   "2025-01-02", "--to", "2025-01-04", "--format", "csv",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [r["seq"] for r in rows] == ["2", "3"]
    assert json.loads(rows[0]["body"]) == {"q": "Name 1", "é": "ü"}
    res = CliRunner().invoke(cli, ["--home", str(tmp_path), "audit", "export"])
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["seq"] for x in lines] == [1, 2, 3, 4, 5]
    assert lines[1]["prev"] == lines[0]["hash"]


def test_retention_purge_keeps_the_chain_verifiable(tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    with Ledger.open(path) as ledger:
        now = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=3653 + 2, hours=12)
        assert ledger.purge(3653, now=now) == 3  # days 0, 1, 2 are past ten years
        assert ledger.verify() == 2
        ledger.append("screening", actor="key:x", body={})
        assert ledger.verify() == 3
        assert [r.seq for r in ledger.records()] == [4, 5, 6]


def test_every_screening_is_recorded_before_the_answer(server: Server) -> None:
    with Ledger.open(server.home / "audit.sqlite") as ledger:
        before = ledger.count()
        res = server.client("screener").get("/search", params={"q": "Megvii", "limit": 2})
        assert res.status_code == 200
        res = server.client("screener").post("/match/default", json={"queries": {
            "a": {"schema": "Company", "properties": {"name": ["Megvii"]}},
            "b": {"schema": "Person", "properties": {"name": ["Jane Unlisted Doe"]}}}})
        assert res.status_code == 200
        records = list(ledger.records())[before:]
        assert ledger.verify() >= before + 2
    search, match = records[-2], records[-1]
    assert search.kind == "screening" and search.actor.endswith(":screener-test")
    body = search.body
    assert body["endpoint"] == "search" and body["algorithm"] == "entityscreen-2"
    assert body["threshold"] == 0.82 and body["limit"] == 2
    assert set(body["lists"]) == {"us_csl", "ofac_cons_csv", "ofac_cons_enhanced", "un_sc",
                                  "uk_ofsi", "bis_dpl"}
    (q,) = body["queries"]["q"]
    assert q["query"]["name"] == "Megvii"
    assert q["hits"][0]["score"] == res_first_score(server)
    assert set(match.body["queries"]) == {"a", "b"}
    assert datetime.fromisoformat(search.at) <= datetime.fromisoformat(match.at)


def res_first_score(server: Server) -> float:
    got = server.client("screener").get("/search", params={"q": "Megvii", "limit": 2})
    return float(got.json()["results"][0]["score"])


def test_a_csv_export_recomputes_row_by_row(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The CSV holds each body as stored and hashed, whichever encoder wrote it."""
    from entityscreen import audit

    buf = io.StringIO()
    with Ledger.open(tmp_path / "audit.sqlite") as ledger:
        monkeypatch.setattr(audit, "_canonical", lambda b: json.dumps(
            b, ensure_ascii=False, sort_keys=True, separators=(",", ":")))  # an older encoder
        ledger.append("screening", actor="key:a", body={"score": 1e-05})
        monkeypatch.undo()
        ledger.append("screening", actor="key:a", body={"score": 1e-05, "name": "旷视科技"})
        ledger.append("screening", actor="key:a", body={"big": 2**70})  # orjson refuses it
        assert ledger.export(buf, "csv") == 3
        assert ledger.verify() == 3
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    prev = audit.GENESIS
    for r in rows:
        assert audit._digest(prev, int(r["seq"]), r["at"], r["kind"], r["actor"],
                             r["body"]) == r["hash"]
        prev = r["hash"]
    assert [r["body"] for r in rows] == ['{"score":1e-05}',
                                         '{"name":"旷视科技","score":0.00001}',
                                         '{"big":1180591620717411303424}']
