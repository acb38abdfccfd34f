"""The rules' dates and seeds are data: checked here, and a date change is a data edit."""

from __future__ import annotations

import pytest

from entityscreen.model import Listing, Party, PartyType
from entityscreen.ownership.rules import (
    RuleError,
    in_force,
    load_periods,
    periods,
    seed_for,
    strictness,
)

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
