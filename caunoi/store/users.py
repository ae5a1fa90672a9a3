"""Users, their sessions and API tokens, and login attempts in the store; every change to a user or
a token is audited in the same transaction. Password hashes and token hashes never leave this
module except to the rules in `caunoi.users`, and never enter the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from caunoi.store.audit import diff, history, record_audit
from caunoi.store.schema import api_tokens, login_attempts, sessions, users

# The user's columns an interface may see: all but the password hash.
PUBLIC = [c for c in users.c if c.name != "password_hash"]
_TOKEN_FIELDS = [c for c in api_tokens.c if c.name != "token_hash"]


@dataclass
class Ended:
    """What ending a user's access ended: sessions (logged out) and API tokens (revoked)."""

    sessions: int = 0
    tokens: int = 0


class UserRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    # -- users --------------------------------------------------------------------------------

    def add_user(self, values: dict[str, Any], by: str, now: datetime) -> int | None:
        """A new user; None if the username is taken."""
        fresh = {"failed_logins": 0, "disabled": False, "password_changed_at": now}
        try:
            with self.engine.begin() as conn:
                user_id = conn.execute(
                    users.insert().values(**values, **fresh, created_at=now, updated_at=now)
                ).inserted_primary_key[0]
                shown = {k: v for k, v in values.items() if k != "password_hash" and v is not None}
                record_audit(conn, now, by, "user", user_id, "add", diff({}, shown))
        except IntegrityError:  # the username is taken (the unique index says so, even in a race)
            return None
        return user_id

    def find_user(self, username: str) -> dict[str, Any] | None:
        """A user with the password hash (for verifying it), by lower-case username."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
        return dict(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(*PUBLIC).order_by(users.c.username)).mappings()]

    def count_admins(self) -> int:
        """Enabled admins."""
        query = select(func.count()).where(users.c.role == "admin", users.c.disabled.is_(False))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def change_user(
        self, user_id: int, values: dict[str, Any], *, action: str, by: str, now: datetime, end_access: bool
    ) -> Ended:
        """Apply `values` and audit what changed (a new password hash shows as "password":
        "changed"); with `end_access`, the user's sessions end and their API tokens are revoked
        (each revocation audited), in the same transaction."""
        ended = Ended()
        with self.engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id).with_for_update()).mappings().one()
            changes = diff(row, {k: v for k, v in values.items() if k != "password_hash"})
            if "password_hash" in values:
                changes["password"] = [None, "changed"]
            if changes:
                conn.execute(update(users).where(users.c.id == user_id).values(**values, updated_at=now))
                record_audit(conn, now, by, "user", user_id, action, changes)
            if end_access:
                ended.sessions = conn.execute(sessions.delete().where(sessions.c.user_id == user_id)).rowcount
                live = api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None)
                for token_id in conn.execute(select(api_tokens.c.id).where(*live)).scalars().all():
                    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now))
                    record_audit(conn, now, by, "token", token_id, "revoke", {"revoked_at": [None, now]})
                    ended.tokens += 1
        return ended

    def history(self, user_id: int) -> list[dict[str, Any]]:
        return history(self.engine, "user", user_id)

    # -- logging in ---------------------------------------------------------------------------

    def failures(
        self, *, since: datetime, limit: int, ip: str | None = None, username: str | None = None
    ) -> list[datetime]:
        """When the last `limit` failed logins since `since` (from `ip`, at `username`) were, newest
        first."""
        failed = login_attempts.c.at >= since, login_attempts.c.ok.is_(False)
        query = select(login_attempts.c.at).where(*failed)
        if ip is not None:
            query = query.where(login_attempts.c.ip == ip)
        if username is not None:
            query = query.where(login_attempts.c.username == username)
        with self.engine.connect() as conn:
            return list(conn.execute(query.order_by(login_attempts.c.at.desc()).limit(limit)).scalars())

    def logged_in_from(self, username: str, ip: str, *, since: datetime) -> bool:
        """Whether `username` logged in from `ip` since `since`."""
        query = select(login_attempts.c.id).where(
            login_attempts.c.username == username,
            login_attempts.c.ip == ip,
            login_attempts.c.at >= since,
            login_attempts.c.ok.is_(True),
        )
        with self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def record_attempt(self, username: str, ip: str, now: datetime, ok: bool = False) -> None:
        with self.engine.begin() as conn:
            self._attempt(conn, username, ip, now, ok)

    @staticmethod
    def _attempt(conn: Connection, username: str, ip: str, now: datetime, ok: bool) -> None:
        conn.execute(login_attempts.insert().values(username=username, ip=ip, at=now, ok=ok))

    def login_failed(
        self, user_id: int, username: str, ip: str, now: datetime, *, limit: int, lock_for: timedelta, by: str
    ) -> datetime | None:
        """Count one more failure in a row; the `limit`-th locks the account (audited) and starts
        the count again. Returns the end of the lock if this failure set one."""
        with self.engine.begin() as conn:
            self._attempt(conn, username, ip, now, False)
            failures = conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(failed_logins=users.c.failed_logins + 1)
                .returning(users.c.failed_logins)
            ).scalar_one()
            if failures < limit:
                return None
            until = now + lock_for
            conn.execute(
                update(users).where(users.c.id == user_id).values(failed_logins=0, locked_until=until)
            )
            changes = {"locked_until": [None, until], "failed_logins": [failures, 0]}
            record_audit(conn, now, by, "user", user_id, "lock", changes)
        return until

    def login_ok(
        self, user_id: int, username: str, ip: str, now: datetime, new_hash: str | None, *, unlock: bool
    ) -> None:
        """A successful login: the failure count cleared (and the lock, with `unlock`); with
        `new_hash`, the password rehashed with the current parameters."""
        values: dict[str, Any] = {"failed_logins": 0, "last_login_at": now}
        if unlock:
            values["locked_until"] = None
        if new_hash is not None:
            values["password_hash"] = new_hash
        with self.engine.begin() as conn:
            self._attempt(conn, username, ip, now, True)
            conn.execute(update(users).where(users.c.id == user_id).values(**values))
            if new_hash is not None:
                record_audit(conn, now, "system", "user", user_id, "rehash", {"password": [None, "rehashed"]})

    # -- sessions -----------------------------------------------------------------------------

    def add_session(
        self, values: dict[str, Any], *, idle_since: datetime, now: datetime, attempts_before: datetime
    ) -> None:
        """Store a session, and drop the ones that have run out (absolutely, or idle before
        `idle_since`) and the login attempts made before `attempts_before` (rate limiting reads
        minutes back; older attempts are kept a while for whoever looks into a break-in)."""
        with self.engine.begin() as conn:
            conn.execute(
                sessions.delete().where(
                    (sessions.c.expires_at <= now) | (sessions.c.last_seen_at < idle_since)
                )
            )
            conn.execute(login_attempts.delete().where(login_attempts.c.at < attempts_before))
            conn.execute(sessions.insert().values(**values))

    def find_session(self, session_id: str) -> dict[str, Any] | None:
        """The session and its user (without the password hash), as {"session": …, "user": …}."""
        query = select(sessions, *[c.label(f"u__{c.name}") for c in PUBLIC]).join(
            users, users.c.id == sessions.c.user_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query.where(sessions.c.id == session_id)).mappings().first()
        return _split(row, "u__") if row else None

    def touch_session(self, session_id: str, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now))

    def delete_sessions(self, *, session_id: str | None = None, user_id: int | None = None) -> int:
        query = sessions.delete()
        query = (
            query.where(sessions.c.id == session_id)
            if session_id
            else query.where(sessions.c.user_id == user_id)
        )
        with self.engine.begin() as conn:
            return conn.execute(query).rowcount

    # -- API tokens ---------------------------------------------------------------------------

    def add_token(self, values: dict[str, Any], *, username: str, by: str, now: datetime) -> int:
        with self.engine.begin() as conn:
            token_id = conn.execute(
                api_tokens.insert().values(**values, created_at=now)
            ).inserted_primary_key[0]
            shown = {"user": username, **{k: values[k] for k in ("name", "prefix", "expires_at")}}
            record_audit(
                conn, now, by, "token", token_id, "add", diff({}, {k: v for k, v in shown.items() if v})
            )
        return token_id

    def find_token(self, token_hash: str) -> dict[str, Any] | None:
        """The token and its user (without the password hash), as {"token": …, "user": …}."""
        query = select(*_TOKEN_FIELDS, *[c.label(f"u__{c.name}") for c in PUBLIC]).join(
            users, users.c.id == api_tokens.c.user_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query.where(api_tokens.c.token_hash == token_hash)).mappings().first()
        return _split(row, "u__", "token") if row else None

    def touch_token(self, token_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now))

    def revoke_token(self, token_id: int, *, by: str, now: datetime) -> bool | None:
        """Revoke a token: True, False if it was revoked already, None if there is no such token."""
        with self.engine.begin() as conn:
            row = (
                conn.execute(select(*_TOKEN_FIELDS).where(api_tokens.c.id == token_id).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                return None
            if row["revoked_at"] is not None:
                return False
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now))
            record_audit(conn, now, by, "token", token_id, "revoke", {"revoked_at": [None, now]})
        return True

    def list_tokens(self, user_id: int | None = None, token_id: int | None = None) -> list[dict[str, Any]]:
        """Tokens (a user's, or the one of that id) with their user's name, newest first; never the
        token or its hash."""
        query = select(*_TOKEN_FIELDS, users.c.username).join(users, users.c.id == api_tokens.c.user_id)
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        if token_id is not None:
            query = query.where(api_tokens.c.id == token_id)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query.order_by(api_tokens.c.id.desc())).mappings()]


def _split(row: Any, prefix: str, rest: str = "session") -> dict[str, Any]:
    """A joined row as {rest: its own columns, "user": the columns labelled with `prefix`}."""
    own = {k: v for k, v in row.items() if not k.startswith(prefix)}
    user = {k.removeprefix(prefix): v for k, v in row.items() if k.startswith(prefix)}
    return {rest: own, "user": user}
