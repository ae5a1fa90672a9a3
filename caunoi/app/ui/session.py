"""The session's own pages: logging in and out, the language switch (a cookie), and the old favicon
address. A login always makes a new session (no fixation) behind a double-submit CSRF token, a
logout needs the session's; `next` is followed only to a path on this site."""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import SESSION_COOKIE, client_address, current_user, service_of
from caunoi.app.ui.access import PageError, _form, posted, safe_next
from caunoi.app.ui.render import LANG_COOKIE, _render
from caunoi.errors import Invalid
from caunoi.i18n import LANGS
from caunoi.service import Service
from caunoi.users import LoginRefused

LOGIN_CSRF_COOKIE = "caunoi_login_csrf"

router = APIRouter(include_in_schema=False)


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


# -- logging in and out ---------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next)


def _login_form(
    request: Request, next_url: str, error: LoginRefused | None = None, status: int = 200
) -> Response:
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
        refused = Invalid(
            "bad_login_csrf", "missing or wrong CSRF token: reload the login page and try again"
        )
        raise PageError(403, refused)
    service: Service = service_of(request)
    next_url = safe_next(form.get("next"))
    try:
        user = service.users.authenticate(
            form.get("username", ""), form.get("password", ""), ip=client_address(request)
        )
    except LoginRefused as exc:
        if exc.retry_after is None:
            return _login_form(request, next_url, exc, status=401)
        response = _login_form(request, next_url, exc, status=429)  # stopped, not checked: wait
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # whatever the browser held before is never the session after: end it, make a new one
        service.users.end_session(old)
    secret, _ = service.users.create_session(
        user["id"], ip=client_address(request), user_agent=request.headers.get("user-agent")
    )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, secret, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


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
