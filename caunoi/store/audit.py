"""The audit log in the store: who changed what, when, written in the same transaction as the change
it records (`record_audit(conn, …)` inside the writer's `engine.begin()`), and read back one entity at
a time. Units, cases, fact sheets, users and tokens all write it. It keeps each change as
{field: [before, after]} in JSON, dates as ISO text; it never decides what is worth recording and
never holds a secret (the writers leave password and token hashes out)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from caunoi.store.schema import audit_log
from caunoi.timezones import utcnow

Changes = dict[str, list[Any]]  # field -> [before, after], as audit_log.changes keeps them


utc_now = utcnow  # now in UTC, naive, as the store keeps times: when an audited change was made


def _plain(value: Any) -> Any:
    """A value as the JSON column keeps it (dates as ISO text, in lists and mappings too)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """The fields of `after` whose value differs from `before`, as {field: [before, after]}."""
    return {
        key: [_plain(before.get(key)), _plain(value)]
        for key, value in after.items()
        if _plain(before.get(key)) != _plain(value)
    }


def removed(before: Mapping[str, Any]) -> Changes:
    """What an object was, as the changes of its removal: {field: [before, None]}."""
    return diff(before, dict.fromkeys(before))


def audit_row(
    at: datetime, actor: str, entity: str, entity_id: Any, action: str, changes: Changes
) -> dict[str, Any]:
    """An audit_log row's values, for `record_audit` or for many at once (`record_audits`)."""
    return {
        "at": at,
        "actor": actor,
        "entity": entity,
        "entity_id": str(entity_id),
        "action": action,
        "changes": {key: [_plain(b), _plain(a)] for key, (b, a) in changes.items()},
    }


def record_audit(
    conn: Connection, at: datetime, actor: str, entity: str, entity_id: Any, action: str, changes: Changes
) -> None:
    """One audit_log row; call it inside the transaction that makes the change."""
    conn.execute(audit_log.insert().values(**audit_row(at, actor, entity, entity_id, action, changes)))


def record_audits(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Many audit_log rows (made by `audit_row`) in one statement, inside the changes' transaction."""
    if rows:
        conn.execute(audit_log.insert(), rows)


def history(engine: Engine, entity: str, entity_id: Any) -> list[dict[str, Any]]:
    """Every change to one entity ("case", "fact_sheet", "user", …), oldest first: at, actor, action,
    changes."""
    query = (
        select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.changes)
        .where(audit_log.c.entity == entity, audit_log.c.entity_id == str(entity_id))
        .order_by(audit_log.c.at, audit_log.c.id)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def entries(
    engine: Engine,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The log's rows that match every filter given, newest first: id, at, actor, entity,
    entity_id, action, changes. `actor` and `action` match whole (any case); `since` is inclusive,
    `until` exclusive; at most `limit` rows."""
    query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
    if actor:
        query = query.where(func.lower(audit_log.c.actor) == actor.strip().lower())
    if action:
        query = query.where(func.lower(audit_log.c.action) == action.strip().lower())
    if entity:
        query = query.where(audit_log.c.entity == entity.strip().lower())
    if entity_id:
        query = query.where(audit_log.c.entity_id == entity_id.strip())
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at < until)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
