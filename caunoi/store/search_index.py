"""A search index beside the store (issue 20): Tantivy answers a search's page of ids, ranked or newest
first, in tens of milliseconds at a million articles, where the store's own index ranks every match
(or its newest `rank_cap`). The store stays the truth; the index is a copy that can always be built
again from it (`caunoi search-index build`), and a search it cannot answer goes to the store.

Switched on per store: `caunoi search-index build` records in the store (`search_index_state`) that
the index is on, where it lies and which build it is (a generation); from then every write of an
article's searched columns (title, text, date, language, outlet, category) or its removal also writes
its id to the outbox (`search_outbox`) in the same transaction. The outbox is drained into the index
by the commands that write (ingest, reprocess, watch, fetch) and by a search that finds it not empty:
each changed article deleted from the index by id and added again as the store has it now, the index
committed, then those outbox rows deleted. A crash between the two leaves rows that are drained again
(deleting and adding is idempotent), never an index ahead of the store. A search uses the index when
it is built for this store's generation, has this code's FORMAT, and lags the store by at most
LAG_OK changes; otherwise the store answers, and the reason is logged once.

What the index holds (the text as `ArticleRepository._index` gives the store's full-text index, so
both engines see the same tokens; no text stored, the page's rows and snippets are read from the
store): title_f, body_f (folded), title_x, body_x (as typed), with positions, for words, phrases and
prefixes; title_fp, body_fp, title_xp, body_xp: each pair of neighbouring tokens as one token
("viet_nam"), so the two-word phrases most Vietnamese words are, and the side-by-side ranking of
unquoted words, are one term's lookup, not a phrase's positions (BENCHMARKS.md: `Việt Nam` 574 ms
as a phrase); id; published (or stored, when undated: the time windows' date); newest (the date
sort's key); lang, source, category (lower-cased).

Filters the index holds: period, language, outlet, category. A search with tags, tone, a named entity,
the outlet's origin or country, or `widen`, is answered by the store.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from caunoi.errors import Conflict, Unavailable
from caunoi.models import SearchRequest
from caunoi.store.query import Node, Not, Or, Term, side_by_side
from caunoi.store.schema import article_tags, articles, search_index_state, search_outbox
from caunoi.text.fold import index_form
from caunoi.timezones import utcnow

log = logging.getLogger(__name__)

FORMAT = 1  # what the index holds; another FORMAT in an index's marker means: build it again
MARKER = "caunoi-index.json"
LAG_OK = 1000  # a search uses an index at most this many changes behind the store (while being drained)
DRAIN_PAGE = 500  # changes drained into the index per commit
BUILD_PAGE = 2000  # articles read from the store at a time by a build
BUILD_COMMIT = 100_000  # a build commits this often
HEAP = 128_000_000  # the writer's memory budget, bytes (a build's: BUILD_HEAP)
BUILD_HEAP = 256_000_000
DRAIN_EVERY_S = 1.0  # the web server's drainer thread (start_draining)
WRITER_WAIT_S = 30.0  # how long a writing command waits for another process's drain to end
# A title match's weight against the body's. Tantivy scores each field by its own BM25, a short title
# scoring high already; FTS5 (bm25(article_fts, 10.0, 1.0, 10.0, 1.0)) counts a title match as ten body
# matches within one row's score. 10 here ranked worse on the judged set (nDCG@10 0.716, 2 0.726, 1
# 0.728; the store 0.743): BENCHMARKS.md, "The search index beside the store".
TITLE_BOOST = 2.0
FOLDED = (("title_f", TITLE_BOOST), ("body_f", 1.0))
EXACT = (("title_x", TITLE_BOOST), ("body_x", 1.0))
PAIRS = {"title_f": "title_fp", "body_f": "body_fp", "title_x": "title_xp", "body_x": "body_xp"}
UNHELD = ("origin", "outlet_country")  # filters only the store holds (the sources registry's)
UNINDEXED_TAGS = ("tone",)  # tags filtered by their score, not their value: the store answers those

_said: set[str] = set()
_said_lock = threading.Lock()


def _say_once(key: str, message: str, *args: Any) -> None:
    with _said_lock:
        if key in _said:
            return
        _said.add(key)
    log.warning(message, *args)


class SearchIndexLocked(Conflict):
    """Another process is writing the index."""


class SearchIndexError(Unavailable):
    """The index could not be read (a damaged or missing file): the store answers instead."""


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    try:
        yield
    except (ValueError, OSError) as exc:  # what tantivy raises for a file it cannot read
        raise SearchIndexError(
            "search_index_failed", "the search index could not be read ({problem})", problem=str(exc)[:200]
        ) from exc


# -- the outbox, written by the store's write path --------------------------------------------------


def is_on(conn: Connection) -> bool:
    """Whether this store has a search index on (its writes are queued for it)."""
    on = conn.execute(select(search_index_state.c.enabled).where(search_index_state.c.id == 1)).scalar()
    return bool(on)


def queue(conn: Connection, ids: list[int]) -> None:
    """Have the index take these articles again (written, rewritten or removed), in the transaction
    that changes them; nothing when no index is on for this store."""
    if ids and is_on(conn):
        conn.execute(insert(search_outbox), [{"article_id": i} for i in ids])


def indexed_tags(conn: Connection, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The tags of these articles the index holds, (kind, value) by article (UNINDEXED_TAGS left out)."""
    found: dict[int, list[tuple[str, str]]] = {}
    query = select(article_tags.c.article_id, article_tags.c.kind, article_tags.c.value).where(
        article_tags.c.article_id.in_(ids), article_tags.c.kind.not_in(UNINDEXED_TAGS)
    )
    for article_id, kind, value in conn.execute(query):
        found.setdefault(article_id, []).append((kind, value))
    return found


