"""`caunoi brief`: the morning brief (điểm tin); `caunoi report review`: the review report (báo cáo
sơ kết / tổng kết) of the whole system, a unit or a mission, as a DOCX, PDF or HTML file
(caunoi.reports.review builds it, the renderers of caunoi.reports print it)."""

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

app = typer.Typer(help="Reports: the review report (báo cáo sơ kết / tổng kết).", no_args_is_help=True)
PDF_ENGINES = ("weasyprint", "libreoffice")


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
