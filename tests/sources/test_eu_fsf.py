"""EU FSF XML 1.1 parser on the real 2020-04-15 sample (7 sanctionEntity elements, all persons;
one is a test insert "TestOneWord" that reuses logicalId 5468)."""

from __future__ import annotations

from pathlib import Path

import pytest

from entityscreen.errors import SourceFormatError
from entityscreen.model import NameKind, Party, PartyType
from entityscreen.sources.eu_fsf import FILE, SOURCES, URL, parse, published

SAMPLE = ("eu_fsf", "2020-04-15_xml_1_1_SAMPLE", "sample_eu.xml")


@pytest.fixture(scope="module")
def xml(lists_dir: Path) -> bytes:
    return lists_dir.joinpath(*SAMPLE).read_bytes()


@pytest.fixture(scope="module")
def parties(xml: bytes) -> dict[str, Party]:
    return {p.id: p for p in parse({FILE: xml})}


def test_counts(xml: bytes, parties: dict[str, Party]) -> None:
    assert xml.count(b"<sanctionEntity ") == 7
    # the test insert shares logicalId 5468 with Sok-hwa Hwang: one record, merged
    assert list(parties) == [
        "eu_fsf:5295", "eu_fsf:5463", "eu_fsf:5468", "eu_fsf:191", "eu_fsf:5807", "eu_fsf:927",
    ]  # fmt: skip
    assert all(p.type is PartyType.PERSON for p in parties.values())


def test_published(xml: bytes) -> None:
    assert published({FILE: xml}) == "2020-04-15"  # generationDate="2020-04-15T15:29:22.497+02:00"


