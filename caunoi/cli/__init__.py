"""The `caunoi` command: a thin shell over caunoi.service.

Every command is registered here, in the order `caunoi --help` lists them; each lives in the module
named after its concept (`caunoi cases …` in cli/cases.py). Imports go one way: this package imports
its modules, they import cli.common, never this file.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from caunoi import __version__
from caunoi.cli import (
    alerts,
    attention,
    audit,
    backup,
    cases,
    evaluation,
    factsheets,
    ingest,
    integrity,
    outreach,
    reports,
    search,
    search_index,
    serve,
    sources,
    stories,
    units,
    users,
)
from caunoi.cli.common import console, fail


class _Caunoi(typer.Typer):
    """The app, with a database lost mid-command (a server restarted or stopped, SQLite's file
    locked past its timeout) said in one line with what to do, not as a traceback."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            from sqlalchemy.exc import OperationalError  # on the error's path only: --help stays cheap

            if not isinstance(exc, OperationalError):
                raise
            reason = (str(exc.orig or exc).strip() or "?").splitlines()[0]
            try:
                fail(
                    f"the database failed in the middle of the command ({reason}). What was stored is "
                    "kept, each batch whole or not at all: once the database answers again, run the same "
                    "command again; ingest, watch, enrich and stories go on where they stopped"
                )
            except typer.Exit as stop:  # raised outside typer's own handling of it
                raise SystemExit(stop.exit_code) from None


app = _Caunoi(
    help="Cầu Nối — monitor, search and report on the news about a country. Vietnamese first.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False,
) -> None:
    """Settings come from CAUNOI_* variables (CAUNOI_DATA, CAUNOI_DATABASE_URL) or CAUNOI_CONFIG."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


def version() -> None:
    """Print the version."""
    console.print(f"caunoi {__version__}")


COMMANDS = [
    version,
    ingest.ingest,
    search.search,
    search.show,
    search.stats,
    attention.attention,
    ingest.enrich,
    stories.stories,
    stories.story,
    evaluation.evaluate,
    serve.serve,
    ingest.fetch,
    ingest.watch,
    ingest.reprocess,
    backup.backup,
    backup.restore,
    integrity.check,
]
GROUPS = {
    "brief": reports.brief_app,
    "alerts": alerts.app,
    "cases": cases.app,
    "units": units.app,
    "factsheets": factsheets.app,
    "report": reports.app,
    **outreach.GROUPS,
    "users": users.app,
    "sources": sources.app,
    "audit": audit.app,
    "search-index": search_index.app,
}
for command in COMMANDS:
    app.command()(command)
for name, group in GROUPS.items():
    app.add_typer(group, name=name)
