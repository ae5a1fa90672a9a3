"""`caunoi stories`, `caunoi story`: the stories the stream was clustered into."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Column

from caunoi.cli.common import (
    AsJson,
    console,
    found,
    open_service,
    parse_at,
    parse_since,
    print_json,
    progress_bar,
    show_rows,
)


def update_with_progress(service, rebuild: bool, quiet: bool) -> dict:
    """Run duplicate detection and clustering over what is new, with a progress bar."""
    progress = progress_bar("{task.description}", quiet=quiet)
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
    as_json: AsJson = False,
) -> None:
    """The stories in the store, biggest first: articles (reprints counted once), outlets, languages.
    Ingest and watch keep them up to date; --update or --rebuild cluster on demand."""
    when = parse_since(since, parse_at(at))
    with open_service() as service:
        done = update_with_progress(service, rebuild, as_json) if update or rebuild else None
        rows = service.story_list(since=when, topic=topic, limit=limit, min_articles=min_articles)
    if as_json and done is not None:
        print_json({"updated": done, "stories": rows})
        return
    if done is not None:
        console.print(
            f"clustered {done['clustered']} articles ({done['opened']} new stories); "
            f"{done['copies']} reprints found among {done['signed']} new articles",
            style="dim",
        )
    show_rows(
        rows,
        [*(Column(c, justify="right") for c in ("id", "articles", "reprints", "outlets")),
         "languages", "last seen", "title"],
        lambda r: (
            str(r.id), str(r.articles), str(r.reprints), str(r.outlets), ",".join(r.languages),
            f"{r.last_seen:%Y-%m-%d %H:%M}", r.title[:100],
        ),
        as_json=as_json, empty="no stories" + (" in that window" if when else " yet: ingest or watch first"),
    )  # fmt: skip


def story(
    story_id: Annotated[int, typer.Argument(help="Story id, as `caunoi stories` prints it.")],
    as_json: AsJson = False,
) -> None:
    """One story: summary, timeline, outlets, countries, languages, tone by day, topics, articles."""
    with open_service() as service:
        data = found(service.story(story_id), "story", story_id)
    if as_json:
        print_json(data)
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
    show_rows(
        data.timeline, ("day", "articles", "tone", "first article"),
        lambda day: (
            day["day"], str(day["articles"]), f"{day['tone']:+.1f}" if day["tone"] is not None else "",
            day["first"]["title"][:90],
        ),
        title="timeline",
    )  # fmt: skip
    show_rows(
        data.items[:50], ("id", "published", "source", "lang", "title"),
        lambda item: (
            str(item["id"]), item["published"][:16].replace("T", " "), item["source"] or "",
            item["lang"] or "", item["title"][:80] + _reprint(item),
        ),
        title="articles",
    )  # fmt: skip


def _reprint(item: dict[str, Any]) -> str:
    return f" [dim](reprint of #{item['reprint_of']})[/]" if item["reprint_of"] else ""
