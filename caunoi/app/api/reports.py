"""Routes for reports: the dashboard's figures as JSON (the same cached computation as the page), the
review report (báo cáo sơ kết / tổng kết) as a DOCX, PDF or HTML file (caunoi.reports.review), and
the drafts of review reports people write (caunoi.reports.drafts: made, edited section by section,
a mission's pulled into the whole system's, finalised, rendered). The routes call caunoi.service
(service_of) and domain modules, never the store."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from caunoi.app.api.errors import NOT_FOUND, ApiError
from caunoi.app.api.export import attachment
from caunoi.app.api.limits import Reader, csrf
from caunoi.app.api.outreach import READ, WRITE, UnitQuery
from caunoi.app.api.outreach import Reader as OutreachReader
from caunoi.app.api.outreach import Writer as OutreachWriter
from caunoi.app.api.schemas import (
    DashboardOut,
    DraftChange,
    DraftDetail,
    DraftIn,
    DraftOut,
    DraftPull,
    DraftState,
    ErrorOut,
    Id,
)
from caunoi.app.auth import service_of
from caunoi.outreach import access
from caunoi.reports import drafts
from caunoi.reports.drafts import Draft
from caunoi.reports.figures import Scope
from caunoi.reports.review import FORMATS, build_review, file_name, period, render
from caunoi.search import FilterError, request_from
from caunoi.units import code_key

router = APIRouter()


@router.get("/dashboard", response_model=DashboardOut, tags=["dashboard"])
def dashboard(
    request: Request,
    _user: Reader,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    origin: Annotated[
        str | None,
        Query(
            max_length=20,
            description="Only outlets of this origin: domestic, foreign, diaspora, international, unknown.",
        ),
    ] = None,
) -> dict[str, Any]:
    """The dashboard's figures over the last `days` days of the store (of the outlets of `origin`):
    articles and tone per day, share of voice by outlet, language and country, top entities and
    documents cited."""
    scope = Scope()
    if origin:
        try:
            scope = Scope(request_from({"origin": origin}, require=False))
        except FilterError as exc:
            raise ApiError(400, "bad_filter", str(exc)) from None
    figures = service_of(request).dashboard(days, scope)
    pairs = ("outlets", "languages", "countries", "entities", "doc_refs")
    return figures | {key: [{"value": v, "articles": n} for v, n in figures[key]] for key in pairs}


REVIEW_FILES = {
    200: {
        "content": {media.split(";")[0]: {} for media in FORMATS.values()},
        "description": "The review report as a file to download (Content-Disposition: attachment).",
    },
    403: {"model": ErrorOut, "description": "A mission officer asking for another unit's report."},
    404: {"model": ErrorOut, "description": "No unit or mission with that code."},
    422: {"model": ErrorOut, "description": "A period that ends before it starts, or cannot be compared."},
}


@router.get("/reports/review", response_class=Response, responses=REVIEW_FILES, tags=["reports"])
def review_report(
    request: Request,
    user: OutreachReader,
    start: Annotated[date, Query(alias="from", description="The first day.")],
    last: Annotated[date, Query(alias="to", description="The last day, included.")],
    unit: UnitQuery = None,
    style: Annotated[
        Literal["state", "party"], Query(description="state (NĐ 30/2020) or party (HD 36-HD/VPTW) layout.")
    ] = "state",
    lang: Annotated[Literal["vi", "en"], Query(description="The report's language.")] = "vi",
    format: Annotated[
        Literal["docx", "pdf", "html"], Query(description="The file: docx, pdf or html.")
    ] = "docx",
) -> Response:
    """The review report (báo cáo sơ kết / tổng kết) of the whole system, or of `unit` (a unit or
    mission), from `from` to `to`, as `caunoi report review` writes it: monitoring, rapid response and
    outreach, each figure against the period before and the same period a year before, in the
    Vietnamese administrative layout; the sections people write are placeholders. Who may read
    outreach may download it; a mission officer only their own mission's (the default for them)."""
    service = service_of(request)
    try:
        own = access.mission(user, READ)
    except access.NotAllowed as refusal:
        raise ApiError(403, "forbidden", str(refusal)) from None
    if own is not None:
        if unit is not None and code_key(unit) != code_key(own):
            raise ApiError(403, "forbidden", f"a mission officer reads only the report of {own}")
        unit = own
    document = build_review(service, start=start, last=last, unit=unit, style=style, lang=lang)
    name = file_name(period(start, last), service.units.get(unit).code if unit else None, format)
    return Response(
        render(document, format),
        media_type=FORMATS[format],
        headers={"Content-Disposition": attachment(name)},
    )


# -- drafts of review reports ---------------------------------------------------------------------

DRAFT_REFUSED = {
    **NOT_FOUND,
    409: {"model": ErrorOut, "description": "A final draft, or one saved since `expected`."},
    422: {"model": ErrorOut, "description": "A value refused; the message says why."},
}


def _own(user: dict[str, Any], action: str) -> str | None:
    """The one unit `user` may do `action` for (a mission officer's mission), None for every unit."""
    try:
        return access.mission(user, action)
    except access.NotAllowed as refusal:
        raise ApiError(403, "forbidden", str(refusal)) from None


