"""A yente-like screening engine built from OpenSanctions' nomenklatura matchers, speaking the
evaluation runner's contract, so it can be scored side by side with entityscreen.

Runs in the bench-only venv (``bench/setup_peers.sh`` makes ``bench/.peers``):

    bench/.peers/bin/python bench/peer_search.py --universe bench/out/universe.jsonl \
        [--algorithm logic-v2|logic-v1|ofac] [--threshold T] < queries.jsonl

Per query line ({"name", "type", "country"}):

1. candidates: rapidfuzz ``process.extract`` of the casefolded query over every casefolded
   listed name and alias (scorer ``token_sort_ratio``), top 30 names, deduplicated to parties.
   This stands in for yente's Elasticsearch retrieval.
2. each candidate party is scored with ``nomenklatura.matching.get_algorithm(NAME).compare``
   (the query and every candidate are FtM entities with unique ids: logic-v2 caches name
   analysis by entity id).
3. output: {"query": ..., "results": [{"name", "aliases", "score", "match", "id", "schema"}]},
   best first, top 5; match = score >= threshold.

Thresholds (``--threshold`` overrides): logic-v2 and logic-v1 use 0.70, yente's documented
default match threshold. ofac uses 0.85: its scores are OFAC Sanctions List Search's 0-100
"name score" divided by 100, where OFAC's own slider defaults to 100 (exact matches only) and
OFAC declines to recommend a fuzzy threshold (FAQ 250); 0.85 is the middle of the 80-90 range
screeners commonly set, and yente's 0.70 would alert on most shared first names (the
Jaro-Winkler per-token scores of unrelated names sit around 0.7).

Query type: "person" -> Person, "organization" -> Organization, unknown -> LegalEntity. Like
yente, the algorithms refuse pairs whose schemata cannot match (Person vs Organization). An
unknown type means "any": for Vessel and Airplane candidates, which LegalEntity cannot match,
the query is built with the candidate's schema instead.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from nomenklatura.matching import get_algorithm
from rapidfuzz import fuzz, process

HERE = Path(__file__).resolve().parent
ALGORITHMS = ("logic-v2", "logic-v1", "ofac")
DEFAULT_THRESHOLDS = {"logic-v2": 0.70, "logic-v1": 0.70, "ofac": 0.85}
CANDIDATE_NAMES = 30
TOP = 5
QUERY_SCHEMA = {"person": "Person", "organization": "Organization"}

_ids = itertools.count()


def make_entity(schema: str, props: dict[str, list[str]], base_id: str) -> EntityProxy:
    """An FtM entity with a unique id (matcher caches key on the id)."""
    proxy = model.make_entity(schema)
    proxy.id = f"{base_id}#{next(_ids)}"
    for prop, values in props.items():
        for value in values:
            if value:
                proxy.add(prop, str(value), quiet=True)
    return proxy


@dataclass(slots=True)
class Listed:
    id: str
    name: str
    aliases: list[str]
    schema: str
    entity: EntityProxy


def load_universe(path: Path) -> tuple[list[Listed], list[str], list[int]]:
    """Parties, and the flat list of casefolded names with the index of their party."""
    parties: list[Listed] = []
    choices: list[str] = []
    owner: list[int] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            props = data.get("properties") or {}
            names = list(props.get("name") or [])
            aliases = list(props.get("alias") or [])
            if not names:
                continue
            entity = make_entity(data["schema"], props, data["id"])
            pidx = len(parties)
            parties.append(Listed(data["id"], names[0], aliases, data["schema"], entity))
            for n in dict.fromkeys(names + aliases):
                choices.append(n.casefold())
                owner.append(pidx)
    return parties, choices, owner


class PeerEngine:
    def __init__(self, universe: Path, algorithm: str, threshold: float) -> None:
        algo = get_algorithm(algorithm)
        if algo is None:
            raise SystemExit(f"peer_search: unknown algorithm {algorithm!r}")
        self.algo = algo
        self.config = algo.default_config()
        self.threshold = threshold
        self.parties, self.choices, self.owner = load_universe(universe)

    def candidates(self, name: str) -> list[int]:
        found = process.extract(name.casefold(), self.choices, scorer=fuzz.token_sort_ratio,
                                limit=CANDIDATE_NAMES)
        return list(dict.fromkeys(self.owner[i] for _choice, _score, i in found))

    def search(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        name = query.get("name") or ""
        if not isinstance(name, str) or not name.strip():
            return []
        props = {"name": [name]}
        country = query.get("country")
        if isinstance(country, str) and country:
            props["country"] = [country]
        base = QUERY_SCHEMA.get(str(query.get("type") or "").lower(), "LegalEntity")
        qents: dict[str, EntityProxy] = {}

        def query_entity(schema: str) -> EntityProxy:
            if schema not in qents:
                qents[schema] = make_entity(schema, props, "query")
            return qents[schema]

        scored = []
        for pidx in self.candidates(name):
            cand = self.parties[pidx]
            schema = base
            if base == "LegalEntity" and cand.schema in ("Vessel", "Airplane"):
                schema = cand.schema
            res = self.algo.compare(query_entity(schema), cand.entity, self.config)
            scored.append((float(res.score), cand))
        scored.sort(key=lambda sc: (-sc[0], sc[1].id))
        return [{"name": c.name, "aliases": c.aliases, "score": round(s, 4),
                 "match": s >= self.threshold, "id": c.id, "schema": c.schema}
                for s, c in scored[:TOP]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--universe", type=Path, default=HERE / "out" / "universe.jsonl")
    ap.add_argument("--algorithm", choices=ALGORITHMS, default="logic-v2")
    ap.add_argument("--threshold", type=float, default=None)
    args = ap.parse_args(argv)
    threshold = args.threshold
    if threshold is None:
        threshold = DEFAULT_THRESHOLDS[args.algorithm]
    started = time.perf_counter()
    engine = PeerEngine(args.universe, args.algorithm, threshold)
    print(f"peer_search: {args.algorithm} @ {threshold}: {len(engine.parties)} parties, "
          f"{len(engine.choices)} names loaded in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    for number, line in enumerate(sys.stdin, 1):
        query: Any = None
        try:
            query = json.loads(line)
            if not isinstance(query, dict):
                raise ValueError("not an object")
            out = {"query": query, "results": engine.search(query)}
        except ValueError as exc:
            out = {"query": query, "results": [], "error": f"line {number}: {exc}"}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
