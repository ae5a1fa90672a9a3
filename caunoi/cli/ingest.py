"""`caunoi ingest`, `enrich`, `fetch`, `watch`, `reprocess`: bringing articles in and processing them."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import TextColumn, TimeRemainingColumn

from caunoi.cli.common import (
    AsJson,
    console,
    err,
    fail,
    open_service,
    print_json,
    progress_bar,
    refusals,
    said,
    said_sent,
)
from caunoi.errors import CaunoiError, Conflict, Unavailable


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (read recursively).", exists=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workers: Annotated[int | None, typer.Option(help="Process-pool size; 0 runs in this process.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Articles per transaction.")] = None,
) -> None:
    """Read txt, html, json/jsonl, csv and WARC files; clean, date and store every article."""
    with open_service(workers=workers, batch_size=batch_size) as service, refusals():
        from caunoi.ingest.files import discover

        files = list(discover(paths))
        progress = progress_bar("ingest", TextColumn("files"), TimeRemainingColumn(), quiet=as_json)
        with progress:
            task = progress.add_task("ingest", total=len(files))
            summary = service.ingest(paths, files=files, on_file=lambda _p: progress.advance(task))
    if as_json:
        print_json(summary.to_json())
        return
    console.print(
        f"[bold]{summary.files}[/] files: [green]{summary.added} added[/], "
        f"{summary.duplicates} duplicates, {summary.unchanged} already stored, "
        f"[yellow]{summary.skipped_count} skipped[/]"
    )
    if summary.coverage:
        console.print(
            f"{summary.coverage} coverage candidates for activities (see `caunoi activities coverage`)"
        )
    for item in summary.skipped[:20]:  # a file name or a reason may look like console markup
        console.print(
            f"  [yellow]skipped[/] {escape(item['origin'])}: {escape(item['reason'])}", highlight=False
        )
    if summary.skipped_count > 20:
        full = summary.skipped_count == len(summary.skipped)
        listed = "use --json for all" if full else f"--json lists the first {len(summary.skipped):,}"
        console.print(f"  … and {summary.skipped_count - 20:,} more ({listed})")


def enrich(
    all_: Annotated[bool, typer.Option("--all", help="Every article, not only the stale ones.")] = False,
    stale: Annotated[
        bool, typer.Option("--stale", help="Only articles never enriched or by an older version.")
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Run the enrichment stages (keyphrases, entities and persons, document references, events,
    topics, tone) over stored articles; --stale (the default) only those not yet enriched by this
    version."""
    from caunoi.enrich.stage import ENRICH_VERSION

    with open_service() as service, refusals():  # e.g. executor `ray` without ray installed
        total = service.enrich_todo(everything=all_)
        progress = progress_bar("enrich", TimeRemainingColumn(), quiet=as_json)
        with progress:
            task = progress.add_task("enrich", total=total)
            done = service.enrich(everything=all_, on_article=lambda n: progress.advance(task, n))
    said({"enriched": done, "version": ENRICH_VERSION}, as_json,
         f"enriched {done} articles (enrichment version {ENRICH_VERSION})")  # fmt: skip


def fetch(
    url: Annotated[str, typer.Argument(help="An article page URL.")],
    source: Annotated[str | None, typer.Option(help="File it under this registered source.")] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="The page is on a private network (its host only).")
    ] = False,
    again: Annotated[bool, typer.Option("--again", help="Fetch even if it was fetched before.")] = False,
    as_json: AsJson = False,
) -> None:
    """Fetch one page now, politely, and store its article."""
    with open_service() as service:
        try:
            result = asyncio.run(
                service.fetch_url(url, source=source, allow_private=allow_private, again=again)
            )
        except ValueError as exc:  # a bad URL, an unknown source
            fail(str(exc))
    if as_json:
        print_json(result)
        return
    state = result["state"]
    if result.get("article_id"):
        console.print(f"{state}: article {result['article_id']} (caunoi show {result['article_id']})")
    else:
        fail(f"{result['url']}: {state}: {result.get('error')}", code=1)


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
        try:
            only = [service.sources.get(name).id for name in source] if source else None
        except CaunoiError as exc:  # an unknown source
            fail(str(exc))
        if not service.sources.list():
            fail("no sources yet: add one with `caunoi sources add` or `caunoi sources import --sample`")
        try:
            with service.watch_lock():
                asyncio.run(_watch(service, only, once, now, as_json))
        except (Conflict, Unavailable) as exc:  # another watcher holds the store; Ray not installed
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
            if fetched["fetched"] or fetched["failed_count"]:
                console.print(
                    f"[{datetime.now():%H:%M:%S}] fetched {fetched['fetched']}: "
                    f"[green]{fetched['added']} new articles[/], {fetched['duplicates']} duplicates, "
                    f"{fetched['skipped_count']} without an article, "
                    f"[yellow]{fetched['failed_count']} failed[/]",
                    highlight=False,
                )
                for item in fetched["failed"][:10]:
                    err.print(f"  [yellow]failed[/] {item['url']}: {item['error']}", highlight=False)
            said_sent(result.get("briefs") or [])

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


def reprocess(
    source: Annotated[str | None, typer.Option(help="Only pages of this source.")] = None,
    url: Annotated[str | None, typer.Option(help="Only this page.")] = None,
    as_json: AsJson = False,
) -> None:
    """Extract and process fetched pages again from their kept raw bytes, without fetching."""
    with open_service() as service, refusals():
        total = None if (source or url) else service.sources.pages_kept()
        progress = progress_bar("reprocess", quiet=as_json)
        with progress:
            task = progress.add_task("reprocess", total=total)
            try:
                counts = service.reprocess(source=source, url=url, on_page=lambda: progress.advance(task))
            except ValueError as exc:  # a bad URL, an unknown source
                fail(str(exc))
    said(counts, as_json, ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
