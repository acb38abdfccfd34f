"""trade.gov Consolidated Screening List (CSV and JSON) on the real files in PROVENANCE.md.

No real ``consolidated.json`` is available: the JSON tests convert real CSV rows to the JSON
shape trade.gov documents (arrays for multi-valued fields, objects for addresses and ids) and
check that both forms give the same parties.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import read
from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Identifier, NameKind, Party, PartyType
from entityscreen.sources import csl
from entityscreen.sources.csl_fields import (
    id_orientation,
    parse_birth_dates,
    parse_id_item,
    source_list,
    split_addresses,
)

FULL = ("trade_gov_csl", "2022-05_full", "consolidated.csv")
SAMPLE = ("trade_gov_csl", "2023-11-30_partial_SAMPLE", "csl.csv")
CSV, JSON = csl.SOURCES
F = "consolidated.csv"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EL_REQUIREMENT = "For all items subject to the EAR.  (See §744.11 of the EAR)"
EL_POLICY_START = "Case-by-case review for ECCNs 1A004.c, 1A004.d, 1A995"


def _complete(data: bytes) -> bytes:
    """The 2023 sample ends inside a quoted field: keep its complete records only."""
    return data[: data.rindex(b"\n") + 1]


@pytest.fixture(scope="module")
def full(lists_dir: Path) -> bytes:
    return read(lists_dir, *FULL)


@pytest.fixture(scope="module")
def rows(full: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(full.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def sample(lists_dir: Path) -> bytes:
    return read(lists_dir, *SAMPLE)


PARSE_CPU: list[float] = []  # CPU seconds of the one full parse, for test_speed


@pytest.fixture(scope="module")
def parties(full: bytes) -> dict[str, Party]:
    start = time.process_time()
    result = {p.id: p for p in CSV.parse({F: full})}
    PARSE_CPU.append(time.process_time() - start)
    return result


@pytest.fixture(scope="module")
def sample_parties(sample: bytes) -> dict[str, Party]:
    return {p.id: p for p in CSV.parse({F: _complete(sample)})}


def _lists(parties: dict[str, Party]) -> Counter[str]:
    return Counter(lst for p in parties.values() for lst in {x.list for x in p.listings})


def _extract(rows: list[list[str]], keep: set[str]) -> bytes:
    """The header and the real records whose _id is in ``keep``, re-serialised as CSV."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [rows[0], *(r for r in rows[1:] if r and r[0] in keep)]
    )
    return out.getvalue().encode()


# --- the spec ----------------------------------------------------------------------------


def test_specs() -> None:
    assert (CSV.name, JSON.name) == ("us_csl", "us_csl_json")
    assert CSV.title == "US Consolidated Screening List (trade.gov)"
    assert CSV.urls == {
        F: "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
    }
    assert JSON.urls == {
        "consolidated.json": (
            "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json"
        )
    }
    assert CSV.required == {F} and JSON.required == {"consolidated.json"}
    assert CSV.canonical("CSL.csv") == F


# --- counts (PROVENANCE.md) --------------------------------------------------------------


def test_full_counts(full: bytes, parties: dict[str, Party]) -> None:
    _, body = csl._csv_table({F: full})
    assert len(body) == 14_160
    # 71 OFAC entity numbers have 2-3 rows (SDN + CAPTA + SSI ...): merged into one party each.
    assert len(parties) == 14_160 - 112 == 14_048
    assert CSV.published({F: full}) == "2022-04-21"


@pytest.mark.parametrize(
    ("code", "count"),
    [
        ("SDN", 10_026),
        ("EL", 2_001),
        ("DTC", 727),
        ("DPL", 462),
        ("SSI", 290),
        ("UVL", 201),
        ("ISN", 163),
        ("PLC", 78),
        ("MEU", 71),
        ("CMIC", 68),
        ("CAPTA", 52),  # 53 rows: BANK OF KUNLUN (15268) is on the CAP list twice
        ("MBS", 17),
        ("FSE", 3),
    ],
)
def test_full_parties_per_list(parties: dict[str, Party], code: str, count: int) -> None:
    assert _lists(parties)[code] == count


