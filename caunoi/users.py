"""Who may use Cầu Nối and what each may do: users and their roles, password logins with lock-out
and rate limiting, browser sessions, revocable API tokens, and the permission table every
interface asks through `can`. Interfaces call `UserService`; the SQL lives in `caunoi.store.users`.

What each role may do ("own": only objects whose `unit` is the user's mission; "-": never):

    action            admin  analyst  mission_officer  viewer
    read              all    all      all              all     articles, stories, dashboards, alerts
    search            all    all      all              all
    export            all    all      all              all     what they can read, as CSV/XLSX/JSON
    case.read         all    all      own              all
    case.write        all    all      own              -       triage, answer, respond, close, notes
    case.open         all    all      -                -
    case.assign       all    all      -                -       choosing the unit is headquarters' call
    outreach.read     all    all      own              all
    outreach.write    all    all      own              -
    factsheet.write   all    all      -                -       the library is shared by every mission
    alert.manage      all    all      -                -       rules, channels, saved searches
    brief.write       all    all      -                -       make, edit and send brief editions
    source.manage     all    -        -                -       what is fetched, from where
    unit.manage       all    -        -                -       add, edit, retire units and missions
    user.manage       all    -        -                -       users, roles, tokens of others
    audit.read        all    -        -                -
    token.own         all    all      all              all     one's own API tokens

A disabled user may do nothing. An "own" permission needs the object: `can(officer, "case.read")`
without a case is False; listings ask `permission()` and filter by `user["mission"]`.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import math
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from caunoi import errors, units
from caunoi.errors import Invalid, check_actor, check_choice
from caunoi.store.users import UserRepository
from caunoi.text.fold import fold
from caunoi.timezones import utcnow
from caunoi.units import UnitService

ROLES = ("admin", "analyst", "mission_officer", "viewer")
LANGS = ("vi", "en")

#                    admin  analyst mission_officer viewer
_TABLE = """
read                 all    all     all             all
search               all    all     all             all
export               all    all     all             all
case.read            all    all     own             all
case.write           all    all     own             -
case.open            all    all     -               -
case.assign          all    all     -               -
outreach.read        all    all     own             all
outreach.write       all    all     own             -
factsheet.write      all    all     -               -
alert.manage         all    all     -               -
brief.write          all    all     -               -
source.manage        all    -       -               -
unit.manage          all    -       -               -
user.manage          all    -       -               -
audit.read           all    -       -               -
token.own            all    all     all             all
"""
Scope = Literal["all", "own"]
# action -> role -> "all" | "own" (roles missing: not allowed)
PERMISSIONS: dict[str, dict[str, Scope]] = {
    action: {role: scope for role, scope in zip(ROLES, scopes, strict=True) if scope != "-"}
    for action, *scopes in (line.split() for line in _TABLE.strip().splitlines())
}

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # hashing is slow on purpose: do not let a request make it slower
MAX_FAILURES = 5  # wrong passwords in a row at one user before it is locked …
LOCK_FOR = timedelta(minutes=15)  # … for this long, except from where the user has logged in
ADDRESS_FAILURES = 20  # failed logins from one address within FAILURE_WINDOW before it is stopped …
FAILURE_WINDOW = timedelta(minutes=10)  # … until the oldest of them is older than this
ATTEMPTS_KEPT = timedelta(days=30)  # login attempts older than this are deleted at the next login;
# an address the user logged in from within this time is theirs: a lock does not stop them there
SESSION_IDLE = timedelta(hours=12)
SESSION_MAX = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at / last_used_at are written at most this often
TOKEN_PREFIX = "cn_"
SYSTEM = "system"  # the actor of changes no person made (a lock after failed logins)

log = logging.getLogger(__name__)

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,99}")


class UserError(Invalid):
    """A request about users refused; the message says why and what to do instead."""


class NotFound(UserError, errors.NotFound):
    """No user or token with that name or id."""

    kind = errors.NotFound.kind


class LoginRefused(UserError):
    """A login refused; the message never tells whether the username exists (except a lock).
    `retry_after` is set (seconds) when the login was not even checked: a stop that ends by itself."""

    retry_after: int | None = None

    def after(self, wait: timedelta) -> LoginRefused:
        """This refusal of a login that was not checked, with the time until it may be tried again."""
        self.retry_after = max(1, math.ceil(wait.total_seconds()))
        return self


def _wrong() -> LoginRefused:
    """The one refusal for an unknown user and a wrong password alike: it never tells which."""
    return LoginRefused("login_wrong", "wrong username or password")


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified against when there is no such user, so that answering takes as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _actor(by: str) -> str:
    return check_actor(by, UserError)


def _username(value: str) -> str:
    name = (value or "").strip().lower()
    if not _USERNAME.fullmatch(name):
        raise UserError(
            "bad_username",
            "username {value!r}: 2 to 100 letters a-z, digits, '.', '_', '-' or '@', starting with a "
            "letter or digit",
            value=value,
        )
    return name


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    return check_choice(value, allowed, what, UserError)


def _plain(text: str) -> str:
    """Letters and digits only, lower case, no diacritics: how a password is compared to names."""
    return re.sub(r"[\W_]+", "", fold(text))


def check_password(password: str, username: str, display_name: str | None = None) -> None:
    """Refuse a weak password with what to choose instead: fewer than 12 characters, fewer than 5
    different ones, or one that holds (or is held in) the username or the display name."""
    if len(password) < MIN_PASSWORD:
        raise UserError(
            "password_short",
            "the password is too short: use at least {n} characters (a phrase is good)",
            n=MIN_PASSWORD,
        )
    if len(password) > MAX_PASSWORD:
        raise UserError("password_long", "the password is longer than {n} characters", n=MAX_PASSWORD)
    if len(set(password)) < 5:
        raise UserError(
            "password_repetitive", "the password repeats too few characters: use at least 5 different ones"
        )
    plain = _plain(password)
    for name in (_plain(username), _plain(display_name or "")):
        if len(name) >= 3 and (name in plain or (plain and plain in name)):
            raise UserError(
                "password_has_name",
                "the password contains the user's name: choose one nobody could guess from it",
            )


def generate_password() -> str:
    """A random password for a new user or a reset, shown once to the administrator who hands it
    over: 20 characters from 120 bits, which `check_password` accepts."""
    while True:
        password = secrets.token_urlsafe(15)
        if len(set(password)) >= 5 and password[0] not in "-_":  # a leading '-' reads as an option
            return password


def address_key(address: str | None) -> str:
    """What login limits count by, for a client address: the address itself (an IPv4-mapped IPv6
    one as IPv4), or for IPv6 its /64 network — one line or household gets a whole /64, so it
    could change its address at every try."""
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def permission(user: dict[str, Any], action: str) -> Scope | None:
    """How far `user` may do `action`: "all", "own" (their mission's objects) or None."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(PERMISSIONS)}")
    if user.get("disabled"):
        return None
    return PERMISSIONS[action].get(user.get("role", ""))


def can(user: dict[str, Any], action: str, obj: object | None = None) -> bool:
    """Whether `user` may do `action` (to `obj`, for scoped actions: a case or an outreach item, a
    record or a mapping with a `unit`)."""
    scope = permission(user, action)
    if scope == "own":
        unit = obj.get("unit") if isinstance(obj, Mapping) else getattr(obj, "unit", None)
        mission = user.get("mission")
        return bool(mission and unit and unit.lower() == mission.lower())
    return scope == "all"


class UserService:
    """The rules about users; every changing call takes `by`, the person who makes the change."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow):
        self.repo = UserRepository(engine)
        self.units = UnitService(engine)  # the missions officers are bound to
        self.clock = clock  # what "now" is: a test moves it rather than waiting out a lock

    # -- users --------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        role: str,
        *,
        by: str,
        display_name: str | None = None,
        mission: str | None = None,
        lang: str = "vi",
    ) -> dict[str, Any]:
        by = _actor(by)
        name = _username(username)
        display_name = (display_name or "").strip() or None
        values = {
            "username": name,
            "display_name": display_name,
            "role": _choice(role, ROLES, "role"),
            "mission": self._mission(role, mission),
            "lang": _choice(lang, LANGS, "language"),
        }
        check_password(password, name, display_name)
        values["password_hash"] = _hasher().hash(password)
        if self.repo.add_user(values, by, self.clock()) is None:
            raise UserError("user_exists", "there is already a user {name}", name=name)
        return self.get(name)

    def _mission(self, role: str, mission: str | None) -> str | None:
        """The mission a role is bound to: required for a mission officer, refused for the others."""
        if role != "mission_officer":
            if mission:
                raise UserError(
                    "mission_not_for_role",
                    "only a mission officer is bound to a mission, not a {role}",
                    role=role,
                )
            return None
        if not mission:
            raise UserError(
                "mission_needed", "a mission officer needs a mission: give its code (see `caunoi units list`)"
            )
        try:
            return self.units.get(mission).code
        except units.NotFound as exc:
            raise NotFound.like(exc) from None

    def get(self, username: str) -> dict[str, Any]:
        """One user, without the password hash."""
        return _public(self._user(username))

    def _user(self, username: str) -> dict[str, Any]:
        user = self.repo.find_user((username or "").strip().lower())
        if user is None:
            raise NotFound("user_not_found", "no user {name!r} (see `caunoi users list`)", name=username)
        return user

    def list_users(self) -> list[dict[str, Any]]:
        return self.repo.list_users()

    def history(self, username: str) -> list[dict[str, Any]]:
        """Every change to the user, oldest first."""
        return self.repo.history(self._user(username)["id"])

    def disable(self, username: str, *, by: str) -> dict[str, Any]:
        """No more logins; the user's sessions end and their API tokens are revoked. The user, with
        under "ended" how many sessions ended and tokens were revoked."""
        user = self._user(username)
        self._keep_an_admin(user, "disable")
        return self._change(user, {"disabled": True}, "disable", by, end_access=True)

    def enable(self, username: str, *, by: str) -> dict[str, Any]:
        """Allowed in again; a lock after failed logins is lifted too."""
        values = {"disabled": False, "failed_logins": 0, "locked_until": None}
        return self._change(self._user(username), values, "enable", by)

    def unlock(self, username: str, *, by: str) -> dict[str, Any]:
        """Lift a lock after failed logins (and start the count of failures again) before it runs
        out; a disabled user stays disabled."""
        values = {"failed_logins": 0, "locked_until": None}
        return self._change(self._user(username), values, "unlock", by)

    def set_password(self, username: str, password: str, *, by: str) -> dict[str, Any]:
        """A new password; any lock is lifted, the user's sessions end (logged out everywhere) and
        their API tokens are revoked: whoever held the old password may have made one. The user, with
        under "ended" how many sessions ended and tokens were revoked."""
        user = self._user(username)
        check_password(password, user["username"], user["display_name"])
        values = {
            "password_hash": _hasher().hash(password),
            "password_changed_at": self.clock(),
            "failed_logins": 0,
            "locked_until": None,
        }
        return self._change(user, values, "password", by, end_access=True)

    def set_role(self, username: str, role: str, *, by: str, mission: str | None = None) -> dict[str, Any]:
        """A new role (and mission, for a mission officer; kept if they had one and none is given)."""
        user = self._user(username)
        _choice(role, ROLES, "role")
        if role == "mission_officer" and not mission:
            mission = user["mission"]
        values = {"role": role, "mission": self._mission(role, mission)}
        if role != "admin":
            self._keep_an_admin(user, "make a " + role.replace("_", " "))
        return self._change(user, values, "role", by)

    def _keep_an_admin(self, user: dict[str, Any], what: str) -> None:
        if user["role"] == "admin" and not user["disabled"] and self.repo.count_admins() <= 1:
            raise UserError(
                "last_admin",
                "{name} is the last admin: make another admin before you {what} them",
                name=user["username"],
                what=what,
            )

    def _change(
        self, user: dict[str, Any], values: dict[str, Any], action: str, by: str, end_access: bool = False
    ) -> dict[str, Any]:
        by = _actor(by)
        ended = self.repo.change_user(
            user["id"], values, action=action, by=by, now=self.clock(), end_access=end_access
        )
        changed = self.get(user["username"])
        if end_access:
            changed["ended"] = {"sessions": ended.sessions, "tokens": ended.tokens}
        return changed

    # -- logging in ---------------------------------------------------------------------------

    def authenticate(
        self, username: str, password: str, *, ip: str, now: datetime | None = None
    ) -> dict[str, Any]:
        """The user whose password this is, or LoginRefused. Only failures count against anyone:
        ADDRESS_FAILURES failed logins from one client address (address_key) in FAILURE_WINDOW stop
        that address until the oldest of them is older than FAILURE_WINDOW; a MAX_FAILURES-th wrong
        password in a row locks the user for LOCK_FOR — except from an address they logged in from
        (within ATTEMPTS_KEPT), unless the failures came from there too. A stopped login is refused
        unchecked with `retry_after` and not recorded, so waiting is enough; a success clears the
        user's failure count; `enable` and `set_password` lift a lock."""
        now = now or self.clock()
        name = (username or "").strip().lower()[:100]
        address = address_key(ip)
        stop = self._address_stop(address, now)
        if stop is not None:
            log.info("login of %r from %s refused unchecked: too many failures from there", name, address)
            raise LoginRefused(
                "login_too_many",
                "too many failed logins from your address: try again in {minutes} min",
                minutes=math.ceil(stop.total_seconds() / 60),
            ).after(stop)
        password = (password or "")[:MAX_PASSWORD]
        user = self.repo.find_user(name)
        if user is None:
            _verify(_dummy_hash(), password)
            self.repo.record_attempt(name, address, now)
            raise _wrong()
        stop = self._lock_stop(user, address, now)
        if stop is not None:
            log.info("login of %r from %s refused unchecked: the user is locked", name, address)
            raise LoginRefused("login_locked", "locked until {until:%H:%M}", until=now + stop).after(stop)
        if not _verify(user["password_hash"], password):
            until = self.repo.login_failed(
                user["id"], name, address, now, limit=MAX_FAILURES, lock_for=LOCK_FOR, by=SYSTEM
            )
            if until:
                log.info("%s locked until %s after %d wrong passwords", name, until, MAX_FAILURES)
                locked = LoginRefused("login_locked", "locked until {until:%H:%M}", until=until)
                raise locked.after(until - now)
            raise _wrong()
        if user["disabled"]:  # told only to someone who knows the password
            self.repo.record_attempt(name, address, now)
            raise LoginRefused("login_disabled", "this account is disabled: ask an administrator")
        rehash = _hasher().hash(password) if _hasher().check_needs_rehash(user["password_hash"]) else None
        unlock = user["locked_until"] is not None and user["locked_until"] <= now
        self.repo.login_ok(user["id"], name, address, now, rehash, unlock=unlock)
        return self.get(name)

    def _address_stop(self, address: str, now: datetime) -> timedelta | None:
        """How long logins from `address` are stopped for, or None."""
        failed = self.repo.failures(since=now - FAILURE_WINDOW, limit=ADDRESS_FAILURES, ip=address)
        if len(failed) < ADDRESS_FAILURES:
            return None
        return failed[-1] + FAILURE_WINDOW - now

    def _lock_stop(self, user: dict[str, Any], address: str, now: datetime) -> timedelta | None:
        """How long a lock on `user` stops a login from `address`, or None. From an address they
        logged in from, only failures from there count: a guesser elsewhere cannot keep a user out
        of their own office."""
        until = user["locked_until"]
        if until is None or until <= now:
            return None
        name = user["username"]
        if not self.repo.logged_in_from(name, address, since=now - ATTEMPTS_KEPT):
            return until - now
        failed = self.repo.failures(since=now - LOCK_FOR, limit=MAX_FAILURES, ip=address, username=name)
        if len(failed) < MAX_FAILURES:
            return None
        return min(until, failed[-1] + LOCK_FOR) - now

    # -- sessions -----------------------------------------------------------------------------

    def create_session(
        self, user_id: int, *, ip: str | None, user_agent: str | None, now: datetime | None = None
    ) -> tuple[str, str]:
        """A new session after a login: (the secret for the cookie, the CSRF token for forms).
        Always a fresh secret, so a session id planted before login is never the one logged in."""
        now = now or self.clock()
        secret, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        values = {
            "id": _sha256(secret),
            "user_id": user_id,
            "csrf_token": csrf_token,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + SESSION_MAX,
            "ip": (ip or "")[:64] or None,
            "user_agent": (user_agent or "")[:500] or None,
        }
        self.repo.add_session(
            values, idle_since=now - SESSION_IDLE, now=now, attempts_before=now - ATTEMPTS_KEPT
        )
        return secret, csrf_token

    def session_user(self, secret: str | None, now: datetime | None = None) -> dict[str, Any] | None:
        """The user logged in with this cookie secret, with the session under "session" (its
        csrf_token among it); None if there is no such session, it has run out (SESSION_IDLE
        without use, or SESSION_MAX after login), or the user is disabled."""
        if not secret or len(secret) > 200:
            return None
        now = now or self.clock()
        found = self.repo.find_session(_sha256(secret))
        if found is None:
            return None
        session, user = found["session"], found["user"]
        if now >= session["expires_at"] or now - session["last_seen_at"] > SESSION_IDLE:
            self.repo.delete_sessions(session_id=session["id"])
            return None
        if user["disabled"]:
            return None
        if now - session["last_seen_at"] >= TOUCH_EVERY:
            self.repo.touch_session(session["id"], now)
        return {**user, "session": {k: session[k] for k in ("csrf_token", "created_at", "expires_at")}}

    def end_session(self, secret: str) -> bool:
        """Log out: False if there was no such session."""
        return self.repo.delete_sessions(session_id=_sha256(secret or "")) > 0

    def end_all_sessions(self, user_id: int) -> int:
        """Log the user out everywhere; returns how many sessions ended."""
        return self.repo.delete_sessions(user_id=user_id)

    # -- API tokens ---------------------------------------------------------------------------

    def create_token(self, username: str, name: str, *, by: str, expires_days: int | None = None) -> str:
        """A new API token for the user; returns it — the only time it is shown (only its hash
        is kept)."""
        by = _actor(by)
        user = self._user(username)
        label = (name or "").strip()
        if not label or len(label) > 100:
            raise UserError("token_name", "give the token a name of up to 100 characters (what it is for)")
        if user["disabled"]:
            raise UserError("user_disabled", "{name} is disabled: enable them first", name=user["username"])
        if expires_days is not None and expires_days < 1:
            raise UserError("token_expiry", "a token expires at least 1 day after it is made")
        now = self.clock()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        values = {
            "user_id": user["id"],
            "name": label,
            "token_hash": _sha256(token),
            "prefix": token[:8],
            "expires_at": now + timedelta(days=expires_days) if expires_days else None,
        }
        self.repo.add_token(values, username=user["username"], by=by, now=now)
        return token

    def token_user(self, token: str | None, now: datetime | None = None) -> dict[str, Any] | None:
        """The user this API token belongs to, with the token's id and name under "token"; None if
        there is no such token, or it is revoked or expired, or the user is disabled."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        now = now or self.clock()
        found = self.repo.find_token(_sha256(token))
        if found is None:
            return None
        row, user = found["token"], found["user"]
        if row["revoked_at"] is not None or user["disabled"]:
            return None
        if row["expires_at"] is not None and now >= row["expires_at"]:
            return None
        if row["last_used_at"] is None or now - row["last_used_at"] >= TOUCH_EVERY:
            self.repo.touch_token(row["id"], now)
        return {**user, "token": {"id": row["id"], "name": row["name"]}}

    def revoke_token(self, token_id: int, *, by: str) -> None:
        found = self.repo.revoke_token(token_id, by=_actor(by), now=self.clock())
        if found is None:
            raise _no_token(token_id)
        if found is False:
            raise UserError("token_revoked", "token {id} is already revoked", id=token_id)

    def token(self, token_id: int) -> dict[str, Any]:
        """One token with its user's name, never the token itself."""
        found = self.repo.list_tokens(token_id=token_id)
        if not found:
            raise _no_token(token_id)
        return found[0]

    def made_token(self, token: str) -> dict[str, Any]:
        """A token just made by `create_token`, as `token` describes it, with the token itself under
        "token": for the one answer that shows it."""
        found = self.repo.find_token(_sha256(token))
        if found is None:
            raise _no_token(0)
        return {**self.token(found["token"]["id"]), "token": token}

    def list_tokens(self, username: str | None = None) -> list[dict[str, Any]]:
        """Tokens (all, or one user's), newest first: id, username, name, prefix, dates; never the
        token itself."""
        return self.repo.list_tokens(self._user(username)["id"] if username else None)


def _no_token(token_id: int) -> NotFound:
    return NotFound("token_not_found", "no token with id {id} (see `caunoi users tokens`)", id=token_id)


def _public(user: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in user.items() if key != "password_hash"}
