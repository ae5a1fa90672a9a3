"""The REST API at /api/v1: articles, search (every CLI filter) and its exports, stories, sources,
alerts, cases, fact sheets and saved searches, as a thin shell over caunoi.service.

Every call needs a user (a Bearer token, or the web session cookie plus the CSRF header for calls
that change something); every error is `{"error": {"status", "code", "message"}}`; each token (or
address, without one) gets a token bucket of `api_rate_per_minute` requests; bodies are at most
MAX_BODY bytes; lists are paged with an opaque `cursor` and answer `next_cursor` (null at the end).
Swagger UI is served at /docs from caunoi/app/static/swagger, so it works offline."""

from __future__ import annotations

import base64
import binascii
import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caunoi.alerts import AlertError
from caunoi.app.auth import allowed, check_csrf, require, service_of
from caunoi.cases import CaseError, DuplicateCase, NotFound, allowed_actions
from caunoi.filters import FilterError, search_tags
from caunoi.service import Service
from caunoi.store.articles import SearchHit, SearchRequest
from caunoi.store.query import QueryError
from caunoi.users import permission

PREFIX = "/api/v1"
MAX_BODY = 1024 * 1024  # bytes; a larger request body is refused with 413
DRAIN = 16 * MAX_BODY  # how much of a refused body is read before answering 413
MAX_OFFSET = 100_000  # how deep a cursor may page
EXPORT_ROWS = 10_000
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: a larger one is a 422, not a database error
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}

# -- answers ------------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    status: int
    code: str = Field(description="bad_query, bad_filter, bad_cursor, not_found, forbidden, …")
    message: str = Field(description="What went wrong and what to do instead.")


class ErrorOut(BaseModel):
    error: ErrorDetail


class ArticleOut(BaseModel):
    """One article with what enrichment found in it (null until enriched)."""

    id: int
    title: str
    text: str
    published: datetime | None
    published_from: str | None = None
    event_date: date | None = None
    lang: str | None = None
    lang_confidence: float | None = None
    source: str | None = None
    category: str | None = None
    url: str | None = None
    author: str | None = None
    attribution: str | None = None
    origin: str
    origins: list[dict[str, Any]]
    content_hash: str
    dates: list[dict[str, Any]] | None = None
    meta: dict[str, Any] | None = None
    story_id: int | None = None
    reprint_of: int | None = Field(
        None, description="The earliest copy of this text, when this is a reprint."
    )
    copies: list[dict[str, Any]] = []
    enrichment_version: int | None = None
    keywords: list[dict[str, Any]] | None = None
    entities: list[dict[str, Any]] | None = None
    doc_refs: list[dict[str, Any]] | None = None
    events: list[dict[str, Any]] | None = None
    topics: dict[str, Any] | None = None
    tone: dict[str, Any] | None = None


class HitOut(BaseModel):
    id: int
    title: str
    published: date | None
    published_at: datetime | None
    lang: str | None
    source: str | None
    category: str | None
    url: str | None
    score: float
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) of each matched word in the snippet")


