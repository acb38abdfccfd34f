"""Run the shared evaluation runner (``/work/shared/eval/run.py``) on one engine command and read
its markdown report back into numbers. Standard library only."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Category", "EvalResult", "Failure", "parse_report", "run_eval"]


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    kind: str  # "positive" / "negative"
    n: int
    pass_rate: float
    top1: float | None


@dataclass(frozen=True, slots=True)
class Failure:
    case_id: str
    category: str
    query: str
    got: str
    want: str


@dataclass(slots=True)
class EvalResult:
    engine: str
    recall: float = float("nan")
    recall_count: str = ""
    top1: float = float("nan")
    unexpected: float = float("nan")
    false_alarm: float = float("nan")
    false_alarm_count: str = ""
    wall_s: float = float("nan")
    first_s: float | None = None
    qps: float = float("nan")
    error: str | None = None
    categories: list[Category] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    report: Path | None = None
    headline: str = ""


def _num(text: str) -> float:
    m = re.search(r"-?\d+(?:\.\d+)?|nan", text)
    if not m:
        return float("nan")
    return float(m.group(0))


def _paren(text: str) -> str:
    m = re.search(r"\(([^)]*)\)", text)
    return m.group(1) if m else ""


# Failing-case lines: "- dev-0001 [typo] 'query' -> hit; hit | expect [...]"
_FAIL = re.compile(r"^- (\S+) \[([^\]]+)\] (.*?) -> (.*) \| (expect .*)$")


def parse_report(engine: str, text: str) -> EvalResult:
    """Numbers from the runner's markdown report (the format of its ``--out`` file)."""
    res = EvalResult(engine)
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
            continue
        if line.startswith("recall ") and "false-alarm" in line:
            res.headline = line.strip()
        if section.startswith("failing"):
            m = _FAIL.match(line)
            if m:
                res.failures.append(Failure(*m.groups()))
            continue
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if section == "per category" and len(cells) == 5 and cells[0] != "category":
            top1 = None if cells[4] == "-" else _num(cells[4])
            res.categories.append(Category(cells[0], cells[1], int(_num(cells[2])),
                                           _num(cells[3]), top1))
            continue
        if section or len(cells) < 2:
            continue
        key, value = cells[0], "|".join(cells[1:])
        if key.startswith("positives recall"):
            res.recall, res.recall_count = _num(value), _paren(value)
        elif key.startswith("top-1 rate"):
            res.top1 = _num(value)
        elif key.startswith("mean unexpected"):
            res.unexpected = _num(value)
        elif key.startswith("negatives false-alarm"):
            res.false_alarm, res.false_alarm_count = _num(value), _paren(value)
        elif key == "wall time":
            res.wall_s = _num(value)
            m = re.search(r"first result after ([\d.]+)", value)
            res.first_s = float(m.group(1)) if m else None
        elif key.startswith("queries/s"):
            res.qps = _num(value)
        elif key == "ERROR":
            res.error = value
    return res


def run_eval(engine: str, runner: Path, cases: Path, cmd: str, report: Path, *,
             limit: int | None = None, timeout: float = 1800.0,
             env: dict[str, str] | None = None) -> EvalResult:
    """Run the runner once for ``cmd``; its report goes to ``report`` and is parsed back."""
    argv = [sys.executable, str(runner), str(cases), "--cmd", cmd, "--out", str(report),
            "--timeout", str(timeout)]
    if limit:
        argv += ["--limit", str(limit)]
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    proc = subprocess.run(argv, capture_output=True, text=True,
                          env=env, check=False)
    if not report.exists():
        res = EvalResult(engine)
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        res.error = f"runner exited {proc.returncode} without a report: {' / '.join(tail)}"
        return res
    res = parse_report(engine, report.read_text(encoding="utf-8"))
    res.report = report
    if proc.returncode != 0 and res.error is None:
        res.error = f"runner exited with status {proc.returncode}"
    return res
