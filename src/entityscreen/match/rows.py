"""Rows of floats stored as one array with offsets: a million names' token weights as two
arrays instead of a million tuples of a few million float objects."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["FloatRows"]


class FloatRows:
    """``rows[i]`` is row ``i`` as a tuple of Python floats, exactly the values stored
    (float64, so arithmetic on them is the arithmetic on the floats that were given)."""

    def __init__(self, rows: Iterable[Sequence[float]] = ()) -> None:
        values = array("d")
        offsets = array("q", [0])
        for row in rows:
            values.extend(row)
            offsets.append(len(values))
        self.values = np.frombuffer(values, dtype=np.float64).copy()
        self.offsets = np.frombuffer(offsets, dtype=np.int64).copy()

    def __getitem__(self, i: int) -> tuple[float, ...]:
        o = self.offsets
        return tuple(self.values[o[i] : o[i + 1]].tolist())

    def __len__(self) -> int:
        return len(self.offsets) - 1
