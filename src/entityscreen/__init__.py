"""entityscreen: screen names against official sanctions and export-control lists, offline.

    >>> from entityscreen import Screener, Query
    >>> with Screener.open() as screener:                      # doctest: +SKIP
    ...     hits = screener.search(Query("Megvii", country="CN"))
"""

from entityscreen.errors import (
    EntityscreenError,
    FetchError,
    InputError,
    SourceFormatError,
    StoreError,
    UsageError,
)
from entityscreen.model import (
    Alignment,
    Evidence,
    Explanation,
    Hit,
    Listing,
    Name,
    NameKind,
    Party,
    PartyType,
    Query,
)
from entityscreen.screener import Screener
from entityscreen.settings import Settings

__all__ = [
    "Alignment",
    "EntityscreenError",
    "Evidence",
    "Explanation",
    "FetchError",
    "Hit",
    "InputError",
    "Listing",
    "Name",
    "NameKind",
    "Party",
    "PartyType",
    "Query",
    "Screener",
    "Settings",
    "SourceFormatError",
    "StoreError",
    "UsageError",
]
