"""Routes for stories: the list, biggest first, paged by cursor, and one story in full. The routes
call caunoi.service (service_of) and never the store."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from caunoi.app.api.errors import BAD, NOT_FOUND, found
from caunoi.app.api.limits import Reader
from caunoi.app.api.paging import decode_story_cursor, encode_story_cursor
from caunoi.app.api.schemas import Id, StoryOut, StoryPage
from caunoi.app.auth import service_of
from caunoi.stories.rising import MAX_DAYS, MAX_HOURS, MIN_COUNT, ORIGINS, RisingRequest
from caunoi.stories.view import StoryView
from caunoi.timezones import article_clock

router = APIRouter()


@router.get("/stories", response_model=StoryPage, responses=BAD, tags=["stories"])
def list_stories(
    request: Request,
    _user: Reader,
    since: Annotated[
        datetime | None,
        Query(
            description="Seen since (2024-05-01 or 2024-05-01T08:00: Hanoi wall-clock time, as articles' "
            "times are kept; with an offset, that moment)."
        ),
    ] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    min_articles: Annotated[
        int | None,
        Query(ge=1, le=100_000, description="At least this many articles (rising: in the window, 3)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    rising: Annotated[
        bool, Query(description="The stories growing faster than their own baseline, most first (not paged).")
    ] = False,
    at: Annotated[
        datetime | None, Query(description="rising: the window ends then (now by default).")
    ] = None,
    hours: Annotated[int, Query(ge=1, le=MAX_HOURS, description="rising: the window, in hours.")] = 24,
    baseline_days: Annotated[
        int, Query(ge=1, le=MAX_DAYS, description="rising: days before the window.")
    ] = 7,
    z: Annotated[float, Query(ge=0, le=1000, description="rising: deviations above the baseline.")] = 3.0,
    origin: Annotated[
        Literal[ORIGINS] | None, Query(description="rising: count only articles from outlets of this origin.")
    ] = None,
    lang: Annotated[
        str | None, Query(max_length=8, description="rising: count only articles in this language.")
    ] = None,
    every: Annotated[bool, Query(alias="all", description="rising: every story of the window.")] = False,
) -> StoryPage:
    """Stories, biggest first (articles, reprints counted once), then the most recently seen; with
    `rising=true`, those growing faster than their own baseline, the most outstanding first, each
    with its `growth` (new: first seen in the window)."""
    if rising:
        asked = RisingRequest(
            at, hours, baseline_days, z, min_articles or MIN_COUNT, topic, origin, lang, every,
            limit,
        )  # fmt: skip
        return StoryPage(items=service_of(request).rising_stories(asked).stories, next_cursor=None)
    after = decode_story_cursor(cursor)
    if since is not None:  # articles' times are Hà Nội wall-clock: 08:00+07:00 is 08:00, 01:00Z too
        since = article_clock(since)
    rows = service_of(request).story_list(since, topic, limit + 1, min_articles or 1, after)
    items = rows[:limit]
    return StoryPage(items=items, next_cursor=encode_story_cursor(items[-1]) if len(rows) > limit else None)


@router.get("/stories/{story_id}", response_model=StoryOut, responses=NOT_FOUND, tags=["stories"])
def get_story(request: Request, story_id: Id, _user: Reader) -> StoryView:
    """One story: summary, timeline, outlets, countries, languages, tone by day, topics, articles."""
    return found(service_of(request).story(story_id), "story", story_id)
