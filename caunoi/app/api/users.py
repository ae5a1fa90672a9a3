"""Routes for users and their API tokens, for an administrator (user.manage): list, add (a password
given, or one generated and answered once), change a role, disable, enable, unlock after failed
logins, reset a password, make (answered once) and revoke tokens — the same rules and audit as
`caunoi users …` and the /admin/users pages, under the caller's name. The routes call
caunoi.service (service_of) and never the store; a refusal rises as caunoi.users' own error and
errors.DOMAIN_ERRORS answers it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from caunoi.app.api.errors import NOT_FOUND
from caunoi.app.api.limits import csrf
from caunoi.app.api.schemas import (
    ErrorOut,
    History,
    Id,
    PasswordReset,
    RoleChange,
    TokenIn,
    TokenMade,
    TokenOut,
    UserChanged,
    UserIn,
    UserOut,
)
from caunoi.app.auth import require, service_of
from caunoi.users import generate_password

router = APIRouter()

Admin = Annotated[dict[str, Any], Depends(require("user.manage"))]
Name = Annotated[str, Path(min_length=1, max_length=100, description="The user's login name, in any case.")]
REFUSED = {422: {"model": ErrorOut, "description": "Refused: the message says why and what to do."}}
CHANGE = {"response_model": UserChanged, "dependencies": [Depends(csrf)], "tags": ["users"]}


@router.get("/users", response_model=list[UserOut], tags=["users"])
def list_users(request: Request, _user: Admin) -> list[dict[str, Any]]:
    """Every user by name (a few hundred at most: one answer, no cursor)."""
    return service_of(request).users.list_users()


@router.post("/users", status_code=201, responses=REFUSED, **CHANGE)
def add_user(request: Request, body: UserIn, user: Admin) -> dict[str, Any]:
    """Add a user (201); without `password`, one is generated and answered in `password`, once."""
    password = body.password or generate_password()
    added = service_of(request).users.add_user(
        body.username, password, body.role, by=user["username"], display_name=body.display_name,
        mission=body.mission, lang=body.lang,
    )  # fmt: skip
    return {**added, "password": None if body.password else password}


@router.get("/users/{username}", response_model=UserOut, responses=NOT_FOUND, tags=["users"])
def get_user(request: Request, username: Name, _user: Admin) -> dict[str, Any]:
    return service_of(request).users.get(username)


@router.get("/users/{username}/history", response_model=History, responses=NOT_FOUND, tags=["users"])
def user_history(request: Request, username: Name, _user: Admin) -> list[dict[str, Any]]:
    """Every change to the user, oldest first: when, by whom, what (before and after)."""
    return service_of(request).users.history(username)


@router.post("/users/{username}/role", responses={**NOT_FOUND, **REFUSED}, **CHANGE)
def change_role(request: Request, username: Name, body: RoleChange, user: Admin) -> dict[str, Any]:
    """A new role (and mission, for a mission officer); the last admin keeps theirs."""
    users = service_of(request).users
    return users.set_role(username, body.role, by=user["username"], mission=body.mission)


@router.post("/users/{username}/disable", responses={**NOT_FOUND, **REFUSED}, **CHANGE)
def disable_user(request: Request, username: Name, user: Admin) -> dict[str, Any]:
    """No more logins: their sessions end and their API tokens are revoked (`ended` counts them)."""
    return service_of(request).users.disable(username, by=user["username"])


@router.post("/users/{username}/enable", responses=NOT_FOUND, **CHANGE)
def enable_user(request: Request, username: Name, user: Admin) -> dict[str, Any]:
    """Allowed in again (and a lock lifted); their revoked tokens stay revoked."""
    return service_of(request).users.enable(username, by=user["username"])


@router.post("/users/{username}/unlock", responses=NOT_FOUND, **CHANGE)
def unlock_user(request: Request, username: Name, user: Admin) -> dict[str, Any]:
    """Lift a lock after failed logins before it runs out."""
    return service_of(request).users.unlock(username, by=user["username"])


@router.post("/users/{username}/password", responses={**NOT_FOUND, **REFUSED}, **CHANGE)
def reset_password(request: Request, username: Name, body: PasswordReset, user: Admin) -> dict[str, Any]:
    """A new password (without one in the body, one is generated and answered once): the user is
    logged out everywhere and their API tokens are revoked."""
    password = body.password or generate_password()
    changed = service_of(request).users.set_password(username, password, by=user["username"])
    return {**changed, "password": None if body.password else password}


@router.get("/tokens", response_model=list[TokenOut], tags=["users"])
def list_tokens(request: Request, _user: Admin) -> list[dict[str, Any]]:
    """Every API token, newest first; never the token itself."""
    return service_of(request).users.list_tokens()


@router.get("/users/{username}/tokens", response_model=list[TokenOut], responses=NOT_FOUND, tags=["users"])
def user_tokens(request: Request, username: Name, _user: Admin) -> list[dict[str, Any]]:
    return service_of(request).users.list_tokens(username)


@router.post(
    "/users/{username}/tokens",
    status_code=201,
    response_model=TokenMade,
    responses={**NOT_FOUND, **REFUSED},
    dependencies=[Depends(csrf)],
    tags=["users"],
)
def add_token(request: Request, username: Name, body: TokenIn, user: Admin) -> dict[str, Any]:
    """Make an API token for the user (201): `token` is answered this once."""
    users = service_of(request).users
    token = users.create_token(username, body.name, by=user["username"], expires_days=body.expires_days)
    return users.made_token(token)


@router.post(
    "/tokens/{token_id}/revoke",
    response_model=TokenOut,
    responses={**NOT_FOUND, **REFUSED},
    dependencies=[Depends(csrf)],
    tags=["users"],
)
def revoke_token(request: Request, token_id: Id, user: Admin) -> dict[str, Any]:
    """Revoke a token: it stops working at once."""
    users = service_of(request).users
    users.revoke_token(token_id, by=user["username"])
    return users.token(token_id)
