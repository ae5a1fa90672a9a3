"""Saved searches in the store: a search request kept under a unique name, shared by everyone (alert
rules watch them by name). Only reads and writes rows; who may replace whose search is decided by
the caller."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, update

from caunoi.store.audit import diff, record_audit, utc_now
from caunoi.store.schema import saved_searches
from caunoi.timezones import utcnow


class SavedSearchRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def find_search(self, name: str) -> dict[str, Any] | None:
        """The saved search of that name (id, name, request, created_by, created_at), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(saved_searches).where(saved_searches.c.name == name)).mappings().first()
        return dict(row) if row else None

    def list_searches(self) -> list[dict[str, Any]]:
        """Every saved search, by name."""
        with self.engine.connect() as conn:
            return [
                dict(r._mapping) for r in conn.execute(select(saved_searches).order_by(saved_searches.c.name))
            ]

    def insert_search(self, name: str, request: dict[str, Any], by: str | None) -> int:
        """Keep a new saved search, audited as add under `by`."""
        with self.engine.begin() as conn:
            search_id = conn.execute(
                saved_searches.insert().values(name=name, request=request, created_by=by, created_at=utcnow())
            ).inserted_primary_key[0]
            changes = diff({}, {"name": name, "request": request})
            record_audit(conn, utc_now(), by or "system", "saved_search", search_id, "add", changes)
            return search_id

    def update_search(self, search_id: int, request: dict[str, Any], by: str | None = None) -> None:
        """Give a saved search a new request; its name and creator stay. Audited as edit under `by`
        when the request changes."""
        with self.engine.begin() as conn:
            before = conn.execute(
                select(saved_searches.c.request).where(saved_searches.c.id == search_id)
            ).scalar()
            conn.execute(
                update(saved_searches).where(saved_searches.c.id == search_id).values(request=request)
            )
            changes = diff({"request": before}, {"request": request})
            if changes:
                record_audit(conn, utc_now(), by or "system", "saved_search", search_id, "edit", changes)
