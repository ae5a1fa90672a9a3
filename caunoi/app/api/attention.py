"""The route for attention over time (caunoi.attention): up to five searches — queries, saved
searches, a filter set — counted by day or week over a period, as counts and as shares of every
article stored, with each one's total and top outlets, countries and entities. It takes the filters
of /search (search.filter_values) and calls caunoi.service, never the store."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from caunoi.app.api.errors import BAD, NOT_FOUND
from caunoi.app.api.schemas import AttentionOut
from caunoi.app.api.search import OPTION_NAMES, Filters, refused
from caunoi.app.auth import require, service_of
from caunoi.attention import MAX_SERIES, ask
from caunoi.search import FilterError

router = APIRouter()

Texts = list[Annotated[str, Field(max_length=1000)]]


@router.get("/attention", response_model=AttentionOut, responses={**BAD, **NOT_FOUND}, tags=["search"])
def attention(
    request: Request,
    _user: Annotated[dict[str, Any], Depends(require("search"))],
    filters: Filters,
    q: Annotated[
        Texts,
        Query(description=f"A query to compare (the syntax of /search); repeat it, {MAX_SERIES} at most."),
    ] = [],  # noqa: B006  # FastAPI copies a list default
    saved: Annotated[
        Texts, Query(description="The name of a saved search to compare; repeat it (with q: five at most).")
    ] = [],  # noqa: B006
    by: Annotated[
        Literal["day", "week"], Query(description="Count by day, or by week (Monday to Sunday).")
    ] = "day",
    top: Annotated[
        int, Query(ge=0, le=50, description="Outlets, countries and entities listed per search.")
    ] = 10,
) -> dict[str, Any]:
    """Attention over time: how many articles each search finds a day or a week from `from` to `to`
    (both included; the 30 days to the latest article by default), as counts and as a share of every
    article stored that day or week, with its total over the period and its top outlets, countries
    and entities. `q` and `saved` repeat, five searches in all; the filters of /search narrow each
    of them. A day's count is what /search lists with from=to=that day."""
    period = {"first": filters.pop("from"), "last": filters.pop("to")}
    try:
        asked = ask(q, saved, filters, **period, by=by, names=OPTION_NAMES)
    except FilterError as exc:
        raise refused(exc) from None
    return service_of(request).attention(asked, top).to_json()
