"""`caunoi units …`: the units and missions cases are assigned to."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from caunoi.cli.common import AsJson, By, actor, console, print_json, serving

app = typer.Typer(help="The units and missions cases are assigned to: add, list.", no_args_is_help=True)


@app.command("add")
def units_add(
    code: Annotated[str, typer.Argument(help="A short code, e.g. BC-TTDN or DSQ-US.")],
    name: Annotated[str, typer.Argument(help="Its full name.")],
    kind: Annotated[str, typer.Option(help="unit or mission.")] = "unit",
    country: Annotated[str | None, typer.Option(help="A mission's country: ISO two-letter code.")] = None,
    by: By = None,
) -> None:
    """Add a unit or a mission abroad."""
    with serving("units") as units:
        unit = units.add(code, name, by=actor(by), kind=kind, country=country)
    console.print(f"added {unit.kind} [bold]{unit.code}[/]: {unit.name}", highlight=False)


@app.command("list")
def units_list(as_json: AsJson = False) -> None:
    """Every unit and mission."""
    with serving("units") as units:
        found = units.list()
    if as_json:
        print_json(found)
        return
    table = Table("code", "kind", "country", "name", box=None)
    for unit in found:
        table.add_row(unit.code, unit.kind, unit.country or "", unit.name)
    console.print(table)
