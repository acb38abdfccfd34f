"""The BIS Affiliates rule counts SDN owners only under the programs of 15 CFR 744.8(a)(1)
(90 FR 47201; the programs as revised by 89 FR 20107): checked on real bundled SDN records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from entityscreen.cli import cli

pytestmark = pytest.mark.slow

# Real records, each on one list under one program: ELEKTROTYAGA (SDN, RUSSIA-EO14024: covered),
# BELNEFTEKHIM (SDN, BELARUS: covered), ADLER BG AD (SDN, GLOMAG: not covered), A.S.P. BUILDERS
# (SDN, IRAN: not covered), Beijing SenseTime (Entity List). The owned companies are made up.
TABLE = """owner,owned,share,as_of
AKTSIONERNOE OBSHCHESTVO ELEKTROTYAGA,Volga Example Parts LLC,30,2024-01-01
ADLER BG AD,Volga Example Parts LLC,25,2024-01-01
AKTSIONERNOE OBSHCHESTVO ELEKTROTYAGA,Neva Example Optics LLC,30,2024-01-01
"Beijing Sensetime Technology Development Co., Ltd.",Neva Example Optics LLC,25,2024-01-01
A.S.P. BUILDERS,Kama Example Trading LLC,60,2024-01-01
BELNEFTEKHIM,Dvina Example Chemicals LLC,50,2024-01-01
"""


def run(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args])


@pytest.fixture(scope="module")
def sdn_home(screener, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    dest = tmp_path_factory.mktemp("bis_sdn") / "home"
    shutil.copytree(home, dest, ignore=shutil.ignore_patterns("ownership.sqlite*"))
    table = dest.parent / "holdings.csv"
    table.write_text(TABLE)
    res = run(dest, "ownership", "import", str(table))
    assert res.exit_code == 0, res.output
    assert "5 matched to listed parties" in res.stdout
    return dest


def verdicts(home: Path, name: str, on: str = "2026-12-03") -> dict[str, dict]:  # type: ignore[type-arg]
    res = run(home, "owners", "--json", "--as-of", on, name)
    assert res.exit_code == 0, res.output
    return {v["rule"]: v for v in json.loads(res.stdout)["verdicts"]}


@pytest.mark.parametrize(("owned", "ofac", "bis", "bis_aggregate"), [
    # 30 % RUSSIA-EO14024 + 25 % GLOMAG: blocked by OFAC; for BIS only the 30 % counts
    ("Volga Example Parts LLC", "restricted by extension", "clear", 30),
    # 30 % RUSSIA-EO14024 + 25 % Entity List: BIS only (the Entity List blocks nothing)
    ("Neva Example Optics LLC", "clear", "restricted by extension", 55),
    # 60 % IRAN: blocked by OFAC; [IRAN] is not a 744.8 program
    ("Kama Example Trading LLC", "restricted by extension", "clear", 0),
    # 50 % BELARUS (E.O. 13405): both rules
    ("Dvina Example Chemicals LLC", "restricted by extension", "restricted by extension", 50),
])
def test_sdn_owner_counts_for_bis_only_under_744_8_programs(
        sdn_home: Path, owned: str, ofac: str, bis: str, bis_aggregate: float) -> None:
    v = verdicts(sdn_home, owned)
    assert v["ofac_50"]["status"] == ofac
    assert (v["bis_affiliates"]["status"], v["bis_affiliates"]["aggregate"]) == (
        bis, bis_aggregate)


def test_sdn_owner_passes_on_the_744_8_licence_requirement(sdn_home: Path) -> None:
    bis = verdicts(sdn_home, "Dvina Example Chemicals LLC")["bis_affiliates"]
    assert bis["restriction"].startswith(
        "Licence required: For all items subject to the EAR when this party is a party to "
        "the transaction (15 CFR 744.8). Review policy: Presumption of denial")
    assert "89 FR 20107" in bis["restriction"] and "90 FR 47201" in bis["restriction"]
    assert [p["text"] for p in bis["paths"]] == [
        "BELNEFTEKHIM —50 %→ Dvina Example Chemicals LLC"]


def test_suspended_on_2025_12_01(sdn_home: Path) -> None:
    v = verdicts(sdn_home, "Dvina Example Chemicals LLC", on="2025-12-01")
    assert v["bis_affiliates"]["status"] == "rule not in force"
    assert v["ofac_50"]["status"] == "restricted by extension"
