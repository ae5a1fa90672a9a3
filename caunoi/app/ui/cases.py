"""Cases: the board by state (a mission officer sees their mission's only), a case's page, and
the moves of its workflow (triage, assign, answer, respond, close, reopen), each checked against
what the user may do to that case."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, page_user, posted, row_id
from caunoi.app.ui.render import _render
from caunoi.cases import PRIORITIES, RESPONSE_KINDS, STATES, Case, CaseError
from caunoi.cases import NotFound as CaseNotFound
from caunoi.cases import Response as CaseResponse
from caunoi.errors import Invalid
from caunoi.factsheets import ListedFactSheet
from caunoi.service import Service
from caunoi.users import can, permission

router = APIRouter(include_in_schema=False)


@router.get("/cases")
def cases(request: Request) -> Response:
    user = page_user(request)
    scope = permission(user, "case.read")
    if scope is None:
        raise PageError(403)
    service: Service = service_of(request)
    if scope == "own":  # a mission officer: their mission's cases only
        found = service.cases.list(unit=user["mission"], limit=500)
    else:
        found = service.cases.list(limit=500)
    columns = {state: [c for c in found if c.state == state] for state in STATES}
    return _render(request, user, "cases.html.j2", columns=columns, own=scope == "own")


def _case(request: Request, user: dict[str, Any], case_id: int, action: str = "case.read") -> Case:
    try:
        found = service_of(request).cases.get(row_id(case_id))
    except CaseNotFound:
        raise PageError(404) from None
    if not can(user, action, found):
        raise PageError(403)
    return found


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int) -> Response:
    user = page_user(request)
    found = _case(request, user, case_id)
    service: Service = service_of(request)
    units = service.units.list() if can(user, "case.assign", found) else []
    story_sheets: list[ListedFactSheet] = []
    sheets: list[ListedFactSheet] = []
    if can(user, "case.write", found) and {"answer", "respond"} & set(found.actions):
        # what it can be answered with: the fact sheets that answer its story already, then the library
        if found.story_id is not None:
            story_sheets = service.factsheets.list(story_id=found.story_id)
        shown = {s.id for s in story_sheets}
        sheets = story_sheets + [s for s in service.factsheets.list(limit=200) if s.id not in shown]
    return _render(
        request, user, "case.html.j2", c=found, units=units, priorities=PRIORITIES, kinds=RESPONSE_KINDS,
        sheets=sheets, story_sheets=story_sheets,
    )  # fmt: skip


CASE_ACTIONS = ("triage", "assign", "answer", "respond", "close", "reopen")


@router.post("/cases/{case_id}/{action}")
async def case_action(request: Request, case_id: int, action: str) -> Response:
    user, form = await posted(request)
    if action not in CASE_ACTIONS:
        raise PageError(404)
    _case(request, user, case_id, "case.assign" if action == "assign" else "case.write")
    workflow = service_of(request).cases
    by = user["username"]
    text = {
        k: (form.get(k) or "").strip() or None
        for k in ("priority", "note", "unit", "deadline", "kind", "title", "url", "reason", "fact_sheet_id")
    }
    sheet = text["fact_sheet_id"]
    if sheet is not None and not re.fullmatch(r"[0-9]{1,9}", sheet):
        raise PageError(
            400, Invalid("fact_sheet_choice", "fact sheet {value!r}: choose one from the list", value=sheet)
        )
    try:
        if action == "triage":
            workflow.triage(case_id, by=by, priority=text["priority"], note=text["note"])
        elif action == "assign":
            workflow.assign(case_id, text["unit"], text["deadline"], by=by, note=text["note"],
                            timezone=service_of(request).zone_of(user))  # fmt: skip
        elif action in ("answer", "respond"):
            move = workflow.answer if action == "answer" else workflow.respond
            response = CaseResponse(
                kind=text["kind"], title=text["title"], url=text["url"], note=text["note"],
                fact_sheet_id=int(sheet) if sheet else None,
            )  # fmt: skip
            move(case_id, response, by=by)
        elif action == "close":
            workflow.close(case_id, by=by, reason=text["reason"])
        else:
            workflow.reopen(case_id, by=by, reason=text["reason"])
    except CaseError as exc:
        raise PageError(400, exc) from None
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
