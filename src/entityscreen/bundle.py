"""The offline snapshot shipped inside the package (``data/lists``), loaded on first use."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from importlib import resources

from entityscreen.errors import SourceFormatError
from entityscreen.model import SourceVersion
from entityscreen.sources import BUNDLED, get_source
from entityscreen.sources.common import iso_date
from entityscreen.store import Store

__all__ = ["bundled_files", "load_bundled"]


def bundled_files(source: str) -> dict[str, bytes]:
    """The original bytes of one bundled source's files, checked against the manifest."""
    root = resources.files("entityscreen.data").joinpath("lists")
    manifest = json.loads(root.joinpath("MANIFEST.json").read_text("utf-8"))
    files: dict[str, bytes] = {}
    for entry in manifest[source]:
        data = gzip.decompress(root.joinpath(source, entry["stored"]).read_bytes())
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise SourceFormatError(
                entry["stored"], "bundled file does not match its recorded checksum",
                fix="reinstall entityscreen",
            )
        files[entry["file"]] = data
    return files


def snapshot_date(source: str) -> str | None:
    """The date of the bundled snapshot (the folder it was taken from starts with it)."""
    root = resources.files("entityscreen.data").joinpath("lists")
    manifest = json.loads(root.joinpath("MANIFEST.json").read_text("utf-8"))
    folder = manifest[source][0]["snapshot"].split("/")[-1]
    return iso_date(folder[:10])


def load_bundled(
    store: Store, progress: Callable[[str], None] | None = None
) -> list[SourceVersion]:
    """Import every bundled source into ``store`` (each one atomically)."""
    done = []
    for name in BUNDLED:
        if progress:
            progress(f"importing bundled {name}")
        done.append(store.import_source(get_source(name), bundled_files(name),
                                        origin="bundled snapshot",
                                        published=snapshot_date(name)))
    return done
