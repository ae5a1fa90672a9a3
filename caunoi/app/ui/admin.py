"""Administration from the browser (/admin): users (add, role, disable and enable, unlock,
password, API tokens), then the links to units and missions (caunoi.app.ui.units), and the pages of
alert rules and channels and of sources (caunoi.app.ui.admin_alerts, admin_sources). Each change
goes through the same service call as `caunoi users …`, audited there under the logged-in user's
name; a password or token made here is shown once, in the answer to the form that made it, and
never kept but as a hash. Who may do what is caunoi.users.can, as in the API (user.manage)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, need, page_user, posted, row_id
from caunoi.app.ui.render import _render
from caunoi.timezones import utcnow
from caunoi.users import LANGS, ROLES, NotFound, UserError, generate_password, permission

router = APIRouter(include_in_schema=False)

# the sections of /admin: (path, label key, the action that shows it)
SECTIONS = (
    ("/admin/users", "admin_users", "user.manage"),
    ("/units", "units_title", "unit.manage"),
    ("/admin/sources", "admin_sources", "source.manage"),
    ("/admin/alerts", "admin_alerts", "alert.manage"),
)


def state_of(user: dict[str, Any], now: datetime | None = None) -> str:
    """ "disabled", "locked" (after failed logins, until locked_until: the store's clock, UTC) or
    "active"."""
    if user["disabled"]:
        return "disabled"
    if user["locked_until"] and user["locked_until"] > (now or utcnow()):
        return "locked"
    return "active"


@router.get("/admin")
def admin(request: Request) -> Response:
    user = page_user(request)
    need(user, "user.manage")
    sections = [(path, key) for path, key, action in SECTIONS if permission(user, action)]
    index = service_of(request).search_index.status()
    return _render(request, user, "admin.html.j2", sections=sections, search_index=index)


# -- users ------------------------------------------------------------------------------------------


def _users_page(
    request: Request,
    user: dict[str, Any],
    form: dict[str, str] | None = None,
    error: UserError | None = None,
    made: dict[str, Any] | None = None,
) -> Response:
    """The list of users and the add form (as filled in, with its refusal); `made`: a user just
    added with the password generated for them, shown this once."""
    service = service_of(request)
    people = [{**u, "state": state_of(u)} for u in service.users.list_users()]
    missions = [u for u in service.units.list() if u.kind == "mission"]
    return _render(
        request, user, "admin_users.html.j2", 400 if error else 200, people=people, roles=ROLES,
        langs=LANGS, missions=missions, form=form or {"role": "analyst", "lang": "vi"}, error=error,
        made=made,
    )  # fmt: skip


@router.get("/admin/users")
def users(request: Request) -> Response:
    user = page_user(request)
    need(user, "user.manage")
    return _users_page(request, user)


@router.post("/admin/users")
async def user_add(request: Request) -> Response:
    user, form = await posted(request)
    need(user, "user.manage")
    typed = form.get("password") or ""
    password = typed or generate_password()
    try:
        added = service_of(request).users.add_user(
            form.get("username") or "", password, form.get("role") or "", by=user["username"],
            display_name=form.get("display_name"), mission=form.get("mission") or None,
            lang=form.get("lang") or "vi",
        )  # fmt: skip
    except UserError as exc:
        return _users_page(request, user, {k: v for k, v in form.items() if k != "password"}, exc)
    if typed:
        return RedirectResponse(f"/admin/users/{quote(added['username'])}", status_code=303)
    return _users_page(request, user, made={**added, "password": password})


def _person(request: Request, username: str) -> dict[str, Any]:
    try:
        return service_of(request).users.get(username)
    except NotFound:
        raise PageError(404) from None


def _user_page(
    request: Request,
    user: dict[str, Any],
    username: str,
    error: UserError | None = None,
    shown: dict[str, str] | None = None,
) -> Response:
    """A user: their state, the forms that change it, their tokens and history. `shown`: a
    password or token just made, shown this once ({"password": …} or {"token": …})."""
    service = service_of(request)
    person = _person(request, username)
    return _render(
        request, user, "admin_user.html.j2", 400 if error else 200, person=person,
        state=state_of(person), tokens=service.users.list_tokens(person["username"]),
        history=service.users.history(person["username"]), roles=ROLES,
        missions=[u for u in service.units.list() if u.kind == "mission"], error=error, shown=shown or {},
    )  # fmt: skip


@router.get("/admin/users/{username}")
def user_page(request: Request, username: str) -> Response:
    user = page_user(request)
    need(user, "user.manage")
    return _user_page(request, user, username)


@router.post("/admin/users/{username}/role")
async def user_role(request: Request, username: str) -> Response:
    user, form = await posted(request)
    need(user, "user.manage")
    person = _person(request, username)
    try:
        service_of(request).users.set_role(
            person["username"],
            form.get("role") or "",
            by=user["username"],
            mission=form.get("mission") or None,
        )
    except UserError as exc:
        return _user_page(request, user, person["username"], exc)
    return _back_to(person)


@router.post("/admin/users/{username}/password")
async def user_password(request: Request, username: str) -> Response:
    """A new password, typed or generated (then shown once): they are logged out everywhere and
    their API tokens are revoked."""
    user, form = await posted(request)
    need(user, "user.manage")
    person = _person(request, username)
    typed = form.get("password") or ""
    password = typed or generate_password()
    try:
        service_of(request).users.set_password(person["username"], password, by=user["username"])
    except UserError as exc:
        return _user_page(request, user, person["username"], exc)
    if typed:
        return _back_to(person)
    return _user_page(request, user, person["username"], shown={"password": password})


@router.post("/admin/users/{username}/tokens")
async def user_token_add(request: Request, username: str) -> Response:
    """A new API token, shown once in the answer."""
    user, form = await posted(request)
    need(user, "user.manage")
    person = _person(request, username)
    days = (form.get("expires_days") or "").strip()
    try:
        if days and not days.isdigit():
            raise UserError("token_expiry", "a token expires at least 1 day after it is made")
        token = service_of(request).users.create_token(
            person["username"],
            form.get("name") or "",
            by=user["username"],
            expires_days=int(days) if days else None,
        )
    except UserError as exc:
        return _user_page(request, user, person["username"], exc)
    return _user_page(request, user, person["username"], shown={"token": token})


@router.post("/admin/users/{username}/tokens/{token_id}/revoke")
async def user_token_revoke(request: Request, username: str, token_id: int) -> Response:
    user, _form = await posted(request)
    need(user, "user.manage")
    person = _person(request, username)
    users = service_of(request).users
    if not any(t["id"] == token_id for t in users.list_tokens(person["username"])):
        raise PageError(404)
    try:
        users.revoke_token(row_id(token_id), by=user["username"])
    except UserError as exc:
        return _user_page(request, user, person["username"], exc)
    return _back_to(person)


@router.post("/admin/users/{username}/{action}")
async def user_switch(request: Request, username: str, action: str) -> Response:
    """Disable (sessions ended, tokens revoked), enable, or unlock after failed logins."""
    user, _form = await posted(request)
    need(user, "user.manage")
    users = service_of(request).users
    change = {"disable": users.disable, "enable": users.enable, "unlock": users.unlock}.get(action)
    if change is None:
        raise PageError(404)
    person = _person(request, username)
    try:
        change(person["username"], by=user["username"])
    except UserError as exc:
        return _user_page(request, user, person["username"], exc)
    return _back_to(person)


def _back_to(person: dict[str, Any]) -> Response:
    return RedirectResponse(f"/admin/users/{quote(person['username'])}", status_code=303)
