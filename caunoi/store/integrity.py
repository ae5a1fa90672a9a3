"""The store's integrity, asked of the database (`caunoi check`): the engine's own checks (SQLite's
`PRAGMA integrity_check` and `foreign_key_check`, the FTS5 index's 'integrity-check') and the
invariants the schema and the writers hold, each as a query that finds the rows breaking it.

SQL only, reads only: what a finding means and what to do about it is caunoi.integrity's. Each check
returns how many rows break it and the first few of them (ids, or the engine's own words)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

EXAMPLES = 10  # rows named per finding: enough to look at, never the whole table


@dataclass(frozen=True)
class Finding:
    """What one check found: `count` rows breaking it (0: none), the first `examples` of them."""

    check: str
    count: int
    examples: list[Any] = field(default_factory=list)


# Each invariant: the rows breaking it (one value each, an id or a key), on both backends. The
# foreign keys are enforced by both databases (SQLite: foreign_keys=ON on every connection), and are
# checked anyway: a row written with them off (a migration, a hand-made repair, a restored copy) or a
# damaged index would break them unseen.
INVARIANTS: dict[str, str] = {
    # content_hash and origin_key are UNIQUE: a duplicate means the unique index itself is damaged
    "duplicate_articles": "SELECT content_hash FROM articles GROUP BY content_hash HAVING count(*) > 1",
    "duplicate_origins": "SELECT origin_key FROM origins GROUP BY origin_key HAVING count(*) > 1",
    # an article is written with the origin it came from, in one transaction
    "articles_without_origin": (
        "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM origins o WHERE o.article_id = a.id)"
    ),
    "origins_without_article": (
        "SELECT o.id FROM origins o WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = o.article_id)"
    ),
    "enrichments_without_article": (
        "SELECT e.article_id FROM enrichments e"
        " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = e.article_id)"
    ),
    # tags are written and replaced with their article's enrichment row, in one transaction
    "tags_without_enrichment": (
        "SELECT DISTINCT t.article_id FROM article_tags t"
        " WHERE NOT EXISTS (SELECT 1 FROM enrichments e WHERE e.article_id = t.article_id)"
    ),
    "members_without_article": (
        "SELECT m.article_id FROM story_articles m"
        " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = m.article_id)"
    ),
    "members_without_story": (
        "SELECT m.article_id FROM story_articles m"
        " WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = m.story_id)"
    ),
    # a story's counts are its members' (articles: originals, reprints: copies), written with them
    "story_counts": (
        "SELECT s.id FROM stories s LEFT JOIN"
        " (SELECT story_id, count(*) AS n FROM story_articles GROUP BY story_id) m ON m.story_id = s.id"
        " WHERE s.articles + s.reprints <> coalesce(m.n, 0)"
    ),
    # a story's title and summary are written in the transaction that makes it
    "untitled_stories": "SELECT id FROM stories WHERE title = ''",
    "duplicates_without_article": (
        "SELECT d.article_id FROM duplicates d"
        " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = d.article_id)"
        " OR NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = d.original_id)"
    ),
    "bands_without_signature": (
        "SELECT DISTINCT b.article_id FROM signature_bands b"
        " WHERE NOT EXISTS (SELECT 1 FROM signatures s WHERE s.article_id = b.article_id)"
    ),
    "pages_without_article": (
        "SELECT p.id FROM pages p WHERE p.article_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = p.article_id)"
    ),
}

# The full-text index: every article in it once, nothing else. SQLite's contentless FTS5 table keeps
# one row per indexed document in its %_docsize table; PostgreSQL's are two tsvector columns.
SQLITE_INDEX = {
    "unindexed_articles": (
        "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_fts_docsize d WHERE d.id = a.id)"
    ),
    "index_without_article": (
        "SELECT d.id FROM article_fts_docsize d WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = d.id)"
    ),
}
POSTGRESQL_INDEX = {
    "unindexed_articles": "SELECT id FROM articles WHERE search_f IS NULL OR search_x IS NULL",
}


def check_store(engine: Engine, on_check: Callable[[str], None] | None = None) -> list[Finding]:
    """Every check of the store at `engine`, in order, read in one connection (each check is one
    statement: a store being written meanwhile is seen as each statement finds it)."""
    sqlite = engine.dialect.name == "sqlite"
    findings = []
    with engine.connect() as conn:
        engine_checks = _sqlite_checks if sqlite else _postgresql_checks
        for name, check in engine_checks().items():
            if on_check:
                on_check(name)
            findings.append(check(conn))
        for name, sql in {**INVARIANTS, **(SQLITE_INDEX if sqlite else POSTGRESQL_INDEX)}.items():
            if on_check:
                on_check(name)
            findings.append(_rows_breaking(conn, name, sql))
    return findings


def _rows_breaking(conn: Connection, name: str, sql: str) -> Finding:
    count = conn.execute(text(f"SELECT count(*) FROM ({sql}) AS broken")).scalar_one()
    examples = [r[0] for r in conn.execute(text(f"{sql} ORDER BY 1 LIMIT {EXAMPLES}"))] if count else []
    return Finding(name, count, examples)


def _sqlite_checks() -> dict[str, Callable[[Connection], Finding]]:
    return {"sqlite_integrity": _integrity_check, "foreign_keys": _foreign_key_check, "fts_index": _fts_check}


def _postgresql_checks() -> dict[str, Callable[[Connection], Finding]]:
    return {"indexes_valid": _invalid_indexes}


def _integrity_check(conn: Connection) -> Finding:
    """SQLite's own walk of every page, index and constraint: "ok", or what it found wrong."""
    said = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check(100)")]
    broken = [line for line in said if line != "ok"]
    return Finding("sqlite_integrity", len(broken), broken[:EXAMPLES])


def _foreign_key_check(conn: Connection) -> Finding:
    """Rows pointing at a row that is not there, whatever the table (table, rowid, the table it names)."""
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    return Finding("foreign_keys", len(rows), [f"{r[0]} row {r[1]} → {r[2]}" for r in rows[:EXAMPLES]])


def _fts_check(conn: Connection) -> Finding:
    """The FTS5 index's own consistency check; it raises SQLITE_CORRUPT when it finds a fault. A
    command, not a change: nothing is written (rolled back all the same)."""
    try:
        conn.exec_driver_sql("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return Finding("fts_index", 1, [reason])
    finally:
        conn.rollback()
    return Finding("fts_index", 0)


def _invalid_indexes(conn: Connection) -> Finding:
    """Indexes PostgreSQL marks invalid or not ready (a CREATE INDEX CONCURRENTLY that failed, say):
    the planner does not use them and a unique one no longer guards its table."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)"
            " ORDER BY 1"
        )
    ).scalars()
    names = list(rows)
    return Finding("indexes_valid", len(names), names[:EXAMPLES])
