"""The alert inbox: read an alert, or open a case from it (an alert that has one already leads to
that case)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.alerts import AlertError
from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, need, page_user, posted, row_id
from caunoi.app.ui.render import _render
from caunoi.cases import CaseError, DuplicateCase
from caunoi.cases import NotFound as CaseNotFound

router = APIRouter(include_in_schema=False)


@router.get("/alerts")
def alerts(request: Request, state: str | None = None) -> Response:
    user = page_user(request)
    need(user, "read")
    state = state if state in ("new", "read", "dismissed") else None
    inbox = service_of(request).alerts.inbox(state, limit=200, reader=user)
    return _render(request, user, "alerts.html.j2", alerts=inbox, state=state)


@router.post("/alerts/{alert_id}/read")
async def alert_read(request: Request, alert_id: int) -> Response:
    user, _ = await posted(request)
    need(user, "alert.manage")
    try:
        service_of(request).alerts.mark(row_id(alert_id), "read")
    except AlertError as exc:
        raise PageError(404, exc) from None
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{alert_id}/case")
async def alert_case(request: Request, alert_id: int) -> Response:
    user, _ = await posted(request)
    need(user, "case.open")
    try:
        case = service_of(request).cases.open_case(alert_id=row_id(alert_id), by=user["username"])
    except DuplicateCase as exc:
        return RedirectResponse(f"/cases/{exc.case_id}", status_code=303)
    except CaseNotFound as exc:
        raise PageError(404, exc) from None
    except CaseError as exc:
        raise PageError(400, exc) from None
    return RedirectResponse(f"/cases/{case.id}", status_code=303)
