"""Routes for alerts: the inbox, and marking an alert read. The routes call caunoi.service
(service_of) and never the store."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from caunoi.app.api.errors import NOT_FOUND, found
from caunoi.app.api.limits import Reader, csrf
from caunoi.app.api.schemas import AlertOut, Id
from caunoi.app.auth import require, service_of

router = APIRouter()


@router.get("/alerts", response_model=list[AlertOut], tags=["alerts"])
def list_alerts(
    request: Request,
    user: Reader,
    state: Literal["new", "read", "dismissed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """The alerts inbox, newest first, with the notices of packs sent (a mission officer sees those
    telling their own mission)."""
    return service_of(request).alerts.inbox(state, limit, reader=user)


@router.post(
    "/alerts/{alert_id}/read",
    response_model=AlertOut,
    responses=NOT_FOUND,
    dependencies=[Depends(csrf)],
    tags=["alerts"],
)
def read_alert(
    request: Request, alert_id: Id, _user: Annotated[dict[str, Any], Depends(require("alert.manage"))]
) -> dict[str, Any]:
    """Mark an alert read."""
    alerts = service_of(request).alerts
    found(alerts.get(alert_id), "alert", alert_id)
    alerts.mark(alert_id, "read")
    return alerts.get(alert_id)
