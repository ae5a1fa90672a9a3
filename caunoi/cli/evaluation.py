"""`caunoi evaluate`: a campaign's, a unit's or a mission's outreach evaluated in the AMEC chain
(caunoi.outreach.evaluation) — a report on the terminal by stage, the whole structure with `--json`
(the ids of the records behind every figure), a CSV or XLSX file with `--csv` / `--xlsx`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape as esc
from rich.table import Table

from caunoi.cli.common import console, err, fail, print_json, serving

if TYPE_CHECKING:
    from caunoi.outreach import Evaluation, Indicator

SHOWN_PARTS = 6  # lines of a breakdown on the terminal; --json and the files have them all
SHOWN_IDS = 8  # record ids on the terminal


def evaluate(
    campaign: Annotated[str | None, typer.Option(help="A campaign, by code or id.")] = None,
    unit: Annotated[
        str | None, typer.Option(help="A unit or mission, by code (with --campaign: its part).")
    ] = None,
    mission: Annotated[str | None, typer.Option(help="As --unit, and it must be a mission.")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="The first day (default: the campaign's start).")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="The last day, included (default: the campaign's end).")
    ] = None,
    lang: Annotated[str, typer.Option(help="vi or en.")] = "vi",
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole evaluation as JSON.")] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write it to this CSV file (not the report).")
    ] = None,
    xlsx_file: Annotated[
        Path | None, typer.Option("--xlsx", help="Write it to this Excel file (not the report).")
    ] = None,
) -> None:
    """Evaluate outreach in the AMEC chain: inputs, activities, outputs, outtakes (earned coverage)
    and outcomes (tone, share of voice, attention in the host media), with the campaign's objectives
    and how far each got. Days are read in the setting `timezone`."""
    from caunoi.outreach.evaluation import table_csv, table_xlsx

    if lang not in ("vi", "en"):
        fail("--lang is vi or en")
    if unit and mission:
        fail("give --unit or --mission, not both")
    with serving("outreach") as outreach:
        found = outreach.evaluation.evaluate(
            campaign=campaign, unit=unit or mission, start=start, last=last, mission=mission is not None
        )
    for path, write in ((csv_file, table_csv), (xlsx_file, table_xlsx)):
        if path is not None:
            path.write_bytes(write(found, lang))
            err.print(f"evaluation written to {path}", highlight=False)
    if as_json:
        print_json(found)
    elif csv_file is None and xlsx_file is None:
        show(found, lang)


def show(evaluation: Evaluation, lang: str) -> None:
    """The evaluation as a report: its scope, a table per stage, the objectives."""
    from caunoi.i18n import LABELS
    from caunoi.outreach.evaluation import STAGES

    t, s = LABELS[lang], evaluation.scope
    what = " · ".join(x for x in (s.campaign, s.unit) if x)
    console.print(f"[bold]{t['eval_title']}: {esc(what)}[/] — {esc(s.title)}", highlight=False)
    day = timedelta(days=1)
    console.print(
        f"{t['eval_scope_from']} {s.start} → {s.end - day} ({t['eval_scope_before']}: "
        f"{s.before_start} → {s.start - day})",
        highlight=False,
    )
    for key, value in (("host_countries", ", ".join(s.host_countries)), ("topics", ", ".join(s.topics))):
        if value:
            console.print(f"{t[f'eval_scope_{key}']}: {esc(value)}", highlight=False)
    for message in s.key_messages:
        console.print(f"{t['eval_scope_key_messages']}: [italic]{esc(message)}[/]", highlight=False)
    for stage in STAGES:
        table = Table(title=t[f"eval_stage_{stage}"], title_justify="left", show_lines=True, expand=True)
        for column in ("", t["eval_value"], t["eval_before"], "", t["eval_records"]):
            table.add_column(column, overflow="fold")
        for i in evaluation.stage(stage):
            table.add_row(
                f"[bold]{esc(i.name[lang])}[/]\n[dim]{esc(i.definition[lang])}[/]",
                _value(i, i.value, lang),
                _value(i, i.before, lang) if i.before is not None else "",
                _parts(i, lang),
                _ids(i.records),
            )
        console.print(table)
    if evaluation.objectives:
        table = Table(title=t["eval_objectives"], title_justify="left", expand=True)
        for column in ("", t["eval_metric"], t["eval_target"], t["eval_value"], t["eval_progress"], ""):
            table.add_column(column, overflow="fold")
        for o in evaluation.objectives:
            reached = (
                _number(o.value) if o.value is not None else f"[dim]{esc((o.missing or {}).get(lang, ''))}[/]"
            )
            table.add_row(esc(o.indicator), o.metric or "", _number(o.target), reached,
                          f"{o.progress:.1f} %" if o.progress is not None else "",
                          str(o.due_on) if o.due_on else "")  # fmt: skip
        console.print(table)
    console.print(f"[dim]{t['eval_no_ave']}[/]", highlight=False)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _value(indicator: Indicator, value: float | None, lang: str) -> str:
    if indicator.unit == "money" and indicator.parts:  # each currency apart, never converted
        return " + ".join(f"{_number(p.value)} {p.key}" for p in indicator.parts)
    if value is None:
        return f"[dim]{esc((indicator.missing or {}).get(lang, '—'))}[/]"
    if indicator.unit == "percent":
        return f"{value:.1f} %"
    if indicator.unit == "tone":
        return f"{value:+.2f}"
    return _number(value)


def _parts(indicator: Indicator, lang: str) -> str:
    from caunoi.outreach.evaluation import part_name

    if indicator.unit == "money":  # its parts are its value
        return ""
    lines = []
    for p in indicator.parts[:SHOWN_PARTS]:
        value = f"{_number(p.value)} {p.key}" if indicator.unit == "money" else _number(p.value)
        before = f" ({_number(p.before)})" if p.before is not None else ""
        lines.append(f"{esc(part_name(indicator.key, p.key, lang)[:60])}: {value}{before}")
    if len(indicator.parts) > SHOWN_PARTS:
        lines.append(f"… +{len(indicator.parts) - SHOWN_PARTS}")
    return "\n".join(lines)


def _ids(records: dict[str, Any]) -> str:
    lines = []
    for kind, ids in records.items():
        if ids:
            more = f" +{len(ids) - SHOWN_IDS}" if len(ids) > SHOWN_IDS else ""
            lines.append(f"{kind}: {' '.join(map(str, ids[:SHOWN_IDS]))}{more}")
    return "\n".join(lines)
