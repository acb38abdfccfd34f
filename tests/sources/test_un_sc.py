"""UN Security Council consolidated.xml (2026-02-27: 730 individuals, 273 entities)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import read
from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, NameKind, Party, PartyType
from entityscreen.sources import Files
from entityscreen.sources.un_sc import SOURCES, split_un_names

(UN,) = SOURCES
FILE = "consolidated.xml"
URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"


@pytest.fixture(scope="module")
def xml_bytes(lists_dir: Path) -> bytes:
    return read(lists_dir, "un_sc", "2026-02-27", FILE)


@pytest.fixture(scope="module")
def parties(xml_bytes: bytes) -> dict[str, Party]:
    return {p.id: p for p in UN.parse({FILE: xml_bytes})}


def party(parties: dict[str, Party], ref: str) -> Party:
    return parties[f"un_sc:{ref}"]


def names(p: Party) -> list[tuple[str, NameKind, str | None]]:
    return [(n.value, n.kind, n.script) for n in p.names]


def errors(files: Files) -> str:
    with pytest.raises(SourceFormatError) as info:
        list(UN.parse(files))
    return str(info.value)


# --------------------------------------------------------------------------- the whole file


def test_spec() -> None:
    assert (UN.name, dict(UN.urls)) == ("un_sc", {FILE: URL})
    assert UN.canonical("CONSOLIDATED.XML") == FILE
    assert UN.canonical("UN_consolidated.xml") == FILE


def test_counts(parties: dict[str, Party]) -> None:
    assert len(parties) == 1003  # PROVENANCE.md: 730 INDIVIDUAL + 273 ENTITY
    assert Counter(p.type for p in parties.values()) == {
        PartyType.PERSON: 730,
        PartyType.ORGANIZATION: 273,
    }
    for p in parties.values():
        (listing,) = p.listings
        assert (listing.authority, listing.list, listing.feeds) == (
            "UN Security Council",
            "UN",
            ("un_sc",),
        )
        assert p.id == f"un_sc:{listing.record_id}" and p.merge_key == f"un:{listing.record_id}"
        assert p.identifiers[0] == Identifier("UN Ref", listing.record_id)
        assert listing.listed_on and len(listing.listed_on) == 10
        assert p.names[0].kind is NameKind.PRIMARY
        assert len({n.value for n in p.names}) == len(p.names)


def test_regimes(parties: dict[str, Party]) -> None:
    assert Counter(p.listings[0].program for p in parties.values()) == {
        "Al-Qaida": 341,
        "DPRK": 155,
        "Taliban": 140,
        "Iran": 121,
        "Iraq": 75,
        "DRC": 53,
        "Libya": 30,
        "Somalia": 24,
        "CAR": 15,
        "Haiti": 11,
        "Yemen": 11,
        "GB": 10,
        "Sudan": 9,
        "SouthSudan": 8,
    }


def test_name_kinds_and_scripts(parties: dict[str, Party]) -> None:
    all_names = [n for p in parties.values() for n in p.names]
    assert Counter(n.kind for n in all_names) == {
        NameKind.ALIAS: 2574,
        NameKind.PRIMARY: 1003,
        NameKind.WEAK_ALIAS: 628,
        NameKind.FORMER: 18,
    }
    assert Counter(n.script for n in all_names) == {
        None: 3808,
        "Arabic": 394,
        "Cyrillic": 16,
        "Han": 5,
    }
    assert not [n.value for n in all_names if "original script" in n.value]


def test_published(xml_bytes: bytes) -> None:
    assert UN.published({FILE: xml_bytes}) == "2026-02-27"


# --------------------------------------------------------------------------- records


def test_etim(parties: dict[str, Party]) -> None:
    p = party(parties, "QDe.088")
    assert p.type is PartyType.ORGANIZATION
    assert [n.value for n in p.names] == [
        "EASTERN TURKISTAN ISLAMIC MOVEMENT (ETIM)",
        "The Eastern Turkistan Islamic Party",
        "The Eastern Turkistan Islamic Party of Allah",
        "Islamic Party of Turkestan",
        "Djamaat Turkistan",
    ]
    (listing,) = p.listings
    assert listing.program == "Al-Qaida"
    assert listing.listed_on == "2002-09-11"
    assert listing.citation == "UN Security Council Al-Qaida sanctions (ref QDe.088)"
    assert listing.record_id == "QDe.088"
    assert listing.source_url == URL
    assert listing.details == (("last_updated", "2020-11-24"),)
    assert p.remarks and p.remarks.startswith("Active in China, South Asia and Central Asia.")
    assert "\n" not in p.remarks  # the XML's hard wrapping is collapsed


def test_person(parties: dict[str, Party]) -> None:
    p = party(parties, "KPi.035")
    assert names(p) == [
        ("KIM CHOL SAM", NameKind.PRIMARY, None),
        ("Jin Tiesan", NameKind.ALIAS, None),
        ("金铁三", NameKind.ALIAS, "Han"),
    ]
    assert p.birth_dates == ("1971-03-11",)
    assert p.countries == ("KP",)
    assert p.identifiers == (
        Identifier("UN Ref", "KPi.035"),
        Identifier("Passport", "645120378", "KP"),
    )
    assert p.listings[0].program == "DPRK"
    assert p.listings[0].listed_on == "2016-11-30"
    assert p.remarks and p.remarks.endswith(
        "| Designation: Representative for Daedong Credit Bank (DCB)"
    )


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        # NAME_ORIGINAL_SCRIPT in Cyrillic
        ("QDi.397", [("AYRAT NASIMOVICH VAKHITOV", NameKind.PRIMARY, None),
                     ("Айрат Насимович Вахитов", NameKind.ALIAS, "Cyrillic"),
                     ("Salman Bulgarskiy", NameKind.ALIAS, None)]),
        # QUALITY Low -> weak alias; "(Sheikh) Musa Hilal" is not a list of names
        ("SDi.002", [("MUSA HILAL ABDALLA ALNSIEM", NameKind.PRIMARY, None),
                     ("(Sheikh) Musa Hilal", NameKind.WEAK_ALIAS, None),
                     ("Abd Allah", NameKind.WEAK_ALIAS, None),
                     ("Abdallah", NameKind.WEAK_ALIAS, None),
                     ("AlNasim", NameKind.WEAK_ALIAS, None),
                     ("Al Nasim", NameKind.WEAK_ALIAS, None),
                     ("AlNaseem", NameKind.WEAK_ALIAS, None),
                     ("Al Naseem", NameKind.WEAK_ALIAS, None),
                     ("AlNasseem", NameKind.WEAK_ALIAS, None),
                     ("Al Nasseem", NameKind.WEAK_ALIAS, None)]),
        # "a.k.a." / "f.k.a." qualities of entity aliases
        ("CDe.001", [("ADF", NameKind.PRIMARY, None),
                     ("Allied Democratic Forces", NameKind.ALIAS, None),
                     ("Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
                      NameKind.FORMER, None),
                     ("ADF/NALU", NameKind.FORMER, None),
                     ("NALU", NameKind.FORMER, None)]),
        # "A; B b) C; D; E" in one alias
        ("IRi.034", [("M. JAVAD KARIMI SABET", NameKind.PRIMARY, None),
                     ("Mohammed Sabet", NameKind.ALIAS, None),
                     ("Mohammad Sabet", NameKind.ALIAS, None),
                     ("M. Javad Kareemi Sabet", NameKind.ALIAS, None),
                     ("M. Jawad Kareemi Sabet", NameKind.ALIAS, None),
                     ("M. Jawad Karimi Sabet", NameKind.ALIAS, None)]),
        # two names in the primary, split on " ; "
        ("CDe.003", [("COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)", NameKind.PRIMARY, None),
                     ("GREAT LAKES BUSINESS COMPANY (GLBC)", NameKind.ALIAS, None),
                     ("CAGL", NameKind.ALIAS, None)]),
    ],
)  # fmt: skip
def test_names(
    parties: dict[str, Party], ref: str, expected: list[tuple[str, NameKind, str | None]]
) -> None:
    assert names(party(parties, ref)) == expected


@pytest.mark.parametrize(
    ("ref", "value", "script"),
    [
        # "Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hay’at ...; ...)"
        ("QDe.137", "Hay’at Tahrir al-Sham (HTS)", None),
        ("QDe.137", "هيئة تحرير الشام", "Arabic"),
        ("QDe.137", "Hayat Tahrir al-Sham", None),
        # "جبهة النصرة (the Victory Front; Jabhat al-Nusrah; ...)"
        ("QDe.137", "جبهة النصرة", "Arabic"),
        ("QDe.137", "Jabhat al-Nusrah", None),
        # "كتيبة أنصار الشريعة (Katibat Ansar al Charia)"
        ("QDe.146", "كتيبة أنصار الشريعة", "Arabic"),
        ("QDe.146", "Katibat Ansar al Charia", None),
        # "Abubakar (original script: Абубакар)"
        ("QDi.396", "Абубакар", "Cyrillic"),
    ],
)
def test_packed_aliases_are_split(
    parties: dict[str, Party], ref: str, value: str, script: str | None
) -> None:
    found = {n.value: n.script for n in party(parties, ref).names}
    assert found[value] == script
    assert "original script" not in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Azim Adhajani; Azim Agha-Jani", ["Azim Adhajani", "Azim Agha-Jani"]),
        ("a) Abu Ali b) Abu Omar", ["Abu Ali", "Abu Omar"]),
        ("حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)",
         ["حسن غول", "Hassan Ghul", "Hassan Gul", "Hasan Gul"]),
        ("Abubakar (original script: Абубакар)", ["Abubakar", "Абубакар"]),
        ("original script: Абу Мухаммад Аль-Кадари", ["Абу Мухаммад Аль-Кадари"]),
        ("Akhter Mohmad son of Noor Mohmad (اختر محمد ولد نور محمد ),",
         ["Akhter Mohmad son of Noor Mohmad", "اختر محمد ولد نور محمد"]),
        ("Encep Nurjaman (birth name)", ["Encep Nurjaman (birth name)"]),
        ("Leader (Hong Kong) International Trading Limited",
         ["Leader (Hong Kong) International Trading Limited"]),
        ("華信船務(香港)有限公司", ["華信船務(香港)有限公司"]),
        ("", []),
    ],
)  # fmt: skip
def test_split_un_names(text: str, expected: list[str]) -> None:
    assert split_un_names(text) == expected


@pytest.mark.parametrize(
    ("ref", "birth_dates"),
    [
        ("CDi.001", ("1971",)),  # YEAR
        ("IRi.012", ("1954-01-15",)),  # DATE
        ("QDi.055", tuple(str(y) for y in range(1937, 1946))),  # FROM_YEAR .. TO_YEAR
        ("IRi.034", ("1973-07-25",)),
        ("SDi.002", ("1964-01-01", "1959")),
    ],
)
def test_birth_dates(parties: dict[str, Party], ref: str, birth_dates: tuple[str, ...]) -> None:
    assert party(parties, ref).birth_dates == birth_dates


@pytest.mark.parametrize(
    ("ref", "countries", "addresses"),
    [
        ("CDi.001", ("CD", "RW"), (Address("Rwanda", "RW"),)),
        ("CDe.003", ("CD", "RW"), (
            Address("Avenue Président Mobutu, Goma, Democratic Republic of the Congo", "CD"),
            Address("Gisenyi, Rwanda", "RW"),
            Address("PO BOX 315, Goma, Democratic Republic of the Congo", "CD"))),
        ("SDi.001", ("SD",), None),  # nationality "na" is "not available", not Namibia
    ],
)  # fmt: skip
def test_countries_and_addresses(
    parties: dict[str, Party],
    ref: str,
    countries: tuple[str, ...],
    addresses: tuple[Address, ...] | None,
) -> None:
    p = party(parties, ref)
    assert p.countries == countries
    if addresses is not None:
        assert p.addresses == addresses


def test_listed_on_with_time_zone(parties: dict[str, Party]) -> None:
    # <LISTED_ON>2015-04-07-04:00</LISTED_ON>
    assert party(parties, "QDi.352").listings[0].listed_on == "2015-04-07"


# --------------------------------------------------------------------------- bad input

_BOMB_XML = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>"
)
_NO_REF = (
    b'<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS><INDIVIDUAL>'
    b"<DATAID>42</DATAID><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
)
_NO_NAME = (
    b"<CONSOLIDATED_LIST><ENTITIES><ENTITY><REFERENCE_NUMBER>QDe.999</REFERENCE_NUMBER>"
    b"<FIRST_NAME/></ENTITY></ENTITIES></CONSOLIDATED_LIST>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "consolidated.xml: the file is missing"),
        (b"", "consolidated.xml: the file is empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "consolidated.xml: not an XML file"),
        (_BOMB_XML, "unsafe XML refused"),
        (b"<CONSOLIDATED_LIST/>", "no <INDIVIDUALS> or <ENTITIES> element"),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", "the list holds no records"),
        (_NO_REF, "record DATAID 42, field 'REFERENCE_NUMBER': the record has no reference"),
        (_NO_NAME, "record QDe.999, field 'FIRST_NAME': the record has no name"),
    ],
)
def test_bad_input(data: bytes | None, message: str) -> None:
    assert message in errors({} if data is None else {FILE: data})


def test_truncated(xml_bytes: bytes) -> None:
    message = errors({FILE: xml_bytes[: len(xml_bytes) // 2]})
    assert message.startswith("consolidated.xml line 26439: malformed XML (no element found")
    assert "malformed XML" in message and "download it again" in message


def test_other_schema_is_refused(lists_dir: Path) -> None:
    legacy = read(lists_dir, "ofac_consolidated", "2023-03-08_legacy_xml", "consolidated.xml")
    message = errors({FILE: legacy})
    assert "not a UN consolidated list (the root element is <" in message
    assert "sdnList>)" in message and URL in message
    with pytest.raises(SourceFormatError, match="not a UN consolidated list"):
        UN.published({FILE: legacy})
