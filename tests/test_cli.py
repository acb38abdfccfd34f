"""The command line: the JSON contract, streaming, errors with exit codes, and docs."""

from __future__ import annotations

import json
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EVAL
from entityscreen.cli import cli

pytestmark = pytest.mark.slow

RESULT_KEYS = {"id", "name", "aliases", "type", "score", "match", "matched_name", "listings",
               "explanation", "algorithm", "countries"}
LISTING_KEYS = {"source", "list", "program", "listed_on", "restriction", "citation", "authority"}


def run(home: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args], input=stdin)


@pytest.fixture(scope="module")
def ready(screener, home: Path) -> Path:  # type: ignore[no-untyped-def]
    return home  # the session fixture has imported the bundled lists into home


def test_search_json_contract(ready: Path) -> None:
    res = run(ready, "search", "--json", "Hangzhou Hikvision Digital Technology Co Ltd")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["query"]["name"] == "Hangzhou Hikvision Digital Technology Co Ltd"
    assert out["results"], out
    for r in out["results"]:
        assert set(r) >= RESULT_KEYS
        assert 0.0 <= r["score"] <= 1.0
        assert r["match"] == (r["score"] >= 0.82)
        assert r["algorithm"] == "entityscreen-2"
        for lst in r["listings"]:
            assert set(lst) >= LISTING_KEYS
            assert lst["restriction"]
    top = out["results"][0]
    assert "HIKVISION" in top["name"].upper()
    assert {"aligned", "unmatched_query", "ignored", "folding", "evidence"} <= set(
        top["explanation"])
    assert out["data"]["sources"] and "stale" in out["data"]


def test_stream_answers_each_line_in_order(ready: Path) -> None:
    lines = [
        "Megvii",
        json.dumps({"name": "Quanguo Chen", "type": "person", "country": "CN"}),
        "",
        "{not json",
        json.dumps({"name": "Co., Ltd."}),
        json.dumps({"name": "x" * 10_000}),
        json.dumps({"name": "Zhejiang Dahua Technology", "type": "spaceship"}),
        "Hіkvision",  # Cyrillic і
        # an identifier the list gives decides, whatever the name (SenseTime's C.R. No.)
        json.dumps({"name": "Some Holding", "identifiers": ["2162198"]}),
    ]
    res = run(ready, "search", "--json", "-", stdin="\n".join(lines) + "\n")
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == len(lines)
    assert "MEGVII" in out[0]["results"][0]["name"].upper()
    assert out[1]["results"][0]["name"] == "CHEN, Quanguo" and out[1]["results"][0]["match"]
    assert out[2]["results"] == []
    assert "stdin line 4" in out[3]["error"]
    assert not any(r["match"] for r in out[4]["results"])
    assert "10000 characters" in out[5]["error"]
    assert "unknown type" in out[6]["error"]
    assert "HIKVISION" in out[7]["results"][0]["name"].upper()
    top = out[8]["results"][0]
    assert (top["name"], top["match"], top["score"]) == ("SENSETIME GROUP LIMITED", True, 1.0)
    assert top["explanation"]["evidence"][0]["attribute"] == "identifier"


def test_human_output_shows_listing_restriction_and_why(ready: Path) -> None:
    res = run(ready, "search", "Quanguo Chen", "--type", "person")
    assert res.exit_code == 0, res.output
    assert "CHEN, Quanguo" in res.stdout
    assert "GLOMAG" in res.stdout
    assert "MATCH" in res.stdout
    assert "why: quanguo≈quanguo" in res.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", "x" * 10_000], 2, r"10000 characters long; the limit is 1000"),
        (["search", "-"], 2, r"needs --json"),
        (["search", "Megvii", "--threshold", "2"], 2, r"threshold"),
        (["show", "no-such-id"], 2, r"no party with id"),
        (["update", "--from", "/nonexistent/dir"], 2, r"does not exist"),
    ],
)
def test_errors_are_one_line_with_exit_code(ready: Path, args: list[str], code: int,
                                            message: str) -> None:
    res = run(ready, *args)
    assert res.exit_code == code, res.output
    assert re.search(message, res.output)
    assert "Traceback" not in res.output