class SearchPage(BaseModel):
    items: list[HitOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class StoryItem(BaseModel):
    id: int
    title: str | None
    articles: int
    reprints: int
    first_seen: datetime
    last_seen: datetime
    active: bool
    outlets: int
    languages: list[str]


class StoryPage(BaseModel):
    items: list[StoryItem]
    next_cursor: str | None


class StoryOut(BaseModel):
    id: int
    title: str | None
    summary: list[dict[str, Any]]
    first_seen: datetime
    last_seen: datetime
    active: bool
    articles: int
    reprints: int
    outlets: list[tuple[str | None, int]]
    reprinted_by: list[Any]
    countries: list[tuple[str, int]]
    languages: list[tuple[str | None, int]]
    topics: list[tuple[str, int]]
    tone: float | None
    subject_tone: float | None
    timeline: list[dict[str, Any]]
    items: list[dict[str, Any]]


class Count(BaseModel):
    value: str = Field(
        description="An outlet, a language, an ISO country code, an entity id or a document id."
    )
    articles: int


class DayFigures(BaseModel):
    day: date
    articles: int
    tone: float | None = Field(description="The mean tone of the day's articles (GDELT's scale), if any.")


class DashboardOut(BaseModel):
    start: datetime
    end: datetime = Field(description="The latest article's day when the store is older than today.")
    days: int
    articles: int
    per_day: list[DayFigures]
    outlets: list[Count]
    languages: list[Count]
    countries: list[Count]
    entities: list[Count]
    doc_refs: list[Count] = Field(description="Party and State documents cited.")
    entity_names: dict[str, dict[str, str]] = Field(description="Entity id -> its name in vi and en.")
    computed_at: datetime = Field(
        description="When these figures were computed (they are kept until the store changes)."
    )


class SourceHealth(BaseModel):
    id: int
    name: str
    enabled: bool
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_poll_at: datetime | None
    articles_per_day: float
    pending: int
    failed_pages: int
    dead: bool
    dead_listings: list[str]


class AlertOut(BaseModel):
    id: int
    rule: str
    kind: str
    story_id: int | None
    window_start: datetime
    window_end: datetime
    severity: str
    title: str
    why: dict[str, Any]
    digest: bool
    state: Literal["new", "read", "dismissed"]
    created_at: datetime


class CaseOut(BaseModel):
    id: int
    title: str
    state: Literal["new", "triaged", "assigned", "answered", "closed"]
    priority: Literal["low", "normal", "high", "urgent"]
    story_id: int | None
    alert_id: int | None
    unit: str | None
    unit_name: str | None = None
    assignee: str | None
    deadline: datetime | None
    notes: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    overdue: bool


class CaseDetail(CaseOut):
    story_title: str | None = None
    actions: list[str] = Field(description="What can be done to the case next.")
    responses: list[dict[str, Any]]
    history: list[dict[str, Any]] = Field(description="The audit trail, oldest first.")


class _FactSheet(BaseModel):
    id: int
    title: str
    kind: Literal["fact_sheet", "position"]
    lang: str
    tags: list[str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class FactSheetOut(_FactSheet):
    excerpt: str


class StoryRef(BaseModel):
    id: int
    title: str | None


class FactSheetDetail(_FactSheet):
    body: str
    stories: list[StoryRef] = Field(description="The stories it answers.")
    history: list[dict[str, Any]] = Field(description="The audit trail, oldest first.")


class SavedSearchOut(BaseModel):
    id: int
    name: str
    request: dict[str, Any]
    created_by: str | None
    created_at: datetime


# -- requests -------------------------------------------------------------------------------------


NUL = "\x00"  # PostgreSQL text cannot hold it: refused in bodies and query strings alike


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and NUL in t for t in texts):
            raise ValueError("remove the NUL character (\\u0000)")
        return value


Short = Annotated[str, Field(max_length=200)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Note = Annotated[str, Field(max_length=10_000)]


class CaseOpen(_Body):
    """Open a case from a story (titled after it), an alert (about its story) or just a title."""

    title: Short | None = None
    story_id: RowId | None = None
    alert_id: RowId | None = None
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    notes: Note | None = None


class CaseTriage(_Body):
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    note: Note | None = None


class CaseAssign(_Body):
    unit: Short | None = Field(None, description="Unit or mission code; kept when the case has one.")
    deadline: Short | None = Field(None, description="2024-05-01, 2024-05-01T17:00 or +48h, +3d.")
    assignee: Short | None = None
    note: Note | None = None


class CaseAnswer(_Body):
    """A response: its kind, title and url; or a fact sheet of the library; or an article of the store."""

    kind: Literal["statement", "fact_sheet", "interview", "article", "other"] | None = None
    title: Short | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    fact_sheet_id: RowId | None = None
    article_id: RowId | None = None
    note: Note | None = None


class CaseClose(_Body):
    reason: Note | None = None


FactSheetTitle = Annotated[str, Field(min_length=1, max_length=500)]
FactSheetText = Annotated[str, Field(min_length=1, max_length=200_000, description="Its text.")]
FactSheetKind = Literal["fact_sheet", "position"]
Lang = Annotated[str, Field(min_length=2, max_length=8, description="A language code: vi, en, zh-hans.")]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)]


