"""The types that cross layers: the one document type that flows through the pipeline (Doc, with its
DateMention), a search (SearchRequest, SearchHit), a stored article as it is shown (Article), a source
to watch as a user writes it (SourceSpec) and as the store keeps it (Source, SourceDetail with its
Listings, SourceHealth), what enrichment found (Enrichment); and as_json, which turns any such record
into JSON-ready data. It imports nothing of caunoi: every layer may use it."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

Precision = Literal["day", "month", "year"]
# the largest id a row can have: ids are 32-bit integers on PostgreSQL, so a larger one names nothing
# (the API answers 422, a page 404, rather than let the database refuse it)
MAX_ID = 2**31 - 1


_SPAN = re.compile(r"^\s*(\d{1,5})\s*([hdw])\s*$", re.IGNORECASE)
_SPAN_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def time_before(value: str, now: datetime) -> datetime:
    """A moment as a person types it for "since" or "until": a span before `now` ("24h", "7d",
    "2w") or a date / date-time ("2021-04-25", "2021-04-25T08:00"); ValueError if it is neither."""
    span = _SPAN.match(value)
    if span:
        return now - timedelta(**{_SPAN_UNITS[span[2].lower()]: int(span[1])})
    return datetime.fromisoformat(value.strip())


def row_id_of(text: str) -> int | None:
    """The row id `text` writes, or None: ASCII digits only ("²" and "٣" are digits to str.isdigit but
    not to int()) and no larger than MAX_ID (the fuzzer's 30-digit ids overflowed SQLite's INTEGER)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


# what enrichment (caunoi.enrich.stage) finds in an article, as `show --json` gives it once enriched
ENRICHMENT_KEYS = ("keywords", "entities", "doc_refs", "events", "topics", "tone")
# where an article's outlet is from, from the subject country's point of view (sources.origin)
SOURCE_ORIGINS = ("domestic", "foreign", "diaspora", "international")
ORIGINS = (*SOURCE_ORIGINS, "unknown")  # as search filters and counts them
FOREIGN_ORIGINS = ("foreign", "international")  # the foreign press (diaspora outlets are counted apart)


def outlet_origin(origin: str | None, country: str | None, subject: str) -> str:
    """Where an article's outlet is from, the one definition (search, facets, the brief, alert rules,
    evaluation): the origin its source record gives; else its source's country — the subject
    country's: domestic, another: foreign; else "unknown" (no source record, or one that says
    neither), never guessed. caunoi.store.articles.origin_case is this rule in SQL."""
    if origin in SOURCE_ORIGINS:
        return origin
    if country:
        return "domestic" if country.upper() == subject.upper() else "foreign"
    return "unknown"


