"""The web face of Cầu Nối: the REST API (/api/v1, OpenAPI at /docs) and the server-rendered web UI,
both thin shells over caunoi.service. `create_app` builds the FastAPI application; `caunoi serve`
runs it with uvicorn. Everything the browser loads is served from caunoi/app/static: no CDN."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from caunoi import __version__
from caunoi.app.headers import SecurityHeaders
from caunoi.config import Settings, load_settings
from caunoi.service import Service

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application over one store; the store is opened (and migrated) here, closed on shutdown."""
    from caunoi.app import api, ui

    service = Service(settings or load_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if service.settings.search_index:  # the search index takes the store's writes in as they come
            service.search_index.start_draining()
        yield
        service.search_index.stop_draining()
        service.close()

    app = FastAPI(
        title="Cầu Nối API",
        version=__version__,
        description="Search, stories, alerts, cases and sources of a Cầu Nối store.",
        lifespan=lifespan,
        docs_url=None,  # caunoi.app.api serves Swagger UI from /static/swagger: no CDN
        redoc_url=None,
        openapi_url=api.OPENAPI,
    )
    app.state.service = service
    api.install(app, uploads=ui.upload_limits(service.settings))  # the pages' forms that send files
    ui.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)  # outside the body limit: its 413 carries them too
    # text compresses 3-5×: the plotly.js bundle goes from 1.5 MB to 0.49 MB on the wire
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    return app
