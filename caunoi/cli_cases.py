"""`caunoi cases …`, `caunoi units …`, `caunoi factsheets …`: the response workflow and the library
of fact sheets and official positions."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from caunoi.cases import CaseError, CaseService, NotFound
from caunoi.cli import actor, app, console, fail, open_service, print_json, refusals

cases_app = typer.Typer(
    help="Cases: new, list, show, triage, assign, answer, respond, close, reopen, overdue.",
    no_args_is_help=True,
)
units_app = typer.Typer(help="The units and missions cases are assigned to: add, list.", no_args_is_help=True)
factsheets_app = typer.Typer(
    help="Fact sheets and official positions: add, list, search, show, link, edit.", no_args_is_help=True
)
app.add_typer(cases_app, name="cases")
app.add_typer(units_app, name="units")
app.add_typer(factsheets_app, name="factsheets")

By = Annotated[
    str | None,
    typer.Option("--by", help="Who makes the change (default: $CAUNOI_USER, else your login name)."),
]
AsJson = Annotated[bool, typer.Option("--json")]
_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
CaseId = Annotated[int, typer.Argument(help="Case id, as `caunoi cases list` prints it.")]


@contextlib.contextmanager
def _cases() -> Iterator[CaseService]:
    """The service's cases, with refusals turned into one-line errors (1: not found, 2: refused)."""
    with open_service() as service, refusals(NotFound, CaseError):
        yield service.cases


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _late(deadline: datetime, now: datetime) -> str:
    minutes = int((now - deadline).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    return f"{days}d {minutes // 60}h" if days else f"{minutes // 60}h {minutes % 60:02d}m"


def _deadline(case: dict[str, Any]) -> str:
    return _when(case["deadline"]) + (" [bold red]OVERDUE[/]" if case.get("overdue") else "")


def _said(case: dict[str, Any]) -> None:
    """One line after a change: where the case stands now."""
    line = f"case {case['id']} [bold]{case['state']}[/]"
    if case["state"] == "assigned":
        line += f" to {case['unit']}" + (f" ({case['assignee']})" if case["assignee"] else "")
        line += f", due {_deadline(case)}"
    console.print(f"{line}: {case['title']}", highlight=False)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):  # a response
        return " ".join(str(value[k]) for k in ("kind", "title", "url") if value.get(k))
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, str) and _ISO_TIME.match(value):  # a date-time, as the audit log keeps it
        return _when(datetime.fromisoformat(value))
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


def _print_history(history: list[dict[str, Any]]) -> None:
    console.print("[bold]history[/]")
    for entry in history:
        changes = "; ".join(
            f"{field}: {_shown(before)} → {_shown(after)}"
            if before is not None
            else f"{field}: {_shown(after)}"
            for field, (before, after) in entry["changes"].items()
        )
        console.print(
            f"  {_when(entry['at'])} {entry['actor']} [bold]{entry['action']}[/] {changes}", highlight=False
        )


# -- cases ----------------------------------------------------------------------------------------


