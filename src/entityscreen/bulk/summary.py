"""What a bulk run found, in counts that add up, and the checkpoint that lets it resume.

``rows == matches + reviews + clears + rejects`` always: every input row is accounted for.
The summary travels inside the checkpoint, so a resumed run reports the whole file, not only
the part it screened itself.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import orjson

from entityscreen.bulk.writers import Outcome

__all__ = ["CHECKPOINT_FORMAT", "Checkpoint", "Summary"]

# Flagged rows kept, best first, for the HTML report's "top hits".
TOP_HITS = 50
CHECKPOINT_FORMAT = 1


@dataclass
class Summary:
    """Counts of one run; ``rows`` = ``screened`` + ``rejects``."""

    source: str = ""
    output: str | None = None
    rejects_file: str | None = None
    rows: int = 0
    matches: int = 0
    reviews: int = 0
    clears: int = 0
    rejects: int = 0
    # "US Commerce BIS EL" -> [rows matching a party on it, rows to review against it]
    by_list: dict[str, list[int]] = field(default_factory=dict)
    # flagged rows, best score first: {"row", "key", "name", "decision", "hit"}
    top: list[dict[str, Any]] = field(default_factory=list)
    list_versions: dict[str, int] = field(default_factory=dict)
    # how old each source's data was (report.data_status): a run never looks more current
    data: dict[str, Any] = field(default_factory=dict)
    algorithm: str = ""
    threshold: float = 0.0
    review_threshold: float = 0.0
    workers: int = 1
    resumed_at: int = 0  # rows already done by an earlier, interrupted run
    elapsed: float = 0.0  # seconds of this run

    @property
    def screened(self) -> int:
        return self.matches + self.reviews + self.clears

    @property
    def rows_per_second(self) -> float:
        done = self.rows - self.resumed_at
        return done / self.elapsed if self.elapsed > 0 else 0.0

    def add(self, o: Outcome) -> None:
        self.rows += 1
        if o.decision == "rejected":
            self.rejects += 1
            return
        if o.decision == "clear":
            self.clears += 1
            return
        flagged = o.decision == "match"
        if flagged:
            self.matches += 1
        else:
            self.reviews += 1
        lists = {f"{x['authority']} {x['list']}"
                 for h in o.hits if h["match"] or not flagged for x in h["listings"]}
        for name in lists:
            self.by_list.setdefault(name, [0, 0])[0 if flagged else 1] += 1
        if o.hits:
            self._keep_top(o)

    def _keep_top(self, o: Outcome) -> None:
        score = o.hits[0]["score"]
        order = [(-t["hit"]["score"], t["row"]) for t in self.top]
        at = bisect.bisect(order, (-score, o.row))
        if at < TOP_HITS:
            self.top.insert(at, {"row": o.row, "key": o.key, "name": o.name,
                                 "decision": o.decision, "hit": o.hits[0]})
            del self.top[TOP_HITS:]

    def to_dict(self) -> dict[str, Any]:
        """The fields, sharing their values (already plain JSON data), not copies: the
        checkpoint encodes this after every chunk, and ``dataclasses.asdict`` deep-copied
        the 50 top hits each time (a third of the run's own CPU)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        return cls(**data)


@dataclass
class Checkpoint:
    """How far a run got: rows consumed and the committed length of each output file."""

    fingerprint: dict[str, Any]
    rows_done: int
    output_offset: int
    rejects_offset: int
    summary: Summary

    def save(self, path: Path) -> None:
        """Atomically: a kill leaves the previous checkpoint or this one, never half of one."""
        data = {"format": CHECKPOINT_FORMAT, "fingerprint": self.fingerprint,
                "rows_done": self.rows_done, "output_offset": self.output_offset,
                "rejects_offset": self.rejects_offset, "summary": self.summary.to_dict()}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(data))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        """The checkpoint at ``path``; None when there is none or it cannot be used."""
        try:
            data = orjson.loads(path.read_bytes())
            if data.get("format") != CHECKPOINT_FORMAT:
                return None
            return cls(data["fingerprint"], int(data["rows_done"]),
                       int(data["output_offset"]), int(data["rejects_offset"]),
                       Summary.from_dict(data["summary"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