def test_full_row_sources(rows: list[list[str]]) -> None:
    sources = Counter(source_list(r[1])[1] for r in rows[1:])  # type: ignore[index]
    assert sources["CAPTA"] == 53 and sources["SDN"] == 10_026 and sum(sources.values()) == 14_160


def test_sample_is_truncated_and_says_so(sample: bytes) -> None:
    with pytest.raises(SourceFormatError, match=r"line 4233: .*ends inside a quoted field"):
        list(CSV.parse({F: sample}))


def test_sample_counts(sample: bytes, sample_parties: dict[str, Party]) -> None:
    _, rows = csl._csv_table({F: _complete(sample)})
    # 4,227 records in PROVENANCE.md: the last one (SDN 11476) is cut off mid-address.
    assert len(rows) == 4_226
    assert len(sample_parties) == 4_226 - 7  # 7 entities on two OFAC lists
    assert "us_csl:11476" not in sample_parties
    assert CSV.published({F: _complete(sample)}) == "2023-11-16"
    assert _lists(sample_parties) == {
        "SDN": 1_737,
        "EL": 919,
        "DPL": 577,
        "SSI": 288,
        "UVL": 186,
        "ISN": 144,
        "DTC": 142,
        "PLC": 78,
        "MEU": 71,
        "CMIC": 68,
        "MBS": 14,
        "FSE": 1,
        "CAPTA": 1,
    }


# --- concrete records, field by field ----------------------------------------------------


def test_megvii_entity_list(parties: dict[str, Party]) -> None:
    p = parties["us_csl:cd95318af12232a80126adbcd645526b755fc58a"]
    assert (p.name, p.type, p.countries) == ("Megvii Technology", PartyType.UNKNOWN, ("CN",))
    assert p.merge_key == "csl:cd95318af12232a80126adbcd645526b755fc58a"
    assert p.addresses == (
        Address(
            "3rd Floor, Block A, Rongke Information Center, No. 2 South Road, Haidian District, "
            "Beijing, CN",
            "CN",
        ),
        Address("Floor 3rd Unit A Raycom Infotech Park, No 2 Kexueyuan, Beijing, CN", "CN"),
    )
    (el,) = p.listings
    assert (el.authority, el.list, el.program) == ("US Commerce BIS", "EL", None)
    assert (el.listed_on, el.citation) == ("2019-10-09", "84 FR 54002; 85 FR 44159")
    assert el.record_id == "cd95318af12232a80126adbcd645526b755fc58a"
    assert el.feeds == ("us_csl",) and el.source_url == "http://bit.ly/1L47xrV"
    assert el.detail("license_requirement") == EL_REQUIREMENT
    policy = el.detail("license_policy") or ""
    assert policy.startswith(EL_POLICY_START)
    assert policy.endswith("presumption of denial for all other items subject to the EAR.")


