"""OFAC ENHANCED_XML (CONS_ENHANCED.ZIP of 2025-01-10, 443 entities) and its failure modes."""

from __future__ import annotations

import io
import struct
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import read
from entityscreen.errors import SourceFormatError
from entityscreen.model import Identifier, NameKind, Party, PartyType
from entityscreen.sources import Files
from entityscreen.sources.ofac_enhanced import SOURCES
from entityscreen.sources.ofac_enhanced_listings import list_code

CONS, SDN = SOURCES
FILE = "CONS_ENHANCED.ZIP"
URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_ENHANCED.ZIP"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
# (listed_on, effective_date, divestment_date) of the CMIC additions of 16 Dec 2021
DEC_2021 = ("2021-12-16", "2022-02-14", "2022-12-16")
NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML"


@pytest.fixture(scope="module")
def zip_bytes(lists_dir: Path) -> bytes:
    return read(lists_dir, "ofac_consolidated", "2025-01-10_enhanced_xml", FILE)


@pytest.fixture(scope="module")
def xml_bytes(zip_bytes: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        return zf.read("CONS_ENHANCED.XML")


@pytest.fixture(scope="module")
def parties(zip_bytes: bytes) -> dict[str, Party]:
    return {p.id: p for p in CONS.parse({FILE: zip_bytes})}


def party(parties: dict[str, Party], ent: str) -> Party:
    return parties[f"ofac_cons_enhanced:{ent}"]


def errors(files: Files) -> str:
    with pytest.raises(SourceFormatError) as info:
        list(CONS.parse(files))
    return str(info.value)


# --------------------------------------------------------------------------- the specs


def test_specs() -> None:
    assert (CONS.name, list(CONS.urls.items())) == ("ofac_cons_enhanced", [(FILE, URL)])
    assert SDN.name == "ofac_sdn_enhanced"
    assert SDN.urls == {"SDN_ENHANCED.ZIP": URL.replace("CONS_", "SDN_")}
    # the bare XML is the same file under another name
    assert CONS.canonical("CONS_ENHANCED.XML") == FILE
    assert CONS.canonical("cons_enhanced.zip") == FILE
    assert SDN.canonical("SDN_ENHANCED.XML") == "SDN_ENHANCED.ZIP"


# --------------------------------------------------------------------------- the whole file


def test_counts(parties: dict[str, Party]) -> None:
    assert len(parties) == 443  # PROVENANCE.md: 443 entity
    assert Counter(p.type for p in parties.values()) == {
        PartyType.ORGANIZATION: 363,
        PartyType.PERSON: 80,
    }
    assert all(p.merge_key == "ofac:" + p.id.split(":")[1] for p in parties.values())
    assert all(p.names[0].kind is NameKind.PRIMARY for p in parties.values())
    assert all(
        len({n.value for n in p.names}) == len(p.names) for p in parties.values()
    )  # no duplicated names


def test_listing_table(parties: dict[str, Party]) -> None:
    got = Counter((lst.list, lst.program) for p in parties.values() for lst in p.listings)
    assert got == {
        ("SSI", "UKRAINE-EO13662"): 286,
        ("PLC", "NS-PLC"): 78,
        ("SDN", "RUSSIA-EO14024"): 73,
        ("CMIC", "CMIC-EO13959"): 68,
        ("MBS", "RUSSIA-EO14024"): 9,
        ("SDN", "SDGT"): 2,
        ("SDN", "VENEZUELA-EO13850"): 2,
        ("CAPTA", "561-Related"): 1,
        ("SDN", "SYRIA"): 1,
        ("SDN", "IRAN-CON-ARMS-EO"): 1,
        ("FSE", "FSE-IR"): 1,
        ("MBS", "CAATSA - RUSSIA"): 1,
        ("MBS", "BURMA-EO14014"): 1,
        ("MBS", "ILLICIT-DRUGS-EO14059"): 1,
    }
    for p in parties.values():
        for lst in p.listings:
            assert lst.authority == "US Treasury OFAC"
            assert lst.record_id == p.id.split(":")[1]
            assert lst.feeds == ("ofac_cons_enhanced",)
            assert lst.source_url == URL
            assert lst.listed_on is not None


def test_scripts(parties: dict[str, Party]) -> None:
    scripts = Counter(n.script for p in parties.values() for n in p.names)
    assert scripts == {None: 1578, "Cyrillic": 39, "Han": 6}


def test_published(zip_bytes: bytes, xml_bytes: bytes) -> None:
    assert CONS.published({FILE: zip_bytes}) == "2025-01-10"
    assert CONS.published({FILE: xml_bytes}) == "2025-01-10"


def test_bare_xml_parses_the_same(parties: dict[str, Party], xml_bytes: bytes) -> None:
    assert [p.id for p in CONS.parse({FILE: xml_bytes})] == list(parties)


# --------------------------------------------------------------------------- records


def test_sensetime(parties: dict[str, Party]) -> None:
    p = party(parties, "33114")
    assert p.type is PartyType.ORGANIZATION
    assert [(n.value, n.kind, n.script, n.lang) for n in p.names] == [
        ("SENSETIME GROUP LIMITED", NameKind.PRIMARY, None, None),
        ("商湯集團有限公司", NameKind.ALIAS, "Han", "zh"),  # "Chinese Traditional" in the file
        ("SENSETIME GROUP LTD", NameKind.ALIAS, None, None),
    ]
    (listing,) = p.listings
    assert (listing.list, listing.program, listing.listed_on) == (
        "CMIC",
        "CMIC-EO13959",
        "2021-12-10",
    )
    assert listing.citation == "Executive Order 14032 (CMIC)"
    assert listing.detail("effective_date") == "2022-02-08"
    assert listing.detail("divestment_date") == "2022-12-10"
    assert listing.detail("sanctions_type") == "Executive Order 13959 Sanctions"
    assert p.identifiers == (Identifier("C.R. No.", "2162198", "HK"),)
    assert p.countries == ("CN",)
    assert p.addresses[0].text == (
        "Block 1, 1F & 2F Harbour View, 12 Science Park, West Avenue, "
        "Hong Kong New Territories, Hong Kong SAR, China"
    )
    assert p.remarks == (
        "Listing Date (CMIC) 10 Dec 2021; Effective Date (CMIC) 08 Feb 2022; "
        "Purchase/Sales For Divestment Date (CMIC) 10 Dec 2022; C.R. No. 2162198 (Hong Kong)."
    )


@pytest.mark.parametrize(
    ("ent", "primary", "han", "listed_on", "effective", "divestment"),
    [
        ("33091", "MEGVII TECHNOLOGY LIMITED", "旷视科技有限公司", *DEC_2021),
        ("33112", "CLOUDWALK TECHNOLOGY CO., LTD.", "云从科技集团股份有限公司", *DEC_2021),
        ("33113", "DAWNING INFORMATION INDUSTRY CO., LTD", "曙光信息产业股份有限公司", *DEC_2021),
        ("33893", "YITU LIMITED", "依图科技有限公司", *DEC_2021),
        ("33896", "XIAMEN MEIYA PICO INFORMATION CO., LTD.", None, *DEC_2021),
        ("30946", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.", None,
         "2021-06-03", "2021-08-02", "2022-06-03"),
    ],
)  # fmt: skip
def test_china_surveillance_cmic(
    parties: dict[str, Party],
    ent: str,
    primary: str,
    han: str | None,
    listed_on: str,
    effective: str,
    divestment: str,
) -> None:
    p = party(parties, ent)
    assert p.name == primary
    han_names = [n.value for n in p.names if n.script == "Han"]
    assert han_names == ([han] if han else [])
    (listing,) = p.listings
    assert (listing.list, listing.program, listing.listed_on) == ("CMIC", "CMIC-EO13959", listed_on)
    assert (listing.detail("effective_date"), listing.detail("divestment_date")) == (
        effective,
        divestment,
    )


@pytest.mark.parametrize(
    ("ent", "identifier"),
    [
        ("30946", Identifier("ISIN", "CNE100000PM8")),
        ("30946", Identifier("Equity Ticker", "002415 CN")),
        ("30946", Identifier("Unified Social Credit Code", "91330000733796106P", "CN")),
        ("26182", Identifier("Passport", "U00242309", "TR")),
        ("17018", Identifier("SWIFT/BIC", "SABRRUMM")),
        # the XML types the country into the number: "1026303117642 (Russia)"
        ("17064", Identifier("Registration ID", "1026303117642", "RU")),
    ],
)
def test_identifiers(parties: dict[str, Party], ent: str, identifier: Identifier) -> None:
    assert identifier in party(parties, ent).identifiers


@pytest.mark.parametrize(
    ("ent", "birth_dates", "countries", "remarks"),
    [
        ("9639", ("1962",), (), "DOB 1962; POB Shati."),
        ("26182", ("1980-02-08",), ("TR",), "DOB 08 Feb 1980; citizen Turkey; Gender Male; "
         "Passport U00242309 (Turkey)."),
        ("9659", ("1961",), ("PS",), None),  # address "REGION Gaza" without a country element
    ],
)  # fmt: skip
def test_persons(
    parties: dict[str, Party],
    ent: str,
    birth_dates: tuple[str, ...],
    countries: tuple[str, ...],
    remarks: str | None,
) -> None:
    p = party(parties, ent)
    assert p.type is PartyType.PERSON
    assert (p.birth_dates, p.countries) == (birth_dates, countries)
    if remarks:
        assert p.remarks == remarks


def test_name_kinds(parties: dict[str, Party]) -> None:
    sber = {n.value: (n.kind, n.script) for n in party(parties, "17018").names}
    assert sber["PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA"] == (NameKind.PRIMARY, None)
    assert sber["ПАО СБЕРБАНК"] == (NameKind.ALIAS, "Cyrillic")
    assert sber["SBERBANK ROSSII OAO"] == (NameKind.FORMER, None)  # F.K.A.
    assert sber["SBERBANK INDIA"] == (NameKind.WEAK_ALIAS, None)  # isLowQuality
    kinds = Counter(n.kind for p in parties.values() for n in p.names)
    assert kinds[NameKind.PRIMARY] == 443


@pytest.mark.parametrize(
    ("ent", "expected"),
    [
        # on the SDN list under RUSSIA-EO14024 and on the SSI list under UKRAINE-EO13662
        ("17018", [("SSI", "UKRAINE-EO13662", "2014-09-12", "Executive Order 13662 (Ukraine)"),
                   ("SDN", "RUSSIA-EO14024", "2022-04-06", "Executive Order 14024 (Russia)")]),
        ("9647", [("PLC", "NS-PLC", "2006-04-12", "General License 4 Under EO 13224 (Terrorism); "
                   "Executive Order 13224 (Terrorism)"),
                  ("SDN", "SDGT", "2023-11-14", "General License 4 Under EO 13224 (Terrorism); "
                   "Executive Order 13224 (Terrorism)")]),
        ("18782", [("SDN", "SYRIA", "2018-04-06", "Executive Order 13582 (Syria)"),
                   ("SSI", "UKRAINE-EO13662", "2015-12-22", "Executive Order 13662 (Ukraine)"),
                   ("SDN", "RUSSIA-EO14024", "2018-04-06", "Executive Order 14024 (Russia)"),
                   ("SDN", "IRAN-CON-ARMS-EO", "2018-04-06",
                    "Executive Order - Convential Arms (Iran)")]),
        ("50476", [("MBS", "ILLICIT-DRUGS-EO14059", "2024-08-20",
                    "Executive Order 14059 (Illicit Drugs)")]),
    ],
)  # fmt: skip
def test_multi_list_parties(
    parties: dict[str, Party], ent: str, expected: list[tuple[str, str, str, str]]
) -> None:
    got = [(x.list, x.program, x.listed_on, x.citation) for x in party(parties, ent).listings]
    assert got == expected


def test_directive_details(parties: dict[str, Party]) -> None:
    ssi, sdn = party(parties, "17018").listings
    assert ("sanctions_type", "13662 Sectoral Directive 1") in ssi.details
    assert ("directive", "EO 13662 Directive 1") in ssi.details
    assert ("sanctions_type", "Block") in sdn.details and (
        "sanctions_type",
        "Block",
    ) not in ssi.details
    assert sdn.detail("effective_date:EO 14024 Directive 2") == "2022-03-26"
    assert sdn.detail("listed_on:EO 14024 Directive 3") == "2022-02-24"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SDN List", "SDN"),
        ("Non-SDN CMIC List", "CMIC"),
        ("Sectoral Sanctions Identifications List", "SSI"),
        ("Non-SDN Menu-Based Sanctions List", "MBS"),
        ("Non-SDN Palestinian Legislative Council List", "PLC"),
        ("CAPTA List", "CAPTA"),
        ("FSE List", "FSE"),
        ("Consolidated List", None),
        ("Some New List", "Some New List"),
    ],
)
def test_list_codes(text: str, code: str | None) -> None:
    assert list_code(text) == code


