"""`caunoi brief`: the morning brief (điểm tin)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from caunoi.cli.common import (
    console,
    err,
    fail,
    open_service,
    parse_at,
    parse_since,
    print_json,
)


def brief(
    since: Annotated[str, typer.Option(help="The period: 24h, 3d… before --at, or a date.")] = "24h",
    at: Annotated[str | None, typer.Option(help="The end of the period (default: now).")] = None,
    lang: Annotated[str, typer.Option(help="vi or en.")] = "vi",
    out: Annotated[Path | None, typer.Option(help="Write the HTML here.")] = None,
    email: Annotated[list[str] | None, typer.Option(help="Send it to this address (repeat).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the brief's data as JSON.")] = False,
) -> None:
    """Write the morning brief (điểm tin): top stories by priority topic and region, new alerts and
    open cases with deadlines; HTML that prints well and reads well in a mail client."""
    from caunoi.alerts import notify
    from caunoi.reports.html import brief_html, brief_text

    if lang not in ("vi", "en"):
        fail("--lang is vi or en")
    end = parse_at(at)
    start = parse_since(since, end) or end - timedelta(hours=24)
    with open_service() as service:
        data = service.brief(start, end, lang)
        settings = service.settings
    if as_json:
        print_json(data)
    html = brief_html(data, lang)
    if out is not None:
        out.write_text(html, encoding="utf-8")
        err.print(
            f"brief written to {out}"
            f" ({data['totals']['stories']} stories, {data['totals']['articles']} articles)"
        )
    if email:
        subject = ("Điểm tin " if lang == "vi" else "Morning brief ") + end.strftime("%d/%m/%Y")
        sent = notify.send_mail(settings, email, subject, html, brief_text(data, lang))
        if not sent.ok:
            fail(f"the brief was not sent: {sent.error}", code=1)
        err.print(f"brief sent to {', '.join(email)}")
    if out is None and not email and not as_json:
        console.print(html, markup=False, highlight=False, soft_wrap=True)
