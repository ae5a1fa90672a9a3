"""caunoi.backup: a store backed up and restored into a fresh one holds the same rows and answers
the same searches, on both backends; a backup is one moment of a store others write to; a damaged
archive, a newer schema and a store that holds data are refused, and no half archive is left."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import json
import sqlite3
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import BACKENDS, DEMO, PG_URL, backend_settings, copy_of
from sqlalchemy import create_engine, select, text
from support.cli import caunoi
from support.corpus import HOANG_SA

from caunoi import backup as backups
from caunoi.backup import BackupRefused, backup, restore
from caunoi.config import Settings
from caunoi.ingest.sources import make_spec
from caunoi.service import Service
from caunoi.store import backup as store_backup
from caunoi.store.backup import BackupError, OverwriteRefused
from caunoi.store.database import MIGRATIONS, create_store_engine, head_revision
from caunoi.store.schema import metadata

ARTICLES = [DEMO / "vi-news-unc" / "window" / f"{name}.txt" for name in HOANG_SA]


@pytest.fixture
def source(request, brief_day, tmp_path_factory) -> Settings:
    """A store of each backend with real articles and a user: on SQLite a copy of the nine articles
    of `brief_day` (ingested once a run), on PostgreSQL the two on Hoàng Sa ingested."""
    if request.param == "sqlite":
        settings = copy_of(brief_day, tmp_path_factory.mktemp("source"))
    else:
        stack = contextlib.ExitStack()
        request.addfinalizer(stack.close)
        settings = backend_settings("postgresql", tmp_path_factory.mktemp("source"), stack)
    with Service(settings) as service:
        if request.param != "sqlite":
            service.ingest(ARTICLES)
        service.users.add_user("lan", "mật khẩu đủ dài", "analyst", by="admin", display_name="Nguyễn Thị Lan")
    return settings


def rows_of(settings: Settings) -> dict[str, list[tuple]]:
    """Every row of every table of the store, in primary-key order."""
    engine = create_store_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_store_like(source: Settings, folder: Path) -> Iterator[tuple[Settings, Settings]]:
    """Settings of a new, empty store of the backend of `source`, and of `source` meanwhile. On
    PostgreSQL the new store is a schema of the same database and the source's schema is renamed
    aside meanwhile: a dump names its schema, which must be free where it is restored (a second
    database would do too, but dropping one costs PostgreSQL a checkpoint: seconds)."""
    if not source.database_url:
        yield Settings(data_dir=folder), source
        return
    with contextlib.ExitStack() as stack:
        fresh = backend_settings("postgresql", folder, stack)
        schema = source.database_url.rsplit("search_path%3D", 1)[1]
        engine = create_engine(source.database_url)
        stack.callback(engine.dispose)
        with engine.begin() as conn:
            conn.execute(text(f"ALTER SCHEMA {schema} RENAME TO {schema}_aside"))
        stack.callback(_renamed, engine, f"{schema}_aside", schema)
        yield fresh, dataclasses.replace(source, database_url=f"{source.database_url}_aside")


def _renamed(engine, schema: str, to: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"ALTER SCHEMA {schema} RENAME TO {to}"))


@pytest.mark.parametrize("source", BACKENDS, indirect=True)
def test_a_store_restored_from_its_backup_holds_the_same_rows_and_answers_the_same_search(source, tmp_path):
    settings = source
    articles = len(rows_of(settings)["articles"])
    archive = tmp_path / "store.tar.gz"
    wrote = caunoi(settings, "backup", str(archive))
    assert f"{articles} articles" in wrote.stdout and archive.is_file()
    assert archive.stat().st_mode & 0o077 == 0  # as secret as the store: users, sessions, tokens
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["manifest.json", backups.DATABASE[backups.backend_of(settings)]]
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["schema_revision"] == head_revision() and manifest["tables"]["articles"] == articles
    assert manifest["created_at"].endswith("Z") and len(manifest["members"]) == 1

    with fresh_store_like(settings, tmp_path / "restored") as (fresh, settings):
        done = caunoi(fresh, "restore", str(archive))
        assert f"{articles} articles" in done.stdout
        assert rows_of(fresh) == rows_of(settings)
        search = ("search", "Hoàng Sa", "--json")
        assert caunoi(fresh, *search).stdout == caunoi(settings, *search).stdout
        assert json.loads(caunoi(fresh, *search).stdout)  # it found something
        assert json.loads(caunoi(fresh, "stats", "--json").stdout)["articles"] == articles

        again = caunoi(fresh, "restore", str(archive), check=False)
        assert again.returncode == 2 and "holds data" in again.stderr and "--force" in again.stderr


def test_a_sqlite_backup_is_the_store_of_one_moment_while_another_connection_writes(
    brief_day, tmp_path, monkeypatch
):
    """The copy is stepped (a progress bar), and a write between two steps is not in it: it is the
    store of the moment it began, whole."""
    settings = copy_of(brief_day, tmp_path / "store")
    before = rows_of(settings)
    monkeypatch.setattr(store_backup, "STEP_PAGES", 16)
    writer = sqlite3.connect(settings.data_dir / "caunoi.db", isolation_level=None)
    written = []

    def write_meanwhile(step: str, done: int, total: int) -> None:
        if step == "copy" and done < total:
            writer.execute(
                "INSERT INTO audit_log (at, actor, entity, entity_id, action, changes)"
                " VALUES (?, 'watcher', 'article', '1', 'tagged', '{}')",
                (datetime.now().isoformat(),),
            )
            written.append(done)

    with contextlib.closing(writer):
        made = backup(settings, tmp_path / "store.tar", write_meanwhile)
    assert len(written) > 3 and made.manifest.tables == {name: len(rows) for name, rows in before.items()}
    restore(Settings(data_dir=tmp_path / "restored"), tmp_path / "store.tar")
    assert rows_of(Settings(data_dir=tmp_path / "restored")) == before
    assert len(rows_of(settings)["audit_log"]) == len(before["audit_log"]) + len(written)


@pytest.mark.postgres
def test_a_postgresql_backup_counts_the_rows_of_the_snapshot_it_dumps_while_another_connection_writes(
    tmp_path,
):
    with contextlib.ExitStack() as stack:
        settings = backend_settings("postgresql", tmp_path / "store", stack)
        stop, written = threading.Event(), threading.Semaphore(0)

        def write_meanwhile() -> None:
            engine = create_engine(settings.database_url)
            while not stop.is_set():
                with engine.begin() as conn:
                    conn.execute(
                        text(
                            "INSERT INTO audit_log (at, actor, entity, entity_id, action, changes)"
                            " VALUES (now(), 'watcher', 'article', '1', 'tagged', '{}')"
                        )
                    )
                written.release()
            engine.dispose()

        writer = threading.Thread(target=write_meanwhile)
        writer.start()
        try:
            assert written.acquire(timeout=10)  # a row before the backup
            made = backup(settings, tmp_path / "store.tar")
            assert written.acquire(timeout=10)  # and one after it
        finally:
            stop.set()
            writer.join()
        with create_engine(settings.database_url).connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        with tarfile.open(tmp_path / "store.tar") as tar:
            tar.extract("caunoi.pgdump", tmp_path)
        dumped = subprocess.run(
            ["pg_restore", "--data-only", "--table=audit_log", "--file=-", str(tmp_path / "caunoi.pgdump")],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        rows = dumped.split(" FROM stdin;\n", 1)[1].split("\n\\.\n", 1)[0].splitlines()
        assert 0 < len(rows) == made.manifest.tables["audit_log"] < stored


def _rewritten(archive: Path, target: Path, **manifest_changes) -> Path:
    """A copy of `archive` with its manifest changed."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                data = json.dumps({**json.loads(data), **manifest_changes}).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


