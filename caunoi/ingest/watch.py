"""The watcher: poll sources' feeds and sitemaps, fetch new article pages, send them down the pipeline.

Everything it learns is in the store before it moves on: a page stays `pending` until its raw
bytes, its article and its new state are written in one transaction, so stopping the watcher
at any moment (SIGTERM, Ctrl-C, a kill) loses nothing and a restart fetches only what was left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from caunoi.config import Settings
from caunoi.errors import CaunoiError
from caunoi.executors import make_executor
from caunoi.ingest.feeds import Link, Listing, parse_feed, parse_sitemap
from caunoi.models import Doc
from caunoi.net.guard import NO_PERMIT, Permit
from caunoi.net.http import Fetcher, FetchPolicy, FetchResult
from caunoi.net.urls import url_key
from caunoi.pipeline import StageContext, run_stages
from caunoi.store.articles import ArticleRepository
from caunoi.store.sources import CrawlRepository, PageJob, source_urls

log = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 5  # of a sitemap index, the newest this many are read
MAX_LINKS_PER_LISTING = 1000


def policy_from(settings: Settings) -> FetchPolicy:
    base = FetchPolicy()
    return FetchPolicy(
        user_agent=settings.fetch_user_agent or base.user_agent,
        concurrency=max(1, settings.fetch_concurrency),
        per_host_interval=max(0.0, settings.fetch_per_host_interval),
        connect_timeout=min(settings.fetch_timeout, 10.0),
        read_timeout=settings.fetch_timeout,
        deadline=settings.fetch_deadline,
        max_bytes=settings.fetch_max_bytes,
        retries=max(0, settings.fetch_retries),
        obey_robots=settings.obey_robots,
    )


@dataclass
class PollReport:
    source: str
    links: int = 0
    new: int = 0
    not_modified: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


LISTED = 1000  # skipped and failed pages a report lists; the counts go on past it


@dataclass
class FetchReport:
    """What fetching did. A round of a hostile sitemap's million links is counted, not held: the
    first LISTED skipped and failed pages are listed with why, `skipped_count` and `failed_count`
    count them all."""

    fetched: int = 0
    added: int = 0
    duplicates: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)  # fetched, but no article in it
    failed: list[dict[str, str]] = field(default_factory=list)  # not fetched: why, and will we retry
    skipped_count: int = 0
    failed_count: int = 0
    article_ids: list[int] = field(default_factory=list)

    def skip(self, item: dict[str, str]) -> None:
        self.skipped_count += 1
        if len(self.skipped) < LISTED:
            self.skipped.append(item)

    def fail(self, item: dict[str, str]) -> None:
        self.failed_count += 1
        if len(self.failed) < LISTED:
            self.failed.append(item)

    def merge(self, other: FetchReport) -> None:
        self.fetched += other.fetched
        self.added += other.added
        self.duplicates += other.duplicates
        self.skipped += other.skipped[: LISTED - len(self.skipped)]
        self.failed += other.failed[: LISTED - len(self.failed)]
        self.skipped_count += other.skipped_count
        self.failed_count += other.failed_count
        self.article_ids += other.article_ids

    def to_json(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "added": self.added,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "failed": self.failed,
            "skipped_count": self.skipped_count,
            "failed_count": self.failed_count,
            "article_ids": self.article_ids,
        }


class Watcher:
    """Polls and fetches for one store; `async with Watcher(...)` owns its HTTP client."""

    def __init__(
        self,
        settings: Settings,
        articles: ArticleRepository,
        crawl: CrawlRepository,
        fetcher: Fetcher | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
        after_round: Callable[[], int] | None = None,
        every_round: Callable[[], Any] | None = None,
    ):
        self.settings = settings
        self.articles = articles
        self.crawl = crawl
        self.fetcher = fetcher or Fetcher(policy_from(settings))
        self.now = now
        self.after_round = after_round  # e.g. the enrichment of what the round stored
        # The first round runs it even when it stores nothing: a watcher killed between storing a
        # round's articles and enriching them (or clustering them) left them to the next one.
        self._left_over = True
        self.every_round = every_round  # e.g. the scheduled brief, when it is due: run even if nothing came
        self.ctx = StageContext(settings)
        self.stop = asyncio.Event()
        self._executor = make_executor(settings)  # a pool's processes start with the first batch

    async def __aenter__(self) -> Watcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.fetcher.aclose()
        self._executor.close()

    # -- polling feeds and sitemaps ---------------------------------------------------------

    async def poll(self, source: dict) -> PollReport:
        """Fetch every listing of a source (conditional GET), queue the article links not seen."""
        report = PollReport(source=source["name"])
        permit = _permit(source)
        window = self.now() - timedelta(days=self.settings.watch_window_days)
        for listing in source["listings"]:
            try:
                found = await self.fetcher.get(
                    listing["url"],
                    kind=listing["kind"],
                    permit=permit,
                    etag=listing["etag"],
                    last_modified=listing["last_modified"],
                )
                parsed = self._parse(found, listing["kind"]) if found.ok and not found.not_modified else None
                if parsed is not None and listing["kind"] == "sitemap" and parsed.sitemaps:
                    parsed = await self._read_index(parsed, permit, window)
            except Exception as exc:  # a bug met on hostile input: this listing's error, not the round's
                found, parsed = _failed(listing["url"], exc), None
            now = self.now()
            if found.not_modified:
                report.not_modified += 1
                self.crawl.record_listing(listing["id"], now, last_status=304, last_error=None)
                continue
            error = found.error or (parsed.error if parsed else None)
            if error:
                report.errors.append(f"{listing['url']}: {error}")
                self.crawl.record_listing(
                    listing["id"], now, last_status=found.status, last_error=error[:2000]
                )
                continue
            assert parsed is not None
            if parsed.warning:
                report.warnings.append(f"{listing['url']}: {parsed.warning}")
            links = parsed.links[:MAX_LINKS_PER_LISTING]
            if listing["kind"] == "sitemap":
                links = [lk for lk in links if lk.published is None or lk.published >= window]
            report.links += len(links)
            report.new += self.crawl.enqueue(source["id"], (_row(lk) for lk in links), now)
            self.crawl.record_listing(
                listing["id"],
                now,
                last_status=found.status,
                last_error=None,
                etag=found.etag,
                last_modified=found.last_modified,
                last_links=len(links),
            )
        error = None
        if report.errors and len(report.errors) == len(source["listings"]):
            error = "; ".join(report.errors)[:2000]
        self.crawl.record_poll(source, self.now(), error)
        return report

    async def _poll_or_report(self, source: dict) -> PollReport:
        """`poll`, and a bug it meets as this source's error: the other sources' polls and the
        fetching of what is queued go on."""
        try:
            return await self.poll(source)
        except Exception as exc:  # not the round's end: one source's
            log.exception("polling %s failed", source["name"])
            error = f"internal error: {type(exc).__name__}: {exc}"[:500]
            self.crawl.record_poll(source, self.now(), error)
            return PollReport(source=source["name"], errors=[error])

    @staticmethod
    def _parse(found: FetchResult, kind: str) -> Listing:
        if kind == "sitemap":
            return parse_sitemap(found.body, found.final_url)
        return parse_feed(found.body, found.final_url, found.charset)

    async def _read_index(self, index: Listing, permit: Permit, window: datetime) -> Listing:
        """A sitemap index: read its newest children (by lastmod), one level deep."""
        children = sorted(index.sitemaps, key=lambda c: c[1] or datetime.min, reverse=True)
        children = [c for c in children if c[1] is None or c[1] >= window][:MAX_CHILD_SITEMAPS]
        merged = Listing(kind="sitemapindex")
        problems = []
        for url, _ in children:
            found = await self.fetcher.get(url, kind="sitemap", permit=permit)
            child = parse_sitemap(found.body, found.final_url) if found.ok else None
            if child is None or child.error:
                problems.append(f"{url}: {found.error or child.error}")
                continue
            merged.links += child.links
        if problems and not merged.links:
            merged.error = "; ".join(problems)
        elif problems:
            merged.warning = "; ".join(problems)
        return merged

    # -- fetching pages ---------------------------------------------------------------------

    async def fetch_pending(
        self, only_sources: list[int] | None = None, limit: int | None = None
    ) -> FetchReport:
        """Fetch queued pages whose time has come, a batch at a time, until none is left or stop.

        Two batches overlap: while one is extracted and stored (in a worker thread), the next
        is being fetched."""
        report = FetchReport()
        batch_size = max(1, min(self.settings.batch_size, 4 * self.fetcher.policy.concurrency))
        done = 0
        storing: asyncio.Future[FetchReport] | None = None
        in_hand: set[int] = set()
        try:
            while not self.stop.is_set() and (limit is None or done < limit):
                size = batch_size if limit is None else min(batch_size, limit - done)
                jobs = self.crawl.claim(self.now(), size, only_sources, exclude=in_hand)
                if not jobs:
                    break
                finished = await self._fetch(jobs)
                if storing is not None:
                    report.merge(await storing)
                    in_hand.clear()
                in_hand.update(job.id for job in jobs)
                storing = asyncio.ensure_future(self._store(finished))
                done += len(jobs)
        finally:
            if storing is not None:
                report.merge(await storing)
        return report

    async def fetch_batch(self, jobs: list[PageJob]) -> FetchReport:
        """Fetch, extract and store one batch; on stop, what finished is stored and the rest waits."""
        return await self._store(await self._fetch(jobs))

    async def _fetch(self, jobs: list[PageJob]) -> list[tuple[PageJob, FetchResult]]:
        """Fetch a batch; on stop, what finished is kept and the rest is cancelled (it stays queued)."""
        tasks = {
            asyncio.ensure_future(self.fetcher.get(j.url, kind="page", permit=_job_permit(j))): j
            for j in jobs
        }
        stopper = asyncio.ensure_future(self.stop.wait())
        pending = set(tasks)
        while pending and not self.stop.is_set():
            _, pending = await asyncio.wait(pending | {stopper}, return_when=asyncio.FIRST_COMPLETED)
            pending.discard(stopper)
        stopper.cancel()
        for task in pending:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)
        return [
            (tasks[t], t.result() if t.exception() is None else _failed(tasks[t].url, t.exception()))
            for t in tasks
            if t.done() and not t.cancelled()
        ]

    async def _store(self, finished: list[tuple[PageJob, FetchResult]]) -> FetchReport:
        """Extract and store away from the event loop, so it goes on fetching meanwhile.
        Shielded: once pages are fetched, a stop waits for them to be written."""
        return await asyncio.shield(self._process_and_write(finished))

    async def _process_and_write(self, finished: list[tuple[PageJob, FetchResult]]) -> FetchReport:
        now = self.now()
        docs = [_doc(job, res, now) for job, res in finished if res.ok]
        if docs:
            docs = await self._run_stages(docs)
        return await asyncio.to_thread(self._write, finished, docs, now)

    async def _run_stages(self, docs: list[Doc]) -> list[Doc]:
        """The pipeline in a worker thread, or with `workers` > 0 in the process pool, the
        batch cut in shares across the processes."""
        stage = functools.partial(run_stages, ctx=self.ctx)
        return await asyncio.to_thread(self._executor.map_shares, stage, docs)

    def _write(
        self, finished: list[tuple[PageJob, FetchResult]], docs: list[Doc], now: datetime
    ) -> FetchReport:
        """One transaction: failures recorded, articles written, raw bytes kept, pages marked."""
        report = FetchReport()
        fetched = [(job, res) for job, res in finished if res.ok]
        with self.articles.engine.begin() as conn:
            for job, res in finished:
                if not res.ok:
                    state = self.crawl.page_failed(
                        conn, job, now, res.error or "failed", res.status, res.permanent, res.retry_after
                    )
                    report.fail({"url": job.url, "error": res.error or "", "state": state})
            written = self.articles.write_batch(docs, conn)
            for (job, res), doc in zip(fetched, docs, strict=True):
                digest = self.crawl.put_raw(conn, res.body, now)
                article_id = None if doc.skipped else written.ids.get(doc.content_hash)
                self.crawl.page_fetched(
                    conn,
                    job,
                    now,
                    status=res.status,
                    final_url=res.final_url,
                    content_type=res.content_type,
                    charset=res.charset,
                    raw_hash=digest,
                    article_id=article_id,
                    error=doc.skip_reason,
                )
                if doc.skipped:
                    report.skip({"url": job.url, "reason": doc.skip_reason or ""})
                elif article_id is not None:
                    report.article_ids.append(article_id)
        report.fetched = len(fetched)
        report.added, report.duplicates = written.added, written.duplicates
        return report

    # -- the loop ------------------------------------------------------------------------------

    async def run_once(self, only_sources: list[int] | None = None, force: bool = False) -> dict[str, Any]:
        """Poll the sources that are due (all enabled ones with `force`), then fetch what they queued."""
        sources = self.crawl.due_sources(self.now(), only_sources, force)
        polls: list[PollReport] = []
        if sources:
            polls = list(
                await asyncio.gather(*(self._poll_or_report(s) for s in sources if not self.stop.is_set()))
            )
        fetched = await self.fetch_pending(only_sources)
        result = {"polled": [p.__dict__ for p in polls], "fetched": fetched.to_json()}
        if self.after_round is not None and (fetched.added or self._left_over):
            result["enriched"] = await asyncio.to_thread(self.after_round)
        self._left_over = False
        if self.every_round is not None:
            result["briefs"] = await asyncio.to_thread(self.every_round)
        return result

    async def run_forever(
        self, on_round: Callable[[dict[str, Any]], None] | None = None, idle: float = 30.0
    ) -> None:
        """Rounds until `stop` is set; between rounds, sleep until the next source is due."""
        while not self.stop.is_set():
            try:
                result = await self.run_once()
            except Exception as exc:  # a store or parser bug must not end a watch that runs for weeks
                if isinstance(exc, CaunoiError):  # e.g. a full disk: said in one line, no traceback
                    log.error("watch round failed: %s; trying again in %.0f s", exc, idle)
                else:
                    log.exception("watch round failed; trying again in %.0f s", idle)
                result = {
                    "polled": [],
                    "fetched": FetchReport().to_json(),
                    "error": str(exc) if isinstance(exc, CaunoiError) else f"{type(exc).__name__}: {exc}",
                }
                if on_round:
                    on_round(result)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=idle)
                continue
            if on_round:
                on_round(result)
            release_free_memory()
            wait = idle
            due = self.crawl.next_due()
            if due is not None:
                wait = min(idle, max(0.5, (due - self.now()).total_seconds()))
            if self.crawl.pending_count(self.now()):
                wait = 0.5
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=wait)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return ctypes.CDLL("libc.so.6").malloc_trim
    return None


def release_free_memory() -> bool:
    """Give the C heap's free pages back to the system (glibc's malloc_trim), after a round.

    A round's big passing allocations (a body read up to fetch_max_bytes, the parse tree of a
    huge page) leave freed memory glibc keeps for later: an hour of rounds against a misbehaving
    web held ~800 MiB of RSS, ~200 MiB of it free and given back by a trim (BENCHMARKS.md, "The
    watcher for an hour"). True if trimmed; False where there is no glibc."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def _failed(url: str, exc: BaseException) -> FetchResult:
    """An exception out of fetching `url` (a bug: the fetcher answers every problem with an error)
    as that URL's error, so the rest of the round goes on; to be tried again later."""
    log.error("fetching %s raised", url[:200], exc_info=exc)
    return FetchResult(url=url, final_url=url, error=f"internal error: {type(exc).__name__}: {exc}"[:500])


def _row(link: Link) -> tuple[str, str, str | None, datetime | None]:
    return url_key(link.url), link.url, link.title, link.published


def _permit(source: dict) -> Permit:
    return Permit.for_urls(source_urls(source)) if source.get("allow_private") else NO_PERMIT


def _job_permit(job: PageJob) -> Permit:
    return Permit.for_urls(job.source_urls) if job.allow_private else NO_PERMIT


def _doc(job: PageJob, res: FetchResult, now: datetime) -> Doc:
    page = {
        "url": job.url,
        "final_url": res.final_url,
        "http_status": res.status,
        "charset": res.charset,
        "title_hint": job.title_hint,
        "published_hint": job.published_hint,
        "source_name": job.source_name,
    }
    return fetched_doc(page, res.body, now)


def fetched_doc(page: dict[str, Any], body: bytes, now: datetime) -> Doc:
    """A fetched page as a Doc for the pipeline; also how `caunoi reprocess` replays kept bytes."""
    meta: dict[str, Any] = {"fetched_status": page.get("http_status"), "fetched_url": page.get("final_url")}
    if page.get("charset"):
        meta["declared_charset"] = page["charset"]
    if page.get("title_hint"):
        meta["title_hint"] = page["title_hint"]
    if page.get("published_hint"):
        meta["published_hint"] = page["published_hint"].isoformat()
    return Doc(
        origin=page["url"],
        format="html",
        ingested_at=now,
        raw=body,
        raw_hash=hashlib.sha256(body).hexdigest(),
        url=page.get("final_url") or page["url"],
        source=page.get("source_name"),
        meta=meta,
    )
