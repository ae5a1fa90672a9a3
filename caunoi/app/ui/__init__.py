"""The web UI: server-rendered pages (Jinja2, caunoi/app/templates) over caunoi.service, in
Vietnamese (the default) or English, for a laptop or a phone.

Security, in one place: every page needs a session (else a redirect to /login?next=…); every
state-changing form carries the session's CSRF token (auth.check_csrf), the login form a
double-submit one; a login always makes a new session (no fixation); templates escape every value
(articles, titles and alerts come from fetched pages); HTML responses carry a Content-Security-Policy
without inline script — chart data travels in a <script type="application/json"> block that
static/js/charts.js reads. Every asset is served from here: no CDN.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import ipaddress
import math
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from caunoi.alerts import AlertError
from caunoi.app.auth import SESSION_COOKIE, check_csrf, current_user, service_of
from caunoi.app.labels import LABELS, LANGS
from caunoi.app.messages import translated
from caunoi.cases import FACT_SHEET_KINDS, PRIORITIES, RESPONSE_KINDS, STATES, CaseError, DuplicateCase
from caunoi.cases import NotFound as CaseNotFound
from caunoi.service import Service
from caunoi.store.articles import SearchRequest
from caunoi.store.query import QueryError
from caunoi.users import WRONG, LoginRefused, can, permission

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANG_COOKIE = "lang"
LOGIN_CSRF_COOKIE = "caunoi_login_csrf"
PAGE_SIZE = 20
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)  # styles: Plotly sets inline styles on the charts it draws
NOT_UI = ("/api", "/docs", "/redoc")  # the REST API and its own pages
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

router = APIRouter(include_in_schema=False)


class LoginNeeded(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


class PageError(Exception):
    """A page that cannot be shown: 403, 404, or 400 with the service's message."""

    def __init__(self, status: int, message: str | None = None):
        self.status, self.message = status, message


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.add_exception_handler(LoginNeeded, _to_login)
    app.add_exception_handler(PageError, _error_page)
    app.state.page_error = lambda request, status: _error_page(request, PageError(status))
    app.middleware("http")(_security_headers)


async def _security_headers(request: Request, call_next):
    response = await call_next(request)
    if request.url.path.startswith(NOT_UI):
        return response
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.url.path.startswith("/static/vendor/") and response.status_code == 200:
        # vendored files carry their version in their name: a new version is a new URL
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _to_login(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginNeeded)
    return RedirectResponse("/login?" + urlencode({"next": exc.next_url}), status_code=303)


def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    user = current_user(request)
    key = {403: "forbidden", 404: "not_found"}.get(exc.status, "refused")
    return _render(request, user, "error.html.j2", exc.status, key=key, message=exc.message)


# -- templates ------------------------------------------------------------------------------------


@functools.cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = _day
    env.filters["when"] = lambda v: _when(v)
    env.filters["tone"] = lambda v: "" if v is None else f"{v:+.2f}"
    env.filters["marked"] = marked
    env.filters["changes"] = _changes
    return env


