"""PostgreSQL's RUM index over the folded search text: it hands back a query's matches in rank
order (`search_f <=> tsquery`), so a search reads the best few hundred matches, not every one.

The index needs the `rum` extension (Debian package postgresql-15-rum; `make pg-rum`). Migration
0019 creates the extension and the index when the server has the package; without it the store
works as before (the GIN indexes of migration 0001), and search ranks every match — slower on
common words, and said once per database (a log warning, `caunoi stats`).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

INDEX = "ix_articles_search_f_rum"
MISSING = (
    "PostgreSQL has no RUM index on this store (the rum extension, package postgresql-15-rum:"
    " `make pg-rum` on the server, then `caunoi stats --index-rum`): search ranks every match,"
    " slower on common words"
)

_known: dict[str, str | None] = {}
_lock = threading.Lock()


def extension_schema(conn: Connection) -> str | None:
    """The schema the rum extension is installed in, or None when it is not."""
    return conn.execute(
        text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'rum'")
    ).scalar()


def index_schema(conn: Connection) -> str | None:
    """The rum extension's schema when this store's articles have the RUM index, else None."""
    return conn.execute(
        text(
            "SELECT e.extnamespace::regnamespace::text FROM pg_extension e"
            " WHERE e.extname = 'rum' AND to_regclass(:index) IS NOT NULL"
        ),
        {"index": INDEX},
    ).scalar()


def create_extension(conn: Connection) -> str | None:
    """The rum extension's schema, the extension created first when the server has it and we may;
    None, with one log line, when it cannot be."""
    available = conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")).scalar()
    if not available:
        log.warning("%s", MISSING)
        return None
    schema = extension_schema(conn)
    if schema is None:
        superuser = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        if not superuser:
            log.warning(
                "the rum extension needs a superuser: CREATE EXTENSION rum SCHEMA public;"
                " then `caunoi stats --index-rum`"
            )
            return None
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS rum SCHEMA public"))
        schema = extension_schema(conn)
    return schema


def create_index(conn: Connection) -> bool:
    """Create the rum extension (when the server has it and we may) and the RUM index on the
    articles' folded text; False, with one log line, when that cannot be done."""
    schema = create_extension(conn)
    if schema is None:
        return False
    opclass = f"{schema}.rum_tsvector_ops"
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles USING rum (search_f {opclass})"))
    return True


def ranked_by_index(engine: Engine) -> str | None:
    """The rum extension's schema when search can take its matches in rank order from the RUM
    index, else None. Asked of the database once per store and process; its absence is said
    once (a warning), not at each search."""
    key = engine.url.render_as_string(hide_password=True)
    with _lock:
        if key in _known:
            return _known[key]
    with engine.connect() as conn:
        schema = index_schema(conn)
    with _lock:
        if key not in _known:
            _known[key] = schema
            if schema is None:
                log.warning("%s", MISSING)
    return schema


def forget(engine: Engine) -> None:
    """Ask the database again at the next search (after the index was made or dropped)."""
    with _lock:
        _known.pop(engine.url.render_as_string(hide_password=True), None)
