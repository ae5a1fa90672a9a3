"""Routes for articles and search: one article, full-text search with every filter of `caunoi
search` (the `search_filters` dependency), its export as a file (export.py), and saved searches.
The routes call caunoi.service (service_of) and never the store."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response

from caunoi.app.api.errors import BAD, NOT_FOUND, ApiError, found
from caunoi.app.api.export import EXPORT_ROWS, export_file
from caunoi.app.api.limits import Reader, csrf
from caunoi.app.api.paging import decode_cursor, paged
from caunoi.app.api.schemas import (
    ArticleOut,
    ErrorOut,
    Id,
    SavedSearchIn,
    SavedSearchOut,
    SearchIndexOut,
    SearchPage,
)
from caunoi.app.auth import require, service_of
from caunoi.models import Article, SearchHit, SearchRequest, SearchResults
from caunoi.search import FilterError, QueryError, SavedSearch, SavedSearchError, request_from, saved_form
from caunoi.service import Service

router = APIRouter()

# -- search filters -------------------------------------------------------------------------------

Text = Annotated[str | None, Query(max_length=200)]
OPTION_NAMES = {"query": "q"}  # the options as the query string names them, for the refusals


def filter_values(
    exact: Annotated[
        bool, Query(description="Every word as typed, diacritics and all (Trung is not trùng).")
    ] = False,
    widen: Annotated[
        bool,
        Query(description="Words typed with diacritics match every reading too (biển: biến…), typed first."),
    ] = False,
    date_from: Annotated[date | None, Query(alias="from", description="Published on or after.")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Published on or before.")] = None,
    lang: Text = None,
    source: Annotated[str | None, Query(max_length=200, description="Outlet, e.g. dantri.com.vn.")] = None,
    category: Text = None,
    doc_ref: Annotated[
        str | None, Query(max_length=200, description="Cites: 57-KL/TW, 30/2020/NĐ-CP")
    ] = None,
    topic: Annotated[str | None, Query(max_length=200, description="world, society, business, …")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="org:ASEAN or Bộ Ngoại giao")] = None,
    country: Annotated[str | None, Query(max_length=200, description="CN or Trung Quốc")] = None,
    event_type: Annotated[str | None, Query(max_length=50, description="so_ket, hoi_dam, tiep, …")] = None,
    tone_min: Annotated[float | None, Query(ge=-100, le=100)] = None,
    tone_max: Annotated[float | None, Query(ge=-100, le=100)] = None,
    tone_of: Literal["article", "subject"] = "article",
    origin: Annotated[
        str | None,
        Query(
            max_length=20,
            description="The outlet's origin: domestic, foreign, diaspora, international, unknown",
        ),
    ] = None,
    outlet_country: Annotated[
        str | None, Query(max_length=20, description="The outlet's country (ISO 3166 alpha-2): US, FR, …")
    ] = None,
) -> dict[str, Any]:
    """A search's filters as the query string gives them (every option of `caunoi search` but the
    query and the order), by request_from's names."""
    return {
        "exact": exact, "widen": widen, "from": date_from, "to": date_to, "lang": lang, "source": source,
        "category": category, "doc_ref": doc_ref, "topic": topic, "entity": entity, "country": country,
        "event_type": event_type, "tone_min": tone_min, "tone_max": tone_max, "tone_of": tone_of,
        "origin": origin, "outlet_country": outlet_country,
    }  # fmt: skip


Filters = Annotated[dict[str, Any], Depends(filter_values)]


def search_filters(
    q: Annotated[
        str,
        Query(
            max_length=1000,
            description='Words, "phrases", AND / OR / NOT, -word, (groups), prefix*; empty with a filter.',
        ),
    ] = "",
    *,
    filters: Filters,
    sort: Literal["relevance", "date"] = "relevance",
) -> SearchRequest:
    """The search the query string asks for (as `caunoi search` builds it from its options)."""
    try:
        return request_from({"query": q, **filters, "sort": sort}, OPTION_NAMES)
    except FilterError as exc:
        raise refused(exc) from None


def refused(exc: FilterError) -> ApiError:
    """A search's options refused: `bad_request` when it asks nothing, `bad_filter` otherwise."""
    return ApiError(400, "bad_request" if exc.code == "no_query" else "bad_filter", str(exc))


