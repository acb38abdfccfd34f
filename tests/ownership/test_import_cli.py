"""A user's ownership table in, matched to real listed parties, and shown by owners / search /
screen: the 50 % rules end to end on the bundled lists."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from entityscreen.cli import cli

pytestmark = pytest.mark.slow

# XPCC (SDN 29299) and the Xinjiang Public Security Bureau (SDN 29159) are real SDN GLOMAG
# entries; the companies they own here are made up.
TABLE = """owner,owned,share,as_of
Xinjiang Production and Construction Corps,Tarim Example Trading Co,30,2024-01-01
XINJIANG PUBLIC SECURITY BUREAU,Tarim Example Trading Co,25,2024-01-01
Tarim Example Trading Co,Tarim Example Logistics LLC,100,2024-01-01
Tarim Example Trading Co,Kashgar Example Hotel,40,2024-01-01
"Beijing Sensetime Technology Development Co., Ltd.",Tarim Example Logistics LLC,,2024-01-01
Nobody Listed Holdings,Kashgar Example Hotel,60,
"""


def run(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args])


@pytest.fixture(scope="module")
def own_home(screener, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the session home (lists + index), so ownership data stays out of it."""
    dest = tmp_path_factory.mktemp("own") / "home"
    shutil.copytree(home, dest, ignore=shutil.ignore_patterns("ownership.sqlite*"))
    table = dest.parent / "holdings.csv"
    table.write_text(TABLE)
    res = run(dest, "ownership", "import", str(table), "--name", "mine")
    assert res.exit_code == 0, res.output
    assert "3 matched to listed parties" in res.stdout
    assert "unknown dates: 1 holding(s)" in res.stderr
    return dest


def test_owners_json_verdicts_paths_and_restriction(own_home: Path) -> None:
    res = run(own_home, "owners", "--json", "Tarim Example Logistics LLC")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    ofac = next(v for v in out["verdicts"] if v["rule"] == "ofac_50")
    assert ofac["status"] == "restricted by extension" and ofac["aggregate"] == 100
    assert sorted(p["text"] for p in ofac["paths"]) == [
        "XINJIANG PUBLIC SECURITY BUREAU —25 %→ Tarim Example Trading Co —100 %→ "
        "Tarim Example Logistics LLC",
        "Xinjiang Production and Construction Corps —30 %→ Tarim Example Trading Co —100 %→ "
        "Tarim Example Logistics LLC"]
    assert ofac["restriction"].startswith("Blocked")
    owner = next(o for o in ofac["owners"])
    assert (owner["name"], owner["share"], owner["listed_party"]) == (
        "Tarim Example Trading Co", 100, None)
    trading = json.loads(run(own_home, "owners", "--json", "Tarim Example Trading Co").stdout)
    xpcc = next(o for o in trading["verdicts"][0]["owners"] if o["share"] == 30)
    assert xpcc["listed_party"] == "us_csl:29299" and xpcc["match_score"] == 1.0
    assert xpcc["matched_name"] == "XINJIANG PRODUCTION AND CONSTRUCTION CORPS"
    bis = next(v for v in out["verdicts"] if v["rule"] == "bis_affiliates")
    assert bis["status"] == "ownership unknown — due diligence required"
    # 40 % from a blocked company + 60 % from an unlisted one: not blocked
    hotel = json.loads(run(own_home, "owners", "--json", "Kashgar Example Hotel").stdout)
    assert {v["status"] for v in hotel["verdicts"]} == {"clear"}


def test_as_of_before_the_holdings_and_suspended_rule(own_home: Path) -> None:
    out = json.loads(run(own_home, "owners", "--json", "--as-of", "2025-12-01",
                         "Tarim Example Logistics LLC").stdout)
    bis = next(v for v in out["verdicts"] if v["rule"] == "bis_affiliates")
    assert bis["status"] == "rule not in force"
    assert "not in force on 2025-12-01" in " ".join(bis["notes"])
    early = json.loads(run(own_home, "owners", "--json", "--as-of", "2023-06-01",
                           "Tarim Example Logistics LLC").stdout)
    assert early["verdicts"][0]["status"] == "restricted by extension"  # no start date stated


