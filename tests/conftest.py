"""Shared fixtures: where the third-party corpora live (skipping when they do not), the two storage
backends every store test runs against, and the demo corpus ingested once."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

import pytest

if TYPE_CHECKING:
    from caunoi.config import Settings
    from caunoi.service import IngestSummary

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CAUNOI_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_dataset(name: str) -> Path:
    """Path of a corpus under ../shared/data, or skip the test saying why."""
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"{path} is absent: this test needs the shared corpus {name!r} (set CAUNOI_SHARED_DATA)")
    return path


@pytest.fixture
def vi_news_dir() -> Path:
    return shared_dataset("vi-news-unc") / "docs"


@pytest.fixture
def extraction_benchmark_dir() -> Path:
    return shared_dataset("article-extraction-benchmark")


# -- the workers: pyproject.toml runs the suite with pytest-xdist's `-n auto --dist loadfile` ------


MAX_WORKERS = 4  # past that the longest files set the time, and each worker loads its own models


def pytest_xdist_auto_num_workers(config) -> int | None:
    """`-n auto`: a worker a CPU this process may use, at most MAX_WORKERS (or xdist's own answer
    to PYTEST_XDIST_AUTO_NUM_WORKERS); none at all, every test in this process (print() and --pdb
    as usual), when the command line names tests of one file only: one file runs on one worker
    anyway, and starting workers costs seconds."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    files = {arg.split("::")[0] for arg in config.args}
    if len(files) == 1 and (config.invocation_params.dir / next(iter(files))).is_file():
        return 0
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS)


# The files that take longest, longest first: handed out first, so that no worker is left alone with
# one at the end (xdist's own order, most tests first, would start test_crash.py's six last). Measured
# with --durations on two cores; a file not named here only costs balance, never a test.
LONGEST_FIRST = (
    "test_search.py", "test_watch.py", "test_crash.py", "test_browser.py", "test_api.py", "test_ui.py",
    "test_alerts.py", "test_adversarial.py", "test_ingest.py", "test_vietnamese.py", "test_stories.py",
    "test_dashboard.py", "test_users.py", "test_coverage.py", "test_outreach_api.py",
)  # fmt: skip


@pytest.hookimpl(trylast=True)  # after pytest's own reordering within the files
def pytest_collection_modifyitems(config, items) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: files stay whole


# -- the two storage backends every store test runs against ---------------------------------

PG_URL = os.environ.get("CAUNOI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")


