"""`caunoi search`, `show`, `stats`: reading the store."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.box import HEAVY_HEAD
from rich.table import Column, Table
from rich.text import Text

from caunoi.cli.common import AsJson, actor, console, err, fail, found, open_service, print_json, show_rows
from caunoi.models import ENRICHMENT_KEYS, Article, SearchHit, SearchRequest, SearchResults
from caunoi.models import as_json as json_of
from caunoi.search import (
    EXPORT_COLUMNS,
    SEARCH_OPTIONS,
    FilterError,
    QueryError,
    SavedSearchError,
    export_cells,
    export_records,
    request_from,
    saved_form,
)


class ToneOf(StrEnum):
    article = "article"
    subject = "subject"


class Sort(StrEnum):
    relevance = "relevance"
    date = "date"


# the options as this command names them, for its refusals; the query is its argument, without a name
OPTION_NAMES = {key: "--" + key.replace("_", "-") for key in SEARCH_OPTIONS} | {"query": ""}


# a search's filters as every command that takes them declares them (search, attention)
Exact = Annotated[
    bool, typer.Option("--exact", help="Every word as typed, diacritics and all (Trung is not trùng).")
]
Widen = Annotated[
    bool,
    typer.Option("--widen", help="Words typed with diacritics match every reading too, the typed first."),
]
DateFrom = Annotated[str | None, typer.Option("--from", help="Published on or after (YYYY-MM-DD).")]
DateTo = Annotated[str | None, typer.Option("--to", help="Published on or before (YYYY-MM-DD).")]
Lang = Annotated[str | None, typer.Option(help="Language code: vi, en, fr…")]
Source = Annotated[str | None, typer.Option(help="Outlet, e.g. dantri.com.vn.")]
Category = Annotated[str | None, typer.Option(help="Section or category.")]
DocRef = Annotated[
    str | None, typer.Option("--doc-ref", help="Cites this document: 57-KL/TW, 30/2020/NĐ-CP, …")
]
Topic = Annotated[
    str | None, typer.Option("--topic", help="About this topic: world, society, business, … (see docs)")
]
Entity = Annotated[
    str | None,
    typer.Option("--entity", help="Names this entity: an id (org:ASEAN) or a name (Bộ Ngoại giao)."),
]
Country = Annotated[
    str | None, typer.Option("--country", help="Names this country: ISO code (CN) or name (Trung Quốc).")
]
EventType = Annotated[
    str | None,
    typer.Option("--event-type", help="Reports an event: so_ket, tong_ket, trien_khai, hoi_dam, tiep, …"),
]
ToneMin = Annotated[
    float | None, typer.Option("--tone-min", help="Article tone at least (GDELT scale, e.g. 2).")
]
ToneMax = Annotated[
    float | None, typer.Option("--tone-max", help="Article tone at most (e.g. -2 for negative).")
]
Origin = Annotated[
    str | None,
    typer.Option("--origin", help="The outlet is domestic, foreign, diaspora, international or unknown."),
]
OutletCountry = Annotated[
    str | None,
    typer.Option(
        "--outlet-country", help="The outlet's country (ISO code: US, FR; not the countries named)."
    ),
]
ToneOfOption = Annotated[
    ToneOf, typer.Option("--tone-of", help="article: the whole text; subject: passages naming Viet Nam.")
]


def search(
    query: Annotated[
        str,
        typer.Argument(help='Words, "phrases", AND / OR / NOT, -word, (groups), prefix*; "" with a filter.'),
    ] = "",
    exact: Exact = False,
    widen: Widen = False,
    date_from: DateFrom = None,
    date_to: DateTo = None,
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
    sort: Annotated[Sort, typer.Option(help="relevance (BM25) or date (newest first).")] = Sort.relevance,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    save: Annotated[
        str | None,
        typer.Option("--save", help="Keep this search under a name (for alert rules: --saved NAME)."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="With --save: replace a search someone else saved under that name."),
    ] = False,
) -> None:
    """Full-text search: words typed with diacritics match them, words typed without match every
    reading (the likeliest first)."""
    typed = {
        "query": query, "exact": exact, "widen": widen, "from": date_from, "to": date_to, "lang": lang,
        "source": source, "category": category, "doc_ref": doc_ref, "topic": topic, "entity": entity,
        "country": country, "event_type": event_type, "tone_min": tone_min, "tone_max": tone_max,
        "tone_of": tone_of.value, "origin": origin, "outlet_country": outlet_country, "sort": sort.value,
        "limit": limit, "offset": offset,
    }  # fmt: skip
    try:
        request = request_from(typed, OPTION_NAMES)
    except FilterError as exc:
        fail(str(exc))
    except QueryError as exc:
        fail(f"bad query: {exc}")
    with open_service() as service:
        try:
            found = service.search_results(request)
        except QueryError as exc:
            fail(f"bad query: {exc}")
        hits = found.hits
        labels = service.labels([h.id for h in hits]) if as_csv else {}
        if save:
            try:
                service.searches.save(save, saved_form(request), actor(), replace=replace)
            except SavedSearchError as exc:
                fail(str(exc))
            err.print(f"search saved as {save!r}")
    err.print(_found_line(found, request), highlight=False)
    if as_json:
        print_json([h.to_json() for h in hits])
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(export_cells(r) for r in export_records(hits, labels))
        return
    names = ("id", "published", "lang", "source", "title / snippet")
    columns = [Column(name, overflow="fold") for name in names]
    show_rows(hits, columns, _hit_cells, empty="No articles match.", box=HEAVY_HEAD, show_lines=True)


def _found_line(found: SearchResults, request: SearchRequest) -> str:
    """How many matched, which were ranked and how the query was read: "256 articles match · read as
    Biển Đông (every reading searched; also: biến động, biến đông)", "about 340,000 articles match ·
    ranked among the 5,000 most recently stored"."""
    total = f"{found.total:,}" if found.counted else f"about {found.total:,}"
    line = f"{total} article{'' if found.total == 1 else 's'} match"
    if found.ranked_among:  # a common word: only the newest matches were ranked (setting rank_cap)
        line += f" · ranked among the {found.ranked_among:,} most recently stored"
    if found.reading:
        also = f"; also: {', '.join(found.others)}" if found.others else ""
        line += f" · read as {found.reading} (every reading searched{also})"
    elif request.widen:
        line += " · every reading searched, as typed first"
    return line


