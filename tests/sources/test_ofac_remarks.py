"""OFAC remarks mini-language: real remark strings from sdn.csv / cons_prim.csv and their facts."""

from __future__ import annotations

import pytest

from entityscreen.model import Identifier, NameKind
from entityscreen.sources.ofac_remarks import (
    Facts,
    add_typed,
    ofac_country,
    parse_dob,
    parse_remarks,
    split_remarks,
)

SENSETIME = (
    "Effective Date (CMIC) 08 Feb 2022; Purchase/Sales For Divestment Date (CMIC) 10 Dec 2022; "
    "Listing Date (CMIC) 10 Dec 2021; C.R. No. 2162198 (Hong Kong)."
)
ZAKIR = (
    "DOB Aug 1953; POB Yining City, Xinjiang, China; nationality China; Gender Male; "
    "Linked To: XINJIANG PUBLIC SECURITY BUREAU."
)
CHEN_QUANGUO = "DOB 1955; POB Pingyu, Henan, China; Gender Male."
CHINA_TELECOM = (
    "Equity Ticker CHA US; alt. Equity Ticker CHA RU; Issuer Name China Telecom Corporation "
    "Limited; ISIN US1694261033; alt. ISIN CNE1000002V2; Target Type Public Company; "
    "Effective Date (CMIC) 02 Aug 2021; Purchase/Sales For Divestment Date (CMIC) 03 Jun 2022; "
    "Listing Date (CMIC) 03 Jun 2021; Unified Social Credit Code (USCC) 9111000071093019X7 "
    "(China); Linked To: CHINA TELECOMMUNICATIONS CORPORATION."
)
ARTAVIL = (
    "Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; alt. Former Vessel Flag None "
    "Identified; alt. Former Vessel Flag Tanzania; Additional Sanctions Information - Subject to "
    "Secondary Sanctions; Vessel Registration Identification IMO 9187629; MMSI 572469210; "
    "f.k.a. 'ALPHA'; Linked To: NATIONAL IRANIAN TANKER COMPANY."
)
POTEKHIN = (
    "DOB 14 Sep 1995; alt. DOB 14 Sep 1990; alt. DOB 08 Aug 1990; Email Address "
    "potekhinl4@bk.ru; Gender Male; Digital Currency Address - XBT "
    "1Q9UAQbcDezmyouFrzt94t4dSMxgsUfW1X; Digital Currency Address - ETH "
    "0x7F367cC41522cE07553e823bf3be79A889DEbe1B; a.k.a. 'cronuswar'; "
    "a.k.a. 'SERGEY, Kireev Valerievich'."
)
CENTRAL_BANK = (
    "SWIFT/BIC CBRFRUMM; Website www.cbr.ru; Organization Established Date 13 Jul 1990; "
    "Organization Type: Central banking; Target Type Government Entity; Executive Order 14024 "
    "Directive Information Subject to Directive 1a - As of the effective date, participation in "
    "the secondary market for ruble or non-ruble denominated bonds issued on or after the "
    "effective date by the Central Bank of the Russian Federation is prohibited.; "
    "Listing Date (EO 14024 Directive 1a): 22 Feb 2022; Effective Date (EO 14024 Directive 1a): "
    "01 Mar 2022; Tax ID No. 7702235133 (Russia); Registration Number 1037700013020 (Russia)."
)
SBERBANK_CAPITAL = (
    "Executive Order 13662 Directive Determination - Subject to Directive 1; Secondary sanctions "
    "risk: Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201 and/or 589.209; "
    "Executive Order 14024 Directive Information - For more information on directives, please "
    "visit the following link: https://home.treasury.gov/policy-issues/financial-sanctions/"
    "sanctions-programs-and-country-information/russian-harmful-foreign-activities-sanctions"
    "#directives; Listing Date (EO 14024 Directive 2): 24 Feb 2022; Effective Date (EO 14024 "
    "Directive 2): 26 Mar 2022; Registration ID 1087746887678 (Russia); Tax ID No. 7736581290 "
    "(Russia)."
)
MOGE = (
    "Organization Established Date 1963; Organization Type: Extraction of crude petroleum; "
    "Target Type State-Owned Enterprise; Executive Order 14014 Directive Information: Subject to "
    "Directive 1 - As of the effective date, the provision of financial services to Myanma Oil "
    "and Gas Enterprise (MOGE) is prohibited.; Listing Date (EO 14014 Directive 1): 31 Oct 2023; "
    "Effective Date (EO 14014 Directive 1): 15 Dec 2023; a.k.a. 'MOGE'; a.k.a. 'M.O.G.E.'."
)
MARTELLY = (
    "DOB 12 Feb 1961; POB Port-au-Prince, Haiti; nationality Haiti; Gender Male; Executive "
    "Order 14059 information: Prohibition on any transactions in foreign exchange; "
    "Driver's License No. M634550610520 (United States); National ID No. 0032768386 (Haiti); "
    "a.k.a. 'Sweet Micky'."
)
SSB = (
    "CAATSA Section 235 Information: EXPORT SANCTIONS Sec. 235(a)(2); alt. CAATSA Section 235 "
    "Information: LOANS FROM UNITED STATES FINANCIAL INSTITUTIONS. Sec. 235(a)(3); a.k.a. 'SSB'."
)
CIFUENTES = (
    "DOB 13 May 1965; alt. DOB 13 Apr 1968; Cedula No. 7548733 (Colombia); alt. Cedula No. "
    "172489729-1 (Ecuador); Passport AL720622 (Colombia); R.F.C. CIVJ650513LJA (Mexico); "
    "C.U.R.P. CIVJ650513HNEFLR06 (Mexico); Matricula Mercantil No 181301-1 Cali (Colombia)"
)
AL_SHARIF = (
    "DOB 1969; alt. DOB 1963; alt. DOB 11 Feb 1964; POB Al-Medinah, Saudi Arabia; nationality "
    "Saudi Arabia; Passport B 960789; alt. Passport G 649385 issued 08 Sep 2006 expires "
    "17 Jul 2011."
)
EP_GOM = (
    "Aircraft Construction Number (also called L/N or S/N or F/N) 8401; Aircraft Manufacture "
    "Date 1992; Aircraft Model IL76-TD; Aircraft Operator YAS AIR; Aircraft Manufacturer's "
    "Serial Number (MSN) 1023409321; Linked To: POUYA AIR."
)
ZAHHAR = (
    "DOB 1945; POB Gaza Strip; nationality Palestinian; Gender Male; Secondary sanctions risk: "
    "section 1(b) of Executive Order 13224, as amended by Executive Order 13886; "
    "a.k.a. 'ZAHAR, Mahmoud'; a.k.a. 'AL-ZAHAR, Mahmoud'; Linked To: HAMAS."
)
DPRK_USCC = (
    "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: "
    "North Korea Sanctions Regulations section 510.214; Unified Social Credit Code (USCC) "
    "91222401MA0Y31E659 (China)."
)


