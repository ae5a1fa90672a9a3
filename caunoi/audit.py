"""Reading the audit log: who changed what, when (kept in UTC), filtered by who, action, object and
time, for `caunoi audit list`, GET /api/v1/audit and the /audit page alike (all three need
audit.read); and the same rows as CSV (times in UTC, with a Z). A time typed in a filter without an
offset is read in the reader's zone (caunoi.timezones): the page's reader's, the CLI's organisation's,
UTC for the API. The writers record it themselves (caunoi.store.audit)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from caunoi.errors import Invalid
from caunoi.ingest.tables import csv_bytes
from caunoi.models import time_before
from caunoi.store import audit as store
from caunoi.timezones import aware, iso_utc, to_utc

LIST_LIMIT = 500  # the newest entries a listing shows; an export has them all
CSV_COLUMNS = ("id", "at", "actor", "entity", "entity_id", "action", "changes")


class AuditError(Invalid):
    """A filter of the audit log we cannot read; the message says how to write it."""


@dataclass(frozen=True)
class AuditFilter:
    """What to read of the log: each filter given narrows it. `entity` is the kind of object
    (source, alert_rule, channel, saved_search, user, unit, case…), `entity_id` one of them."""

    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_text(
        cls,
        *,
        actor: str | None = None,
        action: str | None = None,
        entity: str | None = None,
        since: str | None = None,
        until: str | None = None,
        now: datetime | None = None,
        timezone: str = "UTC",
    ) -> AuditFilter:
        """A filter as a person types it: `entity` "source" or "source:12" (a kind, or one object);
        `since`/`until` a span before now ("24h", "7d", "2w") or a date / date-time, read in
        `timezone` (an IANA name) when it has no offset."""
        now = now or store.utc_now()
        kind, _, one = (entity or "").partition(":")
        return cls(
            actor=(actor or "").strip() or None,
            action=(action or "").strip() or None,
            entity=kind.strip() or None,
            entity_id=one.strip() or None,
            since=_time("since", since, now, timezone),
            until=_time("until", until, now, timezone),
        )


@dataclass
class AuditEntry:
    """One change: when (UTC), who, what kind of object and which, the action, and each field
    changed as [before, after]."""

    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Any] = field(default_factory=dict)


def _time(name: str, value: str | None, now: datetime, timezone: str) -> datetime | None:
    """A typed time as the log keeps it (UTC): a span before `now` (UTC), or a date / date-time read
    in `timezone` when it has no offset."""
    if value is None or not value.strip():
        return None
    try:
        at = time_before(value, aware(now))  # a span: aware; a date typed without an offset: naive
    except ValueError:
        raise AuditError(
            "audit_bad_time",
            "{name} {value!r}: give a span like 24h, 7d, 2w, or a date like 2026-12-01 or "
            "2026-12-01T08:00 (read in {zone})",
            name=name, value=value, zone=timezone,
        ) from None  # fmt: skip
    return to_utc(at, timezone)


class AuditLog:
    """The audit log of one store, read."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def entries(self, found: AuditFilter, limit: int | None = LIST_LIMIT) -> list[AuditEntry]:
        """The entries that match, newest first; at most `limit` (None: all)."""
        rows = store.entries(
            self.engine, actor=found.actor, action=found.action, entity=found.entity,
            entity_id=found.entity_id, since=found.since, until=found.until, limit=limit,
        )  # fmt: skip
        return [AuditEntry(**row) for row in rows]

    def csv(self, found: AuditFilter) -> bytes:
        """Every matching entry as CSV (UTF-8 with a BOM, for Excel), newest first; `at` in UTC with a
        Z, as the API gives it; `changes` as JSON."""
        rows = [
            (e.id, iso_utc(e.at), e.actor, e.entity, e.entity_id, e.action,
             json.dumps(e.changes, ensure_ascii=False, default=str))
            for e in self.entries(found, limit=None)
        ]  # fmt: skip
        return csv_bytes(CSV_COLUMNS, rows)
