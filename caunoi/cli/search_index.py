"""`caunoi search-index`: the search index beside the store (caunoi.store.search_index) built, shown,
brought up to date and switched off."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TextColumn, TimeRemainingColumn

from caunoi.cli.common import AsJson, console, fail, moment, print_json, progress_bar, said, serving

app = typer.Typer(
    help="The search index beside the store: a search at a million articles in tens of milliseconds.",
    no_args_is_help=True,
)


@app.command()
def build(
    path: Annotated[
        Path | None,
        typer.Option(
            help="Where to keep it (default: `search-index` in the data folder; on PostgreSQL one "
            "named after the database and schema)"
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Index every stored article afresh and switch searches to it. Run it once to turn the index
    on, and again after `caunoi restore` or when a search says so; while it runs, the store answers."""
    with serving() as service:
        progress = progress_bar("index", TextColumn("articles"), TimeRemainingColumn(), quiet=as_json)
        with progress:
            task = progress.add_task("index", total=None)
            done = service.build_search_index(
                path, on_progress=lambda n, total: progress.update(task, completed=n, total=total)
            )
    said(done, as_json, f"indexed {done['articles']} articles in {done['seconds']} s at {done['path']}; "
         f"{done['drained']} changes made meanwhile taken in")  # fmt: skip


@app.command()
def status(as_json: AsJson = False) -> None:
    """Whether searches use the index, where it is, how many articles it holds and how many changes of
    the store it has still to take in."""
    with serving() as service:
        found = service.search_index.status()
    if as_json:
        print_json(found)
        return
    if not found["enabled"]:
        console.print("no search index: searches use the store (`caunoi search-index build` makes one)")
        return
    if found["usable"]:
        console.print(
            f"[green]in use[/]: {found['documents']} articles, {found['bytes'] / 2**20:.0f} MiB at "
            f"{found['path']}, built {moment(found['built_at'])}; {found['pending']} changes to take in"
        )
    else:
        console.print(f"[yellow]not in use[/]: the index is {found['why_not']}; searches use the store")


@app.command()
def sync(as_json: AsJson = False) -> None:
    """Take in the store's changes now (the commands that write do it themselves; this is for a
    command that was killed before it could)."""
    with serving() as service:
        found = service.search_index.status()
        if not found["usable"]:
            fail(f"the search index is {found['why_not'] or 'off (`caunoi search-index build` makes one)'}")
        drained = service.search_index.sync(wait=True)
    said({"drained": drained}, as_json, f"{drained} changes taken in")


@app.command()
def drop(as_json: AsJson = False) -> None:
    """Switch the index off and remove it: every search is answered by the store again."""
    with serving() as service:
        path = service.search_index.drop()
    said(
        {"removed": path},
        as_json,
        f"removed the search index at {path}" if path else "no search index was on",
    )
