"""What every `caunoi` command shares: the consoles, one-line errors, who makes a change, opening the
store, JSON output or else a table or a line, progress bars, and the date options (--since, --at).
Nothing here imports the service or a domain module at import time: `caunoi --help` stays cheap."""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
from rich.table import Column, Table

from caunoi import timezones
from caunoi.errors import CaunoiError, NotFound, Unavailable
from caunoi.models import as_json, time_before

if TYPE_CHECKING:
    from caunoi.config import Settings
    from caunoi.service import Service

console = Console()
err = Console(stderr=True)

By = Annotated[
    str | None,
    typer.Option("--by", help="Who makes the change (default: $CAUNOI_USER, else your login name)."),
]
AsJson = Annotated[bool, typer.Option("--json")]
Row = TypeVar("Row")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `message` as one line on stderr and exit with `code` (2: refused, 1: not found); its
    brackets are its own ("caunoi[ray]"), not Rich's markup."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def actor(by: str | None = None) -> str:
    """Who makes a change from the command line: --by, else CAUNOI_USER, else the login name."""
    if by:
        return by
    if os.environ.get("CAUNOI_USER"):
        return os.environ["CAUNOI_USER"]
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        fail("say who you are: --by NAME, or set CAUNOI_USER")


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """A refusal (caunoi.errors) as a one-line error: exit code 1 for what does not exist, 2 for the rest."""
    try:
        yield
    except CaunoiError as exc:
        fail(str(exc), code=1 if exc.kind == NotFound.kind else 2)


@contextlib.contextmanager
def serving(part: str | None = None, **overrides: Any) -> Iterator[Any]:
    """The service over the configured store, or one of its parts ("cases", "users", …), with its
    refusals turned into one-line errors (1: not found, 2: refused)."""
    with open_service(**overrides) as service, refusals():
        yield getattr(service, part) if part else service


def settings_or_fail() -> Settings:
    """The settings (CAUNOI_* variables, CAUNOI_CONFIG), or a one-line error saying what is wrong."""
    from caunoi.config import load_settings

    try:
        return load_settings()
    except (ValueError, OSError) as exc:
        fail(f"bad settings: {exc}")


def open_service(**overrides: Any) -> Service:
    """The service over the configured store, or a one-line error saying why it cannot be opened."""
    from caunoi.service import Service

    settings = settings_or_fail()
    if overrides:
        settings = dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    _READER_ZONE.append(settings.timezone)
    try:
        return Service(settings)
    except Unavailable as exc:
        fail(str(exc))


def found(row: Row | None, what: str, row_id: int) -> Row:
    """`row`, or the one-line error (exit code 1) that there is no `what` with id `row_id`."""
    if row is None:
        fail(f"no {what} with id {row_id}", code=1)
    return row


def print_json(value: Any) -> None:
    """`value` (rows, records, or lists and dicts of them) as indented JSON on stdout, dates as ISO text."""
    sys.stdout.write(json.dumps(as_json(value), ensure_ascii=False, indent=2) + "\n")


def said(value: Any, as_json: bool, line: str, **options: Any) -> None:
    """What a command did: `value` as JSON with --json, else `line` on the console (`options` as
    console.print takes them)."""
    if as_json:
        print_json(value)
    else:
        console.print(line, **options)


def said_import(name: str, report: Any, as_json: bool) -> None:
    """What an import of file `name` did (a report with added, changed, unchanged, refused and written,
    as units and activities give): JSON with --json, else a line of counts on stdout and each refused
    row, its number in the file and why, on stderr."""
    if as_json:
        print_json(report)
        return
    console.print(
        f"{escape(name)}: {len(report.added)} added, {len(report.changed)} changed, {report.unchanged} "
        f"unchanged, {len(report.refused)} refused" + ("" if report.written else ": nothing written"),
        highlight=False,
    )
    for refused in report.refused:
        key = f" ({refused['key']})" if refused.get("key") else ""
        err.print(f"  row {refused['line']}{key}: {refused['reason']}", highlight=False, markup=False)


