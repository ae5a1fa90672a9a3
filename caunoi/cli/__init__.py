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
    serve,
    sources,
    stories,
    units,
    users,
)
from caunoi.cli.common import console

app = typer.Typer(
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
}
for command in COMMANDS:
    app.command()(command)
for name, group in GROUPS.items():
    app.add_typer(group, name=name)
