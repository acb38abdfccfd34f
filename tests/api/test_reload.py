"""A list update during traffic: every answer comes whole from one list version, none fails,
and every answered screening is in the audit ledger."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import httpx
from tests.api.conftest import make_keys, serving

from entityscreen.audit import Ledger
from entityscreen.settings import Settings
from entityscreen.store import Store
from entityscreen.updates import update_from_path

OLD, NEW = '"85 F.R. 70581 11/5/2020"', '"85 F.R. 70581 11/5/2020 88 F.R. 1 1/3/2023"'


def test_list_update_during_traffic(tmp_path: Path, lists_dir: Path) -> None:
    home, drop = tmp_path / "home", tmp_path / "drop"
    drop.mkdir()
    dpl = drop / "dpl.txt"
    shutil.copy(lists_dir / "bis_dpl" / "2023-11-30" / "dpl.txt", dpl)
    with Store.open(home / "entityscreen.sqlite") as store:
        update_from_path(store, drop)
    keys = make_keys(home)
    answers: list[tuple[int, int, str]] = []  # status, list version, citation
    stop = threading.Event()

    with serving(Settings.from_env(home=home)) as url:
        def traffic() -> None:
            with httpx.Client(base_url=url, timeout=60, headers={
                    "Authorization": f"Bearer {keys['screener']}"}) as client:
                while not stop.is_set():
                    res = client.get("/search", params={"q": "Abdul Majid Saidi", "limit": 1})
                    if res.status_code != 200:
                        answers.append((res.status_code, 0, res.text))
                        continue
                    data = res.json()
                    (version,) = [s["version"] for s in data["data"]["sources"]]
                    answers.append((200, version,
                                    data["results"][0]["listings"][0]["citation"]))

        threads = [threading.Thread(target=traffic) for _ in range(3)]
        for t in threads:
            t.start()
        dpl.write_text(dpl.read_text("utf-8").replace(OLD, NEW), "utf-8")
        with Store.open(home / "entityscreen.sqlite") as store:
            update_from_path(store, drop)
        res = httpx.post(url + "/admin/reload",
                         headers={"Authorization": f"Bearer {keys['admin']}"}, timeout=60)
        assert res.json()["lists"] == {"bis_dpl": 2}
        while sum(1 for a in answers if a[1] == 2) < 10:
            threading.Event().wait(0.05)
        stop.set()
        for t in threads:
            t.join()

    assert {a[0] for a in answers} == {200}
    for _status, version, citation in answers:
        assert ("88 F.R. 1" in citation) == (version == 2), (version, citation)
    assert {a[1] for a in answers} == {1, 2} or {a[1] for a in answers} == {2}
    with Ledger.open(home / "audit.sqlite") as ledger:
        assert ledger.verify() == len(answers)
        versions = [r.body["lists"]["bis_dpl"] for r in ledger.records(kind="screening")]
    assert sorted(versions) == sorted(a[1] for a in answers)
