"""Backups: `caunoi backup` writes the whole store, as it is at one moment, into one archive file;
`caunoi restore` puts an archive back into an empty store and migrates it to this version.

The archive is a tar file (gzip-compressed when its name ends in .gz or .tgz) of two members:
`manifest.json` first — the format, caunoi's version, the backend, the schema revision (Alembic's),
the rows of each table, each member's size and SHA-256, when it was made (UTC) — then the database:
`caunoi.db` (SQLite, a copy by the online backup API) or `caunoi.pgdump` (pg_dump's custom format).
Everything caunoi keeps is in the database — raw pages, attached files, report drafts and sent
briefs, users with their password hashes, sessions and API tokens — so the archive is as secret as
the database; the settings (the TOML file, CAUNOI_* variables, the SMTP password) are not in it.

An archive is written under a temporary name beside its own, synced, then renamed: a full disk or
an interrupted run leaves no half archive under the final name. A restore checks the manifest and
the checksums before it touches the store, refuses a store that holds data unless forced, and
refuses an archive of a newer schema than this caunoi knows (an older one is migrated forward).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from caunoi import __version__
from caunoi.config import Settings
from caunoi.errors import Invalid, NotFound
from caunoi.store import search_index
from caunoi.store.backup import (
    OverwriteRefused,
    check_empty,
    copy_sqlite,
    dump_postgres,
    restore_postgres,
    scratch_folder,
    sqlite_file_counts,
    sqlite_path,
    table_counts,
)
from caunoi.store.database import (
    create_store_engine,
    head_revision,
    migrate,
    revisions,
    stored_revision,
    watch_lock,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

FORMAT = "caunoi-backup/1"
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "caunoi.db", "postgresql": "caunoi.pgdump"}  # the member of each backend
CHUNK = 1 << 20
Steps = Callable[
    [str, int, int], None
]  # a step's name ("copy", "dump", "write", …), done, total (0: unknown)


class BackupRefused(Invalid):
    """An archive cannot be written or restored; the message says why and what to do."""


class ArchiveNotFound(NotFound):
    """No archive at the path given."""


class StoreNotFound(NotFound):
    """No store to back up."""


@dataclass(frozen=True)
class Manifest:
    """What an archive holds, as manifest.json says it."""

    backend: str
    schema_revision: str
    tables: dict[str, int]
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → {"bytes", "sha256"}
    created_at: str = ""  # ISO 8601, UTC
    caunoi_version: str = __version__
    postgresql: dict[str, str] = field(default_factory=dict)  # schema, server_version, pg_dump_version
    format: str = FORMAT

    def as_json(self) -> bytes:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, indent=2, sort_keys=True).encode()

    @classmethod
    def read(cls, raw: bytes, archive: Path) -> Manifest:
        try:
            found = json.loads(raw)
            if found.get("format") != FORMAT:
                raise ValueError(f"format {found.get('format')!r}")
            names = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: v for k, v in found.items() if k in names})
        except (ValueError, TypeError, AttributeError) as exc:
            raise unreadable(archive, f"its manifest cannot be read ({exc})") from exc


@dataclass(frozen=True)
class BackupReport:
    path: str
    bytes: int
    manifest: Manifest


@dataclass(frozen=True)
class RestoreReport:
    path: str
    manifest: Manifest
    revision: str  # the store's, after migrating
    warnings: list[str]


def backend_of(settings: Settings) -> str:
    return "postgresql" if settings.database_url.startswith("postgresql") else "sqlite"


def default_name(now: datetime | None = None) -> Path:
    """caunoi-backup-20261207T091500Z.tar.gz, in the current folder."""
    return Path(f"caunoi-backup-{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}.tar.gz")


def backup(settings: Settings, path: Path, steps: Steps | None = None) -> BackupReport:
    """Write the store of `settings` into a new archive at `path`."""
    steps = steps or _no_steps
    if path.exists():
        raise OverwriteRefused(
            "backup_exists", "{path} already exists: give another name, or move it away first", path=str(path)
        )
    backend = backend_of(settings)
    engine = create_store_engine(settings.sqlalchemy_url)  # not migrated: the store as it is
    try:
        with scratch_folder(path.absolute().parent) as scratch:
            database = scratch / DATABASE[backend]
            extra: dict[str, str] = {}
            if backend == "sqlite":
                source = sqlite_path(engine)
                if not source.is_file():
                    raise StoreNotFound("backup_no_store", "there is no store at {path}", path=str(source))
                counts, revision = copy_sqlite(
                    source, database, lambda done, total: steps("copy", done, total)
                )
            else:
                steps("dump", 0, 0)
                dump = dump_postgres(engine, database)
                counts, revision = dump.counts, dump.revision
                extra = {"schema": dump.schema, "server_version": dump.server_version,
                         "pg_dump_version": dump.pg_dump_version}  # fmt: skip
            if revision is None:
                raise StoreNotFound(
                    "backup_no_store", "there is no store at {path}", path=engine.url.render_as_string()
                )
            manifest = Manifest(
                backend=backend,
                schema_revision=revision,
                tables=counts,
                members={database.name: _describe(database, steps)},
                created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                postgresql=extra,
            )
            _write_archive(path, manifest, database, steps)
    finally:
        engine.dispose()
    return BackupReport(str(path), path.stat().st_size, manifest)


def restore(
    settings: Settings, path: Path, *, force: bool = False, steps: Steps | None = None
) -> RestoreReport:
    """Put the archive at `path` back into the store of `settings`, which must hold no data unless
    `force`, then migrate it to this version's schema."""
    steps = steps or _no_steps
    if not path.is_file():
        raise ArchiveNotFound("restore_no_archive", "there is no archive at {path}", path=str(path))
    backend = backend_of(settings)
    near = settings.data_dir if backend == "sqlite" else Path(tempfile.gettempdir())
    engine = create_store_engine(settings.sqlalchemy_url)
    try:
        with scratch_folder(near) as scratch, watch_lock(engine):  # no watcher writes meanwhile
            check_empty(engine, force=force)  # before the long unpacking, and again at the end
            with _reading(path) as tar:
                manifest = _check_manifest(tar, path, backend)
                database = _extract(tar, path, manifest, DATABASE[backend], scratch, steps)
            check_empty(engine, force=force)
            warnings = _put_back(engine, path, manifest, database, steps)
            with engine.connect() as conn:
                counts = table_counts(conn)
            if counts != manifest.tables:
                raise BackupRefused(
                    "restore_counts_differ",
                    "the restored store does not hold the rows {path} lists ({tables}): restore again",
                    path=str(path), tables=", ".join(_differences(manifest.tables, counts)),
                )  # fmt: skip
            steps("migrate", 0, 0)
            migrate(engine)
            with engine.begin() as conn:  # an index built before matches the store no longer
                if search_index.stale_after_restore(conn):
                    warnings.append(
                        "the search index is off until it is built again: caunoi search-index build"
                    )
            revision = stored_revision(engine) or manifest.schema_revision
    finally:
        engine.dispose()
    return RestoreReport(str(path), manifest, revision, warnings)