def _names(f: Facts) -> list[tuple[str, NameKind]]:
    return [(n.value, n.kind) for n in f.names]


CASES = [
    # (id, remarks, attribute, expected)
    ("sensetime ids", SENSETIME, "identifiers", [Identifier("C.R. No.", "2162198", "HK")]),
    (
        "sensetime cmic dates",
        SENSETIME,
        "list_facts",
        [
            ("CMIC", "effective_date", "2022-02-08"),
            ("CMIC", "divestment_date", "2022-12-10"),
            ("CMIC", "listed_on", "2021-12-10"),
        ],
    ),
    ("sensetime no names", SENSETIME, "names", []),
    ("zakir dob", ZAKIR, "birth_dates", ["1953-08"]),
    ("zakir pob", ZAKIR, "birth_places", ["Yining City, Xinjiang, China"]),
    ("zakir nationality", ZAKIR, "countries", ["CN"]),
    ("chen quanguo dob", CHEN_QUANGUO, "birth_dates", ["1955"]),
    ("chen quanguo no nationality", CHEN_QUANGUO, "countries", []),
    (
        "china telecom ids",
        CHINA_TELECOM,
        "identifiers",
        [
            Identifier("Equity Ticker", "CHA US"),
            Identifier("Equity Ticker", "CHA RU"),
            Identifier("ISIN", "US1694261033"),
            Identifier("ISIN", "CNE1000002V2"),
            Identifier("Unified Social Credit Code", "9111000071093019X7", "CN"),
        ],
    ),
    (
        "china telecom listed",
        CHINA_TELECOM,
        "list_facts",
        [
            ("CMIC", "effective_date", "2021-08-02"),
            ("CMIC", "divestment_date", "2022-06-03"),
            ("CMIC", "listed_on", "2021-06-03"),
        ],
    ),
    (
        "vessel imo mmsi",
        ARTAVIL,
        "identifiers",
        [Identifier("IMO", "9187629"), Identifier("MMSI", "572469210")],
    ),
    ("vessel former name", ARTAVIL, "names", [("ALPHA", NameKind.FORMER)]),
    ("vessel former flags are not countries", ARTAVIL, "countries", []),
    (
        "vessel secondary sanctions",
        ARTAVIL,
        "details",
        [("additional_sanctions_information", "Subject to Secondary Sanctions")],
    ),
    ("cyber dobs", POTEKHIN, "birth_dates", ["1995-09-14", "1990-09-14", "1990-08-08"]),
    (
        "cyber digital currency",
        POTEKHIN,
        "identifiers",
        [
            Identifier("Digital Currency Address - XBT", "1Q9UAQbcDezmyouFrzt94t4dSMxgsUfW1X"),
            Identifier(
                "Digital Currency Address - ETH", "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"
            ),
        ],
    ),
    (
        "weak akas",
        POTEKHIN,
        "names",
        [
            ("cronuswar", NameKind.WEAK_ALIAS),
            ("SERGEY, Kireev Valerievich", NameKind.WEAK_ALIAS),
        ],
    ),
    (
        "central bank ids",
        CENTRAL_BANK,
        "identifiers",
        [
            Identifier("SWIFT/BIC", "CBRFRUMM"),
            Identifier("Tax ID No.", "7702235133", "RU"),
            Identifier("Registration Number", "1037700013020", "RU"),
        ],
    ),
    (
        "central bank directive 1a is NS-MBS",
        CENTRAL_BANK,
        "list_facts",
        [
            ("MBS", "directive", "EO 14024 Directive 1a"),
            ("MBS", "listed_on", "2022-02-22"),
            ("MBS", "effective_date", "2022-03-01"),
        ],
    ),
    ("central bank evidence", CENTRAL_BANK, "evidence", {"EO14024": {"MBS"}}),
    (
        "central bank established",
        CENTRAL_BANK,
        "details",
        [("organization_established_date", "1990-07-13")],
    ),
    (
        "directive 2 is CAPTA, EO 13662 is SSI",
        SBERBANK_CAPITAL,
        "list_facts",
        [
            ("SSI", "directive", "EO 13662 Directive 1"),
            ("CAPTA", "directive", "EO 14024 Directive 2"),
            ("CAPTA", "listed_on", "2022-02-24"),
            ("CAPTA", "effective_date", "2022-03-26"),
        ],
    ),
    ("directive 2 evidence", SBERBANK_CAPITAL, "evidence", {"EO14024": {"CAPTA"}}),
    (
        "burma directive",
        MOGE,
        "list_facts",
        [
            ("MBS", "directive", "EO 14014 Directive 1"),
            ("MBS", "listed_on", "2023-10-31"),
            ("MBS", "effective_date", "2023-12-15"),
        ],
    ),
    ("burma established year", MOGE, "details", [("organization_established_date", "1963")]),
    (
        "burma weak akas",
        MOGE,
        "names",
        [("MOGE", NameKind.WEAK_ALIAS), ("M.O.G.E.", NameKind.WEAK_ALIAS)],
    ),
    ("menu-based EO 14059", MARTELLY, "evidence", {"EO14059": {"MBS"}}),
    (
        "martelly ids",
        MARTELLY,
        "identifiers",
        [
            Identifier("Driver's License No.", "M634550610520", "US"),
            Identifier("National ID No.", "0032768386", "HT"),
        ],
    ),
    ("caatsa 235 evidence", SSB, "evidence", {"CAATSA": {"MBS"}}),
    (
        "mexican and colombian ids",
        CIFUENTES,
        "identifiers",
        [
            Identifier("Cedula No.", "7548733", "CO"),
            Identifier("Cedula No.", "172489729-1", "EC"),
            Identifier("Passport", "AL720622", "CO"),
            Identifier("R.F.C.", "CIVJ650513LJA", "MX"),
            Identifier("C.U.R.P.", "CIVJ650513HNEFLR06", "MX"),
            Identifier("Matricula Mercantil No", "181301-1 Cali", "CO"),
        ],
    ),
    ("several dobs", AL_SHARIF, "birth_dates", ["1969", "1963", "1964-02-11"]),
    (
        "passport issued/expires",
        AL_SHARIF,
        "identifiers",
        [Identifier("Passport", "B 960789"), Identifier("Passport", "G 649385")],
    ),
    (
        "aircraft ids",
        EP_GOM,
        "identifiers",
        [
            Identifier("Aircraft Construction Number (also called L/N or S/N or F/N)", "8401"),
            Identifier("Aircraft Manufacturer's Serial Number (MSN)", "1023409321"),
        ],
    ),
    ("palestinian", ZAHHAR, "countries", ["PS"]),
    (
        "quoted akas with commas",
        ZAHHAR,
        "names",
        [("ZAHAR, Mahmoud", NameKind.WEAK_ALIAS), ("AL-ZAHAR, Mahmoud", NameKind.WEAK_ALIAS)],
    ),
    (
        "dprk details",
        DPRK_USCC,
        "details",
        [
            (
                "secondary_sanctions_risk",
                "North Korea Sanctions Regulations, sections 510.201 and 510.210",
            ),
            ("transactions_prohibited", "North Korea Sanctions Regulations section 510.214"),
        ],
    ),
    ("empty", None, "identifiers", []),
    ("null", "-0- ", "names", []),
]


