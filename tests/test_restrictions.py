"""What a listing restricts: the table is valid, real-looking listings read right, and every
(list, program) found in the real official files has a row of its own."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

import pytest

from entityscreen.model import Listing
from entityscreen.restrictions import (
    COLUMNS,
    RestrictionTableError,
    find_row,
    load_table,
    restriction_for,
)

OFAC, BIS, STATE = "US Treasury OFAC", "US Commerce BIS", "US State Department"
UNSC, UKA, EUA = "UN Security Council", "UK HM Treasury OFSI", "European Union"
AUTHORITIES = {OFAC, BIS, STATE, UNSC, UKA, EUA}
LIST_CODES = {
    OFAC: {"SDN", "CMIC", "SSI", "FSE", "PLC", "MBS", "CAPTA"},
    BIS: {"EL", "DPL", "UVL", "MEU"},
    STATE: {"ISN", "DTC"},
    UNSC: {"UN"},
    UKA: {"UK"},
    EUA: {"EU"},
}

MEGVII_POLICY = (
    "Case-by-case review for ECCNs 1A004.c, 1A004.d, 1A995, 1A999.a, 1D003, 2A983, 2D983, and "
    "2E983, and for EAR99 items described in the Note to ECCN 1A995; case-by-case review for items "
    "necessary to detect, identify and treat infectious disease; and presumption of denial for all "
    "other items subject to the EAR."
)


def _table_text() -> str:
    return resources.files("entityscreen").joinpath("data", "restrictions.csv").read_text("utf-8")


# --- the table itself ---------------------------------------------------------------------------


def test_table_is_valid() -> None:
    rows = load_table(_table_text())
    assert len(rows) > 100
    for row in rows:
        assert row.authority in AUTHORITIES, row
        assert row.list in LIST_CODES[row.authority], row
        assert len(row.restriction) >= 40 and row.restriction.endswith("."), row
        assert row.legal_basis, row
        assert row.url.startswith("https://"), row
    # every list has a row for "any program", so a new program never drops to the generic text
    assert {(r.authority, r.list) for r in rows if not r.program} == {
        (a, code) for a, codes in LIST_CODES.items() for code in codes
    }


def test_table_header_is_exactly_the_columns() -> None:
    assert next(csv.reader(io.StringIO(_table_text()))) == list(COLUMNS)


GOOD_ROW = "US Treasury OFAC,SDN,GLOMAG,Blocked.,E.O. 13818,https://x,"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        (
            ",".join([*COLUMNS, "severity"]) + "\n" + GOOD_ROW + ",x\n",
            "unknown column(s): severity",
        ),
        ("authority,list,program\n", "header must be"),
        (
            ",".join(COLUMNS) + "\nUS Treasury OFAC,SDN,GLOMAG,,E.O. 13818,https://x,\n",
            "line 2: column 'restriction' is empty",
        ),
        (",".join(COLUMNS) + "\n,SDN,,Blocked.,x,https://x,\n", "column 'authority' is empty"),
        (
            ",".join(COLUMNS) + "\nUS Treasury OFAC,SDN,GLOMAG,Blocked.\n",
            "line 2: 4 cells, expected 7",
        ),
        (
            ",".join(COLUMNS) + f"\n{GOOD_ROW}\n{GOOD_ROW.replace('GLOMAG', 'glomag')}\n",
            "line 3: duplicate of line 2",
        ),
    ],
    ids=[
        "empty",
        "unknown-column",
        "missing-columns",
        "empty-restriction",
        "empty-authority",
        "short-row",
        "duplicate",
    ],
)
def test_bad_table_is_rejected(text: str, message: str) -> None:
    with pytest.raises(RestrictionTableError, match=re.escape(message)):
        load_table(text, "test.csv")


# --- real-looking listings ----------------------------------------------------------------------

CASES = [
    pytest.param(
        Listing(OFAC, "SDN", "GLOMAG", listed_on="2020-07-09", record_id="29220"),
        ["Blocked", "50% or more", "Global Magnitsky"],
        ["E.O. 13818", "31 CFR Part 583"],
        {("listed", "2020-07-09")},
        id="GLOMAG-Chen-Quanguo",
    ),
    pytest.param(
        Listing(
            OFAC,
            "CMIC",
            "CMIC-EO13959",
            listed_on="2021-12-10",
            record_id="33114",
            details=(("effective_date", "2022-02-08"), ("divestment_date", "2022-12-10")),
        ),
        [
            "publicly traded securities",
            "Purchase or sale prohibited from 2022-02-08; divestment allowed until 2022-12-10.",
        ],
        ["E.O. 13959 as amended by E.O. 14032"],
        {
            ("listed", "2021-12-10"),
            ("effective", "2022-02-08"),
            ("divestment allowed until", "2022-12-10"),
        },
        id="CMIC-SenseTime",
    ),
    pytest.param(
        Listing(
            BIS,
            "EL",
            None,
            listed_on="2019-10-09",
            citation="84 FR 54002; 85 FR 44159",
            details=(
                (
                    "license_requirement",
                    "For all items subject to the EAR.  (See §744.11 of the EAR)",
                ),
                ("license_policy", MEGVII_POLICY),
            ),
        ),
        [
            "Licence required: For all items subject to the EAR. (See §744.11 of the EAR)",
            "Review policy: Case-by-case review for ECCNs 1A004.c",
            "presumption of denial for all other items subject to the EAR.",
        ],
        ["15 CFR 744.11 and Supplement No. 4 to Part 744", "84 FR 54002; 85 FR 44159"],
        {("listed", "2019-10-09")},
        id="EL-Megvii",
    ),
    pytest.param(
        Listing(
            BIS,
            "DPL",
            None,
            listed_on="2022-08-24",
            citation="87 F.R. 52741 8/29/2022",
            details=(
                ("expiration_date", "2026-01-14"),
                ("standard_order", "Y"),
                ("last_updated", "2022-08-29"),
            ),
        ),
        [
            "Denied export privileges",
            "Denial order in effect from 2022-08-24 until 2026-01-14.",
            "Standard denial order terms apply.",
        ],
        ["Supplement No. 1 to Part 764", "87 F.R. 52741"],
        {("effective", "2022-08-24"), ("expires", "2026-01-14"), ("last updated", "2022-08-29")},
        id="DPL-Villa",
    ),
    pytest.param(
        # as the trade.gov CSL parser keeps the ids "features" of OFAC's record
        Listing(
            OFAC,
            "SSI",
            "UKRAINE-EO13662",
            details=(
                ("executive_order_13662_directive_determination", "Subject to Directive 2"),
                ("executive_order_13662_directive_determination", "Subject to Directive 4"),
                ("secondary_sanctions_risk", "See Section 11 of Executive Order 14024."),
            ),
        ),
        [
            "not blocked",
            "Subject to E.O. 13662 Directive 2, E.O. 13662 Directive 4.",
            "Secondary sanctions risk: See Section 11 of Executive Order 14024.",
        ],
        ["E.O. 13662"],
        set(),
        id="SSI-Rosneft-csl-details",
    ),
    pytest.param(
        # as the OFAC legacy CSV parser reads cons_prim.csv remarks
        Listing(
            OFAC,
            "MBS",
            "RUSSIA-EO14024",
            listed_on="2022-02-24",
            details=(("directive", "EO 14024 Directive 3"), ("effective_date", "2022-03-26")),
        ),
        [
            "Not blocked",
            "Directive 3 (no new debt over 14 days",
            "Subject to E.O. 14024 Directive 3.",
        ],
        ["E.O. 14024"],
        {("listed", "2022-02-24"), ("effective", "2022-03-26")},
        id="MBS-Sberbank-ofac-details",
    ),
    pytest.param(
        Listing(
            OFAC,
            "SSI",
            "UKRAINE-EO13662",
            details=(
                (
                    "remarks",
                    "Executive Order 13662 Directive Determination - Subject to Directive 1; "
                    "Secondary sanctions risk: Ukraine-/Russia-Related Sanctions Regulations",
                ),
            ),
        ),
        ["Subject to E.O. 13662 Directive 1."],
        ["31 CFR Part 589"],
        set(),
        id="SSI-directive-in-remarks",
    ),
    pytest.param(
        Listing(OFAC, "CAPTA", "561-Related", record_id="15268"),
        ["correspondent or payable-through account"],
        ["31 CFR 561.201(c)"],
        set(),
        id="CAPTA-Bank-of-Kunlun",
    ),
    pytest.param(
        Listing(BIS, "UVL", None),
        ["UVL statement", "no licence exceptions"],
        ["15 CFR 744.15"],
        set(),
        id="UVL",
    ),
    pytest.param(
        Listing(STATE, "DTC", None, citation="83 FR 18112"),
        ["defense articles", "ITAR"],
        ["22 CFR 127.7", "83 FR 18112"],
        set(),
        id="DTC",
    ),
    pytest.param(
        Listing(STATE, "ISN", "INKSNA", listed_on="2021-07-29"),
        ["Iran, North Korea or Syria", "Federal Register notice"],
        ["INKSNA"],
        {("listed", "2021-07-29")},
        id="ISN-INKSNA",
    ),
    pytest.param(
        Listing(UNSC, "UN", "Al-Qaida", listed_on="2008-12-10", record_id="QDi.264"),
        ["freeze", "entry or transit", "arms"],
        ["1267 (1999)"],
        {("listed", "2008-12-10")},
        id="UN-Al-Qaida-Lakhvi",
    ),
    pytest.param(
        Listing(UNSC, "UN", "GB", listed_on="2012-05-18", record_id="GBi.005"),
        ["travel ban only"],
        ["2048 (2012)"],
        {("listed", "2012-05-18")},
        id="UN-Guinea-Bissau-Injai",
    ),
    pytest.param(
        Listing(UNSC, "UN", "South Sudan"),
        ["South Sudan"],
        ["2206 (2015)"],
        set(),
        id="UN-spelling-tolerant",
    ),
    pytest.param(
        Listing(UKA, "UK", "Global Human Rights", listed_on="2021-03-22", record_id="14079"),
        ["Asset freeze", "OFSI licence", "Global Human Rights Sanctions Regulations 2020"],
        ["SI 2020/680"],
        {("listed", "2021-03-22")},
        id="UK-GHR-XPCC-PSB",
    ),
    pytest.param(
        Listing(UKA, "UK", "ISIL (Da’esh) and Al-Qaida"),  # curly apostrophe as some feeds write it
        ["Asset freeze"],
        ["SI 2019/466"],
        set(),
        id="UK-curly-apostrophe",
    ),
    pytest.param(
        Listing(UKA, "UK", "Some New Regime"),
        ["Asset freeze"],
        ["Sanctions and Anti-Money Laundering Act 2018"],
        set(),
        id="UK-unknown-regime-list-row",
    ),
    pytest.param(
        Listing(EUA, "EU", "TERR"),
        ["funds and economic resources", "made available"],
        ["2580/2001"],
        set(),
        id="EU-TERR",
    ),
    pytest.param(
        Listing(OFAC, "SDN", "SOME-NEW-TAG"),
        ["Blocked", "50% or more"],
        ["31 CFR Part 501"],
        set(),
        id="SDN-unknown-tag-list-row",
    ),
    pytest.param(
        Listing(
            "US Department of Defense",
            "us_dod_chinese_milcorps",
            "1260H",
            citation="NDAA FY2021 sec. 1260H",
            source_url="https://example.org/1260h",
        ),
        ["Restrictions depend on the listing authority", "see NDAA FY2021 sec. 1260H"],
        ["NDAA FY2021 sec. 1260H"],
        set(),
        id="FtM-dataset-generic",
    ),
]


@pytest.mark.parametrize(("listing", "in_summary", "in_legal", "dates"), CASES)
def test_restriction_for(
    listing: Listing, in_summary: list[str], in_legal: list[str], dates: set[tuple[str, str]]
) -> None:
    result = restriction_for(listing)
    for text in in_summary:
        assert text in result.summary, (text, result.summary)
    for text in in_legal:
        assert result.legal_basis and text in result.legal_basis, (text, result.legal_basis)
    assert dates <= set(result.dates), result.dates
    assert result.url and result.url.startswith("https://")


def test_generic_fallback_is_never_empty() -> None:
    result = restriction_for(Listing("Someone", "X", None))
    assert result.summary == (
        "Restrictions depend on the listing authority (Someone / X); "
        "see the listing authority's notice."
    )
    assert result.legal_basis is None and result.url is None


# --- every (list, program) in the real files has a row ----------------------------------------

CSL_SOURCES = {
    "Specially Designated Nationals (SDN) - Treasury Department": (OFAC, "SDN"),
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": (
        OFAC,
        "CMIC",
    ),
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department": (OFAC, "SSI"),
    "Foreign Sanctions Evaders (FSE) - Treasury Department": (OFAC, "FSE"),
    "Palestinian Legislative Council List (PLC) - Treasury Department": (OFAC, "PLC"),
    "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department": (OFAC, "MBS"),
    "Capta List (CAP) - Treasury Department": (OFAC, "CAPTA"),
    "Entity List (EL) - Bureau of Industry and Security": (BIS, "EL"),
    "Denied Persons List (DPL) - Bureau of Industry and Security": (BIS, "DPL"),
    "Unverified List (UVL) - Bureau of Industry and Security": (BIS, "UVL"),
    "Military End User (MEU) List - Bureau of Industry and Security": (BIS, "MEU"),
    "Nonproliferation Sanctions (ISN) - State Department": (STATE, "ISN"),
    "ITAR Debarred (DTC) - State Department": (STATE, "DTC"),
}

# cons_prim.csv does not say which non-SDN list a row is on; this is the list OFAC's enhanced
# consolidated XML (CONS_ENHANCED.ZIP, same entities) puts each program on. Unlisted tags are the
# SDN side of entities that are on both lists.
CONS_PROGRAM_LIST = {
    "CMIC-EO13959": "CMIC",
    "NS-PLC": "PLC",
    "561-Related": "CAPTA",
    "UKRAINE-EO13662": "SSI",
    "RUSSIA-EO14024": "MBS",
    "BURMA-EO14014": "MBS",
    "CAATSA - RUSSIA": "MBS",
    "ILLICIT-DRUGS-EO14059": "MBS",
    "FSE-IR": "FSE",
    "FSE-SY": "FSE",
}


def _tags(cell: str) -> list[str]:
    # OFAC legacy CSVs join several tags as "SDGT] [NS-PLC"; the CSL joins them with "; ".
    return [t.strip(" []") for t in re.split(r"\] \[|;", cell) if t.strip(" []")]


def _csl_pairs(path: Path) -> set[tuple[str, str, str]]:
    pairs = set()
    with path.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            if rec["source"] == "source":  # the 2023 sample repeats its header
                continue
            authority, code = CSL_SOURCES[rec["source"]]
            for tag in _tags(rec["programs"]) or [""]:
                pairs.add((authority, code, tag))
    return pairs


def _ofac_csv_pairs(path: Path, *, cons: bool) -> set[tuple[str, str, str]]:
    pairs = set()
    text = path.read_bytes().decode("latin-1")
    for rec in csv.reader(io.StringIO(text)):
        if len(rec) < 4 or not rec[0].strip().isdigit():  # header, trailing 0x1A line
            continue
        for tag in _tags(rec[3]):
            code = CONS_PROGRAM_LIST.get(tag, "SDN") if cons else "SDN"
            pairs.add((OFAC, code, tag))
    return pairs


def _assert_all_specific(pairs: set[tuple[str, str, str]]) -> None:
    missing = []
    for authority, code, tag in sorted(pairs):
        row = find_row(authority, code, tag)
        # SDN tags must each have their own row: the legal basis differs per program.
        if row is None or (code == "SDN" and tag and not row.program):
            missing.append((authority, code, tag))
    assert not missing, f"no specific restrictions.csv row for: {missing}"


@pytest.mark.parametrize(
    "parts",
    [
        ("trade_gov_csl", "2022-05_full", "consolidated.csv"),
        ("trade_gov_csl", "2023-11-30_partial_SAMPLE", "csl.csv"),
    ],
    ids=["csl-2022-05", "csl-2023-11-sample"],
)
def test_every_csl_list_and_program_has_a_row(lists_dir: Path, parts: tuple[str, ...]) -> None:
    pairs = _csl_pairs(lists_dir.joinpath(*parts))
    assert len(pairs) > 40
    _assert_all_specific(pairs)


@pytest.mark.parametrize(
    ("parts", "cons"),
    [
        (("ofac_consolidated", "2025-12-19_legacy_csv", "cons_prim.csv"), True),
        (("ofac_sdn", "2021-07-07_legacy_csv", "sdn.csv"), False),
        (("ofac_sdn", "2023-01_sdn_csv_reserialized_nonnative", "sdn.csv"), False),
    ],
    ids=["cons_prim", "sdn-2021-07", "sdn-2023-01"],
)
def test_every_ofac_program_tag_has_a_row(
    lists_dir: Path, parts: tuple[str, ...], cons: bool
) -> None:
    pairs = _ofac_csv_pairs(lists_dir.joinpath(*parts), cons=cons)
    assert len(pairs) > 10
    _assert_all_specific(pairs)


def test_every_un_regime_has_its_own_row(lists_dir: Path) -> None:
    xml = (lists_dir / "un_sc" / "2026-02-27" / "consolidated.xml").read_text("utf-8")
    regimes = set(re.findall(r"<UN_LIST_TYPE>([^<]+)</UN_LIST_TYPE>", xml))
    assert len(regimes) == 14
    missing = [r for r in sorted(regimes) if not getattr(find_row(UNSC, "UN", r), "program", "")]
    assert not missing


@pytest.mark.slow
def test_every_uk_regime_has_its_own_row(lists_dir: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = lists_dir / "uk_ofsi" / "2025-04-10_conlist_xlsx" / "UK_Sanctions_List.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        header = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]  # row 1: date
        col = header.index("Regime") + 1
        regimes = {
            v
            for (v,) in sheet.iter_rows(min_row=3, min_col=col, max_col=col, values_only=True)
            if v
        }
    finally:
        book.close()
    assert len(regimes) == 31
    missing = [r for r in sorted(regimes) if not getattr(find_row(UKA, "UK", r), "program", "")]
    assert not missing
