"""`caunoi cases …`: the response workflow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from caunoi.cli.common import (
    AsJson,
    By,
    actor,
    console,
    fail,
    moment,
    print_history,
    print_json,
    said,
    serving,
    show_rows,
)
from caunoi.timezones import to_utc, utcnow

app = typer.Typer(
    help="Cases: new, list, show, triage, assign, answer, respond, close, reopen, overdue.",
    no_args_is_help=True,
)
CaseId = Annotated[int, typer.Argument(help="Case id, as `caunoi cases list` prints it.")]
Why = Annotated[str | None, typer.Option(help="Why (kept in the history).")]

if TYPE_CHECKING:
    from caunoi.cases import Case, CaseService, ListedCase, Response


def _late(deadline: datetime, now: datetime) -> str:
    minutes = int((now - deadline).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    return f"{days}d {minutes // 60}h" if days else f"{minutes // 60}h {minutes % 60:02d}m"


def _deadline(case: Case | ListedCase) -> str:
    return moment(case.deadline) + (" [bold red]OVERDUE[/]" if case.overdue else "")


def _said(case: Case) -> None:
    """One line after a change: where the case stands now."""
    line = f"case {case.id} [bold]{case.state}[/]"
    if case.state == "assigned":
        line += f" to {case.unit}" + (f" ({case.assignee})" if case.assignee else "")
        line += f", due {_deadline(case)}"
    console.print(f"{line}: {case.title}", highlight=False)


@app.command("new")
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
    with serving("cases") as cases:
        case = cases.open_case(title, story, alert, priority, notes, by=actor(by))
    said(case, as_json, f"opened case {case.id}: [bold]{case.title}[/]", highlight=False)


@app.command("list")
def cases_list(
    state: Annotated[str | None, typer.Option(help="new, triaged, assigned, answered or closed.")] = None,
    unit: Annotated[str | None, typer.Option(help="Only cases of this unit or mission (code).")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only cases not closed.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: AsJson = False,
) -> None:
    """Cases, newest first: state, priority, unit, deadline (OVERDUE marked), title."""
    with serving("cases") as cases:
        found = cases.list(state, unit, open_only, limit)
    show_rows(
        found, ("id", "state", "priority", "unit", "deadline", "title"),
        lambda c: (str(c.id), c.state, c.priority, c.unit or "—", _deadline(c), c.title[:90]),
        as_json=as_json, empty="no cases",
    )  # fmt: skip


@app.command("show")
def cases_show(case_id: CaseId, as_json: AsJson = False) -> None:
    """One case: where it stands, its responses and its history."""
    with serving("cases") as cases:
        case = cases.get(case_id)
    if as_json:
        print_json(case)
        return
    console.print(f"[bold]{case.title}[/]", highlight=False)
    unit = f"{case.unit} ({case.unit_name})" if case.unit else None
    story = f"{case.story_id} {case.story_title or ''}".strip() if case.story_id else None
    for label, value in (
        ("case", case.id), ("state", case.state), ("priority", case.priority), ("story", story),
        ("alert", case.alert_id), ("unit", unit), ("assignee", case.assignee),
        ("deadline", _deadline(case) if case.deadline else None), ("notes", case.notes),
        ("opened", f"{moment(case.created_at)} by {case.created_by}"),
        ("closed", moment(case.closed_at) if case.closed_at else None),
        ("next", ", ".join(case.actions)),
    ):  # fmt: skip
        if value is not None:
            console.print(f"[bold]{label}[/]: {value}", highlight=False)
    if case.responses:
        console.print("[bold]responses[/]")
        for r in case.responses:
            ref = f" (fact sheet {r.fact_sheet_id})" if r.fact_sheet_id else ""
            ref += f" (article {r.article_id})" if r.article_id else ""
            console.print(f"  {moment(r.created_at)} {r.kind}: {r.title}{ref} {r.url or ''}", highlight=False)
    print_history(case.history)


@app.command("triage")
def cases_triage(
    case_id: CaseId,
    priority: Annotated[str | None, typer.Option(help="Set the priority: low, normal, high, urgent.")] = None,
    note: Why = None,
    by: By = None,
) -> None:
    """Mark a new case as looked at and worth handling."""
    with serving("cases") as cases:
        _said(cases.triage(case_id, by=actor(by), priority=priority, note=note))


@app.command("assign")
def cases_assign(
    case_id: CaseId,
    unit: Annotated[str | None, typer.Option(help="Unit or mission code (see `caunoi units list`).")] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            help='"2026-11-25 17:00", "2026-11-25" (end of day), "2026-11-25T17:00+01:00", or "+4h", "+2d".'
        ),
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="The person in the unit who handles it.")] = None,
    note: Why = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="Of a deadline without an offset (Europe/Paris); default: the setting timezone."),
    ] = None,
    by: By = None,
) -> None:
    """Give a case to a unit or mission with a deadline (again: reassign, or send an answer back)."""
    with serving() as service:
        case = service.cases.assign(case_id, unit, deadline, by=actor(by), assignee=assignee, note=note,
                                    timezone=timezone or service.settings.timezone)  # fmt: skip
    _said(case)


Kind = Annotated[str | None, typer.Option(help="statement, fact_sheet, interview, article or other.")]
Title = Annotated[str | None, typer.Option(help="The response's title.")]
Url = Annotated[str | None, typer.Option(help="Where it was published.")]
FactSheet = Annotated[int | None, typer.Option("--fact-sheet", help="A fact sheet of the library (id).")]
Article = Annotated[int | None, typer.Option(help="The article in the store that carries the answer (id).")]
Note = Annotated[str | None, typer.Option(help="Free text.")]


def _response_command(
    doc: str, record: Callable[[CaseService, int, Response, str], None]
) -> Callable[..., None]:
    """A command that records a response to a case: `answer` and `respond` take the same options and
    differ in what `record` does with it."""

    def command(
        case_id: CaseId,
        kind: Kind = None,
        title: Title = None,
        url: Url = None,
        fact_sheet: FactSheet = None,
        article: Article = None,
        note: Note = None,
        by: By = None,
    ) -> None:
        from caunoi.cases import Response

        response = Response(
            kind=kind, title=title, url=url, fact_sheet_id=fact_sheet, article_id=article, note=note
        )
        with serving("cases") as cases:
            record(cases, case_id, response, actor(by))

    command.__doc__ = doc
    return command


def _answer(cases: CaseService, case_id: int, response: Response, by: str) -> None:
    _said(cases.answer(case_id, response, by=by))


def _respond(cases: CaseService, case_id: int, response: Response, by: str) -> None:
    case = cases.respond(case_id, response, by=by)
    console.print(f"case {case.id}: {len(case.responses)} responses", highlight=False)


cases_answer = app.command("answer")(
    _response_command(
        "Record the answer: --kind, --title and --url; or --fact-sheet ID; or --article ID.", _answer
    )
)
cases_respond = app.command("respond")(
    _response_command("Add another response to an answered case (same options as `answer`).", _respond)
)


@app.command("close")
def cases_close(
    case_id: CaseId,
    reason: Why = None,
    by: By = None,
) -> None:
    """Close a case (answered, or not worth answering)."""
    with serving("cases") as cases:
        _said(cases.close(case_id, by=actor(by), reason=reason))


@app.command("reopen")
def cases_reopen(
    case_id: CaseId,
    reason: Why = None,
    by: By = None,
) -> None:
    """Bring a closed case back to triaged."""
    with serving("cases") as cases:
        _said(cases.reopen(case_id, by=actor(by), reason=reason))


@app.command("overdue")
def cases_overdue(
    at: Annotated[
        str | None,
        typer.Option(help="Overdue as of this time, not now (2026-11-25T17:00, in the setting timezone)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Cases still unanswered after their deadline, most overdue first."""
    try:
        typed = datetime.fromisoformat(at.strip()) if at else None
    except ValueError:
        fail(f"--at {at!r}: give a date or date-time like 2026-11-25T17:00")
        raise  # unreachable
    with serving() as service:
        now = to_utc(typed, service.settings.timezone) if typed else utcnow()
        found = service.cases.overdue(now)
    show_rows(
        found, ("id", "state", "unit", "assignee", "deadline", "late by", "title"),
        lambda c: (
            str(c.id), c.state, c.unit or "—", c.assignee or "—", moment(c.deadline),
            f"[red]{_late(c.deadline, now)}[/]", c.title[:80],
        ),
        as_json=as_json, empty="no overdue cases",
    )  # fmt: skip