def stale_after_restore(conn: Connection) -> bool:
    """A store put back from a backup matches no index built before (it may hold articles the index
    lacks, and lack some it holds): switched off under a new generation, so that none is used (nor
    anything queued) until `caunoi search-index build`; the outbox's rows belonged to the old one.
    Whether an index was on."""
    if not conn.execute(select(search_index_state.c.enabled)).scalar():
        return False  # none was on: the store as it was backed up
    values = {"enabled": False, "generation": str(uuid.uuid4()), "built_at": None}
    conn.execute(update(search_index_state).values(**values))
    conn.execute(delete(search_outbox))
    return True


# -- the index ----------------------------------------------------------------------------------------


def schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name, _ in (*FOLDED, *EXACT):
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
        builder.add_text_field(PAIRS[name], tokenizer_name="whitespace", index_option="freq")
    builder.add_date_field("published", indexed=True, fast=True)
    builder.add_unsigned_field("newest", fast=True)
    for name in ("lang", "source", "category"):
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tag", tokenizer_name="raw", index_option="basic")  # tag_term's
    return builder.build()


def tag_term(kind: str, value: str) -> str:
    """An enrichment tag (kind, value) as the index holds it."""
    return f"{kind}={value}"


def newest_key(published: datetime | None, article_id: int) -> int:
    """`_newest_first`'s order (published, newest first, the undated last; then the last stored first)
    as one number, sorted descending: the published second above the id (ids below 2**30, dates from
    1970 on; earlier ones sort as undated)."""
    seconds = max(0, int(published.replace(tzinfo=UTC).timestamp())) if published else 0
    return seconds << 30 | article_id


def pairs(tokens: str) -> str:
    """Each pair of neighbouring tokens as one ("việt nam hà nội" → "việt_nam nam_hà hà_nội")."""
    words = tokens.split()
    return " ".join(f"{a}_{b}" for a, b in itertools.pairwise(words))


