"""The issue's bad inputs, end to end through `entityscreen screen`: each gives a message that
says what is wrong, the documented exit code, and no half-written file (no output under its
own name unless it is whole; no partial file or checkpoint left behind unless the run can be
resumed from it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from entityscreen.bulk import text
from entityscreen.bulk.summary import Checkpoint

from .bulk_data import HEADER, customer_rows, read_csv, write_csv, zip_bomb, zip_not_xlsx

pytestmark = pytest.mark.slow


def errors(stderr: str) -> list[str]:
    """What stderr says besides the warnings that the bundled lists are stale."""
    return [line for line in stderr.splitlines() if not line.startswith("entityscreen: warning")]


def names(folder: Path) -> list[str]:
    """Every file in ``folder``, hidden partial files and checkpoints included."""
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(("name", "make", "says"), [
    ("empty.csv", lambda p: p.write_bytes(b""), "empty.csv is empty"),
    ("bomb.xlsx", zip_bomb, "possible zip bomb"),
    ("archive.xlsx", zip_not_xlsx, "not an Excel workbook"),
    ("text.xlsx", lambda p: p.write_bytes(b"name\nMegvii\n"),
     "not an XLSX file (not a zip archive) — pass --input-format"),
    ("columns.csv", lambda p: p.write_bytes(b"amount,notes\n12,Megvii\n"),
     "cannot tell which column holds the names"),
])
def test_an_unusable_file_exits_2_with_the_reason_and_writes_nothing(
        screen_cli, tmp_path: Path, name: str, make, says: str) -> None:  # type: ignore[no-untyped-def]
    make(tmp_path / name)
    res = screen_cli("screen", str(tmp_path / name), "-o", str(tmp_path / "out.csv"),
                     "--report", str(tmp_path / "report.html"))
    assert res.exit_code == 2, res.output
    assert errors(res.stderr) == [next(e for e in errors(res.stderr) if says in e)]
    assert names(tmp_path) == [name]


def test_a_header_only_file_gives_whole_empty_outputs_and_exit_0(
        screen_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write_csv(tmp_path / "in.csv", [], HEADER)
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.csv"))
    assert res.exit_code == 0, res.output
    assert "in.csv has a header but no rows" in res.stderr
    assert names(tmp_path) == ["in.csv", "out.csv", "out.rejects.csv"]
    assert read_csv(tmp_path / "out.csv") == [] and read_csv(tmp_path / "out.rejects.csv") == []


def test_mixed_encodings_are_read_line_by_line_and_an_undecodable_line_is_rejected(
        screen_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.csv"
    src.write_bytes(b"id,name,country\n"
                    + b"1,Zhejiang Dahua Technology,CN\n"
                    + "2,Bäckerei Müller GmbH,DE\n".encode("cp1252")
                    + b"3,Bad \x81\x8d\x8f name,US\n"
                    + "4,旷视科技,CN\n".encode())
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.csv"), "-q")
    assert res.exit_code == 1, res.output  # a match wins over a rejected row
    out = read_csv(tmp_path / "out.csv")
    assert [(r["key"], r["decision"]) for r in out] == [
        ("1", "match"), ("2", "clear"), ("3", "rejected"), ("4", "match")]
    assert out[1]["name"] == "Bäckerei Müller GmbH"
    rejects = read_csv(tmp_path / "out.rejects.csv")
    assert [(r["row"], r["line"]) for r in rejects] == [("3", "4")]
    assert "undecodable bytes (neither UTF-8 nor Windows-1252)" in rejects[0]["reason"]
    assert names(tmp_path) == ["in.csv", "out.csv", "out.rejects.csv"]


def test_an_over_long_line_is_rejected_and_the_run_goes_on(
        screen_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # the cap is 4 MiB; a 2 GB line is the same case, 500 times longer
    monkeypatch.setattr(text, "MAX_LINE_BYTES", 1000)
    src = tmp_path / "in.csv"
    src.write_bytes(b"name,country\nAcme Widgets Ltd,GB\n" + b"x" * 50_000 + b",US\n"
                    + b"Kyoto Paper Works,JP\n")
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.csv"))
    assert res.exit_code == 2, res.output
    assert "3 rows: 0 match, 0 review, 2 clear, 1 rejected" in res.stderr
    rejects = read_csv(tmp_path / "out.rejects.csv")
    assert rejects[0]["reason"] == "line 3 is longer than 1000 bytes"
    assert rejects[0]["excerpt"] == "x" * 200
    assert names(tmp_path) == ["in.csv", "out.csv", "out.rejects.csv"]


def test_an_over_long_header_line_exits_2_and_writes_nothing(
        screen_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(text, "MAX_LINE_BYTES", 1000)
    src = tmp_path / "in.csv"
    src.write_bytes(b"name" * 1000 + b"\nMegvii\n")
    res = screen_cli("screen", str(src), "-o", str(tmp_path / "out.csv"))
    assert res.exit_code == 2, res.output
    assert "in.csv line 1 is longer than 1000 bytes" in res.stderr
    assert names(tmp_path) == ["in.csv"]


def test_ctrl_c_exits_130_leaves_only_resumable_partials_and_resume_finishes_the_file(
        screen_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    rows = [[f"{k}-{i}", f"{n} {i}", t, c] for i in range(6) for k, n, t, c in customer_rows()]
    src = write_csv(tmp_path / "in.csv", rows, HEADER)
    args = ["--workers", "1", "--chunk-rows", "20", "-q"]
    reference = tmp_path / "ref" / "out.csv"
    reference.parent.mkdir()
    assert screen_cli("screen", str(src), "-o", str(reference), *args).exit_code == 1
    real = Checkpoint.save

    def interrupted(self: Checkpoint, path: Path) -> None:
        real(self, path)  # the second chunk is committed, then the user presses Ctrl-C
        if self.rows_done >= 40:
            raise KeyboardInterrupt

    out = tmp_path / "out.csv"
    with monkeypatch.context() as mp:
        mp.setattr(Checkpoint, "save", interrupted)
        res = screen_cli("screen", str(src), "-o", str(out), *args)
    assert res.exit_code == 130, res.output
    assert "interrupted; run the same command with --resume to continue" in res.stderr
    assert names(tmp_path) == [".out.csv.checkpoint.json", ".out.csv.partial",
                               ".out.rejects.csv.partial", "in.csv", "ref"]
    res = screen_cli("screen", str(src), "-o", str(out), "--resume", *args)
    assert res.exit_code == 1, res.output
    assert out.read_bytes() == reference.read_bytes()
    assert names(tmp_path) == ["in.csv", "out.csv", "out.rejects.csv", "ref"]