@cases_app.command("new")
def cases_new(
    title: Annotated[
        str | None, typer.Option(help="What the case is about (default: the story's or alert's).")
    ] = None,
    story: Annotated[int | None, typer.Option(help="The story it answers.")] = None,
    alert: Annotated[
        int | None, typer.Option(help="The alert that raised it (its story comes along).")
    ] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Open a case from a story, an alert, or just a title."""
    with _cases() as cases:
        case = cases.open_case(title, story, alert, priority, notes, by=actor(by))
    if as_json:
        print_json(case)
        return
    console.print(f"opened case {case['id']}: [bold]{case['title']}[/]", highlight=False)


@cases_app.command("list")
def cases_list(
    state: Annotated[str | None, typer.Option(help="new, triaged, assigned, answered or closed.")] = None,
    unit: Annotated[str | None, typer.Option(help="Only cases of this unit or mission (code).")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only cases not closed.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: AsJson = False,
) -> None:
    """Cases, newest first: state, priority, unit, deadline (OVERDUE marked), title."""
    with _cases() as cases:
        rows = cases.list(state, unit, open_only, limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no cases")
        return
    table = Table("id", "state", "priority", "unit", "deadline", "title", box=None)
    for r in rows:
        table.add_row(
            str(r["id"]), r["state"], r["priority"], r["unit"] or "—", _deadline(r), r["title"][:90]
        )
    console.print(table)


@cases_app.command("show")
def cases_show(case_id: CaseId, as_json: AsJson = False) -> None:
    """One case: where it stands, its responses and its history."""
    with _cases() as cases:
        case = cases.get(case_id)
    if as_json:
        print_json(case)
        return
    console.print(f"[bold]{case['title']}[/]", highlight=False)
    unit = f"{case['unit']} ({case['unit_name']})" if case["unit"] else None
    story = f"{case['story_id']} {case['story_title'] or ''}".strip() if case["story_id"] else None
    for label, value in (
        ("case", case["id"]), ("state", case["state"]), ("priority", case["priority"]), ("story", story),
        ("alert", case["alert_id"]), ("unit", unit), ("assignee", case["assignee"]),
        ("deadline", _deadline(case) if case["deadline"] else None), ("notes", case["notes"]),
        ("opened", f"{_when(case['created_at'])} by {case['created_by']}"),
        ("closed", _when(case["closed_at"]) if case["closed_at"] else None),
        ("next", ", ".join(case["actions"])),
    ):  # fmt: skip
        if value is not None:
            console.print(f"[bold]{label}[/]: {value}", highlight=False)
    if case["responses"]:
        console.print("[bold]responses[/]")
        for r in case["responses"]:
            ref = f" (fact sheet {r['fact_sheet_id']})" if r["fact_sheet_id"] else ""
            ref += f" (article {r['article_id']})" if r["article_id"] else ""
            console.print(
                f"  {_when(r['created_at'])} {r['kind']}: {r['title']}{ref} {r['url'] or ''}", highlight=False
            )
    _print_history(case["history"])


@cases_app.command("triage")
def cases_triage(
    case_id: CaseId,
    priority: Annotated[str | None, typer.Option(help="Set the priority: low, normal, high, urgent.")] = None,
    note: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    by: By = None,
) -> None:
    """Mark a new case as looked at and worth handling."""
    with _cases() as cases:
        _said(cases.triage(case_id, by=actor(by), priority=priority, note=note))


@cases_app.command("assign")
def cases_assign(
    case_id: CaseId,
    unit: Annotated[str | None, typer.Option(help="Unit or mission code (see `caunoi units list`).")] = None,
    deadline: Annotated[
        str | None, typer.Option(help='"2026-11-25 17:00", "2026-11-25" (end of day), or "+4h", "+2d".')
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="The person in the unit who handles it.")] = None,
    note: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    by: By = None,
) -> None:
    """Give a case to a unit or mission with a deadline (again: reassign, or send an answer back)."""
    with _cases() as cases:
        _said(cases.assign(case_id, unit, deadline, by=actor(by), assignee=assignee, note=note))


Kind = Annotated[str | None, typer.Option(help="statement, fact_sheet, interview, article or other.")]
Title = Annotated[str | None, typer.Option(help="The response's title.")]
Url = Annotated[str | None, typer.Option(help="Where it was published.")]
FactSheet = Annotated[int | None, typer.Option("--fact-sheet", help="A fact sheet of the library (id).")]
Article = Annotated[int | None, typer.Option(help="The article in the store that carries the answer (id).")]
Note = Annotated[str | None, typer.Option(help="Free text.")]


@cases_app.command("answer")
def cases_answer(
    case_id: CaseId,
    kind: Kind = None,
    title: Title = None,
    url: Url = None,
    fact_sheet: FactSheet = None,
    article: Article = None,
    note: Note = None,
    by: By = None,
) -> None:
    """Record the answer: --kind, --title and --url; or --fact-sheet ID; or --article ID."""
    response = {"kind": kind, "title": title, "url": url, "fact_sheet_id": fact_sheet, "article_id": article}
    with _cases() as cases:
        _said(cases.answer(case_id, by=actor(by), note=note, **response))


@cases_app.command("respond")
def cases_respond(
    case_id: CaseId,
    kind: Kind = None,
    title: Title = None,
    url: Url = None,
    fact_sheet: FactSheet = None,
    article: Article = None,
    note: Note = None,
    by: By = None,
) -> None:
    """Add another response to an answered case (same options as `answer`)."""
    response = {"kind": kind, "title": title, "url": url, "fact_sheet_id": fact_sheet, "article_id": article}
    with _cases() as cases:
        case = cases.respond(case_id, by=actor(by), note=note, **response)
    console.print(f"case {case['id']}: {len(case['responses'])} responses", highlight=False)


@cases_app.command("close")
def cases_close(
    case_id: CaseId,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    by: By = None,
) -> None:
    """Close a case (answered, or not worth answering)."""
    with _cases() as cases:
        _said(cases.close(case_id, by=actor(by), reason=reason))


@cases_app.command("reopen")
def cases_reopen(
    case_id: CaseId,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    by: By = None,
) -> None:
    """Bring a closed case back to triaged."""
    with _cases() as cases:
        _said(cases.reopen(case_id, by=actor(by), reason=reason))


@cases_app.command("overdue")
def cases_overdue(
    at: Annotated[
        str | None, typer.Option(help="Overdue as of this time, not now (2026-11-25T17:00).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Cases still unanswered after their deadline, most overdue first."""
    try:
        now = datetime.fromisoformat(at.strip()) if at else datetime.now()
    except ValueError:
        fail(f"--at {at!r}: give a date or date-time like 2026-11-25T17:00")
        raise  # unreachable
    with _cases() as cases:
        rows = cases.overdue(now)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no overdue cases")
        return
    table = Table("id", "state", "unit", "assignee", "deadline", "late by", "title", box=None)
    for r in rows:
        table.add_row(
            str(r["id"]), r["state"], r["unit"] or "—", r["assignee"] or "—", _when(r["deadline"]),
            f"[red]{_late(r['deadline'], now)}[/]", r["title"][:80],
        )  # fmt: skip
    console.print(table)


# -- units and missions ---------------------------------------------------------------------------


@units_app.command("add")
def units_add(
    code: Annotated[str, typer.Argument(help="A short code, e.g. BC-TTDN or DSQ-US.")],
    name: Annotated[str, typer.Argument(help="Its full name.")],
    kind: Annotated[str, typer.Option(help="unit or mission.")] = "unit",
    country: Annotated[str | None, typer.Option(help="A mission's country: ISO two-letter code.")] = None,
    by: By = None,
) -> None:
    """Add a unit or a mission abroad."""
    with _cases() as cases:
        unit = cases.add_unit(code, name, by=actor(by), kind=kind, country=country)
    console.print(f"added {unit['kind']} [bold]{unit['code']}[/]: {unit['name']}", highlight=False)


@units_app.command("list")
def units_list(as_json: AsJson = False) -> None:
    """Every unit and mission."""
    with _cases() as cases:
        rows = cases.units()
    if as_json:
        print_json(rows)
        return
    table = Table("code", "kind", "country", "name", box=None)
    for r in rows:
        table.add_row(r["code"], r["kind"], r["country"] or "", r["name"])
    console.print(table)


# -- fact sheets ----------------------------------------------------------------------------------


def _body(body: str | None, file: Path | None, required: bool) -> str | None:
    if body is not None and file is not None:
        fail("give --body or --file, not both")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {exc}")
    if body is None and required:
        fail("give the text with --body TEXT or --file PATH")
    return body


def _print_fact_sheets(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no fact sheets")
        return
    table = Table("id", "kind", "lang", "updated", "title", "tags", box=None)
    for r in rows:
        table.add_row(
            str(r["id"]), r["kind"], r["lang"], _when(r["updated_at"]), r["title"][:80], ", ".join(r["tags"])
        )
    console.print(table)


@factsheets_app.command("add")
def factsheets_add(
    title: Annotated[str, typer.Argument(help="Its title.")],
    body: Annotated[str | None, typer.Option(help="Its text.")] = None,
    file: Annotated[Path | None, typer.Option(help="Read its text from this UTF-8 file.")] = None,
    kind: Annotated[str, typer.Option(help="fact_sheet or position (an official position).")] = "fact_sheet",
    lang: Annotated[str, typer.Option(help="Language code.")] = "vi",
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeat for more).")] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Add a fact sheet or an official position to the library."""
    text = _body(body, file, required=True)
    assert text is not None
    with _cases() as cases:
        sheet = cases.add_fact_sheet(title, text, by=actor(by), kind=kind, lang=lang, tags=tag or [])
    if as_json:
        print_json(sheet)
        return
    console.print(f"added fact sheet {sheet['id']}: [bold]{sheet['title']}[/]", highlight=False)


@factsheets_app.command("list")
def factsheets_list(
    kind: Annotated[str | None, typer.Option(help="fact_sheet or position.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code.")] = None,
    story: Annotated[int | None, typer.Option(help="Only those linked to this story.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: AsJson = False,
) -> None:
    """The library, latest change first."""
    with _cases() as cases:
        rows = cases.fact_sheets(kind, lang, story, limit)
    if as_json:
        print_json(rows)
        return
    _print_fact_sheets(rows)


@factsheets_app.command("search")
def factsheets_search(
    query: Annotated[str, typer.Argument(help="Words, with or without diacritics: bien dong = Biển Đông.")],
    kind: Annotated[str | None, typer.Option(help="fact_sheet or position.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 20,
    as_json: AsJson = False,
) -> None:
    """Fact sheets holding every word, matches in the title first."""
    with _cases() as cases:
        rows = cases.search_fact_sheets(query, kind, lang, limit)
    if as_json:
        print_json(rows)
        return
    _print_fact_sheets(rows)


@factsheets_app.command("show")
def factsheets_show(
    fact_sheet_id: Annotated[int, typer.Argument(help="Fact sheet id.")], as_json: AsJson = False
) -> None:
    """One fact sheet: its text, the stories it answers, its history."""
    with _cases() as cases:
        sheet = cases.fact_sheet(fact_sheet_id)
    if as_json:
        print_json(sheet)
        return
    console.print(f"[bold]{sheet['title']}[/]", highlight=False)
    console.print(
        f"#{sheet['id']} · {sheet['kind']} · {sheet['lang']} · {', '.join(sheet['tags']) or 'no tags'}",
        style="dim",
    )
    console.print(sheet["body"], highlight=False, markup=False)
    for s in sheet["stories"]:
        console.print(f"[bold]story[/] {s['id']}: {s['title']}", highlight=False)
    _print_history(sheet["history"])


@factsheets_app.command("link")
def factsheets_link(
    fact_sheet_id: Annotated[int, typer.Argument(help="Fact sheet id.")],
    story_id: Annotated[int, typer.Argument(help="The story it answers.")],
    by: By = None,
) -> None:
    """Link a fact sheet to a story it answers."""
    with _cases() as cases:
        new = cases.link_fact_sheet(fact_sheet_id, story_id, by=actor(by))
    console.print(
        f"fact sheet {fact_sheet_id} {'linked' if new else 'was already linked'} to story {story_id}"
    )


@factsheets_app.command("edit")
def factsheets_edit(
    fact_sheet_id: Annotated[int, typer.Argument(help="Fact sheet id.")],
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    body: Annotated[str | None, typer.Option(help="A new text.")] = None,
    file: Annotated[Path | None, typer.Option(help="Read the new text from this UTF-8 file.")] = None,
    kind: Annotated[str | None, typer.Option(help="fact_sheet or position.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="The tags, replacing the old ones (repeat).")] = None,
    by: By = None,
) -> None:
    """Change a fact sheet; the history keeps what it was."""
    text = _body(body, file, required=False)
    with _cases() as cases:
        before = len(cases.fact_sheet(fact_sheet_id)["history"])
        sheet = cases.update_fact_sheet(
            fact_sheet_id, by=actor(by), title=title, body=text, kind=kind, lang=lang, tags=tag
        )
    changed = sheet["history"][before:]
    fields = ", ".join(changed[-1]["changes"]) if changed else ""
    console.print(f"fact sheet {sheet['id']}: " + (f"changed {fields}" if fields else "nothing changed"))
