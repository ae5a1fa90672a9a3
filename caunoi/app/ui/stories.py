"""Stories: the list, and a story's page with its articles per day and the fact sheets that
answer it already."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import existing, need, page_user, row_id
from caunoi.app.ui.render import _render, lang_of
from caunoi.reports.charts import counts_axis, days_axis, figure

router = APIRouter(include_in_schema=False)


@router.get("/stories")
def stories(request: Request) -> Response:
    user = page_user(request)
    need(user, "read")
    return _render(request, user, "stories.html.j2", stories=service_of(request).story_list(limit=100))


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
