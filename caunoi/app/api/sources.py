"""Routes for sources: every watched source with its health, for those who manage sources (as the
sources page is). The route calls caunoi.service (service_of) and never the store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from caunoi import models
from caunoi.app.api.schemas import SourceHealth
from caunoi.app.auth import require, service_of

router = APIRouter()


@router.get("/sources", response_model=list[SourceHealth], tags=["sources"])
def list_sources(
    request: Request, _user: Annotated[dict[str, Any], Depends(require("source.manage"))]
) -> list[models.SourceHealth]:
    """Every watched source with its health: last success and error, pages waiting, dead or alive."""
    return service_of(request).sources.status()
