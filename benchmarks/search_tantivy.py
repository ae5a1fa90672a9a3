"""Tantivy beside SQLite (issue 20): would an embedded search engine answer search_latency.py's 20 queries
under 100 ms at 1M articles, at what cost, and with the same results as SQLite FTS5? A probe, not the
product's search: nothing in caunoi uses Tantivy.

Run: PYTHONPATH=. nice -n 5 .venv/bin/python benchmarks/search_tantivy.py
         [--store var/bench/search_1000000_s1_g1] [--index var/bench/tantivy_1m] [--rebuild] [--limit N]
         [--build-only | --variants] [--runs 10] [--batches 20] [--only TEXT] [--out NAME] [--json]

Needs the `bench` extra (tantivy 0.27) and search_latency.py's SQLite store, which is opened read-only
(sqlite3 URI mode=ro) and never written.

The index: one Tantivy document per article, fed the text FTS5's article_fts gets
(ArticleRepository._index: caunoi.text.fold.index_form of the title and of the body's first INDEX_CHARS,
folded and as typed, the tokens space-joined) through Tantivy's `whitespace` tokenizer, so both engines
see the same tokens: title_f, body_f, title_x, body_x (positions kept, for phrases; no text stored), id
(u64, indexed, fast), published (date, indexed, fast; the time stored when undated, as the store's time
windows date an article), newest (u64, fast: newest_key, the date sort's key), lang, source, category
(lower-cased, `raw`, fast). Rows are streamed by id, a
page at a time; the build runs in a child process (its peak RSS from wait4) and resumes from the
index's highest id (its watermark), as a search index kept beside the store would on start.

The queries: each of search_latency.py's QUERIES is normalised, parsed and read (its likeliest reading,
else its words side by side: the tier that ranks first) by Service.search_results' own code, then
translated from caunoi.store.query's nodes as to_fts5 walks them: a term over title and body (title
boosted 10, as bm25(article_fts, 10, 1, 10, 1) weighs it), a phrase as a phrase query, a prefix as a
regex, a word typed with diacritics also in the exact fields, AND / OR / NOT as must / should / must_not,
unquoted words side by side as a scoring phrase; filters as term and range queries scoring nothing. By
relevance the reading's tier comes first (one search of the tier, then one of the rest if the page is
not full), BM25 within; --sort date orders by the fast field `newest` (order_by_field). The page's 20
rows and snippets are then read from SQLite with the repository's own code, as ArticleRepository.search
reads them: both sides return the same SearchHits.

Each query runs once on each side to warm up, then --runs times alternating SQLite (Service.search on the
store, rank_cap as configured: 5,000) and Tantivy, in one process. Then, once: each side's count of
matches, SQLite with every match ranked (rank_cap 0) for the top-20 overlap, and the write cost: batches
of 200 of the newest articles indexed again under ids no article has, each added and committed, then
deleted again (the built index is left as it was, less a merge).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _harness import VAR, child_rusage, print_table, publish, run_child
from search_latency import QUERIES, describe, match_count, percentile

NAME = "search_tantivy"
STORE = VAR / "search_1000000_s1_g1"
INDEX = VAR / "tantivy_1m"
PAGE = 2000  # articles read from the store at a time
COMMIT_EVERY = 100_000  # a build commits this often: a killed build resumes from there
HEAP = 256_000_000  # the writer's memory budget, bytes
WRITE_ID_OFFSET = 10**12  # the write-cost batches' ids: above any article's
TITLE_BOOST = 10.0  # bm25(article_fts, 10.0, 1.0, 10.0, 1.0): a title match weighs ten body matches
FOLDED = (("title_f", TITLE_BOOST), ("body_f", 1.0))
EXACT = (("title_x", TITLE_BOOST), ("body_x", 1.0))

log = logging.getLogger("benchmarks.search_tantivy")


# -- the index -------------------------------------------------------------------------------------


def schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name, _ in (*FOLDED, *EXACT):
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    builder.add_date_field("published", indexed=True, fast=True)
    builder.add_unsigned_field("newest", fast=True)  # the date sort's key: newest_key
    for name in ("lang", "source", "category"):
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


def open_index(path: Path, *, create: bool = False):
    import tantivy

    if create:
        path.mkdir(parents=True, exist_ok=True)
        return tantivy.Index(schema(), path=str(path))
    if not tantivy.Index.exists(str(path)):
        sys.exit(f"no Tantivy index in {path}: run without --index to build one, or with --rebuild")
    return tantivy.Index.open(str(path))


def watermark(index) -> int:
    """The highest article id in the index (0 when empty): where a build, or a restart, goes on from."""
    import tantivy

    index.reload()
    searcher = index.searcher()
    found = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="id").hits
    return int(found[0][0]) if found else 0


def newest_key(published: datetime | None, article_id: int) -> int:
    """The order of `_newest_first` (published, newest first, the undated last; then the last stored
    first) as one number, sorted descending: the second published above the id. Ordering by `published`
    alone would leave articles of the same second (or of the same day, where outlets give only the day)
    in the index's own order. Ids below 2**30, dates from 1970 on (earlier ones sort as undated)."""
    seconds = max(0, int(published.replace(tzinfo=UTC).timestamp())) if published else 0
    return seconds << 30 | article_id