@pytest.mark.parametrize(
    ("remarks", "attribute", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_parse_remarks(remarks: str | None, attribute: str, expected: object) -> None:
    facts = parse_remarks(remarks)
    got = _names(facts) if attribute == "names" else getattr(facts, attribute)
    assert got == expected


@pytest.mark.parametrize(
    ("label", "value", "country", "attribute", "expected"),
    [
        # the legacy XML's <idType>/<idNumber>/<idCountry> triples, as in consolidated.xml
        ("C.R. No.", "2162198", "Hong Kong", "identifiers",
         [Identifier("C.R. No.", "2162198", "HK")]),
        ("Listing Date (CMIC)", "10 Dec 2021", None, "list_facts",
         [("CMIC", "listed_on", "2021-12-10")]),
        ("Purchase/Sales For Divestment Date (CMIC)", "10 Dec 2022", None, "list_facts",
         [("CMIC", "divestment_date", "2022-12-10")]),
        ("Listing Date (EO 14024 Directive 2):", "24 Feb 2022", None, "list_facts",
         [("CAPTA", "directive", "EO 14024 Directive 2"), ("CAPTA", "listed_on", "2022-02-24")]),
        ("Executive Order 13662 Directive Determination -", "Subject to Directive 1", None,
         "list_facts", [("SSI", "directive", "EO 13662 Directive 1")]),
        ("Executive Order 14024 Directive Information", "Subject to Directive 3 - All transactions",
         None, "evidence", {"EO14024": {"MBS"}}),
        ("Executive Order 14024 Directive Information -", "For more information on directives",
         None, "evidence", {}),
        # a country left inside idNumber (consolidated.xml uid 17064)
        ("Registration ID", "1026303117642 (Russia)", None, "identifiers",
         [Identifier("Registration ID", "1026303117642", "RU")]),
        ("Vessel Registration Identification", "IMO 9187629", None, "identifiers",
         [Identifier("IMO", "9187629")]),
        ("Organization Established Date", "18 Aug 1922", None, "details",
         [("organization_established_date", "1922-08-18")]),
        ("Nationality of Registration", "Panama", None, "countries", ["PA"]),
        ("Website", "www.veb.ru", None, "identifiers", []),
    ],
)  # fmt: skip
def test_add_typed(
    label: str, value: str, country: str | None, attribute: str, expected: object
) -> None:
    facts = Facts()
    assert add_typed(facts, label, value, country)
    assert getattr(facts, attribute) == expected


def test_add_typed_unknown_label() -> None:
    assert not add_typed(Facts(), "Favourite Colour", "blue")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 Dec 1948", ["1948-12-10"]),
        ("Aug 1953", ["1953-08"]),
        ("1955", ["1955"]),
        ("circa 1951", ["1951"]),
        ("1956 to 1958", ["1956", "1957", "1958"]),
        ("circa 1970-1972", ["1970", "1971", "1972"]),
        ("01 Jan 1960 to 31 Dec 1961", ["1960", "1961"]),
        ("Mar 1960 to Apr 1960", ["1960-03", "1960-04"]),
        ("31 Feb 1970", []),
        ("unknown", []),
    ],
)
def test_parse_dob(text: str, expected: list[str]) -> None:
    assert parse_dob(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China", "CN"),
        ("Russia", "RU"),
        ("Korea, North", "KP"),
        ("Hong Kong", "HK"),
        ("Region: Gaza", "PS"),
        ("Region: Crimea", "UA"),
        ("Palestinian", "PS"),
        ("Cote d Ivoire", "CI"),
        ("Congo, Republic of the", "CG"),
        ("Bosnia-Herzegovina", "BA"),
        ("Bahamas, The", "BS"),
        ("Cabo Verde.  Previously Cape Verde.", "CV"),
        ("Virgin Islands, British", "VG"),
        ("-0-", None),
        ("undetermined", None),
        ("Region: Northern Mali", None),
    ],
)
def test_ofac_country(text: str, expected: str | None) -> None:
    assert ofac_country(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB 1962; POB Shati.", ["DOB 1962", "POB Shati"]),
        ("a.k.a. 'BNC'.", ["a.k.a. 'BNC'"]),
        ("Linked To: HIZBALLAH.", ["Linked To: HIZBALLAH"]),
        ("x.;y", ["x", "y"]),  # ".;" where an item ends with a stop
        ("", []),
        (None, []),
    ],
)
def test_split_remarks(text: str | None, expected: list[str]) -> None:
    assert split_remarks(text) == expected