def test_owners_tree_text(own_home: Path) -> None:
    res = run(own_home, "owners", "Tarim Example Trading Co")
    assert res.exit_code == 0, res.output
    assert "ofac_50: restricted by extension" in res.stdout
    assert "↓ Tarim Example Logistics LLC 100 %" in res.stdout
    assert "↑ Xinjiang Production and Construction Corps 30 %" in res.stdout


def test_search_and_screen_say_restricted_by_extension(own_home: Path) -> None:
    res = run(own_home, "search", "--json", "Tarim Example Logistics LLC")
    out = json.loads(res.stdout)
    assert out["ownership"][0]["verdicts"][0]["status"] == "restricted by extension"
    plain = json.loads(run(own_home, "search", "--json", "Hikvision").stdout)
    assert plain["ownership"] == []
    infile = own_home.parent / "customers.csv"
    infile.write_text("name\nTarim Example Logistics LLC\nKashgar Example Hotel\n")
    outfile = own_home.parent / "out.jsonl"
    res = run(own_home, "screen", str(infile), "-o", str(outfile))
    rows = [json.loads(x) for x in outfile.read_text().splitlines()]
    assert rows[0]["decision"] == "match"
    assert rows[0]["ownership"][0]["verdicts"][0]["paths"]
    assert rows[1]["decision"] == "clear"
    flat = own_home.parent / "out.csv"
    assert run(own_home, "screen", str(infile), "-o", str(flat)).exit_code == 1  # a match
    import csv

    first = next(csv.DictReader(flat.open(encoding="utf-8")))
    assert first["decision"] == "match"
    assert first["ownership"].startswith("ofac_50: restricted by extension (100 %: ")
    assert "Xinjiang Production and Construction Corps —30 %→ Tarim Example Trading Co" in (
        first["ownership"])


def test_search_and_screen_as_of_a_date(own_home: Path) -> None:
    def rules(ownership: list[dict]) -> dict[str, str]:  # type: ignore[type-arg]
        return {v["rule"]: v["status"] for v in ownership[0]["verdicts"]}

    name = "Tarim Example Logistics LLC"
    now = json.loads(run(own_home, "search", "--json", "--as-of", "2026-12-03", name).stdout)
    then = json.loads(run(own_home, "search", "--json", "--as-of", "2025-12-01", name).stdout)
    assert then["ownership"][0]["as_of"] == "2025-12-01"
    assert rules(then["ownership"])["bis_affiliates"] == "rule not in force"  # suspended
    assert rules(then["ownership"])["ofac_50"] == "restricted by extension"
    assert rules(now["ownership"])["bis_affiliates"] != "rule not in force"
    infile = own_home.parent / "asof.csv"
    infile.write_text(f"name\n{name}\n")
    outfile = own_home.parent / "asof.jsonl"
    res = run(own_home, "screen", str(infile), "-o", str(outfile), "--as-of", "2025-12-01")
    assert res.exit_code == 1, res.output
    row = json.loads(outfile.read_text().splitlines()[0])
    assert rules(row["ownership"])["bis_affiliates"] == "rule not in force"
    for cmd in (["search", name], ["screen", str(infile)]):
        res = run(own_home, *cmd, "--as-of", "3 May")
        assert res.exit_code == 2 and "write YYYY-MM-DD" in res.stderr


def test_bad_as_of_and_unknown_name(own_home: Path) -> None:
    res = run(own_home, "owners", "--as-of", "3 May", "Tarim Example Trading Co")
    assert res.exit_code == 2 and "write YYYY-MM-DD" in res.stderr
    res = run(own_home, "owners", "Nobody At All")
    assert res.exit_code == 2 and "not in the imported ownership data" in res.stderr


def test_check_whole_graph_with_the_array_engine(own_home: Path) -> None:
    res = run(own_home, "ownership", "check", "--json")
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    ofac = {r["name"]: r["aggregate"] for r in rows if r["rule"] == "ofac_50"}
    assert ofac == {"Tarim Example Trading Co": 55, "Tarim Example Logistics LLC": 100}
    assert {r["name"] for r in rows if r["status"].startswith("ownership unknown")} == {
        "Tarim Example Logistics LLC"}
    text = run(own_home, "ownership", "check", "--as-of", "2025-12-01").stdout
    assert "bis_affiliates (NOT in force" in text