def read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def stored_rows(db: Path, after: int, limit: int | None) -> Iterator[tuple]:
    """The store's articles with an id above `after`, in id order, at most `limit`: a page at a time."""
    left = limit if limit is not None else float("inf")
    with contextlib.closing(read_only(db)) as conn:
        while left > 0:
            rows = conn.execute(
                "SELECT id, title, text, published, created_at, lang, source, category FROM articles"
                " WHERE id > ? ORDER BY id LIMIT ?",
                (after, int(min(PAGE, left))),
            ).fetchall()
            if not rows:
                return
            yield from rows
            after, left = rows[-1][0], left - len(rows)


def document(row: tuple, article_id: int | None = None):
    """The Tantivy document of a stored article, its text in the forms ArticleRepository._index gives
    article_fts."""
    import tantivy

    from caunoi.store.articles import INDEX_CHARS
    from caunoi.text.fold import index_form

    rid, title, text, published, created_at, lang, source, category = row
    article_id = rid if article_id is None else article_id
    published = datetime.fromisoformat(published) if published else None
    body = text[:INDEX_CHARS]
    doc = tantivy.Document(
        title_f=index_form(title),
        body_f=index_form(body),
        title_x=index_form(title, exact=True),
        body_x=index_form(body, exact=True),
        published=published or datetime.fromisoformat(created_at),
    )
    doc.add_unsigned("id", article_id)
    doc.add_unsigned("newest", newest_key(published, article_id))
    for name, value in (("lang", lang), ("source", source), ("category", category)):
        if value:
            doc.add_text(name, value.lower())
    return doc


def build(store: Path, index_path: Path, limit: int | None, threads: int) -> dict[str, Any]:
    """Index the store's articles above the index's watermark (every one for a new index); the timings."""
    exists = (index_path / "meta.json").exists()
    index = open_index(index_path, create=not exists)
    start = watermark(index)
    writer = index.writer(heap_size=HEAP, num_threads=threads)
    made_s = add_s = commit_s = 0.0
    done = 0
    started = time.perf_counter()
    for row in stored_rows(store / "caunoi.db", start, limit):
        t = time.perf_counter()
        doc = document(row)
        t2 = time.perf_counter()
        writer.add_document(doc)
        made_s, add_s = made_s + t2 - t, add_s + time.perf_counter() - t2
        done += 1
        if done % COMMIT_EVERY == 0:
            t = time.perf_counter()
            writer.commit()
            commit_s += time.perf_counter() - t
            log.info("indexed %d articles (to id %d), %.0f s", done, row[0], time.perf_counter() - started)
    t = time.perf_counter()
    writer.commit()
    commit_s += time.perf_counter() - t
    t = time.perf_counter()
    writer.wait_merging_threads()
    merge_s = time.perf_counter() - t
    wall = time.perf_counter() - started
    return {
        "from_id": start,
        "to_id": watermark(index),
        "articles": done,
        "wall_s": round(wall, 1),
        "articles_per_s": round(done / wall, 1) if wall else None,
        "documents_made_s": round(made_s, 1),
        "add_document_s": round(add_s, 1),
        "commit_s": round(commit_s, 1),
        "merge_wait_s": round(merge_s, 1),
        "writer_threads": threads,
        "writer_heap_bytes": HEAP,
    }


