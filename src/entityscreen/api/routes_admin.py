"""Admin endpoints: verify and export the audit ledger, reload the lists."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from entityscreen.api.auth import require
from entityscreen.api.edges import json_response
from entityscreen.api.keys import ApiKey
from entityscreen.api.service import Service

__all__ = ["router"]

router = APIRouter(tags=["admin"])
Admin = Annotated[ApiKey, Depends(require("admin"))]


@router.get("/audit/verify", summary="Recompute the audit ledger's hash chain")
async def verify(request: Request, key: Admin) -> Response:
    service: Service = request.app.state.service
    return json_response({"status": "ok", "records": service.ledger.verify()})


@router.get("/audit/export", summary="Audit records as JSON lines or CSV")
async def export(
    request: Request, key: Admin,
    start: Annotated[str | None, Query(alias="from", description="ISO date or time")] = None,
    end: Annotated[str | None, Query(alias="to", description="ISO date or time, "
                                     "exclusive")] = None,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|jsonl)$")] = "jsonl",
) -> Response:
    service: Service = request.app.state.service
    out = io.StringIO()
    service.ledger.export(out, fmt, start=start, end=end)
    media = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return Response(out.getvalue(), media_type=media)


@router.post("/admin/reload", summary="Load new list versions now (else within seconds)")
async def reload(request: Request, key: Admin) -> Response:
    service: Service = request.app.state.service
    changed = await service.reload_if_changed()
    return json_response({"reloaded": changed, "lists": service.lists,
                          "reopened": service.reopen_changed()})