# --------------------------------------------------------------------------- bad input


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _bad_crc(xml: bytes) -> bytes:
    """A stored (uncompressed) ZIP whose data no longer matches its CRC."""
    data = bytearray(_zip({"CONS_ENHANCED.XML": xml}, zipfile.ZIP_STORED))
    at = data.index(b"Sensetime Group Limited")
    data[at] = ord("T")  # still well-formed XML: only the CRC check can tell
    return bytes(data)


def _bomb(xml: bytes) -> bytes:
    """A ZIP whose central directory declares 4 GB uncompressed."""
    data = bytearray(_zip({"CONS_ENHANCED.XML": xml}))
    cd = data.index(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = struct.pack("<I", 0xFFFF_FFF0)
    return bytes(data)


def _doc(entities: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><sanctionsData xmlns="{NS}">'
        "<publicationInfo><dataAsOf>2025-01-10T00:00:00</dataAsOf></publicationInfo>"
        f"{entities}</sanctionsData>"
    ).encode()


_ENTITY_NO_NAME = (
    '<entities><entity id="7"><generalInfo><entityType refId="601">Entity</entityType>'
    "</generalInfo><names/></entity></entities>"
)
_BOMB_XML = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<sanctionsData>&b;</sanctionsData>"
)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda z, x: {}, "CONS_ENHANCED.ZIP: the file is missing"),
        (lambda z, x: {FILE: b""}, "CONS_ENHANCED.ZIP: the file is empty"),
        (lambda z, x: {FILE: PNG}, "neither a ZIP archive nor an XML"),
        (lambda z, x: {FILE: z[: len(z) // 2]}, "CONS_ENHANCED.ZIP: not a readable ZIP archive"),
        (lambda z, x: {FILE: _bad_crc(x)}, "CONS_ENHANCED.XML: the ZIP member cannot be extracted"),
        (lambda z, x: {FILE: _bomb(x)}, "declares 4,294,967,280 bytes uncompressed"),
        (lambda z, x: {FILE: _zip({"readme.txt": b"hi"})},
         "holds no XML file (it holds readme.txt)"),
        (lambda z, x: {FILE: x[: len(x) // 2]},
         "CONS_ENHANCED.ZIP line 40923: malformed XML (no element found"),
        (lambda z, x: {FILE: _zip({"CONS_ENHANCED.XML": x[:100_000]})},
         "CONS_ENHANCED.ZIP:CONS_ENHANCED.XML line"),
        (lambda z, x: {FILE: _BOMB_XML}, "unsafe XML refused"),
        (lambda z, x: {FILE: b"<sdnList><publshInformation/></sdnList>"},
         "not an OFAC ENHANCED_XML export (the root element is <sdnList>)"),
        (lambda z, x: {FILE: _doc("")}, "no <entities> element"),
        (lambda z, x: {FILE: _doc("<entities/>")}, "holds no entity records"),
        (lambda z, x: {FILE: _doc('<entities><entity><generalInfo/></entity></entities>')},
         "record #1, field 'id': an <entity> has no id attribute"),
        (lambda z, x: {FILE: _doc(_ENTITY_NO_NAME)},
         "record 7, field 'names': the entity has no name"),
    ],
)  # fmt: skip
def test_bad_input(
    zip_bytes: bytes, xml_bytes: bytes, make: Callable[[bytes, bytes], Files], message: str
) -> None:
    assert message in errors(make(zip_bytes, xml_bytes))


def test_truncated_xml_names_the_line(xml_bytes: bytes) -> None:
    message = errors({FILE: xml_bytes[: len(xml_bytes) // 2]})
    assert message.startswith("CONS_ENHANCED.ZIP line ")
    assert "malformed XML" in message and "download it again" in message


def test_other_list_files_are_refused(lists_dir: Path) -> None:
    legacy = read(lists_dir, "ofac_consolidated", "2023-03-08_legacy_xml", "consolidated.xml")
    un = read(lists_dir, "un_sc", "2026-02-27", "consolidated.xml")
    assert "root element is <sdnList>" in errors({FILE: legacy})
    assert "root element is <CONSOLIDATED_LIST>" in errors({FILE: un})
    with pytest.raises(SourceFormatError, match="not an OFAC ENHANCED_XML export"):
        CONS.published({FILE: un})
