"""The bounded memo the engine and bulk workers keep their look-ups in."""

from __future__ import annotations

import pytest

from entityscreen.recent import Recent


def test_values_used_lately_survive_two_generations() -> None:
    memo: Recent[str, int] = Recent(2)
    memo.put("often", 1)
    memo.put("once", 2)
    for i in range(6):
        assert memo.get("often") == 1  # read back each time: never dropped
        memo.put(f"new{i}", i)
    assert memo.get("once") is None  # not read since two generations: dropped
    assert len(memo) <= 2 * 2 + 1


def test_memory_stays_bounded_whatever_is_put() -> None:
    memo: Recent[int, int] = Recent(100)
    for i in range(10_000):
        memo.put(i, i)
    assert len(memo) <= 200
    assert memo.get(9_999) == 9_999 and 9_999 in memo and 0 not in memo


def test_heavier_values_fill_a_generation_sooner() -> None:
    memo: Recent[int, list[int]] = Recent(10, weigh=len)
    for i in range(6):
        memo.put(i, [0] * 5)  # two fill a generation: 0 and 1 are two generations back
    assert memo.get(0) is None and memo.get(1) is None and memo.get(2) == [0] * 5


def test_cleared_memo_is_empty_and_size_is_checked() -> None:
    memo: Recent[str, int] = Recent(3)
    memo.put("a", 1)
    memo.clear()
    assert memo.get("a") is None and len(memo) == 0
    with pytest.raises(ValueError):
        Recent(0)