def show_rows(
    rows: Sequence[Row],
    columns: Sequence[str | Column],
    cells: Callable[[Row], Iterable[RenderableType]],
    *,
    as_json: bool = False,
    empty: str | None = None,
    **table: Any,
) -> None:
    """`rows` as JSON with --json; else a table of `columns` with the `cells` of each row, without
    borders unless `table` (rich Table's options: box, title, show_header, show_lines) says otherwise.
    With no rows, `empty` is said instead of the table, when there is one."""
    if as_json:
        print_json(rows)
        return
    if not rows and empty is not None:
        console.print(empty)
        return
    grid = Table(*columns, **{"box": None, **table})
    for row in rows:
        grid.add_row(*cells(row))
    console.print(grid)


def progress_bar(label: str, *more: ProgressColumn, quiet: bool) -> Progress:
    """A progress bar on stderr: `label` in bold, the bar, done of total, then `more`; only on a
    terminal, and never when `quiet` (with --json, say)."""
    return Progress(
        TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), *more, console=err,
        disable=quiet or not err.is_terminal,
    )  # fmt: skip


def when(value: datetime | None) -> str:
    """A time in a table: 2021-04-30 08:00, or — when there is none."""
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


_READER_ZONE: list[str] = []  # the setting `timezone` of this run, once open_service has read it


def moment(value: datetime | None) -> str:
    """A stored moment (a deadline, an alert, an audit entry: UTC) in the organisation's zone (the
    setting `timezone`, CAUNOI_TIMEZONE), named: 2026-11-25 10:18 (GMT+7, Hanoi); — when none.
    Articles' times are Hà Nội wall-clock: those take `when`."""
    if not value:
        return "—"
    if not _READER_ZONE:
        from caunoi.config import load_settings

        _READER_ZONE.append(load_settings().timezone)
    return timezones.shown(value, _READER_ZONE[-1], "en", pattern="%Y-%m-%d %H:%M")


def sparkline(counts: Sequence[int]) -> str:
    """Counts as a line of block characters, the highest the tallest: ▁▁▁▁▁▁▅█."""
    top = max(counts, default=0) or 1
    return "".join(_BLOCKS[round(n / top * (len(_BLOCKS) - 1))] for n in counts)


_BLOCKS = "▁▂▃▄▅▆▇█"
_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):  # a response
        return " ".join(str(value[k]) for k in ("kind", "title", "url") if value.get(k))
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, str) and _ISO_TIME.match(value):  # a moment (UTC), as the audit log keeps it
        return moment(datetime.fromisoformat(value))
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


def said_sent(sent: list[dict[str, Any]]) -> None:
    """The scheduled briefs and digests just mailed (caunoi.service.Service.send_due_briefs), a line each."""
    for one in sent:
        what = f"{'weekly digest' if one['kind'] == 'weekly' else 'daily brief'} of {when(one['due'])}"
        what += f" to {one['channel']}"
        if one["ok"]:
            console.print(f"{what} ({one['target']}): sent", highlight=False, markup=False)
        else:
            err.print(f"{what}: not sent: {one['error']}", highlight=False, markup=False)


def print_history(history: list[dict[str, Any]]) -> None:
    console.print("[bold]history[/]")
    for entry in history:
        changes = "; ".join(
            f"{field}: {shown(before)} → {shown(after)}" if before is not None else f"{field}: {shown(after)}"
            for field, (before, after) in entry["changes"].items()
        )
        console.print(
            f"  {moment(entry['at'])} {escape(entry['actor'])} [bold]{entry['action']}[/] {escape(changes)}",
            highlight=False,
        )


# -- cases ----------------------------------------------------------------------------------------


def parse_since(value: str | None, now: datetime) -> datetime | None:
    """ "24h", "7d", "2w" before `now`, or a date / date-time ("2021-04-25", "2021-04-25T08:00")."""
    if not value:
        return None
    try:
        return time_before(value, now)
    except ValueError:
        fail(f"--since {value!r}: give a span like 24h, 7d, 2w, or a date like 2021-04-25")


def parse_at(value: str | None) -> datetime:
    """--at: a date or date-time, or now on the articles' clock (Hà Nội wall-clock, whatever the
    server's zone: caunoi.timezones.article_clock)."""
    if not value:
        return timezones.article_clock()
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"--at {value!r}: give a date or date-time like 2021-04-30T08:00")
