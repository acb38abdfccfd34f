"""trade.gov Consolidated Screening List (CSL): 13 US export-control and sanctions lists in one.

Two sources, one per download form, so that each has exactly one required file and ``update``
fetches only what it parses:

- ``us_csl``: ``consolidated.csv`` (29 columns, multi-valued fields joined with ``"; "``);
- ``us_csl_json``: ``consolidated.json`` (``{"results": [{...}]}``, multi-valued fields as
  arrays, addresses and ids as objects).

Both give the same parties. Columns are found by header name (extra columns are ignored; missing
ones are an error). Quirks handled: the header row repeated inside the file, line breaks inside
quoted DPL/MEU addresses and names, Entity List aliases written ``"A; B; and C"``, and the
``ids`` column in both layouts seen in the wild (2022: ``"HK, 2162198, C.R. No."``; 2023:
``"C.R. No., 2162198, HK"``).

One row is one listing on one list. OFAC entities on several OFAC lists (SDN and CAPTA and SSI)
come as several rows with the same ``entity_number``; they are merged into one party whose
listings name each list, so party ids stay unique.

:func:`published`: the CSL states no publication date. The newest ``start_date`` that is not in
the future is returned instead: a lower bound of the snapshot date (in practice days old).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any

from entityscreen.errors import SourceFormatError
from entityscreen.model import Address, Party, merge_parties
from entityscreen.sources import SourceSpec
from entityscreen.sources._rows import read_rows
from entityscreen.sources.common import country_code, decode, today
from entityscreen.sources.csl_fields import (
    CslRecord,
    build_party,
    clean,
    id_orientation,
    parse_id_item,
    split_addresses,
    split_multi,
    to_iso,
)

__all__ = ["SOURCES", "parse_csv", "parse_json", "published_csv", "published_json"]

CSV_FILE = "consolidated.csv"
JSON_FILE = "consolidated.json"
CSV_URL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
JSON_URL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json"
_FIX = "is this the trade.gov Consolidated Screening List (consolidated.csv)?"

# Columns every CSL file has had; a file without one of them is another file or a new layout.
REQUIRED = (
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "remarks",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "ids",
)
_OPTIONAL = ("call_sign", "source_list_url", "source_information_url")


def _file(files: Mapping[str, bytes], name: str) -> bytes:
    data = files.get(name)
    if data is None:
        raise SourceFormatError(name, "the file is missing", fix=f"download {name} again")
    return data


# --- CSV ---------------------------------------------------------------------------------


def _csv_table(files: Mapping[str, bytes]) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """Header columns by name, and the data rows (repeated header rows and blank rows dropped)."""
    text = decode(_file(files, CSV_FILE), CSV_FILE)
    rows = read_rows(text, CSV_FILE, fix=_FIX)
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SourceFormatError(CSV_FILE, "the file has no header row", fix=_FIX)
    header = [h.strip().lower() for h in rows[0][1]]
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        cols.setdefault(h, i)
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise SourceFormatError(
            CSV_FILE, f"missing columns: {', '.join(missing)}", line=rows[0][0], fix=_FIX
        )
    body: list[tuple[int, list[str]]] = []
    for line, row in rows[1:]:
        if (
            len(row) == len(header)
            and row[cols["name"]].strip().lower() == "name"  # cheap test first: 14k rows
            and [c.strip().lower() for c in row] == header
        ):
            continue  # the 2023 export repeats its header line
        if len(row) != len(header):
            raise SourceFormatError(
                CSV_FILE,
                f"the record has {len(row)} fields but the header has {len(header)}",
                line=line,
                fix="the file is truncated or damaged: download it again",
            )
        body.append((line, row))
    return cols, body


def _csv_records(files: Mapping[str, bytes]) -> Iterator[CslRecord]:
    cols, body = _csv_table(files)
    type_first = id_orientation(row[cols["ids"]] for _, row in body)
    # Absent optional columns read as the empty string appended to every row.
    idx = [cols[c] for c in REQUIRED] + [cols.get(c, -1) for c in _OPTIONAL]
    pick = itemgetter(*idx)
    for line, row in body:
        row.append("")
        (uid, source, entity_number, ptype, programs, name, addresses, citation, start_date,
         end_date, standard_order, license_requirement, license_policy, remarks, alt_names,
         citizenships, dates_of_birth, nationalities, ids_text, call_sign, list_url,
         info_url) = pick(row)  # fmt: skip
        ids = []
        if ids_text:
            for item in clean(ids_text).split("; "):
                parsed = parse_id_item(item, type_first)
                if parsed:
                    ids.append(parsed)
        yield CslRecord(
            line=line,
            index=None,
            uid=uid.strip(),
            source=source.strip(),
            entity_number=entity_number.strip(),
            type=ptype.strip(),
            name=name,
            programs=split_multi(programs),
            alt_names=split_multi(alt_names),
            addresses=split_addresses(addresses),
            citation=citation.strip(),
            start_date=start_date.strip(),
            end_date=end_date.strip(),
            standard_order=standard_order.strip(),
            license_requirement=license_requirement.strip(),
            license_policy=license_policy.strip(),
            remarks=remarks.strip(),
            call_sign=call_sign.strip(),
            source_list_url=list_url.strip(),
            source_information_url=info_url.strip(),
            citizenships=split_multi(citizenships),
            nationalities=split_multi(nationalities),
            dates_of_birth=split_multi(dates_of_birth),
            ids=ids,
        )


# --- JSON --------------------------------------------------------------------------------


def _json_results(files: Mapping[str, bytes]) -> list[Any]:
    text = decode(_file(files, JSON_FILE), JSON_FILE)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            JSON_FILE,
            f"not valid JSON ({exc.msg})",
            line=exc.lineno,
            fix="the file is truncated or damaged: download it again",
        ) from None
    results = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(results, list):
        raise SourceFormatError(
            JSON_FILE,
            'no "results" array',
            fix="is this the trade.gov Consolidated Screening List (consolidated.json)?",
        )
    return results


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a single-valued field sent as an array
        return "; ".join(_text(v) for v in value if v not in (None, ""))
    return str(value).strip()


def _items(value: Any) -> list[str]:
    """A multi-valued JSON field: an array of strings (or, defensively, a joined string)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [t for t in (clean(_text(v)) for v in value) if t]
    return split_multi(str(value))


