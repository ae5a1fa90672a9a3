"""The library of fact sheets and official positions in the store: the products of those kinds (with the
folded text its search matches), their links to the stories they answer, every change audited in
the same transaction. `link` is also called by the case store, in the transaction that records an
answer with a fact sheet. The rules (what a fact sheet needs, how text is folded, how hits rank)
are `caunoi.factsheets`'s; this module only reads and writes rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, update

from caunoi.store.audit import Changes, diff, history, record_audit
from caunoi.store.database import upsert
from caunoi.store.schema import fact_sheet_stories, products, stories
from caunoi.timezones import utcnow

# The library is the products of these kinds (since migration 0011 one table holds every information
# product); its reads see only them, and only the columns a fact sheet has.
LIBRARY_KINDS = ("fact_sheet", "position")
_COLUMNS = ("id", "title", "kind", "lang", "body", "folded", "tags", "created_by", "created_at", "updated_at")
fact_sheets = products
_library = select(*(products.c[name] for name in _COLUMNS)).where(products.c.kind.in_(LIBRARY_KINDS))


def link(conn: Connection, fact_sheet_id: int, story_id: int, by: str, now: datetime) -> bool:
    """Link a fact sheet to a story it answers, audited, in `conn`'s transaction; False if they
    were linked already."""
    stmt = upsert(conn.dialect.name)(fact_sheet_stories).values(
        fact_sheet_id=fact_sheet_id, story_id=story_id
    )
    stmt = stmt.on_conflict_do_nothing().returning(fact_sheet_stories.c.story_id)
    if conn.execute(stmt).first() is None:  # linked already
        return False
    record_audit(conn, now, by, "fact_sheet", fact_sheet_id, "link", {"story_id": [None, story_id]})
    return True


class FactSheetRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, values: dict[str, Any], by: str) -> int:
        now = utcnow()
        with self.engine.begin() as conn:
            fact_sheet_id = conn.execute(
                fact_sheets.insert().values(**values, created_by=by, created_at=now, updated_at=now)
            ).inserted_primary_key[0]
            shown = {k: v for k, v in values.items() if k != "folded"}
            record_audit(conn, now, by, "fact_sheet", fact_sheet_id, "add", diff({}, shown))
        return fact_sheet_id

    def find(self, fact_sheet_id: int) -> dict[str, Any] | None:
        """The fact sheet's row, with its folded text."""
        with self.engine.connect() as conn:
            row = conn.execute(_library.where(fact_sheets.c.id == fact_sheet_id)).mappings().first()
        return dict(row) if row else None

    def update(self, fact_sheet_id: int, values: dict[str, Any], by: str) -> Changes | None:
        """Change some fields; returns what changed (empty: nothing did), None if there is no such
        fact sheet."""
        now = utcnow()
        with self.engine.begin() as conn:
            row = (
                conn.execute(_library.where(fact_sheets.c.id == fact_sheet_id).with_for_update())
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

    def link(self, fact_sheet_id: int, story_id: int, by: str) -> bool:
        """Link a fact sheet to a story it answers; False if they were linked already."""
        with self.engine.begin() as conn:
            return link(conn, fact_sheet_id, story_id, by, utcnow())

    def has_story(self, story_id: int) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(stories.c.id).where(stories.c.id == story_id)).first() is not None

    def stories_of(self, fact_sheet_id: int) -> list[dict[str, Any]]:
        """The stories a fact sheet answers: id and title, by id."""
        query = (
            select(stories.c.id, stories.c.title)
            .join(fact_sheet_stories, fact_sheet_stories.c.story_id == stories.c.id)
            .where(fact_sheet_stories.c.fact_sheet_id == fact_sheet_id)
            .order_by(stories.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def history(self, fact_sheet_id: int) -> list[dict[str, Any]]:
        return history(self.engine, "fact_sheet", fact_sheet_id)

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(
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
        query = _library
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
