#!/usr/bin/env python3
"""Set up and run entityscreen with nothing but Python 3.11+ and pip (standard library only).

    python3 dev.py demo   # create .venv if missing, install, search "SenseTime" (bundled lists)
    python3 dev.py test   # create .venv if missing, install with dev tools, run ruff, mypy, pytest

Extra arguments after `test` go to pytest; after `demo`, they replace the search arguments.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT)
    if code != 0:
        sys.exit(code)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py must run on old Pythons to say so
        sys.exit(f"entityscreen needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    marker = VENV / f".installed{extras}"
    stamp = (ROOT / "pyproject.toml").stat().st_mtime
    if not marker.exists() or marker.stat().st_mtime < stamp:
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-e", f".{extras}")
        marker.touch()


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("demo", "test"):
        sys.exit(__doc__)
    task, rest = argv[0], argv[1:]
    if task == "demo":
        ensure_venv("")
        run(BIN / "entityscreen", "search", *(rest or ["SenseTime"]))
    else:
        ensure_venv("[dev]")
        run(BIN / "ruff", "check", "src", "tests", "bench", "scripts", "dev.py")
        run(BIN / "mypy")
        run(BIN / "python", "-m", "pytest", *rest)


if __name__ == "__main__":
    main(sys.argv[1:])
