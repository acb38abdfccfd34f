"""The app factory: one FastAPI app over one :class:`Service`.

    app = create_app(Settings.from_env())      # uvicorn.run(app)

The lists load on a worker thread after start-up: ``/healthz`` answers at once, ``/readyz``
and the screening endpoints answer 503 until the index is in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from entityscreen.api.edges import install_error_handlers
from entityscreen.settings import Settings

__all__ = ["app_from_env", "create_app"]


def create_app(settings: Settings) -> FastAPI:
    from entityscreen.api import routes_admin, routes_review, routes_screen, routes_search, web
    from entityscreen.api.service import Service

    service = Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loading = asyncio.create_task(service.load())
        watcher = asyncio.create_task(service.watch_lists())
        try:
            yield
        finally:
            for task in (loading, watcher):
                task.cancel()
            service.jobs.close()
            service.close()

    app = FastAPI(
        title="entityscreen",
        summary="Restricted-party screening against official sanctions and export-control "
        "lists; yente-compatible /search, /match and /entities.",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # served below from the installed swagger-ui files, not a CDN
        redoc_url=None,
    )
    app.state.service = service
    install_error_handlers(app)
    for module in (routes_search, routes_screen, routes_review, routes_admin, web):
        app.include_router(module.router)
    # The hot endpoints again, as plain Starlette routes ahead of the rest: they read their
    # parameters by hand, so FastAPI's per-request route resolution and dependency solving
    # is pure overhead there (about a fifth of a search's CPU). The FastAPI routes above
    # stay for the OpenAPI schema and the docs page.
    app.router.routes[:0] = routes_search.FAST_ROUTES

    _mount_docs(app)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui")

    return app


DOCS_ASSETS = "/docs-assets"


def _mount_docs(app: FastAPI) -> None:
    """The API docs page with Swagger UI's files from the swagger-ui-bundle package, so it
    works on a machine with no Internet access."""
    import swagger_ui_bundle

    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title="entityscreen API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png")


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory entityscreen.api.app:app_from_env`` (several workers: each
    process only serves)."""
    from entityscreen.screener import screening_worker_gc

    screening_worker_gc()
    return create_app(Settings.from_env())
