"""`caunoi stories`, `caunoi story`: the stories the stream was clustered into."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from caunoi.cli.common import (
    console,
    err,
    fail,
    open_service,
    parse_at,
    parse_since,
    print_json,
)
from caunoi.models import as_json as json_of


def update_with_progress(service, rebuild: bool, quiet: bool) -> dict:
    """Run duplicate detection and clustering over what is new, with a progress bar."""
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
        disable=quiet or not err.is_terminal,
    )  # fmt: skip
    tasks: dict[str, int] = {}

    def advance(stage: str, n: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=None)
        progress.advance(tasks[stage], n)

    with progress:
        return service.update_stories(rebuild=rebuild, on_batch=advance).to_json()


def stories(
    since: Annotated[str | None, typer.Option(help="Last seen within: 24h, 7d, 2w, or since a date.")] = None,
    at: Annotated[str | None, typer.Option(help="Count --since back from this time, not from now.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only stories with an article on this topic.")] = None,
    min_articles: Annotated[int, typer.Option(help="Only stories with at least this many articles.")] = 1,
    limit: Annotated[int, typer.Option(help="How many stories to list.")] = 30,
    update: Annotated[bool, typer.Option("--update", help="Cluster new articles first.")] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop every story and cluster the whole store again first.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The stories in the store, biggest first: articles (reprints counted once), outlets, languages.
    Ingest and watch keep them up to date; --update or --rebuild cluster on demand."""
    when = parse_since(since, parse_at(at))
    with open_service() as service:
        done = update_with_progress(service, rebuild, as_json) if update or rebuild else None
        rows = service.story_list(since=when, topic=topic, limit=limit, min_articles=min_articles)
    if as_json:
        print_json(json_of({"updated": done, "stories": rows} if done is not None else rows))
        return
    if done is not None:
        console.print(
            f"clustered {done['clustered']} articles ({done['opened']} new stories); "
            f"{done['copies']} reprints found among {done['signed']} new articles",
            style="dim",
        )
    if not rows:
        console.print("no stories" + (" in that window" if when else " yet: ingest or watch first"))
        return
    table = Table(box=None)
    for column in ("id", "articles", "reprints", "outlets", "languages", "last seen", "title"):
        table.add_column(
            column, justify="right" if column in ("id", "articles", "reprints", "outlets") else "left"
        )
    for r in rows:
        table.add_row(
            str(r.id), str(r.articles), str(r.reprints), str(r.outlets), ",".join(r.languages),
            f"{r.last_seen:%Y-%m-%d %H:%M}", r.title[:100],
        )  # fmt: skip
    console.print(table)


def story(
    story_id: Annotated[int, typer.Argument(help="Story id, as `caunoi stories` prints it.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One story: summary, timeline, outlets, countries, languages, tone by day, topics, articles."""
    with open_service() as service:
        data = service.story(story_id)
    if data is None:
        fail(f"no story with id {story_id}", code=1)
    if as_json:
        print_json(json_of(data))
        return
    console.print(f"[bold]{data.title}[/]")
    console.print(
        f"#{data.id} · {data.articles} articles (+{data.reprints} reprints) · "
        f"{data.first_seen:%Y-%m-%d} … {data.last_seen:%Y-%m-%d}"
        + (f" · tone {data.tone:+.1f}" if data.tone is not None else ""),
        style="dim",
    )
    for s in data.summary:
        console.print(
            f"  • {s['text']} [dim]({s['source'] or '#' + str(s['article_id'])})[/]", highlight=False
        )
    for label, counts in (("outlets", data.outlets), ("countries", data.countries), ("topics", data.topics)):
        if counts:
            console.print(
                f"[dim]{label}:[/] " + ", ".join(f"{k} {n}" for k, n in counts[:10]), highlight=False
            )
    table = Table(title="timeline", box=None)
    for column in ("day", "articles", "tone", "first article"):
        table.add_column(column)
    for day in data.timeline:
        tone = f"{day['tone']:+.1f}" if day["tone"] is not None else ""
        table.add_row(day["day"], str(day["articles"]), tone, day["first"]["title"][:90])
    console.print(table)
    table = Table(title="articles", box=None)
    for column in ("id", "published", "source", "lang", "title"):
        table.add_column(column)
    for item in data.items[:50]:
        reprint = f" [dim](reprint of #{item['reprint_of']})[/]" if item["reprint_of"] else ""
        table.add_row(
            str(item["id"]), item["published"][:16].replace("T", " "), item["source"] or "",
            item["lang"] or "",
            item["title"][:80] + reprint,
        )  # fmt: skip
    console.print(table)