def _search(service: Service, request: SearchRequest) -> list[SearchHit]:
    return _results(service, request, count=False).hits


def _results(service: Service, request: SearchRequest, *, count: bool = True) -> SearchResults:
    try:
        return service.search_results(request, count=count)
    except QueryError as exc:
        raise ApiError(400, "bad_query", f"bad query: {exc}") from None


@router.get("/articles/{article_id}", response_model=ArticleOut, responses=NOT_FOUND, tags=["articles"])
def get_article(request: Request, article_id: Id, _user: Reader) -> Article:
    """One article: clean text, metadata, dates, origins, enrichment, story and reprint links."""
    return found(service_of(request).article(article_id), "article", article_id)


@router.get("/search", response_model=SearchPage, responses=BAD, tags=["search"])
def search(
    request: Request,
    _user: Annotated[dict[str, Any], Depends(require("search"))],
    filters: Annotated[SearchRequest, Depends(search_filters)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    facets: Annotated[
        bool, Query(description="Also count the matches by language, outlet, origin, outlet country, …")
    ] = False,
) -> dict[str, Any]:
    """Full-text search with every filter of `caunoi search`. Words typed with diacritics match them;
    words typed without match every reading, the likeliest (`reading`) first. `total` is how many
    matched: counted when `total_exact`, else estimated; `facets` (asked with facets=true) counts them
    by outlet origin and country among others, each value a filter of the same name."""
    service = service_of(request)
    offset = decode_cursor(cursor)
    found = _results(service, dataclasses.replace(filters, limit=limit + 1, offset=offset))
    page, next_cursor = paged(found.hits, offset, limit)
    counts = service.facets(filters) if facets else None
    return {
        "items": [h.to_json() for h in page],
        "next_cursor": next_cursor,
        **found.to_json(),
        "facets": counts,
    }


@router.get(
    "/search/export",
    responses={
        **BAD,
        200: {
            "content": {
                "text/csv": {},
                "application/json": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
            "description": "The matches as a file (attachment).",
        },
    },
    response_class=Response,
    tags=["search"],
)
def export_search(
    request: Request,
    _user: Annotated[dict[str, Any], Depends(require("export"))],
    filters: Annotated[SearchRequest, Depends(search_filters)],
    format: Literal["csv", "xlsx", "json"] = "csv",
    limit: Annotated[int, Query(ge=1, le=EXPORT_ROWS)] = EXPORT_ROWS,
) -> Response:
    """The same search as a CSV (UTF-8 with BOM, for Excel), XLSX or JSON file, up to 10,000 rows."""
    service = service_of(request)
    hits = _search(service, dataclasses.replace(filters, limit=limit, offset=0))
    return export_file(hits, service.labels([h.id for h in hits]), format)


@router.get("/search/index", response_model=SearchIndexOut, tags=["search"])
def search_index_status(
    request: Request, _user: Annotated[dict[str, Any], Depends(require("user.manage"))]
) -> dict[str, Any]:
    """The search index beside the store: on or not, used or why not, how far behind the store."""
    return service_of(request).search_index.status()


@router.get("/saved-searches", response_model=list[SavedSearchOut], tags=["search"])
def list_saved_searches(
    request: Request, _user: Annotated[dict[str, Any], Depends(require("search"))]
) -> list[SavedSearch]:
    """Searches kept under a name (alert rules can watch them); who may search may list them, as on
    the saved searches' page."""
    return service_of(request).searches.all()


@router.post(
    "/saved-searches",
    response_model=SavedSearchOut,
    status_code=201,
    responses={**BAD, 409: {"model": ErrorOut, "description": "Another user's search has this name."}},
    dependencies=[Depends(csrf)],
    tags=["search"],
)
def save_search(
    request: Request,
    body: Annotated[SavedSearchIn, Body()],
    user: Annotated[dict[str, Any], Depends(require("alert.manage"))],
) -> SavedSearch:
    """Keep a search under a name: the same name again updates one's own search; another user's is
    replaced only with `replace` (409 otherwise)."""
    try:
        asked = request_from(body.model_dump(exclude={"name", "replace"}), OPTION_NAMES, require=False)
    except FilterError as exc:
        raise refused(exc) from None
    try:
        return service_of(request).searches.save(
            body.name, saved_form(asked), user["username"], replace=body.replace
        )
    except SavedSearchError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
