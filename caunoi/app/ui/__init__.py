"""The web UI: server-rendered pages (Jinja2, caunoi/app/templates) over caunoi.service, in
Vietnamese (the default) or English, for a laptop or a phone. `install(app)` mounts every page
module's routes and the error pages; the pages themselves live one module per
concept (session, dashboard, search, stories, alerts, brief, cases, factsheets, units, sources,
outreach, evaluation, reports, admin).

Security, in one place: every page needs a session (else a redirect to /login?next=…); every
state-changing form carries the session's CSRF token (auth.check_csrf), the login form a
double-submit one; a login always makes a new session (no fixation); templates escape every value
(articles, titles and alerts come from fetched pages); every response carries the security headers
of caunoi.app.headers, a Content-Security-Policy without inline script among them — chart data
travels in a <script type="application/json"> block that static/js/charts.js reads. Every asset is
served from here: no CDN.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import current_user
from caunoi.app.ui import (
    admin,
    admin_alerts,
    admin_sources,
    alerts,
    attention,
    audit,
    brief,
    cases,
    dashboard,
    evaluation,
    factsheets,
    outreach,
    reports,
    search,
    session,
    sources,
    stories,
    units,
)
from caunoi.app.ui.access import LoginNeeded, PageError
from caunoi.app.ui.render import _render
from caunoi.config import Settings

__all__ = ["LoginNeeded", "PageError", "install", "upload_limits"]

# their routes are added in this order
PAGES = (
    session, dashboard, search, attention, stories, alerts, brief, cases, factsheets, units, sources,
    outreach, evaluation, reports, admin, admin_alerts, admin_sources, audit,
)  # fmt: skip


def upload_limits(settings: Settings) -> list[tuple[str, int]]:
    """(path regex, body limit) of the pages whose forms send files, for the app's BodyLimit."""
    return outreach.upload_limits(settings) + reports.upload_limits()


def install(app: FastAPI) -> None:
    for pages in PAGES:
        app.include_router(pages.router)
    app.add_exception_handler(LoginNeeded, _to_login)
    app.add_exception_handler(PageError, _error_page)
    app.state.page_error = lambda request, status: _error_page(request, PageError(status))


def _to_login(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginNeeded)
    return RedirectResponse("/login?" + urlencode({"next": exc.next_url}), status_code=303)


def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    user = current_user(request)
    key = {403: "forbidden", 404: "not_found"}.get(exc.status, "refused")
    return _render(request, user, "error.html.j2", exc.status, key=key, message=exc.message)
