"""Change-driven re-screening: screen the watch set against what changed since last time.

The store remembers what the last rescreen screened against (each source's version, the
algorithm, the matching tables' digest, the threshold) and the matches it found per watched
row. A rescreen then:

- diffs every source from that version to the active one (:mod:`entityscreen.changes`);
- looks the names of the added and changed parties up in the index of watched names
  (:func:`~entityscreen.watch.watch_index`), plus the rows that carry one of their
  identifiers or matched them before, and scores those rows against those parties only, with
  the lists' own weights, so a score is the one ``search`` gives;
- clears the matches on parties no longer listed;
- screens in full (``Screener.search``) the rows never screened, and every row when the
  algorithm, its tables (legal forms, name spellings...) or the threshold changed, or when a
  version it must diff from is no longer stored.

It reports *new* matches, *cleared* matches (the party was removed or no longer matches) and
*changed* matches (the party's content or the score changed), and stores the new state in one
transaction, so running it again without an update reports nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from entityscreen.changes import SourceDiff, diff_versions, fingerprint
from entityscreen.match.index import Index, reference_digest
from entityscreen.match.scoring import MATCHING_REVISION
from entityscreen.model import Hit, Party, Query
from entityscreen.report import hit_to_dict, party_to_result
from entityscreen.rescreen_match import candidates, score_against
from entityscreen.screener import Screener
from entityscreen.store import KEEP_VERSIONS, Store
from entityscreen.watch import watch_index
from entityscreen.watchset import WatchHit

__all__ = ["Finding", "RescreenReport", "finding_to_dict", "rescreen"]

Progress = Callable[[str], None]
# Scores closer than this are the same score (scores are rounded to 4 decimals).
SCORE_EPSILON = 1e-4


@dataclass(frozen=True, slots=True)
class Finding:
    """One change in what a watched row matches."""

    change: str  # "new", "cleared" or "changed"
    key: str
    name: str  # the watched name
    party_id: str
    party_name: str
    score: float | None  # now; None when the party is no longer listed or not scored
    previous_score: float | None
    reason: str  # why the row was looked at: "added to us_csl", "algorithm changed", ...
    fields: tuple[str, ...] = ()  # for "changed": party fields that changed, and/or "score"
    hit: Hit | None = None  # the current match (new and changed)
    party: Party | None = None  # the party as listed now (new and changed)


@dataclass
class RescreenReport:
    mode: str  # "changes" (only what changed) or "full" (every row against everything)
    reason: str  # why this mode
    rows: int  # watched rows
    rescored: int  # rows scored against changed parties
    screened: int  # rows screened against everything
    diffs: list[SourceDiff] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, change: str) -> int:
        return sum(1 for f in self.findings if f.change == change)

    def summary(self) -> dict[str, Any]:
        return {
            "mode": self.mode, "reason": self.reason, "rows": self.rows,
            "rescored": self.rescored, "screened": self.screened,
            "sources": [{"source": d.source, "from": d.old_version, "to": d.new_version,
                         "added": d.count("added"), "removed": d.count("removed"),
                         "changed": d.count("changed")} for d in self.diffs],
            "new": self.count("new"), "cleared": self.count("cleared"),
            "changed": self.count("changed"), "seconds": round(self.seconds, 2),
        }


@dataclass
class _Touched:
    """A listed record that changed since the last rescreen, and how."""

    name: str
    party: Party | None  # as listed now (merged across feeds); None: no longer listed
    notes: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)


def party_key(party: Party) -> str:
    return party.merge_key or party.id


def _full_reason(store: Store, state: dict[str, Any] | None, now: dict[str, int],
                 algorithm: str, tables: str, threshold: float, full: bool) -> str | None:
    """Why every row must be screened against everything (None: only what changed)."""
    if full:
        return "asked for"
    if state is None:
        return "first rescreen"
    if state["algorithm"] != algorithm:
        return f"algorithm changed ({state['algorithm']} → {algorithm})"
    if state.get("tables") != tables:
        # legal forms, spellings, abbreviations...: the same algorithm now reads names
        # otherwise (a state from before this was recorded cannot tell, so it counts)
        return "matching tables changed (legal forms, name spellings...)"
    if state.get("matching", 1) != MATCHING_REVISION:
        # an upgrade whose matching code finds otherwise (states before this was recorded
        # are revision 1)
        return (f"matching code changed (revision {state.get('matching', 1)} → "
                f"{MATCHING_REVISION})")
    if state["threshold"] != threshold:
        return f"threshold changed ({state['threshold']} → {threshold})"
    stored = {(v.source, v.version) for v in store.versions(active_only=False)}
    for source, version in sorted(state["versions"].items()):
        if version != now.get(source) and (source, version) not in stored:
            return (f"version {version} of {source} is no longer stored (more than "
                    f"{KEEP_VERSIONS} updates since the last rescreen)")
    return None


def _touched(store: Store, diffs: list[SourceDiff]) -> dict[str, _Touched]:
    """Every listed record (by party key) that a diff touches, with the party as now."""
    out: dict[str, _Touched] = {}
    for d in diffs:
        for c in d.changes:
            t = out.get(c.party_key)
            if t is None:
                party = store.party_by_key(c.party_key)
                t = out[c.party_key] = _Touched(party.name if party else c.name, party)
            if c.change == "changed":
                names = [f.field for f in c.fields]
                t.notes.append(f"changed in {d.source}: {', '.join(names)}")
                t.fields.update(names)
            else:
                t.notes.append(f"{c.change} {'to' if c.change == 'added' else 'from'} "
                               f"{d.source}")
                t.fields.add("listings")
    return out


class _Run:
    """One rescreen's comparisons with the stored matches, and what to store after it."""

    def __init__(self, screener: Screener, previous: dict[str, dict[str, WatchHit]]) -> None:
        self.screener = screener
        self.previous = previous
        self.findings: list[Finding] = []
        self.hits: list[tuple[str, str, WatchHit]] = []
        self.dropped: list[tuple[str, str]] = []

    def compare(self, key: str, name: str, pkey: str, party: Party | None, hit: Hit | None,
                reason: str, fields: Iterable[str] = ()) -> None:
        """Record what the row matches on one listed record now against the stored match.

        ``party`` is the record as listed now (None: no longer listed); ``hit`` the row's
        score against it (None: not scored or nothing in common); a match when ``hit.match``.
        """
        prev = self.previous.get(key, {}).get(pkey)
        if party is None or hit is None or not hit.match:
            if prev is not None:
                self.dropped.append((key, pkey))
                if party is None:
                    why = reason or "no longer listed"
                else:
                    why = f"no longer matches (score {hit.score if hit else 0.0:.2f})"
                    why += f"; {reason}" if reason else ""
                self.findings.append(Finding(
                    "cleared", key, name, prev.party_id, prev.party_name,
                    hit.score if hit and party else None, prev.score, why))
            return
        fp = fingerprint(party)
        self.hits.append((key, pkey, WatchHit(party.id, party.name, hit.score, fp)))
        if prev is None:
            self.findings.append(Finding("new", key, name, party.id, party.name, hit.score,
                                         None, reason, (), hit, party))
            return
        what = set(fields or ("content",)) if prev.fingerprint != fp else set()
        if abs(prev.score - hit.score) > SCORE_EPSILON:
            what.add("score")
        if what:
            self.findings.append(Finding("changed", key, name, party.id, party.name,
                                         hit.score, prev.score, reason, tuple(sorted(what)),
                                         hit, party))

    def changed_parties(self, store: Store, touched: dict[str, _Touched],
                        progress: Progress | None) -> int:
        """Re-score the rows that could match a touched party; clear matches on parties no
        longer listed. Returns the number of rows scored."""
        screener = self.screener
        index = screener.index
        pidx_of = {pid: i for i, pid in enumerate(index.party_ids)}
        targets = {pidx_of[t.party.id]: (k, t) for k, t in touched.items()
                   if t.party is not None and t.party.id in pidx_of}
        gone = {k: t for k, t in touched.items() if t.party is None}
        names_of = {p: index.names_of(p) for p in targets}
        rows: dict[str, tuple[int, set[int]]] = {}
        watched: Index | None = None
        if targets:
            watched = watch_index(store, screener.settings.cache_dir, progress)
            rows = candidates(watched, index, targets, screener.algorithm,
                              screener.settings.threshold)
        by_key = {k: p for p, (k, _t) in targets.items()}
        for key, prev in self.previous.items():
            for pkey in prev:
                if pkey in by_key:  # a row matching a changed party is always re-scored
                    rows.setdefault(key, (-1, set()))[1].add(by_key[pkey])
                elif pkey in gone:
                    rows.setdefault(key, (-1, set()))
        scored = 0
        for key, query, screened in store.watch.rows(rows):
            if not screened:
                continue  # screened in full below
            scored += 1
            nid, parties = rows[key]
            analyzed = watched.analysis(nid) if watched is not None and nid >= 0 else None
            hits = {h.party_id: h for h in score_against(
                screener, query, sorted(parties), names_of=names_of, analyzed=analyzed)}
            for p in parties:
                pkey, t = targets[p]
                self.compare(key, query.name, pkey, t.party, hits.get(index.party_ids[p]),
                             "; ".join(t.notes), sorted(t.fields))
            for pkey in self.previous.get(key, {}).keys() & gone.keys():
                self.compare(key, query.name, pkey, None, None, "; ".join(gone[pkey].notes))
        return scored

    def full(self, rows: Iterable[tuple[str, Query, bool]], reason: str) -> list[str]:
        """Screen rows against every party; returns their keys."""
        screener = self.screener
        keys = []
        pidx_of: dict[str, int] | None = None
        for key, query, screened in rows:
            keys.append(key)
            why = reason if screened else "first screening of this row"
            seen: set[str] = set()
            for hit in screener.search(query):
                party = screener.party(hit.party_id)
                if not hit.match or party is None:
                    continue
                pkey = party_key(party)
                seen.add(pkey)
                self.compare(key, query.name, pkey, party, hit, why)
            for pkey in self.previous.get(key, {}).keys() - seen:
                # a match no longer among the best hits: say what it scores now
                party = screener.store.party_by_key(pkey)
                now = None
                if party is not None:
                    if pidx_of is None:
                        pidx_of = {p: i for i, p in enumerate(screener.index.party_ids)}
                    pidx = pidx_of.get(party.id)
                    found = score_against(screener, query, [pidx]) if pidx is not None else []
                    now = found[0] if found else None
                gone = "no longer listed" + (f"; {why}" if why else "")
                self.compare(key, query.name, pkey, party, now, why if party else gone)
        return keys


