"""Who is asking, for the API and the web UI alike.

- API clients send `Authorization: Bearer cn_…` (a token made by `caunoi users token-add`).
- Browsers carry the session cookie SESSION_COOKIE set at login (HttpOnly, SameSite=Lax, Secure
  unless the app is served over plain HTTP on loopback); the session and its CSRF token live in
  the store (caunoi.users), the cookie holds only the random secret.
- Every state-changing form must send the session's CSRF token (`csrf_token` field or the
  X-CSRF-Token header): `check_csrf`.

`require(action)` is the FastAPI dependency that answers 401 without a user and 403 when the
user's role may not do `action` (caunoi.users.can; objects a mission officer may touch are
checked where the object is loaded).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi import Depends, HTTPException, Request

from caunoi.service import Service
from caunoi.users import can, permission

SESSION_COOKIE = "caunoi_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def service_of(request: Request) -> Service:
    return request.app.state.service


def current_user(request: Request) -> dict[str, Any] | None:
    """The user behind the request (token first, then session cookie), or None; cached on the request."""
    if hasattr(request.state, "user"):
        return request.state.user
    service = service_of(request)
    user = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = service.users.token_user(header[7:].strip())
        request.state.via = "token"
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        if secret:
            user = service.users.session_user(secret)
            request.state.via = "session"
    request.state.user = user
    return user


def require(action: str) -> Callable[[Request], dict[str, Any]]:
    """A dependency: the current user, who must be allowed to do `action` (at least on their own)."""

    def dependency(request: Request) -> dict[str, Any]:
        user = current_user(request)
        if user is None:
            raise HTTPException(401, "log in, or send an API token: Authorization: Bearer cn_…")
        if permission(user, action) is None:
            raise HTTPException(403, f"your role ({user['role']}) may not {action}")
        return user

    dependency.__name__ = f"require_{action.replace('.', '_')}"
    return dependency


def allowed(user: dict[str, Any], action: str, obj: object | None = None) -> None:
    """403 unless `user` may do `action` on `obj` (a mission officer and another mission's case)."""
    if not can(user, action, obj):
        raise HTTPException(403, f"your role ({user['role']}) may not {action} this")


def check_csrf(request: Request, sent: str | None) -> None:
    """403 unless a cookie-authenticated request carries its session's CSRF token. Token-authenticated
    API calls carry no ambient credential, so they need none."""
    user = current_user(request)
    if user is None or getattr(request.state, "via", None) != "session":
        return
    expected = (user.get("session") or {}).get("csrf_token") or ""
    sent = sent or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


User = Depends(current_user)
