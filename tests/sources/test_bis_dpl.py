"""BIS Denied Persons List (dpl.txt of 2023-11-30, 665 rows) and its failure modes."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import read
from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, NameKind, Party, PartyType
from entityscreen.sources import bis_dpl

(SPEC,) = bis_dpl.SOURCES
F = "dpl.txt"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(scope="module")
def data(lists_dir: Path) -> bytes:
    return read(lists_dir, "bis_dpl", "2023-11-30", F)


@pytest.fixture(scope="module")
def parties(data: bytes) -> list[Party]:
    return list(SPEC.parse({F: data}))


def _by_name(parties: list[Party], name: str) -> list[Party]:
    return [p for p in parties if p.name == name]


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


def test_spec() -> None:
    assert (SPEC.name, SPEC.urls) == ("bis_dpl", {F: "https://www.bis.doc.gov/dpl/dpl.txt"})
    assert SPEC.required == {F}


def test_counts(data: bytes, parties: list[Party]) -> None:
    assert len(bis_dpl._table({F: data})) == 665  # PROVENANCE.md: 665 rows (+header)
    # one party per (Name, Effective_Date): a person's addresses are one row each
    assert len(parties) == 547
    assert len({p.id for p in parties}) == 547
    assert sum(len(p.addresses) for p in parties) == 663  # 2 rows are exact duplicates


def test_published(data: bytes) -> None:
    # newest plausible Last_Update (3033-09-30 is a typo); the newest Effective_Date is 11-16
    assert SPEC.published({F: data}) == "2023-11-28"
    without_last_update = "\n".join(
        "\t".join(c for i, c in enumerate(line.split("\t")) if i != 9) for line in _lines(data)
    )
    assert SPEC.published({F: without_last_update.encode()}) == "2023-11-16"


def test_every_party(parties: list[Party]) -> None:
    for p in parties:
        assert p.type is PartyType.UNKNOWN and p.merge_key is None
        assert [n.kind for n in p.names] == [NameKind.PRIMARY]
        (listing,) = p.listings
        assert (listing.authority, listing.list, listing.program) == (
            "US Commerce BIS",
            "DPL",
            None,
        )
        assert listing.feeds == ("bis_dpl",) and listing.record_id == p.id.split(":")[1]
        assert listing.listed_on is not None and listing.citation


@pytest.mark.parametrize(
    ("name", "effective", "expiration", "last_updated", "citation", "addresses"),
    [
        (
            "ZIMO SHENG",
            "2020-03-16",
            "2028-12-13",
            "2020-03-20",
            "85 F.R. 16054 3/20/2020",
            (
                Address("3975 N. CRAMER STREET, UNIT 204, MILWAUKEE, WI, 53211", "US"),
                Address("JINXIUYUAN 17-403, CHANGSHU, JIANGSU, 215500, CN", "CN"),
            ),
        ),
        (
            "AL NASER AIRLINES",
            "2023-10-31",
            "2024-10-30",
            "2023-11-01",
            None,  # a long renewal history, checked below
            (
                Address("AL AMIRAT STREET, SECTION 309, ST. 3/H.20, AL MANSOUR, BAGHDAD, IQ", "IQ"),
                Address(
                    "HOME 46, AL-KARRADA, BABIL REGION, DISTRICT 929, ST 21, BESIDE AL JADIRYA "
                    "PRIVATE HOSPITAL, BAGHDAD, IQ",
                    "IQ",
                ),
                Address("P.O. BOX 28360, DUBAI, AE", "AE"),
                Address("P.O. BOX 911399, AMMAN, 11191, JO", "JO"),
            ),
        ),
        (
            "SAMANTHA CORONADO",
            "2023-11-16",
            "2029-06-23",
            "2023-11-28",
            "88 F.R. 81364 11/22/2023",
            (
                Address(
                    "INMATE NUMBER: 83982-509, FMC CARSWELL, FEDERAL MEDICAL CENTER, "
                    "P. O. BOX 27137, FORT WORTH, TX, 76127",
                    "US",  # Country is empty: a US address with a State
                ),
            ),
        ),
    ],
)
def test_records(
    parties: list[Party],
    name: str,
    effective: str,
    expiration: str,
    last_updated: str,
    citation: str | None,
    addresses: tuple[Address, ...],
) -> None:
    (p,) = _by_name(parties, name)
    assert p.addresses == addresses
    assert p.countries == tuple(dict.fromkeys(a.country for a in addresses))
    expected_id = hashlib.sha1(f"{name}|{effective[5:7]}/{effective[8:]}/{effective[:4]}".encode())
    assert p.id == f"bis_dpl:{expected_id.hexdigest()[:16]}"
    (listing,) = p.listings
    assert listing.listed_on == effective
    assert listing.detail("expiration_date") == expiration
    assert listing.detail("last_updated") == last_updated
    assert listing.detail("standard_order") == "Y"
    assert listing.detail("data_warning") is None
    if citation:
        assert listing.citation == citation
    else:
        assert listing.citation.startswith("80 F.R. 30435 5/28/15, ")  # type: ignore[union-attr]
        assert listing.citation.endswith("88 F.R. 30078 5/10/2023")  # type: ignore[union-attr]


def test_future_last_update_is_kept_and_flagged(parties: list[Party]) -> None:
    (p,) = _by_name(parties, "JOSE ERNESTO GARCIA")
    (listing,) = p.listings
    assert listing.detail("last_updated") == "3033-09-30"  # as published
    assert listing.detail("data_warning") == (
        "Last_Update '3033-09-30' is not a plausible date (line 316)"
    )
    assert listing.listed_on == "2022-09-26" and listing.detail("action") == "F.R. NOTICE ADDED"
    warnings = [v for q in parties for x in q.listings for k, v in x.details if k == "data_warning"]
    assert warnings == [
        "Last_Update '1023-11-01' is not a plausible date (line 218)",
        "Last_Update '3033-09-30' is not a plausible date (line 316)",
    ]


def test_names_as_published(data: bytes, parties: list[Party]) -> None:
    names = Counter(p.name for p in parties)
    # " I. ASH" (2003 order; leading blank dropped) and "I. ASH" (2002 order, two rows)
    assert sum(1 for _, row in bis_dpl._table({F: data}) if row["Name"] == "I. ASH") == 3
    assert sorted(
        (p.listings[0].listed_on, len(p.addresses)) for p in parties if p.name == "I. ASH"
    ) == [("2002-03-04", 2), ("2003-06-19", 1)]
    assert names["I. ASH"] == 2
    assert names["AL-NASER  AIRLINES"] == 1  # the double blank is the publisher's


def test_countries(parties: list[Party]) -> None:
    countries = Counter(c for p in parties for c in p.countries)
    assert countries.most_common(3) == [("US", 367), ("RU", 22), ("AE", 19)]
    assert sum(1 for p in parties if "CN" in p.countries) == 14  # "PRC" included
    assert sum(1 for p in parties if not p.countries) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/19/2003", "2003-06-19"),
        ("1/9/2017", "2017-01-09"),
        ("2023-11-28", "2023-11-28"),
        ("02/30/2020", None),
        ("3033-09-30", "3033-09-30"),  # a date; implausible, which _plausible decides
        ("", None),
        ("soon", None),
    ],
)
def test_dates(text: str, expected: str | None) -> None:
    assert bis_dpl._date(text) == expected


def test_latin1(data: bytes) -> None:
    header, row = _lines(data)[:2]
    text = f"{header}\n{row}\n".replace('" I. ASH"', '"JOSÉ MÜLLER"')
    (p,) = SPEC.parse({F: text.encode("latin-1")})
    assert p.name == "JOSÉ MÜLLER"


def test_bad_effective_date_is_flagged_not_fatal(data: bytes) -> None:
    header, row = _lines(data)[:2]
    (p,) = SPEC.parse({F: f"{header}\n{row.replace('06/19/2003', '19/06/2003')}\n".encode()})
    (listing,) = p.listings
    assert listing.listed_on is None
    assert listing.detail("data_warning") == ("Effective_Date '19/06/2003' is not a date (line 2)")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: b"", "dpl.txt: the file is empty"),
        (lambda d: PNG, "dpl.txt line 1: missing columns: Name, Street_Address"),
        (lambda d: d[: len(d) // 2], "dpl.txt line 305: the last record ends inside a quoted"),
        (lambda d: d[:-30], "dpl.txt line 666: the last record ends inside a quoted field"),
        (
            lambda d: d.rsplit(b"\t", 3)[0],  # cut at a field boundary
            "dpl.txt line 666: the record has 9 fields but the header has 12",
        ),
        (
            lambda d: d.replace(b'"Effective_Date"', b'"Effective"', 1),
            "dpl.txt line 1: missing columns: Effective_Date — is this the BIS Denied Persons List",
        ),
        (
            lambda d: d.replace(b'"ZIMO SHENG"', b'""', 1),
            "dpl.txt line 665, field 'Name': the name is empty — is the file damaged?",
        ),
    ],
)
def test_bad_input(data: bytes, make: Callable[[bytes], bytes], message: str) -> None:
    with pytest.raises(SourceFormatError) as err:
        list(SPEC.parse({F: make(data)}))
    assert str(err.value).startswith(message)


def test_csl_given_as_dpl(lists_dir: Path) -> None:
    csl = read(lists_dir, "trade_gov_csl", "2022-05_full", "consolidated.csv")
    with pytest.raises(SourceFormatError, match=r"^dpl\.txt line 1: missing columns: Name, "):
        list(SPEC.parse({F: csl}))


def test_missing_file() -> None:
    with pytest.raises(SourceFormatError, match=r"^dpl\.txt: the file is missing"):
        list(SPEC.parse({}))
