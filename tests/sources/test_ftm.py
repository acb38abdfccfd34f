"""FollowTheMoney JSON-lines parser on two real OpenSanctions exports (yente test fixtures):
t1 (7 entities) and zala (91 entities: a sanctions cluster with Sanction and Ownership edges)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from entityscreen.errors import SourceFormatError
from entityscreen.model import NameKind, Party, PartyType
from entityscreen.sources.ftm import FILE, SOURCES, iter_relations, parse, published, schema_counts

DIR = "opensanctions_ftm_samples"


@pytest.fixture(scope="module")
def t1_bytes(lists_dir: Path) -> bytes:
    return lists_dir.joinpath(DIR, "yente_t1", "entities.ftm.json").read_bytes()


@pytest.fixture(scope="module")
def zala_bytes(lists_dir: Path) -> bytes:
    return lists_dir.joinpath(DIR, "yente_zala", "entities.ftm.json").read_bytes()


@pytest.fixture(scope="module")
def t1(t1_bytes: bytes) -> dict[str, Party]:
    return {p.id: p for p in parse({FILE: t1_bytes})}


@pytest.fixture(scope="module")
def zala(zala_bytes: bytes) -> dict[str, Party]:
    return {p.id: p for p in parse({FILE: zala_bytes})}


# --- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "entities", "schemas", "persons", "organizations"),
    [
        ("t1", 7, {"Person": 4, "Organization": 2, "Address": 1}, 4, 2),
        ("zala", 91, {"Sanction": 41, "Ownership": 14, "Company": 11, "Address": 11, "Person": 6,
                      "Family": 4, "Directorship": 3, "Passport": 1}, 6, 11),
    ],
)  # fmt: skip
def test_counts(
    request: pytest.FixtureRequest,
    sample: str,
    entities: int,
    schemas: dict[str, int],
    persons: int,
    organizations: int,
) -> None:
    data: bytes = request.getfixturevalue(f"{sample}_bytes")
    parties: dict[str, Party] = request.getfixturevalue(sample)
    assert len(data.splitlines()) == entities
    assert schema_counts({FILE: data}) == schemas
    types = Counter(p.type for p in parties.values())
    assert types == {PartyType.PERSON: persons, PartyType.ORGANIZATION: organizations}
    assert published({FILE: data}) is None  # an FtM export states no publication date


def test_every_sanction_becomes_a_listing(zala_bytes: bytes, zala: dict[str, Party]) -> None:
    entities = [json.loads(line) for line in zala_bytes.splitlines()]
    sanctions = [e for e in entities if e["schema"] == "Sanction"]
    by_target = Counter(t for s in sanctions for t in s["properties"]["entity"])
    assert sum(by_target.values()) == 41
    for target, n in by_target.items():
        listings = zala[f"ftm:{target}"].listings
        assert len({lst.record_id for lst in listings}) == n
        assert all(not lst.authority.startswith("OpenSanctions dataset") for lst in listings)


def test_well_formed(t1: dict[str, Party], zala: dict[str, Party]) -> None:
    for p in [*t1.values(), *zala.values()]:
        assert p.names[0].kind is NameKind.PRIMARY
        assert len({n.value for n in p.names}) == len(p.names)
        assert p.listings and all(lst.feeds == ("ftm",) for lst in p.listings)
        assert all(len(c) == 2 and c.isupper() for c in p.countries)


# --- concrete records -------------------------------------------------------------------------

# sample, entity id, type, primary name, merge key, countries, birth dates
RECORDS = [
    ("t1", "NK-2GdmHtZTeNXjNVrBGEXZNj", PartyType.ORGANIZATION, "RAB „Inter Tobacco“",
     "ofac:32733", ("BY",), ()),
    ("t1", "NK-2PacmNpiLUmoz4XD2mSt7A", PartyType.ORGANIZATION, "IRGC", "ofac:10465", ("IR",), ()),
    ("t1", "NK-2Ka3UvopqbpZmVDFjWd4LA", PartyType.PERSON, "Vitaly Yurievich KUZMENKO", None,
     ("RU",), ("1971-01-22",)),
    ("zala", "NK-aU5ybkbRFJucf8YMwsJvDw", PartyType.PERSON, "Alexander Vyacheslavovich ZAKHAROV",
     "ofac:45937", ("RU",), ("1965-09-21",)),
    ("zala", "NK-abdzbEBkqyT29GyREbiURZ", PartyType.ORGANIZATION, "LLC CST", None, ("RU",), ()),
    ("zala", "NK-2Tbri3s6GgNtAwsSXh4qpL", PartyType.PERSON, "Maria Aleksandrovna Osetrova",
     "ofac:46001", ("RU",), ("1988-01-07",)),
    ("zala", "NK-DQ98GPMgdVH8DSZd8g9Xtc", PartyType.PERSON, "Svetlana Nikolaevna Zakharova",
     "ofac:45992", ("GB", "RU"), ("1964-03-18",)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sample", "eid", "ptype", "name", "merge_key", "countries", "births"), RECORDS
)
def test_record(
    request: pytest.FixtureRequest,
    sample: str,
    eid: str,
    ptype: PartyType,
    name: str,
    merge_key: str | None,
    countries: tuple[str, ...],
    births: tuple[str, ...],
) -> None:
    p: Party = request.getfixturevalue(sample)[f"ftm:{eid}"]
    assert (p.type, p.name, p.merge_key) == (ptype, name, merge_key)
    assert (p.countries, p.birth_dates) == (countries, births)


def test_sanction_listing_fields(zala: dict[str, Party]) -> None:
    cst = zala["ftm:NK-abdzbEBkqyT29GyREbiURZ"]
    # LLC CST is two OFAC SDN records merged by OpenSanctions: no single OFAC number to merge on.
    ofac = [lst for lst in cst.listings if lst.list == "us_ofac_sdn"]
    assert {lst.detail("authority_id") for lst in ofac} == {"45928", "45934"}
    assert {(lst.authority, lst.program) for lst in ofac} == {
        ("Office of Foreign Assets Control", "RUSSIA-EO14024")
    }
    (au,) = [lst for lst in cst.listings if lst.list == "au_dfat_sanctions"]
    assert (au.authority, au.program, au.listed_on) == (
        "Department of Foreign Affairs and Trade", "Autonomous (Russia)", "2023-02-24",
    )  # fmt: skip
    assert au.record_id == "au-dfat-56600015954691cece058c2a3b0e3b27740701e6"
    assert (
        au.source_url
        == "https://www.dfat.gov.au/international-relations/security/sanctions/Pages/sanctions"
    )
    assert au.detail("provisions") == "Targeted financial sanction"
    # addresses come from the Address entities the company points at
    assert ("130 Vorovskogo St., Izhevsk, 436063", "RU") in [
        (a.text, a.country) for a in cst.addresses
    ]
    assert ("Registration Number", "1091841000624") in [(i.type, i.value) for i in cst.identifiers]


def test_default_listing_without_sanction(t1: dict[str, Party], zala: dict[str, Party]) -> None:
    (irgc,) = t1["ftm:NK-2PacmNpiLUmoz4XD2mSt7A"].listings
    assert (irgc.authority, irgc.list, irgc.program, irgc.listed_on) == (
        "OpenSanctions dataset eu_fsf", "eu_fsf", "sanction", "2012-03-24",
    )  # fmt: skip
    osetrova = zala["ftm:NK-2Tbri3s6GgNtAwsSXh4qpL"]
    assert [lst.program for lst in osetrova.listings] == ["UA-SA1644", "US-RUSHAR", "GB-RUS"]
    assert {lst.list for lst in osetrova.listings} == {"gb_coh_disqualified"}
    # a registry company that is no sanctions target: no program, no listing date
    (egrul,) = zala["ftm:ru-inn-5920040846"].listings
    assert (egrul.list, egrul.program, egrul.listed_on) == ("ext_ru_egrul", None, None)
    assert egrul.detail("target") == "false"


# entity id, name, kind, script
NAMES = [
    ("NK-2Tbri3s6GgNtAwsSXh4qpL", "Maria Aleksandrovna Zakharova", NameKind.FORMER, None),
    ("NK-2Tbri3s6GgNtAwsSXh4qpL", "Мария Александровна Захарова", NameKind.FORMER, "Cyrillic"),
    ("NK-2Tbri3s6GgNtAwsSXh4qpL", "Zakharova Mariia Oleksandrivna", NameKind.ALIAS, None),
    ("NK-2Tbri3s6GgNtAwsSXh4qpL", "OSETROVA, Maria Aleksandrovna", NameKind.ALIAS, None),
    ("NK-aU5ybkbRFJucf8YMwsJvDw", "Александр Вячеславович Захаров", NameKind.ALIAS, "Cyrillic"),
]


@pytest.mark.parametrize(("eid", "value", "kind", "script"), NAMES)
def test_names(
    zala: dict[str, Party], eid: str, value: str, kind: NameKind, script: str | None
) -> None:
    by_value = {n.value: n for n in zala[f"ftm:{eid}"].names}
    assert (by_value[value].kind, by_value[value].script) == (kind, script)


def test_identifiers(zala: dict[str, Party]) -> None:
    lavrentiy = zala["ftm:NK-hUAjuiA3vTKXF6v2X6MYnS"]
    assert ("Passport", "089132114") in [(i.type, i.value) for i in lavrentiy.identifiers]
    osetrova = zala["ftm:NK-2Tbri3s6GgNtAwsSXh4qpL"]
    assert ("INN", "183116181362", "RU") in [
        (i.type, i.value, i.country) for i in osetrova.identifiers
    ]


def test_iter_relations(zala_bytes: bytes, zala: dict[str, Party]) -> None:
    owns = list(iter_relations({FILE: zala_bytes}))
    assert len(owns) == 14 and {schema for schema, _ in owns} == {"Ownership"}
    kalashnikov_cst = ("NK-nR5AXM9AVPq4pQaSPSaVam", "NK-abdzbEBkqyT29GyREbiURZ")
    assert kalashnikov_cst in [(p["owner"][0], p["asset"][0]) for _, p in owns]
    # every edge joins two parties of the same file
    assert all(f"ftm:{p['owner'][0]}" in zala and f"ftm:{p['asset'][0]}" in zala for _, p in owns)
    directors = list(iter_relations({FILE: zala_bytes}, ("Directorship",)))
    assert len(directors) == 3


def test_spec() -> None:
    (spec,) = SOURCES
    assert (spec.name, list(spec.urls), spec.redistributable) == ("ftm", [FILE], False)
    assert spec.licence == "as the dataset states (OpenSanctions data: CC BY-NC 4.0)"


# --- bad input --------------------------------------------------------------------------------


def _broken_line_3(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    lines[2] = lines[2][:50] + b"\n"
    return b"".join(lines)


BAD = [
    ("no file", lambda d: None, "missing from the file set"),
    ("empty", lambda d: b"", "the file is empty"),
    ("blank lines", lambda d: b"\n\n", "the file is empty"),
    ("broken line 3", _broken_line_3, "entities.ftm.json line 3: not valid JSON"),
    ("truncated", lambda d: d[: len(d) // 2], "line 22: not valid JSON"),  # cut inside line 22
    ("png", lambda d: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "line 1: not valid JSON"),
    ("xml", lambda d: b'<?xml version="1.0"?>\n<export/>', "line 1: not valid JSON"),
    ("not an entity", lambda d: b'[1, 2]\n', "line 1: not a FollowTheMoney entity"),
    ("no schema", lambda d: b'{"id": "x"}\n', "not a FollowTheMoney entity (no 'id' or 'schema')"),
    ("bad properties", lambda d: b'{"id": "x", "schema": "Person", "properties": {"name": "A"}}',
     "record x, field 'properties': 'properties' must map names to lists of strings"),
    ("number in properties",
     lambda d: b'{"id": "x", "schema": "Person", "properties": {"birthDate": [1957]}}',
     "'properties' must map names to lists of strings"),
    ("bad referents", lambda d: b'{"id": "x", "schema": "Person", "referents": "ofac-1"}',
     "record x, field 'referents': must be a list of strings"),
    ("bad caption", lambda d: b'{"id": "x", "schema": "Person", "caption": 5}',
     "field 'caption': must be a string"),
    ("bad utf-8", lambda d: b'{"id": "x", "schema": "Person", "caption": "\xff"}',
     "not valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "make", "message"), BAD, ids=[c for c, _, _ in BAD])
def test_bad_input(
    zala_bytes: bytes, case: str, make: Callable[[bytes], bytes | None], message: str
) -> None:
    data = make(zala_bytes)
    files = {} if data is None else {FILE: data}
    with pytest.raises(SourceFormatError) as err:
        list(parse(files))
    assert message in str(err.value)
    assert err.value.fix
