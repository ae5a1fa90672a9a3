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
    serving,
    show_rows,
    sparkline,
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
    at: Annotated[
        str | None,
        typer.Option(
            help="Count --since back from this time, not from now (--rising: the window ends then)."
        ),
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Only stories with an article on this topic.")] = None,
    min_articles: Annotated[
        int | None,
        typer.Option(help="Only stories with at least this many articles (1; --rising: in the window, 3)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many stories to list.")] = 30,
    rising: Annotated[
        bool, typer.Option("--rising", help="The stories growing faster than their own baseline, most first.")
    ] = False,
    hours: Annotated[int, typer.Option(help="--rising: the window, in hours.")] = 24,
    baseline_days: Annotated[int, typer.Option(help="--rising: days of windows before it (baseline).")] = 7,
    z: Annotated[float, typer.Option(help="--rising: standard deviations above the baseline.")] = 3.0,
    origin: Annotated[
        str | None,
        typer.Option(
            help="--rising: count only articles from outlets of this origin: domestic, foreign, "
            "diaspora, international or unknown."
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option(help="--rising: count only articles in this language.")] = None,
    every: Annotated[
        bool, typer.Option("--all", help="--rising: every story of the window, the rising ones marked.")
    ] = False,
    update: Annotated[bool, typer.Option("--update", help="Cluster new articles first.")] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop every story and cluster the whole store again first.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """The stories in the store, biggest first: articles (reprints counted once), outlets, languages.
    --rising lists those growing faster than their own baseline instead (new: first seen in the
    window). Ingest and watch keep them up to date; --update or --rebuild cluster on demand."""
    with serving() as service:
        done = update_with_progress(service, rebuild, as_json) if update or rebuild else None
        if rising:  # with no --at: now, or the end of the store's latest day when it is older
            from caunoi.stories.rising import MIN_COUNT, RisingRequest

            asked = RisingRequest(
                parse_at(at) if at else None, hours, baseline_days, z, min_articles or MIN_COUNT, topic,
                origin, lang, every=every, limit=limit,
            )  # fmt: skip
            found = service.rising_stories(asked)
            rows = found.stories
            empty = f"no story rising in the {hours} h to {found.request.at:%Y-%m-%d %H:%M}"
        else:
            when = parse_since(since, parse_at(at))
            rows = service.story_list(since=when, topic=topic, limit=limit, min_articles=min_articles or 1)
            empty = "no stories" + (" in that window" if when else " yet: ingest or watch first")
    if as_json and done is not None:
        print_json({"updated": done, "stories": rows})
        return
    if done is not None:
        console.print(
            f"clustered {done['clustered']} articles ({done['opened']} new stories); "
            f"{done['copies']} reprints found among {done['signed']} new articles",
            style="dim",
        )
    if rising:
        _show_rising(rows, hours, as_json, empty)
        return
    show_rows(
        rows,
        [*(Column(c, justify="right") for c in ("id", "articles", "reprints", "outlets")),
         "languages", "last seen", "title"],
        lambda r: (
            str(r.id), str(r.articles), str(r.reprints), str(r.outlets), ",".join(r.languages),
            f"{r.last_seen:%Y-%m-%d %H:%M}", r.title[:100],
        ),
        as_json=as_json, empty=empty,
    )  # fmt: skip


def _show_rising(rows: list[Any], hours: int, as_json: bool, empty: str) -> None:
    figures = (Column(c, justify="right") for c in (f"{hours} h", "usually", "ratio", "z"))
    show_rows(
        rows, [Column("id", justify="right"), "", *figures, "windows", "title"],
        lambda r: (
            str(r.id), " ".join(m for m, on in (("new", r.growth.new), ("rising", r.growth.rising)) if on),
            str(r.growth.count), f"{r.growth.mean:.1f}", f"×{r.growth.ratio:.1f}", f"{r.growth.z:.1f}",
            sparkline(r.growth.counts), r.title[:90],
        ),
        as_json=as_json, empty=empty,
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