def _hit_cells(hit: SearchHit) -> tuple[str, str, str, str, Text]:
    """A hit as a row of the results table: the title in bold over the snippet, its matches marked."""
    snippet = Text(hit.snippet)
    for start, end in hit.highlights:
        snippet.stylize("bold yellow", start, end)
    published = hit.published.date().isoformat() if hit.published else ""
    cell = Text(hit.title + "\n", style="bold") + snippet
    outlet = " · ".join(p for p in (hit.source, _placed(hit)) if p)
    return str(hit.id), published, hit.lang or "", outlet, cell


def _placed(hit: SearchHit) -> str:
    """Where the hit's outlet is from, as the results table says it: "foreign, US", "unknown"."""
    return ", ".join(p for p in (hit.origin, hit.outlet_country) if p)


def show(
    article_id: Annotated[int, typer.Argument(help="Article id, as search prints it.")],
    as_json: AsJson = False,
) -> None:
    """One article: clean text, metadata, dates found in it, and where it came from."""
    with open_service() as service:
        article = found(service.article(article_id), "article", article_id)
    if as_json:
        print_json(_shown(article))
        return
    console.print(f"[bold]{article.title}[/]")
    facts = [
        f"#{article.id}",
        article.published.isoformat() if article.published else "undated",
        article.lang or "?",
        article.source or "",
        article.category or "",
    ]
    console.print(" · ".join(f for f in facts if f), style="dim")
    if article.url:
        console.print(article.url, style="dim")
    console.print()
    console.print(article.text, highlight=False)
    console.print()
    if article.attribution:
        console.print(f"[dim]attribution:[/] {article.attribution}")
    if article.dates:
        console.print(
            "[dim]dates in the text:[/] "
            + "; ".join(f"{d['text']} → {d['date']} ({d['precision']})" for d in article.dates[:12])
        )
    if article.doc_refs:
        console.print(
            "[dim]documents cited:[/] "
            + "; ".join(
                f"{r['surface']} → {r['id'] or 'unresolved'}" + (f" ({r['issuer']})" if r["issuer"] else "")
                for r in article.doc_refs[:12]
            ),
            highlight=False,
        )
    if article.story_id is not None:
        console.print(f"[dim]story:[/] #{article.story_id} (caunoi story {article.story_id})")
    if article.reprint_of is not None:
        console.print(f"[dim]reprint of:[/] #{article.reprint_of}")
    if article.copies:
        console.print(
            "[dim]other copies:[/] "
            + ", ".join(f"#{c['id']} {c['source'] or ''}".strip() for c in article.copies[:10])
        )
    console.print(f"[dim]origin:[/] {article.origin} ({len(article.origins)} origin(s))")


def _shown(article: Article) -> dict[str, Any]:
    """The article as `show --json` prints it: its fields in order, the publication given as the day
    (`published`) and the time (`published_at`) as `search --json` gives them, and what enrichment
    found (ENRICHMENT_KEYS) only once it has been enriched."""
    out: dict[str, Any] = {}
    for key, value in json_of(article).items():
        if key == "published":
            out["published"] = value[:10] if value else None
            out["published_at"] = value
        elif key not in ENRICHMENT_KEYS or article.enrichment_version is not None:
            out[key] = value
    return out


def stats(
    as_json: AsJson = False,
    index_rum: Annotated[
        bool,
        typer.Option(
            "--index-rum",
            help="PostgreSQL: make the RUM index first (a store migrated before `make pg-rum`)",
        ),
    ] = False,
) -> None:
    """What the store holds: counts by language, source and category, and the date range; on
    PostgreSQL, whether search reads its best matches from the RUM index."""
    with open_service() as service:
        if index_rum and not service.make_rum_index():
            fail("the RUM index could not be made: see the warning above (`make pg-rum` on the server)")
        data = service.stats()
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data['articles']}[/] articles from {data['origins']} origins "
        f"({data['backend']}), published {data['published_first'] or '?'} … {data['published_last'] or '?'}"
    )
    if data.get("search_index_note"):
        console.print(f"[yellow]search: {data['search_index_note']}[/]")
    beside = data["search_index_beside"]
    if beside["usable"]:
        console.print(f"search: the search index beside the store ({beside['documents']} articles) answers")
    elif beside["enabled"]:
        console.print(f"[yellow]search: the search index beside the store is {beside['why_not']}[/]")
    for key in ("languages", "sources", "categories"):
        table = Table(title=key, show_header=False, box=None)
        for name, count in data[key]:
            table.add_row(str(name), str(count))
        console.print(table)