class FactSheetIn(_Body):
    """A fact sheet, or an official position (lập trường chính thức), for the library."""

    title: FactSheetTitle
    body: FactSheetText
    kind: FactSheetKind = "fact_sheet"
    lang: Lang = "vi"
    tags: Tags = []


class FactSheetChange(_Body):
    """The fields to change; those left out (or null) keep their value, `tags` replaces the tags."""

    title: FactSheetTitle | None = None
    body: FactSheetText | None = None
    kind: FactSheetKind | None = None
    lang: Lang | None = None
    tags: Tags | None = None


class SavedSearchIn(_Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    query: Annotated[str, Field(max_length=1000)] = ""
    exact: bool = False
    lang: Short | None = None
    source: Short | None = None
    category: Short | None = None
    doc_ref: Short | None = None
    topic: Short | None = None
    entity: Short | None = None
    country: Short | None = None
    event_type: Short | None = None
    tone_min: float | None = None
    tone_max: float | None = None
    tone_of: Literal["article", "subject"] = "article"
    replace: bool = Field(False, description="Replace a search someone else saved under this name.")


# -- errors ---------------------------------------------------------------------------------------


class ApiError(HTTPException):
    """An HTTP error with a machine-readable code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(status, message, headers)
        self.code = code


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"status": status, "code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if not _is_api(request):
        return await http_exception_handler(request, exc)
    code = getattr(exc, "code", None) or CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, ensure_ascii=False)
    return error_response(exc.status_code, code, message, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    if not _is_api(request):
        page = getattr(request.app.state, "page_error", None)  # the web UI's error page (ui.install)
        if page is None:
            return await request_validation_exception_handler(request, exc)
        # /articles/abc is a page that does not exist; a malformed field is a bad request
        in_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
        return page(request, 404 if in_path else 400)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_response(422, "invalid", "; ".join(problems))


def _domain_error(
    status: int, code: str, message: str | None = None, headers: dict[str, str] | None = None
) -> Callable[[Request, Exception], Any]:
    async def handler(request: Request, exc: Exception) -> Response:
        text = message or str(exc)
        if not _is_api(request):
            return PlainTextResponse(text, status_code=status, headers=headers)
        return error_response(status, code, text, headers)

    return handler


# -- limits ---------------------------------------------------------------------------------------


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, bursts of a quarter of that."""

    def __init__(self, per_minute: int):
        self.rate = max(1, per_minute) / 60.0
        self.burst = max(1.0, per_minute / 4)
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self.lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 if the request may go on, else the seconds to wait before the next one will."""
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, then = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return (1 - tokens) / self.rate
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > 10_000:  # forget callers whose bucket has refilled
                full = now - self.burst / self.rate
                self.buckets = {k: v for k, v in self.buckets.items() if v[1] > full}
            return 0.0


def _rate_limit(request: Request) -> None:
    header = request.headers.get("authorization", "")
    if header:
        key = "token:" + hashlib.sha256(header.encode()).hexdigest()
    else:
        key = "ip:" + (request.client.host if request.client else "unknown")
    wait = request.app.state.rate_limiter.take(key)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: wait {math.ceil(wait)} s and slow down",
            {"Retry-After": str(math.ceil(wait))},
        )


def _no_nul_query(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise ApiError(422, "invalid", f"query.{name.replace(NUL, '')}: remove the NUL character (%00)")


def _csrf(request: Request) -> None:
    """State-changing calls made with the session cookie must carry the X-CSRF-Token header."""
    check_csrf(request, None)


class BodyLimit:
    """Refuse request bodies over MAX_BODY bytes with 413, by Content-Length or as they arrive."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if headers.get(b"transfer-encoding") is None:
            await self.app(scope, receive, send)
            return
        # chunked: read it all (at most limit bytes) before the app sees it
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Read (and drop) a modest excess first, so the client gets the answer rather than a reset
        # connection; beyond DRAIN bytes the connection is simply closed.
        drained = 0
        while drained <= DRAIN:
            chunk = await receive()
            drained += len(chunk.get("body", b""))
            if chunk["type"] != "http.request" or not chunk.get("more_body"):
                break
        message = f"the request body is larger than {self.limit // 1024} KiB"
        if scope["path"].startswith("/api/"):
            response: Response = error_response(413, "too_large", message, {"Connection": "close"})
        else:
            response = PlainTextResponse(message, status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)


# -- cursors --------------------------------------------------------------------------------------


def _bad_cursor() -> ApiError:
    return ApiError(400, "bad_cursor", "this cursor is not one we gave: start again without it")


def _pack(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _unpack(cursor: str, key: str) -> Any:
    """The `key` of a cursor made by `_pack`; 400 for anything else (a search cursor has no
    `after`, a story cursor no `offset`)."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[key]
    except (binascii.Error, ValueError, TypeError, KeyError, IndexError):
        raise _bad_cursor() from None


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def encode_cursor(offset: int) -> str:
    return _pack({"offset": offset})


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    offset = _unpack(cursor, "offset")
    if not _whole(offset, 0, MAX_OFFSET):
        raise _bad_cursor()
    return offset


StoryKey = tuple[int, datetime, int]  # (articles, last_seen, id): the order stories are listed in


def encode_story_cursor(story: dict[str, Any]) -> str:
    """The cursor of the page after `story`, the last one of this page (as Service.story_list gives it)."""
    return _pack({"after": [story["articles"], story["last_seen"], story["id"]]})


def decode_story_cursor(cursor: str | None) -> StoryKey | None:
    if not cursor:
        return None
    after = _unpack(cursor, "after")
    try:
        size, seen, story_id = after
        last_seen = datetime.fromisoformat(seen)
    except (TypeError, ValueError):
        raise _bad_cursor() from None
    if not (_whole(size, 0, MAX_ID) and _whole(story_id, 1, MAX_ID)) or last_seen.tzinfo is not None:
        raise _bad_cursor()
    return size, last_seen, story_id


def _page(rows: list[Any], offset: int, limit: int) -> tuple[list[Any], str | None]:
    """The page of `rows` (fetched with one extra row) and the cursor of the next page, if any."""
    more = len(rows) > limit and offset + limit <= MAX_OFFSET
    return rows[:limit], encode_cursor(offset + limit) if more else None


# -- search filters -------------------------------------------------------------------------------

Text = Annotated[str | None, Query(max_length=200)]


def search_filters(
    q: Annotated[
        str,
        Query(
            max_length=1000,
            description='Words, "phrases", AND / OR / NOT, -word, (groups), prefix*; empty with a filter.',
        ),
    ] = "",
    exact: Annotated[bool, Query(description="Match diacritics exactly (đối ≠ đổi).")] = False,
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
    sort: Literal["relevance", "date"] = "relevance",
) -> SearchRequest:
    """The search the query string asks for (as `caunoi search` builds it from its options)."""
    try:
        tags = search_tags(
            doc_ref=doc_ref, event_type=event_type, topic=topic, entity=entity, country=country
        )
    except FilterError as exc:
        raise ApiError(400, "bad_filter", str(exc)) from None
    if not q.strip() and not tags and tone_min is None and tone_max is None:
        raise ApiError(
            400, "bad_request", "give a query (q), or a filter such as doc_ref, topic or event_type"
        )
    return SearchRequest(
        query=q,
        exact=exact,
        date_from=date_from,
        date_to=date_to,
        lang=lang,
        source=source,
        category=category,
        tags=tags,
        tone_min=tone_min,
        tone_max=tone_max,
        tone_of=tone_of,
        sort=sort,
    )


def _search(service: Service, request: SearchRequest) -> list[SearchHit]:
    try:
        return service.search(request)
    except QueryError as exc:
        raise ApiError(400, "bad_query", f"bad query: {exc}") from None


def _safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (titles come from the web)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


EXPORT_COLUMNS = ("id", "published", "lang", "source", "category", "title", "url", "score", "snippet")


def _export(hits: list[SearchHit], form: str) -> Response:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    rows = [[_safe_cell(h.to_json()[k]) for k in EXPORT_COLUMNS] for h in hits]
    if form == "json":
        content = json.dumps([h.to_json() for h in hits], ensure_ascii=False).encode()
        media = "application/json"
    elif form == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        content = b"\xef\xbb\xbf" + out.getvalue().encode()  # the BOM tells Excel it is UTF-8
        media = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("search")
        sheet.append(list(EXPORT_COLUMNS))
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Content-Disposition": f'attachment; filename="caunoi-search-{stamp}.{form}"'}
    return Response(content, media_type=media, headers=headers)


# -- the routes -----------------------------------------------------------------------------------

router = APIRouter(
    prefix=PREFIX,
    dependencies=[Depends(_rate_limit), Depends(_no_nul_query)],
    responses={
        401: {"model": ErrorOut, "description": "No user: send Authorization: Bearer cn_…"},
        403: {"model": ErrorOut, "description": "The user's role may not do this."},
        422: {"model": ErrorOut, "description": "A parameter or the body is not valid."},
        429: {"model": ErrorOut, "description": "Too many requests: see Retry-After."},
    },
)
Reader = Annotated[dict[str, Any], Depends(require("read"))]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
NOT_FOUND = {404: {"model": ErrorOut}}
BAD = {400: {"model": ErrorOut}}


def _service(request: Request) -> Service:
    return service_of(request)


@router.get("/articles/{article_id}", response_model=ArticleOut, responses=NOT_FOUND, tags=["articles"])
def get_article(request: Request, article_id: Id, _user: Reader) -> dict[str, Any]:
    """One article: clean text, metadata, dates, origins, enrichment, story and reprint links."""
    found = _service(request).article(article_id)
    if found is None:
        raise ApiError(404, "not_found", f"no article with id {article_id}")
    return found


@router.get("/search", response_model=SearchPage, responses=BAD, tags=["search"])
def search(
    request: Request,
    _user: Annotated[dict[str, Any], Depends(require("search"))],
    filters: Annotated[SearchRequest, Depends(search_filters)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Full-text search with every filter of `caunoi search`; diacritics are ignored unless `exact`."""
    offset = decode_cursor(cursor)
    hits = _search(_service(request), dataclasses.replace(filters, limit=limit + 1, offset=offset))
    page, next_cursor = _page(hits, offset, limit)
    return {"items": [h.to_json() for h in page], "next_cursor": next_cursor}


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
    hits = _search(_service(request), dataclasses.replace(filters, limit=limit, offset=0))
    return _export(hits, format)


@router.get("/stories", response_model=StoryPage, responses=BAD, tags=["stories"])
def list_stories(
    request: Request,
    _user: Reader,
    since: Annotated[
        datetime | None, Query(description="Seen since (2024-05-01 or 2024-05-01T08:00).")
    ] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    min_articles: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Stories, biggest first (articles, reprints counted once), then the most recently seen."""
    after = decode_story_cursor(cursor)
    if since and since.tzinfo:  # the store keeps local, naive times: 08:00+07:00 is 08:00 in Hà Nội
        since = since.astimezone().replace(tzinfo=None)
    rows = _service(request).story_list(since, topic, limit + 1, min_articles, after)
    items = rows[:limit]
    return {"items": items, "next_cursor": encode_story_cursor(items[-1]) if len(rows) > limit else None}


@router.get("/stories/{story_id}", response_model=StoryOut, responses=NOT_FOUND, tags=["stories"])
def get_story(request: Request, story_id: Id, _user: Reader) -> dict[str, Any]:
    """One story: summary, timeline, outlets, countries, languages, tone by day, topics, articles."""
    found = _service(request).story(story_id)
    if found is None:
        raise ApiError(404, "not_found", f"no story with id {story_id}")
    return found


@router.get("/dashboard", response_model=DashboardOut, tags=["dashboard"])
def dashboard(
    request: Request, _user: Reader, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> dict[str, Any]:
    """The dashboard's figures over the last `days` days of the store: articles and tone per day,
    share of voice by outlet, language and country, top entities and documents cited."""
    figures = _service(request).dashboard(days)
    pairs = ("outlets", "languages", "countries", "entities", "doc_refs")
    return figures | {key: [{"value": v, "articles": n} for v, n in figures[key]] for key in pairs}


@router.get("/sources", response_model=list[SourceHealth], tags=["sources"])
def list_sources(request: Request, _user: Reader) -> list[dict[str, Any]]:
    """Every watched source with its health: last success and error, pages waiting, dead or alive."""
    return _service(request).crawl.status(datetime.now())


@router.get("/alerts", response_model=list[AlertOut], tags=["alerts"])
def list_alerts(
    request: Request,
    _user: Reader,
    state: Literal["new", "read", "dismissed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """The alerts inbox, newest first."""
    return _service(request).alerts.inbox(state, limit)


@router.post(
    "/alerts/{alert_id}/read",
    response_model=AlertOut,
    responses=NOT_FOUND,
    dependencies=[Depends(_csrf)],
    tags=["alerts"],
)
def read_alert(
    request: Request, alert_id: Id, _user: Annotated[dict[str, Any], Depends(require("alert.manage"))]
) -> dict[str, Any]:
    """Mark an alert read."""
    alerts = _service(request).alerts
    if alerts.get(alert_id) is None:
        raise ApiError(404, "not_found", f"no alert with id {alert_id}")
    alerts.mark(alert_id, "read")
    return alerts.get(alert_id)


CaseReader = Annotated[dict[str, Any], Depends(require("case.read"))]


@router.get("/cases", response_model=list[CaseOut], responses={**BAD, **NOT_FOUND}, tags=["cases"])
def list_cases(
    request: Request,
    user: CaseReader,
    state: Literal["new", "triaged", "assigned", "answered", "closed"] | None = None,
    unit: Annotated[str | None, Query(max_length=40)] = None,
    open_only: Annotated[bool, Query(alias="open", description="Only cases not closed.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Cases, newest first; a mission officer sees only their mission's."""
    if permission(user, "case.read") == "own":
        mission = user.get("mission") or ""
        if unit is not None and unit.lower() != mission.lower():
            raise ApiError(403, "forbidden", f"a mission officer sees only the cases of {mission}")
        unit = mission
    return _service(request).cases.list(state, unit, open_only, limit)


def _case(request: Request, user: dict[str, Any], case_id: int, action: str) -> dict[str, Any]:
    case = _service(request).cases.get(case_id)  # NotFound: 404
    allowed(user, action, case)
    return case


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=NOT_FOUND, tags=["cases"])
def get_case(request: Request, case_id: Id, user: CaseReader) -> dict[str, Any]:
    """One case with its responses, its history and what can be done to it next."""
    return _case(request, user, case_id, "case.read")


@router.post(
    "/cases",
    response_model=CaseDetail,
    status_code=201,
    responses={**BAD, **NOT_FOUND, 409: {"model": ErrorOut, "description": "The alert has an open case."}},
    dependencies=[Depends(_csrf)],
    tags=["cases"],
)
def open_case(
    request: Request, body: CaseOpen, user: Annotated[dict[str, Any], Depends(require("case.open"))]
) -> dict[str, Any]:
    """Open a case from a story, an alert or a title."""
    return _service(request).cases.open_case(**body.model_dump(), by=user["username"])


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
        dependencies=[Depends(_csrf)],
        tags=["cases"],
    )


def _act(
    request: Request, user: dict[str, Any], case_id: int, action: str, body: BaseModel | None
) -> dict[str, Any]:
    """Do `action` to the case as `user`: 404 without the case, 403 when it is another mission's, 409
    when its state does not allow the action, 400 when the service refuses the values."""
    cases = _service(request).cases
    case = _case(request, user, case_id, "case.read")
    allowed(user, ACTION_PERMISSIONS.get(action, "case.write"), case)
    wrong_state = action not in allowed_actions(case["state"])
    try:
        return getattr(cases, action)(case_id, by=user["username"], **(body.model_dump() if body else {}))
    except NotFound:
        raise  # 404
    except CaseError as exc:
        if wrong_state:
            raise ApiError(409, "wrong_state", str(exc)) from None
        raise ApiError(400, "bad_request", str(exc)) from None


@_case_action("triage")
def triage_case(
    request: Request, case_id: Id, user: Writer, body: CaseTriage | None = None
) -> dict[str, Any]:
    """Judge a new case worth handling (and set its priority)."""
    return _act(request, user, case_id, "triage", body)


@_case_action("assign")
def assign_case(request: Request, case_id: Id, user: Assigner, body: CaseAssign) -> dict[str, Any]:
    """Give the case to a unit or mission with a deadline (again: reassign it, or send an answer back)."""
    return _act(request, user, case_id, "assign", body)


@_case_action("answer")
def answer_case(request: Request, case_id: Id, user: Writer, body: CaseAnswer) -> dict[str, Any]:
    """Record how an assigned case was answered: a response, a fact sheet or an article."""
    return _act(request, user, case_id, "answer", body)


@_case_action("respond")
def respond_case(request: Request, case_id: Id, user: Writer, body: CaseAnswer) -> dict[str, Any]:
    """Add another response to an answered (or closed) case, with the fields of `answer`; its state
    does not change."""
    return _act(request, user, case_id, "respond", body)


@_case_action("close")
def close_case(request: Request, case_id: Id, user: Writer, body: CaseClose | None = None) -> dict[str, Any]:
    """Close a case (with a reason)."""
    return _act(request, user, case_id, "close", body)


@_case_action("reopen")
def reopen_case(request: Request, case_id: Id, user: Writer, body: CaseClose | None = None) -> dict[str, Any]:
    """A closed case back to triaged."""
    return _act(request, user, case_id, "reopen", body)


@router.get("/factsheets", response_model=list[FactSheetOut], responses=BAD, tags=["cases"])
def list_fact_sheets(
    request: Request,
    _user: Reader,
    q: Annotated[str | None, Query(max_length=500, description="Every word, diacritics optional.")] = None,
    kind: Literal["fact_sheet", "position"] | None = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """The library of fact sheets and official positions, or those holding every word of `q`."""
    cases = _service(request).cases
    if q is not None and q.strip():
        return cases.search_fact_sheets(q, kind, lang, limit)
    return cases.fact_sheets(kind, lang, limit=limit)


FactSheetWriter = Annotated[dict[str, Any], Depends(require("factsheet.write"))]


@contextlib.contextmanager
def _refused_as_invalid() -> Iterator[None]:
    """Values the library refuses (a blank title, a language code that is not one) are a 422, like
    the body's other mistakes; an unknown id stays a 404."""
    try:
        yield
    except NotFound:
        raise
    except CaseError as exc:
        raise ApiError(422, "invalid", str(exc)) from None


@router.post(
    "/factsheets",
    response_model=FactSheetDetail,
    status_code=201,
    dependencies=[Depends(_csrf)],
    tags=["cases"],
)
def add_fact_sheet(request: Request, body: FactSheetIn, user: FactSheetWriter) -> dict[str, Any]:
    """Add a fact sheet or an official position to the library."""
    with _refused_as_invalid():
        return _service(request).cases.add_fact_sheet(**body.model_dump(), by=user["username"])


@router.get(
    "/factsheets/{fact_sheet_id}", response_model=FactSheetDetail, responses=NOT_FOUND, tags=["cases"]
)
def get_fact_sheet(request: Request, fact_sheet_id: Id, _user: Reader) -> dict[str, Any]:
    """One fact sheet: its text, the stories it answers and its history."""
    return _service(request).cases.fact_sheet(fact_sheet_id)


@router.patch(
    "/factsheets/{fact_sheet_id}",
    response_model=FactSheetDetail,
    responses=NOT_FOUND,
    dependencies=[Depends(_csrf)],
    tags=["cases"],
)
def change_fact_sheet(
    request: Request, fact_sheet_id: Id, body: FactSheetChange, user: FactSheetWriter
) -> dict[str, Any]:
    """Change the fields given; the history keeps what they were."""
    with _refused_as_invalid():
        return _service(request).cases.update_fact_sheet(
            fact_sheet_id, by=user["username"], **body.model_dump()
        )


@router.post(
    "/factsheets/{fact_sheet_id}/stories/{story_id}",
    response_model=FactSheetDetail,
    status_code=201,
    responses={
        **NOT_FOUND,
        201: {"description": "Linked."},
        200: {"model": FactSheetDetail, "description": "They were linked already."},
    },
    dependencies=[Depends(_csrf)],
    tags=["cases"],
)
def link_fact_sheet(
    request: Request, response: Response, fact_sheet_id: Id, story_id: Id, user: FactSheetWriter
) -> dict[str, Any]:
    """Link the fact sheet to a story it answers (201; 200 when they were linked already)."""
    cases = _service(request).cases
    if not cases.link_fact_sheet(fact_sheet_id, story_id, by=user["username"]):
        response.status_code = 200
    return cases.fact_sheet(fact_sheet_id)


@router.get("/saved-searches", response_model=list[SavedSearchOut], tags=["search"])
def list_saved_searches(request: Request, _user: Reader) -> list[dict[str, Any]]:
    """Searches kept under a name (alert rules can watch them)."""
    return _service(request).alerts.saved()


@router.post(
    "/saved-searches",
    response_model=SavedSearchOut,
    status_code=201,
    responses={**BAD, 409: {"model": ErrorOut, "description": "Another user's search has this name."}},
    dependencies=[Depends(_csrf)],
    tags=["search"],
)
def save_search(
    request: Request,
    body: Annotated[SavedSearchIn, Body()],
    user: Annotated[dict[str, Any], Depends(require("alert.manage"))],
) -> dict[str, Any]:
    """Keep a search under a name: the same name again updates one's own search; another user's is
    replaced only with `replace` (409 otherwise)."""
    try:
        tags = search_tags(
            doc_ref=body.doc_ref,
            event_type=body.event_type,
            topic=body.topic,
            entity=body.entity,
            country=body.country,
        )
    except FilterError as exc:
        raise ApiError(400, "bad_filter", str(exc)) from None
    kept = body.model_dump(
        include={"query", "exact", "lang", "source", "category", "tone_min", "tone_max", "tone_of"}
    )
    kept["tags"] = [list(t) for t in tags]
    alerts = _service(request).alerts
    try:
        saved_id = alerts.save_search(body.name, kept, user["username"], replace=body.replace)
    except AlertError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return next(s for s in alerts.saved() if s["id"] == saved_id)


# -- installing -----------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Add the API routes, its error handlers and limits, and the offline Swagger UI at /docs."""
    app.state.rate_limiter = RateLimiter(app.state.service.settings.api_rate_per_minute)
    app.include_router(router)
    app.add_middleware(BodyLimit)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(QueryError, _domain_error(400, "bad_query"))
    app.add_exception_handler(DuplicateCase, _domain_error(409, "duplicate"))
    app.add_exception_handler(NotFound, _domain_error(404, "not_found"))
    app.add_exception_handler(CaseError, _domain_error(400, "bad_request"))
    # every database connection stayed busy for pool_timeout seconds: say so, do not fail with a 500
    busy = "the server is busy: every database connection is in use; try again in a few seconds"
    app.add_exception_handler(PoolTimeout, _domain_error(503, "busy", busy, {"Retry-After": "5"}))

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or f"{PREFIX}/openapi.json",
            title=f"{app.title} — Swagger UI",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    _add_security_scheme(app)


def _add_security_scheme(app: FastAPI) -> None:
    """Tell OpenAPI (and Swagger UI's Authorize button) that calls take a Bearer token."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "caunoi users token-add"}
            }
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
