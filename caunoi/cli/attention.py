"""`caunoi attention`: how much the store's articles said about up to five searches, day by day or
week by week, as counts or as shares of every article stored (caunoi.attention)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from caunoi.cli.common import console, fail, open_service, print_json, progress_bar, refusals
from caunoi.cli.search import (
    OPTION_NAMES,
    Category,
    Country,
    DocRef,
    Entity,
    EventType,
    Exact,
    Lang,
    Origin,
    OutletCountry,
    Source,
    ToneMax,
    ToneMin,
    ToneOf,
    ToneOfOption,
    Topic,
    Widen,
)
from caunoi.search import QueryError

if TYPE_CHECKING:
    from caunoi.attention import Attention, Bucket


class Every(StrEnum):
    day = "day"
    week = "week"


def attention(
    queries: Annotated[
        list[str] | None,
        typer.Argument(help="Queries to compare (the syntax of `caunoi search`), five at most with --saved."),
    ] = None,
    saved: Annotated[
        list[str] | None, typer.Option("--saved", help="A saved search to compare; repeat for more.")
    ] = None,
    by: Annotated[
        Every, typer.Option("--by", help="Count by day, or by week (Monday to Sunday).")
    ] = Every.day,
    date_from: Annotated[
        str | None, typer.Option("--from", help="The first day (default: 30 days to --to).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="The last day, included (default: the latest article's).")
    ] = None,
    share: Annotated[
        bool, typer.Option("--share", help="Each day's (week's) share of every article stored, not counts.")
    ] = False,
    top: Annotated[
        int, typer.Option(min=0, max=50, help="Outlets, countries, entities listed per search.")
    ] = 5,
    exact: Exact = False,
    widen: Widen = False,
    lang: Lang = None,
    source: Source = None,
    category: Category = None,
    doc_ref: DocRef = None,
    topic: Topic = None,
    entity: Entity = None,
    country: Country = None,
    event_type: EventType = None,
    tone_min: ToneMin = None,
    tone_max: ToneMax = None,
    tone_of: ToneOfOption = ToneOf.article,
    origin: Origin = None,
    outlet_country: OutletCountry = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Attention over time: articles a day or a week for each query or saved search, and their share
    of all articles; the filters narrow every one of them."""
    from caunoi.attention import ask  # here, not on import: `caunoi --help` stays cheap

    filters = {
        "exact": exact,
        "widen": widen,
        "lang": lang,
        "source": source,
        "category": category,
        "doc_ref": doc_ref,
        "topic": topic,
        "entity": entity,
        "country": country,
        "event_type": event_type,
        "tone_min": tone_min,
        "tone_max": tone_max,
        "tone_of": tone_of.value,
        "origin": origin,
        "outlet_country": outlet_country,
    }
    names = OPTION_NAMES | {"saved": "--saved", "by": "--by"}
    with refusals():  # a filter, a date, a sixth search, a period: refused as they are worded
        try:
            asked = ask(
                queries or (), saved or (), filters, first=date_from, last=date_to, by=by.value, names=names
            )
        except QueryError as exc:
            fail(f"bad query: {exc}")
    with refusals(), open_service() as service, progress_bar("measuring", quiet=as_json) as bar:
        task = bar.add_task("measuring", total=len(asked.queries) + len(asked.saved) or 1)
        found = service.attention(asked, top, progress=lambda done, _all: bar.update(task, completed=done))
    if as_json:
        print_json(found.to_json())
        return
    show(found, share)


def _bucket(bucket: Bucket, by: str) -> str:
    if by == "day":
        return bucket.first.isoformat()
    return f"{bucket.first.isoformat()} – {bucket.last.strftime('%m-%d')}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def show(found: Attention, share: bool) -> None:
    """The counts (or shares) as a table, a column a search, its total in the last row; then each
    search's top outlets, countries and entities."""
    from caunoi.i18n import name_of

    title = f"{'share of all articles' if share else 'articles'} by {found.by}, {found.first} … {found.last}"
    table = Table(title=title, box=None, show_footer=True)
    table.add_column(found.by, footer="total")
    for series in found.series:
        footer = f"{series.total} ({_share(series.share)})"
        table.add_column(
            escape(series.label or "filters"),
            justify="right",
            footer=footer,
            style=series.colour,
            header_style=f"bold {series.colour}",
            footer_style=f"bold {series.colour}",
        )
    table.add_column("all articles", justify="right", footer=str(found.total), style="dim")
    for n, bucket in enumerate(found.buckets):
        cells = [_share(s.shares[n]) if share else str(s.counts[n]) for s in found.series]
        table.add_row(_bucket(bucket, found.by), *cells, str(found.all_articles[n]))
    console.print(table)
    for series in found.series:
        lines = {
            "outlets": [f"{escape(v)} {n}" for v, n in series.outlets],
            "countries": [f"{name_of(v, 'country', 'en')} {n}" for v, n in series.countries],
            "entities": [f"{found.entity_names.get(v, {}).get('en', v)} {n}" for v, n in series.entities],
        }
        if any(lines.values()):
            console.print(f"[bold {series.colour}]{escape(series.label or 'filters')}[/]")
            for key, shown in lines.items():
                console.print(f"  [dim]{key}:[/] {', '.join(shown) or '—'}", highlight=False)
