"""screen_file: decisions on real list names, every format in and out, rejects, workers,
resuming an interrupted run."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from entityscreen.bulk import Columns, screen_file
from entityscreen.bulk.summary import Summary
from entityscreen.bulk.writers import flat_header, partial_path
from entityscreen.errors import UsageError

from .bulk_data import CUSTOMERS, HEADER, customer_rows, expected_decisions, read_csv, write_csv

pytestmark = pytest.mark.slow


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def counts(s: Summary) -> tuple[int, int, int, int, int]:
    return s.rows, s.matches, s.reviews, s.clears, s.rejects


def test_decides_match_review_clear_on_real_names(screener, customers_csv: Path,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    summary = screen_file(screener, customers_csv, out)
    rows = read_csv(out)
    assert [r["decision"] for r in rows] == expected_decisions()
    assert [r["key"] for r in rows] == [c[0] for c in CUSTOMERS]
    assert list(rows[0]) == flat_header(3)
    megvii = rows[0]
    assert megvii["hit1_name"] == "MEGVII TECHNOLOGY LIMITED" and megvii["hit1_score"] == "1.0"
    assert "US Treasury OFAC CMIC" in megvii["hit1_lists"]
    assert "CMIC-EO13959" in megvii["hit1_programs"]
    assert "securities" in megvii["hit1_restriction"]
    assert "megvii≈megvii (exact 1.00)" in megvii["hit1_why"]
    assert megvii["algorithm"] == "entityscreen-2"
    assert "us_csl:" in megvii["list_versions"] and "uk_ofsi:" in megvii["list_versions"]
    clear = rows[1]
    assert clear["hits"] == "0" and clear["hit1_name"] == "" and float(clear["best_score"]) < 0.7
    want = expected_decisions()
    assert counts(summary) == (len(want), want.count("match"), want.count("review"),
                               want.count("clear"), 0)
    assert summary.by_list["US Treasury OFAC SDN"][0] >= 2  # Chen Quanguo, Shohrat Zakir
    assert summary.top[0]["hit"]["score"] == 1.0
    assert not list(tmp_path.glob(".*")), "no partial or checkpoint file is left behind"


def _write_all_formats(folder: Path) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from openpyxl import Workbook

    rows = customer_rows()
    paths = [write_csv(folder / "c.csv", rows, HEADER),
             write_csv(folder / "c.tsv", rows, HEADER, delimiter="\t"),
             write_csv(folder / "c-semicolon.txt", rows, HEADER, delimiter=";",
                       encoding="utf-8-sig")]
    jl = folder / "c.jsonl"
    jl.write_text("".join(json.dumps(dict(zip(HEADER, r, strict=True)), ensure_ascii=False)
                          + "\n" for r in rows), encoding="utf-8")
    wb = Workbook()
    for r in [HEADER, *rows]:
        wb.active.append(r)
    wb.save(folder / "c.xlsx")
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADER)}),
                   folder / "c.parquet")
    return [*paths, jl, folder / "c.xlsx", folder / "c.parquet"]


def test_every_input_format_gives_the_same_results(screener, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    results = []
    for path in _write_all_formats(tmp_path):
        out = tmp_path / f"{path.name}.jsonl"
        screen_file(screener, path, out)
        results.append([(r["key"], r["decision"], r["best_score"], r["query"])
                        for r in jsonl(out)])
    assert all(r == results[0] for r in results)
    assert [d for _, d, _, _ in results[0]] == expected_decisions()
    assert results[0][4][3] == {"name": "Chen Quanguo", "type": "person", "country": "CN",
                                "birth_date": None, "identifiers": []}


def test_every_output_format_holds_the_same_rows(screener, customers_csv: Path,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    from openpyxl import load_workbook

    got: dict[str, list[tuple[Any, ...]]] = {}
    for fmt in ("csv", "jsonl", "xlsx", "parquet"):
        out = tmp_path / f"results.{fmt}"
        screen_file(screener, customers_csv, out)
        if fmt == "csv":
            rows: list[dict[str, Any]] = read_csv(out)
        elif fmt == "jsonl":
            rows = jsonl(out)
        elif fmt == "xlsx":
            ws = load_workbook(out, read_only=True).worksheets[0]
            values = list(ws.iter_rows(values_only=True))
            rows = [dict(zip(values[0], v, strict=True)) for v in values[1:]]
        else:
            rows = pq.read_table(out).to_pylist()
        got[fmt] = [(int(r["row"]), str(r["key"]), r["decision"], float(r["best_score"]))
                    for r in rows]
    assert got["csv"] == got["jsonl"] == got["xlsx"] == got["parquet"]
    assert len(got["csv"]) == len(CUSTOMERS)
    assert pq.read_schema(tmp_path / "results.parquet").field("hit1_score").type == "double"
    assert not list(tmp_path.glob(".*"))


def test_rows_that_cannot_be_screened_go_to_the_rejects_file(screener, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = ("Customer ID,Name,Country\n"
            "K1,Megvii Technology Limited,CN\n"
            "K2,,CN\n"
            "K3,Acme Widgets Ltd," + "x" * 1500 + "\n").encode() + \
        b"K4,bad \x81\x8d bytes,CN\n" + b"K5,Chen Quanguo,China\n"
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    out = tmp_path / "out.csv"
    summary = screen_file(screener, source, out)
    assert counts(summary) == (5, 2, 0, 0, 3)
    assert summary.rows == summary.screened + summary.rejects
    rows = read_csv(out)
    assert [r["decision"] for r in rows] == ["match", "rejected", "rejected", "rejected", "match"]
    rejects = read_csv(tmp_path / "out.rejects.csv")
    assert [(r["row"], r["line"]) for r in rejects] == [("2", "3"), ("3", "4"), ("4", "5")]
    assert rejects[0]["reason"] == "empty name"
    assert rejects[1]["reason"] == "field 'Country' is 1500 characters long (the limit is 1000)"
    assert rejects[1]["excerpt"].startswith("K3,Acme Widgets Ltd,xxx")
    assert "undecodable" in rejects[2]["reason"]
    assert rejects[2]["excerpt"] == "K4,bad \\x81\\x8d bytes,CN"
    assert rows[4]["hit1_why"].count("country CN") == 1  # "China" became the hint CN


def test_stdin_to_stdout(screener) -> None:  # type: ignore[no-untyped-def]
    stdout = io.BytesIO()
    summary = screen_file(screener, "-", None, stdin=io.BytesIO(b"name\nMegvii\n\nJane Doe\n"),
                          stdout=stdout)
    lines = [json.loads(x) for x in stdout.getvalue().decode().splitlines()]
    assert [(r["row"], r["decision"]) for r in lines] == [(1, "match"), (2, "clear")]
    assert lines[0]["hits"][0]["listings"][0]["restriction"]
    assert summary.rows == 2


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """280 rows: the customers twenty times over, each with its own key."""
    rows = [[f"{k}-{i}", n, t, c] for i in range(20) for k, n, t, c in customer_rows()]
    return write_csv(tmp_path_factory.mktemp("big") / "big.csv", rows, HEADER)


@pytest.fixture(scope="module")
def reference(screener, big_csv: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """An uninterrupted run with one worker: (results bytes, rejects bytes, summary)."""
    out = tmp_path_factory.mktemp("ref") / "results.csv"
    summary = screen_file(screener, big_csv, out, workers=1, chunk_rows=40)
    return out.read_bytes(), out.with_name("results.rejects.csv").read_bytes(), summary


def test_two_workers_give_the_same_output_as_one(screener, big_csv: Path, reference,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    summary = screen_file(screener, big_csv, out, workers=2, chunk_rows=40)
    assert summary.workers == 2
    assert out.read_bytes() == reference[0]
    assert counts(summary) == counts(reference[2])
    assert summary.top == reference[2].top and summary.by_list == reference[2].by_list


class Stop(Exception):
    pass


def _stop_after(chunks: int):  # type: ignore[no-untyped-def]
    seen = []

    def progress(rows: int, fraction: float | None) -> None:
        seen.append(rows)
        if len(seen) == chunks:
            raise Stop
    return progress


@pytest.mark.parametrize("workers", [1, 2])
def test_resume_after_interruption_equals_an_uninterrupted_run(
        screener, big_csv: Path, reference, tmp_path: Path, workers: int) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "results.csv"
    with pytest.raises(Stop):
        screen_file(screener, big_csv, out, workers=workers, chunk_rows=40,
                    progress=_stop_after(3))
    assert not out.exists(), "an unfinished output never appears under its own name"
    checkpoint = json.loads(partial_path(out, ".checkpoint.json").read_text())
    assert checkpoint["rows_done"] == 120
    # bytes written after the last checkpoint must be cut off, not duplicated
    with partial_path(out).open("ab") as f:
        f.write(b"half a chunk that the kill interrupted\n")
    summary = screen_file(screener, big_csv, out, workers=workers, chunk_rows=40, resume=True)
    assert summary.resumed_at == 120
    assert out.read_bytes() == reference[0]
    assert out.with_name("results.rejects.csv").read_bytes() == reference[1]
    assert counts(summary) == counts(reference[2])
    assert summary.top == reference[2].top
    assert not partial_path(out, ".checkpoint.json").exists()


def test_resume_refuses_a_checkpoint_made_with_other_options(screener, big_csv: Path,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    with pytest.raises(Stop):
        screen_file(screener, big_csv, out, chunk_rows=40, progress=_stop_after(1))
    with pytest.raises(UsageError, match="other options") as exc:
        screen_file(screener, big_csv, out, chunk_rows=40, resume=True, review_threshold=0.6)
    assert "drop --resume" in str(exc.value)


def test_resume_without_a_checkpoint_runs_the_whole_file(screener, big_csv: Path,  # type: ignore[no-untyped-def]
                                                         reference, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    summary = screen_file(screener, big_csv, out, chunk_rows=40, resume=True)
    assert summary.resumed_at == 0 and out.read_bytes() == reference[0]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"review_threshold": 0.9}, "review threshold 0.9 must lie between"),
    ({"resume": True, "output": None}, "--resume needs an input file and an output file"),
    ({"output": Path("x.docx")}, "cannot tell the output format"),
    ({"columns": Columns(name=("nope",))}, "has no column 'nope'"),
])
def test_bad_options(screener, customers_csv: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                     kwargs: dict[str, Any], message: str) -> None:
    from entityscreen.errors import EntityscreenError

    args = {"output": tmp_path / "out.csv"} | kwargs
    output = args.pop("output")
    with pytest.raises(EntityscreenError, match=message):
        screen_file(screener, customers_csv, output, **args)


def test_customer_file_vocabulary_becomes_query_hints(screener, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [["1", "Chen Quanguo", "Individual", "China", "05/01/1955", "A1; B2"],
            ["2", "Megvii Technology Limited", "Corporate", "cn", "", "2162198"],
            ["3", "Kyoto Paper Works", "spaceship", "Atlantis", "1 May 1957", ""],
            ["4", "Shohrat Zakir", "P", "", "1953-08", ""]]
    src = write_csv(tmp_path / "in.csv", rows,
                    ["Customer ID", "Full Name", "Entity Type", "Nationality", "D.O.B.", "LEI"])
    out = tmp_path / "out.jsonl"
    screen_file(screener, src, out)
    got = [(r["query"]["type"], r["query"]["country"], r["query"]["birth_date"],
            r["query"]["identifiers"]) for r in jsonl(out)]
    assert got == [("person", "CN", "1955", ["A1", "B2"]),
                   ("organization", "CN", None, ["2162198"]),
                   (None, None, "1957", []),  # an unknown type drops the hint, not the row
                   ("person", None, "1953-08", [])]


def test_refuses_to_write_over_its_input(screener, customers_csv: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="would replace the input"):
        screen_file(screener, customers_csv, customers_csv)
