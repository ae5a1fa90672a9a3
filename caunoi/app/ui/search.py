"""Search, saved searches and an article's page. The form's fields become a SearchRequest through
caunoi.search.request_from, as `caunoi search` builds one (search_request), and a saved search's
request goes back to the form's fields (saved_params); refusals of a bad query are shown on the page,
not raised."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, existing, need, page_user, posted, row_id
from caunoi.app.ui.render import _render, lang_of
from caunoi.errors import Invalid
from caunoi.i18n import LABELS, name_of
from caunoi.models import SearchRequest, SearchResults
from caunoi.search import TAG_OPTIONS, SavedSearchError, request_from, saved_form
from caunoi.service import Service
from caunoi.text.fold import fold, lower_exact

PAGE_SIZE = 20

router = APIRouter(include_in_schema=False)


SEARCH_FIELDS = (
    "q", "exact", "widen", "from", "to", "lang", "source", "category", "topic", "country", "entity",
    "doc_ref", "event_type", "tone_min", "tone_max", "tone_of", "origin", "outlet_country", "sort",
)  # fmt: skip


def search_url(params: Mapping[str, str | None], page: int = 1) -> str:
    """The link to this search: /search?q=doi+ngoai&country=CN, never lang=&source=&…"""
    kept = {k: v for k, v in params.items() if v}
    if page > 1:
        kept["page"] = str(page)
    return "/search?" + urlencode(kept) if kept else "/search"


def request_url(request: SearchRequest, first: date, last: date, page: str = "/search", **change: str) -> str:
    """The link to the articles `request` finds from `first` to `last` (both included): what a bar or a
    point of an attention chart opens; `change` adds or replaces a filter (source="vtv.vn"). Another
    `page` that takes a search's parameters (/attention) is linked the same way."""
    params = saved_params(saved_form(request)) | {"from": first.isoformat(), "to": last.isoformat()}
    return page + search_url(params | change).removeprefix("/search")


def search_request(params: dict[str, str], page: int) -> SearchRequest | None:
    """The SearchRequest the form asks for (None when it asks nothing), as `caunoi search` builds it;
    a FilterError says what to fix."""
    typed = {("query" if key == "q" else key): value for key, value in params.items()}
    # the form's choices are read as they always were: anything but the other one is the default
    typed["sort"] = "date" if params.get("sort") == "date" else None
    typed["tone_of"] = "subject" if params.get("tone_of") == "subject" else None
    request = request_from(typed | {"limit": PAGE_SIZE + 1, "offset": (page - 1) * PAGE_SIZE}, require=False)
    narrowed = request.lang or request.source or request.category or request.date_from or request.date_to
    narrowed = narrowed or request.origin or request.outlet_country
    asked = (
        request.query.strip() or request.tags or request.tone_min is not None or request.tone_max is not None
    )
    return request if asked or narrowed else None


def saved_params(saved: dict[str, Any]) -> dict[str, str]:
    """The /search parameters of a saved search's request, its tags back in the filters they came
    from; empty ones left out."""
    params = {
        "q": saved.get("query") or "",
        "exact": "1" if saved.get("exact") else "",
        "widen": "1" if saved.get("widen") else "",
        **{
            key: str(saved.get(key) or "")
            for key in ("lang", "source", "category", "origin", "outlet_country")
        },
    }
    for kind, value in saved.get("tags") or ():
        if kind in TAG_OPTIONS and not params.get(kind):
            params[kind] = str(value)
    for key in ("tone_min", "tone_max"):
        if saved.get(key) is not None:
            params[key] = f"{saved[key]:g}"
    if saved.get("tone_of") == "subject":
        params["tone_of"] = "subject"
    return {k: v for k, v in params.items() if v}


def filters_shown(params: dict[str, str], lang: str) -> list[str]:
    """A search's filters as a reader reads them: "Quốc gia: Trung Quốc", "Sắc thái: ≥ -2"."""
    t = LABELS[lang]
    names = {"topic": "topic", "country": "country", "entity": "entity", "origin": "origin"}
    names |= {"outlet_country": "country"}
    shown = []
    for key in ("lang", "source", "origin", "outlet_country", "category", *TAG_OPTIONS):
        if params.get(key):
            value = name_of(params[key], names[key], lang) if key in names else params[key]
            shown.append(f"{t['outlet' if key == 'source' else key]}: {value}")
    low, high = params.get("tone_min"), params.get("tone_max")
    if low or high:
        bounds = f"{low} … {high}" if low and high else f"≥\u00a0{low}" if low else f"≤\u00a0{high}"
        of = f" ({t['tone_of_subject']})" if params.get("tone_of") == "subject" else ""
        shown.append(f"{t['tone']}{of}: {bounds}")
    if params.get("exact"):
        shown.append(t["exact"])
    if params.get("widen"):
        shown.append(t["widen"])
    return shown


