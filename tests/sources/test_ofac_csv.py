"""OFAC legacy CSV (sdn.csv & co., cons_*.csv) on the real files in PROVENANCE.md."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import read
from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, NameKind, Party, PartyType
from entityscreen.sources import ofac_csv

SDN_2021 = ("ofac_sdn", "2021-07-07_legacy_csv")
SDN_2023 = ("ofac_sdn", "2023-01_sdn_csv_reserialized_nonnative")
SDN_2025 = ("ofac_sdn", "2025-02-27_legacy_csv_partial")
CONS_2025 = ("ofac_consolidated", "2025-12-19_legacy_csv")
SDN_FILES = ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
CONS_FILES = ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")


def _set(lists_dir: Path, folder: tuple[str, str], names: tuple[str, ...]) -> dict[str, bytes]:
    return {n: read(lists_dir, *folder, n) for n in names}


def _rows_for(data: bytes, ents: set[str]) -> bytes:
    """The real lines of a native file for some entity numbers (CRLF and 0x1A kept)."""
    lines = data.split(b"\r\n")
    kept = [ln for ln in lines if ln.split(b",", 1)[0].decode() in ents]
    return b"\r\n".join([*kept, b"\x1a"])


def _by_key(parties: list[Party]) -> dict[str, Party]:
    return {p.merge_key or p.id: p for p in parties}


@pytest.fixture(scope="module")
def sdn_2021(lists_dir: Path) -> dict[str, Party]:
    return _by_key(list(ofac_csv.parse_sdn(_set(lists_dir, SDN_2021, SDN_FILES))))


@pytest.fixture(scope="module")
def cons_2025(lists_dir: Path) -> dict[str, Party]:
    return _by_key(list(ofac_csv.parse_cons(_set(lists_dir, CONS_2025, CONS_FILES))))


@pytest.fixture(scope="module")
def sdn_2023(lists_dir: Path) -> dict[str, Party]:
    """The re-saved 2023 sdn.csv, with the native 2025 alias/address rows of Zakir and Tuniyaz.

    No native post-2021 set is available; the 2025 partial set's rows for the two Xinjiang
    officials (ent 34079, 34119) are real OFAC lines and belong to entities the 2023 table has.
    """
    ents = {"34079", "34119"}
    files = {
        "sdn.csv": read(lists_dir, *SDN_2023, "sdn.csv"),
        "alt.csv": _rows_for(read(lists_dir, *SDN_2025, "alt.csv"), ents),
        "add.csv": _rows_for(read(lists_dir, *SDN_2025, "add.csv"), ents),
    }
    return _by_key(list(ofac_csv.parse_sdn(files)))


# --- record counts (PROVENANCE.md) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "count"),
    [("sdn_2021", 8976), ("cons_2025", 442), ("sdn_2023", 11443)],
)
def test_record_counts(fixture: str, count: int, request: pytest.FixtureRequest) -> None:
    assert len(request.getfixturevalue(fixture)) == count


@pytest.mark.parametrize(
    ("fixture", "types"),
    [
        ("sdn_2021", {"person": 4620, "organization": 3673, "vessel": 406, "aircraft": 277}),
        ("sdn_2023", {"person": 5890, "organization": 4575, "vessel": 685, "aircraft": 293}),
        ("cons_2025", {"person": 79, "organization": 363}),
    ],
)
def test_party_types(fixture: str, types: dict[str, int], request: pytest.FixtureRequest) -> None:
    parties = request.getfixturevalue(fixture).values()
    assert Counter(p.type.value for p in parties) == types


def test_every_party_is_well_formed(
    sdn_2021: dict[str, Party], sdn_2023: dict[str, Party], cons_2025: dict[str, Party]
) -> None:
    for feed, parties in (
        ("ofac_sdn_csv", sdn_2021),
        ("ofac_sdn_csv", sdn_2023),
        ("ofac_cons_csv", cons_2025),
    ):
        for key, p in parties.items():
            ent = key.removeprefix("ofac:")
            assert p.id == f"{feed}:{ent}"
            assert p.names[0].kind is NameKind.PRIMARY
            assert len({n.value for n in p.names}) == len(p.names)
            assert p.listings
            assert all(lst.record_id == ent and lst.feeds == (feed,) for lst in p.listings)
            assert all(lst.authority == "US Treasury OFAC" for lst in p.listings)


# --- concrete records, field by field ----------------------------------------------------------

CMIC_RECORDS = [
    # (ent, primary name, aliases (name, kind), countries, listed_on, effective, divestment,
    #  identifiers)
    ("33114", "SENSETIME GROUP LIMITED", [("SENSETIME GROUP LTD", NameKind.ALIAS)], ("CN",),
     "2021-12-10", "2022-02-08", "2022-12-10", [Identifier("C.R. No.", "2162198", "HK")]),
    ("33091", "MEGVII TECHNOLOGY LIMITED", [], ("KY", "CN"),
     "2021-12-16", "2022-02-14", "2022-12-16", []),
    ("30946", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.",
     [("HIKVISION", NameKind.ALIAS), ("HANGZHOU HIKVISION DIGITAL TECHNOLOGY", NameKind.ALIAS)],
     ("CN",), "2021-06-03", "2021-08-02", "2022-06-03",
     [Identifier("Equity Ticker", "002415 CN"), Identifier("ISIN", "CNE100000PM8"),
      Identifier("Unified Social Credit Code", "91330000733796106P", "CN")]),
    ("33893", "YITU LIMITED", [], ("KY",), "2021-12-16", "2022-02-14", "2022-12-16", []),
    ("33112", "CLOUDWALK TECHNOLOGY CO., LTD.", [("CLOUDWALK", NameKind.WEAK_ALIAS)], ("CN",),
     "2021-12-16", "2022-02-14", "2022-12-16",
     [Identifier("Unified Social Credit Code", "914401153314442716", "CN")]),
    ("33896", "XIAMEN MEIYA PICO INFORMATION CO., LTD.", [], ("CN",),
     "2021-12-16", "2022-02-14", "2022-12-16",
     [Identifier("Equity Ticker", "300188 CN"), Identifier("ISIN", "CNE100001120"),
      Identifier("Unified Social Credit Code", "91350200705420347R", "CN")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ent", "name", "aliases", "countries", "listed_on", "effective", "divestment", "identifiers"),
    CMIC_RECORDS,
    ids=[r[1] for r in CMIC_RECORDS],
)
def test_cmic_records(
    cons_2025: dict[str, Party],
    ent: str,
    name: str,
    aliases: list[tuple[str, NameKind]],
    countries: tuple[str, ...],
    listed_on: str,
    effective: str,
    divestment: str,
    identifiers: list[Identifier],
) -> None:
    p = cons_2025[f"ofac:{ent}"]
    assert p.id == f"ofac_cons_csv:{ent}"
    assert p.type is PartyType.ORGANIZATION
    assert p.name == name
    assert [(n.value, n.kind) for n in p.names[1:]] == aliases
    assert p.countries == countries
    assert list(p.identifiers) == identifiers
    (listing,) = p.listings
    assert (listing.list, listing.program, listing.listed_on) == ("CMIC", "CMIC-EO13959", listed_on)
    assert listing.detail("effective_date") == effective
    assert listing.detail("divestment_date") == divestment
    assert listing.source_url == (
        "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv"
    )
    assert p.remarks is not None and "Listing Date (CMIC) " in p.remarks


def test_sensetime_everything(cons_2025: dict[str, Party]) -> None:
    p = cons_2025["ofac:33114"]
    assert p.addresses == (
        Address(
            "Block 1, 1F & 2F Harbour View, 12 Science Park, West Avenue, "
            "Hong Kong New Territories, Hong Kong SAR, China",
            "CN",
        ),
    )
    assert p.remarks == (
        "Effective Date (CMIC) 08 Feb 2022; Purchase/Sales For Divestment Date (CMIC) "
        "10 Dec 2022; Listing Date (CMIC) 10 Dec 2021; C.R. No. 2162198 (Hong Kong)."
    )
    assert p.listings[0].details == (
        ("effective_date", "2022-02-08"),
        ("divestment_date", "2022-12-10"),
    )
    assert p.birth_dates == ()


SDN_RECORDS = [
    # (fixture, ent, name, type, aliases, birth_dates, countries, address)
    ("sdn_2021", "29159", "XINJIANG PUBLIC SECURITY BUREAU", PartyType.ORGANIZATION,
     ["XINJIANG BUREAU OF PUBLIC SECURITY",
      "PUBLIC SECURITY DEPARTMENT OF XINJIANG UYGAR AUTONOMOUS REGION",
      "PUBLIC SECURITY DEPARTMENT OF XUAR",
      "PUBLIC SECURITY DEPARTMENT OF THE AUTONOMOUS REGION"], (), ("CN",), "Xinjiang, China"),
    ("sdn_2021", "29299", "XINJIANG PRODUCTION AND CONSTRUCTION CORPS", PartyType.ORGANIZATION,
     [], (), ("CN",), "Xinjiang, China"),
    ("sdn_2021", "29220", "CHEN, Quanguo", PartyType.PERSON, [], ("1955",), ("CN",),
     "Xinjiang, China"),
    ("sdn_2023", "29220", "CHEN, Quanguo", PartyType.PERSON, [], ("1955",), (), None),
    ("sdn_2023", "34079", "ZAKIR, Shohrat", PartyType.PERSON,
     ["ZAKIR, Shohret", "ZHAKER, Xuekelaiti", "SHOHRAT, Zakir"], ("1953-08",), ("CN",),
     "Xinjiang, China"),
    ("sdn_2023", "34119", "TUNIYAZ, Erken", PartyType.PERSON,
     ["TUNIYAZ, Erkin", "TUNIYAZI, Arkin", "TUNIYAZI, Aierken", "TUNIAZ, Alken"], ("1961-12",),
     ("CN",), "Xinjiang, China"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fixture", "ent", "name", "ptype", "aliases", "birth_dates", "countries", "address"),
    SDN_RECORDS,
    ids=[f"{r[0]}-{r[2]}" for r in SDN_RECORDS],
)
def test_sdn_records(
    request: pytest.FixtureRequest,
    fixture: str,
    ent: str,
    name: str,
    ptype: PartyType,
    aliases: list[str],
    birth_dates: tuple[str, ...],
    countries: tuple[str, ...],
    address: str | None,
) -> None:
    p = request.getfixturevalue(fixture)[f"ofac:{ent}"]
    assert p.name == name
    assert p.type is ptype
    assert [n.value for n in p.names[1:]] == aliases
    assert all(n.kind is NameKind.ALIAS for n in p.names[1:])
    assert p.birth_dates == birth_dates
    assert p.countries == countries
    assert [a.text for a in p.addresses] == ([address] if address else [])
    (listing,) = p.listings
    assert (listing.list, listing.program, listing.listed_on) == ("SDN", "GLOMAG", None)
    assert listing.source_url == "https://www.treasury.gov/ofac/downloads/sdn.csv"
    assert p.merge_key == f"ofac:{ent}"


def test_remarks_continue_in_comments_file(sdn_2021: dict[str, Party]) -> None:
    # sdn.csv stops at 1,000 characters ("... PROMO RAI"); sdn_comments.csv goes on ("Z S.A.S.")
    p = sdn_2021["ofac:12300"]
    assert p.remarks is not None
    assert "Linked To: PROMO RAIZ S.A.S.; Linked To: RED MUNDIAL" in p.remarks
    assert p.remarks.endswith("Linked To: R D I S.A.")
    # and an alias split across the two files is whole again
    names = {n.value: n.kind for n in sdn_2021["ofac:28263"].names}
    assert names["snowsjohn"] is NameKind.WEAK_ALIAS


@pytest.mark.parametrize(
    ("ent", "ptype", "identifiers", "countries", "names"),
    [
        ("15036", PartyType.VESSEL,
         [Identifier("IMO", "9187629"), Identifier("MMSI", "572469210"),
          Identifier("Call Sign", "T2EU4")], ("IR",),
         [("ARTAVIL", NameKind.PRIMARY), ("ABADAN", NameKind.FORMER), ("SHONA", NameKind.FORMER),
          ("ALPHA", NameKind.FORMER)]),  # fka rows in alt.csv, then the f.k.a. in Remarks
        ("4243", PartyType.VESSEL, [Identifier("Call Sign", "P3QG3")], ("CY",),
         [("SAND SWAN", NameKind.PRIMARY), ("ANA I", NameKind.FORMER)]),
        ("15431", PartyType.AIRCRAFT,
         [Identifier("Aircraft Construction Number (also called L/N or S/N or F/N)", "8401"),
          Identifier("Aircraft Manufacturer's Serial Number (MSN)", "1023409321")], (),
         [("EP-GOM", NameKind.PRIMARY)]),
        ("306", PartyType.ORGANIZATION, [], ("CH", "ES", "JP", "PA"),
         [("BANCO NACIONAL DE CUBA", NameKind.PRIMARY), ("NATIONAL BANK OF CUBA", NameKind.ALIAS),
          ("BNC", NameKind.WEAK_ALIAS)]),
    ],
)  # fmt: skip
def test_vessels_aircraft_and_weak_aliases(
    sdn_2021: dict[str, Party],
    ent: str,
    ptype: PartyType,
    identifiers: list[Identifier],
    countries: tuple[str, ...],
    names: list[tuple[str, NameKind]],
) -> None:
    p = sdn_2021[f"ofac:{ent}"]
    assert p.type is ptype
    assert list(p.identifiers) == identifiers
    assert p.countries == countries
    assert [(n.value, n.kind) for n in p.names] == names


def test_multi_program_field(sdn_2021: dict[str, Party]) -> None:
    p = sdn_2021["ofac:28263"]  # "DPRK3] [CYBER2"
    assert [(lst.list, lst.program) for lst in p.listings] == [("SDN", "DPRK3"), ("SDN", "CYBER2")]


# --- which non-SDN list a consolidated record is on ---------------------------------------------


def test_consolidated_list_mapping(cons_2025: dict[str, Party]) -> None:
    got = Counter((lst.list, lst.program) for p in cons_2025.values() for lst in p.listings)
    assert got == {
        ("SSI", "UKRAINE-EO13662"): 286,
        ("PLC", "NS-PLC"): 78,
        ("CMIC", "CMIC-EO13959"): 68,
        ("SDN", "RUSSIA-EO14024"): 68,  # SSI entities also blocked under EO 14024
        ("CAPTA", "RUSSIA-EO14024"): 14,  # EO 14024 Directive 2
        ("MBS", "RUSSIA-EO14024"): 12,  # EO 14024 Directives 1a, 3, 4
        ("SDN", "SDGT"): 2,
        ("SDN", "VENEZUELA-EO13850"): 2,
        ("SDN", "IRAN-CON-ARMS-EO"): 1,
        ("CAPTA", "561-Related"): 1,
        ("MBS", "CAATSA - RUSSIA"): 1,
        ("MBS", "BURMA-EO14014"): 1,
        ("MBS", "ILLICIT-DRUGS-EO14059"): 1,
    }


@pytest.mark.parametrize(
    ("ent", "listings"),
    [
        # (list, program, listed_on, directive)
        ("31695", [("MBS", "RUSSIA-EO14024", "2022-02-22", "EO 14024 Directive 1a")]),
        ("18669", [("SSI", "UKRAINE-EO13662", None, "EO 13662 Directive 1"),
                   ("CAPTA", "RUSSIA-EO14024", "2022-02-24", "EO 14024 Directive 2")]),
        ("17015", [("SSI", "UKRAINE-EO13662", None, "EO 13662 Directive 1"),
                   ("SDN", "RUSSIA-EO14024", None, None)]),
        ("46072", [("MBS", "BURMA-EO14014", "2023-10-31", "EO 14014 Directive 1")]),
        ("50476", [("MBS", "ILLICIT-DRUGS-EO14059", None, None)]),
        ("27016", [("MBS", "CAATSA - RUSSIA", None, None)]),
        ("15268", [("CAPTA", "561-Related", None, None)]),
        ("9647", [("SDN", "SDGT", None, None), ("PLC", "NS-PLC", None, None)]),
        ("9639", [("PLC", "NS-PLC", None, None)]),
    ],
)  # fmt: skip
def test_consolidated_listings(
    cons_2025: dict[str, Party], ent: str, listings: list[tuple[str, str, str | None, str | None]]
) -> None:
    p = cons_2025[f"ofac:{ent}"]
    got = [(x.list, x.program, x.listed_on, x.detail("directive")) for x in p.listings]
    assert got == listings


def test_capta_listing_details(cons_2025: dict[str, Party]) -> None:
    (ssi, capta) = cons_2025["ofac:18669"].listings
    assert capta.detail("effective_date") == "2022-03-26"
    assert ssi.detail("effective_date") is None  # the EO 14024 dates are not the SSI listing's
    assert ("secondary_sanctions_risk", "See Section 11 of Executive Order 14024") in ssi.details


# --- the re-saved 2023 copy and incomplete sets -------------------------------------------------


def test_main_file_alone_with_header_and_eof_line(lists_dir: Path) -> None:
    data = read(lists_dir, *SDN_2023, "sdn.csv")
    lines = data.split(b"\r\n")
    assert lines[0].startswith(b"ID,Name,Type")
    assert lines[-1] == b"\x1a,,,,,,,,,,,"
    small = b"\r\n".join([*lines[:6], lines[-1]])
    parties = list(ofac_csv.parse_sdn({"sdn.csv": small}))
    assert [p.name for p in parties] == [
        "AEROCARIBBEAN AIRLINES",
        "ANGLO-CARIBBEAN CO., LTD.",
        "BANCO NACIONAL DE CUBA",
        "BOUTIQUE LA MAISON",
        "CASA DE CUBA",
    ]
    assert parties[2].names[1].value == "BNC"  # the weak alias still comes from Remarks


def test_files_from_another_release_are_refused(lists_dir: Path) -> None:
    files = {
        "sdn.csv": read(lists_dir, *SDN_2021, "sdn.csv"),
        "alt.csv": read(lists_dir, *SDN_2025, "alt.csv"),
    }
    with pytest.raises(SourceFormatError) as exc:
        list(ofac_csv.parse_sdn(files))
    msg = str(exc.value)
    assert msg.startswith("alt.csv line ")
    assert "rows are for entity numbers not in sdn.csv" in msg
    assert "different releases" in msg


# --- bad input -----------------------------------------------------------------------------------


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("folder", "names", "broken", "how", "expected"),
    [
        (SDN_2021, SDN_FILES, "sdn.csv", "empty", "sdn.csv: the file is empty"),
        (SDN_2021, SDN_FILES, "sdn.csv", "half", "looks truncated"),
        (SDN_2021, SDN_FILES, "alt.csv", "half", "looks truncated"),
        (SDN_2021, SDN_FILES, "add.csv", "half", "looks truncated"),
        (CONS_2025, CONS_FILES, "cons_prim.csv", "half", "looks truncated"),
        (CONS_2025, CONS_FILES, "cons_prim.csv", "png",
         "cons_prim.csv line 1: 1 fields, expected 12"),
        (CONS_2025, CONS_FILES, "cons_alt.csv", "empty", "cons_alt.csv: the file is empty"),
        (CONS_2025, CONS_FILES, "cons_prim.csv", "missing", "cons_prim.csv: missing"),
    ],
)  # fmt: skip
def test_broken_files(
    lists_dir: Path,
    folder: tuple[str, str],
    names: tuple[str, ...],
    broken: str,
    how: str,
    expected: str,
) -> None:
    files = _set(lists_dir, folder, names)
    if how == "empty":
        files[broken] = b""
    elif how == "half":
        files[broken] = _half(files[broken])
    elif how == "png":
        files[broken] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
    else:
        del files[broken]
    parse = ofac_csv.parse_sdn if "sdn.csv" in names else ofac_csv.parse_cons
    with pytest.raises(SourceFormatError) as exc:
        list(parse(files))
    assert expected in str(exc.value)
    assert str(exc.value).startswith(broken)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # another file of the set in the main file's place
        ((*SDN_2021, "add.csv"), "sdn.csv line 1: 6 fields, expected 12 — this looks like add.csv"),
        ((*SDN_2021, "alt.csv"), "sdn.csv line 1: 5 fields, expected 12 — this looks like alt.csv"),
        # another list in the same layout
        ((*CONS_2025, "cons_prim.csv"), "looks like the Consolidated (non-SDN) list"),
        # another publisher's file: BIS's tab-separated Denied Persons List
        (("bis_dpl", "2023-11-30", "dpl.txt"), "sdn.csv line 1: 1 fields, expected 12"),
    ],
)
def test_wrong_file_as_sdn_csv(lists_dir: Path, parts: tuple[str, ...], expected: str) -> None:
    with pytest.raises(SourceFormatError) as exc:
        list(ofac_csv.parse_sdn({"sdn.csv": read(lists_dir, *parts)}))
    assert expected in str(exc.value)


def test_sdn_list_as_consolidated_is_refused(lists_dir: Path) -> None:
    data = read(lists_dir, *SDN_2021, "sdn.csv")
    with pytest.raises(SourceFormatError, match="looks like the SDN list"):
        list(ofac_csv.parse_cons({"cons_prim.csv": data}))


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (b'36,"AEROCARIBBEAN AIRLINES",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
         "sdn.csv line 1 record 36, field 'Program': no program"),
        (b'36,-0- ,-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
         "sdn.csv line 1 record 36, field 'SDN_Name': empty name"),
        (b'36,"X","robot","CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
         "field 'SDN_Type': unknown type 'robot'"),
        (b'abc,"X",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
         "field 'ent_num': entity number 'abc' is not a number"),
        (b'36,"X",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
         b'36,"Y",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
         "sdn.csv line 2: entity number 36 appears twice (also line 1)"),
    ],
)  # fmt: skip
def test_bad_rows(row: bytes, expected: str) -> None:
    with pytest.raises(SourceFormatError) as exc:
        list(ofac_csv.parse_sdn({"sdn.csv": row + b"\r\n\x1a"}))
    assert expected in str(exc.value)


# --- specs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "name", "title", "urls", "optional"),
    [
        (0, "ofac_sdn_csv", "OFAC Specially Designated Nationals (SDN) list",
         {n: f"https://www.treasury.gov/ofac/downloads/{n}" for n in SDN_FILES},
         {"sdn_comments.csv"}),
        (1, "ofac_cons_csv", "OFAC Consolidated Non-SDN List",
         {n: f"https://www.treasury.gov/ofac/downloads/consolidated/{n}" for n in CONS_FILES},
         {"cons_comments.csv"}),
    ],
)  # fmt: skip
def test_specs(index: int, name: str, title: str, urls: dict[str, str], optional: set[str]) -> None:
    spec = ofac_csv.SOURCES[index]
    assert (spec.name, spec.title, dict(spec.urls), set(spec.optional)) == (
        name,
        title,
        urls,
        optional,
    )
    assert spec.publisher == "US Treasury OFAC"
    assert spec.published({}) is None  # the legacy CSV states no date
    assert spec.canonical("SDN.CSV" if index == 0 else "CONS_PRIM.CSV") in urls
