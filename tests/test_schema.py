"""The migrations build exactly the tables caunoi/store/schema.py describes (no drift between them)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from caunoi.store.database import MIGRATIONS, create_store_engine, head_revision, migrate, stored_revision
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


def test_the_head_revision_is_read_from_the_file_names_as_alembic_reads_it(tmp_path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    assert head_revision() == scripts.get_current_head()
    for script in scripts.walk_revisions():  # each file is named after its revision
        assert Path(script.path).name.startswith(script.revision + "_")
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    assert stored_revision(engine) is None  # a new store
    migrate(engine)
    assert stored_revision(engine) == head_revision()
    engine.dispose()
