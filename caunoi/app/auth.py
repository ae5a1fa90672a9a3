"""Who is asking, for the API and the web UI alike.

- API clients send `Authorization: Bearer cn_…` (a token made by `caunoi users token-add`).
- Browsers carry the session cookie SESSION_COOKIE set at login (HttpOnly, SameSite=Lax, Secure
  unless the app is served over plain HTTP on loopback); the session and its CSRF token live in
  the store (caunoi.users), the cookie holds only the random secret.
- Every state-changing form must send the session's CSRF token (`csrf_token` field or the
  X-CSRF-Token header): `check_csrf`.

`client_address` is where a request came from: its TCP peer, or behind a trusted reverse proxy
(setting trusted_proxies) the client the proxy names in X-Forwarded-For — never what a client wrote.

`require(action)` is the FastAPI dependency that answers 401 without a user and 403 when the
user's role may not do `action` (caunoi.users.can; objects a mission officer may touch are
checked where the object is loaded).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from typing import Any

from fastapi import Depends, HTTPException, Request

from caunoi.service import Service
from caunoi.users import can, permission

SESSION_COOKIE = "caunoi_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MAX_HOPS = 20  # X-Forwarded-For entries looked at, from the right: a longer chain is no proxy's


def service_of(request: Request) -> Service:
    return request.app.state.service


def client_address(request: Request) -> str:
    """The address the request came from. When its TCP peer is a trusted proxy, X-Forwarded-For is
    read from the right (each proxy appends the address it was reached from), past the trusted
    proxies, to the first address that is not one: what the client wrote to the left of that is
    not believed. An entry that is no address ends the walk at the last trusted hop."""
    peer = request.client.host if request.client else "unknown"
    trusted = service_of(request).settings.trusted_networks
    if not trusted or not _within(peer, trusted):
        return peer
    hops = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
    client = peer
    for hop in reversed(hops[-MAX_HOPS:]):
        address = _address(hop)
        if address is None:
            break
        client = str(address)
        if not _within(client, trusted):
            break
    return client


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An X-Forwarded-For entry as an address: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
    `[2001:db8::1]:5678`; None for anything else (`unknown`, a name, junk)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == n.version and ip in n for n in networks)


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
