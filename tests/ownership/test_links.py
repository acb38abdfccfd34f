"""Ties the lists state without a share are links: context, never ownership."""

from __future__ import annotations

import pytest

from entityscreen.model import Address, Listing, Party, PartyType
from entityscreen.ownership.links import links_of


@pytest.mark.parametrize(("remarks", "expected"), [
    ("Linked To: MAHAN AIR.", [("MAHAN AIR", "linked to")]),
    ("Nationality Iran; Linked To: HIZBALLAH; Linked To: ISIS-SINAI PROVINCE.",
     [("HIZBALLAH", "linked to"), ("ISIS-SINAI PROVINCE", "linked to")]),
    ("(Linked To: CHEN, Quanguo)", [("CHEN, Quanguo", "linked to")]),
    ("Subordinate to the Korea Ryonbong General Corporation.",
     [("the Korea Ryonbong General Corporation", "subordinate unit")]),
    ("a subordinate organization of AIO", [("AIO", "subordinate unit")]),
    ("subordinate organization set up to obtain technology from overseas", []),
    ("Registration Number 12345", []),
])
def test_links_from_remarks(remarks: str, expected: list[tuple[str, str]]) -> None:
    party = Party("x:1", PartyType.ORGANIZATION, (), (Listing("US Treasury OFAC", "SDN"),),
                  remarks=remarks)
    assert [(lk.b, lk.relation) for lk in links_of(party)] == expected


def test_subordinate_unit_in_an_address() -> None:
    party = Party("x:2", PartyType.ORGANIZATION, (), (), addresses=(
        Address("Beijing, and its subordinate institution: Institute 12 of Beijing"),))
    assert [(lk.b, lk.source) for lk in links_of(party)] == [
        ("Institute 12 of Beijing", "list address")]
