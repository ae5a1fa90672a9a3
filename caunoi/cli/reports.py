"""`caunoi brief …`: the morning brief (điểm tin) of a period or of an analyst's saved edition, the
editions saved on the brief's page, and the scheduled brief and digest sent when due. `caunoi report
review`: the review report (báo cáo sơ kết / tổng kết) of the whole system, a unit or a mission, as
a DOCX, PDF or HTML file (caunoi.reports.review builds it, the renderers of caunoi.reports print it);
`caunoi report draft …`: the drafts of review reports people write (caunoi.reports.drafts) — new,
list, show, edit, pull, export."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape  # what people typed is never markup

from caunoi.cli.common import (
    AsJson,
    By,
    actor,
    console,
    err,
    fail,
    open_service,
    parse_at,
    parse_since,
    print_json,
    refusals,
    said,
    said_sent,
    serving,
    show_rows,
    when,
)

if TYPE_CHECKING:
    from caunoi.reports.drafts import Draft

app = typer.Typer(help="Reports: the review report (báo cáo sơ kết / tổng kết).", no_args_is_help=True)
PDF_ENGINES = ("weasyprint", "libreoffice")


# -- the morning brief --------------------------------------------------------------------------

brief_app = typer.Typer(
    help="The morning brief (điểm tin): write it, mail it; its saved editions.",
    invoke_without_command=True,
)


@brief_app.callback()
def brief(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="The period: 24h, 3d… before --at, or a date.")] = "24h",
    at: Annotated[str | None, typer.Option(help="The end of the period (default: now).")] = None,
    lang: Annotated[str, typer.Option(help="vi or en.")] = "vi",
    edition: Annotated[
        int | None, typer.Option(help="A saved edition instead (its period, language, stories, comments).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write it here: .html (the mail's page), .pdf or .docx.")
    ] = None,
    email: Annotated[list[str] | None, typer.Option(help="Send it to this address (repeat).")] = None,
    channel: Annotated[
        list[str] | None, typer.Option(help="Send it to this e-mail channel, recorded (repeat).")
    ] = None,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the brief's data as JSON.")] = False,
) -> None:
    """Write the morning brief (điểm tin): top stories by priority topic and region, new alerts and
    open cases with deadlines; HTML that prints well and reads well in a mail client."""
    if ctx.invoked_subcommand is not None:
        return
    from caunoi.alerts import notify
    from caunoi.reports.brief import brief_file
    from caunoi.reports.html import brief_mail
    from caunoi.reports.review import output_format

    if lang not in ("vi", "en"):
        fail("--lang is vi or en")
    end = parse_at(at)
    start = parse_since(since, end) or end - timedelta(hours=24)
    with open_service() as service, refusals():
        if edition is not None:
            saved = service.editions.get(edition)
            data, lang = service.editions.brief(saved), saved.lang
        else:
            data = service.brief(start, end, lang)
        subject, html, text = brief_mail(data, lang)
        content = html.encode("utf-8")
        if out is not None and (form := output_format(out.name)) != "html":
            content = brief_file({**data, "lang": lang}, service.settings, form)
        sent = []
        if channel:
            sent = service.editions.mail((subject, html, text), channel, actor(by), edition_id=edition)
        settings = service.settings
    if as_json:
        print_json(data)
    if out is not None:
        out.write_bytes(content)
        kept, totals = sum(len(g["stories"]) for g in data["groups"]), data["totals"]
        err.print(
            f"brief written to {out} ({kept} of {totals['stories']} stories, {totals['articles']} articles)"
        )
    for one in sent:
        said = (
            f"brief sent to {one.channel} ({one.target})"
            if one.ok
            else f"not sent to {one.channel}: {one.error}"
        )
        err.print(said, highlight=False, markup=False)
    if email:
        mailed = notify.send_mail(settings, email, subject, html, text)
        if not mailed.ok:
            fail(f"the brief was not sent: {mailed.error}", code=1)
        err.print(f"brief sent to {', '.join(email)}")
    if any(not one.ok for one in sent):
        raise typer.Exit(1)
    if out is None and not email and not channel and not as_json:
        console.print(html, markup=False, highlight=False, soft_wrap=True)


@brief_app.command("editions")
def editions(
    limit: Annotated[int, typer.Option(help="How many, latest first.")] = 20, as_json: AsJson = False
) -> None:
    """The editions analysts saved on the brief's page (/brief): write one with --edition ID."""
    with serving("editions") as found:
        listed = found.list(limit)
    show_rows(
        listed, ("id", "period", "lang", "stories", "updated", "by", "sent"),
        lambda e: (str(e.id), f"{when(e.start)} – {when(e.end)}", e.lang, str(len(e.chosen)),
                   when(e.updated_at), e.updated_by or "", when(e.sent_at)),
        as_json=as_json, empty="no editions yet: make one on the brief's page, /brief",
    )  # fmt: skip


