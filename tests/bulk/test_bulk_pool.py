"""The answers a bulk worker reuses: bounded, and the ones used lately survive."""

from __future__ import annotations

from entityscreen.bulk.pool import Answers
from entityscreen.model import Query


def _key(i: int) -> tuple[Query, int, float]:
    return (Query(f"Name {i}"), 5, 0.7)


def test_answers_keep_what_was_used_lately_and_stay_bounded() -> None:
    answers = Answers(size=3)
    for i in range(3):
        answers.put(_key(i), (0.1 * i, [], None))
    assert answers.get(_key(0)) == (0.0, [], None)  # used again: now among the young
    for i in range(3, 6):
        answers.put(_key(i), (0.1 * i, [], None))
    assert answers.get(_key(0)) == (0.0, [], None)
    assert answers.get(_key(1)) is None  # not used since two generations: dropped
    held = sum(answers.get(_key(i)) is not None for i in range(6))
    assert held <= 2 * 3


def test_cleared_answers_are_gone() -> None:
    answers = Answers()
    answers.put(_key(1), (0.5, [], None))
    answers.clear()
    assert answers.get(_key(1)) is None


def test_answers_with_hits_weigh_more() -> None:
    from entityscreen.bulk.pool import HIT_WEIGHT

    answers = Answers(size=2 * (1 + HIT_WEIGHT))
    hit = object()  # stands for a Hit: only the count matters here
    for i in range(6):
        answers.put(_key(i), (0.9, [hit], None))  # type: ignore[list-item]
    # two answers with a hit fill a generation: after six, the first two are gone
    assert answers.get(_key(0)) is None and answers.get(_key(1)) is None
    assert answers.get(_key(2)) is not None and answers.get(_key(5)) is not None