def _draft(request: Request, user: dict[str, Any], draft_id: int, write: bool = False) -> Draft:
    """The draft `user` may read (with `write`: change), else a 403."""
    draft = service_of(request).drafts.get(draft_id)
    if not drafts.reads(user, draft):
        raise ApiError(403, "forbidden", f"a mission officer reads only the drafts of {user.get('mission')}")
    if write and not drafts.writes(user, draft):
        raise ApiError(403, "forbidden", f"your role ({user['role']}) may not change this draft")
    return draft


@router.get("/reports/drafts", response_model=list[DraftOut], responses=NOT_FOUND, tags=["reports"])
def list_drafts(
    request: Request,
    user: OutreachReader,
    unit: UnitQuery = None,
    state: Annotated[DraftState | None, Query(description="draft or final.")] = None,
    start: Annotated[
        date | None, Query(alias="from", description="Those of the period from this day…")
    ] = None,
    last: Annotated[date | None, Query(alias="to", description="… to this one, included.")] = None,
) -> list[Draft]:
    """Review report drafts, the latest period first and the whole system's before the units'; a
    mission officer's are their mission's."""
    own = _own(user, READ)
    if own is not None and unit is not None and code_key(unit) != code_key(own):
        raise ApiError(403, "forbidden", f"a mission officer reads only the drafts of {own}")
    found = service_of(request).drafts.list(unit=own or unit, state=state, starts_on=start, ends_on=last)
    return [d for d in found if drafts.reads(user, d)]


@router.post(
    "/reports/drafts", response_model=DraftDetail, status_code=201, dependencies=[Depends(csrf)],
    responses=DRAFT_REFUSED, tags=["reports"],
)  # fmt: skip
def add_draft(request: Request, body: DraftIn, user: OutreachWriter) -> Draft:
    """A new draft of the whole system's review report (analysts and admins) or a unit's or mission's
    (a mission officer: their own, the default for them), with the sections given."""
    own = _own(user, WRITE)
    values = body.model_dump(exclude_unset=True)
    unit = values.pop("unit", None) or own
    if not drafts.writes(user, unit=unit):
        raise ApiError(403, "forbidden", f"a mission officer makes only the drafts of {own}")
    return service_of(request).drafts.create(by=user["username"], unit=unit, **values)


@router.get("/reports/drafts/{draft_id}", response_model=DraftDetail, responses=NOT_FOUND, tags=["reports"])
def get_draft(request: Request, draft_id: Id, user: OutreachReader) -> Draft:
    """One draft with its history: who changed which section, when, from what to what."""
    return _draft(request, user, draft_id)


@router.patch(
    "/reports/drafts/{draft_id}", response_model=DraftDetail, dependencies=[Depends(csrf)],
    responses=DRAFT_REFUSED, tags=["reports"],
)  # fmt: skip
def change_draft(request: Request, draft_id: Id, body: DraftChange, user: OutreachWriter) -> Draft:
    """Change the fields given; `state` final finalises the draft (after the changes), draft reopens it
    (before them). A final draft is not changed otherwise."""
    _draft(request, user, draft_id, write=True)
    service = service_of(request).drafts
    values = body.model_dump(exclude_unset=True)
    state, expected = values.pop("state", None), values.pop("expected", None)
    by = user["username"]
    if state == "draft":
        service.reopen(draft_id, by=by)
    if values:
        service.edit(draft_id, by=by, expected=expected, **values)
    if state == "final":
        service.finalise(draft_id, by=by)
    return service.get(draft_id)


@router.post(
    "/reports/drafts/{draft_id}/pull", response_model=DraftDetail, dependencies=[Depends(csrf)],
    responses=DRAFT_REFUSED, tags=["reports"],
)  # fmt: skip
def pull_draft(request: Request, draft_id: Id, body: DraftPull, user: OutreachWriter) -> Draft:
    """Pull a unit's or mission's draft of the same period into the whole system's (analysts and
    admins): each section gets its text under the unit's name; pulling it again replaces that text."""
    if not drafts.pulls(user):
        raise ApiError(403, "forbidden", f"your role ({user['role']}) may not pull drafts together")
    _draft(request, user, draft_id, write=True)
    return service_of(request).drafts.pull(draft_id, body.draft, by=user["username"])


@router.get(
    "/reports/drafts/{draft_id}/document", response_class=Response, responses=REVIEW_FILES, tags=["reports"]
)
def draft_document(
    request: Request,
    draft_id: Id,
    user: OutreachReader,
    format: Annotated[
        Literal["docx", "pdf", "html"], Query(description="The file: docx, pdf or html.")
    ] = "docx",
) -> Response:
    """The draft's review report as a file: the figures of its period as they are now, its sections,
    number and subject (a final draft dated the day it was finalised)."""
    draft = _draft(request, user, draft_id)
    content = render(service_of(request).drafts.document(draft), format)
    name = file_name(period(draft.starts_on, draft.ends_on), draft.unit, format)
    return Response(content, media_type=FORMATS[format], headers={"Content-Disposition": attachment(name)})
