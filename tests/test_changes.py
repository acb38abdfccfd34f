"""Diffs between two versions of a list: added, removed and changed parties, field by field.

On real files: the OFAC SDN legacy CSV set of July 2021 against a copy without three parties
and with one alias renamed (cut from the real bytes), and the trade.gov CSL of May 2022
against the November 2023 sample.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from conftest import read
from entityscreen.changes import (
    FieldChange,
    diff_parties,
    diff_source,
    field_changes,
    fingerprint,
)
from entityscreen.codec import party_from_dict
from entityscreen.errors import UsageError
from entityscreen.model import Address, Identifier, Listing, Name, NameKind, Party, PartyType
from entityscreen.sources import get_source
from entityscreen.store import Store

SDN_DIR = ("ofac_sdn", "2021-07-07_legacy_csv")
SDN_FILES = ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
# AEROCARIBBEAN AIRLINES, ANGLO-CARIBBEAN CO., LTD., BOUTIQUE LA MAISON
DROPPED = (b"36", b"173", b"424")
OLD_ALIAS, NEW_ALIAS = b'"NATIONAL BANK OF CUBA"', b'"NATIONAL BANK OF THE REPUBLIC OF CUBA"'
CSL_2022 = ("trade_gov_csl", "2022-05_full", "consolidated.csv")
CSL_2023 = ("trade_gov_csl", "2023-11-30_partial_SAMPLE", "csl.csv")


def _lines(data: bytes, keep: set[bytes] | None, drop: tuple[bytes, ...] = ()) -> bytes:
    """Keep the lines of a legacy OFAC file whose entity number is in ``keep`` (all if None)
    and not in ``drop``."""
    out = []
    for line in data.split(b"\r\n"):
        ent = line.split(b",", 1)[0]
        if (keep is None or ent in keep or not line.strip(b"\x1a")) and ent not in drop:
            out.append(line)
    return b"\r\n".join(out)


def sdn_versions(
    lists_dir: Path, keep: set[bytes] | None = None
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The real SDN set (A) and a copy (B) without three parties and with one alias renamed;
    ``keep``: only these entity numbers (a small store for fast index builds)."""
    a = {f: _lines(read(lists_dir, *SDN_DIR, f), keep) for f in SDN_FILES}
    # sdn_comments.csv is optional: left out when the cut leaves it empty
    a = {f: data for f, data in a.items() if data.strip(b"\x1a\r\n")}
    b = {f: _lines(data, None, DROPPED) for f, data in a.items()}
    assert b["alt.csv"].count(OLD_ALIAS) == 1
    b["alt.csv"] = b["alt.csv"].replace(OLD_ALIAS, NEW_ALIAS)
    return a, b