# logicalId, primary, program, EU ref, listed_on, citation, effective date
RECORDS = [
    ("5295", "Abid Hammadou", "TAQA", "EU.2026.82", "2008-07-03", "2019/555 (OJ L97)",
     "2019-04-09"),
    ("5463", "Yu-ro Han", "PRK", "EU.4011.64", "2009-07-16", "2017/1509 (OJ L224)", "2017-09-01"),
    ("5468", "Sok-hwa Hwang", "PRK", "EU.4009.74", "2009-07-16", "2017/1509 (OJ L224)",
     "2017-09-01"),
    # no designationDate: listed_on falls back to the regulation's publication date
    ("191", "Fahd Bin Adballah BIN KHALID", "TERR", "EU.3579.2", "2020-01-14", "2020/19 (OJ L8I)",
     "2020-01-15"),
    ("5807", "Leo Manzi", "COD", "EU.3734.6", "2010-12-01", "2017/396 (OJ L60)", "2017-03-09"),
    ("927", "Mohamed Ben Belkacem Aouadi", "TAQA", "EU.3343.85", "2016-03-02", "2016/294 (OJ L55)",
     "2016-03-03"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lid", "name", "program", "ref", "listed_on", "citation", "effective"), RECORDS
)
def test_record(
    parties: dict[str, Party],
    lid: str,
    name: str,
    program: str,
    ref: str,
    listed_on: str,
    citation: str,
    effective: str,
) -> None:
    p = parties[f"eu_fsf:{lid}"]
    assert p.name == name and p.names[0].kind is NameKind.PRIMARY
    (lst,) = p.listings
    assert (lst.authority, lst.list, lst.program, lst.record_id) == (
        "European Union",
        "EU",
        program,
        ref,
    )
    assert (lst.listed_on, lst.citation, lst.detail("effective_date")) == (
        listed_on,
        citation,
        effective,
    )
    assert lst.feeds == ("eu_fsf",) and lst.source_url and "eur-lex.europa.eu" in lst.source_url
    assert ("EU Reference Number", ref) in [(i.type, i.value) for i in p.identifiers]
    assert p.merge_key is None


def test_person_fields(parties: dict[str, Party]) -> None:
    abid = parties["eu_fsf:5295"]
    assert [n.value for n in abid.names] == [
        "Abid Hammadou", "Abdelhamid Abou Zeid", "Youcef Adel", "Amor Mohamed Ghedeir",
        "Abou Abdellah",
    ]  # fmt: skip
    assert all(n.kind is NameKind.ALIAS for n in abid.names[1:])
    assert abid.birth_dates == ("1965-12-12", "1958")  # a full date and a circa year
    assert abid.countries == ("DZ",)  # citizenship
    assert abid.remarks and "Reportedly deceased as of 24 February 2013" in abid.remarks
    assert abid.listings[0].source_url == (
        "https://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=OJ:L:2019:097:FULL&from=EN"
    )

    aouadi = parties["eu_fsf:927"]
    assert [(a.text, a.country) for a in aouadi.addresses] == [
        ("23 50th Street, Zehrouni, Tunis, TUNISIA", "TN")
    ]
    ids = [(i.type, i.value, i.country) for i in aouadi.identifiers]
    assert ("National ID", "04643632", "TN") in ids and ("Passport", "L191609", "TN") in ids
    assert aouadi.birth_dates == ("1974-12-11",)

    khalid = parties["eu_fsf:191"]
    assert "Khalid Shaikh MOHAMMED" in [n.value for n in khalid.names]
    # countryIso2Code="00" (UNKNOWN) gives no country
    assert ("Passport", "488555", None) in [
        (i.type, i.value, i.country) for i in khalid.identifiers
    ]

    manzi = parties["eu_fsf:5807"]
    assert manzi.birth_dates == ("1954", "1953")
    assert manzi.countries == ("RW", "CD")
    assert manzi.addresses[0].country == "CD"


def test_duplicate_logical_id_is_merged(parties: dict[str, Party]) -> None:
    hwang = parties["eu_fsf:5468"]
    assert [(n.value, n.kind) for n in hwang.names] == [
        ("Sok-hwa Hwang", NameKind.PRIMARY),
        ("TestOneWord", NameKind.ALIAS),
    ]
    assert len(hwang.listings) == 1


def test_spec() -> None:
    (spec,) = SOURCES
    assert (spec.name, spec.urls, spec.redistributable) == ("eu_fsf", {FILE: URL}, True)
    assert spec.licence == "EU Commission reuse policy (Decision 2011/833/EU)"


# --- bad input --------------------------------------------------------------------------------

OTHER_ROOT = b'<?xml version="1.0"?>\n<sdnList xmlns="http://tempuri.org/sdnList.xsd"></sdnList>'
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE export [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n'
    b"<export>&b;</export>"
)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no file", "missing from the file set"),
        ("empty", "the file is empty"),
        ("truncated", "malformed XML"),
        ("png", "line 1: malformed XML"),
        ("other list", "root element is <sdnList>, not <export>"),
        ("no entities", "no <sanctionEntity> in the file"),
        ("nameless", "record 1, field 'nameAlias/@wholeName': no name"),
        ("malformed", "line 3: malformed XML"),
        ("entities", "forbidden XML construct"),
    ],
)
def test_bad_input(xml: bytes, case: str, message: str) -> None:
    files = {
        "no file": {},
        "empty": {FILE: b""},
        "truncated": {FILE: xml[: len(xml) // 2]},
        "png": {FILE: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"},
        "other list": {FILE: OTHER_ROOT},
        "no entities": {FILE: b'<export xmlns="http://eu.europa.ec/fpi/fsd/export"/>'},
        "nameless": {FILE: b'<export><sanctionEntity logicalId="1"><nameAlias wholeName=""/>'
                           b"</sanctionEntity></export>"},
        "malformed": {FILE: b"<export>\n<sanctionEntity>\n</export>"},
        "entities": {FILE: BILLION_LAUGHS},
    }[case]  # fmt: skip
    with pytest.raises(SourceFormatError) as err:
        list(parse(files))
    assert message in str(err.value)
    assert err.value.fix


def test_truncated_names_the_line(xml: bytes) -> None:
    cut = xml[: len(xml) // 2]
    with pytest.raises(SourceFormatError) as err:
        list(parse({FILE: cut}))
    assert err.value.line == cut.count(b"\n") + 1


@pytest.mark.parametrize("data", [b"", OTHER_ROOT, b"not xml at all"])
def test_published_bad_input(data: bytes) -> None:
    with pytest.raises(SourceFormatError):
        published({FILE: data})
