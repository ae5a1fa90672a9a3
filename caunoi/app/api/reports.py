"""Routes for reports: the dashboard's figures as JSON (the same cached computation as the page), and
the review report (báo cáo sơ kết / tổng kết) as a DOCX, PDF or HTML file (caunoi.reports.review).
The routes call caunoi.service (service_of) and domain modules, never the store."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from caunoi.app.api.errors import ApiError
from caunoi.app.api.export import attachment
from caunoi.app.api.limits import Reader
from caunoi.app.api.outreach import READ, UnitQuery
from caunoi.app.api.outreach import Reader as OutreachReader
from caunoi.app.api.schemas import DashboardOut, ErrorOut
from caunoi.app.auth import service_of
from caunoi.outreach import access
from caunoi.reports.review import FORMATS, build_review, file_name, period, render
from caunoi.units import code_key

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
