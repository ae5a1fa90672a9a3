"""Routes for cases (the response workflow): list, open, one case, and its actions (triage,
assign, answer, respond, close, reopen), each POST /cases/{case_id}/<action>. A mission officer
sees and acts on their mission's cases only; the case service decides what a state allows. The
routes call caunoi.service (service_of) and never the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from caunoi.app.api.errors import BAD, NOT_FOUND, ApiError
from caunoi.app.api.limits import csrf
from caunoi.app.api.schemas import (
    CaseAnswer,
    CaseAssign,
    CaseClose,
    CaseDetail,
    CaseOpen,
    CaseOut,
    CaseTriage,
    ErrorOut,
    Id,
)
from caunoi.app.auth import allowed, require, service_of
from caunoi.cases import Case, CaseError, ListedCase, NotFound, Response, allowed_actions
from caunoi.units import code_key
from caunoi.users import permission

router = APIRouter()

CaseReader = Annotated[dict[str, Any], Depends(require("case.read"))]


@router.get("/cases", response_model=list[CaseOut], responses={**BAD, **NOT_FOUND}, tags=["cases"])
def list_cases(
    request: Request,
    user: CaseReader,
    state: Literal["new", "triaged", "assigned", "answered", "closed"] | None = None,
    unit: Annotated[str | None, Query(max_length=40)] = None,
    open_only: Annotated[bool, Query(alias="open", description="Only cases not closed.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ListedCase]:
    """Cases, newest first; a mission officer sees only their mission's."""
    if permission(user, "case.read") == "own":
        mission = user.get("mission") or ""
        if unit is not None and code_key(unit) != code_key(mission):
            raise ApiError(403, "forbidden", f"a mission officer sees only the cases of {mission}")
        unit = mission
    return service_of(request).cases.list(state, unit, open_only, limit)


def _case(request: Request, user: dict[str, Any], case_id: int, action: str) -> Case:
    case = service_of(request).cases.get(case_id)  # NotFound: 404
    allowed(user, action, case)
    return case


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=NOT_FOUND, tags=["cases"])
def get_case(request: Request, case_id: Id, user: CaseReader) -> Case:
    """One case with its responses, its history and what can be done to it next."""
    return _case(request, user, case_id, "case.read")


@router.post(
    "/cases",
    response_model=CaseDetail,
    status_code=201,
    responses={**BAD, **NOT_FOUND, 409: {"model": ErrorOut, "description": "The alert has an open case."}},
    dependencies=[Depends(csrf)],
    tags=["cases"],
)
def open_case(
    request: Request, body: CaseOpen, user: Annotated[dict[str, Any], Depends(require("case.open"))]
) -> Case:
    """Open a case from a story, an alert or a title."""
    return service_of(request).cases.open_case(**body.model_dump(), by=user["username"])


# what each case action needs on the case itself, after the route checked the role (the rest: case.write)
ACTION_PERMISSIONS = {"assign": "case.assign"}
ACTION_RESPONSES = {**BAD, **NOT_FOUND, 409: {"model": ErrorOut, "description": "Not from the case's state."}}
Writer = Annotated[dict[str, Any], Depends(require("case.write"))]
Assigner = Annotated[dict[str, Any], Depends(require("case.assign"))]


def _case_action(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The route of a case action: POST /cases/{case_id}/`action`, answering the case as it is after."""
    return router.post(
        f"/cases/{{case_id}}/{action}",
        response_model=CaseDetail,
        responses=ACTION_RESPONSES,
        dependencies=[Depends(csrf)],
        tags=["cases"],
    )


def _act(
    request: Request, user: dict[str, Any], case_id: int, action: str, *args: Any, **values: Any
) -> Case:
    """Do `action` to the case as `user` (with `args` and `values`, as the case service takes them):
    404 without the case, 403 when it is another mission's, 409 when its state does not allow the
    action, 400 when the service refuses the values."""
    cases = service_of(request).cases
    case = _case(request, user, case_id, "case.read")
    allowed(user, ACTION_PERMISSIONS.get(action, "case.write"), case)
    wrong_state = action not in allowed_actions(case.state)
    try:
        return getattr(cases, action)(case_id, *args, by=user["username"], **values)
    except NotFound:
        raise  # 404
    except CaseError as exc:
        if wrong_state:
            raise ApiError(409, "wrong_state", str(exc)) from None
        raise ApiError(400, "bad_request", str(exc)) from None


def _values(body: BaseModel | None) -> dict[str, Any]:
    return body.model_dump() if body else {}


@_case_action("triage")
def triage_case(request: Request, case_id: Id, user: Writer, body: CaseTriage | None = None) -> Case:
    """Judge a new case worth handling (and set its priority)."""
    return _act(request, user, case_id, "triage", **_values(body))


@_case_action("assign")
def assign_case(request: Request, case_id: Id, user: Assigner, body: CaseAssign) -> Case:
    """Give the case to a unit or mission with a deadline (again: reassign it, or send an answer back).
    The deadline is given back in UTC (…Z)."""
    values = _values(body)
    values["timezone"] = values.get("timezone") or service_of(request).zone_of(user)
    return _act(request, user, case_id, "assign", **values)


@_case_action("answer")
def answer_case(request: Request, case_id: Id, user: Writer, body: CaseAnswer) -> Case:
    """Record how an assigned case was answered: a response, a fact sheet or an article."""
    return _act(request, user, case_id, "answer", Response(**body.model_dump()))


@_case_action("respond")
def respond_case(request: Request, case_id: Id, user: Writer, body: CaseAnswer) -> Case:
    """Add another response to an answered (or closed) case, with the fields of `answer`; its state
    does not change."""
    return _act(request, user, case_id, "respond", Response(**body.model_dump()))


@_case_action("close")
def close_case(request: Request, case_id: Id, user: Writer, body: CaseClose | None = None) -> Case:
    """Close a case (with a reason)."""
    return _act(request, user, case_id, "close", **_values(body))


@_case_action("reopen")
def reopen_case(request: Request, case_id: Id, user: Writer, body: CaseClose | None = None) -> Case:
    """A closed case back to triaged."""
    return _act(request, user, case_id, "reopen", **_values(body))
