"""Screening endpoints: search, match (yente-compatible), entities, algorithms, lists, health.

Every search and match is written to the audit ledger before the answer goes out.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.routing import Route

from entityscreen.api.auth import authenticate, require
from entityscreen.api.edges import json_response, read_json
from entityscreen.api.ftm import entity_from_party, explanations, queries_from_example
from entityscreen.api.keys import ApiKey
from entityscreen.api.service import Screened, Service
from entityscreen.errors import NotFoundError, TooLargeError, UsageError
from entityscreen.match.scoring import ALGORITHMS, DEFAULT_ALGORITHM
from entityscreen.model import Hit
from entityscreen.query import make_query
from entityscreen.report import data_status, party_to_result, query_to_dict
from entityscreen.screener import Screener
from entityscreen.sources import BUNDLED

__all__ = ["FAST_ROUTES", "router"]

router = APIRouter()
Screener_ = Annotated[ApiKey, Depends(require("screener"))]
MAX_LIMIT = 100  # results per query


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    schema_: str = Field(alias="schema", examples=["Company"])
    properties: dict[str, list[str] | str] = Field(examples=[{"name": ["SenseTime"]}])
    id: str | None = None


class MatchRequest(BaseModel):
    queries: dict[str, EntityExample]
    weights: dict[str, float] = {}
    config: dict[str, Any] = {}


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _datasets(dataset: str) -> set[str] | None:
    """None for every list ("default"), else the one source named."""
    if dataset in ("default", "all", "sanctions"):
        return None
    if dataset not in BUNDLED:
        raise NotFoundError(f"unknown dataset {dataset!r}",
                            fix=f"use default or one of: {', '.join(BUNDLED)}")
    return {dataset}


def _in(result: dict[str, Any], datasets: set[str] | None) -> bool:
    if datasets is None:
        return True
    return any(f in datasets for lst in result["listings"] for f in lst["source"].split(", "))


def _entity(screener: Screener, result: dict[str, Any]) -> dict[str, Any]:
    """A result in both shapes: yente's entity fields beside entityscreen's own."""
    party = screener.party(result["id"])
    assert party is not None
    return {**screener.derived(party, entity_from_party), **result}


def _limit(limit: int | None, service: Service) -> int:
    limit = service.settings.limit if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must lie between 1 and {MAX_LIMIT}")
    return limit


def _param(name: str, kind: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": kind, **schema}}


_SEARCH_DOC = {"parameters": [
    _param("q", "string", "the name to screen"),
    _param("schema", "string", "FollowTheMoney schema: Person, Company, Organization, "
           "LegalEntity, Vessel, Airplane (a type hint)"),
    {**_param("countries", "array", "country hints (ISO codes): they raise or lower "
              "scores, never filter", items={"type": "string"}), "explode": True},
    _param("limit", "integer", f"results, 1-{MAX_LIMIT} [the limit setting]"),
    _param("offset", "integer", "results to skip"),
    _param("threshold", "number", "score at or above which a hit is a match [the threshold "
           "setting]", minimum=0, maximum=1),
]}
_MATCH_DOC = {
    "parameters": [_SEARCH_DOC["parameters"][3], _SEARCH_DOC["parameters"][5],
                   _param("cutoff", "number", "results scoring below this are left out",
                          minimum=0, maximum=1),
                   _param("algorithm", "string", "best, or an algorithm name")],
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": MatchRequest.model_json_schema()}}},
}


def _number(request: Request, name: str, kind: type[int] | type[float],
            low: float | None = None, high: float | None = None) -> Any:
    """A query parameter read by hand: the hot endpoints skip FastAPI's per-request
    parameter models (a quarter of a search's time); the OpenAPI page still lists them."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise UsageError(f"{name} must be a{'n integer' if kind is int else ' number'}, "
                         f"not {raw!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise UsageError(f"{name} must lie between {low} and {high}")
    return value


@router.get("/search", tags=["screening"], summary="Screen one name against every list",
            openapi_extra=_SEARCH_DOC)
@router.get("/search/{dataset}", tags=["screening"],
            summary="Screen one name (yente-compatible)", openapi_extra=_SEARCH_DOC)
async def search(request: Request, dataset: str = "default") -> Response:
    service = _service(request)
    key = authenticate(request, service, "screener")
    params = request.query_params
    q = params.get("q", "")
    schema = params.get("schema")
    countries = params.getlist("countries")
    limit = _number(request, "limit", int)
    offset = _number(request, "offset", int) or 0
    threshold = _number(request, "threshold", float, 0, 1)
    service = _service(request)
    screener = service.ready()
    datasets = _datasets(dataset)
    limit = _limit(limit, service)
    if not 0 <= offset <= MAX_LIMIT - limit:
        raise UsageError(f"offset must lie between 0 and {MAX_LIMIT - limit}")
    if not q.strip():
        raise UsageError("q is empty", fix="pass the name to screen: /search?q=NAME")
    threshold = service.settings.threshold if threshold is None else threshold
    ptype = None
    if schema is not None:
        _, (query,) = queries_from_example({"schema": schema, "properties": {"name": q}},
                                           "schema")
        ptype = query.type.value if query.type else None
    query = make_query(q, ptype, countries[0] if countries else None, None)
    want = MAX_LIMIT if datasets is not None else limit + offset
    s = service.screen(screener, query, limit=want, threshold=threshold)
    s = Screened(s.query, [p for p in s.pairs if _in(p[1], datasets)][offset:offset + limit])
    results = s.results
    answer = json_response({
        "query": query_to_dict(query),
        "results": [_entity(screener, r) for r in results],
        "total": {"value": len(results), "relation": "eq"},
        "limit": limit, "offset": offset, "facets": {},
        "data": data_status(screener.freshness()),
    })
    # made whole before this await (a reload may swap the screener); sent once recorded
    await service.record(screener, key, "search", {"q": [s]}, threshold=threshold,
                         limit=limit)
    return answer


def _merge(screened: list[Screened], limit: int) -> list[tuple[Hit, dict[str, Any], Screened]]:
    """Best hit per party over the names of one example entity, best first."""
    best: dict[str, tuple[Hit, dict[str, Any], Screened]] = {}
    for s in screened:
        for hit, r in s.pairs:
            if r["id"] not in best or best[r["id"]][0].score < hit.score:
                best[r["id"]] = (hit, r, s)
    return sorted(best.values(), key=lambda t: (-t[0].score, t[1]["id"]))[:limit]


@router.post("/match/{dataset}", tags=["screening"],
             summary="Match example entities (yente's /match)", openapi_extra=_MATCH_DOC)
async def match(request: Request, dataset: str) -> Response:
    key = authenticate(request, _service(request), "screener")
    limit = _number(request, "limit", int)
    threshold = _number(request, "threshold", float, 0, 1)
    cutoff = _number(request, "cutoff", float, 0, 1) or 0.0
    algorithm = request.query_params.get("algorithm")
    service = _service(request)
    service.ready()
    datasets = _datasets(dataset)
    limit = _limit(limit, service)
    threshold = service.settings.threshold if threshold is None else threshold
    body = await read_json(request, service.settings.max_body_bytes)
    # taken after the last await: a list reload cannot swap it out mid-answer
    screener = service.ready()
    if algorithm not in (None, "best", "default", screener.algorithm.name):
        raise UsageError(f"unknown algorithm {algorithm!r}",
                         fix=f"use best or one of: {', '.join(ALGORITHMS)}")
    if not isinstance(body, dict) or not isinstance(body.get("queries"), dict):
        raise UsageError('expected {"queries": {KEY: {"schema": ..., "properties": ...}}}')
    cap = service.settings.max_queries
    if len(body["queries"]) > cap:
        raise TooLargeError(f"{len(body['queries']):,} queries in one request; the limit is "
                            f"{cap}", fix=f"send at most {cap} queries per request")
    try:
        MatchRequest.model_validate(body)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"])
        raise UsageError(f"{where}: {e['msg']}", fix="see /docs for the request shape") from None
    parsed = {k: queries_from_example(v, f"queries.{k}") for k, v in body["queries"].items()}
    want = MAX_LIMIT if datasets is not None else limit
    screened = {k: [service.screen(screener, q, limit=want, threshold=threshold) for q in qs]
                for k, (_schema, qs) in parsed.items()}
    for k, ss in screened.items():
        screened[k] = [Screened(s.query, [p for p in s.pairs if _in(p[1], datasets)])
                       for s in ss]
    responses = {}
    for k, ss in screened.items():
        results = []
        for hit, r, s in _merge(ss, limit):
            if hit.score < cutoff:
                continue
            results.append({**_entity(screener, r), "explanations": explanations(hit, s.query)})
        results = results[:limit]
        responses[k] = {"status": 200, "results": results,
                        "total": {"value": len(results), "relation": "eq"},
                        "query": body["queries"][k]}
    answer = json_response({
        "responses": responses,
        "matcher": {"name": screener.algorithm.name,
                    "description": screener.algorithm.description},
        "limit": limit,
        "data": data_status(screener.freshness()),
    })
    await service.record(screener, key, "match", screened, threshold=threshold, limit=limit)
    return answer


@router.get("/entities/{entity_id}", tags=["data"], summary="One listed party")
async def entity(request: Request, key: Screener_, entity_id: str) -> Response:
    screener = _service(request).ready()
    party = screener.party(entity_id)
    if party is None:
        raise NotFoundError(f"no listed party with id {entity_id!r}",
                            fix="ids appear in /search and /match results")
    return json_response({"id": party.id, **entity_from_party(party),
                          **party_to_result(party)})


@router.get("/algorithms", tags=["data"], summary="The matching algorithms")
async def algorithms(request: Request, key: Screener_) -> Response:
    return json_response({
        "algorithms": [{"name": a.name, "description": a.description,
                        "docs": {k: v for k, v in vars(a).items()
                                 if k not in ("name", "description")}}
                       for a in ALGORITHMS.values()],
        "default": DEFAULT_ALGORITHM, "best": DEFAULT_ALGORITHM,
    })


def _sources(screener: Screener) -> list[dict[str, Any]]:
    fresh = {f.source: f for f in screener.freshness()}
    return [{"source": v.source, "version": v.version, "published": v.published,
             "fetched_at": v.fetched_at, "records": v.records, "sha256": v.sha256,
             "origin": v.origin, "age_days": fresh[v.source].age_days,
             "stale": fresh[v.source].stale} for v in screener.versions]


@router.get("/lists", tags=["data"], summary="The loaded lists, their versions and age")
async def lists(request: Request, key: Screener_) -> Response:
    screener = _service(request).ready()
    return json_response({"sources": _sources(screener),
                          "algorithm": screener.algorithm.name})


@router.get("/catalog", tags=["data"], summary="The loaded lists, as yente's catalog")
async def catalog(request: Request, key: Screener_) -> Response:
    screener = _service(request).ready()
    rows = _sources(screener)
    return json_response({
        "datasets": [{"name": r["source"], "title": r["source"], "version": str(r["version"]),
                      "entity_count": r["records"], "load": True,
                      "index_current": not r["stale"]} for r in rows],
        "current": [r["source"] for r in rows],
        "outdated": [r["source"] for r in rows if r["stale"]],
        "index_stale": any(r["stale"] for r in rows),
    })


@router.get("/healthz", tags=["system"], summary="The process is up (no key needed)")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get("/readyz", tags=["system"], summary="The lists are loaded (no key needed)")
async def readyz(request: Request) -> Response:
    _service(request).ready()
    return json_response({"status": "ok"})


async def _search_route(request: Request) -> Response:
    return await search(request, request.path_params.get("dataset", "default"))


async def _match_route(request: Request) -> Response:
    return await match(request, request.path_params["dataset"])


# plain Starlette routes for the hot endpoints (see app.create_app)
FAST_ROUTES = [Route("/search", _search_route, methods=["GET"]),
               Route("/search/{dataset}", _search_route, methods=["GET"]),
               Route("/match/{dataset}", _match_route, methods=["POST"])]
