"""`caunoi search`, `show`, `stats`: reading the store."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from caunoi.cli.common import (
    actor,
    console,
    err,
    fail,
    open_service,
    print_json,
)
from caunoi.enrich.stage import ENRICHMENT_KEYS
from caunoi.search import SEARCH_OPTIONS, FilterError, QueryError, SavedSearchError, request_from, saved_form


class ToneOf(StrEnum):
    article = "article"
    subject = "subject"


class Sort(StrEnum):
    relevance = "relevance"
    date = "date"


# the options as this command names them, for its refusals; the query is its argument, without a name
OPTION_NAMES = {key: "--" + key.replace("_", "-") for key in SEARCH_OPTIONS} | {"query": ""}


def search(
    query: Annotated[
        str,
        typer.Argument(help='Words, "phrases", AND / OR / NOT, -word, (groups), prefix*; "" with a filter.'),
    ] = "",
    exact: Annotated[bool, typer.Option("--exact", help="Match diacritics exactly (đối ≠ đổi).")] = False,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Published on or after (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on or before (YYYY-MM-DD).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code: vi, en, fr…")] = None,
    source: Annotated[str | None, typer.Option(help="Outlet, e.g. dantri.com.vn.")] = None,
    category: Annotated[str | None, typer.Option(help="Section or category.")] = None,
    doc_ref: Annotated[
        str | None, typer.Option("--doc-ref", help="Cites this document: 57-KL/TW, 30/2020/NĐ-CP, …")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="About this topic: world, society, business, … (see docs)")
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="Names this entity: an id (org:ASEAN) or a name (Bộ Ngoại giao)."),
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Names this country: ISO code (CN) or name (Trung Quốc).")
    ] = None,
    event_type: Annotated[
        str | None,
        typer.Option("--event-type", help="Reports an event: so_ket, tong_ket, trien_khai, hoi_dam, tiep, …"),
    ] = None,
    tone_min: Annotated[
        float | None, typer.Option("--tone-min", help="Article tone at least (GDELT scale, e.g. 2).")
    ] = None,
    tone_max: Annotated[
        float | None, typer.Option("--tone-max", help="Article tone at most (e.g. -2 for negative).")
    ] = None,
    tone_of: Annotated[
        ToneOf, typer.Option("--tone-of", help="article: the whole text; subject: passages naming Viet Nam.")
    ] = ToneOf.article,
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
    """Full-text search; diacritics and đ/d are ignored unless --exact."""
    typed = {
        "query": query, "exact": exact, "from": date_from, "to": date_to, "lang": lang, "source": source,
        "category": category, "doc_ref": doc_ref, "topic": topic, "entity": entity, "country": country,
        "event_type": event_type, "tone_min": tone_min, "tone_max": tone_max, "tone_of": tone_of.value,
        "sort": sort.value, "limit": limit, "offset": offset,
    }  # fmt: skip
    try:
        request = request_from(typed, OPTION_NAMES)
    except FilterError as exc:
        fail(str(exc))
    with open_service() as service:
        try:
            hits = service.search(request)
        except QueryError as exc:
            fail(f"bad query: {exc}")
        if save:
            try:
                service.searches.save(save, saved_form(request), actor(), replace=replace)
            except SavedSearchError as exc:
                fail(str(exc))
            err.print(f"search saved as {save!r}")
    if as_json:
        print_json([h.to_json() for h in hits])
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "published", "lang", "source", "category", "title", "url", "score", "snippet"])
        for h in hits:
            j = h.to_json()
            writer.writerow(
                [j[k] for k in ("id", "published", "lang", "source", "category", "title", "url", "score")]
                + [h.snippet]
            )
        return
    if not hits:
        console.print("No articles match.")
        return
    table = Table(show_lines=True)
    for name in ("id", "published", "lang", "source", "title / snippet"):
        table.add_column(name, overflow="fold")
    for h in hits:
        snippet = Text(h.snippet)
        for start, end in h.highlights:
            snippet.stylize("bold yellow", start, end)
        cell = Text(h.title + "\n", style="bold") + snippet
        published = h.published.date().isoformat() if h.published else ""
        table.add_row(str(h.id), published, h.lang or "", h.source or "", cell)
    console.print(table)


def show(
    article_id: Annotated[int, typer.Argument(help="Article id, as search prints it.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One article: clean text, metadata, dates found in it, and where it came from."""
    with open_service() as service:
        article = service.article(article_id)
    if article is None:
        fail(f"no article with id {article_id}", code=1)
    published = article["published"]
    out = {
        "id": article["id"],
        "title": article["title"],
        "text": article["text"],
        "published": published.date().isoformat() if published else None,
        "published_at": published.isoformat() if published else None,
        "published_from": article["published_from"],
        "event_date": article["event_date"],
        "lang": article["lang"],
        "lang_confidence": article["lang_confidence"],
        "source": article["source"],
        "category": article["category"],
        "url": article["url"],
        "author": article["author"],
        "attribution": article["attribution"],
        "origin": article["origin"],
        "origins": article["origins"],
        "encoding": article["encoding"],
        "content_hash": article["content_hash"],
        "dates": article["dates"],
        "meta": article["meta"],
        "story_id": article["story_id"],
        "reprint_of": article["reprint_of"],  # the earliest copy of this text, when this is a reprint
        "copies": article["copies"],  # the other copies of the same text (reprints, syndication)
    }
    # what enrichment found: enrichment_version, doc_refs, … (see caunoi.enrich.stage)
    out.update({k: v for k, v in article.items() if k == "enrichment_version" or k in ENRICHMENT_KEYS})
    if as_json:
        print_json(out)
        return
    console.print(f"[bold]{out['title']}[/]")
    facts = [
        f"#{out['id']}",
        out["published_at"] or "undated",
        out["lang"] or "?",
        out["source"] or "",
        out["category"] or "",
    ]
    console.print(" · ".join(f for f in facts if f), style="dim")
    if out["url"]:
        console.print(out["url"], style="dim")
    console.print()
    console.print(out["text"], highlight=False)
    console.print()
    if out["attribution"]:
        console.print(f"[dim]attribution:[/] {out['attribution']}")
    if out["dates"]:
        console.print(
            "[dim]dates in the text:[/] "
            + "; ".join(f"{d['text']} → {d['date']} ({d['precision']})" for d in out["dates"][:12])
        )
    if out.get("doc_refs"):
        console.print(
            "[dim]documents cited:[/] "
            + "; ".join(
                f"{r['surface']} → {r['id'] or 'unresolved'}" + (f" ({r['issuer']})" if r["issuer"] else "")
                for r in out["doc_refs"][:12]
            ),
            highlight=False,
        )
    if out["story_id"] is not None:
        console.print(f"[dim]story:[/] #{out['story_id']} (caunoi story {out['story_id']})")
    if out["reprint_of"] is not None:
        console.print(f"[dim]reprint of:[/] #{out['reprint_of']}")
    if out["copies"]:
        console.print(
            "[dim]other copies:[/] "
            + ", ".join(f"#{c['id']} {c['source'] or ''}".strip() for c in out["copies"][:10])
        )
    console.print(f"[dim]origin:[/] {out['origin']} ({len(out['origins'])} origin(s))")


def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the store holds: counts by language, source and category, and the date range."""
    with open_service() as service:
        data = service.stats()
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data['articles']}[/] articles from {data['origins']} origins "
        f"({data['backend']}), published {data['published_first'] or '?'} … {data['published_last'] or '?'}"
    )
    for key in ("languages", "sources", "categories"):
        table = Table(title=key, show_header=False, box=None)
        for name, count in data[key]:
            table.add_row(str(name), str(count))
        console.print(table)
