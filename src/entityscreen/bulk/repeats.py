"""Rows that repeat an earlier row are answered where the file is read, not screened again.

Customer files repeat names: one supplier on many invoice lines, common personal names (a
million faker rows hold 640,000 distinct ones). The process that reads the file remembers the
recent answers by what a row's screening reads (every screened column but the key), and
sends a worker only the rows it has no answer for: a repeated row costs a dictionary look-up
here instead of a trip to a worker, and a row repeated in another worker's chunk is not
screened twice. Screening is deterministic, so an answer reused is the answer the row would
get: the output is the same with or without this.

    repeats = Repeats(mapping, max_field)
    send, plan = repeats.split(rows)      # before sending a chunk
    screened = repeats.join(rows, plan, results_for_send)   # when its results are back

Only rows read without a problem and with no field over ``max_field`` are reused (a long
key field rejects the row whatever its other fields hold).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from entityscreen.bulk.columns import Mapping
from entityscreen.bulk.pool import Row, Screened
from entityscreen.bulk.prepare import row_key, row_name
from entityscreen.model import Hit
from entityscreen.recent import Recent

__all__ = ["Plan", "Repeats"]

# Recent answers kept: two generations of this much weight. An answer weighs 1 (~300 bytes),
# and each hit it keeps HIT_WEIGHT more (~1 KB with its explanation), so a file of matching
# names holds fewer answers, not more memory (~60 MB a generation at most).
QUERY_CACHE = 200_000
HIT_WEIGHT = 3
# What a row's screening gives, its key and name aside: the problem, the best score, the
# hits kept, the query (when asked for).
_Answer = tuple[str | None, float | None, list[Hit], dict[str, Any] | None]
# Per row of a chunk, where its result comes from: screened (sent), answered already
# (known), or the answer of an earlier row still being screened (later).
_SENT, _KNOWN, _LATER = 0, 1, 2
# (_SENT, key, index in the results), (_KNOWN, None, answer), (_LATER, key, None)
Plan = list[tuple[int, Any, Any]]


def _weight(answer: _Answer) -> int:
    return 1 + HIT_WEIGHT * len(answer[2])


class Repeats:
    """Recent answers by a row's screened columns, for one run (one mapping). Chunks are
    joined in the order they were split."""

    def __init__(self, mapping: Mapping, max_field: int, size: int = QUERY_CACHE) -> None:
        self._mapping = mapping  # over the columns sent (``Mapping.narrowed``)
        self._max_field = max_field
        self._answers: Recent[tuple[str, ...], _Answer] = Recent(size, _weight)
        # rows sent and not yet joined, by key: [answer once joined, rows still waiting on it
        # (the one sent included)]
        self._pending: dict[tuple[str, ...], list[Any]] = {}
        self.reused = 0  # rows answered here so far
        # the fields but the key, as a tuple, in one call (rows as wide as the mapping)
        self._width = len(mapping.headers)
        others = [i for i in range(self._width) if i != mapping.key]
        self._others: Callable[[Sequence[str]], tuple[str, ...]] = (
            itemgetter(*others) if len(others) > 1 else
            lambda fields: tuple(fields[i] for i in others))

    def _key(self, fields: Sequence[str]) -> tuple[str, ...] | None:
        if fields and max(map(len, fields)) > self._max_field:
            return None
        if len(fields) == self._width:
            return self._others(fields)
        k = self._mapping.key  # a short row as read (every column sent)
        return tuple(f for i, f in enumerate(fields) if i != k)

    def split(self, rows: list[Row]) -> tuple[list[Row], Plan]:
        """The rows of a chunk to screen, and where each row's result will come from."""
        send: list[Row] = []
        plan: Plan = []
        pending, key_of, recall = self._pending, self._key, self._answers.get
        for row in rows:
            key = key_of(row[1]) if row[2] is None else None
            if key is not None:
                known = recall(key)
                if known is not None:
                    plan.append((_KNOWN, None, known))
                    continue
                waiting = pending.get(key)
                if waiting is not None:  # sent in this chunk or an earlier one
                    waiting[1] += 1
                    plan.append((_LATER, key, None))
                    continue
                pending[key] = [None, 1]
            plan.append((_SENT, key, len(send)))
            send.append(row)
        return send, plan

    def join(self, rows: list[Row], plan: Plan, screened: list[Screened]) -> list[Screened]:
        """The chunk's results in row order, from the results of the rows sent."""
        out: list[Screened] = []
        m, pending, keep, settle = self._mapping, self._pending, self._answers.put, self._settle
        for row, (how, key, ref) in zip(rows, plan, strict=True):
            if how == _SENT:
                got = screened[ref]
                out.append(got)
                if key is not None:
                    answer = got[2:]
                    keep(key, answer)
                    settle(key, answer)
                continue
            if how == _KNOWN:
                answer = ref
            else:
                answer = pending[key][0]  # its row was sent earlier, so joined already
                settle(key, answer)
            number, fields = row[0], row[1]
            out.append((row_key(fields, m, number), row_name(fields, m), *answer))
            self.reused += 1
        return out

    def _settle(self, key: tuple[str, ...], answer: _Answer) -> None:
        """One row waiting on ``key`` has its answer."""
        waiting = self._pending[key]
        waiting[0] = answer
        waiting[1] -= 1
        if not waiting[1]:
            del self._pending[key]
