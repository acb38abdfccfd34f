"""Bulk screening over HTTP: upload a file, poll its job, download the results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.types import Message

from entityscreen.api.auth import require
from entityscreen.api.edges import json_response, read_body
from entityscreen.api.keys import ApiKey
from entityscreen.api.service import Service
from entityscreen.errors import TooLargeError, UsageError

__all__ = ["router"]

router = APIRouter(tags=["bulk"])
Screener_ = Annotated[ApiKey, Depends(require("screener"))]


def _links(job: dict[str, object]) -> dict[str, object]:
    return {**job, "status_url": f"/screen/{job['id']}",
            "results_url": f"/screen/{job['id']}/results"}


@router.post("/screen", status_code=202, summary="Upload a file to screen as a bulk job",
             openapi_extra={"requestBody": {"content": {
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}}}},
                 "application/octet-stream": {"schema": {"type": "string",
                                                         "format": "binary"}}}}})
async def submit(
    request: Request, key: Screener_,
    filename: Annotated[str | None, Query(description="for a raw body: its file name, "
                                          "whose extension tells the format")] = None,
    output_format: Annotated[str, Query(alias="format")] = "jsonl",
    limit: Annotated[int, Query(ge=1, le=20)] = 3,
) -> Response:
    """The file goes as multipart field ``file`` or as the raw body with ``?filename=``.
    Answers 202 with the job; poll ``status_url`` until ``done``, then get ``results_url``."""
    service: Service = request.app.state.service
    service.ready()
    cap = service.settings.max_upload_bytes
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise UsageError("an upload needs a Content-Length header")
        if int(length) > cap:
            raise TooLargeError(f"the upload is {int(length):,} bytes; the limit is {cap:,}",
                                fix="split the file")
        # read under the body cap and the stalled-client timeout, then parsed from memory
        body = await read_body(request, cap)

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        form = await Request(request.scope, replay).form(max_files=1, max_fields=5,
                                                           max_part_size=cap)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise UsageError("no file in the form", fix="send the file as the field 'file'")
        data = await upload.read()
        name = upload.filename or filename or "upload.csv"
    else:
        data = await read_body(request, cap)
        name = filename or ""
        if not name:
            raise UsageError("a raw upload needs ?filename=NAME.csv (or .xlsx, .jsonl...)")
    if not data:
        raise UsageError("the uploaded file is empty")
    job = service.jobs.submit(data, name, actor=key.actor, index=service.ready().index,
                              output_format=output_format, limit=limit)
    return json_response(_links(job), status=202)


@router.get("/screen/{job_id}", summary="A bulk job's status and counts")
async def status(request: Request, key: Screener_, job_id: str) -> Response:
    service: Service = request.app.state.service
    return json_response(_links(service.jobs.get(job_id)))


@router.get("/screen/{job_id}/results", summary="Download a finished job's results")
async def results(request: Request, key: Screener_, job_id: str,
                  which: Annotated[str, Query(pattern="^(results|rejects)$")] = "results"
                  ) -> Response:
    service: Service = request.app.state.service
    path = service.jobs.results(job_id, which)
    return FileResponse(path, filename=f"{job_id}-{path.name}")
