"""The readings of words typed without diacritics, as the store's own text writes them: the table
search_readings (caunoi.text.readings counts it) and when it was last counted (stage_state)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from caunoi.store.schema import articles, search_readings, stage_state

READINGS_STATE = "search_readings"
_ROWS_PER_INSERT = 5000


class ReadingRepository:
    """Reads and rewrites the readings table; reads the sample of articles it is counted from."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def state(self) -> dict[str, Any] | None:
        """What the last count covered ({"articles", "max_id", "at"}), or None if never counted."""
        with self.engine.connect() as conn:
            data = conn.execute(
                select(stage_state.c.data).where(stage_state.c.name == READINGS_STATE)
            ).scalar()
        return json.loads(data) if data else None

    def store_size(self) -> tuple[int, int]:
        """How many articles the store holds, and its newest article's id (0 when empty)."""
        with self.engine.connect() as conn:
            n, top = conn.execute(select(func.count(), func.max(articles.c.id)).select_from(articles)).one()
        return n, top or 0

    def sample(self, limit: int, chars: int) -> Iterator[str]:
        """The title and the first `chars` characters of the newest `limit` articles."""
        stmt = (
            select(articles.c.title, func.substr(articles.c.text, 1, chars))
            .order_by(articles.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            for title, text in conn.execute(stmt.execution_options(yield_per=500)):
                yield f"{title}\n{text}"

    def replace(self, counts: Mapping[str, Mapping[str, tuple[int, int]]], state: dict[str, Any]) -> None:
        """Put these counts (folded -> reading -> (articles, capitalised)) in place of the old ones,
        at once."""
        rows = [
            {"folded": folded, "reading": reading, "docs": docs, "capital": capital}
            for folded, readings in counts.items()
            for reading, (docs, capital) in readings.items()
        ]
        blob = json.dumps(state).encode()
        with self.engine.begin() as conn:
            conn.execute(delete(search_readings))
            for i in range(0, len(rows), _ROWS_PER_INSERT):
                conn.execute(insert(search_readings), rows[i : i + _ROWS_PER_INSERT])
            now = datetime.now()
            done = conn.execute(
                update(stage_state)
                .where(stage_state.c.name == READINGS_STATE)
                .values(data=blob, updated_at=now)
            )
            if not done.rowcount:
                conn.execute(insert(stage_state).values(name=READINGS_STATE, data=blob, updated_at=now))

    def lookup(self, keys: list[str]) -> dict[str, dict[str, tuple[int, int]]]:
        """The readings of these folded words and pairs: folded -> reading -> (articles, capitalised)."""
        found: dict[str, dict[str, tuple[int, int]]] = {}
        if not keys:
            return found
        stmt = select(search_readings).where(search_readings.c.folded.in_(sorted(set(keys))))
        with self.engine.connect() as conn:
            for row in conn.execute(stmt):
                found.setdefault(row.folded, {})[row.reading] = (row.docs, row.capital)
        return found