def found_line(found: SearchResults, lang: str) -> str:
    """How many matched, as the page says it: "256 bài khớp", "khoảng 12.000 bài khớp · xếp hạng
    trong 5.000 bài được lưu gần đây nhất" (when only those were ranked)."""

    def number(n: int) -> str:
        return f"{n:,}".replace(",", "." if lang == "vi" else ",")

    line = LABELS[lang]["found_n" if found.counted else "found_about"].format(n=number(found.total or 0))
    if found.ranked_among:
        line += " · " + LABELS[lang]["ranked_among"].format(n=number(found.ranked_among))
    return line


@router.get("/search")
def search(request: Request, page: int = 1) -> Response:
    user = page_user(request)
    need(user, "search")
    page = max(1, min(page, 500))
    params = {k: request.query_params.get(k, "").strip()[:500] for k in SEARCH_FIELDS}
    params = {k: v for k, v in params.items() if v}
    service: Service = service_of(request)
    hits, facets, error, more, found = [], {}, None, False, None
    try:
        req = search_request(params, page)
        if req is not None:
            found = service.search_results(req)
            hits = found.hits
            more = len(hits) > PAGE_SIZE
            hits = hits[:PAGE_SIZE]
            facets = service.facets(dataclasses.replace(req, limit=PAGE_SIZE, offset=0))
    except Invalid as exc:  # the query's syntax or a filter (FilterError): shown in the page's language
        error = exc

    def url(page: int = 1, **change: str | None) -> str:
        return search_url({**params, **change}, page)

    query = params.get("q", "")
    over_time = {k: v for k, v in params.items() if k != "sort"}  # the same search, on the attention page
    said = found_line(found, lang_of(request, user)) if found else ""
    exports = {
        f: "/api/v1/search/export?" + urlencode({**params, "format": f}) for f in ("csv", "xlsx", "json")
    }
    return _render(
        request, user, "search.html.j2",
        params=params, hits=hits, facets=facets, error=error, page=page, more=more, url=url,
        searched=bool(params), found=found, found_line=said,
        typed_marks=fold(query) != lower_exact(query), exports=exports,
        attention_url="/attention" + (f"?{urlencode(over_time)}" if over_time else ""),
    )  # fmt: skip


@router.get("/searches")
def saved_searches(request: Request) -> Response:
    user = page_user(request)
    need(user, "search")
    lang = lang_of(request, user)
    found = []
    for saved in service_of(request).searches.all():
        params = saved_params(saved.request or {})
        shown = {"query": params.get("q", ""), "filters": filters_shown(params, lang)}
        found.append(dataclasses.asdict(saved) | shown | {"url": search_url(params)})
    return _render(request, user, "searches.html.j2", searches=found)


@router.post("/searches")
async def save_search(request: Request) -> Response:
    """Keep the search the form carries under a name (again under one's own name: updated; another
    user's name: 409)."""
    user, form = await posted(request)
    need(user, "alert.manage")
    t = LABELS[lang_of(request, user)]
    name = (form.get("name") or "").strip()
    if not name or len(name) > 200:
        raise PageError(400, t["name_needed"])
    params = {k: (form.get(k) or "").strip()[:500] for k in SEARCH_FIELDS}
    service: Service = service_of(request)
    try:
        req = search_request({k: v for k, v in params.items() if v}, 1)
        if req is None or not saved_params(saved_form(req)).keys() - {"exact", "tone_of"}:
            raise PageError(400, t["save_search_empty"])  # dates alone: nothing a rule could watch
        service.search(dataclasses.replace(req, limit=1))  # a bad query is refused now, not when a rule runs
    except Invalid as exc:
        raise PageError(400, exc) from None
    try:
        service.searches.save(name, saved_form(req), user["username"])
    except SavedSearchError:
        raise PageError(409, t["save_search_taken"]) from None
    return RedirectResponse("/searches", status_code=303)


@router.get("/articles/{article_id}")
def article(request: Request, article_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    found = existing(service_of(request).article(row_id(article_id)))
    paragraphs = [p.strip() for p in found.text.split("\n") if p.strip()]
    return _render(request, user, "article.html.j2", a=found, paragraphs=paragraphs)
