"""The response workflow in the store: units and missions, cases and their responses, fact sheets,
and the audit log, written in the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from caunoi.store.schema import (
    alerts,
    articles,
    audit_log,
    case_responses,
    cases,
    fact_sheet_stories,
    fact_sheets,
    stories,
    units,
)

Changes = dict[str, list[Any]]  # field -> [before, after], as audit_log.changes keeps them


def _plain(value: Any) -> Any:
    """A value as the JSON column keeps it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, datetime | date) else value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """The fields of `after` whose value differs from `before`, as {field: [before, after]}."""
    return {
        key: [_plain(before.get(key)), _plain(value)]
        for key, value in after.items()
        if _plain(before.get(key)) != _plain(value)
    }


def record_audit(
    conn: Connection, at: datetime, actor: str, entity: str, entity_id: Any, action: str, changes: Changes
) -> None:
    """One audit_log row; call it inside the transaction that makes the change."""
    conn.execute(
        audit_log.insert().values(
            at=at,
            actor=actor,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            changes={key: [_plain(b), _plain(a)] for key, (b, a) in changes.items()},
        )
    )


class CaseRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    # -- the audit log ------------------------------------------------------------------------

    def history(self, entity: str, entity_id: Any) -> list[dict[str, Any]]:
        """Every change to one entity, oldest first."""
        query = (
            select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.changes)
            .where(audit_log.c.entity == entity, audit_log.c.entity_id == str(entity_id))
            .order_by(audit_log.c.at, audit_log.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # -- units and missions -------------------------------------------------------------------

    def add_unit(self, values: dict[str, Any], by: str) -> bool:
        """Add a unit or mission; False if its code (in any case) is taken."""
        now = datetime.now()
        with self.engine.begin() as conn:
            if self._unit(conn, values["code"]) is not None:
                return False
            conn.execute(units.insert().values(**values, created_at=now))
            record_audit(conn, now, by, "unit", values["code"], "add", diff({}, values))
        return True

    def find_unit(self, code: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return self._unit(conn, code)

    @staticmethod
    def _unit(conn: Connection, code: str) -> dict[str, Any] | None:
        row = conn.execute(select(units).where(func.lower(units.c.code) == code.lower())).mappings().first()
        return dict(row) if row else None

    def list_units(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            query = select(units).order_by(units.c.kind.desc(), func.lower(units.c.code))
            return [dict(r) for r in conn.execute(query).mappings()]

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
        now = datetime.now()
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
        now = datetime.now()
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
            self._link(conn, response["fact_sheet_id"], case["story_id"], by, now)
        return {"id": response_id, **{k: v for k, v in response.items() if v is not None}}

    def responses(self, case_id: int) -> list[dict[str, Any]]:
        query = (
            select(case_responses).where(case_responses.c.case_id == case_id).order_by(case_responses.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

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
            query = query.where(func.lower(cases.c.unit) == unit.lower())
        if due_before is not None:
            query = query.where(cases.c.deadline < due_before).order_by(cases.c.deadline, cases.c.id)
        else:
            query = query.order_by(cases.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # -- fact sheets and official positions ----------------------------------------------------

    def add_fact_sheet(self, values: dict[str, Any], by: str) -> int:
        now = datetime.now()
        with self.engine.begin() as conn:
            fact_sheet_id = conn.execute(
                fact_sheets.insert().values(**values, created_by=by, created_at=now, updated_at=now)
            ).inserted_primary_key[0]
            shown = {k: v for k, v in values.items() if k != "folded"}
            record_audit(conn, now, by, "fact_sheet", fact_sheet_id, "add", diff({}, shown))
        return fact_sheet_id

    def find_fact_sheet(self, fact_sheet_id: int) -> dict[str, Any] | None:
        return self._one(select(fact_sheets).where(fact_sheets.c.id == fact_sheet_id))

    def update_fact_sheet(self, fact_sheet_id: int, values: dict[str, Any], by: str) -> Changes | None:
        """Change some fields; returns what changed (empty: nothing did), None if there is no such
        fact sheet."""
        now = datetime.now()
        with self.engine.begin() as conn:
            row = (
                conn.execute(select(fact_sheets).where(fact_sheets.c.id == fact_sheet_id).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                return None
            changes = diff(row, {k: v for k, v in values.items() if k != "folded"})
            if changes:
                conn.execute(
                    update(fact_sheets)
                    .where(fact_sheets.c.id == fact_sheet_id)
                    .values(**values, updated_at=now)
                )
                record_audit(conn, now, by, "fact_sheet", fact_sheet_id, "edit", changes)
        return changes

    def list_fact_sheets(
        self,
        *,
        kind: str | None = None,
        lang: str | None = None,
        story_id: int | None = None,
        tokens: Iterable[str] = (),
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Fact sheets, newest change first; with `tokens`, those whose folded text holds each of
        them; with `story_id`, those linked to that story."""
        query = select(fact_sheets)
        conds = [fact_sheets.c.folded.contains(token, autoescape=True) for token in tokens]
        if kind is not None:
            conds.append(fact_sheets.c.kind == kind)
        if lang is not None:
            conds.append(fact_sheets.c.lang == lang)
        if story_id is not None:
            query = query.join(fact_sheet_stories, fact_sheet_stories.c.fact_sheet_id == fact_sheets.c.id)
            conds.append(fact_sheet_stories.c.story_id == story_id)
        if conds:
            query = query.where(and_(*conds))
        query = query.order_by(fact_sheets.c.updated_at.desc(), fact_sheets.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def link_fact_sheet(self, fact_sheet_id: int, story_id: int, by: str) -> bool:
        """Link a fact sheet to a story it answers; False if they were linked already."""
        with self.engine.begin() as conn:
            return self._link(conn, fact_sheet_id, story_id, by, datetime.now())

    @staticmethod
    def _link(conn: Connection, fact_sheet_id: int, story_id: int, by: str, now: datetime) -> bool:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(fact_sheet_stories).values(fact_sheet_id=fact_sheet_id, story_id=story_id)
        stmt = stmt.on_conflict_do_nothing().returning(fact_sheet_stories.c.story_id)
        if conn.execute(stmt).first() is None:  # linked already
            return False
        record_audit(conn, now, by, "fact_sheet", fact_sheet_id, "link", {"story_id": [None, story_id]})
        return True

    def stories_of(self, fact_sheet_id: int) -> list[dict[str, Any]]:
        query = (
            select(stories.c.id, stories.c.title)
            .join(fact_sheet_stories, fact_sheet_stories.c.story_id == stories.c.id)
            .where(fact_sheet_stories.c.fact_sheet_id == fact_sheet_id)
            .order_by(stories.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
