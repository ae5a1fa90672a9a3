"""The web UI: server-rendered pages (Jinja2, caunoi/app/templates) over caunoi.service, in
Vietnamese (the default) or English, for a laptop or a phone. `install(app)` mounts every page
module's routes, the error pages and the security headers; the pages themselves live one module per
concept (session, dashboard, search, stories, alerts, cases, factsheets, sources).

Security, in one place: every page needs a session (else a redirect to /login?next=…); every
state-changing form carries the session's CSRF token (auth.check_csrf), the login form a
double-submit one; a login always makes a new session (no fixation); templates escape every value
(articles, titles and alerts come from fetched pages); HTML responses carry a Content-Security-Policy
without inline script — chart data travels in a <script type="application/json"> block that
static/js/charts.js reads. Every asset is served from here: no CDN.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import current_user
from caunoi.app.ui import alerts, cases, dashboard, factsheets, search, session, sources, stories
from caunoi.app.ui.access import LoginNeeded, PageError
from caunoi.app.ui.render import _render

__all__ = ["LoginNeeded", "PageError", "install"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)  # styles: Plotly sets inline styles on the charts it draws
NOT_UI = ("/api", "/docs", "/redoc")  # the REST API and its own pages
PAGES = (session, dashboard, search, stories, alerts, cases, factsheets, sources)  # routes in this order


def install(app: FastAPI) -> None:
    for pages in PAGES:
        app.include_router(pages.router)
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
