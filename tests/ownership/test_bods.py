"""BODS 0.4 statements in: the standard's own published examples (../shared/data/ownership)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from entityscreen.cli import cli
from entityscreen.errors import InputError
from entityscreen.ownership.bods import read_bods
from entityscreen.ownership.engine import evaluate
from entityscreen.ownership.graph import prepare
from entityscreen.ownership.model import Seed, Status

EXAMPLES = (Path(__file__).resolve().parents[3] / "shared" / "data" / "ownership" / "bods"
            / "data-standard_v0.4_examples")


@pytest.fixture(scope="module")
def examples() -> Path:
    if not EXAMPLES.is_dir():
        pytest.skip(f"BODS examples not found at {EXAMPLES}")
    return EXAMPLES


def verdict(parsed, on: str, blocked: str, key: str):  # type: ignore[no-untyped-def]
    ev = evaluate("ofac_50", prepare(parsed.edges, on).edges,
                  {blocked: Seed(blocked, "test", "blocked")})
    return ev.verdict(key)


def test_state_owned_chain_direct_and_indirect(examples: Path) -> None:
    p = read_bods(examples / "bods-package-fi-soe.json", source="fi")
    names = {n.key: n.name for n in p.nodes}
    held = sorted((names[e.owner], names[e.owned], e.share) for e in p.edges)
    assert {h[2] for h in held} == {100.0, 76.5, 23.5}
    assert [i.message for i in p.notes] == [
        "1 indirect shareholding(s) set aside: counted through the direct holdings"]
    assert [lk.relation for lk in p.links] == ["otherInfluenceOrControl"]  # never counted
    top = next(e.owner for e in p.edges if e.share == 100.0)
    bottom = next(e.owned for e in p.edges if e.share == 76.5)
    v = verdict(p, "2026-12-03", top, bottom)
    # 23.5 % directly + 76.5 % through a company it owns wholly; the indirect 76.5 % statement
    # is not added on top
    assert (v.status, v.aggregate) == (Status.EXTENDED, 100.0)


def test_later_statements_supersede_and_closed_holdings_end(examples: Path) -> None:
    p = read_bods(examples / "fermcat.json", source="fermcat")
    names = {n.key: n.name for n in p.nodes}
    held = {(names[e.owner], e.share, e.start, e.end) for e in p.edges}
    assert held == {("Riyadh Byrne-Amin", 50.0, "2019-09-11", "2021-04-03"),
                    ("Patrick O'Donohue", 100.0, "2019-09-11", None),  # the 2022 update
                    ("Declan Byrne-Amin", 50.0, "2021-04-03", "2022-01-21")}
    assert sorted(lk.relation for lk in p.links) == ["boardMember", "boardMember"]
    on = prepare(p.edges, "2022-06-01")
    assert [(names[e.owner], e.share) for e in on.edges] == [("Patrick O'Donohue", 100.0)]
    assert {n.country for n in p.nodes} == {"IE", None}  # the entity's jurisdiction only


def test_a_range_is_an_unknown_amount_never_a_guess(examples: Path) -> None:
    p = read_bods(examples / "simple-pep-declaration.json", source="pep")
    (edge,) = p.edges
    assert edge.share is None
    assert "stated as a range" in p.notes[0].message
    assert [lk.relation for lk in p.links] == ["votingRights"]
    assert verdict(p, "2026-12-03", edge.owner, edge.owned).status is Status.UNKNOWN


@pytest.mark.parametrize(("name", "edges", "links", "note"), [
    ("listed-company-exempt-from-disclosure.json", 0, 0, "undisclosed interested party"),
    ("levent.json", 0, 4, None),  # trust roles: links only
    ("indirect-ownership.json", 1, 1, "indirect shareholding(s) set aside"),
])
def test_other_examples(examples: Path, name: str, edges: int, links: int,
                        note: str | None) -> None:
    p = read_bods(examples / name, source="x")
    assert (len(p.edges), len(p.links), p.problems) == (edges, links, ())
    assert note is None or any(note in i.message for i in p.notes)


def _stmt(rid: str, rtype: str, details: dict) -> dict:  # type: ignore[type-arg]
    return {"statementId": f"s-{rid}", "statementDate": "2024-01-01", "recordId": rid,
            "recordType": rtype, "recordStatus": "new", "recordDetails": details}


ENT_A = _stmt("a", "entity", {"entityType": {"type": "registeredEntity"}, "name": "A Co"})
ENT_B = _stmt("b", "entity", {"entityType": {"type": "registeredEntity"}, "name": "B Co",
                              "identifiers": [{"scheme": "XI-LEI",
                                               "id": "5493001kjtiigc8y1r12"}]})


def rel(subject: str, party: str, share: dict) -> dict:  # type: ignore[type-arg]
    return _stmt(f"r-{subject}-{party}", "relationship", {
        "subject": subject, "interestedParty": party, "interests": [
            {"type": "shareholding", "directOrIndirect": "direct", "share": share}]})


@pytest.mark.parametrize(("statements", "problem"), [
    ([ENT_A, rel("a", "a", {"exact": 50})], "'A Co' is said to own itself"),
    ([ENT_A, ENT_B, rel("b", "a", {"exact": -5})], "share '-5' is negative"),
    ([ENT_A, ENT_B, rel("b", "a", {"exact": 150})], "share '150' is over 100 %"),
    ([ENT_A, rel("a", "zz", {"exact": 50})], "no entity or person statement"),
    ([ENT_A, {"statementId": "x"}], "not a BODS 0.4 statement"),
])
def test_bad_statements_are_reported(tmp_path: Path, statements: list, problem: str) -> None:  # type: ignore[type-arg]
    f = tmp_path / "bods.json"
    f.write_text(json.dumps(statements))
    p = read_bods(f, source="x")
    assert [problem in i.message for i in p.problems] == [True]


def test_json_lines_and_lei_keys(tmp_path: Path) -> None:
    f = tmp_path / "bods.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in (ENT_A, ENT_B, rel("a", "b", {"exact": 60}))))
    (edge,) = read_bods(f, source="x").edges
    assert (edge.owner, edge.owned, edge.share) == ("lei:5493001KJTIIGC8Y1R12", "bods:a", 60)


def test_broken_json_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "bods.json"
    f.write_text('[{"recordId": "a",')
    with pytest.raises(InputError, match="not JSON"):
        read_bods(f, source="x")


@pytest.mark.slow
def test_cli_import_format_bods(examples: Path, screener, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "home"
    shutil.copytree(home, dest, ignore=shutil.ignore_patterns("ownership.sqlite*"))
    res = CliRunner().invoke(cli, ["--home", str(dest), "ownership", "import", "--format",
                                   "bods", str(examples / "joint-ownership.json")])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("joint-ownership.json: 3 holdings, 0 links, 4 parties")
    out = CliRunner().invoke(cli, ["--home", str(dest), "ownership", "sources"])
    assert "joint-ownership.json: bods, 3 holdings" in out.stdout