def index_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- the queries -----------------------------------------------------------------------------------


class Translation:
    """caunoi.store.query's nodes as Tantivy queries over the index's fields."""

    def __init__(self, index):
        self.schema = index.schema

    def words(self, fields: tuple, words: tuple[str, ...], prefix: bool):
        """One word, a prefix or a phrase, in any of `fields` (each boosted as bm25's weights are)."""
        import tantivy

        Q = tantivy.Query
        per_field = []
        for name, boost in fields:
            if len(words) == 1:
                # the tokens are letters and digits only (index_form), nothing for a regex to escape
                q = (
                    Q.regex_query(self.schema, name, words[0] + ".*")
                    if prefix
                    else Q.term_query(self.schema, name, words[0])
                )
            elif prefix:
                q = Q.phrase_prefix_query(self.schema, name, list(words))
            else:
                q = Q.phrase_query(self.schema, name, list(words))
            per_field.append((tantivy.Occur.Should, Q.boost_query(q, boost) if boost != 1.0 else q))
        return Q.boolean_query(per_field)

    def term(self, term):
        """As query._fts_term: folded; as typed when every word must be; else folded AND the marked
        words as typed."""
        import tantivy

        if term.whole:
            return self.words(EXACT, term.typed, term.prefix)
        folded = self.words(FOLDED, term.tokens, term.prefix)
        if not term.marked:
            return folded
        last = len(term.typed) - 1
        marked = [
            self.words(EXACT, (word,), term.prefix and i == last)
            for i, (word, exact) in enumerate(zip(term.typed, term.exact, strict=True))
            if exact
        ]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in (folded, *marked)])

    def node(self, node):
        """As query.to_fts5: AND / OR / NOT; unquoted words side by side add the phrase's score (and
        the first word's again, as FTS5's `(run OR first)` does), matching the same articles."""
        from tantivy import Occur as O
        from tantivy import Query as Q

        from caunoi.store.query import Not, Or, Term, side_by_side

        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Or):
            return Q.boolean_query([(O.Should, self.node(i)) for i in node.items])
        if isinstance(node, Not):
            raise ValueError("NOT needs something to exclude from")
        parts = [(O.Must, self.node(i)) for i in node.items if not isinstance(i, Not)]
        parts += [(O.MustNot, self.node(i.item)) for i in node.items if isinstance(i, Not)]
        run = side_by_side(node)
        if run is not None:
            parts += [(O.Should, self.term(run)), (O.Should, parts[0][1])]
        return Q.boolean_query(parts)

    def filters(self, req) -> list:
        """The request's filters (those of QUERIES: period, language, outlet, category), scoring nothing."""
        import tantivy

        from caunoi.store.articles import _days

        Q = tantivy.Query
        unsupported = [
            name for name in ("tags", "named", "named_as", "origin", "outlet_country", "widen")
            if getattr(req, name, None)
        ]  # fmt: skip
        if unsupported or req.tone_min is not None or req.tone_max is not None:
            raise ValueError(f"the probe does not translate {unsupported or 'tone'}")
        found = []
        if req.date_from or req.date_to:
            start, end = _days(req.date_from, req.date_to)
            found.append(
                Q.range_query(
                    self.schema, "published", tantivy.FieldType.Date, start, end, include_upper=False
                )
            )
        for name in ("lang", "source", "category"):
            if value := getattr(req, name):
                found.append(Q.term_query(self.schema, name, value.lower()))
        return [Q.const_score_query(q, 0.0) for q in found]

    def query(self, req, node, *, also=(), excluding=()):
        """The request's query with its filters, and `also` matched, `excluding` not."""
        from tantivy import Occur as O
        from tantivy import Query

        parts = [(O.Must, self.node(node)), *((O.Must, f) for f in self.filters(req))]
        parts += [(O.Must, self.node(a)) for a in also]
        parts += [(O.MustNot, self.node(e)) for e in excluding]
        return Query.boolean_query(parts)


