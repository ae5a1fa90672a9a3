"""`caunoi check`: the store's integrity, checked (caunoi.integrity), for an operator after a crash,
a restore or a hand-made change; exit code 0 when it is whole, 1 when a check found a problem."""

from __future__ import annotations

import typer
from rich.markup import escape

from caunoi.cli.common import AsJson, console, err, open_service, print_json, progress_bar


def check(as_json: AsJson = False) -> None:
    """Check the store: the database's own integrity checks (SQLite's integrity_check and its
    full-text index's), then that every article is stored once, indexed once, with its origin, and
    that enrichments, tags, stories and their counts point at what is there. Exit code 1 when a
    check finds a problem; each says what to do."""
    with open_service() as service:
        bar = progress_bar("checking", quiet=as_json)
        with bar:
            task = bar.add_task("", total=None)
            report = service.check(lambda name: bar.update(task, advance=1, description=name))
    if as_json:
        print_json(report.to_json())
    elif report.clean:
        console.print(
            f"[green]the store is whole[/]: {len(report.checks)} checks ({report.backend}) found nothing "
            "wrong",
            highlight=False,
        )
    else:
        for p in report.problems:
            shown = ", ".join(str(e) for e in p.examples[:5]) + (", …" if p.count > 5 else "")
            err.print(f"[bold red]✗ {p.check}[/]: {p.count} — {escape(p.what)}", highlight=False)
            err.print(f"  e.g. {escape(shown)}", style="dim", highlight=False)
            err.print(f"  [bold]what to do:[/] {escape(p.fix)}", highlight=False)
        err.print(
            f"[bold red]{len(report.problems)} of {len(report.checks)} checks found problems[/] "
            f"({report.backend} store); back up the store (`caunoi backup`) before mending it",
            highlight=False,
        )
    if not report.clean:
        raise typer.Exit(1)
