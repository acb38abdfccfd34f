"""What changed between two versions of a list: parties added, removed and changed.

Pure functions over parties. Two parties with the same id are *changed* when any of their
fields differ as sets: names, listings, addresses, countries, identifiers, birth dates, type,
remarks or merge key. Order does not count (publishers reorder identifiers and aliases between
releases without meaning anything by it), so each field is rendered as a set of short strings
and the change says which strings went and which came:

    names: - NATIONAL BANK OF CUBA [alias]  + BANCO NACIONAL [alias]
    listings: - US Treasury OFAC SDN/SDNT 10000 — source_url http://bit.ly/1I7ipyR
              + US Treasury OFAC SDN/SDNT 10000 — source_url https://www.treasury.gov/…

A listing is matched with its counterpart by its identity (authority, list, program, record
id), so a changed citation or date shows as that one attribute, not as a whole new listing.

:func:`diff_parties` is pure; :func:`diff_versions` and :func:`diff_source` read the two
versions from the store (which keeps ``KEEP_VERSIONS`` of each source).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from entityscreen.codec import party_from_dict
from entityscreen.errors import UsageError
from entityscreen.model import Listing, Name, NameKind, Party
from entityscreen.store import Store

__all__ = [
    "FIELDS",
    "FieldChange",
    "PartyChange",
    "SourceDiff",
    "diff_parties",
    "diff_source",
    "diff_versions",
    "field_changes",
    "fingerprint",
    "party_fields",
]

# The fields compared, in the order changes are reported.
FIELDS = (
    "names", "type", "listings", "addresses", "countries", "identifiers", "birth_dates",
    "remarks", "merge_key",
)
# Listing attributes compared once two listings are known to be the same listing.
_LISTING_ATTRS = ("listed_on", "citation", "source_url", "feeds", "details")
# Between a listing's label and one of its attributes (labels never contain it).
_SEP = " — "


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a party that differs: the values that went and the values that came."""

    field: str
    removed: tuple[str, ...]
    added: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartyChange:
    change: str  # "added", "removed" or "changed"
    id: str
    name: str  # the primary name (the new one, for a changed party)
    fields: tuple[FieldChange, ...] = ()  # for "changed" only
    merge_key: str | None = None  # of the new party (of the old one, when removed)

    @property
    def party_key(self) -> str:
        """What identifies the listed record across feeds: the merge key, else the id."""
        return self.merge_key or self.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "id": self.id,
            "name": self.name,
            "fields": [
                {"field": f.field, "removed": list(f.removed), "added": list(f.added)}
                for f in self.fields
            ],
            "merge_key": self.merge_key,
        }


@dataclass(frozen=True, slots=True)
class SourceDiff:
    source: str
    old_version: int | None  # None: the source was not loaded before (every party is added)
    new_version: int | None  # None: the source is gone (every party is removed)
    changes: tuple[PartyChange, ...] = field(default=())

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)


def _name(n: Name) -> str:
    tags = [t for t in (
        None if n.kind is NameKind.PRIMARY else n.kind.value, n.script, n.lang) if t]
    return f"{n.value} [{', '.join(tags)}]" if tags else n.value


def _label(lst: Listing) -> str:
    parts = [lst.list + (f"/{lst.program}" if lst.program else "")]
    if lst.record_id:
        parts.append(lst.record_id)
    return f"{lst.authority} {' '.join(parts)}"


def _listing_attr(lst: Listing, attr: str) -> str:
    value: object = getattr(lst, attr)
    if attr == "feeds":
        return ",".join(lst.feeds)
    if attr == "details":
        return "; ".join(f"{k}={v}" for k, v in sorted(lst.details))
    return "" if value is None else str(value)


def _listings(listings: Iterable[Listing]) -> dict[str, dict[str, str]]:
    """Listing label -> its compared attributes (two listings with one label: the first)."""
    out: dict[str, dict[str, str]] = {}
    for lst in listings:
        out.setdefault(_label(lst), {a: _listing_attr(lst, a) for a in _LISTING_ATTRS})
    return out


def party_fields(party: Party) -> dict[str, frozenset[str]]:
    """Every compared field of a party as a set of short strings (what diffs compare)."""
    listings = _listings(party.listings)
    return {
        "names": frozenset(_name(n) for n in party.names),
        "type": frozenset((party.type.value,)),
        "listings": frozenset(
            f"{label}{_SEP}{attr} {value}" for label, attrs in listings.items()
            for attr, value in attrs.items() if value
        ) | frozenset(listings),
        "addresses": frozenset(
            a.text + (f" ({a.country})" if a.country else "") for a in party.addresses),
        "countries": frozenset(party.countries),
        "identifiers": frozenset(
            f"{i.type} {i.value}" + (f" ({i.country})" if i.country else "")
            for i in party.identifiers),
        "birth_dates": frozenset(party.birth_dates),
        "remarks": frozenset((party.remarks,)) if party.remarks else frozenset(),
        "merge_key": frozenset((party.merge_key,)) if party.merge_key else frozenset(),
    }