class TantivySearch:
    """A search answered by the index: the page's ids from Tantivy, its rows and snippets from SQLite."""

    def __init__(self, index, service):
        self.index = index
        self.searcher = index.searcher()
        self.translate = Translation(index)
        self.service = service
        self.engine_s = 0.0  # time spent in Tantivy, summed over calls

    def read(self, request):
        """The request as Service.search_results reads it: normalised, parsed, its first tier."""
        from caunoi.search import Readings
        from caunoi.store.query import parse_query, side_by_side

        req = self.service._as_stored(request)
        node = parse_query(req.query, exact=req.exact, widen=req.widen)
        reading = None if req.exact else Readings(self.service.engine).read(req.query, node)
        return req, node, reading.first if reading else side_by_side(node)

    def page(self, req, node, first) -> list[tuple[int, float | None]]:
        import tantivy

        started = time.perf_counter()
        wanted = req.offset + req.limit
        if req.sort == "date":
            found = self.searcher.search(
                self.translate.query(req, node), wanted, count=False, order_by_field="newest",
                order=tantivy.Order.Desc,
            ).hits  # fmt: skip
            hits = [(address, None) for _, address in found]
        else:
            tiers = [self.translate.query(req, node)]
            if first is not None:
                tiers = [
                    self.translate.query(req, node, also=[first]),
                    self.translate.query(req, node, excluding=[first]),
                ]
            hits = []
            for tier in tiers:
                found = self.searcher.search(tier, wanted - len(hits), count=False).hits
                hits += [(address, score) for score, address in found]
                if len(hits) >= wanted:
                    break
        hits = hits[req.offset : wanted]
        ids = self.searcher.fast_field_values("id", [address for address, _ in hits])
        self.engine_s += time.perf_counter() - started
        return [(int(i), score) for i, (_, score) in zip(ids, hits, strict=True)]

    def search(self, request):
        from sqlalchemy import select

        from caunoi.store.articles import _hit, _hit_columns
        from caunoi.store.query import positive_terms
        from caunoi.store.schema import articles

        req, node, first = self.read(request)
        page = self.page(req, node, first)
        terms = positive_terms(node)
        shown_first = positive_terms(first) if first is not None else None
        repo = self.service.articles
        with repo.engine.connect() as conn:  # as ArticleRepository.search reads a page of SQLite's ids
            found = select(*_hit_columns()).where(articles.c.id.in_([i for i, _ in page]))
            rows = {row.id: row for row in conn.execute(found)}
            hits = [_hit(rows[i], score, terms, shown_first) for i, score in page if i in rows]
            return repo._placed(conn, hits)

    def count(self, request) -> int:
        req, node, _ = self.read(request)
        return self.searcher.search(self.translate.query(req, node), 1, count=True).count

    def matching(self, request) -> set[int]:
        """The ids of every article the request matches (to compare with FTS5's, on a small store)."""
        req, node, _ = self.read(request)
        query = self.translate.query(req, node)
        every = self.searcher.search(query, max(1, self.count(request)), count=False).hits
        return {int(i) for i in self.searcher.fast_field_values("id", [a for _, a in every])}


@contextlib.contextmanager
def read_only_service(db: Path, rank_cap: int | None = None) -> Iterator[Any]:
    """A Service on the store opened read-only (its own opening: an engine, and the migration check,
    which finds the store at the newest revision and writes nothing). The engine's opening makes the
    URL's folder, which for a `file:` URI is a relative path: made in a scratch folder."""
    import dataclasses

    from caunoi.config import Settings
    from caunoi.service import Service

    settings = Settings(database_url=f"sqlite:///file:{db}?mode=ro&uri=true")
    if rank_cap is not None:
        settings = dataclasses.replace(settings, rank_cap=rank_cap)
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
        service = Service(settings)
    try:
        yield service
    finally:
        service.close()


