"""The `caunoi` command for tests, on the store of a test's settings (CAUNOI_DATA, CAUNOI_DATABASE_URL)
with tables 200 columns wide.

`caunoi()` runs it in this process as a new `python -m caunoi` would run it — same standard output,
standard error and exit code, an uncaught exception's traceback on stderr and exit code 1 — without
paying a second of imports a call; `caunoi_process()` runs the real process, for the tests where the
process is what is tested (its entry point, its exit status, what it prints before any command runs).
`cli()` is the in-process run for the tests that read the runner's result (stdout and stderr mixed in
`.output`) and give standard input."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from typing import Any
from unittest import mock

import click
import typer
import typer.testing
from typer.testing import CliRunner, Result

from caunoi.config import Settings


def command_env(settings: Settings, env: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The variables the command gets on top of this process's environment (None: unset)."""
    return {
        "CAUNOI_DATA": str(settings.data_dir),
        "COLUMNS": "200",
        **(env or {}),
        "CAUNOI_DATABASE_URL": settings.database_url or None,
    }


def caunoi_process(
    settings: Settings, *args: str, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m caunoi ARGS` in a new process (a second of imports a call)."""
    merged = {**os.environ, **command_env(settings, env)}
    proc = subprocess.run(
        [sys.executable, "-m", "caunoi", *args],
        env={k: v for k, v in merged.items() if v is not None},
        capture_output=True,
        text=True,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def caunoi(
    settings: Settings, *args: str, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`caunoi ARGS` in this process, answered as `caunoi_process` answers it."""
    result = _run(settings, args, env=env)
    stderr = result.stderr + _traceback(result)
    proc = subprocess.CompletedProcess(["caunoi", *args], result.exit_code, result.stdout, stderr)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def cli(settings: Settings, *args: str, input: str | None = None, code: int = 0) -> Result:
    """`caunoi ARGS` in this process with `input` on standard input; it must exit with `code`."""
    result = _run(settings, args, input=input)
    assert result.exit_code == code, result.output + _traceback(result)
    return result


def _run(
    settings: Settings, args: tuple[str, ...], input: str | None = None, env: Mapping[str, str] | None = None
) -> Result:
    from caunoi.cli import app

    # the click command Typer builds from the app, built once: Typer's runner rebuilds it at every
    # call (a fifth of a second with every command group registered)
    with mock.patch.object(typer.testing, "_get_command", _command):
        return _Runner().invoke(app, list(args), input=input, env=command_env(settings, env))


@functools.cache
def _command(app: typer.Typer) -> click.Command:
    return _build_command(app)


_build_command = typer.testing._get_command


def _traceback(result: Result) -> str:
    """An uncaught exception as the interpreter prints it on stderr (exit code 1), else ""."""
    if result.exc_info is None or isinstance(result.exc_info[1], SystemExit):
        return ""
    return "".join(traceback.format_exception(*result.exc_info))


class _Runner(CliRunner):
    """Typer's test runner, with what a new process would have built from its environment."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams, _as_in_a_new_process():
            yield streams


# What rich's Console reads from the environment and the terminal when it is built: the consoles of
# caunoi.cli.common are built once, when this process first imports them.
_CONSOLE_STATE = ("_width", "_height", "_color_system", "no_color", "is_interactive")


@contextlib.contextmanager
def _as_in_a_new_process() -> Iterator[None]:
    """Inside the runner's isolation (its environment and streams): caunoi's consoles as built now,
    and no logging handlers yet, so the command's logging.basicConfig writes to this stderr."""
    from rich.console import Console

    from caunoi.cli import common

    with contextlib.ExitStack() as stack:
        for console in (common.console, common.err):
            fresh = Console(stderr=console.stderr)
            state = {name: getattr(fresh, name) for name in _CONSOLE_STATE}
            stack.enter_context(mock.patch.multiple(console, **state))
        root = logging.getLogger()
        stack.enter_context(mock.patch.object(root, "handlers", []))
        stack.callback(root.setLevel, root.level)
        yield
