"""The store's side of `caunoi backup` and `caunoi restore`: a consistent copy of the database out,
and a copy put back into an empty store (caunoi.backup wraps them in an archive with a manifest).

SQLite: the online backup API, stepped a thousand pages at a time under one read transaction held
from first page to last, so the copy is one moment of the store however much the server and the
watcher write meanwhile (WAL: they are never blocked; without the held transaction each write
between two steps would restart the copy). PostgreSQL: `pg_dump --format=custom` of the store's
schema and `pg_restore` into an empty one, both found on PATH; the tables are counted in the very
snapshot pg_dump reads (pg_export_snapshot). Nothing here reads or writes an archive.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from caunoi.errors import Conflict, Unavailable
from caunoi.store.rum import INDEX as RUM_INDEX
from caunoi.store.rum import MISSING as MISSING_RUM
from caunoi.store.rum import create_extension
from caunoi.store.schema import metadata

STEP_PAGES = 1024  # pages copied a step: 4 MiB, a progress report every few milliseconds
Progress = Callable[[int, int], None]  # done and total, in pages (SQLite) or steps


class BackupError(Unavailable):
    """A backup or a restore cannot be done here; the message says what to install or check."""


class OverwriteRefused(Conflict):
    """A backup or a restore would overwrite what is there: an archive, a store that holds data."""


def store_tables() -> list[str]:
    """The store's tables (schema.py), parents before children."""
    return [table.name for table in metadata.sorted_tables]


def table_counts(conn: Connection | sqlite3.Connection) -> dict[str, int]:
    """Rows of each of the store's tables that the database has (an older revision lacks some)."""
    if isinstance(conn, Connection) and conn.dialect.name == "sqlite":
        conn = conn.connection.driver_connection  # type: ignore[assignment]
    if isinstance(conn, sqlite3.Connection):
        have = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in store_tables()
            if name in have
        }
    tables = text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    have = set(conn.execute(tables).scalars())
    return {
        name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
        for name in store_tables()
        if name in have
    }


def revision_of(conn: Connection | sqlite3.Connection) -> str | None:
    """The schema revision of the database (Alembic's), None when it has none."""
    try:
        if isinstance(conn, sqlite3.Connection):
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return found[0] if found else None
        with conn.begin_nested():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (sqlite3.OperationalError, DBAPIError):
        return None


def check_empty(engine: Engine, *, force: bool) -> None:
    """Refuse to restore over a store that holds data, unless `force`: a SQLite file or a schema
    with a row in one of the store's tables (one that caunoi only migrated is empty)."""
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine)
        counts, store = (sqlite_file_counts(path) if path.is_file() else {}), str(path)
    else:
        with engine.connect() as conn:
            schema, exists = target_schema(conn)
            counts, store = (table_counts(conn) if exists else {}), f"schema {schema}"
    if any(counts.values()) and not force:
        raise OverwriteRefused(
            "restore_store_not_empty",
            "the store ({store}) holds data: restore into an empty store, or add --force to replace "
            "everything in it with the backup",
            store=store,
        )


# -- SQLite ---------------------------------------------------------------------------------------


def sqlite_path(engine: Engine) -> Path:
    return Path(engine.url.database or "").expanduser()


def copy_sqlite(
    source: Path, target: Path, progress: Progress | None = None
) -> tuple[dict[str, int], str | None]:
    """Copy the SQLite database `source` into `target` (a new file, or a store to overwrite) as it is
    at one moment, while others go on writing; the rows of each table and the schema revision at
    that moment."""
    reader = sqlite3.connect(source, isolation_level=None)
    writer = sqlite3.connect(target, isolation_level=None)
    with contextlib.closing(reader), contextlib.closing(writer):
        reader.execute("PRAGMA busy_timeout=30000")
        writer.execute("PRAGMA busy_timeout=30000")
        reader.execute("BEGIN")  # one snapshot for every step
        counts, revision = table_counts(reader), revision_of(reader)

        def step(_status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        try:
            reader.backup(writer, pages=STEP_PAGES, progress=step)
        except sqlite3.OperationalError as exc:
            raise BackupError(
                "backup_copy_failed", "copying the SQLite store into {path} failed: {reason}",
                path=str(target), reason=str(exc),
            ) from exc  # fmt: skip
        finally:
            reader.execute("COMMIT")
    return counts, revision


def sqlite_file_counts(path: Path) -> dict[str, int]:
    """The counts of rows of a SQLite file not opened by the store (an archive's copy)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with contextlib.closing(conn):
        return table_counts(conn)


# -- PostgreSQL -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTool:
    path: str
    major: int
    version: str


def pg_tool(name: str, server_major: int) -> PgTool:
    """`name` (pg_dump or pg_restore) found on PATH, of the server's major version or newer."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            "backup_tool_missing",
            "{tool} is not on PATH: install PostgreSQL's client programs of version {major} or newer "
            "(Debian, Ubuntu: apt-get install postgresql-client-{major})",
            tool=name, major=server_major,
        )  # fmt: skip
    answer = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"\)\s*((\d+)(?:\.\d+)?)", answer)  # pg_dump (PostgreSQL) 15.20 (Debian …)
    if found is None:
        raise BackupError(
            "backup_tool_unknown", "{tool} ({path}) did not say its version", tool=name, path=path
        )
    major = int(found[2])
    if major < server_major:
        raise BackupError(
            "backup_tool_too_old",
            "{tool} {version} ({path}) is older than the server (PostgreSQL {major}): install "
            "postgresql-client-{major} and put its programs first on PATH",
            tool=name, version=found[1], path=path, major=server_major,
        )  # fmt: skip
    return PgTool(path, major, found[1])