# -- measuring ---------------------------------------------------------------------------------------


def timings(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50), 2), "p95_ms": round(percentile(values, 95), 2)}


def run_queries(store: Path, index_path: Path, runs: int, only: str | None) -> dict[str, Any]:
    from caunoi.models import SearchRequest

    index = open_index(index_path)
    index.reload()
    out = []
    queries = [q for q in QUERIES if only is None or only in describe(q)]
    with read_only_service(store / "caunoi.db") as svc, read_only_service(store / "caunoi.db", 0) as every:
        tv = TantivySearch(index, svc)
        for q in queries:
            request = SearchRequest(query=q.query, limit=20, **q.options)
            sqlite_hits, tantivy_hits = svc.search(request), tv.search(request)  # warm-up
            sqlite_ms, tantivy_ms, engine_ms = [], [], []
            for _ in range(runs):
                t = time.perf_counter()
                sqlite_hits = svc.search(request)
                sqlite_ms.append((time.perf_counter() - t) * 1000)
                tv.engine_s = 0.0
                t = time.perf_counter()
                tantivy_hits = tv.search(request)
                tantivy_ms.append((time.perf_counter() - t) * 1000)
                engine_ms.append(tv.engine_s * 1000)
            t = time.perf_counter()
            every_hits = every.search(request)
            every_ms = (time.perf_counter() - t) * 1000
            sqlite_ids, tantivy_ids = [h.id for h in sqlite_hits], [h.id for h in tantivy_hits]
            every_ids = [h.id for h in every_hits]
            entry = {
                "label": q.label,
                "query": describe(q),
                "sort": q.options.get("sort", "relevance"),
                "sqlite": {**timings(sqlite_ms), "ms": [round(x, 2) for x in sqlite_ms], "ids": sqlite_ids},
                "tantivy": {
                    **timings(tantivy_ms),
                    "engine_p50_ms": round(percentile(engine_ms, 50), 2),
                    "ms": [round(x, 2) for x in tantivy_ms],
                    "ids": tantivy_ids,
                },
                "sqlite_every_match": {"ms": round(every_ms, 2), "ids": every_ids},
                "matches": {"sqlite": match_count(svc, q), "tantivy": tv.count(request)},
                "in_common": len(set(sqlite_ids) & set(tantivy_ids)),
                "in_common_every_match": len(set(every_ids) & set(tantivy_ids)),
                "same_order": sqlite_ids == tantivy_ids,
                "same_order_every_match": every_ids == tantivy_ids,
            }
            out.append(entry)
            log.info(
                "%-45s sqlite p50 %7.1f  tantivy p50 %6.1f (engine %5.1f) ms  matches %s / %s  common %d/%d",
                entry["query"], entry["sqlite"]["p50_ms"], entry["tantivy"]["p50_ms"],
                entry["tantivy"]["engine_p50_ms"], entry["matches"]["sqlite"], entry["matches"]["tantivy"],
                entry["in_common"], entry["in_common_every_match"],
            )  # fmt: skip
    titles_in_common(store / "caunoi.db", out)
    overall = {}
    for side in ("sqlite", "tantivy"):
        every_ms = [x for e in out for x in e[side]["ms"]]
        overall[side] = {**timings(every_ms), "mean_ms": round(statistics.fmean(every_ms), 2)}
    return {"queries": out, "overall": overall, "peak_rss": child_rusage()}


def titles_in_common(db: Path, entries: list[dict[str, Any]]) -> None:
    """For each query by relevance, how many of Tantivy's 20 hits carry a title among those of SQLite's
    hits (capped, and every match ranked). The generated store draws its titles from 2,653 articles, so
    one title heads hundreds of articles whose scores differ by a hair or not at all, and which of
    them make the page is a tie-break: the titles say whether both engines rank the same text first."""
    with contextlib.closing(read_only(db)) as conn:
        for e in entries:
            if e["sort"] == "date":
                continue
            ids = {*e["tantivy"]["ids"], *e["sqlite"]["ids"], *e["sqlite_every_match"]["ids"]}
            marks = ",".join("?" * len(ids))
            title = dict(conn.execute(f"SELECT id, title FROM articles WHERE id IN ({marks})", [*ids]))
            ours = [title[i] for i in e["tantivy"]["ids"]]
            for key, side in (
                ("titles_in_common", "sqlite"),
                ("titles_in_common_every_match", "sqlite_every_match"),
            ):
                theirs = {title[i] for i in e[side]["ids"]}
                e[key] = sum(t in theirs for t in ours)


