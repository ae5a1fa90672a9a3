"""`caunoi units …`: the units at home and the missions abroad that cases, users and outreach name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from caunoi.cli.common import AsJson, By, actor, console, fail, said_import, serving, show_rows
from caunoi.timezones import unit_zone
from caunoi.units import SAMPLE

app = typer.Typer(
    help="The units at home and the missions abroad: add, edit, retire, import, list.", no_args_is_help=True
)

NameEn = Annotated[str | None, typer.Option("--name-en", help="Its name in English.")]
Type = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="embassy, consulate_general, consulate, permanent_mission, delegation, office, "
        "ministry_department, press_agency or other.",
    ),
]
Countries = Annotated[
    str | None,
    typer.Option(
        help="Every country a mission covers, ISO two-letter codes separated by commas (seat first)."
    ),
]
City = Annotated[str | None, typer.Option(help="The city it sits in.")]
Languages = Annotated[
    str | None,
    typer.Option(help="The host media's languages: ISO 639 codes separated by commas, e.g. fr,en."),
]
Website = Annotated[str | None, typer.Option(help="Its website, http(s)://…")]
Timezone = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="Its time zone, an IANA name (Europe/Paris): its officers' times are shown and read in it; "
        "default: its seat's zone when that country has one.",
    ),
]


def _details(**given: Any) -> dict[str, Any]:
    """The options the user gave (an empty text clears a field when editing)."""
    return {name: value for name, value in given.items() if value is not None}


@app.command("add")
def units_add(
    code: Annotated[str, typer.Argument(help="A short code, e.g. BC-TTDN or DSQ-US.")],
    name: Annotated[str, typer.Argument(help="Its full name.")],
    kind: Annotated[str, typer.Option(help="unit or mission.")] = "unit",
    country: Annotated[str | None, typer.Option(help="A mission's seat: ISO two-letter code.")] = None,
    name_en: NameEn = None,
    type_: Type = None,
    countries: Countries = None,
    city: City = None,
    languages: Languages = None,
    website: Website = None,
    timezone: Timezone = None,
    by: By = None,
) -> None:
    """Add a unit or a mission abroad."""
    details = _details(name_en=name_en, type=type_, countries=countries, city=city, languages=languages,
                       website=website, timezone=timezone)  # fmt: skip
    with serving("units") as units:
        unit = units.add(code, name, by=actor(by), kind=kind, country=country, **details)
    console.print(f"added {unit.kind} [bold]{unit.code}[/]: {unit.name}", highlight=False)


@app.command("edit")
def units_edit(
    code: Annotated[str, typer.Argument(help="The unit's code.")],
    name: Annotated[str | None, typer.Option(help="Its full name.")] = None,
    kind: Annotated[str | None, typer.Option(help="unit or mission.")] = None,
    country: Annotated[str | None, typer.Option(help="A mission's seat: ISO two-letter code.")] = None,
    name_en: NameEn = None,
    type_: Type = None,
    countries: Countries = None,
    city: City = None,
    languages: Languages = None,
    website: Website = None,
    timezone: Timezone = None,
    by: By = None,
) -> None:
    """Change what is known of a unit (the audit log keeps before and after)."""
    changes = _details(name=name, kind=kind, country=country, name_en=name_en, type=type_,
                       countries=countries, city=city, languages=languages, website=website,
                       timezone=timezone)  # fmt: skip
    with serving("units") as units:
        unit = units.edit(code, by=actor(by), **changes)
    console.print(f"changed {unit.kind} [bold]{unit.code}[/]: {unit.name}", highlight=False)


@app.command("retire")
def units_retire(
    code: Annotated[str, typer.Argument(help="The unit's code.")],
    undo: Annotated[bool, typer.Option("--undo", help="Bring a retired unit back.")] = False,
    by: By = None,
) -> None:
    """Retire a unit or mission: it stays for the cases and users that name it, but is no longer listed."""
    with serving("units") as units:
        unit = units.retire(code, by=actor(by), retired=not undo)
    said = "brought back" if undo else "retired"
    console.print(f"{said} {unit.kind} [bold]{unit.code}[/]: {unit.name}", highlight=False)


@app.command("import")
def units_import(
    file: Annotated[
        Path | None,
        typer.Argument(help="A CSV (UTF-8), TSV or XLSX file, its first row the header.", dir_okay=False),
    ] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help=f"Import the shipped list of units and missions ({SAMPLE.name}).")
    ] = False,
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="Write the valid rows even when others are refused.")
    ] = False,
    as_json: AsJson = False,
    by: By = None,
) -> None:
    """Add or change units and missions from a CSV, TSV or XLSX file (its first sheet): columns code,
    name, name_en, kind, type, country, countries, city, languages, website, timezone (and source,
    which is not stored). A code already stored is changed to what its row says, so importing a file again
    changes nothing. Every row is checked first; with a refused row nothing is written unless
    --valid-only."""
    if (file is None) == (not sample):
        fail("give a FILE or --sample")
    path = SAMPLE if sample else file
    assert path is not None
    with serving("units") as units:
        report = units.import_file(path, by=actor(by), valid_only=valid_only)
    said_import(path.name, report, as_json)
    if not report.written:
        raise typer.Exit(2)


@app.command("list")
def units_list(
    as_json: AsJson = False,
    retired: Annotated[bool, typer.Option("--retired", help="List the retired ones too.")] = False,
) -> None:
    """Every unit and mission."""
    with serving("units") as units:
        found = units.list(retired=retired)
    show_rows(
        found, ("code", "kind", "country", "time zone", "name"),
        lambda u: (u.code, u.kind, ",".join(u.countries) or u.country or "", unit_zone(u) or "",
                   u.name + (" (retired)" if u.retired_at else "")),
        as_json=as_json,
    )  # fmt: skip
