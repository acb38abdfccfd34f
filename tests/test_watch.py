"""The watch set and change-driven re-screening, on real list versions.

OFAC SDN legacy CSV (July 2021, cut to its first 300 entities) against a copy without three
parties and with one alias renamed; the trade.gov CSL of May 2022 against the November 2023
sample (a few hundred rows of each). A watched name equal to a party that appears shows as a
new match, one whose party disappears as cleared, one whose party changed as changed, and a
second rescreen without an update reports nothing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from conftest import read
from entityscreen.bulk.columns import Columns
from entityscreen.errors import InputError
from entityscreen.model import PartyType, Query
from entityscreen.rescreen import RescreenReport, finding_to_dict, rescreen
from entityscreen.screener import Screener
from entityscreen.settings import Settings
from entityscreen.sources import get_source
from entityscreen.store import KEEP_VERSIONS, Store
from entityscreen.watch import WatchFile, read_watch_file, watch_index
from test_changes import CSL_2022, CSL_2023, complete, csl_cut, sdn_versions

# -- reading watch files (through the bulk readers, as `screen` reads) -------------------

CSV = b"""Key,Full Name,TYPE,Country,DOB,Identifiers
c1,Hangzhou Hikvision Digital Technology Co Ltd,company,CN,,91330000733796106P
c2,"CHEN, Quanguo",individual,China,1955-11,
c3,,organization,DE,,
c4,Megvii,spaceship,,,
c1,Duplicate Key Ltd,,,,
c5,SenseTime,,HK,,2162198; HK-0001
"""
CSV_ROWS = [
    ("c1", Query("Hangzhou Hikvision Digital Technology Co Ltd", PartyType.ORGANIZATION,
                 "CN", None, ("91330000733796106P",))),
    ("c2", Query("CHEN, Quanguo", PartyType.PERSON, "CN", "1955-11")),
    ("c4", Query("Megvii")),  # an unknown type word drops the hint, as in `screen`
    ("c5", Query("SenseTime", None, "HK", None, ("2162198", "HK-0001"))),
]


def parse(data: bytes, **options: Any) -> WatchFile:
    return read_watch_file("-", stdin=io.BytesIO(data), **options)


def test_csv_with_header_variants() -> None:
    got = parse(CSV)
    assert got.rows == CSV_ROWS
    assert got.skipped == [(3, 4, "empty name", "c3,,organization,DE,,"),
                           (5, 6, "key 'c1' already on row 1", "c1,Duplicate Key Ltd,,,,")]


def test_every_screen_input_format_gives_the_same_rows(tmp_path: Path) -> None:
    import csv as csv_

    import pyarrow as pa
    import pyarrow.parquet as pq
    from openpyxl import Workbook

    table = list(csv_.reader(io.StringIO(CSV.decode())))
    header, rows = table[0], table[1:]
    wb = Workbook()
    for r in table:
        wb.active.append(r)
    wb.save(tmp_path / "w.xlsx")
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}),
                   tmp_path / "w.parquet")
    (tmp_path / "w.tsv").write_text("\n".join("\t".join(r) for r in table), encoding="utf-8")
    (tmp_path / "w.jsonl").write_text("".join(
        json.dumps(dict(zip(header, r, strict=True))) + "\n" for r in rows), encoding="utf-8")
    for name in ("w.xlsx", "w.parquet", "w.tsv", "w.jsonl"):
        got = read_watch_file(tmp_path / name)
        assert got.rows == CSV_ROWS, name
        assert [(r, reason) for r, _line, reason, _x in got.skipped] == [
            (3, "empty name"), (5, "key 'c1' already on row 1")], name


def test_column_options_as_in_screen() -> None:
    data = b"ref,given,family,born,kind\nk1,Quanguo,Chen,1955-11-02,individual\n"
    got = parse(data, columns=Columns(name=("given", "family"), key="ref", dob="born",
                                      type="kind"))
    assert got.rows == [("k1", Query("Quanguo Chen", PartyType.PERSON, None, "1955-11-02"))]
    got = parse(b"Megvii,CN\n", header=False, columns=Columns(name=("1",), country="2"))
    assert [(q.name, q.country) for _k, q in got.rows] == [("Megvii", "CN")]


@pytest.mark.parametrize(("data", "rows"), [
    # tab and semicolon separated, a byte-order mark, no key: a key from the content
    (b"\xef\xbb\xbfname\tcountry\nMegvii\tCN\n", [("Megvii", "CN")]),
    (b"NAME;COUNTRY\nMegvii;CN\n\n;\n", [("Megvii", "CN")]),
    # JSON lines, identifiers as a list
    (b'{"Name": "Megvii", "country": "CN", "identifiers": ["x1"]}\n\n'
     b'{"Name": "Yitu"}\n', [("Megvii", "CN"), ("Yitu", None)]),
])
def test_delimiters_and_json_lines(data: bytes, rows: list[tuple[str, str | None]]) -> None:
    got = parse(data)
    assert [(q.name, q.country) for _k, q in got.rows] == rows
    assert all(k.startswith("sha1:") for k, _q in got.rows)
    # the derived key depends on the content only: the same row gets the same key again
    assert parse(data).rows == got.rows


def test_json_lines_bad_lines_are_skipped_with_the_reason() -> None:
    got = parse(b'{"name": "Megvii"}\n{broken\n[1]\n{"name": ""}\n')
    assert [q.name for _k, q in got.rows] == ["Megvii"]
    assert [(line, reason.split(" (")[0]) for _r, line, reason, _x in got.skipped] == [
        (2, "not valid JSON"), (3, "not a JSON object"), (4, "empty name")]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "stdin is empty"),
    (b"colour,country\nred,CN\n", "cannot tell which column holds the names; its columns "
     "are 'colour', 'country' — pass --name-col"),
    (b"name,full_name\nA,B\n", "cannot decide which column holds the names: 'name', "
     "'full_name' — pass --name-col"),
    (b"PK\x03\x04" + b"\0" * 40, "stdin is not a readable XLSX file"),
])
def test_unusable_files_name_the_fix(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(data)


def test_long_names_are_skipped() -> None:
    got = parse(b"name\n" + b"x" * 50 + b"\nok\n", max_name_length=20)
    assert [(r, reason) for r, _l, reason, _x in got.skipped] == [
        (1, "field 'name' is 50 characters long (the limit is 20)")]


# -- the watch set in the store ------------------------------------------------------------

def test_watch_put_adds_replaces_and_removes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db.sqlite") as store:
        rows = parse(CSV).rows
        assert store.watch.put(rows) == (4, 0)
        generation = store.watch.generation()
        assert store.watch.put(rows) == (0, 0)
        assert store.watch.generation() == generation  # unchanged rows: caches stay
        assert store.watch.put([("c2", Query("CHEN, Quanguo"))]) == (0, 1)
        assert store.watch.generation() != generation
        assert [(k, q.type) for k, q, _s in store.watch.rows(["c2", "zz"])] == [("c2", None)]
        assert store.watch.count() == (4, 0)
        assert store.watch.remove(["c1", "nope"]) == 1
        assert [k for k, _q, _s in store.watch.rows()] == ["c2", "c4", "c5"]
        assert store.watch.remove() == 3 and store.watch.count() == (0, 0)


# -- rescreening ---------------------------------------------------------------------------

def _open(home: Path, **settings: object) -> Screener:
    return Screener.open(Settings.from_env(home=home, **settings))


def _rescreen(home: Path, *, full: bool = False, **settings: object) -> RescreenReport:
    with _open(home, **settings) as screener:
        report = rescreen(screener, full=full)
        for f in report.findings:  # every finding renders to the JSON line
            json.dumps(finding_to_dict(f, screener))
        return report


def _found(report: RescreenReport) -> set[tuple[str, str, str]]:
    return {(f.change, f.key, f.party_id) for f in report.findings}


SDN_WATCH = [
    ("c1", Query("Aerocaribbean Airlines", PartyType.ORGANIZATION, "CU")),
    ("c2", Query("National Bank of the Republic of Cuba")),
    ("c3", Query("Banco Nacional de Cuba", PartyType.ORGANIZATION, "CU")),
    ("c4", Query("Acme Widgets GmbH", None, "DE")),
    ("c5", Query("Boutique La Maison")),
]


@pytest.fixture(scope="module")
def sdn_sets(lists_dir: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    sdn = read(lists_dir, "ofac_sdn", "2021-07-07_legacy_csv", "sdn.csv")
    first = {line.split(b",", 1)[0] for line in sdn.split(b"\r\n")[:300]}
    return sdn_versions(lists_dir, first)


@pytest.mark.slow
def test_rescreen_after_an_sdn_update(
    tmp_path: Path, sdn_sets: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    a, b = sdn_sets
    spec = get_source("ofac_sdn_csv")
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(spec, a, origin="A")
        store.watch.put(SDN_WATCH)
    first = _rescreen(tmp_path)
    assert (first.mode, first.reason, first.screened) == ("full", "first rescreen", 5)
    assert _found(first) == {
        ("new", "c1", "ofac_sdn_csv:36"), ("new", "c2", "ofac_sdn_csv:306"),
        ("new", "c3", "ofac_sdn_csv:306"), ("new", "c5", "ofac_sdn_csv:424")}
    c2 = next(f for f in first.findings if f.key == "c2")
    assert c2.hit is not None and c2.hit.explanation.matched_name == "NATIONAL BANK OF CUBA"
    assert _found(_rescreen(tmp_path)) == set()  # no update: nothing new

    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(spec, b, origin="B")
    after = _rescreen(tmp_path)
    assert (after.mode, after.reason, after.screened) == ("changes", "ofac_sdn_csv 1 → 2", 0)
    assert [(d.count("added"), d.count("removed"), d.count("changed")) for d in after.diffs] \
        == [(0, 3, 1)]
    by = {(f.change, f.key): f for f in after.findings}
    assert set(by) == {("cleared", "c1"), ("changed", "c2"), ("changed", "c3"),
                       ("cleared", "c5")}
    # the renamed alias now matches c2's name exactly
    c2 = by["changed", "c2"]
    assert (c2.fields, c2.score, c2.reason) == (
        ("names", "score"), 1.0, "changed in ofac_sdn_csv: names")
    assert c2.previous_score is not None and 0.82 <= c2.previous_score < 1.0
    assert c2.hit is not None
    assert c2.hit.explanation.matched_name == "NATIONAL BANK OF THE REPUBLIC OF CUBA"
    c3 = by["changed", "c3"]  # the party's names changed, the score did not
    assert (c3.fields, c3.score) == (("names",), c3.previous_score)
    assert (by["cleared", "c1"].party_name, by["cleared", "c1"].reason,
            by["cleared", "c1"].score) == ("AEROCARIBBEAN AIRLINES", "removed from ofac_sdn_csv",
                                           None)
    assert after.rescored <= 4  # only rows that could match a changed party were scored
    again = _rescreen(tmp_path)
    assert (again.mode, again.reason, _found(again)) == ("changes", "no list changed", set())


CSL_COMMON = {"10762"}  # BELARUSIAN OIL TRADE HOUSE: aliases dropped in 2023
CSL_GONE = {"0009b18628da57fe93c97f6a7fc940485169ef4b"}  # O Kuk-Ryol (ISN)
CSL_NEW = {"001707208d5555239640d890a4e688700f88e20421126620f3061b9f",  # Olkebor Oy
           "10000"}  # CANO CORREA, Jhon Eidelber: left out of the first version here
CSL_WATCH = [
    ("belarus", Query("Belarusian Oil Trade House", PartyType.ORGANIZATION)),
    ("okuk", Query("O Kuk Ryol", PartyType.PERSON)),
    ("olkebor", Query("Olkebor Oy", None, "FI")),
    # another name, but the passport number of a party that arrives: the number decides
    ("passport", Query("J. E. Cano", PartyType.PERSON, None, None, ("AC 877214",))),
    ("nobody", Query("Maria Schmidt", PartyType.PERSON, "DE", "1980-02-01")),
]


@pytest.fixture(scope="module")
def csl_files(lists_dir: Path) -> tuple[bytes, bytes]:
    import csv
    import io

    old = read(lists_dir, *CSL_2022)
    new = complete(read(lists_dir, *CSL_2023))
    ids = [set(r[0] for r in csv.reader(io.StringIO(d.decode(), newline="")))
           for d in (old, new)]
    common = sorted(ids[0] & ids[1])[:150]
    gone = sorted(ids[0] - ids[1])[:150]
    came = sorted(ids[1] - ids[0])[:150]
    keep_old = CSL_COMMON | CSL_GONE | set(common) | set(gone)
    keep_new = CSL_COMMON | CSL_NEW | set(common) | set(came)
    return csl_cut(old, keep_old - {"10000"}), csl_cut(new, keep_new)


@pytest.mark.slow
def test_rescreen_after_a_csl_update_agrees_with_a_full_rescreen(
    tmp_path: Path, csl_files: tuple[bytes, bytes]
) -> None:
    old, new = csl_files
    spec = get_source("us_csl")
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(spec, {"consolidated.csv": old}, origin="2022")
        store.watch.put(CSL_WATCH)
    assert _found(_rescreen(tmp_path)) == {
        ("new", "belarus", "us_csl:10762"),
        ("new", "okuk", "us_csl:0009b18628da57fe93c97f6a7fc940485169ef4b")}
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(spec, {"consolidated.csv": new}, origin="2023")
    after = _rescreen(tmp_path)
    assert after.mode == "changes"
    by = {(f.change, f.key): f for f in after.findings}
    assert set(by) == {("changed", "belarus"), ("cleared", "okuk"), ("new", "olkebor"),
                       ("new", "passport")}
    assert by["changed", "belarus"].fields == ("listings", "names")
    assert by["new", "olkebor"].reason == "added to us_csl"
    passport = by["new", "passport"]
    assert (passport.party_id, passport.score) == ("us_csl:10000", 1.0)
    assert passport.hit is not None
    assert passport.hit.explanation.evidence[-1].attribute == "identifier"
    # the change-driven pass left exactly the matches a full screening finds
    full = _rescreen(tmp_path, full=True)
    assert (full.mode, full.reason, full.screened) == ("full", "asked for", len(CSL_WATCH))
    assert {f.change for f in full.findings} <= {"changed"}  # scores may move a little
    assert _found(_rescreen(tmp_path)) == set()


@pytest.mark.slow
def test_new_rows_and_a_new_threshold_are_screened_in_full(
    tmp_path: Path, sdn_sets: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(get_source("ofac_sdn_csv"), sdn_sets[0], origin="A")
        store.watch.put(SDN_WATCH[:2])
    assert _rescreen(tmp_path).screened == 2
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.watch.put(SDN_WATCH[2:])
    report = _rescreen(tmp_path)
    assert (report.mode, report.screened) == ("changes", 3)  # only the rows added since
    assert {f.reason for f in report.findings} == {"first screening of this row"}
    report = _rescreen(tmp_path, threshold=0.99)
    assert (report.mode, report.reason, report.screened) == (
        "full", "threshold changed (0.82 → 0.99)", 5)
    # c2 and c3 score under 0.99: their matches are cleared, with the score they have now
    assert {(f.change, f.key) for f in report.findings} == {("cleared", "c2"), ("cleared", "c3")}
    assert all(f.score is not None and f.reason == f"no longer matches (score {f.score:.2f}); "
               "threshold changed (0.82 → 0.99)" for f in report.findings)


def _rescreened_twice(home: Path, sdn: dict[str, bytes]) -> None:
    """Two rows watched against one SDN version, rescreened: a second run screens nothing."""
    with Store.open(Settings.from_env(home=home).db_path) as store:
        store.import_source(get_source("ofac_sdn_csv"), sdn, origin="A")
        store.watch.put(SDN_WATCH[:2])
    _rescreen(home)
    assert _rescreen(home).mode == "changes"


@pytest.mark.slow
@pytest.mark.parametrize(("upgrade", "reason"), [
    # an upgrade that edits the legal forms or spellings reads names otherwise
    (("entityscreen.rescreen.reference_digest", lambda: "edited"),
     "matching tables changed (legal forms, name spellings...)"),
    # an upgrade whose matching code can find otherwise
    (("entityscreen.rescreen.MATCHING_REVISION", 99), "matching code changed (revision 2 → 99)"),
])
def test_an_upgrade_that_matches_otherwise_means_one_full_rescreen(
    tmp_path: Path, sdn_sets: tuple[dict[str, bytes], dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch, upgrade: tuple[str, object], reason: str,
) -> None:
    _rescreened_twice(tmp_path, sdn_sets[0])
    monkeypatch.setattr(*upgrade)
    report = _rescreen(tmp_path)
    assert (report.mode, report.reason, report.screened) == ("full", reason, 2)
    assert _rescreen(tmp_path).mode == "changes"


@pytest.mark.slow
def test_a_baseline_version_no_longer_stored_means_a_full_rescreen(
    tmp_path: Path, lists_dir: Path
) -> None:
    spec = get_source("bis_dpl")
    dpl = {"dpl.txt": read(lists_dir, "bis_dpl", "2023-11-30", "dpl.txt")}
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(spec, dpl, origin="test")
        store.watch.put([("x", Query("Acme Widgets GmbH"))])
    _rescreen(tmp_path)
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        for _ in range(KEEP_VERSIONS):
            store.import_source(spec, dpl, origin="test")
    report = _rescreen(tmp_path)
    assert (report.mode, report.reason) == ("full", "version 1 of bis_dpl is no longer stored "
                                            "(more than 5 updates since the last rescreen)")


def test_watch_index_is_cached_per_watch_set(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db.sqlite") as store:
        store.watch.put(SDN_WATCH)
        first = watch_index(store, tmp_path / "cache")
        assert first.n_parties == 5 and len(first.name_weights) == 0  # what a rescreen reads
        assert len(list((tmp_path / "cache").glob("watch-*.pickle"))) == 1
        store.watch.remove(["c1"])
        assert watch_index(store, tmp_path / "cache").n_parties == 4
        assert len(list((tmp_path / "cache").glob("watch-*.pickle"))) == 1


# -- matching the changes: the same scores as a search, a bound that loses nothing ----------

def _variants(name: str) -> list[str]:
    """Spellings a customer file may hold of a listed name."""
    toks = name.replace(",", " ").split()
    out = [name, " ".join(reversed(toks)), " ".join(toks[1:]), name + " Trading"]
    longest = max(toks, key=len)
    if len(longest) > 4:
        typo = longest[:2] + longest[3] + longest[2] + longest[4:]
        out += [name.replace(longest, typo), name.replace(longest, longest[:3] + " " +
                                                          longest[3:])]
    if len(toks) > 1:
        out.append(toks[0] + toks[1] + " " + " ".join(toks[2:]))
    return out


@pytest.fixture(scope="module")
def small_screener(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path) -> Screener:
    home = tmp_path_factory.mktemp("small")
    old, _new = CSL_files_small(lists_dir)
    with Store.open(Settings.from_env(home=home).db_path) as store:
        store.import_source(get_source("us_csl"), {"consolidated.csv": old}, origin="2022")
    return _open(home)


def CSL_files_small(lists_dir: Path) -> tuple[bytes, bytes]:
    import csv
    import io

    old = read(lists_dir, *CSL_2022)
    ids = [r[0] for r in csv.reader(io.StringIO(old.decode(), newline=""))][1:]
    return csl_cut(old, set(ids[::35])), b""


@pytest.mark.slow
def test_name_bound_is_never_under_the_score(small_screener: Screener) -> None:
    from entityscreen.match.analysis import analyze
    from entityscreen.match.scoring import align, weights
    from entityscreen.rescreen_match import name_bound

    index, algo = small_screener.index, small_screener.algorithm
    listed = list(range(0, index.n_names, 3))
    checked = 0
    for nid in listed[:120]:
        for text in _variants(index.name_text[nid]):
            q = analyze(text)
            if not q.tokens:
                continue
            qw = weights(q, index.weight)
            for other in [nid, *listed[(nid * 7) % 97 :: 23]]:
                c, cw = index.analysis(other), index.name_weights[other]
                for person in (False, True):
                    score, _ = align(q, c, qw, cw, algo, person=person)
                    assert name_bound(q, qw, c, cw, algo, person=person) >= score - 1e-9, (
                        text, index.name_text[other])
                    checked += 1
    assert checked > 5_000


def test_name_bound_holds_for_variant_spellings() -> None:
    # entityscreen-2 aligns "alezey" with "aleksei" (a typo of the spelling "alexey"): the
    # bound a rescreen filters with must count it, or a new listing would be missed
    from entityscreen.match.analysis import analyze
    from entityscreen.match.scoring import ALGORITHMS, align, weights
    from entityscreen.rescreen_match import name_bound

    q, c = analyze("Alezey KLTYAVIN"), analyze("Alexey KLYAVIN")
    qw, cw = weights(q, lambda t, k: 5.0), weights(c, lambda t, k: 5.0)
    for algo in ALGORITHMS.values():
        score, _ = align(q, c, qw, cw, algo, person=True)
        assert name_bound(q, qw, c, cw, algo, person=True) >= score
    assert align(q, c, qw, cw, ALGORITHMS["entityscreen-2"], person=True)[0] > 0.82


@pytest.mark.slow
def test_score_against_gives_the_scores_of_a_search(small_screener: Screener) -> None:
    from entityscreen.match.analysis import analyze
    from entityscreen.rescreen_match import score_against

    index = small_screener.index
    pidx = {pid: i for i, pid in enumerate(index.party_ids)}
    for nid in range(0, index.n_names, 97):
        name = index.name_text[nid]
        # a country after the name is a hint; a legal form types the query (with no type)
        for text, ptype in [*((v, PartyType.ORGANIZATION) for v in _variants(name)[:3]),
                            (f"{name} (China)", None), (f"{name}, United States", None),
                            (f"{name} Limited", None)]:
            query = Query(text, ptype, "CN" if ptype else None)
            hits = small_screener.search(query, limit=10)
            again = score_against(small_screener, query, [pidx[h.party_id] for h in hits])
            # with the analysis given (as the watched index gives it): the same
            assert score_against(small_screener, query, [pidx[h.party_id] for h in hits],
                                 analyzed=analyze(text)) == again
            # (of two names of a party scoring the same, either may be the matched one)
            assert [(h.party_id, h.score, h.match, h.explanation.name_score)
                    for h in again] == [(h.party_id, h.score, h.match,
                                         h.explanation.name_score) for h in hits]


# -- the commands --------------------------------------------------------------------------

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
def test_watch_and_rescreen_commands(
    app: click.Group, tmp_path: Path, sdn_sets: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    home = ["--home", str(tmp_path)]

    def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        # wide enough that the table does not wrap the cells asserted on
        return CliRunner(env={"COLUMNS": "250"}).invoke(app, [*home, *args], input=stdin)

    spec = get_source("ofac_sdn_csv")
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(spec, sdn_sets[0], origin="A")
    lines = "\n".join(json.dumps({"key": k, "name": q.name}) for k, q in SDN_WATCH)
    res = run("watch", "add", "-", stdin=lines + '\n{"name": ""}\n')
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("5 added, 0 changed, 0 unchanged, 1 skipped; 5 rows watched")
    assert "stdin line 6 skipped: empty name" in res.stderr
    res = run("watch", "list", "--json")
    assert [json.loads(x)["key"] for x in res.stdout.splitlines()] == [
        "c1", "c2", "c3", "c4", "c5"]
    res = run("rescreen", "--json")
    assert res.exit_code == 1, res.output  # new matches
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert {(x["change"], x["key"]) for x in out} == {("new", "c1"), ("new", "c2"),
                                                       ("new", "c3"), ("new", "c5")}
    assert out[0]["result"]["listings"][0]["list"] == "SDN"
    assert "4 new, 0 cleared, 0 changed" in res.stderr
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        store.import_source(spec, sdn_sets[1], origin="B")
    found = tmp_path / "findings.csv"  # the findings in a screen output format
    res = run("rescreen", "-o", str(found))
    assert res.exit_code == 1, res.output
    assert "rescreen (changes: ofac_sdn_csv 1 → 2): 0 new, 2 cleared, 2 changed" in res.stderr
    assert "4 findings written to" in res.stderr and res.stdout == ""
    with found.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["change"] for r in rows) == ["changed", "changed", "cleared", "cleared"]
    assert any(r["reason"].startswith("removed from ofac_sdn_csv") for r in rows)
    changed = next(r for r in rows if r["change"] == "changed")
    assert changed["lists"] == "US Treasury OFAC SDN" and "≈" in changed["why"]
    res = run("rescreen")
    assert res.exit_code == 0 and "0 new, 0 cleared, 0 changed" in res.stdout, res.output
    res = run("watch", "remove", "c1", "zz")
    assert res.stdout.strip() == "1 removed (1 of the keys were not watched); 4 rows watched"
    for args, message in [
        (("watch", "remove"), "give the keys to remove, or --all"),
        (("watch", "add", str(tmp_path / "absent.csv")), "cannot read"),
    ]:
        res = run(*args)
        assert res.exit_code == 2 and message in res.stderr, res.output


def test_watch_add_reads_a_workbook_with_column_options(app: click.Group, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    for r in [["Ref", "Given", "Family", "Kind"], ["k1", "Quanguo", "Chen", "individual"],
              ["k2", "", "", "company"], ["k3", "Acme", "Widgets", ""]]:
        wb.active.append(r)
    wb.save(tmp_path / "people.xlsx")
    rejects = tmp_path / "rejects.csv"
    res = CliRunner().invoke(app, [
        "--home", str(tmp_path), "watch", "add", str(tmp_path / "people.xlsx"),
        "--name-col", "Given", "--name-col", "Family", "--key-col", "Ref",
        "--rejects", str(rejects)])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("2 added, 0 changed, 0 unchanged, 1 skipped; 2 rows watched")
    assert "people.xlsx line 3 skipped: empty name" in res.stderr
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "row,line,reason,excerpt", "2,3,empty name,k2 |  |  | company"]
    with Store.open(Settings.from_env(home=tmp_path).db_path) as store:
        assert [(k, q.name, q.type) for k, q, _s in store.watch.rows()] == [
            ("k1", "Quanguo Chen", PartyType.PERSON), ("k3", "Acme Widgets", None)]
