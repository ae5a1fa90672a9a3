"""`caunoi users …`: users, roles and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from caunoi.cli.common import AsJson, By, actor, console, err, serving, show_rows, when
from caunoi.timezones import utcnow
from caunoi.users import ROLES

app = typer.Typer(
    help="Users, roles and API tokens: add, list, disable, enable, unlock, password, role, token-add, "
    "tokens, token-revoke.",
    no_args_is_help=True,
)
Username = Annotated[str, typer.Argument(help="The user's login name.")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
]
Mission = Annotated[
    str | None, typer.Option(help="A mission officer's mission (unit code, see `caunoi units list`).")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _state(user: dict[str, Any]) -> str:
    if user["disabled"]:
        return "disabled"
    if user["locked_until"] and user["locked_until"] > utcnow():
        return f"locked until {user['locked_until']:%H:%M}"
    return "active"


def _said(user: dict[str, Any]) -> None:
    role = user["role"] + (f" of {user['mission']}" if user["mission"] else "")
    console.print(f"{user['username']}: {role}, {_state(user)}", highlight=False)
    if "ended" in user:
        sessions, tokens = user["ended"]["sessions"], user["ended"]["tokens"]
        console.print(
            f"logged out everywhere ({sessions} session{'s' * (sessions != 1)} ended); "
            f"{tokens} API token{'s' * (tokens != 1)} revoked"
            + (" (make new ones with `caunoi users token-add`)" if tokens else ""),
            highlight=False,
        )


@app.command("add")
def users_add(
    username: Username,
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    mission: Mission = None,
    name: Annotated[str | None, typer.Option(help="The name shown in the app.")] = None,
    lang: Annotated[str, typer.Option(help="The app's language for them: vi or en.")] = "vi",
    password_stdin: PasswordStdin = False,
    by: By = None,
) -> None:
    """Add a user; the password (12 characters or more) is asked for twice, hidden."""
    password = _password(password_stdin)
    with serving("users") as users:
        user = users.add_user(
            username, password, role, by=actor(by), display_name=name, mission=mission, lang=lang
        )
    _said(user)


@app.command("list")
def users_list(as_json: AsJson = False) -> None:
    """Users: role, mission, state (active, disabled, locked), last login."""
    with serving("users") as users:
        rows = users.list_users()
    show_rows(
        rows, ("username", "name", "role", "mission", "lang", "state", "last login"),
        lambda u: (
            u["username"], u["display_name"] or "—", u["role"], u["mission"] or "—", u["lang"], _state(u),
            when(u["last_login_at"]),
        ),
        as_json=as_json, empty="no users: add one with `caunoi users add NAME --role admin`",
    )  # fmt: skip


@app.command("disable")
def users_disable(username: Username, by: By = None) -> None:
    """Stop a user logging in; their sessions end and their API tokens are revoked."""
    with serving("users") as users:
        _said(users.disable(username, by=actor(by)))


@app.command("enable")
def users_enable(username: Username, by: By = None) -> None:
    """Let a disabled (or locked) user in again (their revoked API tokens stay revoked)."""
    with serving("users") as users:
        _said(users.enable(username, by=actor(by)))


@app.command("unlock")
def users_unlock(username: Username, by: By = None) -> None:
    """Lift a lock after failed logins before it runs out (a disabled user stays disabled)."""
    with serving("users") as users:
        _said(users.unlock(username, by=actor(by)))


@app.command("password")
def users_password(username: Username, password_stdin: PasswordStdin = False, by: By = None) -> None:
    """Set a new password (asked for twice, hidden); the user is logged out everywhere and their API
    tokens are revoked."""
    password = _password(password_stdin)
    with serving("users") as users:
        _said(users.set_password(username, password, by=actor(by)))


@app.command("role")
def users_role(
    username: Username,
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    mission: Mission = None,
    by: By = None,
) -> None:
    """Change a user's role (a mission officer's mission with --mission)."""
    with serving("users") as users:
        _said(users.set_role(username, role, by=actor(by), mission=mission))


@app.command("token-add")
def users_token_add(
    username: Username,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the script that uses it.")],
    expires_days: Annotated[int | None, typer.Option(help="Stop working after this many days.")] = None,
    by: By = None,
) -> None:
    """Make an API token for a user and print it: this is the only time it is shown."""
    with serving("users") as users:
        token = users.create_token(username, name, by=actor(by), expires_days=expires_days)
    sys.stdout.write(token + "\n")
    err.print("keep it now: it cannot be shown again (revoke it with `caunoi users token-revoke`)")


@app.command("tokens")
def users_tokens(
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    as_json: AsJson = False,
) -> None:
    """API tokens, newest first: id, user, name, how it starts, created, last used, expiry, revoked."""
    with serving("users") as users:
        rows = users.list_tokens(username)
    show_rows(
        rows, ("id", "user", "name", "starts", "created", "last used", "expires", "revoked"),
        lambda t: (
            str(t["id"]), t["username"], t["name"], t["prefix"] + "…", when(t["created_at"]),
            when(t["last_used_at"]), when(t["expires_at"]), when(t["revoked_at"]),
        ),
        as_json=as_json, empty="no tokens",
    )  # fmt: skip


@app.command("token-revoke")
def users_token_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id, as `caunoi users tokens` prints it.")],
    by: By = None,
) -> None:
    """Revoke an API token: it stops working at once."""
    with serving("users") as users:
        users.revoke_token(token_id, by=actor(by))
    console.print(f"token {token_id} revoked")
