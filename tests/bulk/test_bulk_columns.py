"""Header detection and explicit column choices."""

from __future__ import annotations

import pytest

from entityscreen.bulk.columns import Columns, fold_header, resolve
from entityscreen.errors import InputError


@pytest.mark.parametrize(("header", "folded"), [
    ("Customer_Name", "customer name"),
    ("  CUSTOMER-NAME ", "customer name"),
    ("\ufeffname", "name"),
    ("D.O.B.", "dob"),
    ("Date of Birth", "date of birth"),
    ("Reg. No.", "reg no"),
    ("Kundenname", "kundenname"),
])
def test_fold_header(header: str, folded: str) -> None:
    assert fold_header(header) == folded


@pytest.mark.parametrize(("headers", "expected"), [
    (["name"], {"name": ["name"]}),
    (["Full Name", "Country"], {"name": ["Full Name"], "country": "Country"}),
    (["Customer ID", "Customer Name", "Type", "Country"],
     {"name": ["Customer Name"], "key": "Customer ID", "type": "Type", "country": "Country"}),
    (["id", "company", "nationality", "DOB"],
     {"name": ["company"], "key": "id", "country": "nationality", "dob": "DOB"}),
    (["party_name", "country", "nationality"], {"name": ["party_name"], "country": "country"}),
    (["First Name", "Last Name", "Date of birth"],
     {"name": ["First Name", "Last Name"], "dob": "Date of birth"}),
    (["given name", "middle name", "surname"],
     {"name": ["given name", "middle name", "surname"]}),
    (["Supplier", "LEI", "ISIN", "Row ID"],
     {"name": ["Supplier"], "id": ["LEI", "ISIN"], "key": "Row ID"}),
    (["legal_name", "entity_type", "registration_number", "key"],
     {"name": ["legal_name"], "type": "entity_type", "id": ["registration_number"],
      "key": "key"}),
    (["Name", "Notes", "Amount"], {"name": ["Name"]}),
])
def test_detects_common_headers(headers: list[str], expected: dict[str, object]) -> None:
    got = resolve(headers, Columns(), "f.csv").describe()
    want = {"name": [], "type": None, "country": None, "dob": None, "id": [], "key": None}
    assert got == want | expected


def test_explicit_columns_win_and_accept_numbers() -> None:
    m = resolve(["a", "b", "Land", "x"], Columns(name=("b",), country="3", key="A"), "f.csv")
    assert m.describe()["name"] == ["b"]
    assert (m.country, m.key) == (2, 0)


@pytest.mark.parametrize(("headers", "columns", "message", "fix"), [
    (["amount", "notes"], Columns(), "cannot tell which column holds the names",
     "--name-col"),
    (["customer name", "company name"], Columns(),
     "cannot decide which column holds the names: 'customer name', 'company name'",
     "--name-col"),
    (["name", "country", "country code"], Columns(),
     "cannot decide which column holds the country", "--country-col"),
    (["name", "country"], Columns(name=("nmae",)), "has no column 'nmae'",
     "one of those names"),
    (["name"], Columns(key="9"), "has no column '9'", "--key-col"),
])
def test_cannot_decide_names_the_columns_and_the_option(
        headers: list[str], columns: Columns, message: str, fix: str) -> None:
    with pytest.raises(InputError) as exc:
        resolve(headers, columns, "suppliers.csv")
    assert exc.value.message.startswith("suppliers.csv")
    assert message in exc.value.message
    assert fix in str(exc.value)