@pytest.fixture(scope="module")
def small_backup(brief_day, tmp_path_factory) -> Path:
    """An archive of the nine articles of `brief_day`."""
    folder = tmp_path_factory.mktemp("small-backup")
    return Path(backup(brief_day.settings, folder / "store.tar").path)


def test_a_damaged_archive_is_refused_and_the_store_left_as_it_was(small_backup, tmp_path):
    fresh = Settings(data_dir=tmp_path / "fresh")
    damaged = tmp_path / "damaged.tar"
    data = bytearray(small_backup.read_bytes())
    data[len(data) // 2] ^= 0xFF  # a bit flipped in the middle of the database
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupRefused) as refused:
        restore(fresh, damaged)
    assert refused.value.code == "restore_corrupt" and "damaged" in str(refused.value)
    assert not (fresh.data_dir / "caunoi.db").exists()
    assert [p.name for p in fresh.data_dir.iterdir()] == ["caunoi.db.watch.lock"]  # nor any unpacked file

    cut = tmp_path / "cut.tar.gz"
    with tarfile.open(small_backup) as tar, tarfile.open(cut, "w:gz") as gz:
        for member in tar:
            gz.addfile(member, tar.extractfile(member))
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])  # an archive copied halfway
    proc = caunoi(fresh, "restore", str(cut), check=False)
    assert proc.returncode == 2 and "is not a caunoi backup that can be read" in proc.stderr
    (tmp_path / "notes.txt").write_text("not an archive")
    with pytest.raises(BackupRefused, match="not a caunoi backup"):
        restore(fresh, tmp_path / "notes.txt")


def test_a_backup_of_a_newer_schema_is_refused_and_one_of_another_backend_too(small_backup, tmp_path):
    newer = _rewritten(small_backup, tmp_path / "newer.tar", schema_revision="9999", caunoi_version="9.0")
    with pytest.raises(BackupRefused) as refused:
        restore(Settings(data_dir=tmp_path / "fresh"), newer)
    assert refused.value.code == "restore_newer_revision" and "caunoi 9.0 or newer" in str(refused.value)
    with pytest.raises(BackupRefused) as refused:
        restore(Settings(data_dir=tmp_path / "fresh", database_url=PG_URL), small_backup)
    assert refused.value.code == "restore_other_backend"