@brief_app.command("send-due")
def send_due(
    at: Annotated[str | None, typer.Option(help="As if it were this time (default: now).")] = None,
    as_json: AsJson = False,
) -> None:
    """Mail the scheduled brief and digest if they are due and not sent yet (settings brief_daily_at,
    brief_weekly_at, brief_channels): for cron, when `caunoi watch` does not run. Sends each once."""
    with serving() as service:
        settings = service.settings
        if not settings.brief_channels or not (settings.brief_daily_at or settings.brief_weekly_at):
            fail("nothing is scheduled: set brief_daily_at or brief_weekly_at, and brief_channels")
        sent = service.send_due_briefs(parse_at(at) if at else None)
    if as_json:
        print_json(sent)
    else:
        said_sent(sent)
        if not sent:
            console.print("nothing due")
    if any(not one["ok"] for one in sent):
        raise typer.Exit(1)


# -- review reports -------------------------------------------------------------------------------


@app.command("review")
def review(
    start: Annotated[str, typer.Option("--from", help="The first day (2026-01-01 or 01/01/2026).")],
    last: Annotated[str, typer.Option("--to", help="The last day, included.")],
    out: Annotated[Path | None, typer.Option(help="Write it to this .docx, .pdf or .html file.")] = None,
    unit: Annotated[
        str | None, typer.Option(help="A unit's or mission's report (default: the whole system).")
    ] = None,
    style: Annotated[
        str, typer.Option(help="state (Nghị định 30/2020) or party (Hướng dẫn 36-HD/VPTW).")
    ] = "state",
    lang: Annotated[str, typer.Option(help="vi or en: the report's language, and this command's.")] = "vi",
    pdf_engine: Annotated[
        str | None, typer.Option(help="For a .pdf: weasyprint or libreoffice (default: what is installed).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's figures as JSON instead.")
    ] = False,
) -> None:
    """Write the review report (báo cáo sơ kết / tổng kết) from the store's data: monitoring, rapid
    response and outreach, each figure against the period before and the same period a year
    before; sections II–IV are left for the unit to write. Days are read in the setting `timezone`."""
    from caunoi.errors import CaunoiError
    from caunoi.i18n import refusal
    from caunoi.reports.review import build_review, output_format, render, review_figures, said

    if lang not in ("vi", "en"):
        fail("--lang is vi or en")
    if out is None and not as_json:
        fail(said("no_out", lang))
    if pdf_engine is not None and pdf_engine not in PDF_ENGINES:
        fail(f"--pdf-engine is {' or '.join(PDF_ENGINES)}")
    with open_service() as service:
        try:
            form = output_format(out.name) if out is not None and not as_json else None
            with err.status(said("building", lang), spinner="dots"):
                if as_json:
                    figures = review_figures(service, start=start, last=last, unit=unit)
                else:
                    document = build_review(
                        service, start=start, last=last, unit=unit, style=style, lang=lang
                    )
                    content = render(document, form, pdf_engine)
        except CaunoiError as exc:  # a bad period, style or file name, an unknown unit: refused
            fail(refusal(exc, lang) or str(exc))
    if as_json:
        print_json(figures)
        return
    assert out is not None
    out.write_bytes(content)
    err.print(said("written", lang, path=out, size=f"{len(content) / 1024:.0f}"), highlight=False)


# -- drafts of review reports ---------------------------------------------------------------------

