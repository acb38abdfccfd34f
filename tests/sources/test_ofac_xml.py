"""OFAC legacy XML (consolidated.xml / SDN.XML) on the real consolidated.xml of 2023-03-08."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import read
from entityscreen.errors import SourceFormatError
from entityscreen.model import Identifier, NameKind, Party, PartyType, merge_parties
from entityscreen.sources import ofac_csv, ofac_xml

CONS_XML = ("ofac_consolidated", "2023-03-08_legacy_xml", "consolidated.xml")
CONS_CSV = ("ofac_consolidated", "2025-12-19_legacy_csv")


@pytest.fixture(scope="module")
def xml_bytes(lists_dir: Path) -> bytes:
    return read(lists_dir, *CONS_XML)


@pytest.fixture(scope="module")
def cons_xml(xml_bytes: bytes) -> dict[str, Party]:
    return {p.merge_key or p.id: p for p in ofac_xml.parse_cons({"consolidated.xml": xml_bytes})}


def test_record_count_and_date(cons_xml: dict[str, Party], xml_bytes: bytes) -> None:
    assert len(cons_xml) == 445  # = Record_Count
    assert ofac_xml.published_cons({"consolidated.xml": xml_bytes}) == "2023-03-08"


def test_types(cons_xml: dict[str, Party]) -> None:
    assert Counter(p.type for p in cons_xml.values()) == {
        PartyType.ORGANIZATION: 366,
        PartyType.PERSON: 79,
    }


def test_every_party_is_well_formed(cons_xml: dict[str, Party]) -> None:
    for key, p in cons_xml.items():
        uid = key.removeprefix("ofac:")
        assert p.id == f"ofac_cons_xml:{uid}"
        assert p.names[0].kind is NameKind.PRIMARY
        assert len({n.value for n in p.names}) == len(p.names)
        assert p.listings
        for lst in p.listings:
            assert (lst.authority, lst.record_id, lst.feeds) == (
                "US Treasury OFAC",
                uid,
                ("ofac_cons_xml",),
            )
            assert lst.source_url == (
                "https://www.treasury.gov/ofac/downloads/consolidated/consolidated.xml"
            )


def test_list_mapping(cons_xml: dict[str, Party]) -> None:
    got = Counter((lst.list, lst.program) for p in cons_xml.values() for lst in p.listings)
    assert got == {
        ("SSI", "UKRAINE-EO13662"): 289,
        ("PLC", "NS-PLC"): 78,
        ("CMIC", "CMIC-EO13959"): 68,
        ("SDN", "RUSSIA-EO14024"): 41,
        ("CAPTA", "RUSSIA-EO14024"): 14,
        ("MBS", "RUSSIA-EO14024"): 13,
        ("SDN", "VENEZUELA-EO13850"): 2,
        ("SDN", "SDGT"): 1,
        ("SDN", "SYRIA"): 1,
        ("CAPTA", "561-Related"): 1,
        ("FSE", "FSE-IR"): 1,
        ("MBS", "CAATSA - RUSSIA"): 1,
    }


CMIC = [
    # (uid, name, aliases, countries, listed_on, effective, divestment, identifiers)
    ("33114", "SENSETIME GROUP LIMITED", [("SENSETIME GROUP LTD", NameKind.ALIAS)], ("CN",),
     "2021-12-10", "2022-02-08", "2022-12-10", [Identifier("C.R. No.", "2162198", "HK")]),
    ("33091", "MEGVII TECHNOLOGY LIMITED", [], ("KY", "CN"),
     "2021-12-16", "2022-02-14", "2022-12-16", []),
    ("30946", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.",
     [("HIKVISION", NameKind.ALIAS), ("HANGZHOU HIKVISION DIGITAL TECHNOLOGY", NameKind.ALIAS)],
     ("CN",), "2021-06-03", "2021-08-02", "2022-06-03",
     [Identifier("Unified Social Credit Code", "91330000733796106P", "CN"),
      Identifier("Equity Ticker", "002415 CN"), Identifier("ISIN", "CNE100000PM8")]),
    ("33893", "YITU LIMITED", [], ("KY",), "2021-12-16", "2022-02-14", "2022-12-16", []),
    ("33112", "CLOUDWALK TECHNOLOGY CO., LTD.", [("CLOUDWALK", NameKind.WEAK_ALIAS)], ("CN",),
     "2021-12-16", "2022-02-14", "2022-12-16",
     [Identifier("Unified Social Credit Code", "914401153314442716", "CN")]),
    ("33896", "XIAMEN MEIYA PICO INFORMATION CO., LTD.", [], ("CN",),
     "2021-12-16", "2022-02-14", "2022-12-16",
     [Identifier("Unified Social Credit Code", "91350200705420347R", "CN"),
      Identifier("Equity Ticker", "300188 CN"), Identifier("ISIN", "CNE100001120")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("uid", "name", "aliases", "countries", "listed_on", "effective", "divestment", "ids"),
    CMIC,
    ids=[c[1] for c in CMIC],
)
def test_cmic_records(
    cons_xml: dict[str, Party],
    uid: str,
    name: str,
    aliases: list[tuple[str, NameKind]],
    countries: tuple[str, ...],
    listed_on: str,
    effective: str,
    divestment: str,
    ids: list[Identifier],
) -> None:
    p = cons_xml[f"ofac:{uid}"]
    assert p.type is PartyType.ORGANIZATION
    assert p.name == name
    assert [(n.value, n.kind) for n in p.names[1:]] == aliases
    assert p.countries == countries
    assert list(p.identifiers) == ids
    (listing,) = p.listings
    assert (listing.list, listing.program, listing.listed_on) == ("CMIC", "CMIC-EO13959", listed_on)
    assert listing.detail("effective_date") == effective
    assert listing.detail("divestment_date") == divestment


@pytest.mark.parametrize(
    ("uid", "name", "names", "birth_dates", "countries", "identifiers", "listings"),
    [
        # an individual: lastName, firstName joined the CSV's way; dateOfBirth
        ("9639", "HANIYA, Ismail Abdul Salah",
         [("HANIYA, Ismail", NameKind.ALIAS), ("HANIYYA, Ismaeel", NameKind.ALIAS)],
         ("1962",), (), [], [("PLC", "NS-PLC", None)]),
        # citizenship, passport with idCountry, FSE
        ("26182", "KAYAKIRAN, Evren", [], ("1980-02-08",), ("TR",),
         [Identifier("Passport", "U00242309", "TR")], [("FSE", "FSE-IR", None)]),
        # weak and strong akas, f.k.a.s, idList documents and directive notes
        ("17015", "STATE CORPORATION BANK FOR DEVELOPMENT AND FOREIGN ECONOMIC AFFAIRS "
         "VNESHECONOMBANK",
         [("VEB", NameKind.WEAK_ALIAS),
          ("GOSUDARSTVENNAYA KORPORATSIYA RAZVITIYA VEB.RF", NameKind.ALIAS),
          ("STATE DEVELOPMENT CORPORATION VEB.RF", NameKind.ALIAS),
          ("GK VEB.RF", NameKind.ALIAS), ("VEB.RF", NameKind.ALIAS),
          ("BANK FOR DEVELOPMENT", NameKind.WEAK_ALIAS),
          ("VNESHECONOMBANK", NameKind.FORMER), ("VNESHEKONOMBANK SSSR", NameKind.FORMER),
          ("VNESHEKONOMBANK GK", NameKind.FORMER),
          ("BANK FOR FOREIGN TRADE OF THE U.S.S.R.", NameKind.FORMER)],
         (), ("RU",),
         [Identifier("Registration Number", "1077711000102", "RU"),
          Identifier("Tax ID No.", "7750004150", "RU"),
          Identifier("Government Gazette Number", "00005061", "RU"),
          Identifier("BIK (RU)", "044525060"), Identifier("SWIFT/BIC", "BFEARUMM")],
         [("SSI", "UKRAINE-EO13662", None), ("SDN", "RUSSIA-EO14024", None)]),
        # EO 14024 Directive 2 -> CAPTA with its own listing date
        ("18669", "LIMITED LIABILITY COMPANY SBERBANK CAPITAL",
         [("SBERBANK CAPITAL LLC", NameKind.ALIAS), ("SBERBANK KAPITAL OOO", NameKind.ALIAS),
          ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU SBERBANK KAPITAL", NameKind.ALIAS),
          ("SBERBANK CAPITAL LIMITED LIABILITY COMPANY", NameKind.ALIAS)],
         (), ("RU",),
         [Identifier("Registration ID", "1087746887678", "RU"),
          Identifier("Tax ID No.", "7736581290", "RU")],
         [("SSI", "UKRAINE-EO13662", None), ("CAPTA", "RUSSIA-EO14024", "2022-02-24")]),
        # Directive 1a -> NS-MBS
        ("31695", "CENTRAL BANK OF THE RUSSIAN FEDERATION",
         [("BANK ROSSI, FEDERAL STATE BUDGETARY INSTITUTION", NameKind.ALIAS),
          ("BANK OF RUSSIA", NameKind.ALIAS), ("BANK OF RUSSIA, CENTRAL BANK", NameKind.ALIAS),
          ("TSENTRALNY BANK ROSSISKOI FEDERATSII", NameKind.ALIAS),
          ("CENTRAL BANK OF RUSSIA", NameKind.ALIAS)],
         (), ("RU",),
         [Identifier("Tax ID No.", "7702235133", "RU"),
          Identifier("Registration Number", "1037700013020", "RU"),
          Identifier("Government Gazette Number", "00032253", "RU"),
          Identifier("SWIFT/BIC", "CBRFRUMM")],
         [("MBS", "RUSSIA-EO14024", "2022-02-22")]),
    ],
)  # fmt: skip
def test_records(
    cons_xml: dict[str, Party],
    uid: str,
    name: str,
    names: list[tuple[str, NameKind]],
    birth_dates: tuple[str, ...],
    countries: tuple[str, ...],
    identifiers: list[Identifier],
    listings: list[tuple[str, str, str | None]],
) -> None:
    p = cons_xml[f"ofac:{uid}"]
    assert p.name == name
    assert [(n.value, n.kind) for n in p.names[1:]] == names
    assert p.birth_dates == birth_dates
    assert p.countries == countries
    assert list(p.identifiers) == identifiers
    assert [(x.list, x.program, x.listed_on) for x in p.listings] == listings
    assert p.merge_key == f"ofac:{uid}"


def test_address_joined_like_the_csv(cons_xml: dict[str, Party]) -> None:
    (address,) = cons_xml["ofac:33114"].addresses
    assert address.text == (
        "Block 1, 1F & 2F Harbour View, 12 Science Park, West Avenue, "
        "Hong Kong New Territories, Hong Kong SAR, China"
    )
    assert address.country == "CN"


def test_country_inside_id_number(cons_xml: dict[str, Party]) -> None:
    # <idNumber>1026303117642 (Russia)</idNumber> with no <idCountry> (uid 17064)
    assert (
        Identifier("Registration ID", "1026303117642", "RU") in cons_xml["ofac:17064"].identifiers
    )


def test_merges_with_the_csv_record(cons_xml: dict[str, Party], lists_dir: Path) -> None:
    files = {n: read(lists_dir, *CONS_CSV, n) for n in ("cons_prim.csv", "cons_alt.csv")}
    csv_party = next(p for p in ofac_csv.parse_cons(files) if p.merge_key == "ofac:33114")
    merged = merge_parties([csv_party, cons_xml["ofac:33114"]])
    (listing,) = merged.listings
    assert listing.feeds == ("ofac_cons_csv", "ofac_cons_xml")
    assert merged.aliases == ("SENSETIME GROUP LTD",)
    assert merged.identifiers == (Identifier("C.R. No.", "2162198", "HK"),)


# --- bad input -----------------------------------------------------------------------------------

SMALL = (
    b'<?xml version="1.0" standalone="yes"?>\n'
    b'<sdnList xmlns="http://tempuri.org/sdnList.xsd">\n'
    b"<publshInformation><Publish_Date>03/08/2023</Publish_Date>"
    b"<Record_Count>1</Record_Count></publshInformation>\n"
    b"<sdnEntry>%s</sdnEntry>\n</sdnList>\n"
)
GOOD_ENTRY = (
    b"<uid>1</uid><lastName>X</lastName><sdnType>Entity</sdnType>"
    b"<programList><program>NS-PLC</program></programList>"
)


def test_small_good_file() -> None:
    (p,) = ofac_xml.parse_cons({"consolidated.xml": SMALL % GOOD_ENTRY})
    assert (p.id, p.name, p.listings[0].list) == ("ofac_cons_xml:1", "X", "PLC")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "consolidated.xml: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "consolidated.xml line 1: malformed XML"),
        (b"<sdnList><sdnEntry></sdnList>",
         "consolidated.xml line 1: malformed XML (mismatched tag"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sdnList>&a;</sdnList>',
         "refused unsafe XML"),
        (SMALL % GOOD_ENTRY.replace(b"<uid>1</uid>", b""),
         "consolidated.xml record #1, field 'uid': missing or bad <uid> None"),
        (SMALL % GOOD_ENTRY.replace(b"Entity", b"Robot"),
         "consolidated.xml record 1, field 'sdnType': unknown sdnType 'Robot'"),
        (SMALL % GOOD_ENTRY.replace(b"<lastName>X</lastName>", b""),
         "consolidated.xml record 1, field 'lastName': no name"),
        (SMALL % GOOD_ENTRY.replace(b"<program>NS-PLC</program>", b""),
         "consolidated.xml record 1, field 'programList': no program"),
        (SMALL.replace(b"<Record_Count>1<", b"<Record_Count>2<") % GOOD_ENTRY,
         "Record_Count says 2 records but the file holds 1"),
    ],
)  # fmt: skip
def test_broken_xml(data: bytes, expected: str) -> None:
    with pytest.raises(SourceFormatError) as exc:
        list(ofac_xml.parse_cons({"consolidated.xml": data}))
    assert expected in str(exc.value)


def test_truncated_real_file(xml_bytes: bytes) -> None:
    with pytest.raises(SourceFormatError) as exc:
        list(ofac_xml.parse_cons({"consolidated.xml": xml_bytes[: len(xml_bytes) // 2]}))
    msg = str(exc.value)
    assert msg.startswith("consolidated.xml line ")
    assert "malformed XML" in msg and "truncated" in msg


def test_record_missing_from_real_file(xml_bytes: bytes) -> None:
    start = xml_bytes.index(b"<sdnEntry>")
    end = xml_bytes.index(b"</sdnEntry>", start) + len(b"</sdnEntry>")
    with pytest.raises(
        SourceFormatError, match="Record_Count says 445 records but the file holds 444"
    ):
        list(ofac_xml.parse_cons({"consolidated.xml": xml_bytes[:start] + xml_bytes[end:]}))


@pytest.mark.parametrize(
    ("parts", "as_file", "expected"),
    [
        (("un_sc", "2026-02-27", "consolidated.xml"), "consolidated.xml",
         "root element is <CONSOLIDATED_LIST>, not <sdnList>"),
        (("ofac_sdn", "2024-02-23_sdn_advanced_xml_SAMPLE", "sdn_advanced.xml"), "SDN.XML",
         "this is sdn_advanced.xml"),
        (CONS_XML, "SDN.XML", "looks like the Consolidated (non-SDN) list"),
    ],
)  # fmt: skip
def test_wrong_files(lists_dir: Path, parts: tuple[str, ...], as_file: str, expected: str) -> None:
    parse = ofac_xml.parse_sdn if as_file == "SDN.XML" else ofac_xml.parse_cons
    with pytest.raises(SourceFormatError) as exc:
        list(parse({as_file: read(lists_dir, *parts)}))
    assert str(exc.value).startswith(as_file)
    assert expected in str(exc.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (SMALL % GOOD_ENTRY, "2023-03-08"),
        (SMALL.replace(b"<Publish_Date>03/08/2023</Publish_Date>", b"") % GOOD_ENTRY, None),
    ],
)
def test_published(data: bytes, expected: str | None) -> None:
    assert ofac_xml.published_cons({"consolidated.xml": data}) == expected


def test_published_bad_date() -> None:
    data = SMALL.replace(b"03/08/2023", b"2023-03-08") % GOOD_ENTRY
    with pytest.raises(SourceFormatError, match="Publish_Date '2023-03-08' is not MM/DD/YYYY"):
        ofac_xml.published_cons({"consolidated.xml": data})


@pytest.mark.parametrize(
    ("index", "name", "file", "url"),
    [
        (0, "ofac_sdn_xml", "SDN.XML", "https://www.treasury.gov/ofac/downloads/sdn.xml"),
        (1, "ofac_cons_xml", "consolidated.xml",
         "https://www.treasury.gov/ofac/downloads/consolidated/consolidated.xml"),
    ],
)  # fmt: skip
def test_specs(index: int, name: str, file: str, url: str) -> None:
    spec = ofac_xml.SOURCES[index]
    assert (spec.name, dict(spec.urls), spec.optional) == (name, {file: url}, frozenset())
    assert spec.canonical(file.lower()) == file
