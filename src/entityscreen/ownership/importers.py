"""One entry point for the ownership importers: a file and its format in, :class:`Parsed` out."""

from __future__ import annotations

from pathlib import Path

from entityscreen.errors import UsageError
from entityscreen.ownership.model import Parsed

__all__ = ["read"]


def read(path: Path, fmt: str, *, source: str, names: Path | None = None) -> Parsed:
    if fmt == "table":
        from entityscreen.ownership.table import read_table

        return read_table(path, source=source)
    if fmt == "ftm":
        from entityscreen.ownership.ftm import read_ftm

        return read_ftm(path, source=source)
    if fmt == "gleif":
        from entityscreen.ownership.gleif import read_gleif

        return read_gleif(path, source=source, names=names)
    if fmt == "bods":
        from entityscreen.ownership.bods import read_bods

        return read_bods(path, source=source)
    raise UsageError(f"unknown ownership format {fmt!r}", fix="use table, ftm, gleif or bods")
