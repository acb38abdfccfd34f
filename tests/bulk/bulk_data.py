"""Customer rows mixing listed and clear names, and small file helpers, for the bulk tests."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# (key, name, type, country, expected decision) -- listed parties from the bundled lists
# mixed with ordinary customers; "review" rows share words with a listed name.
CUSTOMERS: list[tuple[str, str, str, str, str]] = [
    ("C001", "Megvii Technology Limited", "company", "CN", "match"),
    ("C002", "Acme Widgets Ltd", "company", "GB", "clear"),
    ("C003", "Hangzhou Hikvision Digital Technology Co Ltd", "company", "CN", "match"),
    ("C004", "Helsinki Bicycle Repair Oy", "company", "FI", "clear"),
    ("C005", "Chen Quanguo", "individual", "CN", "match"),
    ("C006", "Blue Harbor Logistics LLC", "", "US", "clear"),
    ("C007", "SenseTime Group Limited", "", "", "match"),
    ("C008", "Kyoto Paper Works", "company", "JP", "clear"),
    ("C009", "Shohrat Zakir", "person", "", "match"),
    ("C010", "旷视科技", "", "CN", "match"),
    ("C011", "Olivia Thompson", "person", "GB", "clear"),
    ("C012", "Xinjiang Production and Construction Corps", "company", "CN", "match"),
    ("C013", "John Smith", "", "", "review"),
    ("C014", "Bakery Schmidt GmbH", "company", "DE", "clear"),
]
HEADER = ["Customer ID", "Customer Name", "Type", "Country"]


def customer_rows() -> list[list[str]]:
    return [[k, n, t, c] for k, n, t, c, _ in CUSTOMERS]


def expected_decisions() -> list[str]:
    return [d for *_, d in CUSTOMERS]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None,
              *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter)
        if header is not None:
            w.writerow(header)
        w.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def zip_bomb(path: Path) -> Path:
    """A small .xlsx whose sheet inflates to 20 MB of zero bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return path


def zip_not_xlsx(path: Path) -> Path:
    """A zip archive with a .xlsx name that holds no workbook."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return path
