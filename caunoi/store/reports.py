"""Review report drafts in the store (review_drafts): rows written with their audit row in one
transaction, so a draft's history says who changed which section when. The audit keeps each
narrative section as a field of its own ({"limitations": [before, after]}), not the whole JSON
column. The rules (what a draft may hold, who may change it, how a pull merges) are
`caunoi.reports.drafts`'; a change runs the domain's `update` on the row locked for it, so a rule
that reads the row (a final draft is not changed, a section is merged into the text as it is now)
holds however many people save at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine, select, update

from caunoi.store.audit import Changes, diff, history, record_audit
from caunoi.store.schema import review_drafts
from caunoi.timezones import utcnow

ENTITY = "review_draft"  # audit_log.entity
SECTIONS = ("limitations", "causes", "directions", "recommendations")  # the narrative JSON's keys


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the audit keeps them: each narrative section a field, the stamps left out."""
    flat = {
        k: v for k, v in values.items() if k != "narrative" and not k.startswith(("created_", "updated_"))
    }
    if "narrative" in values:
        flat |= {key: (values["narrative"] or {}).get(key) or None for key in SECTIONS}
    flat.pop("id", None)
    return flat


class DraftRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, values: dict[str, Any], by: str) -> int:
        """A new draft, audited ("add"); its id."""
        now = utcnow()
        stamps = {"created_by": by, "created_at": now, "updated_by": by, "updated_at": now}
        with self.engine.begin() as conn:
            new_id = conn.execute(review_drafts.insert().values(**values, **stamps)).inserted_primary_key[0]
            shown = {k: v for k, v in _audited(values).items() if v not in (None, "", [])}
            record_audit(conn, now, by, ENTITY, new_id, "add", diff({}, shown))
        return new_id

    def change(
        self, draft_id: int, by: str, action: str, update_: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Changes | None:
        """Change a draft by `update_(row)` — the row locked, as stored; it answers the new values or
        raises the refusal, which leaves the row as it was — audited with before and after; what
        changed (empty: nothing), None if there is no such draft."""
        now = utcnow()
        with self.engine.begin() as conn:
            query = select(review_drafts).where(review_drafts.c.id == draft_id).with_for_update()
            row = conn.execute(query).mappings().first()
            if row is None:
                return None
            values = update_(dict(row))
            changes = diff(_audited(dict(row)), _audited(values))
            if changes:
                conn.execute(
                    update(review_drafts)
                    .where(review_drafts.c.id == draft_id)
                    .values(**values, updated_by=by, updated_at=now)
                )
                record_audit(conn, now, by, ENTITY, draft_id, action, changes)
        return changes

    def rows(
        self,
        ids: list[int] | None = None,
        *,
        unit: str | None = None,
        central: bool = False,
        state: str | None = None,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> list[dict[str, Any]]:
        """Drafts, the latest period first, the whole system's before the units' (by code): those of
        `ids`, of `unit` (or with `central`, the whole system's), in `state`, of exactly the period
        `starts_on`–`ends_on`."""
        t = review_drafts.c
        query = select(review_drafts).order_by(t.ends_on.desc(), t.starts_on.desc(), t.unit.is_not(None),
                                               t.unit, t.id.desc())  # fmt: skip
        if ids is not None:
            query = query.where(t.id.in_(ids))
        if central:
            query = query.where(t.unit.is_(None))
        elif unit is not None:
            query = query.where(t.unit == unit)
        if state is not None:
            query = query.where(t.state == state)
        if starts_on is not None:
            query = query.where(t.starts_on == starts_on)
        if ends_on is not None:
            query = query.where(t.ends_on == ends_on)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def history(self, draft_id: int) -> list[dict[str, Any]]:
        return history(self.engine, ENTITY, draft_id)
