"""The migrations build exactly the tables caunoi/store/schema.py describes (no drift between them)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from caunoi.store.database import create_store_engine, migrate
from caunoi.store.schema import metadata

# Search machinery each backend adds outside schema.py: SQLite's FTS5 table, PostgreSQL's tsvectors.
OUTSIDE = ("article_fts", "search_f", "search_x", "alembic_version")


def _named(diff) -> str:
    return " ".join(str(part) for part in (diff if isinstance(diff, tuple) else (diff,)))


def test_migrations_match_the_schema(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    real = [d for d in diffs if not any(name in _named(d) for name in OUTSIDE)]
    assert real == []