def csl_cut(data: bytes, ids: set[str]) -> bytes:
    """The header and the rows of a CSL file whose ``_id`` is in ``ids`` (quoted as the
    2023 file is)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows(r for r in rows[1:] if r and r[0] in ids)
    return out.getvalue().encode("utf-8")


def complete(data: bytes) -> bytes:
    """The 2023 CSL sample ends inside a quoted field: its complete records only."""
    return data[: data.rindex(b"\n") + 1]


@pytest.fixture(scope="module")
def sdn_store(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path) -> Store:
    a, b = sdn_versions(lists_dir)
    # the settings' database name, so the commands can run on it with --home
    store = Store.open(tmp_path_factory.mktemp("sdn") / "entityscreen.sqlite")
    spec = get_source("ofac_sdn_csv")
    store.import_source(spec, a, origin="A")
    store.import_source(spec, b, origin="B")
    return store


@pytest.fixture(scope="module")
def csl_store(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path) -> Store:
    store = Store.open(tmp_path_factory.mktemp("csl") / "db.sqlite")
    spec = get_source("us_csl")
    store.import_source(spec, {"consolidated.csv": read(lists_dir, *CSL_2022)}, origin="2022")
    store.import_source(spec, {"consolidated.csv": complete(read(lists_dir, *CSL_2023))},
                        origin="2023")
    return store


# -- field by field ------------------------------------------------------------------------

SDN = Listing("US Treasury OFAC", "SDN", "SDNT", record_id="10000", feeds=("us_csl",),
              source_url="http://bit.ly/1I7ipyR")
BASE = Party(
    id="us_csl:10000", type=PartyType.PERSON,
    names=(Name("CANO CORREA, Jhon Eidelber"), Name("CANO, Jhonny", NameKind.ALIAS)),
    listings=(SDN,), addresses=(Address("Carrera 28 No. 7-35, Cali, CO", "CO"),),
    countries=("CO",),
    identifiers=(Identifier("Passport", "AC877214", "CO"), Identifier("Cedula No.", "16455750")),
    birth_dates=("1963-12-13",), merge_key="ofac:10000",
)


@pytest.mark.parametrize(("new", "expected"), [
    # order means nothing: publishers reorder aliases and identifiers between releases
    (replace(BASE, identifiers=BASE.identifiers[::-1]), ()),
    (replace(BASE, names=(BASE.names[0], Name("CANO, Jhonny", NameKind.ALIAS),
                          Name("FLECHAS", NameKind.ALIAS))),
     (FieldChange("names", (), ("FLECHAS [alias]",)),)),
    (replace(BASE, names=(BASE.names[0], Name("CANO, Jhonny", NameKind.WEAK_ALIAS))),
     (FieldChange("names", ("CANO, Jhonny [alias]",), ("CANO, Jhonny [weak_alias]",)),)),
    (replace(BASE, names=(BASE.names[0], Name("КАНО", NameKind.ALIAS, "Cyrillic"))),
     (FieldChange("names", ("CANO, Jhonny [alias]",), ("КАНО [alias, Cyrillic]",)),)),
    (replace(BASE, type=PartyType.ORGANIZATION),
     (FieldChange("type", ("person",), ("organization",)),)),
    # a changed attribute of the same listing shows as that attribute only
    (replace(BASE, listings=(replace(SDN, source_url="https://www.treasury.gov/"),)),
     (FieldChange("listings",
                  ("US Treasury OFAC SDN/SDNT 10000 — source_url http://bit.ly/1I7ipyR",),
                  ("US Treasury OFAC SDN/SDNT 10000 — source_url https://www.treasury.gov/",)),)),
    (replace(BASE, listings=(replace(SDN, details=(("effective_date", "2022-02-08"),)),)),
     (FieldChange("listings", (),
                  ("US Treasury OFAC SDN/SDNT 10000 — details effective_date=2022-02-08",)),)),
    # a listing that came or went shows as its label alone
    (replace(BASE, listings=(SDN, Listing("US Commerce BIS", "EL", listed_on="2019-10-09"))),
     (FieldChange("listings", (), ("US Commerce BIS EL",)),)),
    (replace(BASE, listings=()),
     (FieldChange("listings", ("US Treasury OFAC SDN/SDNT 10000",), ()),)),
    (replace(BASE, identifiers=(Identifier("Passport", "AC877214", "CO"),),
             birth_dates=("1963",), remarks="DOB 1963"),
     (FieldChange("identifiers", ("Cedula No. 16455750",), ()),
      FieldChange("birth_dates", ("1963-12-13",), ("1963",)),
      FieldChange("remarks", (), ("DOB 1963",)))),
    (replace(BASE, addresses=(), countries=()),
     (FieldChange("addresses", ("Carrera 28 No. 7-35, Cali, CO (CO)",), ()),
      FieldChange("countries", ("CO",), ()))),
])
def test_field_changes(new: Party, expected: tuple[FieldChange, ...]) -> None:
    assert field_changes(BASE, new) == expected
    assert (fingerprint(BASE) == fingerprint(new)) == (expected == ())


def test_diff_parties_orders_added_removed_changed() -> None:
    old = {"a": BASE, "b": replace(BASE, id="b")}
    new = {"b": replace(BASE, id="b", remarks="x"), "c": replace(BASE, id="c")}
    assert [(c.change, c.id) for c in diff_parties(old, new)] == [
        ("added", "c"), ("removed", "a"), ("changed", "b")]
    assert diff_parties(old, old) == ()


# -- real versions -------------------------------------------------------------------------

@pytest.mark.slow
def test_sdn_three_removed_one_alias_changed(sdn_store: Store) -> None:
    d = diff_source(sdn_store, "ofac_sdn_csv")
    assert (d.old_version, d.new_version) == (1, 2)
    assert [(c.change, c.id, c.name) for c in d.changes] == [
        ("removed", "ofac_sdn_csv:173", "ANGLO-CARIBBEAN CO., LTD."),
        ("removed", "ofac_sdn_csv:36", "AEROCARIBBEAN AIRLINES"),
        ("removed", "ofac_sdn_csv:424", "BOUTIQUE LA MAISON"),
        ("changed", "ofac_sdn_csv:306", "BANCO NACIONAL DE CUBA"),
    ]
    assert d.changes[-1].fields == (FieldChange(
        "names", ("NATIONAL BANK OF CUBA [alias]",),
        ("NATIONAL BANK OF THE REPUBLIC OF CUBA [alias]",)),)
    assert d.changes[0].party_key == "ofac:173"
    # backwards, the same changes the other way round
    back = diff_source(sdn_store, "ofac_sdn_csv", 2, 1)
    assert Counter(c.change for c in back.changes) == {"added": 3, "changed": 1}


@pytest.mark.slow
def test_csl_2022_against_2023_sample(csl_store: Store) -> None:
    d = diff_source(csl_store, "us_csl")
    assert Counter(c.change for c in d.changes) == {
        "added": 2_040, "removed": 11_869, "changed": 2_179}
    by_id = {c.id: c for c in d.changes}
    # every SDN row's source link moved from bit.ly to treasury.gov; the reordered
    # identifiers of us_csl:10000 are no change
    assert by_id["us_csl:10000"].fields == (FieldChange(
        "listings",
        ("US Treasury OFAC SDN/SDNT 10000 — source_url http://bit.ly/1I7ipyR",),
        ("US Treasury OFAC SDN/SDNT 10000 — source_url "
         "https://www.treasury.gov/resource-center/sanctions/SDN-List/Pages/default.aspx",)),)
    belarus = by_id["us_csl:10762"]
    assert belarus.name == "BELARUSIAN OIL TRADE HOUSE"
    assert belarus.fields[0] == FieldChange(
        "names", ("WWW.BNTD.BY [alias]", "WWW.BNTDTORG.BY [alias]"), ())
    # rows without an OFAC number: trade.gov's own _id changed form between the two
    # releases (40 hex digits in 2022, 56 in 2023), so such a record is removed and added
    assert by_id["us_csl:0062db77a4f15910a8bfd019b3256570e879f000"].change == "removed"
    fields = Counter(f.field for c in d.changes for f in c.fields)
    assert fields["listings"] == 2_179 and fields["names"] == 176


@pytest.mark.slow
def test_fingerprint_agrees_with_field_changes_on_real_parties(csl_store: Store) -> None:
    old, new = csl_store.party_data("us_csl", 1), csl_store.party_data("us_csl", 2)
    for pid in sorted(old.keys() & new.keys())[:500]:
        a, b = party_from_dict(json.loads(old[pid])), party_from_dict(json.loads(new[pid]))
        assert (fingerprint(a) == fingerprint(b)) == (field_changes(a, b) == ())
        moved = replace(b, names=b.names[::-1], identifiers=b.identifiers[::-1])
        assert fingerprint(moved) == fingerprint(b)


@pytest.mark.slow
@pytest.mark.parametrize(("source", "old", "new", "message"), [
    ("us_csl", None, None, "source 'us_csl' is not loaded — loaded sources: ofac_sdn_csv"),
    ("ofac_sdn_csv", 7, None, "no stored version 7 — stored versions: 1, 2"),
    ("ofac_sdn_csv", None, 1, "no version stored before version 1; nothing to compare"),
])
def test_diff_source_errors_name_the_fix(
    sdn_store: Store, source: str, old: int | None, new: int | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        diff_source(sdn_store, source, old, new)


# -- the command ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app() -> click.Group:
    """The main group with this deliverable's commands, on a copy (the global group stays as
    cli.py makes it, for the README test)."""
    import copy

    from entityscreen.cli import cli
    from entityscreen.cli_watch import COMMANDS

    group = copy.copy(cli)
    group.commands = dict(cli.commands)
    for command in COMMANDS:
        group.commands.setdefault(str(command.name), command)
    return group


@pytest.mark.slow
def test_diff_command(app: click.Group, sdn_store: Store) -> None:
    home = ["--home", str(sdn_store.path.parent)]
    res = CliRunner().invoke(app, [*home, "diff", "ofac_sdn_csv", "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [(x["change"], x["id"], x["from"], x["to"]) for x in lines][-1] == (
        "changed", "ofac_sdn_csv:306", 1, 2)
    assert lines[-1]["fields"] == [{"field": "names",
                                    "removed": ["NATIONAL BANK OF CUBA [alias]"],
                                    "added": ["NATIONAL BANK OF THE REPUBLIC OF CUBA [alias]"]}]
    res = CliRunner().invoke(app, [*home, "diff"])
    assert res.exit_code == 0, res.output
    assert "ofac_sdn_csv: version 1 → 2: 0 added, 3 removed, 1 changed" in res.stdout
    assert "AEROCARIBBEAN AIRLINES" in res.stdout
    for args, message in [
        (["diff", "--from", "1"], "--from and --to need a SOURCE"),
        (["diff", "bis_dpl"], "source 'bis_dpl' is not loaded"),
    ]:
        res = CliRunner().invoke(app, [*home, *args])
        assert res.exit_code == 2 and message in res.stderr, res.output


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_diff_to_a_file_in_every_screen_output_format(app: click.Group, sdn_store: Store,
                                                      tmp_path: Path, fmt: str) -> None:
    home = ["--home", str(sdn_store.path.parent)]
    out = tmp_path / f"changes.{fmt}"
    res = CliRunner().invoke(app, [*home, "diff", "ofac_sdn_csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "4 changes written to" in res.stderr and res.stdout == ""
    rows = read_table(out)
    assert [(r["change"], r["id"]) for r in rows][-1] == ("changed", "ofac_sdn_csv:306")
    assert [r["change"] for r in rows].count("removed") == 3
    last = rows[-1]
    if fmt == "jsonl":  # the --json record, whole
        assert last["fields"][0]["field"] == "names" and last["from"] == 1
    else:
        assert (last["fields"], int(last["from"]), int(last["to"])) == ("names", 1, 2)
        assert last["what_changed"] == ("names: − NATIONAL BANK OF CUBA [alias]; names: + "
                                        "NATIONAL BANK OF THE REPUBLIC OF CUBA [alias]")
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name], "no partial file left"


def test_diff_output_format_on_stdout_and_errors(app: click.Group, sdn_store: Store) -> None:
    home = ["--home", str(sdn_store.path.parent)]
    res = CliRunner().invoke(app, [*home, "diff", "ofac_sdn_csv", "--output-format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "source,from,to,change,id,name,merge_key,fields," \
        "what_changed"
    assert len(res.stdout.splitlines()) == 5
    for args, message in [(["--output-format", "xlsx"], "xlsx output needs a file"),
                          (["-o", "changes.docx"], "cannot tell the output format")]:
        res = CliRunner().invoke(app, [*home, "diff", "ofac_sdn_csv", *args])
        assert res.exit_code == 2 and message in res.stderr, res.output


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a .csv, .jsonl, .xlsx or .parquet file as dicts (text as written)."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    if path.suffix == ".jsonl":
        return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        values = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(
            values_only=True))
        return [dict(zip(values[0], v, strict=True)) for v in values[1:]]
    import pyarrow.parquet as pq

    return list(pq.read_table(path).to_pylist())
