"""`entityscreen screen`: exit codes, formula injection, the HTML report, stdin, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from entityscreen.bulk.writers import partial_path

from .bulk_data import CUSTOMERS, HEADER, customer_rows, read_csv, write_csv

pytestmark = pytest.mark.slow

CLEAR = [["K1", "Acme Widgets Ltd", "company", "GB"], ["K2", "Kyoto Paper Works", "", "JP"]]


@pytest.mark.parametrize(("content", "extra", "code", "says"), [
    (CLEAR, [], 0, "2 rows: 0 match, 0 review, 2 clear, 0 rejected"),
    (None, [], 1, f"{len(CUSTOMERS)} rows: 7 match, 1 review"),
    ([*CLEAR, ["K3", "", "", ""]], [], 2, "1 rejected (see"),
    ([], [], 0, "has a header but no rows"),
    (CLEAR, ["--name-col", "Nmae"], 2, "has no column 'Nmae'"),
    (CLEAR, ["--review-threshold", "0.95"], 2, "review threshold"),
    (CLEAR, ["--workers", "0"], 2, "Invalid value for '--workers'"),
])
def test_exit_codes(screen_cli, tmp_path: Path, content: list[list[str]] | None,  # type: ignore[no-untyped-def]
                    extra: list[str], code: int, says: str) -> None:
    src = write_csv(tmp_path / "in.csv", customer_rows() if content is None else content, HEADER)
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.csv"), *extra)
    assert res.exit_code == code, res.output
    assert says in res.stderr


@pytest.mark.parametrize(("name", "content", "says"), [
    ("missing.csv", None, "cannot read"),
    ("empty.csv", b"", "empty.csv is empty"),
    ("bomb.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX file"),
])
def test_unreadable_input_exits_2_and_writes_nothing(screen_cli, tmp_path: Path, name: str,  # type: ignore[no-untyped-def]
                                                     content: bytes | None, says: str) -> None:
    src = tmp_path / name
    if content is not None:
        src.write_bytes(content)
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.csv"))
    assert res.exit_code == 2 and says in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ([name] if content is not None else [])


def test_help_documents_the_exit_codes(screen_cli) -> None:  # type: ignore[no-untyped-def]
    res = screen_cli("screen", "--help")
    assert res.exit_code == 0
    for line in ("0  every row screened, no match", "1  matches found",
                 "2  usage or input error", "130 interrupted"):
        assert line in res.stdout
    assert "--chunk-rows" not in res.stdout


# (cell as written, cell as it must read back): leading blanks are trimmed, then neutralised
INJECTIONS = [("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
              ("+1+1", "'+1+1"), ("-2-2", "'-2-2"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
              ("\t=1+1", "'=1+1"), ("\r=1+1", "'=1+1")]


def test_formula_injection_is_neutralised_in_csv_and_xlsx(screen_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    rows = [[f"K{i}", name, "", ""] for i, (name, _) in enumerate(INJECTIONS)]
    rows.append(["\t=cmd|' /C calc'!A0", "", "", ""])  # rejected: its excerpt starts with tab
    src = write_csv(tmp_path / "in.csv", rows, HEADER)
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.csv"))
    assert res.exit_code == 2, res.output
    out = read_csv(tmp_path / "out.csv")
    assert [r["name"] for r in out[:-1]] == [safe for _, safe in INJECTIONS]
    assert out[-1]["key"] == "'=cmd|' /C calc'!A0"
    rejects = read_csv(tmp_path / "out.rejects.csv")
    assert rejects[0]["excerpt"].startswith("'\t=cmd")
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.xlsx"))
    ws = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    cells = [ws.cell(row=i, column=3) for i in range(2, 2 + len(INJECTIONS))]
    assert [c.value for c in cells] == [safe for _, safe in INJECTIONS]
    assert {c.data_type for c in cells} == {"s"}  # text, never a formula


def test_html_report_counts_lists_and_escapes(screen_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [*customer_rows(), ["<script>alert(1)</script>", "<b>Megvii Technology Limited</b>",
                               "", ""]]
    src = write_csv(tmp_path / "in.csv", rows, HEADER)
    report = tmp_path / "report.html"
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.jsonl"), "--report",
                     str(report))
    assert res.exit_code == 1, res.output
    page = report.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Megvii Technology Limited&lt;/b&gt;" in page
    assert "<td>US Treasury OFAC SDN</td>" in page
    assert "CHEN, Quanguo" in page and "megvii" in page  # top hits with explanations
    assert f'<td class="n">{len(rows)}</td>' in page
    assert "Screened against stale data" in page  # the bundled snapshot is stale by design


def test_stdin_to_stdout(screen_cli) -> None:  # type: ignore[no-untyped-def]
    res = screen_cli("screen", "-", stdin="name;country\nMegvii;CN\nAcme Widgets Ltd;GB\n")
    assert res.exit_code == 1, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [(r["name"], r["decision"]) for r in lines] == [("Megvii", "match"),
                                                           ("Acme Widgets Ltd", "clear")]


RUNNER = (
    "import sys\n"
    "from entityscreen.cli import cli\n"
    "if 'screen' not in cli.commands:\n"
    "    from entityscreen.cli_screen import screen\n"
    "    cli.add_command(screen)\n"
    "cli(sys.argv[1:], prog_name='entityscreen')\n"
)


def test_kill_9_then_resume_gives_the_uninterrupted_output(screen_cli, home: Path,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    # distinct names, so each row is a search (repeated queries are answered from a cache)
    rows = [[f"{k}-{i}", f"{n} {i}", t, c] for i in range(25) for k, n, t, c in customer_rows()]
    src = write_csv(tmp_path / "in.csv", rows, HEADER)
    args = ["--workers", "2", "--chunk-rows", "20", "-q"]
    out = tmp_path / "killed.csv"
    checkpoint = partial_path(out, ".checkpoint.json")
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "--home", str(home), "screen", str(src), "-o", str(out),
         *args], start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while json.loads(checkpoint.read_text())["rows_done"] < 100 if checkpoint.exists() \
                else True:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its workers, mid-run
        proc.wait()
    assert not out.exists()
    done = json.loads(checkpoint.read_text())["rows_done"]
    assert 100 <= done < len(rows)
    res = screen_cli("screen", str(src), "-o", str(out), "--resume", *args[:-1])
    assert res.exit_code == 1, res.output
    assert f"resumed at row {done + 1}" in res.stderr
    reference = tmp_path / "reference.csv"
    res = screen_cli("screen", str(src), "-o", str(reference), *args)
    assert out.read_bytes() == reference.read_bytes()
    assert len(read_csv(out)) == len(rows)
