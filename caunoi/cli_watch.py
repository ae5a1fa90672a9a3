"""`caunoi sources …`, `caunoi fetch`, `caunoi watch`, `caunoi reprocess`: watching the web."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from caunoi.cli import app, console, err, fail, open_service, print_json
from caunoi.service import WatchLocked
from caunoi.web.sources import SAMPLE, SourceError, make_spec
from caunoi.web.urls import BadURL

sources_app = typer.Typer(
    help="The outlets to watch: add, list, show, remove, import, status.", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


@sources_app.command("add")
def sources_add(
    name: Annotated[str, typer.Argument(help="The outlet's name (unique).")],
    home: Annotated[str, typer.Option(help="Home page URL.")],
    feed: Annotated[list[str] | None, typer.Option(help="RSS/Atom feed URL (repeat for more).")] = None,
    sitemap: Annotated[list[str] | None, typer.Option(help="News sitemap or sitemap index URL.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 two-letter code, e.g. VN.")] = None,
    lang: Annotated[list[str] | None, typer.Option(help="Language code (repeat for more).")] = None,
    media_type: Annotated[str | None, typer.Option(help="newspaper, online, agency, broadcaster, …")] = None,
    origin: Annotated[str | None, typer.Option(help="domestic, foreign, diaspora or international.")] = None,
    poll_minutes: Annotated[int, typer.Option(help="Minutes between two polls.")] = 30,
    disabled: Annotated[
        bool, typer.Option("--disabled", help="Register it without watching it yet.")
    ] = False,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="It lives on a private network (intranet).")
    ] = False,
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
) -> None:
    """Add a source, or update the one with this name."""
    raw: dict[str, Any] = {
        "name": name,
        "home": home,
        "feeds": feed or [],
        "sitemaps": sitemap or [],
        "country": country,
        "languages": lang or [],
        "media_type": media_type,
        "origin": origin,
        "poll_minutes": poll_minutes,
        "enabled": not disabled,
        "allow_private": allow_private,
        "notes": notes,
    }
    try:
        spec = make_spec(raw)
    except SourceError as exc:
        fail(str(exc))
    with open_service() as service:
        source_id, created = service.add_source(spec)
    console.print(
        f"{'added' if created else 'updated'} source {source_id}: [bold]{spec.name}[/]", highlight=False
    )


@sources_app.command("import")
def sources_import(
    file: Annotated[Path | None, typer.Argument(help="A YAML or CSV file of sources.")] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help=f"Import the shipped sample list ({SAMPLE.name}).")
    ] = False,
) -> None:
    """Add or update every source in a file; one bad entry refuses the whole file."""
    if (file is None) == (not sample):
        fail("give a FILE or --sample")
    path = SAMPLE if sample else file
    assert path is not None
    with open_service() as service:
        try:
            added, updated = service.import_sources(path)
        except SourceError as exc:
            fail(str(exc))
    console.print(f"{path.name}: [green]{added} added[/], {updated} updated")


@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every source, one line each."""
    with open_service() as service:
        rows = service.crawl.list_sources()
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "origin", "country", "langs", "feeds", "sitemaps", "every", "on")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["name"],
            r["origin"] or "",
            r["country"] or "",
            ",".join(r["languages"]),
            str(len(r["feeds"])),
            str(len(r["sitemaps"])),
            f"{r['poll_minutes']} min",
            "yes" if r["enabled"] else "no",
        )
    console.print(table)


