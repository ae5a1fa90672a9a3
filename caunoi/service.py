"""The façade every interface calls (the CLI, the REST API, the web pages): it opens the store and
holds the domain services (`cases`, `alerts`, `sources`, `searches`, …, each made when first used),
and runs the operations that span them (ingest, watch, reprocess, enrich, stories). It writes no SQL
and takes no lock itself: the store does both."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caunoi.config import Settings, load_settings
from caunoi.models import Article, Doc, SearchHit, SearchRequest, SearchResults
from caunoi.store.database import open_store, watch_lock

if TYPE_CHECKING:
    from caunoi.alerts import Alerts
    from caunoi.attention import Attention, AttentionAsk
    from caunoi.audit import AuditLog
    from caunoi.cases import CaseService
    from caunoi.executors import Executor
    from caunoi.factsheets import FactSheetService
    from caunoi.ingest.sources import Sources
    from caunoi.ingest.watch import FetchReport, Watcher
    from caunoi.integrity import IntegrityReport
    from caunoi.net.http import Fetcher
    from caunoi.outreach import OutreachService
    from caunoi.reports.drafts import Drafts
    from caunoi.reports.editions import BriefEditions
    from caunoi.reports.figures import OverviewCache
    from caunoi.reports.figures import Scope as DashboardScope
    from caunoi.search import SavedSearches
    from caunoi.store.articles import ArticleRepository
    from caunoi.store.enrichment import EnrichmentRepository
    from caunoi.store.query import Node
    from caunoi.store.search_index import SearchIndex
    from caunoi.store.sources import CrawlRepository
    from caunoi.store.stories import StoryRepository
    from caunoi.stories.encoder import Encoder
    from caunoi.stories.rising import RisingList, RisingRequest
    from caunoi.stories.view import StorySummary, StoryView
    from caunoi.units import UnitService
    from caunoi.users import UserService

log = logging.getLogger(__name__)
# a command writing articles drains them into the search index (when on) this often, and at its end
INDEX_DRAIN_S = 5.0
COUNT_CAP = 5000  # a tenth of it among the newest tenth of the store: "about N" (ArticleRepository.count)
ENRICH_ALL_MARK = "enrich-all"  # stage_state: where an `enrich --all` that did not finish got to
REPROCESS_MARK = "reprocess"  # stage_state: where a `reprocess` that did not finish got to


class Service:
    """The store opened and migrated, and the operations users run on it."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.engine = open_store(self.settings.sqlalchemy_url)
        self._drained_at = time.monotonic()

    # Each domain service is made when first used: a command pays only for what it uses (the
    # imports behind `cases` or `alerts` are most of a short command's start-up).

    @functools.cached_property
    def articles(self) -> ArticleRepository:
        from caunoi.store.articles import ArticleRepository

        return ArticleRepository(self.engine, self.settings.subject_country)

    @functools.cached_property
    def search_index(self) -> SearchIndex:
        """The search index beside the store (`caunoi search-index build`), when it is on."""
        from caunoi.store.search_index import SearchIndex

        return SearchIndex(self.engine)

    def build_search_index(
        self, path: Path | None = None, on_progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Any]:
        """Build the search index beside the store (`caunoi search-index build`) at `path`, else where
        it was, else its default place (search_index.default_path)."""
        from caunoi.store.search_index import default_path

        state = self.search_index.state()
        where = path or (
            Path(state.path) if state.path else default_path(self.settings.data_dir, self.engine)
        )
        return self.search_index.build(where, on_progress)

    def _drain(self, *, due: bool = False) -> None:
        """The articles written since the search index took them, into it (when it is on): at the end
        of a command that wrote, or `due` after a batch, when INDEX_DRAIN_S have passed since the last."""
        now = time.monotonic()
        if due and now - self._drained_at < INDEX_DRAIN_S:
            return
        self._drained_at = now
        self.search_index.sync_quietly()

    @functools.cached_property
    def crawl(self) -> CrawlRepository:
        """The watcher's repository; interfaces use `sources`."""
        from caunoi.store.sources import CrawlRepository

        return CrawlRepository(self.engine)

    @functools.cached_property
    def audit(self) -> AuditLog:
        """The audit log, read (`caunoi audit list`, GET /api/v1/audit, the /audit page)."""
        from caunoi.audit import AuditLog

        return AuditLog(self.engine)

    @functools.cached_property
    def sources(self) -> Sources:
        from caunoi.ingest.sources import Sources

        return Sources(self.crawl)

    @functools.cached_property
    def enrichments(self) -> EnrichmentRepository:
        from caunoi.store.enrichment import EnrichmentRepository

        return EnrichmentRepository(self.engine)

    @functools.cached_property
    def stories(self) -> StoryRepository:
        from caunoi.store.stories import StoryRepository

        return StoryRepository(self.engine)

    @functools.cached_property
    def units(self) -> UnitService:
        from caunoi.units import UnitService

        return UnitService(self.engine)

    def zone_of(self, user: dict[str, Any] | None) -> str:
        """The time zone `user` reads and types times in: their mission's (a mission officer's),
        else the organisation's (the setting `timezone`); caunoi.timezones does the arithmetic."""
        from caunoi.timezones import reader_zone
        from caunoi.units import NotFound

        mission = None
        if user and user.get("mission"):
            try:
                mission = self.units.get(user["mission"])
            except NotFound:  # a mission since removed from the store: the organisation's zone
                mission = None
        return reader_zone(self.settings.timezone, mission)

    @functools.cached_property
    def factsheets(self) -> FactSheetService:
        from caunoi.factsheets import FactSheetService

        return FactSheetService(self.engine)

    @functools.cached_property
    def outreach(self) -> OutreachService:
        """Campaigns, information packs, products and activities. Sending a pack tells its new
        units through the alerts' inbox and their e-mail channels (Alerts.tell_pack); `alerts` is
        made only when a pack is sent."""
        from caunoi.enrich.taxonomy import load_taxonomy
        from caunoi.outreach import OutreachService

        return OutreachService(
            self.engine,
            topics=tuple(t.id for t in load_taxonomy(self.settings.taxonomy_path or None)),
            timezone=self.settings.timezone,
            max_file_bytes=self.settings.outreach_max_file_bytes,
            notify=lambda pack, units: self.alerts.tell_pack(pack, units),
            coverage_days=(self.settings.coverage_days_before, self.settings.coverage_days_after),
            subject=self.settings.subject_country,
        )

    @functools.cached_property
    def drafts(self) -> Drafts:
        """Review report drafts: the sections people write, pulled together, rendered with the figures."""
        from caunoi.reports.drafts import Drafts

        return Drafts(self)

    @functools.cached_property
    def cases(self) -> CaseService:
        from caunoi.cases import CaseService

        return CaseService(self.engine)

    @functools.cached_property
    def users(self) -> UserService:
        from caunoi.users import UserService

        return UserService(self.engine)

    @functools.cached_property
    def alerts(self) -> Alerts:
        from caunoi.alerts import Alerts

        return Alerts(self.engine, self.settings)

    @functools.cached_property
    def editions(self) -> BriefEditions:
        """The brief's editions: drafted, edited, saved and sent by analysts."""
        from caunoi.reports.editions import BriefEditions

        return BriefEditions(self.engine, self.settings)

    @functools.cached_property
    def searches(self) -> SavedSearches:
        """Saved searches, which alert rules watch by name."""
        from caunoi.search import SavedSearches

        return SavedSearches(self.engine)

    @functools.cached_property
    def _dashboard(self) -> OverviewCache:
        from caunoi.reports.figures import OverviewCache

        return OverviewCache(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest --------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        on_file: Callable[[Path], None] | None = None,
        files: list[Path] | None = None,
    ) -> IngestSummary:
        """Read, process and store every article under `paths`; safe to re-run or resume."""
        from caunoi.executors import make_executor
        from caunoi.ingest.files import discover
        from caunoi.pipeline import StageContext, run_stages

        files = files if files is not None else list(discover(paths))
        summary = IngestSummary(files=len(files))
        process = functools.partial(run_stages, ctx=StageContext(self.settings))
        with make_executor(self.settings) as executor:  # one pool for the stages and enrichment
            batches = self._fresh_batches(self._read(files, on_file), summary)
            for processed in executor.map(process, batches):
                for doc in processed:
                    if doc.skipped:
                        summary.skip(doc)
                result = self.articles.write_batch(processed)
                for doc in result.refused:
                    summary.skip(doc)
                summary.added += result.added
                summary.duplicates += result.duplicates
                summary.unchanged += result.unchanged
            new: list[int] = []
            summary.enriched = self.enrich(executor=executor, ids=new)  # and into the search index
        summary.stories = self.update_stories().to_json()
        summary.coverage = self.check_coverage(new)
        self.refresh_readings()
        return summary

    def _read(self, files: list[Path], on_file: Callable[[Path], None] | None) -> Iterator[Doc]:
        from caunoi.ingest.files import read_path

        started = datetime.now()
        for path in files:
            yield from read_path(path, max_file_bytes=self.settings.max_file_bytes, now=started)
            if on_file:
                on_file(path)

    def _fresh_batches(self, docs: Iterator[Doc], summary: IngestSummary) -> Iterator[list[Doc]]:
        """Batches with inputs already stored left out, so a re-run does no work twice."""
        size = self.settings.batch_size
        batch: list[Doc] = []
        for doc in docs:
            if doc.skipped:  # a reader's refusal: counted now, not carried through the stages
                summary.skip(doc)
                continue
            batch.append(doc)
            if len(batch) >= size:
                yield self._drop_known(batch, summary)
                batch = []
        if batch:
            yield self._drop_known(batch, summary)

    def _drop_known(self, batch: list[Doc], summary: IngestSummary) -> list[Doc]:
        from caunoi.store.articles import origin_key

        keys = {id(d): origin_key(d.origin, d.raw_hash) for d in batch if d.raw_hash and not d.skipped}
        known = self.articles.known_origins(list(keys.values()))
        fresh = [d for d in batch if keys.get(id(d)) not in known]
        summary.unchanged += len(batch) - len(fresh)
        return fresh

    # -- watching the web ----------------------------------------------------------------

    def watch_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held while `caunoi watch` runs; a second watcher on the same store is refused with
        WatchLocked, a Conflict (caunoi.store.database.watch_lock)."""
        return watch_lock(self.engine)

    def watcher(self, fetcher: Fetcher | None = None) -> Watcher:
        from caunoi.ingest.watch import Watcher

        return Watcher(
            self.settings, self.articles, self.crawl, fetcher, after_round=self._after_round,
            every_round=self._briefs_of_the_round,
        )  # fmt: skip

    async def fetch_url(
        self,
        url: str,
        *,
        source: str | None = None,
        allow_private: bool = False,
        again: bool = False,
        fetcher: Fetcher | None = None,
    ) -> dict[str, Any]:
        """Fetch one page now and store its article; a page fetched before is not fetched again
        unless `again`. Raises BadURL for a bad URL, UnknownSource for an unknown source."""
        from caunoi.ingest.sources import UnknownSource
        from caunoi.net.urls import canonical_url, url_key
        from caunoi.store.sources import PageJob

        url = canonical_url(url)
        src = self.sources.find(source) if source else None
        if source and src is None:
            raise UnknownSource(
                "fetch_source_unknown", "no source named {name!r} (see `caunoi sources list`)", name=source
            )
        key = url_key(url)
        page = self.crawl.page_by_key(key)
        if page is not None and page["state"] in ("done", "skipped", "failed") and not again:
            return {
                "url": url,
                "state": "already " + page["state"],
                "article_id": page["article_id"],
                "fetched_at": page["fetched_at"],
                "error": page["error"],
            }
        now = datetime.now()
        self.crawl.enqueue(src.id if src else None, [(key, url, None, None)], now)
        self.crawl.reset_page(key)
        page = self.crawl.page_by_key(key)
        assert page is not None
        urls = src.urls if src else []
        job = PageJob(
            id=page["id"],
            url=url,
            source_id=page["source_id"],
            source_name=src.name if src else None,
            allow_private=allow_private or bool(src and src.allow_private),
            # --allow-private covers this URL's host; a source's own flag covers its own URLs' hosts
            source_urls=tuple(urls + ([url] if allow_private else [])),
            attempts=page["attempts"],
            title_hint=page["title_hint"],
            published_hint=page["published_hint"],
        )
        async with self.watcher(fetcher) as watcher:
            report: FetchReport = await watcher.fetch_batch([job])
        self._drain()
        page = self.crawl.page_by_key(key) or {}
        return {
            "url": url,
            "state": page.get("state"),
            "article_id": page.get("article_id"),
            "fetched_at": page.get("fetched_at"),
            "error": page.get("error"),
            "report": report.to_json(),
        }

    def reprocess(
        self, *, source: str | None = None, url: str | None = None, on_page: Callable[[], None] | None = None
    ) -> dict[str, int]:
        """Run extraction and every stage again on the kept raw bytes of fetched pages: no fetching.
        The pages are read a batch at a time (by page id), never all at once, and each batch is
        stored with where the run got to, so a reprocess that was killed goes on after the last
        batch it stored when run again with the same options. The stages run on the executor the
        settings choose, as ingest's do. Raises UnknownSource for an unknown source."""
        from caunoi.executors import make_executor
        from caunoi.net.urls import canonical_url
        from caunoi.pipeline import StageContext, run_stages
        from caunoi.store.progress import clear_mark, get_mark

        only = [self.sources.get(source).id] if source else None
        url = canonical_url(url) if url else None
        asked = {"source": source, "url": url}
        mark = get_mark(self.engine, REPROCESS_MARK)
        after = mark["after"] if mark and mark.get("asked") == asked else 0
        if after:
            log.info("reprocess goes on after page %d, where a run that did not finish stopped", after)
        counts = {"pages": 0, "updated": 0, "merged": 0, "new": 0, "skipped": 0, "missing_raw": 0}
        stages = functools.partial(run_stages, ctx=StageContext(self.settings))
        with make_executor(self.settings) as executor:
            for chunk in self.crawl.replay_pages(only, url, after, self.settings.batch_size):
                counts["pages"] += len(chunk)
                done = {"after": chunk[-1]["id"], "asked": asked}
                self._replay(chunk, executor, stages, counts, on_page, done)
                self._drain(due=True)
        self._drain()
        clear_mark(self.engine, REPROCESS_MARK)
        return counts

    def _replay(
        self,
        chunk: list[dict[str, Any]],
        executor: Executor,
        stages: Callable[[list[Doc]], list[Doc]],
        counts: dict[str, int],
        on_page: Callable[[], None] | None,
        mark: dict[str, Any],
    ) -> None:
        """One batch of `reprocess`: the pages' kept bytes through the stages, then stored in one
        transaction with `mark` (where the run got to), `counts` kept."""
        from caunoi.ingest.watch import fetched_doc
        from caunoi.store.progress import set_mark

        docs, kept = [], []
        for row in chunk:
            body = self.crawl.get_raw(row["raw_hash"])
            if body is None:
                counts["missing_raw"] += 1
                if on_page:
                    on_page()
                continue
            docs.append(fetched_doc(row, body, datetime.now()))
            kept.append(row)
        docs = executor.map_shares(stages, docs)
        with self.engine.begin() as conn:
            for row, doc in zip(kept, docs, strict=True):
                if on_page:
                    on_page()
                if doc.skipped:
                    counts["skipped"] += 1
                    continue
                before = row["article_id"]
                after = self.articles.replace(conn, before, doc)
                if before is None:
                    counts["new"] += 1
                elif after != before:
                    counts["merged"] += 1
                else:
                    counts["updated"] += 1
                self.crawl.page_replayed(conn, row["id"], before, after)
            set_mark(conn, REPROCESS_MARK, mark)

    # -- reading -------------------------------------------------------------------------

    def _as_stored(self, request: SearchRequest) -> SearchRequest:
        """The request with its query normalised as the stored text is, so "hòa" finds "hoà" even --exact."""
        from caunoi.text import vietnamese

        return dataclasses.replace(
            request, query=vietnamese.normalize(request.query, self.settings.tone_style)
        )

    def search(self, request: SearchRequest) -> list[SearchHit]:
        """Search (see search_results); the hits only."""
        return self.search_results(request, count=False).hits

    def search_results(self, request: SearchRequest, *, count: bool = True) -> SearchResults:
        """Search, and say how many matched (`count`; a first page that holds every match says it
        without counting them again) and how the words typed without diacritics were read. The
        query gets the stored text's normalisation, so "hòa" finds "hoà" even
        --exact; by relevance, the articles carrying the likeliest reading come first (for words
        typed with diacritics, the articles with them side by side), then the rest."""
        from caunoi.search import Readings
        from caunoi.store.query import parse_query, side_by_side

        request = self._as_stored(request)
        reading, first = None, None
        if request.query.strip():
            node = parse_query(request.query, exact=request.exact, widen=request.widen)
            reading = None if request.exact else Readings(self.engine).read(request.query, node)
            # the articles with the words as read, else with the words side by side, come first
            first = reading.first if reading else side_by_side(node)
        if request.query.strip() and (found := self._search_by_index(request, node, first, count)):
            hits, total = found
            return SearchResults(
                hits, total, True, reading.shown if reading else None, reading.others if reading else []
            )
        # a common word's matches are ranked among the most recently stored (rank_cap)
        from_id = self.articles.ranked_from(request, self.settings.rank_cap)
        hits = self.articles.search(request, first, from_id)
        if not count:
            total, counted = None, True
        elif request.offset == 0 and len(hits) < request.limit:  # every match is on this page
            total, counted = len(hits), True
        else:
            total, counted = self.articles.count(request, COUNT_CAP)
        return SearchResults(
            hits,
            total,
            counted,
            reading.shown if reading else None,
            reading.others if reading else [],
            ranked_among=None if from_id is None else self.settings.rank_cap,
        )

    def _search_by_index(
        self, request: SearchRequest, node: Node, first: Node | None, count: bool
    ) -> tuple[list[SearchHit], int | None] | None:
        """The page (and the count) answered by the search index beside the store, every match ranked;
        None when it cannot answer (off, behind, a filter it does not hold) and the store answers."""
        from caunoi.store.search_index import SearchIndexError

        if not self.settings.search_index:
            return None
        from caunoi.store.articles import _query_node

        node = _query_node(request)  # with the other names of an entity the query names
        try:
            searcher = self.search_index.answers(request)
            if searcher is None:
                return None
            outlets: list[str] = []
            if request.source:
                registered = self.articles._outlet_at(request.source)
                outlets = [request.source.lower(), *([registered.lower()] if registered else [])]
            page = self.search_index.page(searcher, request, node, first, outlets)
            hits = self.articles.page_hits(page, node, first)
            if not count:
                return hits, None
            if request.offset == 0 and len(page) < request.limit:
                return hits, len(page)
            return hits, self.search_index.count(searcher, request, node, outlets)
        except SearchIndexError as exc:
            log.warning("%s; this search uses the store", exc)
            return None

    def refresh_readings(self, *, force: bool = False) -> int | None:
        """Count the store's words again for reading queries typed without diacritics, when it has
        grown since (or `force`d): how many readings are kept, None when they were fresh."""
        from caunoi.enrich.taxonomy import load_taxonomy
        from caunoi.search import Readings

        readings = Readings(self.engine)
        if not force and not readings.stale():
            return None
        terms = [t for topic in load_taxonomy(self.settings.taxonomy_path) for t in topic.terms]
        return readings.refresh(force=True, vocabulary=terms)

    def labels(self, article_ids: list[int]) -> dict[int, dict[str, Any]]:
        """What enrichment found in each article, for a table of them: {"tone", "topics",
        "entities", "countries"} (entities and countries by id and code, best scored first)."""
        found = self.enrichments.labels(article_ids)
        return {
            i: {"tone": f["tone"], "topics": f["topic"], "entities": f["entity"], "countries": f["country"]}
            for i, f in found.items()
        }

    def facets(self, request: SearchRequest, cap: int = 5000) -> dict[str, list[tuple[str, int]]]:
        """Counts by language, outlet, outlet origin and country, topic and country over (at most `cap`
        of) what `request` matches."""
        from caunoi.reports import figures as dashboard

        return dashboard.matched_facets(
            self.engine, self._as_stored(request), cap=cap, subject=self.settings.subject_country
        )

    def attention(
        self, asked: AttentionAsk, top: int = 10, progress: Callable[[int, int], None] | None = None
    ) -> Attention:
        """Attention over time to the searches `asked` compares (caunoi.attention): counts and shares
        of all articles by day or week, totals, and each search's top outlets, countries, entities."""
        from caunoi import attention

        return attention.measure(self.engine, self.searches, asked, self._as_stored, top, progress)

    def dashboard(self, days: int = 30, scope: DashboardScope | None = None) -> dict[str, Any]:
        """Attention, tone and share of voice over the last `days` of the store, or over a scope (a
        search's articles, a period: caunoi.reports.figures)."""
        from caunoi.reports.figures import Scope

        scope = scope or Scope()
        if scope.request is not None:
            scope = dataclasses.replace(scope, request=self._as_stored(scope.request))
        return self._dashboard.get(days, scope)

    def article(self, article_id: int) -> Article | None:
        """One article, with what enrichment found in it (doc_refs, …) when it has been enriched."""
        found = self.articles.get(article_id)
        if found is None:
            return None
        copies = self.stories.copies_of(article_id)
        return Article.of(
            found,
            self.enrichments.get(article_id),
            story_id=self.stories.story_of(article_id),
            reprint_of=copies["original_id"],
            copies=copies["copies"],
        )

    # -- enrichment ------------------------------------------------------------------------

    def enrich_todo(self, *, everything: bool = False) -> int:
        """How many articles `enrich` would run on: never enriched or by an older version (or all)."""
        from caunoi.enrich import stage

        return self.enrichments.count_todo(stage.ENRICH_VERSION, everything=everything)

    def enrich(
        self,
        *,
        everything: bool = False,
        on_article: Callable[[int], None] | None = None,
        executor: Executor | None = None,
        ids: list[int] | None = None,
    ) -> int:
        """Run the enrichment stages over stored articles: the ones never enriched or enriched by
        an older version, or with `everything` all of them. Returns how many were enriched (and
        appends their ids to `ids`, if given). The articles are read a page at a time (by id), never
        all at once, and run on the executor the settings choose (`executor`, if given), where the
        models load once in each worker. Resumable: a stale run does what is still stale; a run of
        `everything` keeps where it got to with each page it writes, and one that was killed goes on
        from there when run again."""
        from caunoi.enrich import stage
        from caunoi.executors import each, make_executor
        from caunoi.store.progress import clear_mark, get_mark

        if executor is None:
            with make_executor(self.settings) as own:
                return self.enrich(everything=everything, on_article=on_article, executor=own, ids=ids)
        done, after = 0, 0
        work = functools.partial(stage.enrich_row, taxonomy_path=self.settings.taxonomy_path)
        version = stage.ENRICH_VERSION
        if everything and (mark := get_mark(self.engine, ENRICH_ALL_MARK)) and mark["version"] == version:
            after = mark["after"]
            log.info("enrich --all goes on after article %d, where a run that did not finish stopped", after)
        for rows in self.enrichments.pages(version, everything, after, self.settings.batch_size):
            found = executor.map_shares(each(work), rows)
            marked = (ENRICH_ALL_MARK, {"after": rows[-1][0], "version": version}) if everything else None
            done += self.enrichments.write(zip((row[0] for row in rows), found, strict=True), version, marked)
            if ids is not None:
                ids.extend(row[0] for row in rows)
            if on_article:
                on_article(len(rows))
            self._drain(due=True)  # their tags, into the search index
        self._drain()
        if everything:
            clear_mark(self.engine, ENRICH_ALL_MARK)
        return done

    def _after_round(self) -> int:
        """What a watch round's new articles go through once stored: enrichment, then stories, then
        alerts and the activities whose coverage they may be."""
        new: list[int] = []
        enriched = self.enrich(ids=new)  # and into the search index
        self.update_stories()
        self.run_alerts()
        self.check_coverage(new)
        self.refresh_readings()
        return enriched

    def check_coverage(self, article_ids: list[int]) -> int:
        """New articles (enriched, their reprints linked) checked against the activities whose
        window covers them (caunoi.outreach.coverage): how many candidates were written."""
        if not article_ids:
            return 0
        found = self.outreach.coverage.refresh_new(article_ids)
        if found:
            log.info("%d coverage candidates among %d new articles", found, len(article_ids))
        return found

    # -- duplicates and stories ----------------------------------------------------------

    def update_stories(
        self, *, rebuild: bool = False, on_batch: Callable[[str, int], None] | None = None
    ) -> StoriesSummary:
        """Sign new articles and link reprints to their originals, then put each article not yet in
        a story into one (in publication order), then retitle and summarise the stories touched.
        `rebuild` drops every story first and clusters the whole store again."""
        from caunoi.stories.cluster import articles_to_cluster, load_clusterer, save_clusterer
        from caunoi.stories.dedup import dedupe
        from caunoi.stories.summary import FIRST, LATEST, describer

        summary = StoriesSummary()
        size = self.settings.batch_size
        after = 0
        while rows := self.stories.dedupe_todo(after, size):
            found = dedupe(self.stories, rows)
            summary.signed += found.checked
            summary.copies += found.copies
            after = rows[-1].id
            if on_batch:
                on_batch("dedupe", len(rows))
        if rebuild:
            self.stories.forget_stories()
        clusterer = load_clusterer(self.stories, self._encoder())
        describe = describer(clusterer)
        # stories a run killed mid-way left untitled (before titles were written with the batch)
        summary.repaired = self.stories.describe_untitled(describe, (FIRST, LATEST))
        touched: set[int] = set()
        while batch := articles_to_cluster(self.stories, size):
            assigned = [clusterer.add(article) for article in batch]
            save_clusterer(self.stories, clusterer, assigned, describe, (FIRST, LATEST))
            summary.clustered += len(assigned)
            summary.opened += sum(a.new for a in assigned)
            touched.update(a.story_id for a in assigned)
            if on_batch:
                on_batch("cluster", len(batch))
        summary.stories_touched = len(touched)
        return summary

    def _encoder(self) -> Encoder | None:
        """The story encoder the settings name, loaded once (caunoi.stories.encoder)."""
        if not hasattr(self, "_story_encoder"):
            from caunoi.stories.encoder import load_encoder

            self._story_encoder = load_encoder(self.settings.encoder)
        return self._story_encoder

    def story_list(
        self,
        since: datetime | None = None,
        topic: str | None = None,
        limit: int = 50,
        min_articles: int = 1,
        after: tuple[int, datetime, int] | None = None,
    ) -> list[StorySummary]:
        """Stories last seen since `since`, biggest first (caunoi.stories.view.story_list)."""
        from caunoi.stories.view import story_list

        return story_list(self.stories, since, topic, limit, min_articles, after)

    def rising_stories(self, request: RisingRequest) -> RisingList:
        """The stories growing faster than their own baseline (caunoi.stories.rising); a request
        with no time ends now, or at the end of the latest day with articles when the store is older
        (as the dashboard's window)."""
        from caunoi.reports.figures import window_end
        from caunoi.stories.rising import rising_stories

        at = request.at or window_end(self.engine)
        return rising_stories(self.stories, request.checked(at))

    def story(self, story_id: int) -> StoryView | None:
        """Everything about one story: summary, timeline, outlets, countries, languages, tone by
        day, topics and its articles."""
        from caunoi.stories.view import story_view

        return story_view(self.stories, story_id)

    # -- alerts and the brief -------------------------------------------------------------

    def run_alerts(self, at: datetime | None = None) -> dict[str, Any]:
        """Evaluate the alert rules at `at` (now), then send what is waiting to be delivered; `failed`
        names the rules that could not run, with why (the others ran)."""
        outcome = self.alerts.evaluate(at)
        return {"raised": outcome.raised, "failed": outcome.failed, "deliveries": self.alerts.deliver()}

    def send_due_briefs(self, at: datetime | None = None) -> list[dict[str, Any]]:
        """Mail the scheduled brief and digest that are due at `at` (now) and not sent yet
        (caunoi.reports.schedule): what was sent, or failed, to which channel."""
        from caunoi.reports.schedule import send_due

        return [
            {"kind": due.kind, "due": due.at, "channel": sent.channel, "target": sent.target,
             "ok": sent.ok, "error": sent.error}
            for due, sent in send_due(self.engine, self.settings, at)
        ]  # fmt: skip

    def _briefs_of_the_round(self) -> list[dict[str, Any]]:
        """`send_due_briefs` after a watch round; a refusal (no such channel…) is logged, not raised:
        it must not fail the round."""
        from caunoi.errors import CaunoiError

        try:
            return self.send_due_briefs()
        except CaunoiError as exc:
            log.warning("scheduled brief not sent: %s", exc)
            return []

    def brief(self, start: datetime, end: datetime, lang: str = "vi") -> dict[str, Any]:
        from caunoi.reports import brief

        return brief.build(
            self.engine,
            start,
            end,
            lang,
            subject=self.settings.subject_country,
            timezone=self.settings.timezone,
        )

    def copies(self, article_id: int) -> dict[str, Any]:
        return self.stories.copies_of(article_id)

    def stats(self) -> dict[str, Any]:
        """What the store holds (ArticleRepository.stats: `search_index` is the store's own full-text
        index), and the state of the search index beside it (`caunoi search-index`)."""
        return {**self.articles.stats(), "search_index_beside": self.search_index.status()}

    def check(self, on_check: Callable[[str], None] | None = None) -> IntegrityReport:
        """The store's integrity: the database's own checks and the writers' invariants (caunoi.integrity)."""
        from caunoi.integrity import check

        return check(self.engine, on_check)

    def make_rum_index(self) -> bool:
        """PostgreSQL: make the RUM index search reads its best matches from (caunoi.store.rum), on a
        store migrated before the server had the extension; False when it cannot be made."""
        return self.articles.make_rum_index()


