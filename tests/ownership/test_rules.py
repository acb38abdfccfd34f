"""The rules' dates and seeds are data: checked here, and a date change is a data edit."""

from __future__ import annotations

import pytest

from entityscreen.model import Listing, Party, PartyType
from entityscreen.ownership.rules import (
    RuleError,
    in_force,
    load_periods,
    load_seeds,
    periods,
    seed_for,
    seed_rows,
    strictness,
)
from entityscreen.ownership.service import rule_note

HEADER = "rule,title,threshold,in_force_from,in_force_to,citation,url,notes\n"


def test_shipped_tables_load_and_cite() -> None:
    assert all(p.citation for p in periods())
    assert {p.rule for p in periods()} == {"ofac_50", "bis_affiliates"}


@pytest.mark.parametrize(("on", "expected"), [
    ("2025-09-28", False),  # before the effective date
    ("2025-09-29", True),  # effective date of 90 FR 47201
    ("2025-11-09", True),  # last day before the suspension
    ("2025-11-10", False),  # suspended
    ("2026-11-09", False),  # last day of the suspension
    ("2026-11-10", True),  # reinstated
    ("2026-12-03", True),
])
def test_affiliates_rule_dates(on: str, expected: bool) -> None:
    assert (in_force("bis_affiliates", on) is not None) is expected


def test_affiliates_rule_in_force_today_with_the_suspension_cited() -> None:
    period = in_force("bis_affiliates", "2026-12-03")
    assert period is not None and (period.start, period.end) == ("2026-11-10", None)
    assert "90 FR 47201" in period.citation
    assert "One Year Suspension" in period.citation and "no. 216" in period.citation
    assert [(p.start, p.end) for p in periods() if p.rule == "bis_affiliates"] == [
        ("2025-09-29", "2025-11-09"), ("2026-11-10", None)]


def test_both_affiliates_periods_cite_the_suspension_by_page_and_document() -> None:
    for period in (p for p in periods() if p.rule == "bis_affiliates"):
        assert "90 FR 47201" in period.citation
        assert "90 FR 50857" in period.citation and "FR Doc. 2025-19846" in period.citation
        assert "not confirmed)" not in period.citation


def test_suspended_date_says_why() -> None:
    note = rule_note("bis_affiliates", "2026-03-01")
    assert note.startswith("BIS Affiliates rule: not in force on 2026-03-01 (in force "
                           "2025-09-29 to 2025-11-09; 2026-11-10 to open; last in force to "
                           "2025-11-09: 90 FR 47201")
    assert "suspended from 2025-11-10" in note
    assert "last in force" not in rule_note("bis_affiliates", "2025-01-01")


def test_ofac_rule_in_force_today() -> None:
    assert in_force("ofac_50", "2026-12-03") is not None


@pytest.mark.parametrize(("body", "problem"), [
    ("bis_affiliates,t,50,2025-09-29,2025-09-01,90 FR 47201,,\n", "before in_force_from"),
    ("bis_affiliates,t,50,29/09/2025,,90 FR 47201,,\n", "not an ISO date"),
    ("nope,t,50,2025-09-29,,x,,\n", "unknown rule"),
    ("bis_affiliates,t,50,2025-09-29,,,,\n", "citation is empty"),
    ("bis_affiliates,t,50,2025-09-29,,c,,\nbis_affiliates,t,50,2025-10-01,,c,,\n", "overlaps"),
])
def test_bad_rule_rows_are_refused(body: str, problem: str) -> None:
    with pytest.raises(RuleError, match=problem):
        load_periods(HEADER + body)


EL_ALL = Listing("US Commerce BIS", "EL", details=(
    ("license_requirement", "For all items subject to the EAR. (See §744.11 of the EAR)"),
    ("license_policy", "Presumption of denial."),))
EL_SOME = Listing("US Commerce BIS", "EL", details=(
    ("license_requirement", "For all items subject to the EAR other than EAR99 items"),
    ("license_policy", "Case-by-case review."),))


def test_strictness_reads_the_listing_texts() -> None:
    assert strictness(EL_ALL) > strictness(EL_SOME) > strictness(Listing("US Commerce BIS",
                                                                          "MEU"))


