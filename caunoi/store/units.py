"""Units and missions in the store: the units table, looked up by code in any case, each addition
audited in the same transaction. The rules about codes, names and countries are `caunoi.units`'s;
this module only reads and writes rows.

A code is compared by `code_key`, in Python: SQLite's lower() and NOCASE fold ASCII letters only, so
"ĐSQ-US" and "đsq-us" would be one unit on PostgreSQL and two on SQLite. There are a few hundred
units at most: reading their codes to compare them costs nothing."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from caunoi.store.audit import diff, history, record_audit
from caunoi.store.schema import units
from caunoi.timezones import utcnow


def code_key(code: str) -> str:
    """What two spellings of one code share: "ĐSQ-US", "đsq-us" and a decomposed "Đsq-us" alike."""
    return unicodedata.normalize("NFC", code.strip()).casefold()


class UnitRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, values: dict[str, Any], by: str) -> bool:
        """Add a unit or mission; False if its code (in any case) is taken."""
        now = utcnow()
        with self.engine.begin() as conn:
            if self._find(conn, values["code"]) is not None:
                return False
            self._insert(conn, now, values, by, "add")
        return True

    def update(self, code: str, values: dict[str, Any], by: str) -> None:
        """Change a unit's fields; the audit log keeps what changed, before and after."""
        with self.engine.begin() as conn:
            self._change(conn, utcnow(), code, values, by, "edit")

    def import_units(
        self, adds: list[dict[str, Any]], edits: list[tuple[str, dict[str, Any]]], by: str
    ) -> None:
        """Add and change units in one transaction, each audited: a file imports whole or not at all."""
        now = utcnow()
        with self.engine.begin() as conn:
            for values in adds:
                self._insert(conn, now, values, by, "import")
            for code, values in edits:
                self._change(conn, now, code, values, by, "import")

    @staticmethod
    def _insert(conn: Connection, now: datetime, values: dict[str, Any], by: str, action: str) -> None:
        conn.execute(units.insert().values(**values, created_at=now))
        record_audit(conn, now, by, "unit", values["code"], action, diff({}, values))

    def _change(
        self, conn: Connection, now: datetime, code: str, values: dict[str, Any], by: str, action: str
    ) -> None:
        """Write what differs from the stored row, audited; nothing when nothing differs."""
        changes = diff(self._find(conn, code) or {}, values)
        if changes:
            conn.execute(units.update().where(units.c.code == code).values(**values, updated_at=now))
            record_audit(conn, now, by, "unit", code, action, changes)

    def retire(self, code: str, retired: bool, by: str) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            before = self._find(conn, code) or {}
            if (before.get("retired_at") is not None) == retired:
                return
            at = now if retired else None
            conn.execute(units.update().where(units.c.code == code).values(retired_at=at, updated_at=now))
            record_audit(conn, now, by, "unit", code, "retire" if retired else "restore",
                         diff(before, {"retired_at": at}))  # fmt: skip

    def history(self, code: str) -> list[dict[str, Any]]:
        """Every change to the unit with this (stored) code, oldest first."""
        return history(self.engine, "unit", code)

    def find(self, code: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return self._find(conn, code)

    @staticmethod
    def _find(conn: Connection, code: str) -> dict[str, Any] | None:
        key = code_key(code)
        codes = conn.execute(select(units.c.code)).scalars()
        found = next((c for c in codes if code_key(c) == key), None)
        if found is None:
            return None
        return dict(conn.execute(select(units).where(units.c.code == found)).mappings().one())

    def list(self) -> list[dict[str, Any]]:
        """Units first, then missions; by code."""
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(select(units)).mappings()]
        return sorted(rows, key=lambda r: (r["kind"] != "unit", code_key(r["code"]), r["code"]))
