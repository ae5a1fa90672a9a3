"""`caunoi brief …`: the morning brief (điểm tin) of a period or of an analyst's saved edition, and
the editions saved on the brief's web page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

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
    said_sent,
    serving,
    show_rows,
    when,
)

app = typer.Typer(
    help="The morning brief (điểm tin): write it, mail it; its saved editions.",
    invoke_without_command=True,
)


@app.callback()
def brief(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="The period: 24h, 3d… before --at, or a date.")] = "24h",
    at: Annotated[str | None, typer.Option(help="The end of the period (default: now).")] = None,
    lang: Annotated[str, typer.Option(help="vi or en.")] = "vi",
    edition: Annotated[
        int | None, typer.Option(help="A saved edition instead (its period, language, stories, comments).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the HTML here.")] = None,
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
    from caunoi.reports.html import brief_mail

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
        sent = []
        if channel:
            sent = service.editions.mail((subject, html, text), channel, actor(by), edition_id=edition)
        settings = service.settings
    if as_json:
        print_json(data)
    if out is not None:
        out.write_text(html, encoding="utf-8")
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


@app.command("editions")
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


@app.command("send-due")
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
