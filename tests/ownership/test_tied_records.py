"""One name listed as separate records by several publishers: an owner is every record that
matches it as well as the best one, so no rule misses a listing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from entityscreen.cli import cli
from entityscreen.model import Query

pytestmark = pytest.mark.slow

# Hikvision is in the bundled lists twice under the same name: an OFAC NS-CMIC record and a BIS
# Entity List record (us_csl). The company it owns here is made up.
TABLE = """owner,owned,share,as_of
Hangzhou Hikvision Digital Technology Co Ltd,Hikvision Example Camera Co,60,2024-01-01
"""


def run(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args])


def test_an_owner_on_two_lists_as_two_records_carries_both(
        screener, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hits = [h for h in screener.search(Query("Hangzhou Hikvision Digital Technology Co Ltd"),
                                       limit=5) if h.match]
    lists = {lst.list for h in hits[:2] for lst in screener.party(h.party_id).listings}
    assert {"EL", "CMIC"} <= lists  # the premise: two records, two lists, same top score
    dest = tmp_path / "home"
    shutil.copytree(home, dest, ignore=shutil.ignore_patterns("ownership.sqlite*"))
    table = tmp_path / "holdings.csv"
    table.write_text(TABLE)
    res = run(dest, "ownership", "import", str(table))
    assert res.exit_code == 0, res.output
    res = run(dest, "owners", "--json", "--as-of", "2026-12-03", "Hikvision Example Camera Co")
    assert res.exit_code == 0, res.output
    verdicts = {v["rule"]: v for v in json.loads(res.stdout)["verdicts"]}
    bis = verdicts["bis_affiliates"]
    assert bis["status"] == "restricted by extension" and bis["aggregate"] == 60
    assert bis["restriction"].startswith("Entity List")
    # NS-CMIC and the Entity List block nothing under OFAC's 50 % rule
    assert verdicts["ofac_50"]["status"] == "clear"


def test_tied_records_are_kept_at_import_and_not_searched_again(
        screener, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from entityscreen.ownership.store import OwnershipStore
    from entityscreen.screener import Screener

    dest = tmp_path / "home"
    shutil.copytree(home, dest, ignore=shutil.ignore_patterns("ownership.sqlite*"))
    (tmp_path / "holdings.csv").write_text(TABLE)
    assert run(dest, "ownership", "import", str(tmp_path / "holdings.csv")).exit_code == 0
    before = json.loads(run(dest, "owners", "--json", "--as-of", "2026-12-03",
                            "Hikvision Example Camera Co").stdout)["verdicts"]
    with OwnershipStore.open(dest / "ownership.sqlite", create=False) as store:
        owner = next(n for n in store.listed_nodes())
        assert owner.party_ids is not None and len(owner.party_ids) >= 2
        assert owner.party_ids[0] == owner.party_id
        lists = {lst.list for pid in owner.party_ids for lst in screener.party(pid).listings}
        assert {"EL", "CMIC"} <= lists

    def no_search(self, *a, **kw):  # type: ignore[no-untyped-def]
        raise AssertionError("verdicts searched the lists again")

    monkeypatch.setattr(Screener, "search", no_search)
    after = json.loads(run(dest, "owners", "--json", "--as-of", "2026-12-03",
                           "Hikvision Example Camera Co").stdout)["verdicts"]
    assert after == before


def test_store_from_before_party_ids_searches_again_with_the_same_verdicts(
        screener, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    dest = tmp_path / "home"
    shutil.copytree(home, dest, ignore=shutil.ignore_patterns("ownership.sqlite*"))
    (tmp_path / "holdings.csv").write_text(TABLE)
    assert run(dest, "ownership", "import", str(tmp_path / "holdings.csv")).exit_code == 0
    args = ("owners", "--json", "--as-of", "2026-12-03", "Hikvision Example Camera Co")
    kept = json.loads(run(dest, *args).stdout)["verdicts"]
    # as an older version wrote it: no party_ids column
    conn = sqlite3.connect(dest / "ownership.sqlite")
    conn.execute("ALTER TABLE nodes DROP COLUMN party_ids")
    conn.commit()
    conn.close()
    res = run(dest, *args)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["verdicts"] == kept
    conn = sqlite3.connect(dest / "ownership.sqlite")
    assert "party_ids" in {r[1] for r in conn.execute("PRAGMA table_info(nodes)")}
    conn.close()
