"""Brief editions and the briefs sent, in the store: the brief_editions rows (each change audited as
entity "brief_edition" in the same transaction, caunoi.store.audit) and the brief_sends rows, one per
send to a channel. A scheduled send is claimed before it is made — a row for its kind, moment and
channel, which the unique index lets exist once — so two watchers, or a watcher restarted mid-send,
never mail one brief twice. What is worth sending, and when, is caunoi.reports'."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from caunoi.store.audit import Changes, history, record_audit
from caunoi.store.schema import brief_editions, brief_sends
from caunoi.timezones import utcnow

ENTITY = "brief_edition"


class BriefRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    # -- editions ---------------------------------------------------------------------------------

    def insert_edition(self, values: dict[str, Any], by: str, changes: Changes) -> int:
        """A new edition made by `by`; `changes` is what the audit log says was set."""
        now = utcnow()
        with self.engine.begin() as conn:
            edition_id = conn.execute(
                brief_editions.insert().values(
                    **values, created_by=by, created_at=now, updated_by=by, updated_at=now
                )
            ).inserted_primary_key[0]
            record_audit(conn, now, by, ENTITY, edition_id, "add", changes)
        return edition_id

    def update_edition(self, edition_id: int, values: dict[str, Any], by: str, changes: Changes) -> bool:
        """Change an edition; False if there is none. Nothing is written (nor audited) without
        `changes`."""
        now = utcnow()
        with self.engine.begin() as conn:
            found = conn.execute(
                select(brief_editions.c.id).where(brief_editions.c.id == edition_id).with_for_update()
            ).scalar()
            if found is None:
                return False
            if changes:
                conn.execute(
                    update(brief_editions)
                    .where(brief_editions.c.id == edition_id)
                    .values(**values, updated_by=by, updated_at=now)
                )
                record_audit(conn, now, by, ENTITY, edition_id, "edit", changes)
        return True

    def find_edition(self, edition_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(brief_editions).where(brief_editions.c.id == edition_id)).first()
        return dict(row._mapping) if row else None

    def list_editions(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest editions first (by the end of their period, then id)."""
        query = (
            select(brief_editions)
            .order_by(brief_editions.c.end.desc(), brief_editions.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def edition_history(self, edition_id: int) -> list[dict[str, Any]]:
        return history(self.engine, ENTITY, edition_id)

    # -- sends ------------------------------------------------------------------------------------

    def claim_send(
        self,
        kind: str,
        channel: str,
        target: str,
        by: str,
        *,
        due: datetime | None = None,
        edition_id: int | None = None,
        attempts: int = 3,
        retry_after: timedelta = timedelta(minutes=10),
    ) -> int | None:
        """A send about to be made, in state "sending": its id. A scheduled one (`due`) is claimed
        once per kind, moment and channel: None when it was sent or is being sent, or failed
        `attempts` times, or failed less than `retry_after` ago (then it is claimed again)."""
        now = utcnow()
        values = {"kind": kind, "due": due, "channel": channel, "target": target, "edition_id": edition_id}
        try:
            with self.engine.begin() as conn:
                return conn.execute(
                    brief_sends.insert().values(**values, state="sending", attempts=1, by=by, at=now)
                ).inserted_primary_key[0]
        except IntegrityError:  # that moment's send to that channel exists: retry it only if it failed
            pass
        with self.engine.begin() as conn:
            row = conn.execute(
                select(brief_sends.c.id).where(
                    brief_sends.c.kind == kind, brief_sends.c.due == due, brief_sends.c.channel == channel
                )
            ).scalar()
            claimed = conn.execute(
                update(brief_sends)
                .where(
                    brief_sends.c.id == row,
                    brief_sends.c.state == "failed",
                    brief_sends.c.attempts < attempts,
                    brief_sends.c.at < now - retry_after,
                )
                .values(state="sending", attempts=brief_sends.c.attempts + 1, target=target, by=by, at=now)
            ).rowcount
        return row if claimed else None

    def finish_send(self, send_id: int, error: str | None) -> None:
        """A claimed send done: sent, or failed with `error`. An edition sent is stamped and its
        audit log says to which channel."""
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                update(brief_sends)
                .where(brief_sends.c.id == send_id)
                .values(state="failed" if error else "sent", error=error, at=now)
            )
            row = conn.execute(select(brief_sends).where(brief_sends.c.id == send_id)).one()
            if row.edition_id is not None:
                if not error:
                    conn.execute(
                        update(brief_editions)
                        .where(brief_editions.c.id == row.edition_id)
                        .values(sent_at=now)
                    )
                changes = {"channel": [None, row.channel], "state": [None, "failed" if error else "sent"]}
                record_audit(conn, now, row.by, ENTITY, row.edition_id, "send", changes)

    def sends(self, *, edition_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest sends first: an edition's, or all."""
        query = select(brief_sends).order_by(brief_sends.c.at.desc(), brief_sends.c.id.desc()).limit(limit)
        if edition_id is not None:
            query = query.where(brief_sends.c.edition_id == edition_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