def document(row: Any, tags: list[tuple[str, str]] = ()):
    """The index's document of a stored article (its row: id, title, text, published, created_at,
    lang, source, category) and its enrichment's tags."""
    import tantivy

    from caunoi.store.articles import INDEX_CHARS

    body = row.text[:INDEX_CHARS]
    forms = {
        "title_f": index_form(row.title),
        "body_f": index_form(body),
        "title_x": index_form(row.title, exact=True),
        "body_x": index_form(body, exact=True),
    }
    doc = tantivy.Document(**forms, **{PAIRS[name]: pairs(value) for name, value in forms.items()})
    doc.add_date("published", row.published or row.created_at)
    doc.add_unsigned("id", row.id)
    doc.add_unsigned("newest", newest_key(row.published, row.id))
    for name in ("lang", "source", "category"):
        if value := getattr(row, name):
            doc.add_text(name, value.lower())
    for kind, value in tags:
        doc.add_text("tag", tag_term(kind, value))
    return doc


def _row_columns() -> list:
    c = articles.c
    return [c.id, c.title, c.text, c.published, c.created_at, c.lang, c.source, c.category]


@dataclass
class State:
    enabled: bool
    generation: str | None
    path: str | None
    built_at: datetime | None


def read_state(conn: Connection) -> State:
    row = conn.execute(select(search_index_state).where(search_index_state.c.id == 1)).mappings().first()
    if row is None:
        return State(False, None, None, None)
    return State(bool(row["enabled"]), row["generation"], row["path"], row["built_at"])


def default_path(data_dir: Path, engine: Engine) -> Path:
    """Where `build` puts the index unless told: `search-index` in the data folder for SQLite, named
    after the database and schema for PostgreSQL (stores of one server share a data folder)."""
    if engine.dialect.name == "sqlite":
        return data_dir / "search-index"
    url = engine.url
    with engine.connect() as conn:
        where = conn.execute(text("SELECT current_schema()")).scalar()
    name = "-".join(str(p) for p in (url.host or "local", url.port or 5432, url.database, where))
    return data_dir / f"search-index-{''.join(c if c.isalnum() or c in '.-_' else '_' for c in name)}"


