"""The review queue: decisions need a reason, concurrent decisions conflict, four-eyes needs
a second reviewer, and a false positive re-opens when the party's listing changes."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from tests.api.conftest import Server, make_keys, serving

from entityscreen.audit import Ledger
from entityscreen.errors import AccessError, ConflictError, UsageError
from entityscreen.review import Reviews
from entityscreen.settings import Settings
from entityscreen.store import Store
from entityscreen.updates import update_from_path

QUERY = {"name": "Abdul Majid Saidi", "type": None, "country": None, "birth_date": None,
         "identifiers": []}


def _reviews(tmp_path: Path, four_eyes: bool = False) -> Reviews:
    ledger = Ledger.open(tmp_path / "audit.sqlite")
    reviews = Reviews.open(tmp_path / "reviews.sqlite", ledger=ledger, four_eyes=four_eyes)
    reviews.enqueue(QUERY, [("bis_dpl:x", "ABDUL MAJID SAIDI", 0.97)], screening=1)
    return reviews


def test_decisions_need_a_reason_and_the_current_version(tmp_path: Path) -> None:
    reviews = _reviews(tmp_path)
    (item,) = reviews.queue()
    with pytest.raises(UsageError, match="needs a reason"):
        reviews.decide(item.id, "false_positive", "  ", reviewer="a", version=1,
                       fingerprint="f1")
    with pytest.raises(UsageError, match="unknown decision"):
        reviews.decide(item.id, "probably", "r", reviewer="a", version=1, fingerprint="f1")
    done = reviews.decide(item.id, "false_positive", "born 1961, listed 1975", reviewer="a",
                          version=1, fingerprint="f1")
    assert (done.status, done.version, done.reason) == ("false_positive", 2,
                                                        "born 1961, listed 1975")
    with pytest.raises(ConflictError, match="version 2"):
        reviews.decide(item.id, "true_match", "r", reviewer="b", version=1, fingerprint="f1")
    # the same query and party again: still decided, not queued anew (the false-hit list)
    assert reviews.enqueue(QUERY, [("bis_dpl:x", "ABDUL MAJID SAIDI", 0.97)],
                           screening=2) == []
    assert reviews.queue() == []
    assert reviews.reopen_changed(lambda pid: "f1") == []
    assert reviews.reopen_changed(lambda pid: "f2") == [item.id]
    assert reviews.get(item.id).status == "reopened"
    actions = [r.body["action"] for r in reviews.ledger.records(kind="review")]
    assert actions == ["decide", "reopen"] and reviews.ledger.verify() == 2


def test_four_eyes(tmp_path: Path) -> None:
    reviews = _reviews(tmp_path, four_eyes=True)
    (item,) = reviews.queue()
    pending = reviews.decide(item.id, "true_match", "same name, same city", reviewer="alice",
                             version=1, fingerprint="f")
    assert pending.status == "pending"
    with pytest.raises(AccessError, match="cannot also approve") as err:
        reviews.approve(item.id, reviewer="alice", version=2)
    assert err.value.http_status == 403
    done = reviews.approve(item.id, reviewer="bob", version=2)
    assert (done.status, done.decided_by, done.approved_by) == ("true_match", "alice", "bob")


def test_concurrent_decisions_on_one_hit(server: Server) -> None:
    server.client().get("/search", params={"q": "SenseTime Group Limited"})
    queue = server.client("reviewer").get("/reviews").json()["items"]
    item = next(i for i in queue if i["query"]["name"] == "SenseTime Group Limited"
                and i["status"] == "open")
    codes: list[int] = []
    barrier = threading.Barrier(4)

    def decide(who: str, decision: str) -> None:
        barrier.wait()
        res = server.client(who).post(f"/reviews/{item['id']}/decision", json={
            "decision": decision, "reason": f"{who} says so", "version": item["version"]})
        codes.append(res.status_code)

    threads = [threading.Thread(target=decide, args=(w, d)) for w, d in [
        ("reviewer", "true_match"), ("reviewer2", "false_positive"),
        ("admin", "true_match"), ("reviewer", "false_positive")]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409, 409, 409]
    with Ledger.open(server.home / "audit.sqlite") as ledger:
        decided = [r for r in ledger.records(kind="review") if r.body["item"] == item["id"]]
    assert len(decided) == 1
    final = server.client("reviewer").get(f"/reviews/{item['id']}").json()
    assert final["decision"] == decided[0].body["decision"] and final["version"] == 2


def test_false_positive_reopens_when_the_listing_changes(tmp_path: Path,
                                                         lists_dir: Path) -> None:
    home, drop = tmp_path / "home", tmp_path / "drop"
    drop.mkdir()
    dpl = drop / "dpl.txt"
    shutil.copy(lists_dir / "bis_dpl" / "2023-11-30" / "dpl.txt", dpl)
    with Store.open(home / "entityscreen.sqlite") as store:
        update_from_path(store, drop)
    keys = make_keys(home)
    with serving(Settings.from_env(home=home)) as url, httpx.Client(base_url=url) as client:
        client.headers["Authorization"] = f"Bearer {keys['reviewer']}"
        hit = client.get("/search", params={"q": "Abdul Majid Saidi"}).json()["results"][0]
        assert hit["match"] and hit["name"] == "ABDUL MAJID SAIDI"
        (item,) = [i for i in client.get("/reviews").json()["items"]
                   if i["party_id"] == hit["id"]]
        res = client.post(f"/reviews/{item['id']}/decision", json={
            "decision": "false_positive", "reason": "our customer was born in 1990",
            "version": item["version"]})
        assert res.status_code == 200 and res.json()["status"] == "false_positive"
        # screened again: stays decided, not queued again
        client.get("/search", params={"q": "Abdul Majid Saidi"})
        assert all(i["party_id"] != hit["id"] for i in client.get("/reviews").json()["items"])
        # a list update changes the party's listing (a new Federal Register citation)
        text = dpl.read_text("utf-8")
        assert text.count('"85 F.R. 70581 11/5/2020"') == 1
        dpl.write_text(text.replace('"85 F.R. 70581 11/5/2020"',
                                    '"85 F.R. 70581 11/5/2020 88 F.R. 1 1/3/2023"'), "utf-8")
        with Store.open(home / "entityscreen.sqlite") as store:
            update_from_path(store, drop)
        client.headers["Authorization"] = f"Bearer {keys['admin']}"
        res = client.post("/admin/reload").json()
        assert res["reloaded"] is True and res["lists"] == {"bis_dpl": 2}
        reopened = [i for i in client.get("/reviews").json()["items"]
                    if i["party_id"] == hit["id"]]
        assert [i["status"] for i in reopened] == ["reopened"]
        page = client.get(f"/ui/parties/{quote(hit['id'], safe='')}")
        assert "changed" in page.text and "our customer was born in 1990" in page.text


def test_review_pages_need_a_reviewer(server: Server) -> None:
    page = httpx.get(server.url + "/ui/review",
                     cookies={"entityscreen_key": server.keys["screener"]})
    assert page.status_code == 403 and "needs reviewer" in page.text
    page = httpx.get(server.url + "/ui/review")
    assert page.status_code == 200 and 'name="key"' in page.text  # the sign-in form


def test_a_review_database_from_before_contexts_gains_the_column(tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(tmp_path / "reviews.sqlite") as old:
        old.execute("CREATE TABLE review_items (id INTEGER PRIMARY KEY, query_key TEXT NOT NULL,"
                    " query TEXT NOT NULL, party_id TEXT NOT NULL, party_name TEXT NOT NULL, "
                    "score REAL NOT NULL, screening INTEGER, created_at TEXT NOT NULL, status "
                    "TEXT NOT NULL, decision TEXT, reason TEXT, decided_by TEXT, decided_at "
                    "TEXT, approved_by TEXT, fingerprint TEXT, version INTEGER NOT NULL "
                    "DEFAULT 1, UNIQUE (query_key, party_id))")
        old.execute("INSERT INTO review_items (query_key, query, party_id, party_name, score, "
                    "created_at, status) VALUES ('k', '{\"name\": \"X\"}', 'p', 'X', 0.9, "
                    "'2026-01-01', 'open')")
    reviews = _reviews(tmp_path)
    assert [(i.party_id, i.context) for i in reviews.queue()] == [("bis_dpl:x", None),
                                                                  ("p", None)]
    reviews.enqueue({"name": "Y"}, [("p", "Y", 0.95)], screening=3,
                    context={"job": "j1", "row": 2, "key": "k2"})
    assert [i.context for i in reviews.queue(job="j1")] == [{"job": "j1", "row": 2, "key": "k2"}]
