"""The alert inbox and an alert's page (/alerts/{id}: why it was raised — its figures, the articles
of its spike and their stories — and who read or dismissed it); read, dismiss (both audited under
the user's name) or open a case from it (an alert that has one already leads to that case)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.alerts import AlertError
from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, existing, need, page_user, posted, row_id, safe_next
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


@router.get("/alerts/{alert_id}")
def alert(request: Request, alert_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    detail = existing(service_of(request).alerts.detail(row_id(alert_id), reader=user))
    return _render(request, user, "alert.html.j2", a=detail.alert, d=detail)


async def _mark(request: Request, alert_id: int, state: str) -> Response:
    """Mark the alert `state` under the user's name, then back to the page the form was on."""
    user, form = await posted(request)
    need(user, "alert.manage")
    alerts = service_of(request).alerts
    existing(alerts.get(row_id(alert_id), reader=user))
    try:
        alerts.mark(alert_id, state, by=user["username"])
    except AlertError as exc:
        raise PageError(404, exc) from None
    return RedirectResponse(safe_next(form.get("next") or "/alerts"), status_code=303)


@router.post("/alerts/{alert_id}/read")
async def alert_read(request: Request, alert_id: int) -> Response:
    return await _mark(request, alert_id, "read")


@router.post("/alerts/{alert_id}/dismiss")
async def alert_dismiss(request: Request, alert_id: int) -> Response:
    return await _mark(request, alert_id, "dismissed")


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
