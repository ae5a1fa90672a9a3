"""Where a long run over the store got to (`enrich --all`, `reprocess`), kept in stage_state so a run
that was killed starts again after the last page it wrote, not from the first."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from caunoi.store.schema import stage_state


def get_mark(engine: Engine, name: str) -> dict[str, Any] | None:
    """The mark `name` left by a run that did not finish, or None."""
    with engine.connect() as conn:
        blob = conn.execute(select(stage_state.c.data).where(stage_state.c.name == name)).scalar()
    return json.loads(blob) if blob is not None else None


def set_mark(conn: Connection, name: str, mark: dict[str, Any]) -> None:
    """Keep `mark` under `name`, in the caller's transaction (the one writing the page it marks)."""
    conn.execute(delete(stage_state).where(stage_state.c.name == name))
    conn.execute(
        stage_state.insert().values(name=name, data=json.dumps(mark).encode(), updated_at=datetime.now())
    )


def clear_mark(engine: Engine, name: str) -> None:
    """The run finished: the next one starts from the beginning."""
    with engine.begin() as conn:
        conn.execute(delete(stage_state).where(stage_state.c.name == name))
