"""Stories: the list (the biggest, or those rising against their own baseline), and a story's page
with its articles per day and the fact sheets that answer it already."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, existing, need, page_user, row_id
from caunoi.app.ui.render import _render, lang_of
from caunoi.reports.charts import counts_axis, days_axis, figure
from caunoi.stories.rising import ORIGINS, RisingError, RisingRequest, bad_time

router = APIRouter(include_in_schema=False)


@router.get("/stories")
def stories(request: Request) -> Response:
    """The biggest stories; with ?rising=1, those rising (caunoi.stories.rising) in the window of
    `hours` ending `at`, filtered by `topic`, `origin` and `lang`, `all=1` with the others too."""
    user = page_user(request)
    need(user, "read")
    params = {k: v for k, v in request.query_params.items() if v.strip()}
    if not params.get("rising"):
        return _render(request, user, "stories.html.j2", stories=service_of(request).story_list(limit=100))
    try:
        found = service_of(request).rising_stories(rising_request(params))
    except RisingError as exc:
        raise PageError(400, exc) from None
    return _render(
        request, user, "stories.html.j2", rising=found, params=params, origins=ORIGINS, at=found.request.at
    )


def rising_request(params: dict[str, str], limit: int = 100) -> RisingRequest:
    """A rising request from a page's parameters, or the RisingError that says which is wrong."""
    try:
        at = datetime.fromisoformat(params["at"].strip()) if params.get("at") else None
    except ValueError:
        raise bad_time(params["at"]) from None
    numbers: dict[str, Any] = {}
    for name, kind in (("hours", int), ("baseline_days", int), ("z", float), ("min_count", int)):
        if params.get(name):
            try:
                numbers[name] = kind(params[name])
            except ValueError:
                raise RisingError(
                    "rising_bad_number", "{name} is a number, not {value!r}", name=name, value=params[name]
                ) from None
    return RisingRequest(
        at=at, topic=params.get("topic"), origin=params.get("origin"), lang=params.get("lang"),
        every=bool(params.get("all")), limit=limit, **numbers,
    )  # fmt: skip


@router.get("/stories/{story_id}")
def story(request: Request, story_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    found = existing(service_of(request).story(row_id(story_id)))
    counts = [d["articles"] for d in found.timeline]
    days = [date.fromisoformat(str(d["day"])[:10]) for d in found.timeline]
    span = (days[-1] - days[0]).days + 1 if days else 1
    chart = figure(
        "chart-story",
        [{"type": "bar", "x": [d["day"] for d in found.timeline], "y": counts}],
        height=200,
        xaxis=days_axis(lang_of(request, user), span),
        yaxis=counts_axis(counts),
    )
    sheets = service_of(request).factsheets.list(story_id=found.id)  # what answers it already
    return _render(request, user, "story.html.j2", s=found, charts=[chart], sheets=sheets)
