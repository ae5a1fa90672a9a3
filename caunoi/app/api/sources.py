"""Routes for sources, for those who manage them (source.manage, as the sources' pages): every watched
source with its health; one source with its feeds and sitemaps; adding one, changing what it is,
switching its polling on or off, removing it (its articles stay) — the Sources calls `caunoi
sources …` and /admin/sources make, under the caller's name. The routes call caunoi.service
(service_of) and never the store; a refusal rises as caunoi.ingest.sources' own error and
errors.DOMAIN_ERRORS answers it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from caunoi import models
from caunoi.app.api.errors import NOT_FOUND
from caunoi.app.api.limits import csrf
from caunoi.app.api.schemas import ErrorOut, Id, SourceChange, SourceHealth, SourceIn, SourceOut
from caunoi.app.auth import require, service_of

router = APIRouter()

Manager = Annotated[dict[str, Any], Depends(require("source.manage"))]
REFUSED = {422: {"model": ErrorOut, "description": "A field the source cannot have (the message says why)."}}
CHANGE = {"response_model": SourceOut, "dependencies": [Depends(csrf)], "tags": ["sources"]}


@router.get("/sources", response_model=list[SourceHealth], tags=["sources"])
def list_sources(request: Request, _user: Manager) -> list[models.SourceHealth]:
    """Every watched source with its health: last success and error, pages waiting, dead or alive."""
    return service_of(request).sources.status()


@router.get("/sources/{source_id}", response_model=SourceOut, responses=NOT_FOUND, tags=["sources"])
def get_source(request: Request, source_id: Id, _user: Manager) -> models.SourceDetail:
    """One source: what it is, as it was added or last changed."""
    return service_of(request).sources.get(source_id)


@router.post("/sources", status_code=201, responses=REFUSED, **CHANGE)
def add_source(request: Request, body: SourceIn, user: Manager) -> models.SourceDetail:
    """Add a source (201); a name taken is refused (PATCH changes a source)."""
    return service_of(request).sources.add_new(body.model_dump(exclude_none=True), by=user["username"])


@router.patch("/sources/{source_id}", responses={**NOT_FOUND, **REFUSED}, **CHANGE)
def change_source(request: Request, source_id: Id, body: SourceChange, user: Manager) -> models.SourceDetail:
    """Change the fields given, the others kept, checked as when the source was added."""
    sources = service_of(request).sources
    return sources.edit(source_id, body.model_dump(exclude_unset=True), by=user["username"])


@router.post("/sources/{source_id}/enable", responses={**NOT_FOUND, **REFUSED}, **CHANGE)
def enable_source(request: Request, source_id: Id, user: Manager) -> models.SourceDetail:
    """Watch the source again (one with no feed or sitemap is only recognised: refused)."""
    sources = service_of(request).sources
    sources.enable(source_id, by=user["username"])
    return sources.get(source_id)


@router.post("/sources/{source_id}/disable", responses=NOT_FOUND, **CHANGE)
def disable_source(request: Request, source_id: Id, user: Manager) -> models.SourceDetail:
    """Keep the source, still recognised, but stop polling it."""
    sources = service_of(request).sources
    sources.disable(source_id, by=user["username"])
    return sources.get(source_id)


@router.delete(
    "/sources/{source_id}",
    status_code=204,
    responses=NOT_FOUND,
    dependencies=[Depends(csrf)],
    tags=["sources"],
)
def remove_source(request: Request, source_id: Id, user: Manager) -> Response:
    """Stop watching the source and forget it, as `caunoi sources remove`: its record, feeds and
    sitemaps go; its stored articles stay (under the outlet's name, of unknown origin until a source
    of that name is added again), and so do its fetched pages."""
    service_of(request).sources.remove(source_id, by=user["username"])
    return Response(status_code=204)
