"""The watcher's tables: sources and their health, feed/sitemap state, the page queue, raw bytes.
A source leaves here as a record (caunoi.models: Source, SourceDetail, SourceHealth); what the
watcher itself reads (due sources, claimed pages, pages to replay) stays rows and PageJobs."""

from __future__ import annotations

import gzip
import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, and_, bindparam, case, delete, func, or_, select, update

from caunoi.models import Listing, Source, SourceDetail, SourceHealth, SourceSpec, row_id_of
from caunoi.store import search_index
from caunoi.store.audit import diff, record_audit, removed, utc_now
from caunoi.store.database import upsert
from caunoi.store.schema import articles, listings, pages, raw_pages, sources

MAX_BACKOFF = timedelta(hours=24)
CLAIM_WINDOW = 8  # a claim looks this many batches ahead to mix hosts
PAGE_ATTEMPTS = 4  # a page that failed for a passing reason this many times is given up
DEAD_FAILURES = 5  # this many failed polls in a row, or…
DEAD_AFTER = timedelta(days=3)  # …no good poll for this long, and the source is flagged dead
# what the address guard says of a private address a source may be allowed (caunoi.net.guard): a page
# refused so is fetched again once its source is allowed; a metadata address never is, nor says so
GUARD_REFUSAL = "refused to connect to %"
PRIVATE_HINT = "%must be marked allow_private%"


@dataclass(frozen=True)
class PageJob:
    id: int
    url: str
    source_id: int | None
    source_name: str | None
    allow_private: bool
    source_urls: tuple[str, ...]
    attempts: int
    title_hint: str | None
    published_hint: datetime | None


# -- outlets recognised by their URLs ------------------------------------------------------------

DOMAIN_PATH_DEPTH = 2  # "bbc.com/vietnamese", "nhk.or.jp/nhkworld/vi": a service under a path


def domain_key(value: str) -> str:
    """Where an outlet's articles are, as the registry keeps it: a URL or a "host/path" written by a
    user, as "host" or "host/path" (lower case, no scheme, port or "www.", at most
    DOMAIN_PATH_DEPTH path segments): "https://www.BBC.com/vietnamese/" -> "bbc.com/vietnamese"."""
    value = value.strip()
    parts = urlsplit(value if "//" in value else f"//{value}")
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    segments = [s for s in parts.path.lower().split("/") if s][:DOMAIN_PATH_DEPTH]
    return "/".join([host, *segments])


def url_keys(url: str) -> list[str]:
    """The keys an article's URL may be recognised by, the most precise first: its host with its
    path's first segments, then its host, then each parent domain the same way
    (news.example.com/vi/x -> news.example.com/vi, news.example.com, example.com/vi, example.com)."""
    key = domain_key(url)
    host, _, path = key.partition("/")
    segments = path.split("/") if path else []
    labels = host.split(".")
    keys = []
    for i in range(len(labels) - 1):  # a bare top-level domain ("com", "vn") names no outlet
        parent = ".".join(labels[i:])
        keys += ["/".join([parent, *segments[:n]]) for n in range(len(segments), -1, -1)]
    return keys


def outlet_keys(home: str, domains: Iterable[str]) -> list[str]:
    """The keys a source is recognised by: its domains, and its home's."""
    return list(dict.fromkeys([*(domain_key(d) for d in domains), domain_key(home)]))


def claimed_keys(rows: Iterable[Any]) -> dict[str, str]:
    """key -> the name of the source it recognises, of sources (name, home, domains) in the order
    they were registered: a domain a source names claims it first (one source a domain:
    caunoi.ingest.sources.check_domains), then the homes' — of two sources at one home (two
    sections of a site, two test sites on one host) the first registered."""
    rows = list(rows)
    found: dict[str, str] = {}
    for row in rows:
        for domain in row.domains or []:
            found.setdefault(domain_key(domain), row.name)
    for row in rows:
        found.setdefault(domain_key(row.home), row.name)
    return found


def outlet_of(url: str | None, by_key: dict[str, str]) -> str | None:
    """The name of the registered outlet a URL belongs to (`by_key`: CrawlRepository.outlets_by_key),
    or None."""
    if not url:
        return None
    for key in url_keys(url):
        if key in by_key:
            return by_key[key]
    return None