draft_app = typer.Typer(
    help="Drafts of review reports: new, list, show, edit (the sections people write), pull (a mission's "
    "draft into the whole system's), export.",
    no_args_is_help=True,
)
app.add_typer(draft_app, name="draft")

DraftId = Annotated[int, typer.Argument(help="The draft's id.", min=1)]
SectionText = Annotated[
    str | None, typer.Option(help="The section's text (paragraphs split by an empty line).")
]
SectionFile = Annotated[Path | None, typer.Option(help="…or a UTF-8 file holding it.", dir_okay=False)]
Style = Annotated[str | None, typer.Option(help="state (Nghị định 30/2020) or party (Hướng dẫn 36-HD/VPTW).")]
Lang = Annotated[str | None, typer.Option(help="The report's language: vi or en.")]
Number = Annotated[str | None, typer.Option(help="The document's number (e.g. 12); empty text clears it.")]
Subject = Annotated[
    str | None, typer.Option(help="The subject line; empty text: the one made from the period.")
]
First = Annotated[
    str | None, typer.Option("--from", help="The first day (default: the current half-year's).")
]
Last = Annotated[str | None, typer.Option("--to", help="The last day, included.")]


def _draft_line(draft: Draft) -> str:
    scope = draft.unit or "whole system"
    return f"draft {draft.id}: {scope}, {draft.starts_on} – {draft.ends_on}, {draft.state}"