class SearchIndex:
    """The store's search index: built, kept up to date from the outbox, and asked for pages."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._index: Any = None
        self._opened: tuple[str, str] | None = None  # (path, generation) of the opened index
        self._write = threading.Lock()  # one drain at a time in this process
        self._stop: threading.Event | None = None  # set to stop the drainer thread (start_draining)

    # -- state ------------------------------------------------------------------------------------------

    def state(self) -> State:
        with self.engine.connect() as conn:
            return read_state(conn)

    def pending(self, conn: Connection | None = None) -> int:
        if conn is None:
            with self.engine.connect() as c:
                return self.pending(c)
        return conn.execute(select(func.count()).select_from(search_outbox)).scalar_one()

    def _marker(self, path: Path) -> dict[str, Any] | None:
        try:
            return json.loads((path / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def usable(self, state: State) -> str | None:
        """Why the index cannot answer for the store as `state` says it is, or None when it can."""
        if not state.enabled:
            return "off"
        if state.built_at is None or not state.path:
            return "not built: run `caunoi search-index build`"
        marker = self._marker(Path(state.path))
        if marker is None:
            return f"not found at {state.path}: run `caunoi search-index build`"
        if marker.get("generation") != state.generation:
            return "built for another state of the store (restored?): run `caunoi search-index build`"
        if marker.get("format") != FORMAT:
            return "made by another version of caunoi: run `caunoi search-index build`"
        return None

    def _open(self, state: State):
        import tantivy

        key = (str(state.path), str(state.generation))
        if self._index is None or self._opened != key:
            with _reading():
                self._index = tantivy.Index.open(str(state.path))
            self._opened = key
        return self._index

    def status(self) -> dict[str, Any]:
        """What `caunoi search-index status` and the API say: on, where, built when, how far behind."""
        state = self.state()
        why = self.usable(state)
        found: dict[str, Any] = {
            "enabled": state.enabled,
            "path": state.path,
            "built_at": state.built_at,
            "pending": self.pending() if state.enabled else 0,
            "usable": why is None,
            "why_not": why if state.enabled else None,
        }
        if why is None:
            try:
                index = self._open(state)
                with _reading():
                    index.reload()
                    found["documents"] = index.searcher().num_docs
            except SearchIndexError as exc:  # damaged: said, and the store answers
                found.update(usable=False, why_not=f"unreadable ({exc}): run `caunoi search-index build`")
                return found
            found["bytes"] = sum(p.stat().st_size for p in Path(state.path).rglob("*") if p.is_file())
        return found

    # -- building and draining -----------------------------------------------------------------------

    def build(self, path: Path, on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Index every stored article afresh at `path`, as a new generation, then switch the store to it.
        From the start the store's writes are queued, and the old index (if any) is no longer used: the
        store answers searches until the new one is in place, and what changed meanwhile is drained
        into it at the end. A killed build leaves the store answering; the next build starts over."""
        import tantivy

        path = path.resolve()
        generation = self._begin(path)
        started = time.perf_counter()
        building = path.with_name(path.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        index = tantivy.Index(schema(), path=str(building))
        writer = index.writer(heap_size=BUILD_HEAP, num_threads=1)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(articles)).scalar_one()
        done = 0
        for row, tags in self._stored(0):
            writer.add_document(document(row, tags))
            done += 1
            if done % BUILD_COMMIT == 0:
                writer.commit()
            if on_progress and done % 500 == 0:
                on_progress(done, total)
        writer.commit()
        writer.wait_merging_threads()
        del writer, index
        marker = {"generation": generation, "format": FORMAT}
        (building / MARKER).write_text(json.dumps(marker), encoding="utf-8")
        with self._write:
            old = path.with_name(path.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if path.exists():
                path.rename(old)
            building.rename(path)
            shutil.rmtree(old, ignore_errors=True)
            self._index = None
            with self.engine.begin() as conn:
                built = conn.execute(
                    update(search_index_state)
                    .where(search_index_state.c.id == 1, search_index_state.c.generation == generation)
                    .values(built_at=utcnow())
                )
        if not built.rowcount:
            raise Conflict(
                "search_index_overtaken",
                "another build of the search index began meanwhile: its index is the one used",
            )
        if on_progress:
            on_progress(done, total)
        drained = self.sync(wait=True)
        seconds = round(time.perf_counter() - started, 1)
        return {"articles": done, "drained": drained, "seconds": seconds, "path": str(path)}

    def _begin(self, path: Path) -> str:
        """Switch the outbox on under a new generation (no index is used until its build ends). On
        PostgreSQL every transaction writing articles is waited for first, so none that saw the
        outbox off commits after the build has begun reading. The new generation."""
        generation = str(uuid.uuid4())
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("LOCK TABLE articles IN SHARE MODE"))
            values = {"enabled": True, "generation": generation, "path": str(path), "built_at": None}
            if (
                conn.execute(
                    update(search_index_state).where(search_index_state.c.id == 1).values(**values)
                ).rowcount
                == 0
            ):
                conn.execute(insert(search_index_state).values(id=1, **values))
        return generation

    def drop(self) -> str | None:
        """Switch the index off for this store: the store answers every search again, nothing is queued,
        and the index's folder is removed. The folder it was in, or None when none was on."""
        with self._write:
            with self.engine.begin() as conn:
                state = read_state(conn)
                conn.execute(update(search_index_state).values(enabled=False, built_at=None))
                conn.execute(delete(search_outbox))
            self._index = None
        if state.path:
            shutil.rmtree(state.path, ignore_errors=True)
        return state.path if state.enabled else None

    def _stored(self, after: int, ids: list[int] | None = None) -> Iterator[tuple[Any, list]]:
        """The store's articles above id `after` (or those of `ids`), a page at a time in id order,
        each with its tags."""
        with self.engine.connect() as conn:
            if ids is not None:
                yield from self._with_tags(
                    conn, conn.execute(select(*_row_columns()).where(articles.c.id.in_(ids))).all()
                )
                return
            while True:
                page = select(*_row_columns()).where(articles.c.id > after).order_by(articles.c.id)
                rows = conn.execute(page.limit(BUILD_PAGE)).all()
                if not rows:
                    return
                found = list(self._with_tags(conn, rows))
                conn.commit()  # a transaction a page: none held open for the build (WAL checkpoints, VACUUM)
                yield from found
                after = rows[-1].id

    @staticmethod
    def _with_tags(conn: Connection, rows: list[Any]) -> Iterator[tuple[Any, list]]:
        tags = indexed_tags(conn, [r.id for r in rows])
        for row in rows:
            yield row, tags.get(row.id, [])

    def sync(self, *, wait: bool = False, limit: int | None = None) -> int:
        """Drain the outbox into the index (at most `limit` changes); how many were drained. Raises
        SearchIndexLocked when another process is writing the index (after WRITER_WAIT_S when `wait`)."""
        import tantivy

        state = self.state()
        if self.usable(state) is not None:
            return 0
        deadline = time.monotonic() + (WRITER_WAIT_S if wait else 0)
        if not self._write.acquire(timeout=WRITER_WAIT_S if wait else 0.0):
            raise SearchIndexLocked(
                "search_index_busy", "the search index is being written by another command"
            )
        writer = None
        try:
            drained = 0
            while limit is None or drained < limit:
                with self.engine.connect() as conn:
                    seqs = conn.execute(
                        select(search_outbox.c.seq, search_outbox.c.article_id)
                        .order_by(search_outbox.c.seq)
                        .limit(DRAIN_PAGE if limit is None else min(DRAIN_PAGE, limit - drained))
                    ).all()
                    if read_state(conn).generation != state.generation:
                        break  # a build began: what is queued now is for the new index
                if not seqs:
                    break
                if writer is None:
                    index = self._open(state)
                    writer, writer_schema = self._writer(index, deadline), index.schema
                ids = sorted({a for _, a in seqs})
                with _reading():  # a file gone under it (a build's swap, a full disk): said, not a crash
                    # one query of every id (delete_documents_by_term reads an int as i64: no match)
                    writer.delete_documents_by_query(tantivy.Query.term_set_query(writer_schema, "id", ids))
                    for row, tags in self._stored(0, ids):
                        writer.add_document(document(row, tags))
                    writer.commit()
                with self.engine.begin() as conn:
                    conn.execute(delete(search_outbox).where(search_outbox.c.seq.in_([s for s, _ in seqs])))
                drained += len(seqs)
            return drained
        finally:
            writer = None  # tantivy frees the writer's lock when the writer goes, even on an error
            self._write.release()

    def sync_quietly(self, *, wait: bool = True) -> None:
        """`sync` for a command that has written articles: waits for another drain, and never fails
        the command (what is left in the outbox is drained by the next one)."""
        try:
            self.sync(wait=wait)
        except SearchIndexLocked:
            log.info("the search index is busy: the changes stay queued for the next drain")
        except (OSError, SearchIndexError) as exc:
            _say_once(
                "sync-os",
                "the search index could not be written (%s): searches use the store until it can",
                exc,
            )

    @property
    def draining(self) -> bool:
        return self._stop is not None and not self._stop.is_set()

    def start_draining(self, every: float = DRAIN_EVERY_S) -> None:
        """Drain the outbox every `every` seconds in a thread of this process (the web server's), so
        that its searches never wait for a drain: they answer from an index at most LAG_OK changes
        behind while the drainer takes them in."""
        if self.draining:
            return
        stop = self._stop = threading.Event()

        def drain() -> None:
            while not stop.wait(every):
                try:
                    if self.state().enabled and self.pending():
                        self.sync_quietly(wait=False)  # another process draining: next time
                except SQLAlchemyError as exc:  # the store is away: tried again next time
                    _say_once("drainer", "the search index's drainer cannot read the store: %s", exc)

        threading.Thread(target=drain, name="search-index-drainer", daemon=True).start()

    def stop_draining(self) -> None:
        if self._stop is not None:
            self._stop.set()

    @staticmethod
    def _writer(index, deadline: float):
        while True:
            try:
                return index.writer(heap_size=HEAP, num_threads=1)
            except ValueError as exc:  # the writer's lock file is held by another process
                if time.monotonic() >= deadline:
                    raise SearchIndexLocked(
                        "search_index_busy", "the search index is being written by another command"
                    ) from exc
                time.sleep(0.2)

    # -- searching ---------------------------------------------------------------------------------------

    def answers(self, req: SearchRequest) -> Any:
        """The index's searcher when it can answer `req` now (its filters held, built for this store,
        drained or nearly), else None and the store answers."""
        if not req.query.strip() or req.widen or req.tone_min is not None or req.tone_max is not None:
            return None
        if any(getattr(req, name) for name in UNHELD) or any(k in UNINDEXED_TAGS for k, _ in req.tags):
            return None
        with self.engine.connect() as conn:
            state = read_state(conn)
            if not state.enabled:
                return None
            why = self.usable(state)
            if why is not None:
                _say_once(
                    f"unusable-{state.generation}", "the search index is %s; searches use the store", why
                )
                return None
            pending = self.pending(conn)
        if pending and (pending > LAG_OK or not self.draining):  # else the drainer takes them in
            with contextlib.suppress(SearchIndexLocked, SearchIndexError):
                pending -= self.sync(limit=LAG_OK)
            if pending > LAG_OK:
                _say_once(
                    "behind",
                    "the search index is %d changes behind the store; searches use the store",
                    pending,
                )
                return None
        with _reading():
            index = self._open(state)
            index.reload()
            return index.searcher()

    def page(self, searcher, req: SearchRequest, node: Node, first: Node | None, outlets: list[str]):
        """The page's (id, score) pairs: newest first (no score), or ranked with the articles matching
        `first` (the query as read) ahead of the rest, BM25 within each."""
        with _reading():
            return self._page(searcher, req, node, first, outlets)

    def _page(self, searcher, req: SearchRequest, node: Node, first: Node | None, outlets: list[str]):
        import tantivy

        query = Translation(self._index.schema, outlets)
        wanted = req.offset + req.limit
        if req.sort == "date":
            found = searcher.search(
                query.request(req, node),
                wanted,
                count=False,
                order_by_field="newest",
                order=tantivy.Order.Desc,
            ).hits
            hits = [(address, None) for _, address in found]
        else:
            tiers = [query.request(req, node)]
            if first is not None and implies(first, node):  # the first tier is the reading's matches
                tiers = [query.request(req, first, named=False), query.request(req, node, excluding=[first])]
            elif first is not None:
                tiers = [query.request(req, node, also=[first]), query.request(req, node, excluding=[first])]
            hits = []
            for tier in tiers:  # the first tier's best, then the rest's until the page is full
                found = searcher.search(tier, wanted - len(hits), count=False).hits
                hits += [(address, score) for score, address in found]
                if len(hits) >= wanted:
                    break
        hits = hits[req.offset : wanted]
        ids = searcher.fast_field_values("id", [address for address, _ in hits])
        return [(int(i), score) for i, (_, score) in zip(ids, hits, strict=True)]

    def count(self, searcher, req: SearchRequest, node: Node, outlets: list[str]) -> int:
        """How many articles the request matches (every one counted, none scored)."""
        import tantivy

        query = Translation(self._index.schema, outlets, scoring=False).request(req, node)
        with _reading():
            return searcher.search(tantivy.Query.const_score_query(query, 1.0), 1, count=True).count


