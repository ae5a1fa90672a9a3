"""Routes for sources: every watched source with its health. The route calls caunoi.service
(service_of) and never the store."""

from __future__ import annotations

from fastapi import APIRouter, Request

from caunoi import models
from caunoi.app.api.limits import Reader
from caunoi.app.api.schemas import SourceHealth
from caunoi.app.auth import service_of

router = APIRouter()


@router.get("/sources", response_model=list[SourceHealth], tags=["sources"])
def list_sources(request: Request, _user: Reader) -> list[models.SourceHealth]:
    """Every watched source with its health: last success and error, pages waiting, dead or alive."""
    return service_of(request).sources.status()
