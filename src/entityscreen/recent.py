"""A bounded memo of recent values, kept in two generations.

    memo: Recent[str, int] = Recent(100_000)
    memo.put("word", 3)
    memo.get("word")   # 3, until about two generations of other values have been put

When the young generation reaches ``size`` (in weight: each value weighs 1, or what
``weigh`` says),
it becomes the old one and the old one is dropped. A value read from the old generation moves
back to the young one, so what is used lately survives, and memory stays bounded without the
cost of a least-recently-used list. Clearing the whole memo when full, as a plain dict would,
throws away the values used most often too: a bulk run then pays for all of them again.

Safe to share between threads for memoising pure functions: a read racing a generation
change can only miss (and the value is computed again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Recent"]

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """Recent values by key, up to about two generations of ``size`` weight."""

    __slots__ = ("_old", "_weigh", "_weight", "_young", "size")

    def __init__(self, size: int, weigh: Callable[[V], int] | None = None) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._weigh = weigh
        self._young: dict[K, V] = {}
        self._old: dict[K, V] = {}
        self._weight = 0  # of the young generation

    def get(self, key: K) -> V | None:
        got = self._young.get(key)
        if got is None:
            got = self._old.pop(key, None)
            if got is not None:
                self.put(key, got)
        return got

    def put(self, key: K, value: V) -> None:
        if self._weight >= self.size:
            self._old, self._young, self._weight = self._young, {}, 0
        self._young[key] = value
        self._weight += 1 if self._weigh is None else self._weigh(value)

    def clear(self) -> None:
        self._young, self._old, self._weight = {}, {}, 0

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def __contains__(self, key: object) -> bool:
        return key in self._young or key in self._old