def _put_back(engine: Engine, path: Path, manifest: Manifest, database: Path, steps: Steps) -> list[str]:
    """The extracted `database` put into the store; the warnings of what was left out."""
    if engine.dialect.name == "postgresql":
        steps("restore", 0, 0)
        return restore_postgres(engine, database, manifest.postgresql.get("schema", "public"))
    if sqlite_file_counts(database) != manifest.tables:
        raise damaged(path, database.name)
    copy_sqlite(database, sqlite_path(engine), lambda done, total: steps("restore", done, total))
    return []


def _differences(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    return [
        f"{name}: {found.get(name, 0)} of {count}"
        for name, count in sorted(expected.items())
        if found.get(name, 0) != count
    ]


def _no_steps(_name: str, _done: int, _total: int) -> None:
    pass


def unreadable(path: Path, reason: str) -> BackupRefused:
    return BackupRefused(
        "restore_unreadable",
        "{path} is not a caunoi backup that can be read: {reason}",
        path=str(path),
        reason=reason,
    )


def damaged(path: Path, member: str) -> BackupRefused:
    return BackupRefused(
        "restore_corrupt",
        "{path} is damaged: {member} does not match the checksum its manifest gives; nothing was restored",
        path=str(path), member=member,
    )  # fmt: skip


def _describe(member: Path, steps: Steps) -> dict[str, Any]:
    """A member's size and SHA-256, as the manifest keeps them."""
    digest, size = hashlib.sha256(), member.stat().st_size
    with open(member, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            steps("checksum", handle.tell(), size)
    return {"bytes": size, "sha256": digest.hexdigest()}


def _write_archive(path: Path, manifest: Manifest, database: Path, steps: Steps) -> None:
    """The archive at `path`, written under a temporary name, synced to disk, then renamed: never
    half an archive under `path`."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    compressed = path.name.endswith((".gz", ".tgz"))
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # as secret as the store
        with os.fdopen(fd, "wb") as raw:
            options: dict[str, Any] = (
                {"compresslevel": 1} if compressed else {}
            )  # 3× faster than 6, 12% larger
            with tarfile.open(fileobj=raw, mode="w:gz" if compressed else "w", **options) as tar:
                _add(tar, MANIFEST, io.BytesIO(manifest.as_json()), len(manifest.as_json()))
                size = database.stat().st_size
                with open(database, "rb") as handle:
                    _add(tar, database.name, _Counted(handle, lambda done: steps("write", done, size)), size)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
        _sync_folder(path.absolute().parent)
    except OSError as exc:
        raise BackupRefused(
            "backup_write_failed", "writing {path} failed: {reason}; no archive was left under that name",
            path=str(path), reason=exc.strerror or str(exc),
        ) from exc  # fmt: skip
    finally:
        partial.unlink(missing_ok=True)


def _add(tar: tarfile.TarFile, name: str, data: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
    tar.addfile(info, data)


class _Counted(io.RawIOBase):
    """A file read through, saying how much was read."""

    def __init__(self, handle: IO[bytes], said: Callable[[int], None]):
        self.handle, self.said = handle, said

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.said(self.handle.tell())
        return chunk


def _sync_folder(folder: Path) -> None:
    """The rename made durable (a folder's entries are synced by syncing the folder)."""
    with contextlib.suppress(OSError):  # some filesystems cannot open a folder to sync it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(path, mode="r:*") as tar:
            yield tar
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise unreadable(path, str(exc) or type(exc).__name__) from exc


def _check_manifest(tar: tarfile.TarFile, path: Path, backend: str) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise unreadable(path, f"it does not start with {MANIFEST}")
    manifest = Manifest.read(tar.extractfile(first).read(), path)  # type: ignore[union-attr]
    if manifest.backend != backend:
        raise BackupRefused(
            "restore_other_backend",
            "{path} is a backup of a {found} store and this store is {backend}: restore it into a "
            "{found} store (CAUNOI_DATABASE_URL)",
            path=str(path), found=manifest.backend, backend=backend,
        )  # fmt: skip
    revision, head = manifest.schema_revision, head_revision()
    if revision > head:
        raise BackupRefused(
            "restore_newer_revision",
            "{path} is of schema revision {revision}, newer than this caunoi knows ({head}): "
            "restore it with caunoi {version} or newer",
            path=str(path), revision=revision, head=head, version=manifest.caunoi_version,
        )  # fmt: skip
    if revision not in revisions():
        raise BackupRefused(
            "restore_unknown_revision",
            "{path} is of schema revision {revision}, which this caunoi does not know: restore it with "
            "the caunoi that made it ({version})",
            path=str(path), revision=revision, version=manifest.caunoi_version,
        )  # fmt: skip
    return manifest


def _extract(
    tar: tarfile.TarFile, path: Path, manifest: Manifest, name: str, scratch: Path, steps: Steps
) -> Path:
    """Member `name` written into `scratch`, its size and checksum checked against the manifest."""
    expected = manifest.members.get(name)
    if expected is None:
        raise unreadable(path, f"its manifest lists no {name}")
    for member in tar:
        if member.name != name or not member.isfile():
            continue
        target, digest, done = scratch / name, hashlib.sha256(), 0
        source = tar.extractfile(member)
        with open(target, "wb") as out:
            for chunk in iter(functools.partial(source.read, CHUNK), b""):  # type: ignore[union-attr]
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:  # not the archive's fault: a full disk, say
                    raise BackupRefused(
                        "restore_write_failed", "unpacking {path} into {folder} failed: {reason}",
                        path=str(path), folder=str(scratch.parent), reason=exc.strerror or str(exc),
                    ) from exc  # fmt: skip
                done += len(chunk)
                steps("extract", done, expected["bytes"])
        if done != expected["bytes"] or digest.hexdigest() != expected["sha256"]:
            raise damaged(path, name)
        return target
    raise unreadable(path, f"it holds no {name}")
