"""`caunoi sources …`: the outlets to watch, through the service's registry (caunoi.ingest.sources.Sources).
Every refusal is one line on stderr with exit code 2, an unknown source too."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.box import HEAVY_HEAD

from caunoi.cli.common import AsJson, By, actor, console, fail, open_service, print_json, show_rows, when
from caunoi.ingest.sources import SAMPLE, SourceError, make_spec
from caunoi.models import SourceHealth

app = typer.Typer(
    help="The outlets to watch and recognise: add, list, show, remove, import, relink, status.",
    no_args_is_help=True,
)


@contextlib.contextmanager
def refused() -> Iterator[None]:
    """A source refused (a bad entry, an unknown name) as a one-line error, exit code 2."""
    try:
        yield
    except SourceError as exc:
        fail(str(exc))


@app.command("add")
def sources_add(
    name: Annotated[str, typer.Argument(help="The outlet's name (unique).")],
    home: Annotated[str, typer.Option(help="Home page URL.")],
    feed: Annotated[list[str] | None, typer.Option(help="RSS/Atom feed URL (repeat for more).")] = None,
    sitemap: Annotated[list[str] | None, typer.Option(help="News sitemap or sitemap index URL.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 two-letter code, e.g. VN.")] = None,
    lang: Annotated[list[str] | None, typer.Option(help="Language code (repeat for more).")] = None,
    media_type: Annotated[str | None, typer.Option(help="newspaper, online, agency, broadcaster, …")] = None,
    origin: Annotated[str | None, typer.Option(help="domestic, foreign, diaspora or international.")] = None,
    domain: Annotated[
        list[str] | None,
        typer.Option(
            help="A domain its articles are at, e.g. state.gov or bbc.com/vietnamese (repeat "
            "for more; default: its home's)."
        ),
    ] = None,
    poll_minutes: Annotated[int, typer.Option(help="Minutes between two polls.")] = 30,
    disabled: Annotated[
        bool,
        typer.Option("--disabled", help="Register it without watching it (with no feed: recognise only)."),
    ] = False,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="It lives on a private network (intranet).")
    ] = False,
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
    by: By = None,
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
        "domains": domain or [],
        "poll_minutes": poll_minutes,
        "enabled": not disabled,
        "allow_private": allow_private,
        "notes": notes,
    }
    with refused():
        spec = make_spec(raw)
    with open_service() as service, refused():
        source_id, created = service.sources.add(spec, by=actor(by))
    console.print(
        f"{'added' if created else 'updated'} source {source_id}: [bold]{spec.name}[/]", highlight=False
    )


@app.command("import")
def sources_import(
    file: Annotated[Path | None, typer.Argument(help="A YAML or CSV file of sources.")] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help=f"Import the shipped sample list ({SAMPLE.name}).")
    ] = False,
    disabled: Annotated[
        bool,
        typer.Option(
            "--disabled",
            help="Register them all without watching any: their articles are "
            "recognised by their domain, nothing is polled (offline).",
        ),
    ] = False,
    by: By = None,
) -> None:
    """Add or update every source in a file; one bad entry refuses the whole file."""
    if (file is None) == (not sample):
        fail("give a FILE or --sample")
    path = SAMPLE if sample else file
    assert path is not None
    with open_service() as service, refused():
        added, updated, relinked = service.sources.import_file(path, disabled=disabled, by=actor(by))
    console.print(
        f"{path.name}: [green]{added} added[/], {updated} updated; {relinked} stored articles linked to "
        "their outlet by their URL",
        highlight=False,
    )


@app.command("relink")
def sources_relink(by: By = None) -> None:
    """Give the stored articles the registered outlet their URL's domain belongs to (import and add
    do it too): after editing sources' domains, or on a store ingested before them."""
    with open_service() as service:
        changed = service.sources.relink(by=actor(by))
    console.print(f"{changed} articles linked to their outlet by their URL", highlight=False)


@app.command("list")
def sources_list(as_json: AsJson = False) -> None:
    """Every source, one line each."""
    with open_service() as service:
        rows = service.sources.list()
    show_rows(
        rows, ("id", "name", "origin", "country", "langs", "feeds", "sitemaps", "every", "on"),
        lambda r: (
            str(r.id), r.name, r.origin or "", r.country or "", ",".join(r.languages), str(len(r.feeds)),
            str(len(r.sitemaps)), f"{r.poll_minutes} min", "yes" if r.enabled else "no",
        ),
        as_json=as_json, box=HEAVY_HEAD,
    )  # fmt: skip


@app.command("show")
def sources_show(
    name: Annotated[str, typer.Argument(help="Name or id.")],
    as_json: AsJson = False,
) -> None:
    """One source: its settings, its feeds and sitemaps with their state."""
    with open_service() as service, refused():
        found = service.sources.get(name)
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
        "domains",
        "poll_minutes",
        "enabled",
        "allow_private",
        "notes",
        "last_success_at",
        "last_error",
        "failures",
        "next_poll_at",
    ):
        console.print(f"[bold]{key}[/]: {getattr(found, key)}", highlight=False)
    for lst in found.listings:
        state = f"error: {lst.last_error}" if lst.last_error else f"ok, {lst.last_links} links"
        console.print(f"  {lst.kind} {lst.url} — {when(lst.last_fetched_at)} {state}", highlight=False)


@app.command("remove")
def sources_remove(name: Annotated[str, typer.Argument(help="Name or id.")], by: By = None) -> None:
    """Stop watching a source and forget it (its articles stay)."""
    with open_service() as service, refused():
        service.sources.remove(name, by=actor(by))
    console.print(f"removed {name}")


@app.command("enable")
def sources_enable(name: Annotated[str, typer.Argument(help="Name or id.")], by: By = None) -> None:
    """Watch this source again."""
    with open_service() as service, refused():
        service.sources.enable(name, by=actor(by))


@app.command("disable")
def sources_disable(name: Annotated[str, typer.Argument(help="Name or id.")], by: By = None) -> None:
    """Keep the source but stop polling it."""
    with open_service() as service, refused():
        service.sources.disable(name, by=actor(by))


@app.command("status")
def sources_status(as_json: AsJson = False) -> None:
    """Health: state, last success, last error, articles stored (all, and per day over 7 days,
    however they came: feeds, files, pages), pages waiting, dead feeds."""
    with open_service() as service:
        rows = service.sources.status()
    show_rows(
        rows, ("name", "state", "last success", "last error", "articles", "art/day", "waiting"),
        lambda r: (
            r.name, _health(r), when(r.last_success_at),
            f"{when(r.last_error_at)} {r.last_error or ''}"[:80] if r.last_error else "",
            str(r.articles), f"{r.articles_per_day:.1f}", str(r.pending),
        ),
        as_json=as_json, box=HEAVY_HEAD,
    )  # fmt: skip


HEALTH = {
    "ok": "ok",
    "failing": "[yellow]failing[/]",
    "dead": "[red]DEAD[/]",
    "not_fetched": "not yet fetched",
    "disabled": "off",
    "recognise_only": "recognise only",
}


def _health(status: SourceHealth) -> str:
    if status.dead_listings and status.state in ("ok", "failing"):
        return f"[yellow]{len(status.dead_listings)} dead feed(s)[/]"
    return HEALTH[status.state]
