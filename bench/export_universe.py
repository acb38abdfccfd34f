"""Export every listed party as FollowTheMoney-like JSON lines, for the peer matchers.

Runs in the entityscreen venv (it reads entityscreen's store); the output is read by
``peer_search.py`` in the bench-only ``bench/.peers`` venv, so the two never share a process.

    python bench/export_universe.py [--home DIR] [--out bench/out/universe.jsonl] [--force]

Each line: {"id", "schema", "properties": {"name": [primary], "alias": [...], "country": [...],
"birthDate": [...]}, "caption": primary}. A side file ``<out>.meta.json`` records the store's
state key, so an unchanged store is not exported twice.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from entityscreen.model import Party, PartyType
from entityscreen.settings import Settings
from entityscreen.store import Store

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out" / "universe.jsonl"

# entityscreen type -> FtM schema. UNKNOWN (the CSL gives no type for EL/DPL/UVL... rows)
# becomes LegalEntity, which both Person and Organization queries may match.
SCHEMA = {
    PartyType.PERSON: "Person",
    PartyType.ORGANIZATION: "Organization",
    PartyType.VESSEL: "Vessel",
    PartyType.AIRCRAFT: "Airplane",
    PartyType.UNKNOWN: "LegalEntity",
}


def to_ftm(party: Party) -> dict[str, object]:
    props: dict[str, list[str]] = {"name": [party.name]}
    if party.aliases:
        props["alias"] = list(party.aliases)
    if party.countries:
        props["country"] = list(party.countries)
    # Only FtM's Person schema has birthDate; elsewhere it would be dropped anyway.
    if party.birth_dates and party.type is PartyType.PERSON:
        props["birthDate"] = list(party.birth_dates)
    return {"id": party.id, "schema": SCHEMA[party.type], "properties": props,
            "caption": party.name}


def meta_path(out: Path) -> Path:
    return out.with_name(out.name + ".meta.json")


def read_meta(out: Path) -> dict[str, object] | None:
    try:
        meta = json.loads(meta_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and out.exists() else None


def export(store: Store, out: Path, *, force: bool = False) -> dict[str, object]:
    """Write the universe unless ``out`` already holds this store state; return its meta."""
    key = store.state_key()
    meta = read_meta(out)
    if meta is not None and meta.get("state_key") == key and not force:
        return meta
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    parties = names = 0
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for party in store.parties():
            if not party.names:
                continue
            parties += 1
            names += 1 + len(party.aliases)
            fh.write(json.dumps(to_ftm(party), ensure_ascii=False) + "\n")
    tmp.replace(out)
    meta = {"state_key": key, "parties": parties, "names": names,
            "seconds": round(time.perf_counter() - started, 2)}
    meta_path(out).write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return meta


def _progress(message: str) -> None:
    print(f"export: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, help="entityscreen home [env ENTITYSCREEN_HOME]")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--force", action="store_true", help="export even if up to date")
    args = ap.parse_args(argv)
    settings = Settings.from_env(home=args.home)
    store = Store.open(settings.db_path)
    try:
        if not store.versions():
            # First use: let the screener import the bundled lists (and build its index).
            from entityscreen.screener import Screener

            store.close()
            Screener.open(settings, progress=_progress).close()
            store = Store.open(settings.db_path)
        meta = export(store, args.out, force=args.force)
    finally:
        store.close()
    print(f"{args.out}: {meta['parties']} parties, {meta['names']} names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
