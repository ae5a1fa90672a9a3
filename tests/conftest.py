"""Shared fixtures: where the third-party corpora live (skipping when they do not), the two storage
backends every store test runs against, and the demo corpus ingested once."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

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


# -- the two storage backends every store test runs against ---------------------------------

PG_URL = os.environ.get("CAUNOI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")


def _postgres_or_skip() -> None:
    import psycopg

    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable ({exc}); set CAUNOI_TEST_PG_URL")


@contextlib.contextmanager
def temporary_pg_schema():
    """A URL whose connections live in a fresh schema, dropped afterwards."""
    import uuid

    import psycopg

    _postgres_or_skip()
    schema = f"caunoi_test_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def backend_settings(backend: str, folder: Path, stack: contextlib.ExitStack):
    """Settings for an empty store: SQLite in `folder`, or PostgreSQL in a temporary schema."""
    from caunoi.config import Settings

    if backend == "sqlite":
        return Settings(data_dir=folder)
    return Settings(data_dir=folder, database_url=stack.enter_context(temporary_pg_schema()))


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


DEMO = REPO / "demo" / "data"


@dataclasses.dataclass(frozen=True)
class IngestedStore:
    settings: Settings
    summary: IngestSummary  # what its one ingest did


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> IngestedStore:
    """The demo corpus (demo/data/vi-news-unc/docs) ingested once into a SQLite store, for the tests
    that only read such a store: an ingest of the whole corpus costs twenty seconds."""
    from caunoi.config import Settings
    from caunoi.service import Service

    settings = Settings(data_dir=tmp_path_factory.mktemp("demo-store"))
    with Service(settings) as service:
        summary = service.ingest([DEMO / "vi-news-unc" / "docs"])
    return IngestedStore(settings, summary)


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
