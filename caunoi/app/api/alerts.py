"""Routes for alerts: the inbox, one alert with why it was raised, and marking an alert read or
dismissing it. The routes call caunoi.service (service_of) and never the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from caunoi.app.api.errors import NOT_FOUND, found
from caunoi.app.api.limits import Reader, csrf
from caunoi.app.api.schemas import AlertDetailOut, AlertOut, Id
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


@router.get("/alerts/{alert_id}", response_model=AlertDetailOut, responses=NOT_FOUND, tags=["alerts"])
def get_alert(request: Request, alert_id: Id, user: Reader) -> dict[str, Any]:
    """One alert with why it was raised: its figures (`why`: baseline, counts, z, threshold, ratio;
    `series` for a sparkline), the articles of its spike and their stories, who read or dismissed it."""
    return found(service_of(request).alerts.detail(alert_id, reader=user), "alert", alert_id).flat()


Manager = Annotated[dict[str, Any], Depends(require("alert.manage"))]


def _marking(state: str) -> Callable[..., dict[str, Any]]:
    """The route that marks an alert `state` under the user's name (audited)."""

    def mark(request: Request, alert_id: Id, user: Manager) -> dict[str, Any]:
        alerts = service_of(request).alerts
        found(alerts.get(alert_id, reader=user), "alert", alert_id)
        alerts.mark(alert_id, state, by=user["username"])
        return alerts.get(alert_id)

    return mark


for action, state, said in (
    ("read", "read", "Mark an alert read (audited)."),
    ("dismiss", "dismissed", "Dismiss an alert: no longer new, nor counted unread (audited)."),
):
    router.post(
        f"/alerts/{{alert_id}}/{action}",
        response_model=AlertOut,
        responses=NOT_FOUND,
        dependencies=[Depends(csrf)],
        tags=["alerts"],
        name=f"{action}_alert",
        description=said,
    )(_marking(state))