@functools.cache
def _postgres_or_skip() -> None:
    """Skip (fail in CI) when the server does not answer; asked once a session when it does."""
    import psycopg

    try:
        psycopg.connect(_plain_pg_url(), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable ({exc}); set CAUNOI_TEST_PG_URL")


def _plain_pg_url() -> str:
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


def _create_schema(script: str = "") -> str:
    """A new schema's name, `script` run in it in the transaction that creates it."""
    import uuid

    import psycopg

    schema = f"caunoi_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_plain_pg_url(), autocommit=True) as conn:
        conn.execute(f"BEGIN; CREATE SCHEMA {schema}; SET LOCAL search_path TO {schema};\n{script}\n; COMMIT")
    return schema


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(_plain_pg_url(), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _schema_url(schema: str) -> str:
    """A URL whose connections live in `schema`."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def temporary_pg_schema(script: str = ""):
    """A URL whose connections live in a fresh schema, dropped afterwards; `script` is run in it
    first, in the transaction that creates it."""
    _postgres_or_skip()
    schema = _create_schema(script)
    try:
        yield _schema_url(schema)
    finally:
        _drop_schema(schema)


class _PreparedSchemas:
    """PostgreSQL schemas made from one script, made while the tests before them run and dropped
    while the tests after them run: PostgreSQL's work (a second a store on two busy cores) done beside
    the tests' Python, on threads that only wait for the server."""

    AHEAD = 2

    def __init__(self, script: str):
        from concurrent.futures import ThreadPoolExecutor

        self.script = script
        self.threads = ThreadPoolExecutor(self.AHEAD, thread_name_prefix="pg-schemas")
        self.made = [self.threads.submit(_create_schema, script) for _ in range(self.AHEAD)]
        self.drops: list = []

    def take(self) -> str:
        schema = self.made.pop(0).result()
        self.made.append(self.threads.submit(_create_schema, self.script))
        return schema

    def drop(self, schema: str) -> None:
        self.drops.append(self.threads.submit(_drop_schema, schema))

    def close(self) -> None:
        for made in self.made:  # for tests that never came
            if made.exception() is None:
                self.drop(made.result())
        self.threads.shutdown(wait=True)
        for dropped in self.drops:
            dropped.result()  # a schema that could not be dropped says why


_PREPARED: dict[str, _PreparedSchemas] = {}


def pytest_sessionfinish(session, exitstatus) -> None:
    for prepared in _PREPARED.values():
        prepared.close()


# A store at the newest migration is a copy of one migrated once a session: the migrations take a
# second or two a store (Alembic's Python more than the SQL), and some three hundred tests start
# from an empty store. The copy is what the migrations built, not schema.py's tables: SQLite's file
# itself, and on PostgreSQL the statements they ran, replayed in a new schema. A store the test
# opens is then only asked its version; tests/test_schema.py migrates stores of its own.


@functools.cache
def _migrated_sqlite() -> Path:
    """The database file of an empty SQLite store at the newest migration (removed at exit)."""
    import atexit
    import shutil
    import tempfile

    from caunoi.config import Settings
    from caunoi.service import Service

    folder = Path(tempfile.mkdtemp(prefix="caunoi-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with Service(Settings(data_dir=folder)) as service:
        service.engine.dispose()  # the last connection closed: the write-ahead log is in the file
    assert not (folder / "caunoi.db-wal").exists()
    return folder / "caunoi.db"


# What a PostgreSQL schema holds, as a comparable list (its own name left out).
_CATALOG = """
SELECT 'column', table_name || '.' || column_name, concat_ws(' ', data_type, character_maximum_length,
       is_nullable, column_default, is_generated, generation_expression)
  FROM information_schema.columns WHERE table_schema = current_schema()
UNION ALL SELECT 'index', indexname, replace(indexdef, current_schema() || '.', '')
  FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL SELECT 'constraint', conrelid::regclass || '.' || conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
UNION ALL SELECT 'trigger', tgrelid::regclass || '.' || tgname, pg_get_triggerdef(oid)
  FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text NOT LIKE '%.%'
UNION ALL SELECT 'function', proname, replace(pg_get_functiondef(oid), current_schema() || '.', '')
  FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
UNION ALL SELECT 'sequence', sequencename, concat_ws(' ', last_value, increment_by)
  FROM pg_sequences WHERE schemaname = current_schema()
UNION ALL SELECT 'revision', version_num, '' FROM alembic_version
ORDER BY 1, 2, 3
"""


@functools.cache
def _migration_script() -> str:
    """What migrating an empty PostgreSQL store runs, as one script (the statements that succeeded,
    their parameters bound): a schema it is run in is a store at the newest migration, table for
    table, index for index, as the one migrated (checked here, once a session)."""
    import psycopg
    from sqlalchemy import event, text

    from caunoi.store.database import create_store_engine, head_revision, migrate

    ran: list[str] = []
    with contextlib.ExitStack() as stack:
        migrated = stack.enter_context(temporary_pg_schema())
        engine = create_store_engine(migrated)
        stack.callback(engine.dispose)
        binder = stack.enter_context(psycopg.connect(_plain_pg_url()))

        @event.listens_for(engine, "after_cursor_execute")
        def _record(_conn, _cursor, statement, parameters, _context, executemany) -> None:
            assert not executemany, statement
            ran.append(psycopg.ClientCursor(binder).mogrify(statement, parameters))

        migrate(engine)
        event.remove(engine, "after_cursor_execute", _record)
        script = ";\n".join(ran)
        replayed = create_store_engine(stack.enter_context(temporary_pg_schema(script)))
        stack.callback(replayed.dispose)
        with engine.connect() as one, replayed.connect() as other:
            catalogs = [conn.execute(text(_CATALOG)).all() for conn in (one, other)]
    assert catalogs[0] == catalogs[1], "the migrations' statements replayed build another store"
    assert ("revision", head_revision(), "") in catalogs[0], "not migrated to the newest"
    return script


def backend_settings(backend: str, folder: Path, stack: contextlib.ExitStack):
    """Settings for an empty store at the newest migration: SQLite in `folder`, or PostgreSQL in a
    temporary schema."""
    import shutil

    from caunoi.config import Settings

    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_sqlite(), folder / "caunoi.db")
        return Settings(data_dir=folder)
    _postgres_or_skip()
    if "migrated" not in _PREPARED:
        _PREPARED["migrated"] = _PreparedSchemas(_migration_script())
    schema = _PREPARED["migrated"].take()
    stack.callback(_PREPARED["migrated"].drop, schema)
    return Settings(data_dir=folder, database_url=_schema_url(schema))


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def settings(request, tmp_path_factory):
    """Settings for an empty store on each backend (its folder apart from the test's tmp_path)."""
    with contextlib.ExitStack() as stack:
        yield backend_settings(request.param, tmp_path_factory.mktemp("store"), stack)


@pytest.fixture
def service(settings):
    from caunoi.service import Service

    with Service(settings) as svc:
        yield svc


# -- passwords ------------------------------------------------------------------------------------

CHEAP = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}  # argon2id's smallest sane parameters
_REAL_HASHES: dict[str, object] = {}


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2id with small parameters in every test: with the library's own, a hash or a check costs
    a tenth of a second, and the suite hashes and checks a thousand passwords to log people in, which
    is not what those tests test. The tests of the parameters ask for `real_password_hashes`."""
    from argon2 import PasswordHasher

    from caunoi import users

    cheap = PasswordHasher(**CHEAP)
    dummy = cheap.hash("dummy")
    _REAL_HASHES.update(_hasher=users._hasher, _dummy_hash=users._dummy_hash)
    with (
        mock.patch.object(users, "_hasher", lambda: cheap),
        mock.patch.object(users, "_dummy_hash", lambda: dummy),
    ):
        yield


@pytest.fixture
def real_password_hashes(monkeypatch) -> None:
    """Passwords hashed with the library's recommended parameters, as caunoi does outside the tests."""
    from caunoi import users

    for name, real in _REAL_HASHES.items():
        monkeypatch.setattr(users, name, real)


DEMO = REPO / "demo" / "data"


@dataclasses.dataclass(frozen=True)
class IngestedStore:
    settings: Settings
    summary: IngestSummary  # what its one ingest did


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder `build` fills once for the whole run: under pytest-xdist the first worker to ask
    builds it while the others wait on a lock, then all of them read it (xdist's recipe: the
    workers' temporary folders share a parent); without xdist, built on first use."""
    import fcntl
    import shutil

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed to build left
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> IngestedStore:
    """The demo corpus (demo/data/vi-news-unc/docs) ingested once a run into a SQLite store (an
    ingest of the whole corpus costs twenty seconds), for the tests that only read such a store: a
    copy of it for each process of the run."""
    import pickle

    from caunoi.config import Settings
    from caunoi.service import Service

    def build(folder: Path) -> None:
        with Service(Settings(data_dir=folder)) as service:
            summary = service.ingest([DEMO / "vi-news-unc" / "docs"])
        (folder / "summary.pickle").write_bytes(pickle.dumps(summary))

    built = built_once(tmp_path_factory, "demo-store", build)
    summary = pickle.loads((built / "summary.pickle").read_bytes())
    store = IngestedStore(Settings(data_dir=built), summary)
    return IngestedStore(copy_of(store, tmp_path_factory.mktemp("demo-store")), summary)


@pytest.fixture(scope="session")
def brief_day(tmp_path_factory) -> IngestedStore:
    """Nine real articles of 29 and 30 April 2021 (tests/support/corpus.py: HOANG_SA, INDIA,
    FOOTBALL) ingested once into a SQLite store, for the brief's tests."""
    from support.corpus import FOOTBALL, HOANG_SA, INDIA

    from caunoi.config import Settings
    from caunoi.service import Service

    settings = Settings(data_dir=tmp_path_factory.mktemp("brief-day"))
    files = [DEMO / "vi-news-unc" / "window" / f"{name}.txt" for name in (*HOANG_SA, *INDIA, *FOOTBALL)]
    with Service(settings) as service:
        summary = service.ingest(files)
    return IngestedStore(settings, summary)


def copy_of(store: IngestedStore, folder: Path) -> Settings:
    """Settings for a copy of a SQLite store in `folder`, for a test that writes to it (SQLite's
    backup: the copy is whole even while the store is open)."""
    import sqlite3

    folder.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(store.settings.data_dir / "caunoi.db")
    target = sqlite3.connect(folder / "caunoi.db")
    with contextlib.closing(source), contextlib.closing(target):
        source.backup(target)
    return dataclasses.replace(store.settings, data_dir=folder)