VARIANT_QUERIES = ("Việt Nam", "doi ngoai", "đối ngoại")  # common words by relevance: the slow ones


def cheaper_ways(tv: TantivySearch, req, node, first) -> dict[str, Any]:
    """The search of `variants`, measured and cheaper, each a call."""
    from tantivy import Occur, Query

    search, words = tv.searcher.search, tv.translate
    alone = Query.boolean_query([(Occur.Must, words.term(t)) for t in node.items])
    return {
        "as measured: the tier, then the rest": lambda: tv.page(req, node, first),
        "one search, no tier": lambda: search(words.query(req, node), 20, count=False),
        "the tier's phrase alone": lambda: search(words.node(first), 20, count=False),
        "the words alone, no phrase": lambda: search(alone, 20, count=False),
    }


def variants(store: Path, index_path: Path, runs: int) -> dict[str, Any]:
    """Where Tantivy's time goes for a common word by relevance: its part of the search (ids only) as
    measured, and as cheaper queries that rank differently: one search without the reading's tier,
    the tier's phrase alone, the words alone (no phrase anywhere); medians of `runs` after a warm-up."""
    from caunoi.models import SearchRequest

    index = open_index(index_path)
    index.reload()
    out: dict[str, Any] = {}
    with read_only_service(store / "caunoi.db") as svc:
        tv = TantivySearch(index, svc)
        for text in VARIANT_QUERIES:
            req, node, first = tv.read(SearchRequest(query=text, limit=20))
            ways = cheaper_ways(tv, req, node, first)
            out[text] = {}
            for name, way in ways.items():
                way()
                ms = []
                for _ in range(runs):
                    t = time.perf_counter()
                    way()
                    ms.append((time.perf_counter() - t) * 1000)
                out[text][name] = round(statistics.median(ms), 1)
                log.info("%-12s %-40s %7.1f ms", text, name, out[text][name])
    return out


def write_cost(store: Path, index_path: Path, batches: int, size: int = 200) -> dict[str, Any]:
    """Batches of `size` of the store's newest articles indexed again under ids above any article's:
    each batch's documents made, added and committed (and the reader reloaded), timed; then deleted."""
    import tantivy

    index = open_index(index_path)
    rows = []
    with contextlib.closing(read_only(store / "caunoi.db")) as conn:
        rows = conn.execute(
            "SELECT id, title, text, published, created_at, lang, source, category FROM articles"
            " ORDER BY id DESC LIMIT ?",
            (batches * size,),
        ).fetchall()
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    made, added, committed, reloaded = [], [], [], []
    for b in range(batches):
        batch = rows[b * size : (b + 1) * size]
        t0 = time.perf_counter()
        docs = [document(row, WRITE_ID_OFFSET + row[0]) for row in batch]
        t1 = time.perf_counter()
        for doc in docs:
            writer.add_document(doc)
        t2 = time.perf_counter()
        writer.commit()
        t3 = time.perf_counter()
        index.reload()
        t4 = time.perf_counter()
        made.append((t1 - t0) * 1000)
        added.append((t2 - t1) * 1000)
        committed.append((t3 - t2) * 1000)
        reloaded.append((t4 - t3) * 1000)
    writer.delete_documents_by_query(
        tantivy.Query.range_query(index.schema, "id", tantivy.FieldType.Unsigned, WRITE_ID_OFFSET)
    )
    writer.commit()
    writer.wait_merging_threads()

    def summary(values: list[float]) -> dict[str, float]:
        return {"median_ms": round(statistics.median(values), 1), "max_ms": round(max(values), 1)}

    return {
        "batches": batches,
        "batch_size": size,
        "documents_made": summary(made),
        "add_document": summary(added),
        "commit": summary(committed),
        "reader_reload": summary(reloaded),
        "per_batch_ms": {"made": made, "added": added, "committed": committed, "reloaded": reloaded},
        "watermark_after": watermark(index),
    }


