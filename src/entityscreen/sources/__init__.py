"""Official list formats: one module per format, each a pure parser (bytes in, parties out).

Every module exports ``SOURCES``, a tuple of :class:`SourceSpec`. A spec names the source as the
store keeps it, the files it is made of (with their official URLs, all in one place here), how to
recognise them in a folder, and the two pure functions ``parse(files)`` and ``published(files)``
where ``files`` maps a file's canonical name to its bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from entityscreen.model import Party

__all__ = ["BUNDLED", "SourceSpec", "all_sources", "get_source"]

Files = Mapping[str, bytes]


@dataclass(frozen=True)
class SourceSpec:
    name: str  # store key, e.g. "us_csl"
    title: str  # human title
    publisher: str
    # canonical file name -> official download URL. Every required file must be present.
    urls: Mapping[str, str]
    parse: Callable[[Files], Iterator[Party]]
    published: Callable[[Files], str | None]
    # files that may be absent (e.g. *_comments.csv)
    optional: frozenset[str] = field(default_factory=frozenset)
    # other names the same file goes by (lower-case) -> canonical name, for `update --from DIR`
    file_aliases: Mapping[str, str] = field(default_factory=dict)
    licence: str = "public domain (US Government work)"
    # True when the publisher's licence allows shipping the file inside the package
    redistributable: bool = True

    @property
    def required(self) -> frozenset[str]:
        return frozenset(self.urls) - self.optional

    def canonical(self, filename: str) -> str | None:
        low = filename.lower()
        for name in self.urls:
            if name.lower() == low:
                return name
        return self.file_aliases.get(low)


# Sources loaded by default from the snapshot shipped inside the package.
BUNDLED = (
    "us_csl",
    "ofac_cons_csv",
    "ofac_cons_enhanced",
    "un_sc",
    "uk_ofsi",
    "bis_dpl",
)


def all_sources() -> tuple[SourceSpec, ...]:
    from entityscreen.sources import (
        bis_dpl,
        csl,
        eu_fsf,
        ftm,
        ofac_csv,
        ofac_enhanced,
        ofac_xml,
        uk_ofsi,
        un_sc,
    )

    specs: list[SourceSpec] = []
    for module in (csl, ofac_csv, ofac_xml, ofac_enhanced, bis_dpl, un_sc, uk_ofsi, eu_fsf, ftm):
        specs.extend(module.SOURCES)
    return tuple(specs)


def get_source(name: str) -> SourceSpec:
    from entityscreen.errors import UsageError

    for spec in all_sources():
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in all_sources())
    raise UsageError(f"unknown source {name!r}", fix=f"use one of: {known}")