@pytest.mark.parametrize(
    ("pid", "name", "aliases", "listed_on", "citation"),
    [
        (
            "us_csl:caeb24bb901171744f7b376b17c4ad98a782c827",
            "Beijing Sensetime Technology Development Co., Ltd.",
            ("Beijing Shangtang Technology Development Co., Ltd.", "Sense Time"),
            "2019-10-09",
            "84 FR 54002; 85 FR 34505; 85 FR 44159",
        ),
        (
            "us_csl:f095626c9f8becc70b5948507fb6de6e443b257a",
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
            ("Hikvision",),
            "2019-10-09",
            "84 FR 54002; 85 FR 44159",
        ),
        (
            "us_csl:38c951ed5690eb57b83e69fa444de9ae64b8cc0d",
            "Xinjiang Production and Construction Corps (XPCC)",
            ("XPCC", "Xinjiang Corps", "Bingtuan"),  # "XPCC; Xinjiang Corps; and Bingtuan"
            "2021-06-24",
            "86 FR 33120",
        ),
        (
            "us_csl:9c592784f83a057df6fedf0657db07f3cfabcc8c",
            "CloudWalk Technology",
            (
                "Chongqing Cloudwalk Technology Co., Ltd.",
                "Guangzhou Yunshang Information Technology Co., Ltd.",
                "Yun Cong Information Technology Co. Ltd.",
                "Yun Cong Technology",
            ),
            "2020-06-05",
            "85 FR 34505; 85 FR 44159",
        ),
        (
            "us_csl:4d0b27768e22d5a71fb87640b0d9ceb5aa7558e1",
            "Yixin Science and Technology Co. Ltd.",
            ("Yixin Technology", "Yuxin Technology", "Yuxin Science and Technology", "Ecguard"),
            "2019-10-09",
            "84 FR 54002; 85 FR 44159",
        ),
        (
            "us_csl:6c458947aac77bbc3689b90d2549224c1691dcee",
            # mojibake kept as published
            "Xinjiang Uighur Autonomous Region (XUAR) People?s Government Public Security Bureau",
            (),
            "2019-10-09",
            "84 FR 54002; 85 FR 44159",
        ),
        (
            "us_csl:a09e83dc7e0dca1e6bbe040010b091174c7dbdb8",
            "IFLYTEK",
            (),
            "2019-10-09",
            "84 FR 54002; 85 FR 44159",
        ),
    ],
)
def test_entity_list_parties(
    parties: dict[str, Party],
    pid: str,
    name: str,
    aliases: tuple[str, ...],
    listed_on: str,
    citation: str,
) -> None:
    p = parties[pid]
    assert p.name == name and p.aliases == aliases
    assert all(n.kind is NameKind.ALIAS for n in p.names[1:])
    (el,) = p.listings
    assert (el.authority, el.list, el.listed_on, el.citation) == (
        "US Commerce BIS",
        "EL",
        listed_on,
        citation,
    )
    assert el.detail("license_requirement") is not None
    assert "CN" in p.countries


def test_sensetime_cmic(parties: dict[str, Party]) -> None:
    # "HK, 2162198, C.R. No.; 10 Dec 2022, Purchase/Sales For Divestment Date (CMIC);
    #  10 Dec 2021, Listing Date (CMIC); 08 Feb 2022, Effective Date (CMIC)"
    p = parties["us_csl:33114"]
    assert p.name == "SENSETIME GROUP LIMITED" and p.aliases == ("SENSETIME GROUP LTD",)
    assert p.type is PartyType.ORGANIZATION and p.merge_key == "ofac:33114"
    assert p.identifiers == (Identifier("C.R. No.", "2162198", "HK"),)
    assert p.addresses == (
        Address(
            "Block 1, 1F & 2F Harbour View, 12 Science Park, West Avenue, Hong Kong New "
            "Territories, Hong Kong SAR, CN",
            "CN",
        ),
    )
    (cmic,) = p.listings
    assert (cmic.authority, cmic.list, cmic.program) == ("US Treasury OFAC", "CMIC", "CMIC-EO13959")
    assert (cmic.listed_on, cmic.record_id, cmic.citation) == ("2021-12-10", "33114", None)
    assert cmic.detail("effective_date") == "2022-02-08"
    assert cmic.detail("divestment_date") == "2022-12-10"


def test_sensetime_cmic_2023_layout(sample_parties: dict[str, Party]) -> None:
    # "C.R. No., 2162198, HK; Listing Date (CMIC), 2021-12-10; Effective Date (CMIC), ..."
    p = sample_parties["us_csl:33114"]
    assert p.name == "Sensetime Group Limited"
    assert p.identifiers == (Identifier("C.R. No.", "2162198", "HK"),)
    (cmic,) = p.listings
    assert (cmic.listed_on, cmic.detail("effective_date"), cmic.detail("divestment_date")) == (
        "2021-12-10",
        "2022-02-08",
        "2022-12-10",
    )


