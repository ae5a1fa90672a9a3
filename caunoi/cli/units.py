"""`caunoi units …`: the units and missions cases are assigned to."""

from __future__ import annotations

from typing import Annotated

import typer

from caunoi.cli.common import AsJson, By, actor, console, serving, show_rows

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
    show_rows(
        found, ("code", "kind", "country", "name"), lambda u: (u.code, u.kind, u.country or "", u.name),
        as_json=as_json,
    )  # fmt: skip
