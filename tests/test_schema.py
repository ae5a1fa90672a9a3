"""The migrations build exactly the tables caunoi/store/schema.py describes (no drift between them)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from caunoi.store.database import MIGRATIONS, create_store_engine, head_revision, migrate, stored_revision
from caunoi.store.schema import metadata

# Search machinery each backend adds outside schema.py: SQLite's FTS5 table and the indexes of what
# search filters and sorts by (caunoi.store.articles.SEARCH_KEYS_*), PostgreSQL's tsvectors.
OUTSIDE = ("article_fts", "ix_articles_keys_by_", "search_f", "search_x", "alembic_version")


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


def test_a_migration_that_rebuilds_a_table_keeps_the_rows_pointing_at_it(tmp_path):
    """0012 rebuilds the alerts table on SQLite (copy, drop, rename): with foreign keys on, the drop
    would have deleted the alerts' deliveries and keys and unlinked their cases."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0011")
    now = {"now": "2026-12-01 08:00:00"}
    with engine.begin() as conn:
        for sql in (
            "INSERT INTO alert_rules (id, name, kind, scope, params, channels, severity, enabled, created_at)"
            " VALUES (1, 'Covid', 'outlet', '{}', '{}', '[]', 'medium', 1, :now)",
            "INSERT INTO alerts (id, rule_id, window_start, window_end, severity, title, why, digest, state,"
            " created_at) VALUES (1, 1, :now, :now, 'medium', 'Covid', '{}', 0, 'new', :now)",
            "INSERT INTO alert_keys (rule_id, key, alert_id) VALUES (1, 'volume:1', 1)",
            "INSERT INTO deliveries (alert_id, channel, kind, target, state, attempts, created_at)"
            " VALUES (1, 'trực ban', 'email', 'a@bo.example.vn', 'sent', 1, :now)",
            "INSERT INTO cases (title, state, priority, alert_id, created_at, updated_at)"
            " VALUES ('Covid', 'new', 'normal', 1, :now, :now)",
        ):
            conn.execute(text(sql), now)
    migrate(engine)
    with engine.connect() as conn:
        kept = [
            conn.execute(text(f"SELECT count(*) FROM {table} WHERE alert_id = 1")).scalar()
            for table in ("alert_keys", "deliveries", "cases")
        ]
        checks_links = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    engine.dispose()
    assert stored_revision(engine) == head_revision() and kept == [1, 1, 1] and checks_links == 1