@pytest.mark.parametrize(
    ("pid", "name", "ptype", "aliases", "birth_dates", "countries", "remarks"),
    [
        (
            "us_csl:29159",
            "XINJIANG PUBLIC SECURITY BUREAU",
            PartyType.ORGANIZATION,
            (
                "XINJIANG BUREAU OF PUBLIC SECURITY",
                "PUBLIC SECURITY DEPARTMENT OF XINJIANG UYGAR AUTONOMOUS REGION",
                "PUBLIC SECURITY DEPARTMENT OF XUAR",
                "PUBLIC SECURITY DEPARTMENT OF THE AUTONOMOUS REGION",
            ),
            (),
            ("CN",),
            None,
        ),
        (
            "us_csl:29299",
            "XINJIANG PRODUCTION AND CONSTRUCTION CORPS",
            PartyType.ORGANIZATION,
            (),
            (),
            ("CN",),
            "(Linked To: CHEN, Quanguo)",
        ),
        ("us_csl:29220", "CHEN, Quanguo", PartyType.PERSON, (), ("1955",), ("CN",), None),
        (
            "us_csl:34079",
            "ZAKIR, Shohrat",
            PartyType.PERSON,
            ("ZAKIR, Shohret", "ZHAKER, Xuekelaiti", "SHOHRAT, Zakir"),
            ("1953-08-01",),
            ("CN",),
            "(Linked To: XINJIANG PUBLIC SECURITY BUREAU)",
        ),
        (
            "us_csl:34119",
            "TUNIYAZ, Erken",
            PartyType.PERSON,
            ("TUNIYAZ, Erkin", "TUNIYAZI, Arkin", "TUNIYAZI, Aierken", "TUNIAZ, Alken"),
            ("1961-12-01",),
            ("CN",),
            "(Linked To: XINJIANG PUBLIC SECURITY BUREAU)",
        ),
    ],
)
def test_glomag_parties(
    parties: dict[str, Party],
    pid: str,
    name: str,
    ptype: PartyType,
    aliases: tuple[str, ...],
    birth_dates: tuple[str, ...],
    countries: tuple[str, ...],
    remarks: str | None,
) -> None:
    p = parties[pid]
    assert (p.name, p.type, p.aliases, p.birth_dates) == (name, ptype, aliases, birth_dates)
    assert (p.countries, p.remarks, p.merge_key) == (countries, remarks, f"ofac:{pid[7:]}")
    assert p.addresses == (Address("Xinjiang, CN", "CN"),)
    assert p.identifiers == ()  # "Male, Gender" is not an identifier
    (sdn,) = p.listings
    assert (sdn.authority, sdn.list, sdn.program, sdn.record_id) == (
        "US Treasury OFAC",
        "SDN",
        "GLOMAG",
        pid[7:],
    )


