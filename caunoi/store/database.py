"""Opening the store (SQLite in WAL mode by default, PostgreSQL in server mode), migrating it, and
the lock that keeps one `caunoi watch` per store."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.compiler import compiles

from caunoi.errors import Conflict, Unavailable

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


# `caunoi serve` runs request handlers in up to 40 threads (anyio's default), each may hold one
# connection: 10 kept open plus 30 on demand, so a handler waits for a connection only when all 40
# threads are busy. PostgreSQL's default max_connections is 100.
POOL = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 30}

# `caunoi watch` on PostgreSQL: a session advisory lock of two keys, this one ("caui") and the store's
# schema hashed, so that stores in other schemas of the same database each have their own watcher
WATCH_LOCK_CLASS = 0x63617569


class StoreError(Unavailable):
    """The store cannot be opened or used; the message says what to check."""


class DiskFullError(StoreError):
    """The disk under the store is full: the transaction that met it was rolled back whole (SQLite
    and PostgreSQL both keep a transaction all or nothing), so what was committed before is intact
    and a re-run goes on from there."""


class WatchLocked(Conflict):
    """Another watcher holds the store."""


def _on_sqlite_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (search) run while an ingest writes; NORMAL sync is safe under WAL.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


WRITE_OPTION = "caunoi_write"  # a SQLite connection's transaction begins IMMEDIATE


@contextlib.contextmanager
def _begin_to_write(engine: Engine) -> Iterator[Any]:
    """SQLite's `engine.begin()`: as SQLAlchemy's, the transaction begun IMMEDIATE."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


ENOSPC_SQLSTATE = "53100"  # PostgreSQL's disk_full


def _disk_full(database: str | None) -> Callable[[ExceptionContext], None]:
    """A `handle_error` listener: a full disk (SQLite's SQLITE_FULL, an ENOSPC, PostgreSQL's
    disk_full) raised as DiskFullError, which says what to do, instead of the driver's error."""

    def listener(context: ExceptionContext) -> None:
        orig = context.original_exception
        full = (
            getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or getattr(orig, "sqlstate", None) == ENOSPC_SQLSTATE
            or (isinstance(orig, OSError) and orig.errno == errno.ENOSPC)
        )
        if not full:
            return
        if database is None:
            raise DiskFullError(
                "store_server_disk_full",
                "the disk of the PostgreSQL server is full: what was being written was not kept, "
                "everything stored before it is whole. Free space on the server (its administrator), "
                "then run the command again: it goes on where it stopped",
            ) from orig
        raise DiskFullError(
            "store_disk_full",
            "the disk holding the store is full ({folder}): what was being written was not kept, "
            "everything stored before it is whole. Free space on that disk, or move CAUNOI_DATA to a "
            "larger one, then run the command again: it goes on where it stopped",
            folder=str(Path(database).expanduser().resolve().parent),
        ) from orig

    return listener


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; for SQLite the data folder is created and WAL switched on. On both, a
    full disk is raised as DiskFullError."""
    engine = _create_engine(url)
    parsed = make_url(url)
    event.listen(
        engine, "handle_error", _disk_full(parsed.database if engine.dialect.name == "sqlite" else None)
    )
    return engine


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        on_disk = bool(parsed.database) and parsed.database != ":memory:"
        if on_disk:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **(POOL if on_disk else {}))
        event.listen(engine, "connect", _on_sqlite_connect)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so a batch
        # is one real transaction. A transaction opened to write (`engine.begin()`) takes the
        # write lock at once (BEGIN IMMEDIATE, waiting up to busy_timeout for another writer):
        # a deferred one that read first is refused at its first write, whatever the timeout,
        # when another connection (the server, a watcher) committed since it read.
        event.listen(
            engine,
            "begin",
            lambda conn: conn.exec_driver_sql(
                "BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN"
            ),
        )
        engine.begin = functools.partial(_begin_to_write, engine)  # type: ignore[method-assign]

        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, **POOL)
    raise StoreError(
        "store_unsupported",
        "unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://",
        backend=parsed.get_backend_name(),
    )


@compiles(Table, "sqlite")
def _table_with_hint(table: Table, compiler: Any, **kw: Any) -> str:
    """A table in a SELECT's FROM with the hint the select gives it for SQLite
    (`select(…).with_hint(articles, "INDEXED BY ix_…", "sqlite")`), which SQLAlchemy's SQLite
    dialect would leave out: SQLite reads that table through that index only."""
    sql = compiler.visit_table(table, **kw)
    hint = (kw.get("fromhints") or {}).get(table) if kw.get("asfrom") else None
    return f"{sql} {hint}" if hint else sql


def upsert(dialect: str) -> Callable[..., Any]:
    """The backend's INSERT with ON CONFLICT (`insert(table).values(…).on_conflict_do_…`): PostgreSQL's
    or SQLite's, imported when first written with (a reading command never loads PostgreSQL's)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def open_store(url: str) -> Engine:
    """An engine over a migrated store at `url`, or StoreError saying why it cannot be opened."""
    engine = None
    try:
        engine = create_store_engine(url)
        migrate(engine)
    except DiskFullError:
        if engine is not None:
            engine.dispose()
        raise
    except (OperationalError, StoreError) as exc:
        if engine is not None:
            engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise StoreError(
            "store_unavailable", "cannot open the store at {url!r}: {reason}", url=url, reason=reason
        ) from exc
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (Alembic), in one transaction. A store already at
    the newest is only asked its version: Alembic is not even imported (it is most of a short
    command's start-up)."""
    if stored_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # A migration that changes a column rebuilds the table on SQLite: copy, drop, rename. With
            # foreign keys on, dropping it would delete (or empty) every row pointing at it, so they are
            # off meanwhile and checked before committing: SQLite's own way to rebuild a table. Set
            # on the driver's connection: a PRAGMA inside the transaction would do nothing.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").first()):
                    raise StoreError(
                        "store_migration_broken_link",
                        "migrating the store left a row of {table} pointing at nothing; nothing was changed",
                        table=broken[0],
                    )
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def revisions() -> set[str]:
    """Every migration's revision: each file of migrations/versions is named after its revision
    (0008_dashboard.py is revision "0008"), a test keeps it so."""
    return {path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py")}


def head_revision() -> str:
    """The newest migration's revision."""
    return max(revisions())


def stored_revision(engine: Engine) -> str | None:
    """The migration the store is at; None for a new store (or one that cannot be asked)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


@contextlib.contextmanager
def watch_lock(engine: Engine) -> Iterator[None]:
    """Held while `caunoi watch` runs: a second watcher on the same store is refused (it would
    fetch the same queued pages twice). SQLite: an flock beside the database file, released
    by the OS if the process dies; PostgreSQL: a session advisory lock of the store's schema."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            keys = {"k": WATCH_LOCK_CLASS}
            lock = text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))")
            got = conn.execute(lock, keys).scalar()
            conn.commit()
            if not got:
                raise WatchLocked("watch_running", "another caunoi watch is already running on this database")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"), keys)
                conn.commit()
        return
    database = engine.url.database or ""
    path = Path(f"{database}.watch.lock") if database and database != ":memory:" else None
    if path is None:
        yield
        return
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise WatchLocked(
                "watch_running_here",
                "another caunoi watch is already running on this store (pid {pid}; {path})",
                pid=handle.read().strip() or "?",
                path=str(path),
            ) from None
        os.ftruncate(handle.fileno(), 0)
        # the pid only names this watcher to a second one; on a full disk it is left out, the flock holds
        with contextlib.suppress(OSError):
            os.pwrite(handle.fileno(), str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