@draft_app.command("new")
def draft_new(
    start: First = None,
    last: Last = None,
    unit: Annotated[str | None, typer.Option(help="A unit or mission (default: the whole system).")] = None,
    style: Style = None,
    lang: Lang = None,
    number: Number = None,
    subject: Subject = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Start a draft of a review report: its period, unit, layout and language; write its sections
    with `edit`, see it with `export`."""
    given = {"style": style, "lang": lang, "number": number, "subject": subject}
    with serving("drafts") as drafts:
        draft = drafts.create(by=actor(by), starts_on=start, ends_on=last, unit=unit,
                              **{k: v for k, v in given.items() if v is not None})  # fmt: skip
    said(draft, as_json, escape(_draft_line(draft)), highlight=False)


@draft_app.command("list")
def draft_list(
    unit: Annotated[str | None, typer.Option(help="A unit's or mission's drafts.")] = None,
    state: Annotated[str | None, typer.Option(help="draft or final.")] = None,
    start: First = None,
    last: Last = None,
    as_json: AsJson = False,
) -> None:
    """Drafts, the latest period first, the whole system's before the units'."""
    with serving("drafts") as drafts:
        found = drafts.list(unit=unit, state=state, starts_on=start, ends_on=last)
    show_rows(
        found, ["id", "unit", "period", "state", "style", "lang", "pulled", "updated"],
        lambda d: (str(d.id), d.unit or "(whole system)", f"{d.starts_on} – {d.ends_on}", d.state,
                   d.style, d.lang, ", ".join(map(str, d.pulled)),
                   f"{when(d.updated_at)} {escape(d.updated_by or '')}"),
        as_json=as_json, empty="no drafts",
    )  # fmt: skip


@draft_app.command("show")
def draft_show(draft_id: DraftId, as_json: AsJson = False) -> None:
    """One draft: its details, its sections and its history (which words of which section changed)."""
    from caunoi.reports.drafts import NARRATIVE, changed_words

    with serving("drafts") as drafts:
        draft = drafts.get(draft_id)
    if as_json:
        print_json(draft)
        return
    console.print(f"[bold]{escape(_draft_line(draft))}[/]", highlight=False)
    for label, value in (("style", draft.style), ("lang", draft.lang), ("number", draft.number),
                         ("subject", draft.subject), ("pulled", ", ".join(map(str, draft.pulled))),
                         ("updated", f"{when(draft.updated_at)} {draft.updated_by or ''}")):  # fmt: skip
        if value:
            console.print(f"[bold]{label}[/]: {escape(str(value))}", highlight=False)
    for key in NARRATIVE:
        console.print(f"\n[bold]{key}[/]")
        console.print(escape(draft.narrative[key]) or "[dim](not written)[/]", highlight=False)
    console.print("\n[bold]history[/]")
    for entry in draft.history:
        changes = []
        for name, (before, after) in entry["changes"].items():
            if name in NARRATIVE:
                changes.append(f"{name}: " + ("; ".join(changed_words(before, after)) or "—"))
            else:
                changes.append(f"{name}: {before if before is not None else '—'} → {after}")
        console.print(f"  {when(entry['at'])} {escape(entry['actor'])} [bold]{entry['action']}[/] "
                      f"{escape(' | '.join(changes))}", highlight=False)  # fmt: skip


def _section(text: str | None, file: Path | None, option: str) -> str | None:
    """--OPTION TEXT or --OPTION-file PATH (UTF-8), or None when neither is given."""
    if text is not None and file is not None:
        fail(f"give --{option} or --{option}-file, not both")
    if file is None:
        return text
    try:
        return file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        fail(f"cannot read {file}: not UTF-8 text")


@draft_app.command("edit")
def draft_edit(
    draft_id: DraftId,
    limitations: SectionText = None,
    limitations_file: SectionFile = None,
    causes: SectionText = None,
    causes_file: SectionFile = None,
    directions: SectionText = None,
    directions_file: SectionFile = None,
    recommendations: SectionText = None,
    recommendations_file: SectionFile = None,
    start: First = None,
    last: Last = None,
    style: Style = None,
    lang: Lang = None,
    number: Number = None,
    subject: Subject = None,
    state: Annotated[
        str | None, typer.Option(help="final: finalise it (after the changes); draft: reopen it.")
    ] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Change a draft: a section given replaces its text (an empty text clears it), the others keep
    theirs; --state final finalises it, --state draft reopens it."""
    if state not in (None, "draft", "final"):
        fail("--state is draft or final")
    sections = {
        "limitations": _section(limitations, limitations_file, "limitations"),
        "causes": _section(causes, causes_file, "causes"),
        "directions": _section(directions, directions_file, "directions"),
        "recommendations": _section(recommendations, recommendations_file, "recommendations"),
    }
    given = {"starts_on": start, "ends_on": last, "style": style, "lang": lang, "number": number,
             "subject": subject, **sections}  # fmt: skip
    changes = {k: v for k, v in given.items() if v is not None}
    who = actor(by)
    with serving("drafts") as drafts:
        if state == "draft":
            drafts.reopen(draft_id, by=who)
        if changes:
            drafts.edit(draft_id, by=who, **changes)
        if state == "final":
            drafts.finalise(draft_id, by=who)
        draft = drafts.get(draft_id)
    said(draft, as_json, escape(_draft_line(draft)), highlight=False)


@draft_app.command("pull")
def draft_pull(
    draft_id: DraftId,
    source: Annotated[int, typer.Argument(help="The unit's or mission's draft to pull in.", min=1)],
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Pull a unit's or mission's draft of the same period into the whole system's draft: each section
    gets its text under the unit's name; pulling it again replaces that text."""
    with serving("drafts") as drafts:
        draft = drafts.pull(draft_id, source, by=actor(by))
    said(draft, as_json, escape(_draft_line(draft) + f", pulled {', '.join(map(str, draft.pulled))}"),
         highlight=False)  # fmt: skip


@draft_app.command("export")
def draft_export(
    draft_id: DraftId,
    out: Annotated[Path, typer.Option(help="Write it to this .docx, .pdf or .html file.")],
    pdf_engine: Annotated[
        str | None, typer.Option(help="For a .pdf: weasyprint or libreoffice (default: what is installed).")
    ] = None,
) -> None:
    """Write the draft's review report: the figures of its period as they are now, with its sections."""
    from caunoi.reports.review import output_format, render

    if pdf_engine is not None and pdf_engine not in PDF_ENGINES:
        fail(f"--pdf-engine is {' or '.join(PDF_ENGINES)}")
    with serving("drafts") as drafts:
        form = output_format(out.name)
        with err.status("building the report…", spinner="dots"):
            content = render(drafts.document(draft_id), form, pdf_engine)
    out.write_bytes(content)
    err.print(f"report written to {out} ({len(content) / 1024:.0f} KiB)", highlight=False, markup=False)
