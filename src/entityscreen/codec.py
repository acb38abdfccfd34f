"""Parties to and from plain dicts (JSON): the stored form and the ``show --json`` form."""

from __future__ import annotations

from typing import Any

from entityscreen.model import Address, Identifier, Listing, Name, NameKind, Party, PartyType

__all__ = ["listing_to_dict", "party_from_dict", "party_to_dict"]


def listing_to_dict(listing: Listing) -> dict[str, Any]:
    return {
        "authority": listing.authority,
        "list": listing.list,
        "program": listing.program,
        "listed_on": listing.listed_on,
        "citation": listing.citation,
        "source_url": listing.source_url,
        "record_id": listing.record_id,
        "feeds": list(listing.feeds),
        "details": dict(listing.details),
    }


def party_to_dict(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "type": party.type.value,
        "name": party.name,
        "names": [
            {"value": n.value, "kind": n.kind.value, "script": n.script, "lang": n.lang}
            for n in party.names
        ],
        "listings": [listing_to_dict(lst) for lst in party.listings],
        "addresses": [{"text": a.text, "country": a.country} for a in party.addresses],
        "countries": list(party.countries),
        "identifiers": [
            {"type": i.type, "value": i.value, "country": i.country} for i in party.identifiers
        ],
        "birth_dates": list(party.birth_dates),
        "remarks": party.remarks,
        "merge_key": party.merge_key,
    }


def party_from_dict(d: dict[str, Any]) -> Party:
    return Party(
        id=d["id"],
        type=PartyType(d["type"]),
        names=tuple(
            Name(n["value"], NameKind(n["kind"]), n.get("script"), n.get("lang"))
            for n in d["names"]
        ),
        listings=tuple(
            Listing(
                authority=x["authority"],
                list=x["list"],
                program=x.get("program"),
                listed_on=x.get("listed_on"),
                citation=x.get("citation"),
                source_url=x.get("source_url"),
                record_id=x.get("record_id"),
                feeds=tuple(x.get("feeds", ())),
                details=tuple((x.get("details") or {}).items()),
            )
            for x in d["listings"]
        ),
        addresses=tuple(Address(a["text"], a.get("country")) for a in d.get("addresses", ())),
        countries=tuple(d.get("countries", ())),
        identifiers=tuple(
            Identifier(i["type"], i["value"], i.get("country")) for i in d.get("identifiers", ())
        ),
        birth_dates=tuple(d.get("birth_dates", ())),
        remarks=d.get("remarks"),
        merge_key=d.get("merge_key"),
    )