def test_seed_for_picks_the_rule_lists() -> None:
    party = Party("p", PartyType.ORGANIZATION, (), (EL_SOME, EL_ALL,
                                                   Listing("US Treasury OFAC", "CMIC")))
    seed = seed_for("bis_affiliates", "k", party)
    assert seed is not None and seed.rank == strictness(EL_ALL)
    assert "Licence required: For all items subject to the EAR." in seed.restriction
    assert seed_for("ofac_50", "k", party) is None  # NS-CMIC is not blocking


# 15 CFR 744.8 as revised by 89 FR 20107 names 14 OFAC programs; the Affiliates rule
# (90 FR 47201) extends to entities owned by SDNs under them. ILLICIT-DRUGS-EO is the trade.gov
# CSL's spelling of ILLICIT-DRUGS-EO14059.
COVERED = ["BELARUS", "BELARUS-EO14038", "RUSSIA-EO14024", "UKRAINE-EO13660",
           "UKRAINE-EO13661", "UKRAINE-EO13662", "UKRAINE-EO13685", "ILLICIT-DRUGS-EO14059",
           "ILLICIT-DRUGS-EO", "SDNT", "SDNTK", "TCO", "FTO", "SDGT", "NPWMD", "[SDGT]"]
NOT_COVERED = ["GLOMAG", "IRAN", "IFSR", "IRGC", "SYRIA", "CYBER2", "DPRK3", "VENEZUELA",
               "CAATSA - RUSSIA", "RUSSIA-EO14065", "IRAQ2", "MAGNIT", None]


def sdn(program: str | None) -> Party:
    return Party("p", PartyType.ORGANIZATION, (), (Listing("US Treasury OFAC", "SDN",
                                                           program=program),))


@pytest.mark.parametrize("program", COVERED)
def test_sdn_programs_of_744_8_seed_the_affiliates_rule(program: str) -> None:
    seed = seed_for("bis_affiliates", "k", sdn(program))
    assert seed is not None and "15 CFR 744.8" in seed.restriction
    assert seed.rank[0] == 3  # all items subject to the EAR
    assert seed_for("ofac_50", "k", sdn(program)) is not None  # and blocked, as every SDN


@pytest.mark.parametrize("program", NOT_COVERED)
def test_other_sdn_programs_do_not(program: str | None) -> None:
    assert seed_for("bis_affiliates", "k", sdn(program)) is None
    assert seed_for("ofac_50", "k", sdn(program)) is not None


def test_most_restrictive_listing_of_one_party_is_its_seed() -> None:
    both = Party("p", PartyType.ORGANIZATION, (), (
        Listing("US Treasury OFAC", "SDN", program="GLOMAG"), EL_SOME,
        Listing("US Treasury OFAC", "SDN", program="RUSSIA-EO14024")))
    seed = seed_for("bis_affiliates", "k", both)
    assert seed is not None and seed.rank == (3, 2)
    assert seed.reason == "US Commerce BIS EL, US Treasury OFAC SDN [RUSSIA-EO14024]"


def test_seed_table_cites_every_row() -> None:
    rows = seed_rows()
    assert all(r.citation for r in rows)
    bis_sdn = [r for r in rows if r.rule == "bis_affiliates" and r.list == "SDN"]
    assert len(bis_sdn) == 15  # 14 programs, one with two spellings
    assert all("89 FR 20107" in r.citation and "90 FR 47201" in r.citation for r in bis_sdn)


SEED_HEADER = ("rule,authority,list,program,license_requirement,license_policy,citation,"
               "notes\n")


@pytest.mark.parametrize(("body", "problem"), [
    ("nope,US Treasury OFAC,SDN,,,,c,\n", "unknown rule"),
    ("bis_affiliates,,SDN,,,,c,\n", "authority and list are required"),
    ("bis_affiliates,US Treasury OFAC,SDN,TCO,,,,\n", "citation is empty"),
    ("bis_affiliates,US Treasury OFAC,SDN,TCO,,Presumption of denial,c,\n",
     "license_policy without license_requirement"),
    ("bis_affiliates,US Treasury OFAC,SDN,TCO,,,c,\n"
     "bis_affiliates,US Treasury OFAC,SDN,[TCO],,,c,\n", "same rule, list and program"),
])
def test_bad_seed_rows_are_refused(body: str, problem: str) -> None:
    with pytest.raises(RuleError, match=problem):
        load_seeds(SEED_HEADER + body)


def test_seed_header_is_checked() -> None:
    with pytest.raises(RuleError, match="header must be"):
        load_seeds("rule,authority,list,program,notes\n")
