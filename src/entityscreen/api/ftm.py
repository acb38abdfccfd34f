"""The yente (FollowTheMoney) wire shapes: example entities in, entities out.

Existing yente clients send ``{"schema": "Person", "properties": {"name": [...], ...}}``
and read ``{"id", "caption", "schema", "properties", "datasets", "target"}``; this module
maps those to entityscreen's :class:`Query` and from its :class:`Party`. The result
dicts also carry entityscreen's own contract (``report.hit_to_dict``), so one shape serves
yente clients and entityscreen's own.
"""

from __future__ import annotations

from typing import Any

from entityscreen.errors import UsageError
from entityscreen.model import Hit, Party, PartyType, Query
from entityscreen.query import make_query

__all__ = ["SCHEMATA", "entity_from_party", "explanations", "queries_from_example"]

# FollowTheMoney schemata a query may name, and the party type each means (None: no hint).
SCHEMATA: dict[str, PartyType | None] = {
    "Thing": None,
    "LegalEntity": None,
    "Person": PartyType.PERSON,
    "Organization": PartyType.ORGANIZATION,
    "Company": PartyType.ORGANIZATION,
    "PublicBody": PartyType.ORGANIZATION,
    "Vessel": PartyType.VESSEL,
    "Airplane": PartyType.AIRCRAFT,
}
_SCHEMA_OF = {
    PartyType.PERSON: "Person",
    PartyType.ORGANIZATION: "Organization",
    PartyType.VESSEL: "Vessel",
    PartyType.AIRCRAFT: "Airplane",
    PartyType.UNKNOWN: "LegalEntity",
}
_NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
_COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction",
                  "registrationCountry", "flag")
_ID_PROPS = ("idNumber", "registrationNumber", "passportNumber", "taxNumber", "imoNumber",
             "isin", "leiCode", "innCode", "ogrnCode", "swiftBic", "mmsi", "icaoCode",
             "vatCode", "permId", "uniqueEntityId")
# Lists of export controls rather than sanctions (yente's "topics").
_EXPORT_CONTROL = {"EL", "DPL", "UVL", "MEU", "ISN", "DTC"}
MAX_NAMES = 10  # names of one example entity screened (each is one search)


def _values(props: dict[str, Any], name: str, where: str) -> list[str]:
    raw = props.get(name)
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise UsageError(f"{where}: property {name!r} must be a string or a list of strings")
    return [v for v in raw if v.strip()]


def queries_from_example(example: Any, where: str) -> tuple[str, list[Query]]:
    """(schema, one query per distinct name) from ``{"schema", "properties"}``."""
    if not isinstance(example, dict):
        raise UsageError(f"{where}: expected an object with 'schema' and 'properties'")
    schema = example.get("schema")
    if not isinstance(schema, str) or schema not in SCHEMATA:
        raise UsageError(f"{where}: unknown schema {schema!r}",
                         fix=f"use one of: {', '.join(SCHEMATA)}")
    props = example.get("properties", {})
    if not isinstance(props, dict):
        raise UsageError(f"{where}: 'properties' must be an object")
    names = [n for p in _NAME_PROPS for n in _values(props, p, where)]
    if not names:
        parts = [v for p in ("firstName", "middleName", "lastName")
                 for v in _values(props, p, where)[:1]]
        if parts:
            names = [" ".join(parts)]
    if not names:
        raise UsageError(f"{where}: no name", fix="give properties.name, e.g. "
                         '{"name": ["Sberbank"]}')
    ptype = SCHEMATA[schema]
    country = next((c for p in _COUNTRY_PROPS for c in _values(props, p, where)), None)
    birth = next(iter(_values(props, "birthDate", where)), None)
    idents = tuple(dict.fromkeys(v for p in _ID_PROPS for v in _values(props, p, where)))
    out = []
    for name in list(dict.fromkeys(names))[:MAX_NAMES]:
        out.append(make_query(name, ptype.value if ptype else None, country, birth, idents))
    return schema, out


def entity_from_party(party: Party) -> dict[str, Any]:
    """A party as a yente entity (``properties`` in FollowTheMoney names)."""
    props: dict[str, list[str]] = {"name": [party.name]}
    aliases = [a for a in party.aliases if a != party.name]
    if aliases:
        props["alias"] = aliases
    if party.countries:
        props["country"] = list(party.countries)
    if party.birth_dates:
        props["birthDate"] = list(party.birth_dates)
    if party.addresses:
        props["address"] = [a.text for a in party.addresses]
    if party.identifiers:
        props["idNumber"] = [i.value for i in party.identifiers]
    programs = [lst.program for lst in party.listings if lst.program]
    if programs:
        props["program"] = list(dict.fromkeys(programs))
    if party.remarks:
        props["notes"] = [party.remarks]
    props["topics"] = list(dict.fromkeys(
        "export.control" if lst.list in _EXPORT_CONTROL else "sanction"
        for lst in party.listings)) or ["sanction"]
    datasets = sorted({f for lst in party.listings for f in lst.feeds})
    return {
        "caption": party.name,
        "schema": _SCHEMA_OF[party.type],
        "properties": props,
        "datasets": datasets,
        "referents": [],
        "target": True,
    }


def explanations(hit: Hit, query: Query) -> dict[str, dict[str, Any]]:
    """The hit's explanation as yente's per-feature results (score, detail, values)."""
    e = hit.explanation
    detail = ", ".join(f"{a.query}~{a.listed} ({a.how} {a.similarity:.2f})" for a in e.aligned)
    if e.unmatched_query:
        detail += "; query words not listed: " + " ".join(e.unmatched_query)
    out = {"name_match": {"score": e.name_score, "detail": detail or None,
                          "query": query.name, "candidate": e.matched_name, "weight": 1.0}}
    for ev in e.evidence:
        out[f"{ev.attribute}_evidence"] = {
            "score": ev.effect, "detail": f"{ev.attribute}: {ev.query} vs {ev.listed}",
            "query": ev.query, "candidate": ev.listed, "weight": 1.0}
    return out