@pytest.mark.parametrize(
    ("pid", "name", "lists"),
    [
        ("us_csl:33091", "MEGVII TECHNOLOGY LIMITED", {"CMIC"}),
        ("us_csl:30946", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.", {"CMIC"}),
        ("us_csl:33112", "CLOUDWALK TECHNOLOGY CO., LTD.", {"CMIC"}),
        ("us_csl:33893", "YITU LIMITED", {"CMIC"}),
        ("us_csl:33896", "XIAMEN MEIYA PICO INFORMATION CO., LTD.", {"CMIC"}),
        # one entity on three OFAC lists = three CSL rows, one party
        ("us_csl:18725", "BANCO VTB AFRICA SA", {"CAPTA", "SDN", "SSI"}),
        ("us_csl:34616", "ARIMERO HOLDING LIMITED", {"CAPTA", "SDN"}),
    ],
)
def test_ofac_parties(parties: dict[str, Party], pid: str, name: str, lists: set[str]) -> None:
    p = parties[pid]
    assert p.name == name and {x.list for x in p.listings} == lists
    assert {x.authority for x in p.listings} == {"US Treasury OFAC"}
    assert p.merge_key == f"ofac:{pid[7:]}"


def test_cmic_ids_become_identifiers(parties: dict[str, Party]) -> None:
    p = parties["us_csl:30946"]  # Hikvision
    assert Identifier("Unified Social Credit Code", "91330000733796106P", "CN") in p.identifiers
    assert Identifier("ISIN", "CNE100000PM8") in p.identifiers
    (cmic,) = p.listings
    assert cmic.listed_on == "2021-06-03"


def test_directive_listing(parties: dict[str, Party]) -> None:
    p = parties["us_csl:34616"]  # "Listing Date (EO 14024 Directive 2):" on its CAP row
    capta = next(x for x in p.listings if x.list == "CAPTA")
    assert (capta.program, capta.listed_on) == ("RUSSIA-EO14024", "2022-02-24")
    assert capta.detail("directive") == "EO 14024 Directive 2"
    assert capta.detail("effective_date") == "2022-03-26"
    assert next(x for x in p.listings if x.list == "SDN").listed_on is None


def test_ssi_programs_one_listing_each(parties: dict[str, Party]) -> None:
    p = parties["us_csl:18725"]
    ssi = [x for x in p.listings if x.list == "SSI"]
    assert [x.program for x in ssi] == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert all(x.detail("directive") == "EO 13662 Directive 1" for x in ssi)
    assert Identifier("SWIFT/BIC", "VTBLAOLU") in p.identifiers


def test_dpl_rows(parties: dict[str, Party]) -> None:
    p = parties["us_csl:deb7a1d5743a85c354ca1a2c7f2664e2104b32d7"]
    assert p.name == "I. ASH"  # " I. ASH": surrounding blanks dropped
    (dpl,) = p.listings
    assert (dpl.authority, dpl.list, dpl.listed_on) == ("US Commerce BIS", "DPL", "2003-06-19")
    assert dpl.citation == "68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06 72 F.R. 4236 1/30/07"
    assert (dpl.detail("end_date"), dpl.detail("standard_order")) == ("2056-06-29", "Y")
    assert p.remarks == "FEDERAL REGISTER NOTICE UPDATED"
    assert p.countries == ("US",)


def test_embedded_newlines(parties: dict[str, Party]) -> None:
    meu = parties["us_csl:026dba5afe5742c3d9b83179846272ca67cdb5c0"]
    assert meu.addresses == (
        Address(
            "Room 717, Building 41, No.8633 Zhongchun Road, Minhang District, Shanghai, CN", "CN"
        ),
    )
    isn = parties["us_csl:3da5adfe0d93a9e200e7e2a53b60f74d6a9642ab"]
    assert isn.name == "Gaobeidian Kaituo Precise Instrument Co. Ltd"
    assert [(x.authority, x.list, x.program) for x in isn.listings] == [
        ("US State Department", "ISN", "INKSNA")
    ]


def test_types_and_vessels(parties: dict[str, Party]) -> None:
    types = Counter(p.type for p in parties.values())
    assert types[PartyType.VESSEL] == 433 and types[PartyType.AIRCRAFT] == 283
    assert types[PartyType.UNKNOWN] == 3_625  # BIS and State rows have no type
    vessel_ids = [i for p in parties.values() if p.type is PartyType.VESSEL for i in p.identifiers]
    assert sum(1 for i in vessel_ids if i.type == "IMO") > 400
    assert sum(1 for i in vessel_ids if i.type == "Call Sign") > 50


def test_invariants(parties: dict[str, Party]) -> None:
    for p in parties.values():
        values = [n.value for n in p.names]
        assert len(values) == len(set(values)), p.id
        assert p.names[0].kind is NameKind.PRIMARY and p.listings
        assert all(len(c) == 2 and c.isupper() for c in p.countries), p.id


# --- field helpers, as tables ------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "type_first", "expected"),
    [
        ("HK, 2162198, C.R. No.", False, ("C.R. No.", "2162198", "HK")),
        ("10 Dec 2021, Listing Date (CMIC)", False, ("Listing Date (CMIC)", "10 Dec 2021", None)),
        ("Male, Gender", False, ("Gender", "Male", None)),
        ("NI, 2021-10-17, 2011-10-17, A0008696, Passport", False, ("Passport", "A0008696", "NI")),
        ("2001-12-03, 1998-12-04, L 945660, Passport", False, ("Passport", "L 945660", None)),
        (
            "Other financial service activities, except insurance, Organization Type:",
            False,
            ("Organization Type:", "Other financial service activities, except insurance", None),
        ),
        ("C.R. No., 2162198, HK", True, ("C.R. No.", "2162198", "HK")),
        ("Listing Date (CMIC), 2021-12-10", True, ("Listing Date (CMIC)", "2021-12-10", None)),
        ("Passport, C284181, SA, 12 Aug 2000, 19 Jun 2005", True, ("Passport", "C284181", "SA")),
        ("Passport, K602878, 05 Nov 1993, 09 Jun 2001", True, ("Passport", "K602878", None)),
        (
            "Issuer Name, China Telecom Co., Ltd",
            True,
            ("Issuer Name", "China Telecom Co., Ltd", None),
        ),
        ("", True, None),
        ("Passport", True, None),
    ],
)
def test_parse_id_item(
    item: str, type_first: bool, expected: tuple[str, str, str | None] | None
) -> None:
    assert parse_id_item(item, type_first) == expected