def as_json(value: Any) -> Any:
    """A record (a dataclass), or lists and dicts of them, as JSON-ready data: a dict per record with
    its fields in declared order, dates and times as ISO 8601 text, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class DateMention:
    """A date written in the text, resolved to a full calendar date.

    `start`/`end` are character offsets of the mention in the text it was found in;
    `date` is the first day it denotes and `date_end` the last (same as `date` unless the
    mention is a range such as "Trong 2 ngày 13 và 14/10" or a month "tháng 12/2020").
    `precision` says which part was written: a day, a month or only a year.
    """

    text: str
    start: int
    end: int
    date: date
    precision: Precision
    date_end: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "date": self.date.isoformat(),
            "date_end": (self.date_end or self.date).isoformat(),
            "precision": self.precision,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> DateMention:
        return cls(
            text=obj["text"],
            start=obj["start"],
            end=obj["end"],
            date=date.fromisoformat(obj["date"]),
            precision=obj["precision"],
            date_end=date.fromisoformat(obj["date_end"]) if obj.get("date_end") else None,
        )


@dataclass
class Doc:
    """One article on its way from an input to the store.

    Readers fill the origin fields and either `raw` (bytes) or `text`/`html`; each stage
    fills more. A stage that cannot go on sets `skip_reason` and later stages leave the
    doc alone: it is reported in the ingest summary and never stored.
    """

    origin: str  # where it came from: a path, "path#record", or a URL
    format: str  # txt | html | json | csv | warc
    ingested_at: datetime
    raw: bytes | None = None  # undecoded input, when the reader had bytes
    raw_hash: str | None = None  # sha256 of the input record as read: provenance, and re-runs skip it
    html: str | None = None
    url: str | None = None
    title: str = ""
    text: str = ""  # the clean body: sapo first, paragraphs separated by "\n"
    published: datetime | None = None
    published_from: str | None = None  # which evidence gave `published`: "meta", "header", "text"
    source: str | None = None  # the outlet (site name or host)
    category: str | None = None
    author: str | None = None
    attribution: str | None = None  # "Theo baoquocte.vn", "Nguồn: TTXVN": reprint source, not body
    lang: str | None = None
    lang_confidence: float | None = None
    encoding: str | None = None  # the charset the raw bytes were read in
    dates: list[DateMention] = field(default_factory=list)
    event_date: date | None = None
    content_hash: str | None = None
    removed: list[str] = field(default_factory=list)  # page chrome cleanup took out
    meta: dict[str, Any] = field(default_factory=dict)
    skip_reason: str | None = None

    @property
    def skipped(self) -> bool:
        return self.skip_reason is not None

    def replace(self, **changes: Any) -> Doc:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class SearchRequest:
    query: str
    exact: bool = False  # every word as typed ("Trung" is not "trùng")
    widen: bool = False  # words typed with diacritics match every reading too (the typed first)
    date_from: date | None = None
    date_to: date | None = None
    lang: str | None = None
    source: str | None = None
    category: str | None = None
    sort: str = "relevance"  # relevance | date
    limit: int = 20
    offset: int = 0
    # (kind, value) pairs enrichment must have found, e.g. ("doc_ref", "57-KL/TW")
    tags: tuple[tuple[str, str], ...] = ()
    tone_min: float | None = None  # tone (caunoi.enrich.tone), inclusive bounds…
    tone_max: float | None = None
    tone_of: str = "article"  # …of the whole article, or of the passages naming the subject country
    # the gazetteer entity the whole query names ("Vietnam", "越南"): the articles tagged with it match
    # too, and so do its other names (`named_as`, phrases matched in every reading): caunoi.search sets them
    named: str | None = None
    named_as: tuple[str, ...] = ()
    origin: str | None = None  # the outlet's origin (ORIGINS, outlet_origin), "unknown" included
    outlet_country: str | None = None  # the outlet's country (ISO 3166 alpha-2, upper case)


@dataclass
class SearchHit:
    id: int
    title: str
    published: datetime | None
    lang: str | None
    source: str | None
    category: str | None
    url: str | None
    score: float | None  # its relevance; None sorted by date on SQLite (not ranked)
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    origin: str = "unknown"  # where its outlet is from (outlet_origin)
    outlet_country: str | None = None  # its outlet's country, as the sources registry records it

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published.date().isoformat() if self.published else None,
            "published_at": self.published.isoformat() if self.published else None,
            "lang": self.lang,
            "source": self.source,
            "origin": self.origin,
            "outlet_country": self.outlet_country,
            "category": self.category,
            "url": self.url,
            "score": None if self.score is None else round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass
class SearchResults:
    """A page of a search with what the page says about it: how many articles matched (`counted`
    exactly, or estimated), and how the words typed without diacritics were read: `reading` is the
    query as the likeliest reading writes it ("Biển Đông"; None when there was nothing to read),
    whose articles come first, and `others` the next readings, to search instead."""

    hits: list[SearchHit]
    total: int | None = None
    counted: bool = True
    reading: str | None = None
    others: list[str] = field(default_factory=list)
    ranked_among: int | None = None  # by relevance, only the this many most recently stored were ranked

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "total_exact": self.counted,
            "ranked_among": self.ranked_among,
            "reading": self.reading,
            "other_readings": self.others,
        }


@dataclass
class Article:
    """One stored article as it is shown (`caunoi show`, GET /articles/{id}, its page): what the
    pipeline stored, where it was read, its story and copies, and what enrichment found in it.

    The enrichment fields are None until the article is enriched (`enrichment_version` None), and
    in the order enrichment writes them (caunoi.enrich.stage.enrich); copies, origins and dates are
    the JSON-like lists the store keeps."""

    id: int
    title: str
    text: str
    published: datetime | None
    published_from: str | None
    event_date: date | None
    lang: str | None
    lang_confidence: float | None
    source: str | None
    category: str | None
    url: str | None
    author: str | None
    attribution: str | None
    origin: str  # the first place it was seen
    origins: list[dict[str, Any]]  # every place it was read: origin, format, url, raw_hash, ingested_at
    encoding: str | None
    content_hash: str
    dates: list[dict[str, Any]]  # DateMention.to_json() of each date written in the text
    meta: dict[str, Any]
    story_id: int | None = None
    reprint_of: int | None = None  # the earliest copy of this text, when this is a reprint
    copies: list[dict[str, Any]] = field(default_factory=list)  # the other copies: id, source, jaccard, …
    enrichment_version: int | None = None
    keywords: list[dict[str, Any]] | None = None
    entities: list[dict[str, Any]] | None = None
    tone: dict[str, Any] | None = None
    doc_refs: list[dict[str, Any]] | None = None
    topics: dict[str, Any] | None = None
    events: list[dict[str, Any]] | None = None

    @classmethod
    def of(cls, *parts: dict[str, Any] | None, **fields_: Any) -> Article:
        """The article from what the store reads about it (its row, its enrichment, …): the keys
        that name a field, then `fields_`; other keys (created_at, enriched_at) are not shown."""
        names = {f.name for f in dataclasses.fields(cls)}
        given = {k: v for part in parts if part for k, v in part.items() if k in names}
        return cls(**{**given, **fields_})


@dataclass
class SourceSpec:
    """An outlet to watch, as a user writes it (see docs/usage.md, "Watching the web")."""

    name: str
    home: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    country: str | None = None  # ISO 3166-1 alpha-2
    languages: list[str] = field(default_factory=list)  # ISO 639-1
    media_type: str | None = None
    origin: str | None = None  # domestic | foreign | diaspora | international
    # where its articles are recognised: "host" or "host/path" (www. left out; a subdomain falls back
    # to its parent); none given: its home's host and path
    domains: list[str] = field(default_factory=list)
    poll_minutes: int = 30
    enabled: bool = True
    allow_private: bool = False  # may reach private addresses at its own hosts (an intranet source)
    notes: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def urls(self) -> list[str]:
        return [self.home, *self.feeds, *self.sitemaps]


@dataclass
class Source:
    """A watched outlet as stored: what a user said of it (SourceSpec's fields) and the health the
    watcher keeps. Its fields are the `sources` table's columns, in its order (`caunoi sources list
    --json` prints them so)."""

    id: int
    name: str
    home: str
    feeds: list[str]
    sitemaps: list[str]
    country: str | None
    languages: list[str]
    media_type: str | None
    origin: str | None
    poll_minutes: int
    enabled: bool
    allow_private: bool
    notes: str | None
    created_at: datetime
    updated_at: datetime
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int  # polls failed in a row
    domains: list[str]  # where its articles are recognised (SourceSpec.domains), as given

    @property
    def urls(self) -> list[str]:
        """Its own URLs (home, feeds, sitemaps): the hosts `allow_private` covers."""
        return [self.home, *self.feeds, *self.sitemaps]


@dataclass
class Listing:
    """One feed or sitemap of a source, with its conditional-GET validators and its own health."""

    id: int
    source_id: int
    url: str
    kind: str  # feed | sitemap
    etag: str | None
    last_modified: str | None
    last_status: int | None
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    failures: int
    last_links: int | None


@dataclass
class SourceDetail(Source):
    """A source as `caunoi sources show` gives it: the source, then its feeds and sitemaps."""

    listings: list[Listing] = field(default_factory=list)


@dataclass
class SourceHealth:
    """How a source is doing (`caunoi sources status`, GET /api/v1/sources, the sources page): its
    state, last poll, its articles (all, and stored per day) and pages waiting, and which of its
    feeds look dead."""

    id: int
    name: str
    enabled: bool
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_poll_at: datetime | None
    articles_per_day: float  # its articles stored per day over the window, however they came
    pending: int  # pages waiting to be fetched
    failed_pages: int  # pages given up in the window
    dead: bool
    dead_listings: list[str] = field(default_factory=list)  # URLs of its feeds and sitemaps that look dead
    # ok, failing, dead, not_fetched (never polled yet), disabled, recognise_only (no feed: never polled)
    state: str = "ok"
    articles: int = 0  # every stored article linked to it (articles.source), however it came


@dataclass
class Enrichment:
    """What enrichment found in one article: its data (entities, tone, …) and the tags search filters on."""

    data: dict[str, Any] = field(default_factory=dict)
    tags: dict[tuple[str, str], float] = field(default_factory=dict)  # (kind, value) -> score

    def tag(self, kind: str, value: str, score: float) -> None:
        key = (kind, value[:300])
        self.tags[key] = max(score, self.tags.get(key, 0.0))
