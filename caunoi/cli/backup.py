"""`caunoi backup` and `caunoi restore`: the whole store into one archive file, and back."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn

from caunoi.cli.common import AsJson, console, err, refusals, said, settings_or_fail

STEPS = {
    "copy": "copying the store",
    "dump": "pg_dump",
    "checksum": "checksumming",
    "write": "writing the archive",
    "extract": "unpacking",
    "restore": "restoring",
    "migrate": "migrating",
}


@contextlib.contextmanager
def steps_shown(quiet: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar per step on stderr (on a terminal, not with --json); yields the callback that
    caunoi.backup reports its steps to."""
    bars = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=err, disable=quiet or not err.is_terminal,
    )  # fmt: skip
    tasks: dict[str, TaskID] = {}

    def step(name: str, done: int, total: int) -> None:
        if name not in tasks:
            for other in tasks.values():  # a step begins when the one before it is over
                bars.update(other, completed=bars.tasks[other].total or 1, total=bars.tasks[other].total or 1)
            tasks[name] = bars.add_task(STEPS.get(name, name), total=total or None)
        bars.update(tasks[name], completed=done, total=total or None)

    with bars:
        yield step


def backup(
    path: Annotated[
        Path | None, typer.Argument(help="The archive to write (.tar.gz, or .tar uncompressed).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Back up the whole store into one archive: a copy of the database at one moment (the server
    and the watcher may go on writing) and a manifest of its counts and checksums."""
    from caunoi.backup import backup as write_backup
    from caunoi.backup import default_name

    settings = settings_or_fail()
    path = path or default_name()
    with refusals(), steps_shown(as_json) as step:
        report = write_backup(settings, path, step)
    manifest = report.manifest
    said(
        report,
        as_json,
        f"wrote {escape(report.path)} ({_size(report.bytes)}): {manifest.tables.get('articles', 0)} "
        f"articles, {sum(manifest.tables.values())} rows in {len(manifest.tables)} tables, "
        f"{manifest.backend} store at schema revision {manifest.schema_revision}",
        highlight=False,
    )


def restore(
    path: Annotated[Path, typer.Argument(help="An archive that `caunoi backup` wrote.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that holds data (everything in it is lost).")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Restore a backup into the configured store, which must be empty (or --force), then migrate it
    to this version. The archive's checksums and schema revision are checked first."""
    from caunoi.backup import restore as read_backup

    settings = settings_or_fail()
    with refusals(), steps_shown(as_json) as step:
        report = read_backup(settings, path, force=force, steps=step)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    manifest = report.manifest
    moved = f", migrated to {report.revision}" if report.revision != manifest.schema_revision else ""
    said(
        report,
        as_json,
        f"restored {escape(str(path))} (made {manifest.created_at} by caunoi {manifest.caunoi_version}): "
        f"{manifest.tables.get('articles', 0)} articles, {sum(manifest.tables.values())} rows, schema "
        f"revision {manifest.schema_revision}{moved}",
        highlight=False,
    )
    if not as_json:
        console.print("check it with `caunoi stats` and a search", style="dim", highlight=False)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"