def test_id_orientation(full: bytes, sample: bytes) -> None:
    for data, type_first in ((full, False), (_complete(sample), True)):
        cols, rows = csl._csv_table({F: data})
        assert id_orientation(r[cols["ids"]] for _, r in rows) is type_first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xinjiang, CN", [Address("Xinjiang, CN", "CN")]),
        ("SY", [Address("SY", "SY")]),
        (
            "Hamra Street, Saroulla Building, 11th Floor; P.O. Box Beirut-Hamra 113/5647, "
            "Beirut, LB",
            [
                Address(
                    "Hamra Street, Saroulla Building, 11th Floor; P.O. Box Beirut-Hamra "
                    "113/5647, Beirut, LB",
                    "LB",
                )
            ],
        ),
        (
            "Vancurova 1084/10, Ostrov 363 01, Czech Republic; Jachymovska 178, Ostrov, "
            "Czech Republic",
            [
                Address("Vancurova 1084/10, Ostrov 363 01, Czech Republic", "CZ"),
                Address("Jachymovska 178, Ostrov, Czech Republic", "CZ"),
            ],
        ),
        (
            "2948 PEASE DRIVE, APT. 201, ROCKY RIVER, OH, 44116",
            [Address("2948 PEASE DRIVE, APT. 201, ROCKY RIVER, OH, 44116", None)],
        ),
        ("Room 1,\n  Shanghai , CN", [Address("Room 1, Shanghai , CN", "CN")]),
        ("", []),
    ],
)
def test_split_addresses(text: str, expected: list[Address]) -> None:
    assert split_addresses(text) == expected


_T, _B, _S = " - Treasury Department", " - Bureau of Industry and Security", " - State Department"
OFAC, BIS, STATE = "US Treasury OFAC", "US Commerce BIS", "US State Department"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Specially Designated Nationals (SDN)" + _T, (OFAC, "SDN")),
        ("Entity List (EL)" + _B, (BIS, "EL")),
        ("Denied Persons List (DPL)" + _B, (BIS, "DPL")),
        ("Unverified List (UVL)" + _B, (BIS, "UVL")),
        ("Military End User (MEU) List" + _B, (BIS, "MEU")),
        ("Nonproliferation Sanctions (ISN)" + _S, (STATE, "ISN")),
        ("ITAR Debarred (DTC)" + _S, (STATE, "DTC")),
        ("Sectoral Sanctions Identifications List (SSI)" + _T, (OFAC, "SSI")),
        ("Foreign Sanctions Evaders (FSE)" + _T, (OFAC, "FSE")),
        ("Palestinian Legislative Council List (PLC)" + _T, (OFAC, "PLC")),
        ("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC)" + _T, (OFAC, "CMIC")),
        ("Capta List (CAP)" + _T, (OFAC, "CAPTA")),
        ("Non-SDN Menu-Based Sanctions List (NS-MBS List)" + _T, (OFAC, "MBS")),
        ("Some New List (NEW) - Other Agency", ("Other Agency", "NEW")),  # kept, not refused
        ("Specially Designated Nationals", None),
    ],
)
def test_source_list(source: str, expected: tuple[str, str] | None) -> None:
    assert source_list(source) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1962-08-06"], ["1962-08-06"]),
        (["1967", "1966", "1968"], ["1967", "1966", "1968"]),
        (["circa 1957"], ["1957"]),
        (["1957 to 1959"], ["1957", "1958", "1959"]),
        (["Feb 1960"], ["1960-02"]),
        (["circa 01 Jul 1960"], ["1960-07-01"]),
        (["unknown"], []),
    ],
)
def test_parse_birth_dates(values: list[str], expected: list[str]) -> None:
    assert parse_birth_dates(values) == expected