def _json_addresses(value: Any) -> list[Address]:
    if isinstance(value, str):
        return split_addresses(value)
    out: list[Address] = []
    for item in value or ():
        if isinstance(item, dict):
            parts = [
                clean(_text(item.get(k)))
                for k in ("address", "city", "state", "postal_code", "country")
            ]
            text = ", ".join(p for p in parts if p)
            if text:
                code = _text(item.get("country"))
                out.append(Address(text, country_code(code) if code else None))
        elif item:
            out.extend(split_addresses(str(item)))
    return out


def _json_ids(value: Any) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for item in value or ():
        if isinstance(item, dict):
            label, number = _text(item.get("type")), clean(_text(item.get("number")))
            if label and number:
                out.append((label, number, _text(item.get("country")) or None))
        elif isinstance(item, str):
            parsed = parse_id_item(item, type_first=True)
            if parsed:
                out.append(parsed)
    return out


def _json_records(files: Mapping[str, bytes]) -> Iterator[CslRecord]:
    for index, item in enumerate(_json_results(files), start=1):
        if not isinstance(item, dict):
            raise SourceFormatError(
                JSON_FILE, f"a result is a {type(item).__name__}, not an object", record=f"#{index}"
            )
        yield CslRecord(
            line=None,
            index=index,
            uid=_text(item.get("id", item.get("_id"))),
            source=_text(item.get("source")),
            entity_number=_text(item.get("entity_number")),
            type=_text(item.get("type")),
            name=_text(item.get("name")),
            programs=_items(item.get("programs")),
            alt_names=_items(item.get("alt_names")),
            addresses=_json_addresses(item.get("addresses")),
            citation=_text(item.get("federal_register_notice")),
            start_date=_text(item.get("start_date")),
            end_date=_text(item.get("end_date")),
            standard_order=_text(item.get("standard_order")),
            license_requirement=_text(item.get("license_requirement")),
            license_policy=_text(item.get("license_policy")),
            remarks=_text(item.get("remarks")),
            call_sign=_text(item.get("call_sign")),
            source_list_url=_text(item.get("source_list_url")),
            source_information_url=_text(item.get("source_information_url")),
            citizenships=_items(item.get("citizenships")),
            nationalities=_items(item.get("nationalities")),
            dates_of_birth=_items(item.get("dates_of_birth")),
            ids=_json_ids(item.get("ids")),
        )


# --- parties -----------------------------------------------------------------------------


def _parties(records: Iterable[CslRecord], spec_name: str, file: str) -> Iterator[Party]:
    # Rows of one OFAC entity on several OFAC lists share an id: merge them into one party.
    groups: dict[str, list[Party]] = {}
    for rec in records:
        party = build_party(rec, spec_name, file)
        groups.setdefault(party.id, []).append(party)
    for group in groups.values():
        yield merge_parties(group)


def parse_csv(files: Mapping[str, bytes]) -> Iterator[Party]:
    return _parties(_csv_records(files), "us_csl", CSV_FILE)


def parse_json(files: Mapping[str, bytes]) -> Iterator[Party]:
    return _parties(_json_records(files), "us_csl_json", JSON_FILE)


def _newest(dates: Iterable[str]) -> str | None:
    now = today()
    best: str | None = None
    for raw in dates:
        d = to_iso(raw)
        if d and len(d) == 10 and d <= now and (best is None or d > best):
            best = d
    return best


def published_csv(files: Mapping[str, bytes]) -> str | None:
    cols, body = _csv_table(files)
    i = cols["start_date"]
    return _newest(row[i] for _, row in body)


def published_json(files: Mapping[str, bytes]) -> str | None:
    return _newest(
        _text(item.get("start_date")) for item in _json_results(files) if isinstance(item, dict)
    )


SOURCES = (
    SourceSpec(
        name="us_csl",
        title="US Consolidated Screening List (trade.gov)",
        publisher="US International Trade Administration (trade.gov)",
        urls={CSV_FILE: CSV_URL},
        parse=parse_csv,
        published=published_csv,
        file_aliases={"csl.csv": CSV_FILE},
    ),
    SourceSpec(
        name="us_csl_json",
        title="US Consolidated Screening List (trade.gov), JSON export",
        publisher="US International Trade Administration (trade.gov)",
        urls={JSON_FILE: JSON_URL},
        parse=parse_json,
        published=published_json,
        file_aliases={"csl.json": JSON_FILE},
    ),
)