def test_lists_and_show(ready: Path) -> None:
    res = run(ready, "lists", "--json")
    assert res.exit_code == 0, res.output
    sources = {s["source"]: s for s in json.loads(res.stdout)["sources"]}
    assert set(sources) == {"us_csl", "ofac_cons_csv", "ofac_cons_enhanced", "un_sc", "uk_ofsi",
                            "bis_dpl"}
    assert sources["un_sc"]["published"] == "2026-02-27"
    assert sources["uk_ofsi"]["records"] == 4686
    res = run(ready, "show", "--json", "us_csl:33114")
    assert res.exit_code == 0, res.output
    party = json.loads(res.stdout)
    assert party["name"] == "SENSETIME GROUP LIMITED"
    feeds = {f for lst in party["listings"] for f in lst["source"].split(", ")}
    assert {"us_csl", "ofac_cons_csv", "ofac_cons_enhanced"} <= feeds
    assert any(n["script"] == "Han" for n in party["names"])


def test_update_from_folder_and_failed_import_keeps_data(tmp_path: Path,
                                                          lists_dir: Path) -> None:
    home, drop = tmp_path / "home", tmp_path / "drop"
    drop.mkdir()
    shutil.copy(lists_dir / "bis_dpl" / "2023-11-30" / "dpl.txt", drop / "dpl.txt")
    res = run(home, "update", "--from", str(drop))
    assert res.exit_code == 0, res.output
    assert "bis_dpl: version 1, 547 records" in res.stdout
    (drop / "dpl.txt").write_bytes((drop / "dpl.txt").read_bytes()[:5000])  # truncated
    res = run(home, "update", "--from", str(drop))
    assert res.exit_code == 3, res.output
    assert "dpl.txt" in res.output and "truncated" in res.output
    res = run(home, "lists", "--json")
    assert [(s["source"], s["version"], s["records"]) for s in
            json.loads(res.stdout)["sources"]] == [("bis_dpl", 1, 547)]


def _commands() -> dict[str, object]:
    ctx = cli.make_context("entityscreen", [], resilient_parsing=True)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}


def test_every_command_has_help() -> None:
    for name, command in _commands().items():
        assert command.help, f"command {name} has no help"  # type: ignore[attr-defined]
        res = CliRunner().invoke(cli, [name, "--help"])
        assert res.exit_code == 0


def test_readme_documents_every_setting_and_command() -> None:
    from entityscreen.settings import documented

    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    for name, _default, _help, env in documented():
        assert f"| {name} |" in readme, f"setting {name} missing from README"
        if env:
            assert env in readme
    for name in _commands():
        assert f"entityscreen {name}" in readme, f"command {name} missing from README"


def test_stream_on_two_workers_answers_as_one(ready: Path) -> None:
    """`search --json -` answers on every core: the same lines, the same order, the same
    answers (errors included) as one process."""
    cases = [json.loads(line)["query"] for line in (EVAL / "dev.jsonl").open()][:120]
    lines = [json.dumps(c, ensure_ascii=False) for c in cases]
    lines[7:7] = ["{not json", "", json.dumps({"name": "Megvii", "type": "spaceship"})]
    stdin = "\n".join(lines) + "\n"
    one = run(ready, "search", "--json", "-", "--workers", "1", stdin=stdin)
    two = run(ready, "search", "--json", "-", "--workers", "2", stdin=stdin)
    assert one.exit_code == two.exit_code == 0, two.output
    assert two.stdout == one.stdout
    answers = [json.loads(x) for x in two.stdout.splitlines()]
    assert len(answers) == len(lines)
    assert "stdin line 8" in answers[7]["error"] and "unknown type" in answers[9]["error"]


def test_stream_on_workers_answers_a_line_before_the_next_arrives(ready: Path) -> None:
    """A caller that writes one line and waits for its answer gets it: the workers do not
    wait for more input to fill a batch."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "entityscreen", "--home", str(ready), "search", "--json", "-",
         "--workers", "2"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for name, expected in (("Megvii", "MEGVII"), ("Hangzhou Hikvision", "HIKVISION")):
            proc.stdin.write(name + "\n")
            proc.stdin.flush()
            ready_to_read, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready_to_read, f"no answer to {name!r} while the input stays open"
            answer = json.loads(proc.stdout.readline())
            assert expected in answer["results"][0]["name"].upper()
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