# --- JSON ---------------------------------------------------------------------------------

# Real rows: the Xinjiang/China surveillance parties, a vessel, an aircraft, a DPL row with an
# embedded newline and a three-list OFAC entity.
JSON_IDS = {
    "caeb24bb901171744f7b376b17c4ad98a782c827",
    "33114",
    "38c951ed5690eb57b83e69fa444de9ae64b8cc0d",
    "29159",
    "29220",
    "34079",
    "30946",
    "18725",
    "026dba5afe5742c3d9b83179846272ca67cdb5c0",
    "deb7a1d5743a85c354ca1a2c7f2664e2104b32d7",
    "26095",
}


def _to_json(data: bytes) -> bytes:
    """The JSON shape of consolidated.json, built from real CSV rows (2022 ids layout)."""
    multi = ("programs", "alt_names", "citizenships", "dates_of_birth", "nationalities")
    results = []
    for row in csv.DictReader(io.StringIO(data.decode(), newline="")):
        item: dict[str, object] = {k: v for k, v in row.items() if k not in multi}
        item["id"] = item.pop("_id")
        for k in multi:
            item[k] = [v.strip() for v in row[k].split(";") if v.strip()]
        item["addresses"] = [
            {"address": a.text.rsplit(", ", 1)[0] if ", " in a.text else None,
             "city": None, "country": a.country}
            if a.country
            else {"address": a.text, "country": None}
            for a in split_addresses(row["addresses"])
        ]  # fmt: skip
        ids = [parse_id_item(i, type_first=False) for i in row["ids"].split("; ")]
        item["ids"] = [{"type": t, "number": n, "country": c} for t, n, c in filter(None, ids)]
        results.append(item)
    return json.dumps({"results": results}, indent=1).encode()


def _without_feed(p: Party) -> Party:
    return replace(
        p, id=p.id.split(":", 1)[1], listings=tuple(replace(x, feeds=()) for x in p.listings)
    )


def test_json_same_parties_as_csv(rows: list[list[str]]) -> None:
    extract = _extract(rows, JSON_IDS)
    from_csv = [_without_feed(p) for p in CSV.parse({F: extract})]
    doc = _to_json(extract)
    from_json = list(JSON.parse({"consolidated.json": doc}))
    assert len(from_json) == len(JSON_IDS)  # 13 rows: 18725 has three
    assert [_without_feed(p) for p in from_json] == from_csv
    assert {x.feeds for p in from_json for x in p.listings} == {("us_csl_json",)}
    assert from_json[0].id.startswith("us_csl_json:")
    assert JSON.published({"consolidated.json": doc}) == "2021-06-24"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"", "consolidated.json: the file is empty"),
        (b'{"results": [{"id": "1", "na', "consolidated.json line 1: not valid JSON"),
        (b'{"total": 0}', 'consolidated.json: no "results" array'),
        (b'{"results": ["x"]}', "consolidated.json record #1: a result is a str, not an object"),
        (
            b'{"results": [{"id": "1", "source": "Entity List (EL) - Bureau of Industry and '
            b'Security", "name": ""}]}',
            "consolidated.json record #1, field 'name': the name is empty",
        ),
        (
            b'{"results": [{"id": "1", "source": "Somebody", "name": "X"}]}',
            "consolidated.json record #1, field 'source': cannot read the list from 'Somebody'",
        ),
    ],
)
def test_json_bad_input(doc: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError) as err:
        list(JSON.parse({"consolidated.json": doc}))
    assert str(err.value).startswith(message)