def server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def libpq_call(engine: Engine) -> tuple[str, dict[str, str]]:
    """The store's URL as libpq reads it (`postgresql://…`, its options kept) and the environment
    that carries its password, kept out of the command line other users can see."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run_tool(tool: PgTool, args: list[str], env: dict[str, str]) -> str:
    """What `tool` printed, run with `args`; BackupError with what it said when it fails."""
    done = subprocess.run([tool.path, *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise BackupError(
            "backup_tool_failed", "{tool} failed: {reason}",
            tool=Path(tool.path).name, reason=done.stderr.strip()[-2000:] or f"exit status {done.returncode}",
        )  # fmt: skip
    return done.stdout


@dataclass(frozen=True)
class PgDump:
    schema: str
    server_version: str
    pg_dump_version: str
    counts: dict[str, int]
    revision: str | None


def dump_postgres(engine: Engine, target: Path) -> PgDump:
    """pg_dump the store's schema into `target` (custom format), counting its tables in the same
    snapshot."""
    uri, env = libpq_call(engine)
    reading = engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    with reading as conn:
        tool = pg_tool("pg_dump", server_major(conn))
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        version = conn.execute(text("SHOW server_version")).scalar_one().split()[0]
        counts, revision = table_counts(conn), revision_of(conn)
        run_tool(tool, ["--format=custom", f"--schema={schema}", "--no-owner", "--no-privileges",
                        f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"], env)  # fmt: skip
        conn.rollback()
    return PgDump(schema, version, tool.version, counts, revision)


def target_schema(conn: Connection) -> tuple[str, bool]:
    """The schema a restore fills: the first of the connection's search_path, and whether it exists."""
    current = conn.execute(text("SELECT current_schema()")).scalar()
    if current:
        return current, True
    path = conn.execute(text("SELECT current_setting('search_path')")).scalar_one()
    first = path.split(",")[0].strip().strip('"')
    if first == "$user":
        first = conn.execute(text("SELECT current_user")).scalar_one()
    return first, False


def schema_exists(conn: Connection, schema: str) -> bool:
    return bool(conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).scalar())


_RELATIONS = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}


def clear_schema(conn: Connection, schema: str) -> None:
    """Drop the tables, views and sequences in `schema`; an extension's stay, and so does the schema."""
    for kind, word in _RELATIONS.items():
        names = conn.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = :schema AND c.relkind = :kind AND NOT EXISTS (SELECT 1 FROM"
                " pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
            ),
            {"schema": schema, "kind": kind},
        ).scalars()
        for name in names.all():
            conn.execute(text(f'DROP {word} IF EXISTS "{schema}"."{name}" CASCADE'))


def restore_postgres(engine: Engine, dump: Path, source_schema: str) -> list[str]:
    """pg_restore `dump` (of schema `source_schema`) into the store's schema, emptied first (see
    check_empty); returns what was left out, as warnings (an index of an extension the server lacks).

    The dump names its schema in every statement, so a store in another schema is filled under the
    backup's name and then renamed back: that name must be free in the database."""
    uri, env = libpq_call(engine)
    with engine.connect() as conn:
        tool = pg_tool("pg_restore", server_major(conn))
        schema, exists = target_schema(conn)
        if schema != source_schema and schema_exists(conn, source_schema):
            raise OverwriteRefused(
                "restore_schema_taken",
                "the backup is of schema {source}, which this database already has beside {schema}: "
                "restore into {source}, or into another database",
                source=source_schema, schema=schema,
            )  # fmt: skip
        conn.rollback()
        with conn.begin():
            # the dumped index names the opclass in the schema the extension had there: public
            has_rum = create_extension(conn) == "public"
            if exists:
                clear_schema(conn, schema)
                if schema != source_schema:
                    conn.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{source_schema}"'))
    listed = run_tool(tool, ["--list", str(dump)], env)
    entries, warnings = restore_list(listed, skip_schema=exists, has_rum=has_rum)
    listing = dump.with_suffix(".list")
    listing.write_text(entries, encoding="utf-8")
    try:
        run_tool(tool, ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                        f"--use-list={listing}", f"--dbname={uri}", str(dump)], env)  # fmt: skip
    finally:
        if schema != source_schema:
            with engine.begin() as conn:
                if schema_exists(conn, source_schema):
                    conn.execute(text(f'ALTER SCHEMA "{source_schema}" RENAME TO "{schema}"'))
    return warnings


_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (SCHEMA - \S+|COMMENT - SCHEMA \S+)( |$)")


def restore_list(toc: str, *, skip_schema: bool, has_rum: bool) -> tuple[str, list[str]]:
    """pg_restore's table of contents (`pg_restore --list`) with the entries that would fail
    commented out: the schema itself when it is there already, and the RUM index when the server
    has no rum extension; and the warnings that say so."""
    kept, warnings = [], []
    for line in toc.splitlines():
        if skip_schema and _SCHEMA_ENTRY.match(line):
            line = ";" + line
        elif not has_rum and " INDEX " in line and f" {RUM_INDEX} " in line:
            line = ";" + line
            warnings.append(f"{MISSING_RUM}: the backup's RUM index was left out")
        kept.append(line)
    return "\n".join(kept) + "\n", warnings


@contextlib.contextmanager
def scratch_folder(near: Path) -> Iterator[Path]:
    """A private folder beside `near` (the same disk: a full one is found while writing there),
    removed afterwards."""
    import tempfile

    near.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".caunoi-backup-", dir=near))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
