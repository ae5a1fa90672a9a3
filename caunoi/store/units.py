"""Units and missions in the store: the units table, looked up by code in any case, each addition
audited in the same transaction. The rules about codes, names and countries are `caunoi.units`'s;
this module only reads and writes rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from caunoi.store.audit import diff, record_audit
from caunoi.store.schema import units


class UnitRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, values: dict[str, Any], by: str) -> bool:
        """Add a unit or mission; False if its code (in any case) is taken."""
        now = datetime.now()
        with self.engine.begin() as conn:
            if self._find(conn, values["code"]) is not None:
                return False
            conn.execute(units.insert().values(**values, created_at=now))
            record_audit(conn, now, by, "unit", values["code"], "add", diff({}, values))
        return True

    def find(self, code: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return self._find(conn, code)

    @staticmethod
    def _find(conn: Connection, code: str) -> dict[str, Any] | None:
        row = conn.execute(select(units).where(func.lower(units.c.code) == code.lower())).mappings().first()
        return dict(row) if row else None

    def list(self) -> list[dict[str, Any]]:
        """Units first, then missions; by code."""
        with self.engine.connect() as conn:
            query = select(units).order_by(units.c.kind.desc(), func.lower(units.c.code))
            return [dict(r) for r in conn.execute(query).mappings()]
