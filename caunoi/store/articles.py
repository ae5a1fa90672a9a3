"""Reading and writing articles: idempotent batch upserts, full-text search, one article, stats."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Engine,
    and_,
    bindparam,
    case,
    column,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import DataError

from caunoi.models import SOURCE_ORIGINS, Doc, SearchHit, SearchRequest, outlet_origin
from caunoi.store import search_index
from caunoi.store.database import upsert
from caunoi.store.query import (
    Node,
    Or,
    parse_query,
    positive_terms,
    rum_tsquery,
    side_by_side,
    to_fts5,
    to_pg,
    to_tsquery,
    typed_boost,
)
from caunoi.store.rum import MISSING as RUM_MISSING
from caunoi.store.rum import ranked_by_index
from caunoi.store.schema import (
    article_tags,
    article_time,
    article_time_in,
    articles,
    duplicates,
    origins,
    signature_bands,
    signatures,
    sources,
)
from caunoi.store.snippets import make_snippet
from caunoi.text.fold import index_form

log = logging.getLogger(__name__)

# Both backends index the same leading part of a very long body, so results agree.
INDEX_CHARS = 300_000
_TITLE_BODY_GAP = "caunoititlebodygap"
# SQLite: a search's period of up to this many days is looked up as the set of its articles' ids
# (ArticleRepository.count_by_day); a longer one's set costs what it saves
ID_SET_DAYS = 92
# PostgreSQL with the RUM index: a relevance search ranks this many of its best matches by the index
# (and of its reading's) as every match was ranked before (ArticleRepository._rum_narrowed)
RUM_CANDIDATES = 300
# SQLite: narrow indexes of what a search filters and sorts by (migration 0022), whose row keeps it
# after its long text: an article's dates, language, outlet and category, and its id
SEARCH_KEYS_BY_DATE = "ix_articles_keys_by_date"  # published, id, …: walked newest first
SEARCH_KEYS_BY_ID = "ix_articles_keys_by_id"  # id, published, …: a match looked up by its id
# SQLite, --sort date: how many of the newest articles are walked for each one a page asks for, in
# search of the matches, before the matches themselves are sorted instead (ArticleRepository._dated)
DATE_WALK_PER_HIT = 1000
# PostgreSQL, a common word ranked among its newest matches (ArticleRepository._pg_ranked_from): walked
# when the planner expects it in one article in PG_COMMON or more; at most PG_WALK × rank_cap articles
PG_COMMON = 4
PG_WALK = 8


def rum_fits(req: SearchRequest) -> bool:
    """Whether a relevance search may walk its matches in the RUM index's rank order: not when a
    period, an outlet, a category, tags or tone keep some of them only. When fewer than a page of
    candidates pass the filter, the walk reads every match (on 100k articles "tăng trưởng kinh tế"
    in one category: 236 ms walked, 62 ranked; "Việt Nam" on one day 916 against 444), and it wins
    only where the filter keeps many ("doi ngoai" for one outlet: 131 against 324; BENCHMARKS.md,
    issue 20). Language, origin and outlet country keep a large share of a store."""
    return not (
        req.date_from or req.date_to or req.source or req.category or req.tags
        or req.tone_min is not None or req.tone_max is not None
    )  # fmt: skip


def _hit_columns() -> list:
    """What a search reads of each article it returns."""
    c = articles.c
    return [c.id, c.title, c.published, c.lang, c.source, c.category, c.url, c.text]


def _newest_first() -> tuple:
    """The date sort: the latest published first, the undated last, then the last stored first."""
    return articles.c.published.desc().nulls_last(), articles.c.id.desc()


def _keyed(stmt: Any, index: str) -> Any:
    """`stmt` reading `articles` through `index` only, on SQLite (one of the SEARCH_KEYS indexes: it
    holds every column of the articles the statement reads, so no article's row is read)."""
    return stmt.with_hint(articles, f"INDEXED BY {index}", "sqlite")


def _hit(row: Any, score: float | None, terms: list, first: list | None = None) -> SearchHit:
    """A search's hit; its snippet shows where the `first` terms match (the query as read), else
    where any of `terms` does."""
    snip = make_snippet(row.text, terms, first=first)
    return SearchHit(
        id=row.id,
        title=row.title,
        published=row.published,
        lang=row.lang,
        source=row.source,
        category=row.category,
        url=row.url,
        score=score,
        snippet=snip.text,
        highlights=snip.highlights,
    )


def _planned_rows(conn: Connection, stmt: Any) -> float:
    """How many rows PostgreSQL's planner expects `stmt` to give (EXPLAIN, not run); a list's values
    (`IN`, as an origin filter has) each bound on its own, as the statement runs them."""
    compiled = stmt.compile(conn, compile_kwargs={"render_postcompile": True})
    plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    return plan[0]["Plan"]["Plan Rows"]


def _match_through_index(conn: Connection) -> None:
    """Have PostgreSQL find a search's matches through the GIN index, for this transaction only.

    The planner prices `@@` as cheap, so for common words (a third of the articles match "doi
    ngoai") it picks a sequential scan; but each article's tsvector is stored apart (TOAST), and
    the scan reads every one of them where the index reads none: only the matches, ranked, are.
    A plan that still needs a sequential scan would be priced past jit_above_cost and compiled,
    so JIT is off as well.
    """
    conn.execute(text("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"))


def _query_node(req: SearchRequest) -> Node:
    """The parsed query, with the other names of the entity it names (`req.named_as`) as phrases
    matching every reading: "Vietnam" OR "Viet Nam" OR "Việt Nam" …"""
    node = parse_query(req.query, exact=req.exact, widen=req.widen)
    if not req.named_as:
        return node
    names = [parse_query(f'"{name}"', widen=True) for name in req.named_as if '"' not in name]
    return Or((node, *names))


def _named(req: SearchRequest) -> Any:
    """The articles tagged with the entity the query names (`req.named`), or None."""
    if not req.named:
        return None
    return exists().where(
        article_tags.c.article_id == articles.c.id,
        article_tags.c.kind == "entity",
        article_tags.c.value == req.named,
    )


def _as_date(value: date | str) -> date:
    """A day as SQL gave it: a date (PostgreSQL), or its ISO text when the type got lost (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _days(first: date | None, last: date | None) -> tuple[datetime, datetime]:
    """[start, end) of the days `first` … `last` (both included; either open)."""
    start = datetime.combine(first or date(1, 1, 1), datetime.min.time())
    end = datetime.combine(min(last or date.max, date(9999, 12, 30)), datetime.min.time())
    return start, end + timedelta(days=1)


def origin_case(subject: str) -> Any:
    """A source's origin as caunoi.models.outlet_origin decides it, in SQL over the `sources` table:
    its origin, else domestic or foreign by its country, else "unknown"."""
    return case(
        (sources.c.origin.in_(SOURCE_ORIGINS), sources.c.origin),
        (func.upper(sources.c.country) == subject.upper(), "domestic"),
        (sources.c.country.is_not(None), "foreign"),
        else_="unknown",
    )


def outlet_filters(req: SearchRequest, subject: str, source: Any = articles.c.source) -> list:
    """The conditions on articles.source of a request's origin and outlet country: the registered
    outlets of that origin (or with no origin known: no source record, or one saying neither), of
    that country. The registry is small; the article's outlet is its indexed `source` (or `source`
    given: the same column, written so that SQLite does not walk its index)."""
    conds = []
    if req.origin == "unknown":
        known = select(sources.c.name).where(origin_case(subject) != "unknown")
        conds.append(or_(source.is_(None), source.not_in(known)))
    elif req.origin:
        conds.append(source.in_(select(sources.c.name).where(origin_case(subject) == req.origin)))
    if req.outlet_country:
        country = func.upper(sources.c.country) == req.outlet_country.upper()
        conds.append(source.in_(select(sources.c.name).where(country)))
    return conds


def origin_key(origin: str, raw_hash: str) -> str:
    return hashlib.sha256(f"{origin}\0{raw_hash}".encode()).hexdigest()


@dataclass
class WriteResult:
    added: int = 0
    duplicates: int = 0  # same normalised text already stored: the origin is recorded on it
    unchanged: int = 0  # this very input was stored before
    ids: dict[str, int] = field(default_factory=dict)  # content hash -> article id
    refused: list[Doc] = field(default_factory=list)  # not stored: the database refused a value


class ArticleRepository:
    """All SQL about articles lives here; the rest of the code speaks in Docs and dicts."""

    def __init__(self, engine: Engine, subject: str = "VN"):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.subject = subject  # the subject country (settings.subject_country): whose outlets are domestic

    # -- writing -------------------------------------------------------------------------

    def known_origins(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        with self.engine.connect() as conn:
            rows = conn.execute(select(origins.c.origin_key).where(origins.c.origin_key.in_(keys)))
            return {r[0] for r in rows}

    def _insert(self):
        return upsert(self.dialect)

    def write_batch(self, docs: list[Doc], conn: Connection | None = None) -> WriteResult:
        """Store a batch in one transaction; re-running it, whole or in part, adds nothing.

        With `conn`, the writes join that connection's transaction (the caller commits). Without,
        a value the database refuses costs only its own article: the batch is written again one
        article at a time, and the refused ones come back in `refused` with the reason."""
        if conn is None:
            try:
                with self.engine.begin() as own:
                    return self.write_batch(docs, own)
            except DataError:
                log.warning("the database refused a value in a batch: writing it one article at a time")
                return self._write_each(docs)
        result = WriteResult()
        docs = [d for d in docs if not d.skipped]
        if not docs:
            return result
        docs = self._linked(conn, docs)
        now = datetime.now()
        first_by_hash: dict[str, Doc] = {}
        for doc in docs:
            first_by_hash.setdefault(doc.content_hash, doc)
        hashes = list(first_by_hash)
        existing = dict(
            conn.execute(
                select(articles.c.content_hash, articles.c.id).where(articles.c.content_hash.in_(hashes))
            ).all()
        )
        new_rows = [self._article_row(d, now) for h, d in first_by_hash.items() if h not in existing]
        inserted: dict[str, int] = {}
        if new_rows:
            stmt = (
                self._insert()(articles)
                .on_conflict_do_nothing(index_elements=["content_hash"])
                .returning(articles.c.content_hash, articles.c.id)
            )
            inserted = dict(conn.execute(stmt, new_rows).all())
            self._index(conn, [(inserted[h], first_by_hash[h]) for h in inserted])
        ids = {**existing, **inserted}
        missing = [h for h in hashes if h not in ids]
        if missing:  # lost a race with a concurrent writer: the row is there now
            ids.update(
                conn.execute(
                    select(articles.c.content_hash, articles.c.id).where(articles.c.content_hash.in_(missing))
                ).all()
            )
        origin_rows = [
            {
                "article_id": ids[d.content_hash],
                "origin_key": origin_key(d.origin, d.raw_hash or d.content_hash),
                "origin": d.origin,
                "format": d.format,
                "url": d.url,
                "raw_hash": d.raw_hash or d.content_hash,
                "ingested_at": d.ingested_at,
            }
            for d in docs
        ]
        stmt = self._insert()(origins).on_conflict_do_nothing(index_elements=["origin_key"])
        stmt = stmt.returning(origins.c.origin_key)
        new_keys = {r[0] for r in conn.execute(stmt, origin_rows)}
        result.added = len(inserted)
        result.ids = ids
        seen: set[str] = set()
        for d, row in zip(docs, origin_rows, strict=True):
            key = row["origin_key"]
            if key not in new_keys or key in seen:
                result.unchanged += 1
            elif first_by_hash[d.content_hash] is not d or d.content_hash not in inserted:
                result.duplicates += 1
            seen.add(key)
        return result

    @staticmethod
    def _linked(conn: Connection, docs: list[Doc]) -> list[Doc]:
        """Each doc with the registered outlet its URL belongs to (else its source's, when that is a
        domain: caunoi.store.sources.article_outlet) as its source (the registry's name;
        the name the page gave itself kept in meta "site_name"); a URL no source claims leaves it, and
        so does a doc whose source is a registered one already (the watcher's: it read its feed)."""
        from caunoi.store.sources import CrawlRepository, article_outlet

        crawl = CrawlRepository(conn.engine)
        by_key = crawl.outlets_by_key(conn)
        registered = crawl.source_names(conn) if by_key else set()
        out = []
        for doc in docs:
            name = (
                article_outlet(doc.url, doc.source, by_key)
                if by_key and doc.source not in registered
                else None
            )
            if name is None or name == doc.source:
                out.append(doc)
                continue
            meta = {**doc.meta, "site_name": doc.source} if doc.source else doc.meta
            out.append(doc.replace(source=name, meta=meta))
        return out

    def _write_each(self, docs: list[Doc]) -> WriteResult:
        total = WriteResult()
        for doc in docs:
            if doc.skipped:
                continue
            try:
                with self.engine.begin() as conn:
                    one = self.write_batch([doc], conn)
            except DataError as exc:
                problem = str(exc.orig).strip().splitlines()[0][:200] if exc.orig else type(exc).__name__
                total.refused.append(doc.replace(skip_reason=f"the database refused it: {problem}"))
                continue
            total.added += one.added
            total.duplicates += one.duplicates
            total.unchanged += one.unchanged
            total.ids.update(one.ids)
        return total

    def replace(self, conn: Connection, article_id: int | None, doc: Doc) -> int | None:
        """An article's text processed again (`caunoi reprocess`): updated in place and re-indexed,
        or merged into the article that already has the new text. Returns the id that holds it."""
        if doc.skipped:
            return article_id
        (doc,) = self._linked(conn, [doc])
        old = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        if old is None:
            return self.write_batch([doc], conn).ids.get(doc.content_hash)
        if old["content_hash"] != doc.content_hash:
            other = conn.execute(
                select(articles.c.id).where(articles.c.content_hash == doc.content_hash)
            ).scalar()
            if other is not None:
                conn.execute(
                    update(origins).where(origins.c.article_id == article_id).values(article_id=other)
                )
                self._unindex(conn, article_id, old)
                conn.execute(delete(articles).where(articles.c.id == article_id))
                search_index.queue(conn, [article_id])
                return other
        if old["content_hash"] != doc.content_hash:  # new text: signed again by the next dedupe
            for table in (signature_bands, signatures, duplicates):
                conn.execute(delete(table).where(table.c.article_id == article_id))
        self._unindex(conn, article_id, old)
        row = self._article_row(doc, old["created_at"])
        row.pop("origin")
        conn.execute(update(articles).where(articles.c.id == article_id).values(**row))
        self._index(conn, [(article_id, doc)])
        return article_id

    def _unindex(self, conn: Connection, article_id: int, old: Any) -> None:
        """Take an article out of the SQLite index (a contentless FTS5 table needs the old values)."""
        if self.dialect != "sqlite":
            return  # the tsvector columns are rewritten by _index
        conn.execute(
            text(
                "INSERT INTO article_fts(article_fts, rowid, title_f, body_f, title_x, body_x)"
                " VALUES ('delete', :id, :tf, :bf, :tx, :bx)"
            ),
            {
                "id": article_id,
                "tf": index_form(old["title"]),
                "bf": index_form(old["text"][:INDEX_CHARS]),
                "tx": index_form(old["title"], exact=True),
                "bx": index_form(old["text"][:INDEX_CHARS], exact=True),
            },
        )

    @staticmethod
    def _article_row(doc: Doc, now: datetime) -> dict[str, Any]:
        return {
            "content_hash": doc.content_hash,
            "title": doc.title,
            "text": doc.text,
            "url": doc.url,
            "source": doc.source,
            "category": doc.category,
            "lang": doc.lang,
            "lang_confidence": doc.lang_confidence,
            "published": doc.published,
            "published_from": doc.published_from,
            "event_date": doc.event_date,
            "author": doc.author,
            "attribution": doc.attribution,
            "encoding": doc.encoding,
            "dates": [m.to_json() for m in doc.dates],
            "meta": doc.meta,
            "origin": doc.origin,
            "created_at": now,
        }

    def _index(self, conn, rows: list[tuple[int, Doc]]) -> None:
        if not rows:
            return
        search_index.queue(conn, [article_id for article_id, _ in rows])  # the index beside the store
        params = [
            {
                "id": article_id,
                "tf": index_form(d.title),
                "bf": index_form(d.text[:INDEX_CHARS]),
                "tx": index_form(d.title, exact=True),
                "bx": index_form(d.text[:INDEX_CHARS], exact=True),
            }
            for article_id, d in rows
        ]
        if self.dialect == "sqlite":
            sql = (
                "INSERT INTO article_fts(rowid, title_f, body_f, title_x, body_x)"
                " VALUES (:id, :tf, :bf, :tx, :bx)"
            )
        else:
            # Titles weigh A, bodies B, as bm25's column weights do on SQLite. `||` numbers the
            # body's words on from the title's last, so a phrase could match across the two; a
            # throw-away first body word leaves a gap, as SQLite's separate columns do.
            sql = (
                "UPDATE articles SET"
                " search_f = ts_delete(setweight(to_tsvector('simple', :tf), 'A')"
                " || setweight(to_tsvector('simple', :gap || ' ' || :bf), 'B'), :gap),"
                " search_x = ts_delete(setweight(to_tsvector('simple', :tx), 'A')"
                " || setweight(to_tsvector('simple', :gap || ' ' || :bx), 'B'), :gap)"
                " WHERE id = :id"
            )
            params = [{**p, "gap": _TITLE_BODY_GAP} for p in params]
        conn.execute(text(sql), params)

    # -- reading -------------------------------------------------------------------------

    def search(
        self, req: SearchRequest, first: Node | None = None, from_id: int | None = None
    ) -> list[SearchHit]:
        """Full-text search; raises QueryError for a query that cannot be parsed. An empty query
        with filters lists every article they keep, newest first (a day of the attention charts);
        with none, it is refused as it does not parse. By relevance, the articles that match
        `first` (the query as the user likely meant it: caunoi.search's reading, or its words side
        by side) come before the rest. `from_id` (`ranked_from`'s) ranks only the matches stored
        from that id on.

        SQLite finds the page's ids first, through the narrow indexes of the SEARCH_KEYS (`_ranked`,
        `_dated`), and then reads those articles' rows only; a hit sorted by date has no score there
        (None). PostgreSQL reads the page in one statement."""
        if not req.query.strip() and self._filters(req):
            return self._filtered(req)
        node = _query_node(req)
        terms = positive_terms(node)
        shown_first = positive_terms(first) if first is not None else None
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                if req.sort == "date":
                    page = self._dated(conn, req)
                else:
                    page = self._ranked(conn, req, node, first, from_id)
                return self._page_hits(conn, page, terms, shown_first)
        boost = typed_boost(node) if req.widen else None
        stmt, score = self._match(node, _hit_columns(), boost, _named(req))
        stmt = stmt.where(*self._filters(req))
        best = None
        if req.sort == "date":
            stmt = stmt.order_by(*_newest_first())
        else:
            # a common word: its newest matches only (from_id); else, with the RUM index, its best
            best = None if from_id is not None else self._rum_best(req, node, first)
            if best is not None:
                stmt = stmt.where(articles.c.id.in_(best))
            elif from_id is not None:
                stmt = stmt.where(articles.c.id >= from_id)
            # the reading looked for in each of the few ranked (a few candidates, or a narrow filter's
            # matches: "giáo dục" for one outlet at 1M, 6,044, where the reading has 133,275), else
            # its articles found once through the index
            few = best is not None or from_id is not None or not rum_fits(req)
            if first is None:
                ahead = []
            elif few:
                ahead = [case((self._pg_condition(first, "r"), 0), else_=1)]
            else:
                ahead = [self._first_if(first)]
            stmt = stmt.order_by(*ahead, score, *_newest_first())
        stmt = stmt.limit(req.limit).offset(req.offset)
        hits = []
        with self.engine.connect() as conn:
            _match_through_index(conn)
            if best is not None:  # each tier walked in the RUM index's order, whatever it estimates
                conn.execute(text("SELECT set_config('enable_bitmapscan', 'off', true)"))
            for row in conn.execute(stmt):
                hits.append(_hit(row, abs(float(row.score)), terms, shown_first))
            return self._placed(conn, hits)

    def page_hits(
        self, page: list[tuple[int, float | None]], node: Node, first: Node | None
    ) -> list[SearchHit]:
        """A page of (id, score) found elsewhere (the search index beside the store) as the store's
        hits, in that order: rows, snippets and outlets read here; an article gone since is left out."""
        shown_first = positive_terms(first) if first is not None else None
        with self.engine.connect() as conn:
            return self._page_hits(conn, page, positive_terms(node), shown_first)

    def _page_hits(
        self, conn: Connection, page: list[tuple[int, float | None]], terms: list, shown_first: list | None
    ) -> list[SearchHit]:
        found = select(*_hit_columns()).where(articles.c.id.in_([i for i, _ in page]))
        rows = {row.id: row for row in conn.execute(found)}
        hits = [_hit(rows[i], score, terms, shown_first) for i, score in page if i in rows]
        return self._placed(conn, hits)

    def _ranked(
        self, conn: Connection, req: SearchRequest, node: Node, first: Node | None, from_id: int | None
    ) -> list[tuple[int, float | None]]:
        """SQLite, by relevance: the page's ids and scores, ranked as `search` says; each match's date
        and filter columns are read from the index by id (SEARCH_KEYS_BY_ID), not from its row."""
        boost = typed_boost(node) if req.widen else None
        stmt, score = self._match(node, [articles.c.id], boost, _named(req), from_id)
        ahead = [self._first_if(first, from_id)] if first is not None else []
        stmt = stmt.where(*self._filters(req)).order_by(*ahead, score, *_newest_first())
        stmt = _keyed(stmt, SEARCH_KEYS_BY_ID).limit(req.limit).offset(req.offset)
        return [(row.id, abs(float(row.score))) for row in conn.execute(stmt)]

    def _dated(self, conn: Connection, req: SearchRequest) -> list[tuple[int, float | None]]:
        """SQLite, --sort date: the page's ids, newest first, with no score (bm25 would be asked of
        every match, which is what a date sort spares). The articles the filters keep are walked
        newest first in the date index (SEARCH_KEYS_BY_DATE), each looked up among the full-text
        matches (their ids, read once from the index): a word common among the newest fills the
        page within DATE_WALK_PER_HIT articles per hit asked. A rarer one, or a page or an export
        reaching further, has its matches sorted instead, their dates read from the index by id
        (SEARCH_KEYS_BY_ID). Either way, the page of every match in `_newest_first`'s order."""
        matched, filters = self._matched(req), self._filters(req)
        walk = select(articles.c.id, articles.c.published, matched.label("hit")).where(*filters)
        walked = (
            _keyed(walk, SEARCH_KEYS_BY_DATE)
            .order_by(*_newest_first())
            .limit(DATE_WALK_PER_HIT * (req.offset + req.limit))
            .subquery("walked")
        )
        newest = (walked.c.published.desc().nulls_last(), walked.c.id.desc())
        page = select(walked.c.id).where(walked.c.hit).order_by(*newest)
        ids = list(conn.execute(page.limit(req.limit).offset(req.offset)).scalars())
        if len(ids) < req.limit:  # the walk ended before the page did: the matches sorted
            every = _keyed(select(articles.c.id), SEARCH_KEYS_BY_ID).where(matched, *filters)
            every = every.order_by(*_newest_first()).limit(req.limit).offset(req.offset)
            ids = list(conn.execute(every).scalars())
        return [(i, None) for i in ids]

    def _rum_best(self, req: SearchRequest, node: Node, first: Node | None) -> Any:
        """The ids a relevance search is narrowed to, on PostgreSQL with the RUM index: its best
        RUM_CANDIDATES matches in the index's rank order, the best as many of those matching `first`
        (its tier), and with a named entity the newest as many of its tagged articles; the search
        ranks them then as it ranks every match without the index. So a query matching fewer than
        that gets the same order as without the index, and a common one the top of the index's rank.
        None (every match ranked, as without the index) when the store has no RUM index, or a narrow
        filter (rum_fits) keeps few of the matches: walking matches in rank order would read many to
        find a page of them, where the plan without it reads only the filter's."""
        ordering = rum_tsquery(node)
        if ordering is None or not rum_fits(req) or (schema := ranked_by_index(self.engine)) is None:
            return None
        need = max(RUM_CANDIDATES, 2 * (req.limit + req.offset))
        filters = self._filters(req)
        tiers = [(node, ordering, "km", [])]
        first_ordering = rum_tsquery(first) if first is not None else None
        if first is not None and first_ordering is not None:
            tiers.append((first, first_ordering, "kr", [self._pg_condition(node, "kn")]))
        tops = []
        for index, (tier, tsquery, name, also) in enumerate(tiers):
            walk = f"to_tsquery('simple', :rum{index})"
            top = select(articles.c.id).where(
                text(f"search_f @@ {walk}").bindparams(**{f"rum{index}": tsquery}),
                self._pg_condition(tier, name),
                *also,
                *filters,
            )
            distance = text(f"search_f OPERATOR({schema}.<=>) {walk}").bindparams(**{f"rum{index}": tsquery})
            tops.append(top.order_by(distance).limit(need))
        named = _named(req)
        if named is not None:  # none of the query's words: ranked last, newest first
            tops.append(select(articles.c.id).where(named, *filters).order_by(*_newest_first()).limit(need))
        found = union_all(*(top.subquery().select() for top in tops)).subquery("rum_best")
        return select(found.c.id)

    def count(self, req: SearchRequest, cap: int) -> tuple[int, bool]:
        """How many articles a search matches: (n, True) counted, or (n, False) estimated — when the
        newest tenth of the store (by id) holds at least cap/10 of its matches, their count scaled
        to the whole store (a common word costs a tenth of counting it)."""
        with self.engine.connect() as conn:
            low, high = conn.execute(select(func.min(articles.c.id), func.max(articles.c.id))).one()
            if high is None:
                return 0, True
            if self.dialect == "postgresql" and req.query.strip():
                _match_through_index(conn)
            window = max(1, (high - low + 1) // 10)
            sample = conn.execute(self._count(req, after=high - window)).scalar_one()
            if sample >= cap // 10 and window < high - low + 1:
                return round(sample * (high - low + 1) / window), False
            return conn.execute(self._count(req)).scalar_one(), True

    def ranked_from(self, req: SearchRequest, cap: int) -> int | None:
        """By relevance: when the search matches more than `cap` articles, the id from which the
        `cap` most recently stored of them begin (`search` ranks those only); else None. Ranking
        every match is what a common word costs (a third of the store: about a second per million
        articles on SQLite, several on PostgreSQL, RUM index or not). SQLite's index gives its
        matches newest first, and stops at cap; PostgreSQL's, `_pg_ranked_from`."""
        if req.sort == "date" or not req.query.strip() or cap <= 0:
            return None
        if req.offset + req.limit > cap:  # a page past the cap, an export of more: every match ranked
            return None
        if self.dialect == "postgresql":
            return self._pg_ranked_from(req, cap)
        newest = text(
            "SELECT rowid FROM article_fts WHERE article_fts MATCH :m"
            " ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ).bindparams(m=to_fts5(_query_node(req)), skip=cap)  # the first match left out
        with self.engine.connect() as conn:
            left_out = conn.execute(newest).scalar()
            if left_out is not None and (self._filters(req) or req.named):
                # the newest matches the filters keep (each article's row read), up to cap; the
                # index's alone, when no more than cap, spare that (a selective search's case)
                kept = self._count(req, ids=True).order_by(articles.c.id.desc()).limit(1).offset(cap)
                left_out = conn.execute(kept).scalar()
        return None if left_out is None else left_out + 1

    def _pg_ranked_from(self, req: SearchRequest, cap: int) -> int | None:
        """PostgreSQL's `ranked_from`, for a word common among the newest articles. Its GIN index
        hands matches in no useful order, and looking at a match's words there means reading its
        tsvector (TOAST), so the newest matches are found by walking the newest articles — worth it
        only when the planner expects at least one in PG_COMMON of them to match (a word in a third
        of the archive: 15,000 read for 5,000). The walk reads at most PG_WALK × cap articles; when
        it finds no more than `cap` matches there, or for a rarer search, every match is ranked
        (None), through the RUM index where the store has it."""
        kept = self._count(req, ids=True)
        with self.engine.connect() as conn:
            _match_through_index(conn)
            stored = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'articles'::regclass"))
            if _planned_rows(conn, kept) * PG_COMMON < max(stored.scalar_one(), 0):
                return None
            floor = select(articles.c.id).order_by(articles.c.id.desc()).limit(1).offset(PG_WALK * cap)
            newest = kept.where(articles.c.id > func.coalesce(floor.scalar_subquery(), 0))
            left_out = conn.execute(newest.order_by(articles.c.id.desc()).limit(1).offset(cap)).scalar()
        return None if left_out is None else left_out + 1

    def _count(self, req: SearchRequest, after: int | None = None, *, ids: bool = False):
        """SELECT count(*) of the articles `req` matches (with an id above `after`); their ids if `ids`."""
        newer = [] if after is None else [articles.c.id > after]
        if not req.query.strip():
            stmt = select(articles.c.id)
        elif self.dialect == "sqlite":  # each match's filter columns read from the index by id
            stmt = _keyed(select(articles.c.id).where(self._matched(req, after)), SEARCH_KEYS_BY_ID)
        else:  # the matches only, not their scores (a rank would read each match's text)
            matched, named = self._pg_condition(_query_node(req), "m"), _named(req)
            stmt = select(articles.c.id).where(matched if named is None else or_(matched, named))
        stmt = stmt.where(*self._filters(req), *newer)
        return stmt if ids else select(func.count()).select_from(stmt.subquery())

    @staticmethod
    def _matched(req: SearchRequest, after: int | None = None) -> Any:
        """SQLite: that an article is one the query matches (among the full-text index's matches,
        with an id above `after`: their ids, which SQLite reads once; joined, it may ask the index
        row by row), or is tagged with the entity it names."""
        rowid = "" if after is None else f" AND rowid > {int(after)}"
        found = text(f"SELECT rowid FROM article_fts WHERE article_fts MATCH :m{rowid}")
        found = found.bindparams(m=to_fts5(_query_node(req))).columns(column("rowid"))
        named = _named(req)
        return articles.c.id.in_(found) if named is None else or_(articles.c.id.in_(found), named)

    def _filtered(self, req: SearchRequest) -> list[SearchHit]:
        stmt = (
            select(*_hit_columns())
            .where(*self._filters(req))
            .order_by(*_newest_first())
            .limit(req.limit)
            .offset(req.offset)
        )  # fmt: skip
        with self.engine.connect() as conn:
            return self._placed(conn, [_hit(row, 0.0, []) for row in conn.execute(stmt)])

    def _placed(self, conn: Connection, hits: list[SearchHit]) -> list[SearchHit]:
        """The hits with their outlet's origin and country, from the registry records of their
        outlets (read once for the page, not joined to every match)."""
        names = {h.source for h in hits if h.source}
        records = {}
        if names:
            query = select(sources.c.name, sources.c.origin, sources.c.country).where(
                sources.c.name.in_(names)
            )
            records = {row.name: (row.origin, row.country) for row in conn.execute(query)}
        for hit in hits:
            origin, country = records.get(hit.source or "", (None, None))
            hit.origin, hit.outlet_country = outlet_origin(origin, country, self.subject), country
        return hits

    def matching(
        self,
        req: SearchRequest,
        start: datetime,
        end: datetime,
        *,
        reprints: bool = False,
        cap: int = 200_000,
    ) -> list[Any]:
        """Every article the request matches published in [start, end) (the time stored when the
        date is unknown), at most `cap`: rows of id, when, source, lang, tone (the article's, or
        None), story_id. Reprints (near-duplicates of an earlier article) are left out unless `reprints`."""
        from caunoi.store.schema import story_articles

        when = article_time()
        tone = (
            select(article_tags.c.score)
            .where(
                article_tags.c.article_id == articles.c.id,
                article_tags.c.kind == "tone",
                article_tags.c.value == req.tone_of,
            )
            .scalar_subquery()
        )
        story = select(story_articles.c.story_id).where(story_articles.c.article_id == articles.c.id)
        cols = [
            articles.c.id,
            when.label("when"),
            articles.c.source,
            articles.c.lang,
            tone.label("tone"),
            story.scalar_subquery().label("story_id"),
        ]
        if req.query.strip():
            stmt, _ = self._match(_query_node(req), cols, named=_named(req))
        else:
            stmt = select(*cols)
        stmt = stmt.where(*self._filters(req), article_time_in(start, end))
        if not reprints:
            stmt = stmt.where(~exists().where(duplicates.c.article_id == articles.c.id))
        with self.engine.connect() as conn:
            if self.dialect == "postgresql" and req.query.strip():
                _match_through_index(conn)
            return list(conn.execute(stmt.order_by(when, articles.c.id).limit(cap)))

    def count_by_day(self, req: SearchRequest) -> list[tuple[date, int]]:
        """How many articles `req` finds on each day, grouped in SQL: exactly the articles `search`
        finds (its matching and its filters, the period its `date_from` … `date_to`; reprints
        count, as they are found), each on its own day as the store dates them (article_time: the
        publication's Hanoi wall-clock day, the day it was stored when it is undated). Days with
        none are left out; an empty query counts every article the filters keep.

        Written for each database's way. SQLite keeps an article's dates after its text, in overflow
        pages: comparing them row by row reads every full-text match past its text, so a period of up
        to ID_SET_DAYS is a set of ids read from the index on `published` instead (on 100k articles
        "doi ngoai" over a month: 58 ms instead of 167; over a year the set costs what it saves); and
        without a query the dated and the undated are counted apart, each by its own column, the dated
        from that index alone (every article of a year: 25 ms instead of 113). PostgreSQL keeps the
        text apart (TOAST) and compares the dates as they are (BENCHMARKS.md, "Attention over time")."""
        start, end = _days(req.date_from, req.date_to)
        rest = self._filters(dataclasses.replace(req, date_from=None, date_to=None))
        published, stored = articles.c.published, articles.c.created_at
        if not req.query.strip():
            parts = [
                select(func.date(published, type_=Date).label("day")).where(
                    published >= start, published < end
                ),
                select(func.date(stored, type_=Date).label("day")).where(
                    published.is_(None), stored >= start, stored < end
                ),
            ]
            return self._by_day([part.where(*rest) for part in parts], matched=False)
        day = func.date(article_time(), type_=Date).label("day")
        stmt, _ = self._match(_query_node(req), [day], named=_named(req))
        period = article_time_in(start, end)
        if self.dialect == "sqlite" and end - start <= timedelta(days=ID_SET_DAYS):
            period = articles.c.id.in_(select(articles.c.id).where(period))
        return self._by_day([stmt.where(period, *rest)], matched=True)

    def _by_day(self, statements: list[Any], matched: bool) -> list[tuple[date, int]]:
        """The rows of `statements` (each a column "day") counted by day, in SQL, summed."""
        counts: Counter[date] = Counter()
        with self.engine.connect() as conn:
            if self.dialect == "postgresql" and matched:
                _match_through_index(conn)
            for stmt in statements:
                found = stmt.subquery()
                for row in conn.execute(select(found.c.day, func.count().label("n")).group_by(found.c.day)):
                    counts[_as_date(row.day)] += row.n
        return sorted(counts.items())

    def ids_matching(self, node: Node, start: datetime, end: datetime, cap: int) -> list[int]:
        """The ids of the articles of [start, end) (as `matching` dates them) that a parsed query
        matches, best ranked first, at most `cap`, reprints included: a narrowing, for callers that
        build their query from phrases of their own (earned coverage) rather than from user text."""
        stmt, score = self._match(node, [articles.c.id])
        stmt = stmt.where(article_time_in(start, end)).order_by(score, articles.c.id).limit(cap)
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                _match_through_index(conn)
            return [row.id for row in conn.execute(stmt)]

    def first_seen(self) -> datetime | None:
        """When the oldest article in the store was published (or stored)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.min(article_time()))).scalar()

    def _match(
        self, node: Node, cols: list, boost: Node | None = None, named: Any = None, from_id: int | None = None
    ):
        """The articles matching `node`, with `cols` and their relevance (`score`), and the order
        by relevance; `boost` adds the score of what it matches (the same matches); `named` (a
        condition, `_named`'s) matches more articles, with no score of their own, after the rest.
        `from_id` (SQLite) keeps the articles stored from that id on: the index scores those only."""
        if self.dialect == "sqlite":
            match = to_fts5(node)
            if boost is not None:
                # Same matches (B OR M is implied by M); bm25 adds the boost's score.
                match = f"({match}) AND ({to_fts5(boost)} OR {match})"
            newer = "" if from_id is None else f" AND rowid >= {int(from_id)}"
            if named is not None:  # the index's matches, joined to every article the condition keeps
                found = (
                    text(
                        "SELECT rowid AS rid, bm25(article_fts, 10.0, 1.0, 10.0, 1.0) AS fts_score"
                        f" FROM article_fts WHERE article_fts MATCH :match{newer}"
                    )
                    .bindparams(match=match)
                    .columns(column("rid"), column("fts_score"))
                    .subquery("found")
                )
                stmt = (
                    select(*cols, func.coalesce(found.c.fts_score, 0.0).label("score"))
                    .select_from(articles.outerjoin(found, found.c.rid == articles.c.id))
                    .where(or_(found.c.rid.is_not(None), named))
                )
                if from_id is not None:
                    stmt = stmt.where(articles.c.id >= from_id)
                return stmt, literal_column("score")
            # bm25 is lower-is-better; a title match weighs ten body matches.
            score = literal_column("bm25(article_fts, 10.0, 1.0, 10.0, 1.0)")
            stmt = (
                select(*cols, score.label("score"))
                .select_from(articles.join(text("article_fts"), text("article_fts.rowid = articles.id")))
                .where(
                    text(f"article_fts MATCH :match{newer.replace('rowid', 'article_fts.rowid')}").bindparams(
                        match=match
                    )
                )
            )
            return stmt, literal_column("score")
        from sqlalchemy.dialects.postgresql import TSVECTOR

        # tsvector columns exist on PostgreSQL only (migration 0001), so they are not in schema.py
        folded = literal_column("articles.search_f", TSVECTOR)
        score = func.ts_rank_cd(folded, func.to_tsquery("simple", bindparam("tsq", to_tsquery(node))))
        run = side_by_side(node)
        if run is not None:
            score = score + func.ts_rank_cd(
                folded, func.to_tsquery("simple", bindparam("run", to_tsquery(run)))
            )
        if boost is not None:
            typed = literal_column("articles.search_x", TSVECTOR)
            score = score + func.ts_rank_cd(
                typed, func.to_tsquery("simple", bindparam("boost", to_tsquery(boost, typed=True)))
            )
        condition = self._pg_condition(node, "m")
        stmt = select(*cols, score.label("score")).where(
            condition if named is None else or_(condition, named)
        )
        return stmt, score.desc()

    @staticmethod
    def _pg_condition(node: Node, name: str, among: str = "{}"):
        """`to_pg`'s condition as SQL (placed in `among`'s braces), its tsqueries bound as name0, …"""
        params: dict[str, str] = {}

        def bind(tsquery: str) -> str:
            key = f"{name}{len(params)}"
            params[key] = tsquery
            return f":{key}"

        return text(among.format(to_pg(node, bind))).bindparams(**params)

    def _first_if(self, reading: Node, from_id: int | None = None):
        """An order term putting the articles that match `reading` first (0, the rest 1); SQLite looks
        for them among the articles stored from `from_id` on, if given (the ones ranked)."""
        if self.dialect == "sqlite":
            newer = "" if from_id is None else f" AND rowid >= {int(from_id)}"
            among = text(
                f"articles.id IN (SELECT rowid FROM article_fts WHERE article_fts MATCH :reading{newer})"
            ).bindparams(reading=to_fts5(reading))
        else:  # the reading's articles found once, through the index, not looked for in each match
            among = self._pg_condition(reading, "r", "articles.id IN (SELECT r.id FROM articles r WHERE {})")
        return case((among, 0), else_=1)

    def _filters(self, req: SearchRequest) -> list:
        source = articles.c.source
        if self.dialect == "sqlite" and (req.date_from or req.date_to):
            # a period is narrower than an origin: SQLite would walk every foreign article through
            # the index on source (9,000 of 100k) rather than the period's through the one on dates
            # (113 in two days); "+source" is the column, not its index (BENCHMARKS.md, issue 19)
            source = literal_column("+articles.source", articles.c.source.type)
        conds = outlet_filters(req, self.subject, source)
        if req.date_from or req.date_to:  # by the day every window of the store dates an article by
            conds.append(article_time_in(*_days(req.date_from, req.date_to)))
        if req.lang:
            conds.append(articles.c.lang == req.lang.lower())
        if req.source:  # its name, or a domain of its (dantri.com.vn: the registry's "Dân trí")
            named = [func.lower(articles.c.source) == req.source.lower()]
            registered = self._outlet_at(req.source)
            conds.append(or_(*named, articles.c.source == registered) if registered else named[0])
        if req.category:
            conds.append(func.lower(articles.c.category) == req.category.lower())
        for kind, value in req.tags:
            conds.append(
                exists().where(
                    article_tags.c.article_id == articles.c.id,
                    article_tags.c.kind == kind,
                    article_tags.c.value == value,
                )
            )
        if req.tone_min is not None or req.tone_max is not None:
            tone = [article_tags.c.article_id == articles.c.id, article_tags.c.kind == "tone"]
            tone.append(article_tags.c.value == req.tone_of)
            if req.tone_min is not None:
                tone.append(article_tags.c.score >= req.tone_min)
            if req.tone_max is not None:
                tone.append(article_tags.c.score <= req.tone_max)
            conds.append(exists().where(*tone))
        return [and_(*conds)] if conds else []

    def _outlet_at(self, domain: str) -> str | None:
        """The registered outlet a domain ("dantri.com.vn", "bbc.com/vietnamese") belongs to, if any."""
        from caunoi.store.sources import CrawlRepository, domain_outlet

        return domain_outlet(domain, CrawlRepository(self.engine).outlets_by_key())

    def get(self, article_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
            if row is None:
                return None
            found = conn.execute(
                select(
                    origins.c.origin,
                    origins.c.format,
                    origins.c.url,
                    origins.c.raw_hash,
                    origins.c.ingested_at,
                )
                .where(origins.c.article_id == article_id)
                .order_by(origins.c.id)
            ).mappings()
            out = {k: v for k, v in row.items() if not k.startswith("search_")}
            out["origins"] = [dict(o) for o in found]
            return out

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(articles))
            n_origins = conn.scalar(select(func.count()).select_from(origins))
            first, last = conn.execute(
                select(func.min(articles.c.published), func.max(articles.c.published))
            ).one()

            def counts(column, limit: int = 10) -> list[tuple[str | None, int]]:
                n = func.count().label("n")
                rows = conn.execute(
                    select(column, n).group_by(column).order_by(n.desc(), column).limit(limit)
                )
                return [(r[0], r[1]) for r in rows]

            data = {
                "articles": total,
                "origins": n_origins,
                "published_first": first.isoformat() if first else None,
                "published_last": last.isoformat() if last else None,
                "languages": counts(articles.c.lang),
                "sources": counts(articles.c.source),
                "categories": counts(articles.c.category, 20),
                "backend": self.dialect,
                "search_index": self._search_index(),
            }
            if data["search_index"] == "gin":
                data["search_index_note"] = RUM_MISSING
            return data

    def _search_index(self) -> str:
        """How search finds and ranks matches: "fts5" (SQLite), "rum" (PostgreSQL, the best matches
        read in rank order) or "gin" (PostgreSQL without the rum extension: every match ranked)."""
        if self.dialect == "sqlite":
            return "fts5"
        return "gin" if ranked_by_index(self.engine) is None else "rum"

    def make_rum_index(self) -> bool:
        """Create the RUM index (caunoi.store.rum) on a PostgreSQL store migrated before the server
        had the extension; False when it still cannot be made."""
        from caunoi.store.rum import create_index, forget

        if self.dialect != "postgresql":
            return False
        with self.engine.begin() as conn:
            made = create_index(conn)
        forget(self.engine)
        return made