def rescreen(screener: Screener, *, full: bool = False,
             progress: Progress | None = None) -> RescreenReport:
    """Screen the watch set against what changed since the last rescreen (see the module
    docstring); ``full`` screens every row against everything."""
    started = time.perf_counter()
    store, settings = screener.store, screener.settings
    algorithm = screener.algorithm.name
    now = {v.source: v.version for v in screener.versions}
    state = store.watch.rescreen_state()
    tables = reference_digest()  # the matching tables this screener reads names with
    why = _full_reason(store, state, now, algorithm, tables, settings.threshold, full)
    rows, done = store.watch.count()
    run = _Run(screener, store.watch.results())
    report = RescreenReport("full" if why else "changes", why or "", rows, 0, 0)
    if why is None and state is not None:
        before: dict[str, int] = state["versions"]
        report.diffs = [diff_versions(store, s, before.get(s), now.get(s))
                        for s in sorted(before.keys() | now.keys())
                        if before.get(s) != now.get(s)]
        report.reason = ", ".join(
            f"{d.source} {d.old_version or '-'} → {d.new_version or '-'}" for d in report.diffs
        ) or "no list changed"
        if report.diffs and done:
            if progress:
                progress(f"re-screening against the changes: {report.reason}")
            report.rescored = run.changed_parties(store, _touched(store, report.diffs),
                                                  progress)
    todo = store.watch.rows(screened=None if why else False)
    if progress and (why or done < rows):
        progress(f"screening {rows if why else rows - done} watched rows in full"
                 + (f" ({why})" if why else ""))
    screened = run.full(todo, why or "")
    report.screened = len(screened)
    store.watch.save_rescreen(
        hits=run.hits, dropped=run.dropped, screened=screened,
        state={"versions": now, "algorithm": algorithm, "tables": tables,
               "matching": MATCHING_REVISION,
               "threshold": settings.threshold,
               "at": datetime.now(UTC).isoformat(timespec="seconds")},
    )
    report.findings = sorted(run.findings, key=lambda f: (f.key, f.change, f.party_id))
    report.seconds = time.perf_counter() - started
    return report


def finding_to_dict(finding: Finding, screener: Screener) -> dict[str, Any]:
    """One line of ``rescreen --json``; ``result`` is a result of the search JSON contract."""
    out: dict[str, Any] = {
        "change": finding.change, "key": finding.key, "name": finding.name,
        "party_id": finding.party_id, "party_name": finding.party_name,
        "score": finding.score, "previous_score": finding.previous_score,
        "reason": finding.reason, "fields": list(finding.fields), "result": None,
    }
    if finding.hit is not None and finding.party is not None:
        static = screener.derived(finding.party, party_to_result)
        out["result"] = hit_to_dict(finding.hit, finding.party, static)
    return out