def bring_up_to_date(args: argparse.Namespace) -> dict[str, Any]:
    """Index the store's articles above the index's watermark, in a child process: its timings."""
    if args.rebuild and args.index.exists():
        import shutil

        shutil.rmtree(args.index)
    fresh = not (args.index / "meta.json").exists()
    log.info("indexing the store's articles above the index's watermark (%s)", args.index)
    child = [__file__, "--child-build", "--store", str(args.store), "--index", str(args.index)]
    if args.limit:
        child += ["--limit", str(args.limit)]
    built = {**run_child([*child, "--threads", str(args.threads)]), "fresh": fresh}
    log.info("build: %s", built)
    return built


def measure(args: argparse.Namespace) -> dict[str, Any]:
    db = args.store / "caunoi.db"
    manifest_path = args.store.with_suffix(".sqlite.json")
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    with contextlib.closing(read_only(db)) as conn:
        stored, top = conn.execute("SELECT count(*), max(id) FROM articles").fetchone()
    result: dict[str, Any] = {
        "store": str(args.store),
        "store_articles": stored,
        "store_complete": manifest.get("complete"),
        "runs_per_query": args.runs,
    }
    result["build"] = bring_up_to_date(args)
    result["index_bytes"] = index_bytes(args.index)
    result["index_watermark"] = result["build"]["to_id"]
    if result["index_watermark"] != top:
        log.warning("the index ends at id %d, the store at %d", result["index_watermark"], top)
    result["load_before"] = Path("/proc/loadavg").read_text().split()[:3]
    result.update(run_queries(args.store, args.index, args.runs, args.only))
    result["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    if args.batches:
        result["write_cost"] = write_cost(args.store, args.index, args.batches)
    return result


# -- reporting ---------------------------------------------------------------------------------------


def print_build(b: dict[str, Any]) -> None:
    print(
        f"build ({'new' if b['fresh'] else 'resumed'} from id {b['from_id']:,}): {b['articles']:,} articles"
        f" in {b['wall_s']:,.0f} s ({b['articles_per_s'] or 0:,.0f}/s; documents made"
        f" {b['documents_made_s']:,.0f} s, add_document {b['add_document_s']:,.0f} s, commits"
        f" {b['commit_s']:,.0f} s, merges {b['merge_wait_s']:,.0f} s), peak RSS {b['peak_rss_mib']:,.0f} MiB"
    )


def print_report(r: dict[str, Any]) -> None:
    print(
        f"store {r['store']}: {r['store_articles']:,} articles (complete: {r['store_complete']});"
        f" index to id {r['index_watermark']:,}, {r['index_bytes'] / 2**20:,.0f} MiB on disk"
    )
    if "first_build" in r:  # an index built by an earlier --build-only, recorded with the run
        print_build(r["first_build"])
    print_build(r["build"])
    print(
        f"load average before {' '.join(r['load_before'])}, after {' '.join(r['load_after'])};"
        f" {r['runs_per_query']} timed runs per query after 1 warm-up, alternated\n"
    )
    rows = []
    for i, e in enumerate(r["queries"], 1):
        s, t = e["sqlite"], e["tantivy"]
        rows.append(
            [
                str(i),
                e["query"],
                f"{e['matches']['sqlite']:,}",
                f"{e['matches']['tantivy']:,}",
                f"{s['p50_ms']:.1f}",
                f"{s['p95_ms']:.1f}",
                f"{t['p50_ms']:.1f}",
                f"{t['p95_ms']:.1f}",
                f"{t['engine_p50_ms']:.1f}",
                f"{s['p50_ms'] / t['p50_ms']:.1f}",
                ("same" if e["same_order"] else f"{e['in_common']}/20"),
                ("same" if e["same_order_every_match"] else f"{e['in_common_every_match']}/20"),
                f"{e['titles_in_common_every_match']}/20" if "titles_in_common" in e else "",
                f"{e['sqlite_every_match']['ms']:,.0f}",
            ]
        )
    o = r["overall"]
    rows.append(
        [
            "",
            "all queries",
            "",
            "",
            f"{o['sqlite']['p50_ms']:.1f}",
            f"{o['sqlite']['p95_ms']:.1f}",
            f"{o['tantivy']['p50_ms']:.1f}",
            f"{o['tantivy']['p95_ms']:.1f}",
            "",
            f"{o['sqlite']['p50_ms'] / o['tantivy']['p50_ms']:.1f}",
            "",
            "",
            "",
            "",
        ]
    )
    print_table(
        ["#", "query", "FTS5 matches", "Tantivy matches", "FTS5 p50", "FTS5 p95", "Tantivy p50",
         "Tantivy p95", "engine p50", "× p50", "top 20 vs FTS5", "vs FTS5 every match",
         "titles vs every match", "FTS5 every match ms"],
        rows,
        "rlrrrrrrrrrrrr",
    )  # fmt: skip
    print(f"\npeak RSS of the measuring process: {r['peak_rss']['self_peak_rss_mib']:,.0f} MiB")
    if w := r.get("write_cost"):
        print(
            f"\nwrite cost, {w['batches']} batches of {w['batch_size']} (median / max ms): documents made"
            f" {w['documents_made']['median_ms']} / {w['documents_made']['max_ms']}, add_document"
            f" {w['add_document']['median_ms']} / {w['add_document']['max_ms']}, commit"
            f" {w['commit']['median_ms']} / {w['commit']['max_ms']}, reader reload"
            f" {w['reader_reload']['median_ms']} / {w['reader_reload']['max_ms']}"
        )


def print_variants(r: dict[str, Any]) -> None:
    print(f"Tantivy's part (ids only), median of {r['runs']} ms, load average {' '.join(r['load'])}\n")
    names = list(next(iter(r["variants"].values())))
    rows = [[q, *(f"{ms[n]:.1f}" for n in names)] for q, ms in r["variants"].items()]
    print_table(["query", *names], rows, "l" + "r" * len(names))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=STORE, help="search_latency.py's SQLite store folder")
    parser.add_argument("--index", type=Path, default=INDEX, help="the Tantivy index's folder")
    parser.add_argument("--rebuild", action="store_true", help="build the index anew")
    parser.add_argument("--limit", type=int, help="index at most this many articles more")
    parser.add_argument("--threads", type=int, default=1, help="the index writer's threads")
    parser.add_argument(
        "--runs", type=int, default=10, help="timed runs per query and side (after one warm-up)"
    )
    parser.add_argument("--batches", type=int, default=20, help="write-cost batches of 200 (0: none)")
    parser.add_argument("--only", help="only the queries whose text contains this")
    parser.add_argument(
        "--variants", action="store_true", help="only: Tantivy's time for common words, as cheaper queries"
    )
    parser.add_argument("--build-only", action="store_true", help="bring the index up to date, then stop")
    parser.add_argument("--child-build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=NAME, help="name of the result files in benchmarks/results")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr
    )
    if not (args.store / "caunoi.db").exists():
        sys.exit(
            f"no store in {args.store}: build it with search_latency.py --sizes 1000000 --backends sqlite"
        )
    try:
        import tantivy  # noqa: F401
    except ImportError:
        sys.exit("tantivy is not installed: pip install -e '.[bench]'")
    if args.child_build:
        print(json.dumps(build(args.store, args.index, args.limit, args.threads)))
        return 0
    if args.variants:
        result = {"runs": args.runs, "load": Path("/proc/loadavg").read_text().split()[:3]}
        result["variants"] = variants(args.store, args.index, args.runs)
        publish(f"{args.out}_variants", result, as_json=args.json, report=print_variants)
        return 0
    if args.build_only:
        print(json.dumps({**bring_up_to_date(args), "index_bytes": index_bytes(args.index)}))
        return 0
    publish(args.out, measure(args), as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