@sources_app.command("show")
def sources_show(
    name: Annotated[str, typer.Argument(help="Name or id.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One source: its settings, its feeds and sitemaps with their state."""
    with open_service() as service:
        found = service.crawl.find_source(name)
    if found is None:
        fail(f"no source named {name!r}")
    assert found is not None
    if as_json:
        print_json(found)
        return
    for key in (
        "id",
        "name",
        "home",
        "country",
        "languages",
        "media_type",
        "origin",
        "poll_minutes",
        "enabled",
        "allow_private",
        "notes",
        "last_success_at",
        "last_error",
        "failures",
        "next_poll_at",
    ):
        console.print(f"[bold]{key}[/]: {found[key]}", highlight=False)
    for lst in found["listings"]:
        state = f"error: {lst['last_error']}" if lst["last_error"] else f"ok, {lst['last_links']} links"
        console.print(
            f"  {lst['kind']} {lst['url']} — {_when(lst['last_fetched_at'])} {state}", highlight=False
        )


@sources_app.command("remove")
def sources_remove(name: Annotated[str, typer.Argument(help="Name or id.")]) -> None:
    """Stop watching a source and forget it (its articles stay)."""
    with open_service() as service:
        if not service.crawl.remove_source(name):
            fail(f"no source named {name!r}")
    console.print(f"removed {name}")


@sources_app.command("enable")
def sources_enable(name: Annotated[str, typer.Argument(help="Name or id.")]) -> None:
    """Watch this source again."""
    with open_service() as service:
        if not service.crawl.set_enabled(name, True):
            fail(f"no source named {name!r}")


@sources_app.command("disable")
def sources_disable(name: Annotated[str, typer.Argument(help="Name or id.")]) -> None:
    """Keep the source but stop polling it."""
    with open_service() as service:
        if not service.crawl.set_enabled(name, False):
            fail(f"no source named {name!r}")


@sources_app.command("status")
def sources_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Health: last success, last error, articles per day (7 days), pages waiting, dead feeds."""
    with open_service() as service:
        rows = service.crawl.status(datetime.now())
    if as_json:
        print_json(rows)
        return
    table = Table("name", "last success", "last error", "art/day", "waiting", "state")
    for r in rows:
        state = "[red]DEAD[/]" if r["dead"] else ("off" if not r["enabled"] else "ok")
        if r["dead_listings"] and not r["dead"]:
            state = f"[yellow]{len(r['dead_listings'])} dead feed(s)[/]"
        error = f"{_when(r['last_error_at'])} {r['last_error'] or ''}"[:80] if r["last_error"] else ""
        table.add_row(
            r["name"],
            _when(r["last_success_at"]),
            error,
            f"{r['articles_per_day']:.1f}",
            str(r["pending"]),
            state,
        )
    console.print(table)


@app.command()
def fetch(
    url: Annotated[str, typer.Argument(help="An article page URL.")],
    source: Annotated[str | None, typer.Option(help="File it under this registered source.")] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="The page is on a private network (its host only).")
    ] = False,
    again: Annotated[bool, typer.Option("--again", help="Fetch even if it was fetched before.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fetch one page now, politely, and store its article."""
    with open_service() as service:
        try:
            result = asyncio.run(
                service.fetch_url(url, source=source, allow_private=allow_private, again=again)
            )
        except (BadURL, ValueError) as exc:
            fail(str(exc))
    if as_json:
        print_json(result)
        return
    state = result["state"]
    if result.get("article_id"):
        console.print(f"{state}: article {result['article_id']} (caunoi show {result['article_id']})")
    else:
        fail(f"{result['url']}: {state}: {result.get('error')}", code=1)


@app.command()
def watch(
    once: Annotated[
        bool, typer.Option("--once", help="One round (poll what is due, fetch), then exit.")
    ] = False,
    source: Annotated[list[str] | None, typer.Option(help="Only this source (repeat for more).")] = None,
    now: Annotated[bool, typer.Option("--now", help="Poll every enabled source now, due or not.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print each round's report as JSON.")] = False,
) -> None:
    """Poll every enabled source on its interval and fetch new articles, until Ctrl-C or SIGTERM.

    Stopping is clean: pages being fetched when the signal comes are left queued and fetched on
    the next start; nothing is stored twice."""
    with open_service() as service:
        only = None
        if source:
            only = []
            for name in source:
                found = service.crawl.find_source(name)
                if found is None:
                    fail(f"no source named {name!r}")
                only.append(found["id"])  # type: ignore[index]
        if not service.crawl.list_sources():
            fail("no sources yet: add one with `caunoi sources add` or `caunoi sources import --sample`")
        try:
            with service.watch_lock():
                asyncio.run(_watch(service, only, once, now, as_json))
        except WatchLocked as exc:
            fail(str(exc))


async def _watch(service, only: list[int] | None, once: bool, force: bool, as_json: bool) -> None:
    async with service.watcher() as watcher:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, watcher.stop.set)

        def report(result: dict[str, Any]) -> None:
            if as_json:
                print_json(result)
                return
            fetched = result["fetched"]
            if result.get("error"):
                err.print(
                    f"[red]round failed[/] {result['error']} (see --verbose); retrying", highlight=False
                )
            for poll in result["polled"]:
                line = f"{poll['source']}: {poll['new']} new of {poll['links']} links"
                if poll["not_modified"]:
                    line += f", {poll['not_modified']} unchanged"
                console.print(line, highlight=False)
                for error in poll["errors"]:
                    err.print(f"  [yellow]error[/] {error}", highlight=False)
            if fetched["fetched"] or fetched["failed"]:
                console.print(
                    f"[{datetime.now():%H:%M:%S}] fetched {fetched['fetched']}: "
                    f"[green]{fetched['added']} new articles[/], {fetched['duplicates']} duplicates, "
                    f"{len(fetched['skipped'])} without an article, "
                    f"[yellow]{len(fetched['failed'])} failed[/]",
                    highlight=False,
                )
                for item in fetched["failed"][:10]:
                    err.print(f"  [yellow]failed[/] {item['url']}: {item['error']}", highlight=False)

        try:
            if once:
                report(await watcher.run_once(only, force))
            else:
                if force:
                    report(await watcher.run_once(only, True))
                if not as_json:
                    console.print("watching; Ctrl-C to stop")
                await watcher.run_forever(on_round=report)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
    if watcher.stop.is_set() and not as_json:
        console.print("stopped; queued pages will be fetched on the next start")


@app.command()
def reprocess(
    source: Annotated[str | None, typer.Option(help="Only pages of this source.")] = None,
    url: Annotated[str | None, typer.Option(help="Only this page.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Extract and process fetched pages again from their kept raw bytes, without fetching."""
    with open_service() as service:
        total = None if (source or url) else len(service.crawl.replay_jobs())
        progress = Progress(
            TextColumn("[bold]reprocess"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            disable=as_json or not err.is_terminal,
        )
        with progress:
            task = progress.add_task("reprocess", total=total)
            try:
                counts = service.reprocess(source=source, url=url, on_page=lambda: progress.advance(task))
            except (BadURL, ValueError) as exc:
                fail(str(exc))
    if as_json:
        print_json(counts)
        return
    console.print(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