def implies(first: Node, node: Node) -> bool:
    """Whether every article matching `first` (the query as read: its words side by side, or a reading
    of them) matches `node`: then the first tier is `first`'s matches alone, ranked by it, which
    costs one term's lookup for two syllables where asking both costs every match of the words."""
    if isinstance(node, Or):
        return any(implies(first, item) for item in node.items)
    run = node if isinstance(node, Term) and not node.prefix else side_by_side(node)
    if run is None or not isinstance(first, Term) or first.prefix or first.tokens != run.tokens:
        return False
    typed, exact = run.typed or run.tokens, run.exact or (False,) * len(run.tokens)
    first_typed, first_exact = first.typed or first.tokens, first.exact or (False,) * len(first.tokens)
    return all(
        first_exact[i] and first_typed[i] == word
        for i, (word, e) in enumerate(zip(typed, exact, strict=True))
        if e
    )


class Translation:
    """caunoi.store.query's nodes as Tantivy queries, matching what `to_fts5` matches."""

    def __init__(self, schema, source_names: list[str], *, scoring: bool = True):
        self.schema = schema
        self.source_names = source_names  # the outlet filter's names, lower-cased
        self.scoring = scoring  # False: what matches only, without what adds to the score (a count)

    def words(self, fields: tuple, words: tuple[str, ...], prefix: bool):
        """One word, a prefix or a phrase, in any of `fields` (boosted as bm25's weights are); two
        words side by side as one term of the pair fields."""
        import tantivy

        Q = tantivy.Query
        per_field = []
        for name, boost in fields:
            if len(words) == 1:  # tokens are letters and digits only: nothing for a regex to escape
                q = (
                    Q.regex_query(self.schema, name, words[0] + ".*")
                    if prefix
                    else Q.term_query(self.schema, name, words[0])
                )
            elif prefix:
                q = Q.phrase_prefix_query(self.schema, name, list(words))
            elif len(words) == 2:
                q = Q.term_query(self.schema, PAIRS[name], f"{words[0]}_{words[1]}")
            else:
                q = Q.phrase_query(self.schema, name, list(words))
            per_field.append((tantivy.Occur.Should, Q.boost_query(q, boost) if boost != 1.0 else q))
        return Q.boolean_query(per_field)

    def term(self, term: Term):
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

    def node(self, node: Node):
        """As query.to_fts5: AND / OR / NOT; unquoted words side by side add the phrase's score (and
        the first word's again, as FTS5's `(run OR first)` does), matching the same articles."""
        from tantivy import Occur as O
        from tantivy import Query as Q

        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Or):
            return Q.boolean_query([(O.Should, self.node(i)) for i in node.items])
        if isinstance(node, Not):
            raise ValueError("NOT needs something to exclude from")  # refused by the parser before
        parts = [(O.Must, self.node(i)) for i in node.items if not isinstance(i, Not)]
        parts += [(O.MustNot, self.node(i.item)) for i in node.items if isinstance(i, Not)]
        run = side_by_side(node) if self.scoring else None
        if run is not None:
            parts += [(O.Should, self.term(run)), (O.Should, parts[0][1])]
        return Q.boolean_query(parts)

    def filters(self, req: SearchRequest) -> list:
        """Period, language, outlet and category, scoring nothing (as ArticleRepository._filters)."""
        import tantivy

        from caunoi.store.articles import _days

        Q = tantivy.Query
        found = []
        if req.date_from or req.date_to:
            start, end = _days(req.date_from, req.date_to)
            found.append(
                Q.range_query(
                    self.schema, "published", tantivy.FieldType.Date, start, end, include_upper=False
                )
            )
        if req.lang:
            found.append(Q.term_query(self.schema, "lang", req.lang.lower()))
        if req.source:
            names = [Q.term_query(self.schema, "source", name) for name in self.source_names]
            found.append(Q.boolean_query([(tantivy.Occur.Should, q) for q in names]))
        if req.category:
            found.append(Q.term_query(self.schema, "category", req.category.lower()))
        for kind, value in req.tags:
            found.append(Q.term_query(self.schema, "tag", tag_term(kind, value)))
        return [Q.const_score_query(q, 0.0) for q in found]

    def request(self, req: SearchRequest, node: Node, *, also=(), excluding=(), named: bool = True):
        """The request's query with its filters, and `also` matched, `excluding` not; with the
        articles tagged with the entity it names (`named`)."""
        from tantivy import Occur as O
        from tantivy import Query

        matched = self.node(node)
        if (
            req.named and named
        ):  # the articles tagged with the entity the query names match too, scoring nothing
            tagged = Query.const_score_query(
                Query.term_query(self.schema, "tag", tag_term("entity", req.named)), 0.0
            )
            matched = Query.boolean_query([(O.Should, matched), (O.Should, tagged)])
        parts = [(O.Must, matched), *((O.Must, f) for f in self.filters(req))]
        parts += [(O.Must, self.node(a)) for a in also]
        parts += [(O.MustNot, self.node(e)) for e in excluding]
        return Query.boolean_query(parts)
