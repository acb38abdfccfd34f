"""Refreshing the store: from the publishers' URLs, or from files carried in by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from entityscreen.errors import EntityscreenError, InputError, SourceFormatError
from entityscreen.fetch import Fetcher
from entityscreen.model import SourceVersion
from entityscreen.sources import BUNDLED, SourceSpec, all_sources, get_source
from entityscreen.store import Store

__all__ = ["UpdateResult", "update_from_network", "update_from_path"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class UpdateResult:
    source: str
    version: SourceVersion | None  # None: unchanged or failed
    note: str  # "imported", "not modified", or the error


def update_from_network(
    store: Store, fetcher: Fetcher, sources: Iterable[str] = BUNDLED,
    progress: Progress | None = None,
) -> list[UpdateResult]:
    """Download and import each source. One source failing leaves the others (and its own
    previous version) intact; the failures are reported in the results."""
    results = []
    for name in sources:
        spec = get_source(name)
        try:
            fetched = {}
            unchanged = True
            urls = dict(spec.urls)
            if not spec.required:
                # alternatives of one list (XLSX or CSV): the first is the preferred one
                first = next(iter(urls))
                urls = {first: urls[first]}
            for fname, url in urls.items():
                if progress:
                    progress(f"{name}: fetching {url}")
                got = fetcher.fetch(url, conditional=True)
                if got.data is None:
                    continue
                unchanged = False
                fetched[fname] = got
            if unchanged:
                results.append(UpdateResult(name, None, "not modified"))
                continue
            if set(fetched) != set(urls):
                # some files changed, some not: take every file again, unconditionally
                for fname, url in urls.items():
                    if fname not in fetched:
                        fetched[fname] = fetcher.fetch(url, conditional=False)
            files = {f: g.data for f, g in fetched.items() if g.data is not None}
            version = store.import_source(spec, files, origin="download")
            for got in fetched.values():
                fetcher.remember(got)
            results.append(UpdateResult(name, version, "imported"))
        except EntityscreenError as exc:
            results.append(UpdateResult(name, None, str(exc)))
    return results


def _claims(spec: SourceSpec, paths: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for p in paths:
        canonical = spec.canonical(p.name)
        if canonical:
            found.setdefault(canonical, p)
    return found


def update_from_path(
    store: Store, path: Path, sources: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> list[UpdateResult]:
    """Import list files from a folder (or one file). Files are recognised by their official
    names; when two formats share a name (``consolidated.xml``), the one that parses wins."""
    if not path.exists():
        raise InputError(f"{path} does not exist", fix="pass a folder of list files")
    paths = sorted(p for p in (path.iterdir() if path.is_dir() else [path]) if p.is_file())
    wanted = set(sources) if sources else None
    specs = [s for s in all_sources() if wanted is None or s.name in wanted]
    by_file: dict[frozenset[Path], list[SourceSpec]] = {}
    for spec in specs:
        claims = _claims(spec, paths)
        if claims and spec.required <= set(claims):
            by_file.setdefault(frozenset(claims.values()), []).append(spec)
    if not by_file:
        names = ", ".join(p.name for p in paths) or "no files"
        raise InputError(
            f"{path}: no official list file recognised ({names})",
            fix="files must keep the publisher's names, e.g. sdn.csv, consolidated.csv, "
            "CONS_ENHANCED.ZIP, dpl.txt, ConList.xlsx; see `entityscreen lists --formats`",
        )
    results = []
    for group, candidates in by_file.items():
        errors = []
        for spec in candidates:
            claims = _claims(spec, sorted(group))
            files = {fname: p.read_bytes() for fname, p in claims.items()}
            if progress:
                progress(f"{spec.name}: importing {', '.join(p.name for p in claims.values())}")
            try:
                version = store.import_source(spec, files, origin=str(path.resolve()))
            except SourceFormatError as exc:
                errors.append(str(exc))
                continue
            results.append(UpdateResult(spec.name, version, "imported"))
            break
        else:
            results.append(UpdateResult(candidates[0].name, None, "; ".join(errors)))
    return results
