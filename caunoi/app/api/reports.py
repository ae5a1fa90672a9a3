"""Routes for reports: the dashboard's figures as JSON (the same cached computation as the page).
The route calls caunoi.service (service_of) and never the store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from caunoi.app.api.limits import Reader
from caunoi.app.api.schemas import DashboardOut
from caunoi.app.auth import service_of

router = APIRouter()


@router.get("/dashboard", response_model=DashboardOut, tags=["dashboard"])
def dashboard(
    request: Request, _user: Reader, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> dict[str, Any]:
    """The dashboard's figures over the last `days` days of the store: articles and tone per day,
    share of voice by outlet, language and country, top entities and documents cited."""
    figures = service_of(request).dashboard(days)
    pairs = ("outlets", "languages", "countries", "entities", "doc_refs")
    return figures | {key: [{"value": v, "articles": n} for v, n in figures[key]] for key in pairs}
