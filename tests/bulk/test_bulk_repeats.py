"""Rows repeating an earlier row are answered by the reading process, not screened again:
each keeps its own key, and the output is the one every row screened would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from entityscreen.bulk import screen_file
from entityscreen.bulk.columns import Mapping
from entityscreen.bulk.repeats import Repeats

from .bulk_data import HEADER, customer_rows, read_csv, write_csv

MAPPING = Mapping(tuple(HEADER), name=(1,), type=2, country=3, key=0)


def test_a_repeated_row_is_sent_once_and_keeps_its_own_key() -> None:
    repeats = Repeats(MAPPING, max_field=100)
    rows = [(1, ["C1", "Chen Quanguo", "person", "CN"], None),
            (2, ["C2", "Chen Quanguo", "person", "CN"], None),  # the same but its key
            (3, ["C3", "Chen Quanguo", "person", "US"], None),  # another country: screened
            (4, ["C4", "Chen Quanguo", "person", "CN"], "unreadable line")]  # never reused
    send, plan = repeats.split(rows)
    assert [r[0] for r in send] == [1, 3, 4]
    answers = [("C1", "Chen Quanguo", None, 1.0, [], None),
               ("C3", "Chen Quanguo", None, 0.99, [], None),
               ("C4", "Chen Quanguo", "unreadable line", None, [], None)]
    out = repeats.join(rows, plan, answers)
    assert out[1] == ("C2", "Chen Quanguo", None, 1.0, [], None)
    assert [o[0] for o in out] == ["C1", "C2", "C3", "C4"] and out[2][3] == 0.99
    # a later chunk repeating an answered row sends nothing
    later = [(5, [" C5 ", "Chen Quanguo", "person", "CN"], None)]
    send, plan = repeats.split(later)
    assert send == [] and repeats.join(later, plan, [])[0][:4] == ("C5", "Chen Quanguo", None, 1.0)


def test_a_repeat_of_a_row_still_being_screened_waits_for_its_answer() -> None:
    repeats = Repeats(MAPPING, max_field=100)
    first = [(1, ["C1", "Dahua", "company", ""], None), (2, ["C2", "Dahua", "company", ""], None)]
    second = [(3, ["C3", "Dahua", "company", ""], None), (4, ["C4", "Acme", "company", ""], None)]
    send1, plan1 = repeats.split(first)
    send2, plan2 = repeats.split(second)  # split before the first chunk's answers are back
    assert [r[0] for r in send1] == [1] and [r[0] for r in send2] == [4]
    one = repeats.join(first, plan1, [("C1", "Dahua", None, 0.95, [], None)])
    two = repeats.join(second, plan2, [("C4", "Acme", None, 0.2, [], None)])
    assert [o[:4] for o in one + two] == [
        ("C1", "Dahua", None, 0.95), ("C2", "Dahua", None, 0.95),
        ("C3", "Dahua", None, 0.95), ("C4", "Acme", None, 0.2)]
    assert repeats.reused == 2 and not repeats._pending  # nothing left waiting


def test_rows_with_an_over_long_field_are_always_screened() -> None:
    repeats = Repeats(MAPPING, max_field=10)
    rows = [(1, ["C1" * 20, "Acme", "", ""], None), (2, ["C1" * 20, "Acme", "", ""], None)]
    send, _plan = repeats.split(rows)
    assert len(send) == 2  # the long key rejects each row on its own


@pytest.mark.slow
def test_a_file_of_repeated_names_gives_what_screening_every_row_gives(  # type: ignore[no-untyped-def]
    screener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = customer_rows()
    rows = [[f"K{n:03d}", *base[n % len(base)][1:]] for n in range(90)]
    source = write_csv(tmp_path / "repeats.csv", rows, HEADER)
    reused = tmp_path / "reused.csv"
    screen_file(screener, source, reused, chunk_rows=20)

    def every_row(self, rows):  # type: ignore[no-untyped-def]
        return rows, [(0, None, n) for n in range(len(rows))]

    monkeypatch.setattr(Repeats, "split", every_row)
    screened = tmp_path / "screened.csv"
    screen_file(screener, source, screened, chunk_rows=20)
    assert reused.read_bytes() == screened.read_bytes()
    assert [r["key"] for r in read_csv(reused)] == [r[0] for r in rows]
