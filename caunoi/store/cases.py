"""Cases in the store: the cases table and the responses that answered them, each change audited
(caunoi.store.audit) in the same transaction as the change, and what a case refers to (its story,
alert, article). An answer with a fact sheet links the fact sheet to the case's story in that same
transaction (caunoi.store.factsheets.link). The workflow's rules are `caunoi.cases`'s; this module
only reads and writes rows."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from caunoi.store.audit import Changes, diff, history, record_audit
from caunoi.store.factsheets import link
from caunoi.store.schema import alerts, articles, case_responses, cases, stories, units
from caunoi.timezones import utcnow


class CaseRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    # -- what a case refers to ----------------------------------------------------------------

    def story(self, story_id: int) -> dict[str, Any] | None:
        return self._one(select(stories.c.id, stories.c.title).where(stories.c.id == story_id))

    def alert(self, alert_id: int) -> dict[str, Any] | None:
        return self._one(
            select(alerts.c.id, alerts.c.title, alerts.c.story_id, alerts.c.severity).where(
                alerts.c.id == alert_id
            )
        )

    def article(self, article_id: int) -> dict[str, Any] | None:
        return self._one(
            select(articles.c.id, articles.c.title, articles.c.url, articles.c.source).where(
                articles.c.id == article_id
            )
        )

    def _one(self, query) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    # -- cases --------------------------------------------------------------------------------

    def insert_case(self, values: dict[str, Any], by: str, open_states: Collection[str]) -> tuple[int, bool]:
        """Open a case; returns (id, True), or (id of the case already open for that alert, False).
        The alert's row is locked meanwhile, so two people opening a case for it get one."""
        now = utcnow()
        with self.engine.begin() as conn:
            if values.get("alert_id") is not None:
                conn.execute(select(alerts.c.id).where(alerts.c.id == values["alert_id"]).with_for_update())
                existing = conn.execute(
                    select(cases.c.id)
                    .where(cases.c.alert_id == values["alert_id"], cases.c.state.in_(open_states))
                    .order_by(cases.c.id)
                ).scalar()
                if existing is not None:
                    return existing, False
            case_id = conn.execute(
                cases.insert().values(**values, created_by=by, created_at=now, updated_at=now)
            ).inserted_primary_key[0]
            shown = {k: v for k, v in values.items() if v is not None}
            record_audit(conn, now, by, "case", case_id, "open", diff({}, shown))
        return case_id, True

    def find_case(self, case_id: int) -> dict[str, Any] | None:
        query = (
            select(cases, units.c.name.label("unit_name"), stories.c.title.label("story_title"))
            .select_from(
                cases.outerjoin(units, units.c.code == cases.c.unit).outerjoin(
                    stories, stories.c.id == cases.c.story_id
                )
            )
            .where(cases.c.id == case_id)
        )
        return self._one(query)

    def change_case(
        self,
        case_id: int,
        *,
        expected: Collection[str],
        values: dict[str, Any],
        action: str,
        by: str,
        extra: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
    ) -> Changes | None:
        """Apply `values` to a case still in one of the `expected` states, add `response` if given
        (linking its fact sheet to the case's story), and audit it all, in one transaction. Returns
        the changes recorded, or None if the case moved on meanwhile (or is gone)."""
        now = utcnow()
        with self.engine.begin() as conn:
            row = (
                conn.execute(select(cases).where(cases.c.id == case_id).with_for_update()).mappings().first()
            )
            if row is None or row["state"] not in expected:
                return None
            changes = diff(row, values)
            changes.update({key: [None, value] for key, value in (extra or {}).items() if value})
            if response is not None:
                changes["response"] = [None, self._add_response(conn, row, response, by, now)]
            if not changes:
                return changes
            conn.execute(update(cases).where(cases.c.id == case_id).values(**values, updated_at=now))
            record_audit(conn, now, by, "case", case_id, action, changes)
        return changes

    def _add_response(
        self, conn: Connection, case: Mapping[str, Any], response: dict[str, Any], by: str, now: datetime
    ) -> dict[str, Any]:
        response_id = conn.execute(
            case_responses.insert().values(case_id=case["id"], **response, created_by=by, created_at=now)
        ).inserted_primary_key[0]
        if response.get("fact_sheet_id") is not None and case["story_id"] is not None:
            link(conn, response["fact_sheet_id"], case["story_id"], by, now)
        return {"id": response_id, **{k: v for k, v in response.items() if v is not None}}

    def responses(self, case_id: int) -> list[dict[str, Any]]:
        query = (
            select(case_responses).where(case_responses.c.case_id == case_id).order_by(case_responses.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def history(self, case_id: int) -> list[dict[str, Any]]:
        return history(self.engine, "case", case_id)

    def list_cases(
        self,
        states: Iterable[str] | None = None,
        unit: str | None = None,
        limit: int | None = None,
        *,
        due_before: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Cases newest first, or with `due_before` those whose deadline is earlier, most overdue
        first."""
        query = select(cases, units.c.name.label("unit_name")).select_from(
            cases.outerjoin(units, units.c.code == cases.c.unit)
        )
        if states is not None:
            query = query.where(cases.c.state.in_(list(states)))
        if unit is not None:
            query = query.where(cases.c.unit == unit)  # the unit's code as stored (caunoi.units)
        if due_before is not None:
            query = query.where(cases.c.deadline < due_before).order_by(cases.c.deadline, cases.c.id)
        else:
            query = query.order_by(cases.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