def _day(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else ""


def _when(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    return value.strftime("%d/%m/%Y %H:%M") if isinstance(value, datetime) else _day(value)


def marked(snippet: str, highlights: list[tuple[int, int]]) -> Markup:
    """The snippet escaped, with its highlight spans (offsets into the raw text) in <mark>."""
    out, at = [], 0
    for start, end in sorted(highlights):
        if start < at or end <= start:
            continue
        out += [escape(snippet[at:start]), Markup("<mark>"), escape(snippet[start:end]), Markup("</mark>")]
        at = end
    out.append(escape(snippet[at:]))
    return Markup("").join(out)


def lang_of(request: Request, user: dict[str, Any] | None = None) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    return (user or {}).get("lang") if (user or {}).get("lang") in LANGS else "vi"


def _render(
    request: Request, user: dict[str, Any] | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    lang = lang_of(request, user)
    for key in ("error", "message"):  # a service's refusal, in the page's language
        if isinstance(context.get(key), str):
            context[key] = translated(context[key], lang)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    nav = []
    if user is not None:
        nav = [("/", "dashboard"), ("/search", "search"), ("/stories", "stories"), ("/alerts", "alerts")]
        nav += [("/cases", "cases"), ("/factsheets", "factsheets")]
        if permission(user, "source.manage"):
            nav.append(("/sources", "sources"))
    html = (
        _env()
        .get_template(template)
        .render(
            t=LABELS[lang],
            lang=lang,
            user=user,
            csrf=((user or {}).get("session") or {}).get("csrf_token", ""),
            here=here,
            path=request.url.path,
            nav=nav,
            can=lambda action, obj=None: user is not None and can(user, action, obj),
            name_of=functools.partial(_name_of, lang=lang),
            label=functools.partial(_label, LABELS[lang]),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def _changes(changes: Any) -> str:
    """An audit row's changes as text: "priority: normal → high; unit: – → VU-TT" (escaped by Jinja)."""
    if not isinstance(changes, dict):
        return "" if changes is None else str(changes)
    parts = []
    for field, change in changes.items():
        if isinstance(change, list) and len(change) == 2:
            before, after = (_shown(v) for v in change)
            parts.append(f"{field}: {before} → {after}")
        else:
            parts.append(f"{field}: {change}")
    return "; ".join(parts)


def _shown(value: Any) -> Any:
    if value in (None, ""):
        return "–"
    if isinstance(value, dict):  # a response: its title says which
        return value.get("title") or value.get("kind") or value.get("id")
    return value


def _label(t: dict[str, str], group: str, value: str) -> str:
    """A code's words: ("priority", "high") -> "Cao"; a code without a label shows as itself."""
    return t.get(f"{group}_{value}", value)


# -- who is asking ----------------------------------------------------------------------------------


def page_user(request: Request) -> dict[str, Any]:
    """The logged-in user, or a redirect to the login page that comes back here."""
    user = current_user(request)
    if user is None:
        raise LoginNeeded(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    _no_nul(request.query_params.multi_items())
    return user


def _no_nul(items: Iterable[tuple[str, Any]]) -> None:
    """PostgreSQL text cannot hold a NUL character: a field with one is a bad request, not a 500."""
    if any(isinstance(v, str) and ("\x00" in v or "\x00" in k) for k, v in items):
        raise PageError(400, "remove the NUL character (%00) from the request")


async def _form(request: Request) -> dict[str, str]:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    _no_nul(form.items())
    return form


def need(user: dict[str, Any], action: str, obj: dict[str, Any] | None = None) -> None:
    allowed = can(user, action, obj) if obj is not None else permission(user, action) is not None
    if not allowed:
        raise PageError(403)


def row_id(value: int) -> int:
    """An id that can name a row, else 404 (PostgreSQL would refuse a larger one with an error)."""
    if not 1 <= value <= MAX_ID:
        raise PageError(404)
    return value


async def posted(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """The user and the form of a state-changing request whose CSRF token is right, or 403."""
    user = page_user(request)
    form = await _form(request)
    try:
        check_csrf(request, form.get("csrf_token"))
    except HTTPException as exc:
        raise PageError(403, str(exc.detail)) from None
    return user, form


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or parts.scheme
        or parts.netloc
        or any(ord(c) < 32 for c in value)
    ):
        return "/"
    return value


def _secure(request: Request) -> bool:
    """Whether cookies get Secure: setting cookie_secure true/false, or "auto" — yes unless the
    request came over plain HTTP from this machine (a browser drops Secure cookies on http)."""
    setting = str(getattr(service_of(request).settings, "cookie_secure", "auto")).lower()
    if setting in ("true", "false"):
        return setting == "true"
    if request.url.scheme == "https":
        return True
    host = request.client.host if request.client else ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host != "localhost"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# -- logging in and out ---------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next)


def _login_form(request: Request, next_url: str, error: str | None = None, status: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if len(token) < 20 or len(token) > 100:
        token = secrets.token_urlsafe(32)
    response = _render(
        request, None, "login.html.j2", status, login_csrf=token, next=safe_next(next_url), error=error
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", httponly=True, samesite="lax",
        secure=_secure(request),
    )  # fmt: skip
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    cookie, sent = request.cookies.get(LOGIN_CSRF_COOKIE) or "", form.get("csrf_token") or ""
    if not cookie or not hmac.compare_digest(cookie, sent):
        raise PageError(403, "missing or wrong CSRF token: reload the login page and try again")
    service: Service = service_of(request)
    next_url = safe_next(form.get("next"))
    t = LABELS[lang_of(request)]
    try:
        user = service.users.authenticate(
            form.get("username", ""), form.get("password", ""), ip=_client_ip(request)
        )
    except LoginRefused as exc:
        return _login_form(request, next_url, _refusal(str(exc), t), status=401)
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # whatever the browser held before is never the session after: end it, make a new one
        service.users.end_session(old)
    secret, _ = service.users.create_session(
        user["id"], ip=_client_ip(request), user_agent=request.headers.get("user-agent")
    )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, secret, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _refusal(message: str, t: dict[str, str]) -> str:
    if message == WRONG:
        return t["wrong"]
    if message.startswith("too many attempts"):
        return t["too_many"]
    if message.startswith("locked until"):
        return f"{t['locked']} {message.rsplit(' ', 1)[-1]}."
    if "disabled" in message:
        return t["disabled"]
    return message


@router.post("/logout")
async def logout(request: Request) -> Response:
    await posted(request)
    service_of(request).users.end_session(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    if code not in LANGS:
        raise PageError(404)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 86400, path="/", samesite="lax", secure=_secure(request)
    )
    return response


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """For what asks the old address: every page names /static/favicon.svg."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


# -- names of countries, entities and topics --------------------------------------------------------


def _name_of(value: str, kind: str = "entity", lang: str = "vi") -> str:
    """What a user reads for a tag value: "CN" -> Trung Quốc, "culture_tourism" -> Văn hóa và du lịch."""
    if kind == "topic":
        return _topic_names(lang).get(value, value)
    from caunoi.enrich.gazetteer import load_gazetteer

    entry = load_gazetteer().get(f"country:{value}" if kind == "country" else value)
    if entry is None:
        return value
    return (entry.name_vi or entry.name_en) if lang == "vi" else (entry.name_en or entry.name_vi)


@functools.cache
def _topic_names(lang: str) -> dict[str, str]:
    from caunoi.enrich.categories import LABELS as SECTIONS
    from caunoi.enrich.taxonomy import load_taxonomy

    names = {
        key: (text.split(" (", 1)[0] if lang == "vi" else key.capitalize()) for key, text in SECTIONS.items()
    }
    names.update({topic.id: topic.vi if lang == "vi" else topic.en for topic in load_taxonomy()})
    return names


def _alpha3(code: str) -> str | None:
    from caunoi.enrich.gazetteer import load_gazetteer

    entry = load_gazetteer().get(f"country:{code}")
    return (entry.get("alpha3") or None) if entry is not None else None


# -- charts: Plotly figures as plain JSON, drawn by static/js/charts.js ------------------------------

_FONT = {"family": "'Be Vietnam Pro', system-ui, sans-serif", "size": 12}


def _figure(chart_id: str, data: list[dict[str, Any]], **layout: Any) -> dict[str, Any]:
    base = {"margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "font": _FONT, "height": 260, "showlegend": False}
    return {"id": chart_id, "data": data, "layout": base | layout}


def _hbar(chart_id: str, pairs: list[tuple[str, int]], label=lambda v: v) -> dict[str, Any]:
    pairs = list(reversed(pairs[:12]))
    return _figure(
        chart_id,
        [{"type": "bar", "orientation": "h", "y": [label(k) for k, _ in pairs], "x": [n for _, n in pairs]}],
        margin={"l": 140, "r": 10, "t": 10, "b": 30},
        height=max(160, 26 * len(pairs) + 50),
    )


def _days_axis(lang: str, days: int = 30) -> dict[str, Any]:
    """An axis of `days` days, as each language writes them (30/4, Apr 30); a tick on every day when
    there are few, so that no tick falls between two days (the counts are per day). Hover labels
    use the locale's date."""
    axis = {"type": "date", "tickformat": "%-d/%-m" if lang == "vi" else "%b %-d", "hoverformat": "%x"}
    return axis | {"dtick": 86_400_000} if days <= 14 else axis


def _counts_axis(counts: list[int]) -> dict[str, Any]:
    """Whole numbers only: a story of 2 articles is not drawn with a tick at 0.5."""
    return {"rangemode": "tozero", "dtick": 1} if max(counts, default=0) <= 5 else {"rangemode": "tozero"}


def dashboard_charts(data: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    days = [d["day"] for d in data["per_day"]]
    countries = [(c, n) for c, n in data["countries"] if _alpha3(c)]
    country = functools.partial(_name_of, kind="country", lang=lang)
    dates = _days_axis(lang)
    return [
        _figure(
            "chart-per-day",
            [{"type": "bar", "x": days, "y": [d["articles"] for d in data["per_day"]]}],
            xaxis=dates,
        ),
        _figure(
            "chart-tone",
            [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": days,
                    "y": [d["tone"] for d in data["per_day"]],
                }
            ],
            xaxis=dates,
        ),
        _hbar("chart-outlets", data["outlets"]),
        _hbar("chart-countries", data["countries"][:12], country),
        _figure(
            "chart-languages",
            [
                {
                    "type": "pie",
                    "labels": [k for k, _ in data["languages"]],
                    "values": [n for _, n in data["languages"]],
                }
            ],
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
        ),
        _figure(
            "chart-map",
            [
                {
                    "type": "choropleth",
                    "locationmode": "ISO-3",
                    "locations": [_alpha3(c) for c, _ in countries],
                    "text": [country(c) for c, _ in countries],
                    # light for few articles, dark for many (plotly's own "Blues" runs the other way);
                    # a count's logarithm, so one country with most of the coverage does not wash
                    # out the rest
                    "z": [math.log10(n + 1) for _, n in countries],
                    "customdata": [n for _, n in countries],
                    "hovertemplate": "%{text}: %{customdata}<extra></extra>",
                    "colorscale": [[0, "#c6dbef"], [1, "#08306b"]],
                    "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                    "showscale": False,
                }
            ],
            geo={
                "projection": {"type": "natural earth"},
                "showframe": False,
                "showcoastlines": False,
                "showland": True,  # countries with no coverage are drawn too, in grey
                "landcolor": "#e5e7eb",
                "showcountries": True,
                "countrycolor": "#ffffff",
            },
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            height=360,
        ),
    ]


# -- pages ------------------------------------------------------------------------------------------


@router.get("/")
def dashboard(request: Request) -> Response:
    user = page_user(request)
    need(user, "read")
    data = service_of(request).dashboard(30)
    charts = dashboard_charts(data, lang_of(request, user))
    return _render(request, user, "dashboard.html.j2", d=data, charts=charts)


SEARCH_FIELDS = (
    "q", "exact", "from", "to", "lang", "source", "category", "topic", "country", "entity", "doc_ref",
    "event_type", "tone_min", "tone_max", "tone_of", "sort",
)  # fmt: skip
TAG_FIELDS = ("doc_ref", "event_type", "topic", "entity", "country")  # the filters a request holds as tags


def search_url(params: Mapping[str, str | None], page: int = 1) -> str:
    """The link to this search: /search?q=doi+ngoai&country=CN, never lang=&source=&…"""
    kept = {k: v for k, v in params.items() if v}
    if page > 1:
        kept["page"] = str(page)
    return "/search?" + urlencode(kept) if kept else "/search"


def search_request(params: dict[str, str], page: int) -> SearchRequest | None:
    """The SearchRequest the form asks for (None when it asks nothing), as `caunoi search` builds it;
    ValueError with what to fix."""
    from caunoi.filters import FilterError, search_tags

    def number(key: str) -> float | None:
        try:
            return float(params[key]) if params.get(key) else None
        except ValueError:
            raise ValueError(f"{key} must be a number, not {params[key]!r}") from None

    def day(key: str) -> date | None:
        try:
            return date.fromisoformat(params[key]) if params.get(key) else None
        except ValueError:
            raise ValueError(f"{key} must be a date like 2024-02-19, not {params[key]!r}") from None

    try:
        tags = search_tags(**{key: params.get(key) or None for key in TAG_FIELDS})
    except FilterError as exc:
        raise ValueError(str(exc)) from None
    request = SearchRequest(
        query=params.get("q", ""),
        exact=bool(params.get("exact")),
        date_from=day("from"),
        date_to=day("to"),
        lang=params.get("lang") or None,
        source=params.get("source") or None,
        category=params.get("category") or None,
        sort="date" if params.get("sort") == "date" else "relevance",
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
        tags=tags,
        tone_min=number("tone_min"),
        tone_max=number("tone_max"),
        tone_of="subject" if params.get("tone_of") == "subject" else "article",
    )
    narrowed = request.lang or request.source or request.category or request.date_from or request.date_to
    asked = request.query.strip() or tags or request.tone_min is not None or request.tone_max is not None
    return request if asked or narrowed else None


def saved_request(request: SearchRequest) -> dict[str, Any]:
    """What a saved search keeps of a search, as `caunoi search --save` keeps it: the query and its
    filters, not the dates or the order (an alert rule watching it looks at its own window)."""
    return {
        "query": request.query, "exact": request.exact, "lang": request.lang, "source": request.source,
        "category": request.category, "tags": [list(t) for t in request.tags],
        "tone_min": request.tone_min, "tone_max": request.tone_max, "tone_of": request.tone_of,
    }  # fmt: skip


def saved_params(saved: dict[str, Any]) -> dict[str, str]:
    """The /search parameters of a saved search's request, its tags back in the filters they came
    from; empty ones left out."""
    params = {
        "q": saved.get("query") or "",
        "exact": "1" if saved.get("exact") else "",
        **{key: str(saved.get(key) or "") for key in ("lang", "source", "category")},
    }
    for kind, value in saved.get("tags") or ():
        if kind in TAG_FIELDS and not params.get(kind):
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
    names = {"topic": "topic", "country": "country", "entity": "entity"}
    shown = []
    for key in ("lang", "source", "category", *TAG_FIELDS):
        if params.get(key):
            value = _name_of(params[key], names[key], lang) if key in names else params[key]
            shown.append(f"{t['outlet' if key == 'source' else key]}: {value}")
    low, high = params.get("tone_min"), params.get("tone_max")
    if low or high:
        bounds = f"{low} … {high}" if low and high else f"≥\u00a0{low}" if low else f"≤\u00a0{high}"
        of = f" ({t['tone_of_subject']})" if params.get("tone_of") == "subject" else ""
        shown.append(f"{t['tone']}{of}: {bounds}")
    if params.get("exact"):
        shown.append(t["exact"])
    return shown


@router.get("/search")
def search(request: Request, page: int = 1) -> Response:
    user = page_user(request)
    need(user, "search")
    page = max(1, min(page, 500))
    params = {k: request.query_params.get(k, "").strip()[:500] for k in SEARCH_FIELDS}
    params = {k: v for k, v in params.items() if v}
    service: Service = service_of(request)
    hits, facets, error, more = [], {}, None, False
    try:
        req = search_request(params, page)
        if req is not None:
            hits = service.search(req)
            more = len(hits) > PAGE_SIZE
            hits = hits[:PAGE_SIZE]
            facets = service.facets(dataclasses.replace(req, limit=PAGE_SIZE, offset=0))
    except (QueryError, ValueError) as exc:
        error = str(exc)

    def url(page: int = 1, **change: str | None) -> str:
        return search_url({**params, **change}, page)

    return _render(
        request, user, "search.html.j2",
        params=params, hits=hits, facets=facets, error=error, page=page, more=more, url=url,
        searched=bool(params),
    )  # fmt: skip


@router.get("/searches")
def saved_searches(request: Request) -> Response:
    user = page_user(request)
    need(user, "search")
    lang = lang_of(request, user)
    found = []
    for saved in service_of(request).alerts.saved():
        params = saved_params(saved["request"] or {})
        shown = {"query": params.get("q", ""), "filters": filters_shown(params, lang)}
        found.append(saved | shown | {"url": search_url(params)})
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
        if req is None or not saved_params(saved_request(req)).keys() - {"exact", "tone_of"}:
            raise PageError(400, t["save_search_empty"])  # dates alone: nothing a rule could watch
        service.search(dataclasses.replace(req, limit=1))  # a bad query is refused now, not when a rule runs
    except (QueryError, ValueError) as exc:
        raise PageError(400, str(exc)) from None
    try:
        service.alerts.save_search(name, saved_request(req), user["username"])
    except AlertError:
        raise PageError(409, t["save_search_taken"]) from None
    return RedirectResponse("/searches", status_code=303)


@router.get("/articles/{article_id}")
def article(request: Request, article_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    found = service_of(request).article(row_id(article_id))
    if found is None:
        raise PageError(404)
    paragraphs = [p.strip() for p in (found.get("text") or "").split("\n") if p.strip()]
    return _render(request, user, "article.html.j2", a=found, paragraphs=paragraphs)


@router.get("/stories")
def stories(request: Request) -> Response:
    user = page_user(request)
    need(user, "read")
    return _render(request, user, "stories.html.j2", stories=service_of(request).story_list(limit=100))


@router.get("/stories/{story_id}")
def story(request: Request, story_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    found = service_of(request).story(row_id(story_id))
    if found is None:
        raise PageError(404)
    counts = [d["articles"] for d in found["timeline"]]
    days = [date.fromisoformat(str(d["day"])[:10]) for d in found["timeline"]]
    span = (days[-1] - days[0]).days + 1 if days else 1
    chart = _figure(
        "chart-story",
        [{"type": "bar", "x": [d["day"] for d in found["timeline"]], "y": counts}],
        height=200,
        xaxis=_days_axis(lang_of(request, user), span),
        yaxis=_counts_axis(counts),
    )
    sheets = service_of(request).cases.fact_sheets(story_id=found["id"])  # what answers it already
    return _render(request, user, "story.html.j2", s=found, charts=[chart], sheets=sheets)


@router.get("/alerts")
def alerts(request: Request, state: str | None = None) -> Response:
    user = page_user(request)
    need(user, "read")
    state = state if state in ("new", "read", "dismissed") else None
    inbox = service_of(request).alerts.inbox(state, limit=200)
    return _render(request, user, "alerts.html.j2", alerts=inbox, state=state)


@router.post("/alerts/{alert_id}/read")
async def alert_read(request: Request, alert_id: int) -> Response:
    user, _ = await posted(request)
    need(user, "alert.manage")
    try:
        service_of(request).alerts.mark(row_id(alert_id), "read")
    except AlertError as exc:
        raise PageError(404, str(exc)) from None
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{alert_id}/case")
async def alert_case(request: Request, alert_id: int) -> Response:
    user, _ = await posted(request)
    need(user, "case.open")
    try:
        case = service_of(request).cases.open_case(alert_id=row_id(alert_id), by=user["username"])
    except DuplicateCase as exc:
        return RedirectResponse(f"/cases/{exc.case_id}", status_code=303)
    except CaseNotFound as exc:
        raise PageError(404, str(exc)) from None
    except CaseError as exc:
        raise PageError(400, str(exc)) from None
    return RedirectResponse(f"/cases/{case['id']}", status_code=303)


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
    columns = {state: [c for c in found if c["state"] == state] for state in STATES}
    return _render(request, user, "cases.html.j2", columns=columns, own=scope == "own")


def _case(request: Request, user: dict[str, Any], case_id: int, action: str = "case.read") -> dict[str, Any]:
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
    workflow = service_of(request).cases
    units = workflow.units() if can(user, "case.assign", found) else []
    story_sheets: list[dict[str, Any]] = []
    sheets: list[dict[str, Any]] = []
    if can(user, "case.write", found) and {"answer", "respond"} & set(found["actions"]):
        # what it can be answered with: the fact sheets that answer its story already, then the library
        if found["story_id"] is not None:
            story_sheets = workflow.fact_sheets(story_id=found["story_id"])
        shown = {s["id"] for s in story_sheets}
        sheets = story_sheets + [s for s in workflow.fact_sheets(limit=200) if s["id"] not in shown]
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
        raise PageError(400, f"fact sheet {sheet!r}: choose one from the list")
    try:
        if action == "triage":
            workflow.triage(case_id, by=by, priority=text["priority"], note=text["note"])
        elif action == "assign":
            workflow.assign(case_id, text["unit"], text["deadline"], by=by, note=text["note"])
        elif action in ("answer", "respond"):
            move = workflow.answer if action == "answer" else workflow.respond
            move(
                case_id, by=by, kind=text["kind"], title=text["title"], url=text["url"], note=text["note"],
                fact_sheet_id=int(sheet) if sheet else None,
            )  # fmt: skip
        elif action == "close":
            workflow.close(case_id, by=by, reason=text["reason"])
        else:
            workflow.reopen(case_id, by=by, reason=text["reason"])
    except CaseError as exc:
        raise PageError(400, str(exc)) from None
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# -- fact sheets and official positions: the library answers draw on -----------------------------


@router.get("/factsheets")
def fact_sheets(request: Request, q: str = "") -> Response:
    user = page_user(request)
    need(user, "read")
    q = q.strip()[:500]
    library = service_of(request).cases
    found, error = [], None
    try:  # every word, with or without diacritics, as `caunoi factsheets search`
        found = library.search_fact_sheets(q, limit=200) if q else library.fact_sheets(limit=500)
    except CaseError as exc:
        error = str(exc)
    return _render(request, user, "factsheets.html.j2", sheets=found, q=q, error=error)


def _fact_sheet_fields(form: dict[str, str]) -> dict[str, Any]:
    """A fact sheet form as CaseService takes it: tags typed comma-separated."""
    return {
        "title": form.get("title") or "",
        "body": form.get("body") or "",
        "kind": form.get("kind") or "fact_sheet",
        "lang": form.get("lang") or "vi",
        "tags": (form.get("tags") or "").split(","),
    }


def _fact_sheet_form(
    request: Request,
    user: dict[str, Any],
    sheet: dict[str, Any] | None,
    fields: dict[str, Any],
    error: str | None = None,
) -> Response:
    """The new fact sheet form (no `sheet`) or a fact sheet's page with its edit form, as filled in."""
    fields = fields | {"tags": ", ".join(t.strip() for t in fields["tags"] if t.strip())}
    template = "factsheet.html.j2" if sheet else "factsheet_new.html.j2"
    return _render(
        request, user, template, 400 if error else 200, s=sheet, form=fields, error=error,
        kinds=FACT_SHEET_KINDS,
    )  # fmt: skip


@router.get("/factsheets/new")
def fact_sheet_new(request: Request) -> Response:
    user = page_user(request)
    need(user, "factsheet.write")
    fields = _fact_sheet_fields({"lang": lang_of(request, user)})
    return _fact_sheet_form(request, user, None, fields)


@router.post("/factsheets/new")
async def fact_sheet_add(request: Request) -> Response:
    user, form = await posted(request)
    need(user, "factsheet.write")
    fields = _fact_sheet_fields(form)
    try:
        sheet = service_of(request).cases.add_fact_sheet(by=user["username"], **fields)
    except CaseError as exc:
        return _fact_sheet_form(request, user, None, fields, str(exc))
    return RedirectResponse(f"/factsheets/{sheet['id']}", status_code=303)


def _fact_sheet(request: Request, fact_sheet_id: int) -> dict[str, Any]:
    try:
        return service_of(request).cases.fact_sheet(row_id(fact_sheet_id))
    except CaseNotFound:
        raise PageError(404) from None


@router.get("/factsheets/{fact_sheet_id}")
def fact_sheet(request: Request, fact_sheet_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    sheet = _fact_sheet(request, fact_sheet_id)
    return _fact_sheet_form(request, user, sheet, sheet)


@router.post("/factsheets/{fact_sheet_id}")
async def fact_sheet_edit(request: Request, fact_sheet_id: int) -> Response:
    user, form = await posted(request)
    need(user, "factsheet.write")
    sheet = _fact_sheet(request, fact_sheet_id)
    fields = _fact_sheet_fields(form)
    try:
        service_of(request).cases.update_fact_sheet(fact_sheet_id, by=user["username"], **fields)
    except CaseNotFound:
        raise PageError(404) from None
    except CaseError as exc:
        return _fact_sheet_form(request, user, sheet, fields, str(exc))
    return RedirectResponse(f"/factsheets/{fact_sheet_id}", status_code=303)


@router.post("/factsheets/{fact_sheet_id}/link")
async def fact_sheet_link(request: Request, fact_sheet_id: int) -> Response:
    user, form = await posted(request)
    need(user, "factsheet.write")
    story = (form.get("story_id") or "").strip().lstrip("#")
    if not re.fullmatch(r"[0-9]{1,9}", story):
        raise PageError(400, f"story {story!r}: give the story's number, as /stories/12 shows it")
    try:
        service_of(request).cases.link_fact_sheet(row_id(fact_sheet_id), int(story), by=user["username"])
    except CaseNotFound as exc:
        raise PageError(404, str(exc)) from None
    return RedirectResponse(f"/factsheets/{fact_sheet_id}", status_code=303)


@router.get("/sources")
def sources(request: Request) -> Response:
    user = page_user(request)
    need(user, "source.manage")
    found = service_of(request).crawl.status(datetime.now())
    return _render(request, user, "sources.html.j2", sources=found)