@dataclass
class StoriesSummary:
    signed: int = 0  # articles signed for duplicate detection
    copies: int = 0  # of them, reprints of an earlier article
    clustered: int = 0  # articles put in a story
    opened: int = 0  # new stories
    stories_touched: int = 0
    repaired: int = 0  # stories a killed run had left without title and summary, titled now

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


SKIPS_KEPT = 1000  # skipped files and records an ingest summary lists; the count goes on past it
REASON_CHARS = 500


@dataclass
class IngestSummary:
    files: int = 0
    added: int = 0
    duplicates: int = 0
    unchanged: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)  # the first SKIPS_KEPT, with reasons
    skipped_count: int = 0  # all of them: a file of millions of bad records is not held in memory
    enriched: int = 0  # articles the enrichment stages ran on afterwards
    stories: dict[str, Any] = field(default_factory=dict)  # what update_stories did afterwards
    coverage: int = 0  # candidates the new articles are for activities (caunoi.outreach.coverage)

    def skip(self, doc: Doc) -> None:
        self.skipped_count += 1
        if self.skipped_count <= SKIPS_KEPT:
            from caunoi.text.encoding import storable  # printable too: no lone surrogate

            log.info("skipped %s: %s", doc.origin, doc.skip_reason)
            reason = (doc.skip_reason or "")[:REASON_CHARS]
            self.skipped.append({"origin": storable(doc.origin), "reason": storable(reason)})
        elif self.skipped_count == SKIPS_KEPT + 1:
            log.info("more than %d skipped: only counted from here on", SKIPS_KEPT)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "added": self.added,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "skipped_count": self.skipped_count,
            "enriched": self.enriched,
            "stories": self.stories,
            "coverage": self.coverage,
        }
