"""OFSI ConList parser on the real 2025-04-10 XLSX (18,796 rows = 4,686 Group IDs) and a CSV made
from its first 200 rows."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from entityscreen.errors import SourceFormatError
from entityscreen.model import NameKind, Party, PartyType
from entityscreen.sources._xlsx import read_xlsx_rows
from entityscreen.sources.uk_ofsi import CSV, SOURCES, URLS, XLSX, parse, published
from entityscreen.sources.uk_ofsi_fields import country_list, date, info_sections

FILE = ("uk_ofsi", "2025-04-10_conlist_xlsx", "UK_Sanctions_List.xlsx")
CSV_ROWS = 200  # "Last Updated" row + header + 198 data rows


@pytest.fixture(scope="module")
def xlsx(lists_dir: Path) -> bytes:
    return lists_dir.joinpath(*FILE).read_bytes()


@pytest.fixture(scope="module")
def parties(xlsx: bytes) -> dict[str, Party]:
    return {p.id: p for p in parse({XLSX: xlsx})}


@pytest.fixture(scope="module")
def head_rows(xlsx: bytes) -> list[list[str | None]]:
    """The first rows as openpyxl (an independent reader) sees them."""
    wb = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(max_row=CSV_ROWS, values_only=True)]
    wb.close()
    return rows


@pytest.fixture(scope="module")
def csv_bytes(head_rows: list[list[str | None]]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out)
    for row in head_rows:
        w.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


# --- counts and dates -------------------------------------------------------------------------


def test_counts(xlsx: bytes, parties: dict[str, Party]) -> None:
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<row ") == 2 + 18_796  # "Last Updated" row, header, one row per name
    assert len(parties) == 4_686  # Group IDs
    types = [p.type for p in parties.values()]
    assert types.count(PartyType.PERSON) == 3_662
    assert types.count(PartyType.ORGANIZATION) == 1_009
    assert types.count(PartyType.VESSEL) == 15
    assert sum(len(p.listings) for p in parties.values()) == 4_702  # 15 multi-regime parties


def test_published(xlsx: bytes, csv_bytes: bytes) -> None:
    assert published({XLSX: xlsx}) == "2025-04-10"
    assert published({CSV: csv_bytes}) == "2025-04-10"


def test_reader_matches_openpyxl(xlsx: bytes, head_rows: list[list[str | None]]) -> None:
    ours = read_xlsx_rows(xlsx, XLSX, max_rows=CSV_ROWS)
    assert [n for n, _ in ours] == list(range(1, CSV_ROWS + 1))
    for (_, mine), theirs in zip(ours, head_rows, strict=True):
        assert mine + [None] * (len(theirs) - len(mine)) == theirs


def test_every_party_is_well_formed(parties: dict[str, Party]) -> None:
    for p in parties.values():
        assert p.names[0].kind is NameKind.PRIMARY
        assert [n.kind for n in p.names].count(NameKind.PRIMARY) == 1
        assert len({n.value for n in p.names}) == len(p.names)
        assert p.listings and all(lst.listed_on for lst in p.listings)
        assert all(len(c) == 2 and c.isupper() for c in p.countries)


# --- concrete records -------------------------------------------------------------------------

# id, type, primary name, program(s), record id(s), listed_on(s)
XPCC_PSB = "XINJIANG PRODUCTION AND CONSTRUCTION CORPS PUBLIC SECURITY BUREAU"
RECORDS = [
    ("14079", PartyType.ORGANIZATION, XPCC_PSB, ("Global Human Rights",), ("GHR0079",),
     ("2021-03-22",)),
    ("14074", PartyType.PERSON, "MINGGUO CHEN", ("Global Human Rights",), ("GHR0075",),
     ("2021-03-22",)),
    ("14077", PartyType.PERSON, "JUNZHENG WANG", ("Global Human Rights",), ("GHR0077",),
     ("2021-03-22",)),
    ("15181", PartyType.PERSON, "Alexander Sergeevich BANAKH", ("Russia",), ("RUS1229",),
     ("2022-04-13",)),
    ("11241", PartyType.ORGANIZATION, "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC) QODS FORCE",
     ("Iran (Nuclear)", "Syria"), ("INU0082", "SYR0310"), ("2010-07-27", "2011-08-24")),
    ("16643", PartyType.ORGANIZATION, "AUTEL ROBOTICS CO., LTD.", ("Russia",), None, None),
    ("13651", PartyType.VESSEL, "SAM JONG 2", ("Democratic People's Republic of Korea",),
     ("DPR0100",), ("2018-04-03",)),
    ("16601", PartyType.ORGANIZATION, "33RD SCIENTIFIC RESEARCH AND TESTING INSTITUTE",
     ("Chemical Weapons",), ("CHW0028",), ("2024-10-08",)),
]  # fmt: skip


@pytest.mark.parametrize(("gid", "ptype", "name", "programs", "refs", "dates"), RECORDS)
def test_record(
    parties: dict[str, Party],
    gid: str,
    ptype: PartyType,
    name: str,
    programs: tuple[str, ...],
    refs: tuple[str, ...] | None,
    dates: tuple[str, ...] | None,
) -> None:
    p = parties[f"uk_ofsi:{gid}"]
    assert (p.type, p.name) == (ptype, name)
    assert tuple(lst.program for lst in p.listings) == programs
    for lst in p.listings:
        assert (lst.authority, lst.list, lst.feeds) == ("UK HM Treasury OFSI", "UK", ("uk_ofsi",))
        assert lst.source_url == URLS[XLSX]
    if refs:
        assert tuple(lst.record_id for lst in p.listings) == refs
    if dates:
        assert tuple(lst.listed_on for lst in p.listings) == dates
    assert p.merge_key is None


# id, name, kind, script, lang
NAMES = [
    ("14079", "XINJIANG SHENGCHAN JIANSHE BINGTUAN GONG'AN JU", NameKind.ALIAS, None, None),
    ("14079", "XPCC PSB", NameKind.ALIAS, None, None),
    ("15181", "БАНАХ Александр Сергеевич", NameKind.ALIAS, "Cyrillic", "ru"),
    ("15181", "Alexander Sergeyevich BANAKH", NameKind.ALIAS, None, None),  # name variation
    ("16643", "道通机器人有限公司", NameKind.ALIAS, "Han", "zh"),
    ("11241", "سپاه قدس", NameKind.ALIAS, "Arabic", None),
    ("11241", "ISLAMIC REVOLUTIONARY GUARDS CORPS - QODS FORCE", NameKind.ALIAS, None, None),
    ("13378", "Ali Mohammed KONY", NameKind.ALIAS, None, None),
    ("13378", "CAESAR", NameKind.WEAK_ALIAS, None, None),  # "Low quality" a.k.a.
    ("13189", "ADF/NALU", NameKind.FORMER, None, None),  # FKA
    ("13189", "ALLIED DEMOCRATIC FORCES", NameKind.ALIAS, None, None),
    ("16601", "33RD TSNIII", NameKind.ALIAS, None, None),
    # "Name Non-Latin Script" holding a Latin "C" homoglyph, and Latin with diacritics
    ("12922", "Cергій Валерійович АКСЬОНОВ", NameKind.ALIAS, "Cyrillic", None),
    ("11928", "Baššār Ḥāfiẓ al-ʾAsad", NameKind.ALIAS, "Latin", None),
]


@pytest.mark.parametrize(("gid", "value", "kind", "script", "lang"), NAMES)
def test_names(
    parties: dict[str, Party], gid: str, value: str, kind: NameKind, script: str | None,
    lang: str | None,
) -> None:  # fmt: skip
    by_value = {n.value: n for n in parties[f"uk_ofsi:{gid}"].names}
    n = by_value[value]
    assert (n.kind, n.script, n.lang) == (kind, script, lang)


def test_person_fields(parties: dict[str, Party]) -> None:
    banakh = parties["uk_ofsi:15181"]
    assert banakh.birth_dates == ("1985-07-23",)
    assert [(a.text, a.country) for a in banakh.addresses] == [
        ("97 Artema St, Donetsk, 283001, Ukraine", "UA")
    ]
    assert banakh.countries == ("UA",)
    (listing,) = banakh.listings
    assert listing.detail("date_designated") == "2022-04-13"
    assert listing.detail("last_updated") == "2023-03-21"
    assert listing.detail("additional_sanctions") == "Trust services"
    assert listing.detail("trust_services_date") == "2023-03-21"
    assert banakh.remarks and banakh.remarks.startswith("(UK Sanctions List Ref):RUS1229.")

    chen = parties["uk_ofsi:14074"]
    assert chen.birth_dates == ("1966-10",)  # "10/1966"
    assert chen.countries == ("CN",)

    kony = parties["uk_ofsi:13378"]  # one "Primary name" row per alternative birth year
    assert kony.birth_dates == ("1994", "1993", "1995", "1992")  # "00/00/1994"
    assert ("UN Ref", "CFi.010") in [(i.type, i.value) for i in kony.identifiers]


# id, identifier type, value
IDENTIFIERS = [
    ("13651", "IMO", "7408873"),
    ("13651", "UK Sanctions List Ref", "DPR0100"),
    ("13312", "Passport", "223611"),  # "(1) 223611 (2) C00146605"
    ("13312", "Passport", "C00146605"),
    ("13312", "UN Ref", "QDi.371"),
    ("11241", "UK Sanctions List Ref", "SYR0310"),
]


@pytest.mark.parametrize(("gid", "itype", "value"), IDENTIFIERS)
def test_identifiers(parties: dict[str, Party], gid: str, itype: str, value: str) -> None:
    assert (itype, value) in [(i.type, i.value) for i in parties[f"uk_ofsi:{gid}"].identifiers]


def test_country_quirks(parties: dict[str, Party]) -> None:
    # "Congo (Democratic Republic)" is the DRC, not the Republic of the Congo.
    assert parties["uk_ofsi:16383"].countries == ("UG", "CD")


@pytest.mark.parametrize(
    ("text", "iso"),
    [("10/04/2025", "2025-04-10"), ("00/00/1957", "1957"), ("00/05/1957", "1957-05"),
     ("09/1962", "1962-09"), ("1957", "1957"), ("45757", "2025-04-10"), ("", None)],
)  # fmt: skip
def test_dates(text: str, iso: str | None) -> None:
    assert date(text) == iso


@pytest.mark.parametrize(
    ("text", "codes"),
    [("(1) Central African Republic. (2) Chad", ["CF", "TD"]), ("Estonia, Russia", ["EE", "RU"]),
     ("Congo (Democratic Republic)", ["CD"]), ("Occupied Palestinian Territories", ["PS"]),
     ("Korea, North", ["KP"]), ("", [])],
)  # fmt: skip
def test_nationalities(text: str, codes: list[str]) -> None:
    assert country_list(text) == codes


def test_other_information_sections() -> None:
    info = info_sections(
        "(UK Sanctions List Ref):DPR0100. Listed as asset (OFSI ID: 13635) (IMO number):7408873 "
        "(Flag of ship):North Korea"
    )
    assert info == {
        "UK Sanctions List Ref": "DPR0100. Listed as asset (OFSI ID: 13635)",
        "IMO number": "7408873",
        "Flag of ship": "North Korea",
    }


# --- the CSV form -----------------------------------------------------------------------------


def test_csv_matches_xlsx(csv_bytes: bytes, parties: dict[str, Party]) -> None:
    """The 198 data rows hold 72 groups; OFSI sorts rows by name, so only 12 of those groups
    have all their rows in the extract. Those must come out exactly as from the XLSX; the
    others must be a consistent part of their XLSX party."""
    from_csv = list(parse({CSV: csv_bytes}))
    assert len(from_csv) == 72
    exact = 0
    for p in from_csv:
        full = parties[p.id]
        assert all(lst.source_url == URLS[CSV] for lst in p.listings)
        as_xlsx = replace(
            p, listings=tuple(replace(lst, source_url=URLS[XLSX]) for lst in p.listings)
        )
        exact += as_xlsx == full
        assert {n.value for n in p.names} <= {n.value for n in full.names}
        assert set(as_xlsx.listings) <= set(full.listings)
        assert p.type == full.type and p.remarks == full.remarks
    assert exact == 12


def test_xlsx_wins_when_both_given(csv_bytes: bytes) -> None:
    with pytest.raises(SourceFormatError, match=r"ConList\.xlsx: the file is empty"):
        list(parse({XLSX: b"", CSV: csv_bytes}))


# --- spec -------------------------------------------------------------------------------------


def test_spec() -> None:
    (spec,) = SOURCES
    assert spec.name == "uk_ofsi" and spec.required == frozenset()
    assert spec.urls == URLS and spec.optional == frozenset({XLSX, CSV})
    assert spec.licence == "Open Government Licence v3.0" and spec.redistributable
    assert spec.canonical("conlist.xlsx") == XLSX and spec.canonical("CONLIST.CSV") == CSV


# --- bad input --------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


_CT = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def _sheet(xml: bytes) -> bytes:
    return _zip({"[Content_Types].xml": _CT, "xl/worksheets/sheet1.xml": xml})


@pytest.fixture(scope="module")
def bad_files(lists_dir: Path, xlsx: bytes, csv_bytes: bytes) -> dict[str, dict[str, bytes]]:
    un_xml = lists_dir.joinpath("un_sc", "2026-02-27", "consolidated.xml").read_bytes()
    cut_in_quotes = csv_bytes[: csv_bytes.rindex(b'"(UK Sanctions') + 40]
    return {
        "no file": {},
        "empty xlsx": {XLSX: b""},
        "empty csv": {CSV: b""},
        "truncated xlsx": {XLSX: xlsx[: len(xlsx) // 2]},
        "png": {XLSX: b"\x89PNG\r\n\x1a\n" + b"\0" * 64},
        "UN xml as xlsx": {XLSX: un_xml},
        "zip, not xlsx": {XLSX: _zip({"hello.txt": b"hi"})},
        "no worksheet": {XLSX: _zip({"[Content_Types].xml": _CT})},
        "malformed sheet xml": {XLSX: _sheet(b"<worksheet><row>")},
        "zip bomb": {XLSX: _sheet(b"\0" * 20_000_000)},
        "UN xml as csv": {CSV: un_xml},
        "xlsx as csv": {CSV: xlsx},
        "no Group ID column": {CSV: csv_bytes.replace(b"Group ID", b"Group")},
        "no Alias Type column": {CSV: csv_bytes.replace(b"Alias Type", b"Alias")},
        "truncated csv": {CSV: cut_in_quotes},
        "FCDO format": {CSV: b"Unique ID,Name 6\nRUS0001,X\n"},
    }


BAD = [
    ("no file", "neither file was given"),
    ("empty xlsx", "ConList.xlsx: the file is empty"),
    ("empty csv", "ConList.csv: the file is empty"),
    ("truncated xlsx", "ConList.xlsx: not a readable XLSX/zip file"),
    ("png", "not an XLSX file (no zip signature)"),
    ("UN xml as xlsx", "not an XLSX file (no zip signature)"),
    ("zip, not xlsx", "a zip file but not a spreadsheet"),
    ("no worksheet", "the zip holds no worksheet"),
    ("malformed sheet xml", "malformed XML in xl/worksheets/sheet1.xml"),
    ("zip bomb", "(a zip bomb?)"),
    ("UN xml as csv", "no header row with 'Name 6' and 'Group ID'"),
    ("xlsx as csv", "this is a zip/XLSX file, not CSV"),
    ("no Group ID column", "no header row with 'Name 6' and 'Group ID'"),
    ("no Alias Type column", "line 2: header lacks columns Alias Type"),
    ("truncated csv", "the file is truncated"),
    ("FCDO format", "looks like the FCDO 'UK Sanctions List'"),
]


@pytest.mark.parametrize(("case", "message"), BAD, ids=[c for c, _ in BAD])
def test_bad_input(bad_files: dict[str, dict[str, bytes]], case: str, message: str) -> None:
    with pytest.raises(SourceFormatError) as err:
        list(parse(bad_files[case]))
    assert message in str(err.value)
    assert err.value.fix  # every error suggests a fix


@pytest.mark.parametrize("case", ["empty xlsx", "truncated xlsx", "png", "no file"])
def test_published_bad_input(bad_files: dict[str, dict[str, bytes]], case: str) -> None:
    with pytest.raises(SourceFormatError):
        published(bad_files[case])