def field_changes(old: Party, new: Party) -> tuple[FieldChange, ...]:
    """The fields in which two versions of one party differ (empty: the same content)."""
    if old == new:
        return ()
    a, b = party_fields(old), party_fields(new)
    out = []
    for name in FIELDS:
        went: set[str] = set(a[name] - b[name])
        came: set[str] = set(b[name] - a[name])
        if not (went or came):
            continue
        if name == "listings":
            # a listing that went or came is shown by its label alone, not attribute by
            # attribute; a listing in both versions shows the attributes that changed
            gone = {v for v in went if _SEP not in v}
            new_ = {v for v in came if _SEP not in v}
            went = {v for v in went if v in gone or v.split(_SEP, 1)[0] not in gone}
            came = {v for v in came if v in new_ or v.split(_SEP, 1)[0] not in new_}
        out.append(FieldChange(name, tuple(sorted(went)), tuple(sorted(came))))
    return tuple(out)


def fingerprint(party: Party) -> str:
    """A digest of a party's content that ignores order, as :func:`field_changes` does: two
    versions of a party have one fingerprint exactly when they show no field change."""
    h = hashlib.sha256()
    for name, values in party_fields(party).items():
        h.update(name.encode())
        for v in sorted(values):
            h.update(b"\0" + v.encode("utf-8", "replace"))
        h.update(b"\1")
    return h.hexdigest()[:24]


def diff_parties(
    old: Mapping[str, Party], new: Mapping[str, Party]
) -> tuple[PartyChange, ...]:
    """Parties added, removed and changed from ``old`` to ``new`` (both keyed by party id),
    in the order added, removed, changed, each sorted by id."""
    added = [PartyChange("added", pid, new[pid].name, merge_key=new[pid].merge_key)
             for pid in sorted(new.keys() - old.keys())]
    removed = [PartyChange("removed", pid, old[pid].name, merge_key=old[pid].merge_key)
               for pid in sorted(old.keys() - new.keys())]
    changed = []
    for pid in sorted(old.keys() & new.keys()):
        fields = field_changes(old[pid], new[pid])
        if fields:
            changed.append(PartyChange("changed", pid, new[pid].name, fields,
                                       new[pid].merge_key))
    return (*added, *removed, *changed)


def diff_versions(
    store: Store, source: str, old: int | None, new: int | None
) -> SourceDiff:
    """The changes to ``source`` from stored version ``old`` to ``new`` (None: no version,
    so every party of the other one is added or removed)."""
    before = store.party_data(source, old) if old is not None else {}
    after = store.party_data(source, new) if new is not None else {}
    # a party stored with the same text is unchanged: decode only the others
    differ = [pid for pid, text in before.items() if after.get(pid, text) != text]

    def decode(data: dict[str, str], ids: Iterable[str]) -> dict[str, Party]:
        return {pid: party_from_dict(orjson.loads(data[pid])) for pid in ids}

    return SourceDiff(source, old, new, diff_parties(
        decode(before, [*(before.keys() - after.keys()), *differ]),
        decode(after, [*(after.keys() - before.keys()), *differ]),
    ))


def diff_source(
    store: Store, source: str, old: int | None = None, new: int | None = None
) -> SourceDiff:
    """The changes to a loaded source between two of its stored versions: by default from
    the version before the active one to the active one.

    Raises :class:`UsageError` naming the stored versions when one asked for is not stored,
    and when only one version is stored and ``old`` is not given.
    """
    versions = [v for v in store.versions(active_only=False) if v.source == source]
    if not versions:
        loaded = sorted({v.source for v in store.versions()})
        raise UsageError(f"source {source!r} is not loaded",
                         fix=f"loaded sources: {', '.join(loaded) or 'none'}")
    stored = [v.version for v in versions]
    listed = ", ".join(map(str, stored))
    active = next(v.version for v in store.versions() if v.source == source)
    new = active if new is None else new
    for v in (old, new):
        if v is not None and v not in stored:
            raise UsageError(f"{source} has no stored version {v}",
                             fix=f"stored versions: {listed} (see `entityscreen lists`)")
    if old is None:
        earlier = [v for v in stored if v < new]
        if not earlier:
            raise UsageError(
                f"{source} has no version stored before version {new}; nothing to compare",
                fix=f"stored versions: {listed}; run `entityscreen update` to add one")
        old = earlier[-1]
    return diff_versions(store, source, old, new)