def test_a_backup_of_an_older_schema_is_restored_then_migrated_forward(tmp_path):
    from alembic import command
    from alembic.config import Config

    old = Settings(data_dir=tmp_path / "old")
    engine = create_store_engine(old.sqlalchemy_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
        conn.execute(
            text("INSERT INTO saved_searches (name, request, created_at) VALUES ('Biển Đông', :r, :at)"),
            {"r": json.dumps({"query": "Hoàng Sa"}), "at": datetime(2026, 12, 1)},
        )
    engine.dispose()
    made = backup(old, tmp_path / "old.tar")
    assert made.manifest.schema_revision == "0006"  # backed up as it is, not migrated first
    restored = restore(Settings(data_dir=tmp_path / "new"), tmp_path / "old.tar")
    assert restored.revision == head_revision()
    assert [row[1] for row in rows_of(Settings(data_dir=tmp_path / "new"))["saved_searches"]] == ["Biển Đông"]


def test_a_backup_that_cannot_be_written_leaves_no_archive_under_its_name(brief_day, tmp_path, monkeypatch):
    settings = brief_day.settings
    path = tmp_path / "out" / "store.tar.gz"
    path.parent.mkdir()

    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tarfile.TarFile, "addfile", disk_full)
    with pytest.raises(BackupRefused) as refused:
        backup(settings, path)
    assert refused.value.code == "backup_write_failed" and "No space left" in str(refused.value)
    assert list(path.parent.iterdir()) == []
    monkeypatch.undo()
    said = json.loads(caunoi(settings, "backup", str(path), "--json").stdout)
    assert said["path"] == str(path) and said["manifest"]["tables"]["articles"] == 9
    with pytest.raises(OverwriteRefused):
        backup(settings, path)  # an archive is never overwritten


def test_a_restore_over_a_store_that_holds_data_needs_force(small_backup, tmp_path):
    settings = Settings(data_dir=tmp_path / "store")
    with Service(settings) as service:
        service.users.add_user("hai", "một mật khẩu khác", "viewer", by="admin")
    with pytest.raises(OverwriteRefused) as refused:
        restore(settings, small_backup)
    assert refused.value.code == "restore_store_not_empty" and "--force" in str(refused.value)
    assert [row[1] for row in rows_of(settings)["users"]] == ["hai"]
    restore(settings, small_backup, force=True)
    assert len(rows_of(settings)["articles"]) == 9 and rows_of(settings)["users"] == []


@pytest.mark.parametrize("source", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_postgresql_restore_with_force_replaces_a_schema_that_holds_data(source, tmp_path):
    settings = source  # a schema of this test's own (conftest's backend_settings), dropped after it
    archive = tmp_path / "store.tar.gz"
    caunoi(settings, "backup", str(archive))
    backed_up = rows_of(settings)
    with Service(settings) as service:  # the store moves on: a user and a source added
        service.users.add_user("hai", "một mật khẩu khác", "viewer", by="admin")
        service.sources.add(make_spec({"name": "Báo Mới", "home": "https://baomoi.example.vn/",
                                       "feeds": ["/rss"]}), by="admin")  # fmt: skip
    changed = rows_of(settings)
    assert changed != backed_up and len(changed["users"]) == len(backed_up["users"]) + 1

    refused = caunoi(settings, "restore", str(archive), check=False)
    assert refused.returncode == 2 and "holds data" in refused.stderr and "--force" in refused.stderr
    assert rows_of(settings) == changed  # refused: nothing touched

    done = caunoi(settings, "restore", str(archive), "--force")
    assert f"{len(backed_up['articles'])} articles" in done.stdout
    assert rows_of(settings) == backed_up  # the schema's tables dropped and the backup's put back
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            listed = text("SELECT tablename FROM pg_tables WHERE schemaname = :s")
            tables = set(conn.execute(listed, {"s": schema}).scalars())
    finally:
        engine.dispose()
    assert {t.name for t in metadata.sorted_tables} <= tables and "alembic_version" in tables
    search = json.loads(caunoi(settings, "search", "Hoàng Sa", "--json").stdout)
    assert search  # the restored store answers


@pytest.mark.postgres
def test_pg_dump_missing_or_older_than_the_server_is_said_plainly(tmp_path, monkeypatch):
    with contextlib.ExitStack() as stack:
        from conftest import backend_settings

        settings = backend_settings("postgresql", tmp_path / "store", stack)
        tools = tmp_path / "bin"
        tools.mkdir()
        monkeypatch.setenv("PATH", str(tools))
        with pytest.raises(BackupError) as refused:
            backup(settings, tmp_path / "a.tar")
        assert refused.value.code == "backup_tool_missing" and "postgresql-client-" in str(refused.value)
        old = tools / "pg_dump"
        old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        old.chmod(0o755)
        with pytest.raises(BackupError) as refused:
            backup(settings, tmp_path / "a.tar")
        assert refused.value.code == "backup_tool_too_old" and "9.6" in str(refused.value)
        assert not (tmp_path / "a.tar").exists()
