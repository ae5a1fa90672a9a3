"""Who is asking and what they may do, for every page: the logged-in user (else a redirect to the
login page), permission checks, ids that can name a row, a posted form whose CSRF token is right,
and redirects that stay on this site. Pages refuse by raising PageError; this module renders
nothing — caunoi.app.ui turns the two exceptions into a redirect and an error page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from caunoi.app.auth import check_csrf, current_user
from caunoi.errors import CaunoiError, Invalid
from caunoi.models import MAX_ID
from caunoi.users import can, permission

Row = TypeVar("Row")


class LoginNeeded(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


class PageError(Exception):
    """A page that cannot be shown: 403, 404, or 400 with the refusal that says why (shown in the
    page's language, see caunoi.i18n.refusal)."""

    def __init__(self, status: int, message: CaunoiError | str | None = None):
        self.status, self.message = status, message


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
        raise PageError(400, Invalid("nul_character", "remove the NUL character (%00) from the request"))


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


def existing(row: Row | None) -> Row:
    """`row`, or 404 when there is none."""
    if row is None:
        raise PageError(404)
    return row


async def posted(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """The user and the form of a state-changing request whose CSRF token is right, or 403."""
    user = page_user(request)
    form = await _form(request)
    try:
        check_csrf(request, form.get("csrf_token"))
    except HTTPException:
        refused = Invalid("bad_csrf", "missing or wrong CSRF token: reload the page and try again")
        raise PageError(403, refused) from None
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