def test_json_truncated(rows: list[list[str]]) -> None:
    doc = _to_json(_extract(rows, JSON_IDS))
    with pytest.raises(SourceFormatError, match=r"consolidated.json line \d+: not valid JSON"):
        list(JSON.parse({"consolidated.json": doc[: len(doc) // 2]}))


# --- bad CSV input -----------------------------------------------------------------------


def test_empty_file() -> None:
    with pytest.raises(SourceFormatError, match=r"^consolidated.csv: the file is empty"):
        list(CSV.parse({F: b""}))


def test_truncated_full_file(full: bytes) -> None:
    with pytest.raises(SourceFormatError) as err:
        list(CSV.parse({F: full[: len(full) // 2]}))
    assert "truncated" in str(err.value) and " line " in str(err.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG, "consolidated.csv line 1: missing columns: _id, source"),
        (
            b'Name\tStreet_Address\n"X"\t"Y"\n',
            "consolidated.csv line 1: missing columns: _id, source, entity_number",
        ),
        (b"<?xml version='1.0'?><sdnList/>", "consolidated.csv line 1: missing columns: _id"),
    ],
)
def test_wrong_file(data: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError) as err:
        list(CSV.parse({F: data}))
    assert str(err.value).startswith(message)


def test_dpl_file_given_as_csl(lists_dir: Path) -> None:
    with pytest.raises(SourceFormatError, match="missing columns: _id, source") as err:
        list(CSV.parse({F: read(lists_dir, "bis_dpl", "2023-11-30", "dpl.txt")}))
    assert "trade.gov Consolidated Screening List" in str(err.value)


def test_missing_column_is_named(rows: list[list[str]]) -> None:
    text = _extract(rows, {"33114"}).decode().replace(",alt_names,", ",other_names,", 1)
    with pytest.raises(SourceFormatError) as err:
        list(CSV.parse({F: text.encode()}))
    assert str(err.value) == (
        "consolidated.csv line 1: missing columns: alt_names — "
        "is this the trade.gov Consolidated Screening List (consolidated.csv)?"
    )


def test_unknown_columns_are_ignored(rows: list[list[str]]) -> None:
    extract = _extract(rows, {"33114", "29159"})
    lines = extract.decode().splitlines()
    widened = "\n".join(f"{line},extra" for line in lines) + "\n"
    assert list(CSV.parse({F: widened.encode()})) == list(CSV.parse({F: extract}))


def test_short_record(rows: list[list[str]]) -> None:
    extract = _extract(rows, {"33114", "29159"}).decode()
    broken = extract + "29999,Specially Designated Nationals (SDN) - Treasury Department,29999\n"
    with pytest.raises(SourceFormatError, match=r"line 4: the record has 3 fields but the header"):
        list(CSV.parse({F: broken.encode()}))


def test_repeated_header_is_skipped(rows: list[list[str]]) -> None:
    extract = _extract(rows, {"33114"}).decode()
    header = extract.splitlines()[0]
    assert list(CSV.parse({F: (header + "\n" + extract).encode()})) == list(
        CSV.parse({F: extract.encode()})
    )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("name", "", "line 2, field 'name': the name is empty"),
        ("source", "SDN", "line 2, field 'source': cannot read the list from 'SDN'"),
    ],
)
def test_bad_fields(rows: list[list[str]], column: str, value: str, message: str) -> None:
    records = list(csv.DictReader(io.StringIO(_extract(rows, {"33114"}).decode(), newline="")))
    records[0][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    with pytest.raises(SourceFormatError, match=message):
        list(CSV.parse({F: out.getvalue().encode()}))


def test_missing_file() -> None:
    with pytest.raises(SourceFormatError, match=r"^consolidated\.csv: the file is missing"):
        list(CSV.parse({}))


def test_speed(parties: dict[str, Party]) -> None:
    assert len(parties) == 14_048
    # ~1 s of CPU on a quiet developer machine; the bound only catches quadratic regressions.
    assert PARSE_CPU[0] < 4, f"parsing the 5.8 MB CSL took {PARSE_CPU[0]:.1f} s of CPU"
