"""The review queue over HTTP (JSON): list alerts, decide them, approve (four-eyes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from entityscreen.api.auth import require
from entityscreen.api.edges import json_response, read_json
from entityscreen.api.keys import ApiKey
from entityscreen.api.service import Service
from entityscreen.errors import UsageError
from entityscreen.review import OPEN_STATUSES

__all__ = ["Approval", "Decision", "router"]

router = APIRouter(tags=["review"])
Reviewer = Annotated[ApiKey, Depends(require("reviewer"))]
_STATUSES = (*OPEN_STATUSES, "true_match", "false_positive")


class Decision(BaseModel):
    decision: str = Field(examples=["false_positive"], description="true_match or "
                          "false_positive")
    reason: str = Field(examples=["other company: different country and registration"])
    version: int = Field(description="the item's version as read (a stale one gets 409)")


class Approval(BaseModel):
    approve: bool = True
    version: int
    note: str = ""


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def _body(request: Request, model: type[BaseModel]) -> Any:
    from pydantic import ValidationError

    data = await read_json(request, _service(request).settings.max_body_bytes)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"]) or "body"
        raise UsageError(f"{where}: {e['msg']}", fix="see /docs for the request shape"
                         ) from None


@router.get("/reviews", summary="The review queue (open, reopened and pending items)")
async def queue(request: Request, key: Reviewer, status: str | None = None,
                job: Annotated[str | None, Query(description="only the items this bulk job "
                                                 "(POST /screen) raised")] = None
                ) -> Response:
    service = _service(request)
    if status is not None and status not in _STATUSES:
        raise UsageError(f"unknown status {status!r}", fix=f"use one of: {', '.join(_STATUSES)}")
    service.ready()
    items = service.reviews.queue((status,) if status else OPEN_STATUSES, job=job)
    return json_response({"items": [i.to_dict() for i in items],
                          "four_eyes": service.reviews.four_eyes})


@router.get("/reviews/{item_id}", summary="One review item")
async def item(request: Request, key: Reviewer, item_id: int) -> Response:
    return json_response(_service(request).reviews.get(item_id).to_dict())


@router.post("/reviews/{item_id}/decision", summary="Decide an item: true match or false "
             "positive, with a reason",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": Decision.model_json_schema()}}}})
async def decide(request: Request, key: Reviewer, item_id: int) -> Response:
    service = _service(request)
    d = await _body(request, Decision)
    done = service.decide(item_id, d.decision, d.reason, reviewer=key.actor, version=d.version)
    return json_response(done.to_dict())


@router.post("/reviews/{item_id}/approval", summary="Four-eyes: approve a pending decision "
             "or send it back",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": Approval.model_json_schema()}}}})
async def approve(request: Request, key: Reviewer, item_id: int) -> Response:
    service = _service(request)
    a = await _body(request, Approval)
    done = service.reviews.approve(item_id, reviewer=key.actor, version=a.version,
                                   approve=a.approve, note=a.note)
    return json_response(done.to_dict())