def domain_outlet(name: str | None, by_key: dict[str, str]) -> str | None:
    """The registered outlet a name that is a domain ("usaid.gov", "bbc.com/vietnamese") belongs to,
    or None (a name with a space, or no dot, is no domain)."""
    if not name or "." not in name or any(c.isspace() for c in name.strip()):
        return None
    return outlet_of(f"https://{name.strip()}", by_key)


def article_outlet(url: str | None, source: str | None, by_key: dict[str, str]) -> str | None:
    """The registered outlet of an article: the one its URL belongs to, else — a text republished
    elsewhere, its record naming the publisher by its domain ("source": "kremlin.ru") — the one that
    domain belongs to; None when neither is registered."""
    return outlet_of(url, by_key) or domain_outlet(source, by_key)


def source_urls(source: Any) -> list[str]:
    """A source's own URLs (home, feeds, sitemaps), from its row: the hosts `allow_private` covers."""
    return [source["home"], *(source["feeds"] or []), *(source["sitemaps"] or [])]


class CrawlRepository:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name

    def _insert(self):
        return upsert(self.dialect)

    # -- the registry -----------------------------------------------------------------------

    def upsert_source(
        self, spec: SourceSpec, conn: Connection | None = None, *, by: str = "system", action: str = ""
    ) -> tuple[int, bool]:
        """Add a source, or update the one with that name; returns (id, created). Audited under `by`
        as `action` (default: add, or edit) with the fields that changed. A source newly allowed
        private addresses has its pages the guard refused queued again, and is polled next round."""
        if conn is None:
            with self.engine.begin() as own:
                return self.upsert_source(spec, own, by=by, action=action)
        now = datetime.now()
        values = spec.to_json()
        row = (
            conn.execute(select(sources).where(func.lower(sources.c.name) == spec.name.lower()))
            .mappings()
            .first()
        )
        if row is None:
            source_id = conn.execute(
                sources.insert().values(**values, created_at=now, updated_at=now, failures=0)
            ).inserted_primary_key[0]
            created = True
        else:
            source_id, created = row["id"], False
            conn.execute(update(sources).where(sources.c.id == source_id).values(**values, updated_at=now))
            if values.get("allow_private") and not row["allow_private"]:
                self._retry_refused(conn, source_id)
        wanted = [(u, "feed") for u in spec.feeds] + [(u, "sitemap") for u in spec.sitemaps]
        have = {r.url: r for r in conn.execute(select(listings).where(listings.c.source_id == source_id))}
        for url, kind in wanted:
            if url not in have:
                conn.execute(listings.insert().values(source_id=source_id, url=url, kind=kind, failures=0))
            elif have[url].kind != kind:
                conn.execute(update(listings).where(listings.c.id == have[url].id).values(kind=kind))
        gone = [r.id for u, r in have.items() if u not in {w[0] for w in wanted}]
        if gone:
            conn.execute(delete(listings).where(listings.c.id.in_(gone)))
        if created:  # what the new source says, not the fields it leaves empty
            changes = diff({}, {k: v for k, v in values.items() if v not in (None, "", [])})
        else:
            changes = diff({key: row[key] for key in values}, values)
        if changes or created:
            action = action or ("add" if created else "edit")
            record_audit(conn, utc_now(), by, "source", source_id, action, changes)
        return source_id, created

    @staticmethod
    def _retry_refused(conn: Connection, source_id: int) -> int:
        """Queue again the source's pages the address guard refused for being private, and poll the
        source at the next round: it has just been allowed them. Returns how many pages."""
        conn.execute(update(sources).where(sources.c.id == source_id).values(next_poll_at=None))
        return conn.execute(
            update(pages)
            .where(
                pages.c.source_id == source_id,
                pages.c.state == "failed",
                pages.c.error.like(GUARD_REFUSAL),
                pages.c.error.like(PRIVATE_HINT),
            )
            .values(state="pending", attempts=0, next_attempt_at=None, error=None)
        ).rowcount

    def import_sources(self, specs: Iterable[SourceSpec], by: str = "system") -> tuple[int, int]:
        """All or nothing, in one transaction, each source audited as "import"; returns (added, updated)."""
        added = updated = 0
        with self.engine.begin() as conn:
            for spec in specs:
                _, created = self.upsert_source(spec, conn, by=by, action="import")
                added += created
                updated += not created
        return added, updated

    def find_source(self, name_or_id: str | int) -> SourceDetail | None:
        """The source with this id (all digits) or name (any case), with its feeds and sitemaps."""
        as_id = row_id_of(str(name_or_id))
        by_name = func.lower(sources.c.name) == str(name_or_id).lower()
        cond = sources.c.id == as_id if as_id is not None else by_name
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(cond)).mappings().first()
            if row is None:
                return None
            return SourceDetail(**row, listings=[Listing(**lst) for lst in _listings(conn, row["id"])])

    def list_sources(self) -> list[Source]:
        query = select(sources).order_by(func.lower(sources.c.name))
        with self.engine.connect() as conn:
            return [Source(**r) for r in conn.execute(query).mappings()]

    def remove_source(self, name_or_id: str | int, by: str = "system") -> bool:
        """Forget a source (its pages stay, unattached), audited with what it was."""
        found = self.find_source(name_or_id)
        if found is None:
            return False
        with self.engine.begin() as conn:
            conn.execute(delete(listings).where(listings.c.source_id == found.id))
            conn.execute(update(pages).where(pages.c.source_id == found.id).values(source_id=None))
            conn.execute(delete(sources).where(sources.c.id == found.id))
            kept = {k: getattr(found, k) for k in ("name", "home", "feeds", "sitemaps", "domains", "enabled")}
            record_audit(conn, utc_now(), by, "source", found.id, "remove", removed(kept))
        return True

    def set_enabled(self, name_or_id: str | int, enabled: bool, by: str = "system") -> bool:
        """Watch a source or stop; audited as enable or disable when it changes."""
        found = self.find_source(name_or_id)
        if found is None:
            return False
        with self.engine.begin() as conn:
            conn.execute(update(sources).where(sources.c.id == found.id).values(enabled=enabled))
            if found.enabled != enabled:
                action, changes = "enable" if enabled else "disable", {"enabled": [found.enabled, enabled]}
                record_audit(conn, utc_now(), by, "source", found.id, action, changes)
        return True

    def outlets_by_key(self, conn: Connection | None = None) -> dict[str, str]:
        """Every key a registered source is recognised by -> the source's name (the registry is
        small: a few hundred sources, read whole)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.outlets_by_key(own)
        rows = conn.execute(select(sources.c.name, sources.c.home, sources.c.domains).order_by(sources.c.id))
        return claimed_keys(rows)

    def source_names(self, conn: Connection) -> set[str]:
        """The names of every registered source."""
        return set(conn.execute(select(sources.c.name)).scalars())

    def relink(self, chunk: int = 5000, by: str | None = None) -> int:
        """Give every stored article the registered outlet its URL belongs to, or its source's name as
        a domain does (article_outlet): its source becomes the registry's name. Returns how many
        changed. Articles no registered outlet claims keep theirs, and so do those whose source is a
        registered one already (the watcher's, or an earlier link). Read by id a chunk at a time,
        written in one transaction per chunk. With `by` (a person asked for it, not an add that
        relinks after itself), audited with how many changed."""
        changed = self._relink(chunk)
        if by is not None:
            with self.engine.begin() as conn:
                record_audit(conn, utc_now(), by, "source", "*", "relink", {"articles": [None, changed]})
        return changed

    def _relink(self, chunk: int) -> int:
        changed, after = 0, 0
        with self.engine.connect() as conn:
            by_key = self.outlets_by_key(conn)
            registered = self.source_names(conn)
        if not by_key:
            return 0
        while True:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    select(articles.c.id, articles.c.url, articles.c.source)
                    .where(
                        articles.c.id > after,
                        or_(articles.c.url.is_not(None), articles.c.source.is_not(None)),
                    )
                    .order_by(articles.c.id)
                    .limit(chunk)
                ).all()
                if not rows:
                    return changed
                after = rows[-1].id
                moves = [
                    {"key": row.id, "name": name}
                    for row in rows
                    if row.source not in registered
                    and (name := article_outlet(row.url, row.source, by_key)) is not None
                ]
                if moves:
                    conn.execute(
                        update(articles)
                        .where(articles.c.id == bindparam("key"))
                        .values(source=bindparam("name")),
                        moves,
                    )
                    search_index.queue(conn, [m["key"] for m in moves])
                changed += len(moves)

    # -- polling ------------------------------------------------------------------------------

    def due_sources(self, now: datetime, only: list[int] | None = None, force: bool = False) -> list[dict]:
        query = select(sources).where(sources.c.enabled.is_(True))
        if not force:
            query = query.where(or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= now))
        if only is not None:
            query = query.where(sources.c.id.in_(only))
        with self.engine.connect() as conn:
            found = [dict(r) for r in conn.execute(query.order_by(sources.c.id)).mappings()]
            for src in found:
                src["listings"] = _listings(conn, src["id"])
        return found

    def next_due(self) -> datetime | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.min(sources.c.next_poll_at)).where(sources.c.enabled.is_(True))
            ).scalar()

    def record_listing(self, listing_id: int, now: datetime, **fields: Any) -> None:
        """After fetching a feed or sitemap: validators, status, links found, or the error."""
        ok = fields.get("last_error") is None
        values = {"last_fetched_at": now, **fields}
        if ok:
            values.update(last_success_at=now, failures=0)
        else:
            values["failures"] = listings.c.failures + 1
        with self.engine.begin() as conn:
            conn.execute(update(listings).where(listings.c.id == listing_id).values(**values))

    def record_poll(self, source: dict, now: datetime, error: str | None) -> datetime:
        """The source's health after a poll; returns when to poll it next (backing off on errors)."""
        interval = timedelta(minutes=source["poll_minutes"])
        if error is None:
            values = {"last_success_at": now, "failures": 0, "next_poll_at": now + interval}
        else:
            failures = (source.get("failures") or 0) + 1
            wait = min(interval * (2 ** min(failures, 10)), max(MAX_BACKOFF, interval))
            values = {
                "last_error": error,
                "last_error_at": now,
                "failures": failures,
                "next_poll_at": now + wait,
            }
        values["last_polled_at"] = now
        with self.engine.begin() as conn:
            conn.execute(update(sources).where(sources.c.id == source["id"]).values(**values))
        return values["next_poll_at"]

    # -- the page queue ---------------------------------------------------------------------

    def enqueue(
        self,
        source_id: int | None,
        links: Iterable[tuple[str, str, str | None, datetime | None]],
        now: datetime,
    ) -> int:
        """Queue (url_key, url, title, published) links not seen before; returns how many were new."""
        rows = [
            {
                "url_key": key,
                "url": url,
                "source_id": source_id,
                "state": "pending",
                "attempts": 0,
                "discovered_at": now,
                "title_hint": (title or "")[:1000] or None,
                "published_hint": published,
            }
            for key, url, title, published in links
        ]
        if not rows:
            return 0
        stmt = self._insert()(pages).on_conflict_do_nothing(index_elements=["url_key"]).returning(pages.c.id)
        with self.engine.begin() as conn:
            return len(conn.execute(stmt, rows).all())

    def page_by_key(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(pages).where(pages.c.url_key == key)).mappings().first()
            return dict(row) if row else None

    def reset_page(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(pages).where(pages.c.url_key == key).values(state="pending", next_attempt_at=None)
            )

    def claim(
        self,
        now: datetime,
        limit: int,
        only_sources: list[int] | None = None,
        exclude: set[int] | frozenset[int] = frozenset(),
    ) -> list[PageJob]:
        """Pending pages whose time has come, oldest first but taking hosts in turn, so a batch
        spreads over many sites and per-host pacing does not serialise it. Nothing is locked: a
        page stays pending until its result is written, so a stopped watcher's pages are fetched
        on the next run; `exclude` leaves out the pages this watcher already has in hand."""
        query = (
            select(
                pages.c.id,
                pages.c.url,
                pages.c.source_id,
                pages.c.attempts,
                pages.c.title_hint,
                pages.c.published_hint,
                sources.c.name,
                sources.c.allow_private,
                sources.c.home,
                sources.c.feeds,
                sources.c.sitemaps,
            )
            .select_from(pages.outerjoin(sources, sources.c.id == pages.c.source_id))
            .where(
                pages.c.state == "pending",
                or_(pages.c.next_attempt_at.is_(None), pages.c.next_attempt_at <= now),
            )
            .order_by(pages.c.id)
            .limit(limit * CLAIM_WINDOW + len(exclude))
        )
        if only_sources is not None:
            query = query.where(pages.c.source_id.in_(only_sources))
        with self.engine.connect() as conn:
            jobs = [
                PageJob(
                    id=r.id,
                    url=r.url,
                    source_id=r.source_id,
                    source_name=r.name,
                    allow_private=bool(r.allow_private),
                    source_urls=tuple(source_urls(r._mapping)) if r.home else (),
                    attempts=r.attempts,
                    title_hint=r.title_hint,
                    published_hint=r.published_hint,
                )
                for r in conn.execute(query)
                if r.id not in exclude
            ]
        by_host: dict[str, list[PageJob]] = {}
        for job in jobs:
            by_host.setdefault(urlsplit(job.url).netloc, []).append(job)
        turns = itertools.zip_longest(*by_host.values())
        return [job for turn in turns for job in turn if job is not None][:limit]

    def pending_count(self, now: datetime | None = None) -> int:
        query = select(func.count()).select_from(pages).where(pages.c.state == "pending")
        if now is not None:
            query = query.where(or_(pages.c.next_attempt_at.is_(None), pages.c.next_attempt_at <= now))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar() or 0

    def page_failed(
        self,
        conn: Connection,
        job: PageJob,
        now: datetime,
        error: str,
        status: int | None,
        permanent: bool,
        retry_after: float | None = None,
    ) -> str:
        attempts = job.attempts + 1
        if permanent or attempts >= PAGE_ATTEMPTS:
            state, when = "failed", None
        else:
            wait = max(timedelta(minutes=5) * (2 ** (attempts - 1)), timedelta(seconds=retry_after or 0))
            state, when = "pending", now + wait
        conn.execute(
            update(pages)
            .where(pages.c.id == job.id)
            .values(
                state=state,
                attempts=attempts,
                next_attempt_at=when,
                fetched_at=now,
                http_status=status,
                error=error[:2000],
            )
        )
        return state

    def page_fetched(
        self,
        conn: Connection,
        job: PageJob,
        now: datetime,
        *,
        status: int | None,
        final_url: str,
        content_type: str | None,
        charset: str | None,
        raw_hash: str,
        article_id: int | None,
        error: str | None,
    ) -> None:
        conn.execute(
            update(pages)
            .where(pages.c.id == job.id)
            .values(
                state="done" if article_id is not None else "skipped",
                attempts=job.attempts + 1,
                next_attempt_at=None,
                fetched_at=now,
                http_status=status,
                final_url=final_url,
                content_type=content_type,
                charset=charset,
                raw_hash=raw_hash,
                article_id=article_id,
                error=error,
            )
        )

    # -- raw bytes ----------------------------------------------------------------------------

    def put_raw(self, conn: Connection, body: bytes, now: datetime) -> str:
        digest = hashlib.sha256(body).hexdigest()
        stmt = self._insert()(raw_pages).on_conflict_do_nothing(index_elements=["sha256"])
        conn.execute(
            stmt, {"sha256": digest, "size": len(body), "body": gzip.compress(body, 6), "stored_at": now}
        )
        return digest

    def get_raw(self, digest: str) -> bytes | None:
        with self.engine.connect() as conn:
            body = conn.execute(select(raw_pages.c.body).where(raw_pages.c.sha256 == digest)).scalar()
        return gzip.decompress(body) if body is not None else None

    def replay_jobs(
        self,
        only_sources: list[int] | None = None,
        url: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[dict]:
        """Fetched pages with raw bytes kept, for `caunoi reprocess`: the first `limit` in id order
        after page `after` (one page of them at a time: see `replay_pages`)."""
        query = (
            select(pages, sources.c.name.label("source_name"))
            .select_from(pages.outerjoin(sources, sources.c.id == pages.c.source_id))
            .where(pages.c.raw_hash.is_not(None), pages.c.id > after)
            .order_by(pages.c.id)
            .limit(limit)
        )
        if only_sources is not None:
            query = query.where(pages.c.source_id.in_(only_sources))
        if url is not None:
            query = query.where(pages.c.url == url)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def replay_pages(
        self, only_sources: list[int] | None, url: str | None, after: int, size: int
    ) -> Iterator[list[dict]]:
        """`replay_jobs` page after page (keyset on the page id), read as the caller asks."""
        while rows := self.replay_jobs(only_sources, url, after, size):
            yield rows
            after = rows[-1]["id"]

    def replay_count(self) -> int:
        """How many fetched pages keep their raw bytes: what `caunoi reprocess` replays."""
        query = select(func.count()).select_from(pages).where(pages.c.raw_hash.is_not(None))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar() or 0

    def page_replayed(self, conn: Connection, page_id: int, before: int | None, after: int | None) -> None:
        """After a replay stored the page's article as `after`: every page that pointed at its old
        article `before` (this one, and pages merged into it) points at `after`, done."""
        conn.execute(
            update(pages)
            .where(pages.c.article_id == before if before is not None else pages.c.id == page_id)
            .values(article_id=after, state="done", error=None)
        )

    # -- health ---------------------------------------------------------------------------------

    def status(self, now: datetime, days: int = 7) -> list[SourceHealth]:
        """Per source: its state (health_state), last success and error, pages waiting, and its
        articles — every stored article linked to it (articles.source, its name: however it came, a
        feed, a file or a page), all of them and per day over the last `days` days they were stored."""
        since = now - timedelta(days=days)
        waiting = func.sum(case((pages.c.state == "pending", 1), else_=0))
        failed = func.sum(case((and_(pages.c.state == "failed", pages.c.fetched_at >= since), 1), else_=0))
        recent = func.sum(case((articles.c.created_at >= since, 1), else_=0))
        with self.engine.connect() as conn:
            counts = {
                r.source_id: r
                for r in conn.execute(
                    select(pages.c.source_id, waiting.label("waiting"), failed.label("failed"))
                    .where(pages.c.source_id.is_not(None), pages.c.state.in_(("pending", "failed")))
                    .group_by(pages.c.source_id)
                )
            }
            stored = {
                r.source: r
                for r in conn.execute(
                    select(articles.c.source, func.count().label("total"), recent.label("recent"))
                    .where(articles.c.source.in_(select(sources.c.name).scalar_subquery()))
                    .group_by(articles.c.source)
                )
            }
            dead_listings: dict[int, list[str]] = {}
            for r in conn.execute(select(listings)):
                if _is_dead(r.failures, r.last_success_at, now):
                    dead_listings.setdefault(r.source_id, []).append(r.url)
            out = []
            for src in conn.execute(select(sources).order_by(func.lower(sources.c.name))).mappings():
                c = counts.get(src["id"])
                a = stored.get(src["name"])
                state = health_state(src, now)
                out.append(
                    SourceHealth(
                        id=src["id"],
                        name=src["name"],
                        enabled=src["enabled"],
                        last_polled_at=src["last_polled_at"],
                        last_success_at=src["last_success_at"],
                        last_error=src["last_error"],
                        last_error_at=src["last_error_at"],
                        failures=src["failures"],
                        next_poll_at=src["next_poll_at"],
                        articles_per_day=round((a.recent or 0) / days, 2) if a else 0.0,
                        pending=(c.waiting or 0) if c else 0,
                        failed_pages=(c.failed or 0) if c else 0,
                        dead=state == "dead",
                        dead_listings=dead_listings.get(src["id"], []) if src["enabled"] else [],
                        state=state,
                        articles=a.total if a else 0,
                    )
                )
        return out


def health_state(source: Any, now: datetime) -> str:
    """What a source's health is, in one word: recognise_only (no feed nor sitemap: never polled),
    disabled (not polled now), not_fetched (never polled yet), dead (_is_dead), failing (its last
    poll failed), or ok."""
    if not source["feeds"] and not source["sitemaps"]:
        return "recognise_only"
    if not source["enabled"]:
        return "disabled"
    if source["last_polled_at"] is None:
        return "not_fetched"
    if _is_dead(source["failures"], source["last_success_at"], now):
        return "dead"
    return "failing" if source["failures"] else "ok"


def _listings(conn: Connection, source_id: int) -> list[dict[str, Any]]:
    """A source's feeds and sitemaps with their state, in the order they were added."""
    query = select(listings).where(listings.c.source_id == source_id).order_by(listings.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def _is_dead(failures: int, last_success: datetime | None, now: datetime) -> bool:
    """Failing now, and either many times in a row or for days since it last worked."""
    if failures >= DEAD_FAILURES:
        return True
    return failures > 0 and last_success is not None and now - last_success > DEAD_AFTER