@pytest.mark.parametrize(("body", "message"), [
    ("owner,owned,share\nA Co,B Co,-5\n", "line 2: share '-5' is negative"),
    ("owner,owned,share\nA Co,B Co,150\n", "line 2: share '150' is over 100 %"),
    ("owner,owned,share\nA Co,A Co,50\n", "line 2: 'A Co' is said to own itself"),
    ("owner,owned,share,as_of\nA Co,B Co,50,03/2024\n", "line 2: date '03/2024' is not ISO"),
    ("owner,owned,pct\nA Co,B Co,50\n", "unknown column(s) 'pct'"),
    ("holder,owned\nA Co,B Co\n", "unknown column(s) 'holder'"),
])
def test_bad_rows_refuse_the_file(own_home: Path, body: str, message: str) -> None:
    bad = own_home.parent / "bad.csv"
    bad.write_text(body)
    res = run(own_home, "ownership", "import", str(bad), "--name", "bad")
    assert res.exit_code == 2
    assert message in res.stderr and "Traceback" not in res.output
    assert "bad:" not in run(own_home, "ownership", "sources").stdout  # nothing written


def test_skip_bad_imports_the_rest_and_lists_the_refused(own_home: Path) -> None:
    mixed = own_home.parent / "mixed.csv"
    mixed.write_text("owner,owned,share\nA Co,B Co,-5\nC Co,D Co,60\n")
    res = run(own_home, "ownership", "import", str(mixed), "--name", "mixed", "--skip-bad")
    assert res.exit_code == 0, res.output
    assert "1 holdings" in res.stdout
    assert "refused: mixed.csv line 2: share '-5' is negative" in res.stderr
    assert run(own_home, "ownership", "remove", "mixed").exit_code == 0


def test_duplicate_from_a_second_source_is_counted_once(own_home: Path) -> None:
    second = own_home.parent / "second.csv"
    second.write_text("owner,owned,share\nXINJIANG PUBLIC SECURITY BUREAU,Kashgar Example Hotel,"
                      "10\nTarim Example Trading Co,Kashgar Example Hotel,40\n")
    res = run(own_home, "ownership", "import", str(second), "--name", "second")
    assert res.exit_code == 0, res.output
    assert "duplicate: name:tarim example trading co → name:kashgar example hotel" in res.stderr
    assert "over 100 %" in res.stderr  # 40 + 60 + 10
    hotel = json.loads(run(own_home, "owners", "--json", "Kashgar Example Hotel").stdout)
    ofac = next(v for v in hotel["verdicts"] if v["rule"] == "ofac_50")
    assert ofac["aggregate"] == 50 and ofac["status"] == "restricted by extension"  # 40 + 10
    assert run(own_home, "ownership", "remove", "second").exit_code == 0


def test_over_100_and_unmatched_owners_are_reported_not_refused(own_home: Path) -> None:
    over = own_home.parent / "over.csv"
    over.write_text("owner,owned,share,as_of\n"
                    "Unlisted Example Holding One,Ural Example Works,70,2024-01-01\n"
                    "Unlisted Example Holding Two,Ural Example Works,45,2024-01-01\n")
    res = run(own_home, "ownership", "import", str(over), "--name", "over")
    assert res.exit_code == 0, res.output
    assert "(0 matched to listed parties, 3 match none)" in res.stdout
    assert ("no listed party matches: Unlisted Example Holding One; Ural Example Works; "
            "Unlisted Example Holding Two") in res.stdout
    assert ("over 100 %: name:ural example works: its owners' shares add up to 115 %; check "
            "the sources") in res.stderr
    tree = run(own_home, "owners", "Ural Example Works")
    assert tree.exit_code == 0 and "data issue (over 100 %)" in tree.stdout
    out = json.loads(run(own_home, "owners", "--json", "Ural Example Works").stdout)
    assert {v["status"] for v in out["verdicts"]} == {"clear"}  # no listed owner: nothing held
    assert [i["kind"] for i in out["issues"]] == ["over 100 %"]
    assert run(own_home, "ownership", "remove", "over").exit_code == 0
