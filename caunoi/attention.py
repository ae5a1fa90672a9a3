"""Attention over time, as Media Cloud shows it: how many articles a search finds on each day or week
of a period, and that count as a share of every article stored for the day or week (normalised
attention: a story that fills a quiet Sunday is not drowned by a busy Monday's volume); up to
MAX_SERIES searches compared side by side, each with its colour, its total over the period and its top
outlets, countries and entities.

A search here is what the search page takes: a query, a saved search, or a filter set (the options of
caunoi.search.request_from, shared by every query compared). `ask` checks what a user typed and
refuses what cannot run, without the store; `measure` runs it: the counts are the store's
(ArticleRepository.count_by_day: the search's own matching and filters, grouped by day in SQL, so a
day's count is what the search page lists for that day), weeks (Monday to Sunday) are summed here from
days, and the top lists are the search facets' (caunoi.reports.figures.matched_facets). Days are the
articles' own: the publication's Hanoi wall-clock day, the day stored when an article has no date.
This module never words a refusal for one interface only and never reads a request's page or order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from caunoi.errors import Invalid, check_choice
from caunoi.models import SearchRequest
from caunoi.reports import figures
from caunoi.search import SEARCH_OPTIONS, SavedSearches, request_from
from caunoi.store.articles import ArticleRepository

__all__ = [
    "BY",
    "COLOURS",
    "FILTER_OPTIONS",
    "MAX_SERIES",
    "Attention",
    "AttentionAsk",
    "AttentionError",
    "Bucket",
    "Series",
    "ask",
    "measure",
    "one_search",
]

MAX_SERIES = 5  # searches on one chart: beyond five, lines and bars are no longer told apart
BY = ("day", "week")
DEFAULT_DAYS = 30  # the period when none is given: the 30 days to the latest article, as the dashboard
MAX_DAYS = 3660  # ten years a day at a time: 3,660 points a line is already more than a chart can show
TOP = 10  # outlets, countries and entities listed per search
# Okabe & Ito's palette: five colours that readers with any common colour blindness still tell apart
# (each series also has its own marker and dash on the charts, and its total in the legend)
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
# what a compared search may be narrowed by: the search's options but the query, the period, the order
# and the page
FILTER_OPTIONS = tuple(
    k for k in SEARCH_OPTIONS if k not in ("query", "from", "to", "sort", "limit", "offset")
)


class AttentionError(Invalid):
    """Attention that cannot be measured as asked: too many searches, a period that ends before it
    starts or is too long."""


@dataclass(frozen=True)
class AttentionAsk:
    """What a user asked, checked: the queries and saved searches to compare (MAX_SERIES at most),
    the filters they share (a SearchRequest without a query), the period (None: the default) and
    whether to count by day or by week."""

    queries: tuple[str, ...]
    saved: tuple[str, ...]
    filters: SearchRequest
    typed: Mapping[str, Any]  # the filters as typed, for combining with a saved search's own
    first: date | None
    last: date | None
    by: str


@dataclass(frozen=True)
class Bucket:
    """A day, or a week (Monday to Sunday) cut to the period: its first and last day."""

    first: date
    last: date


@dataclass(frozen=True)
class Series:
    """One search over the period: what it counts on each bucket, as a share of all the bucket's
    articles (None where the store has none), its total and its total's share; its top outlets,
    countries and entities (of at most matched_facets' cap of its articles)."""

    label: str  # the query as typed, or the saved search's name
    query: str
    saved: str | None
    colour: str
    request: SearchRequest  # what the search page lists for it: its query and filters over the period
    counts: list[int]
    shares: list[float | None]
    total: int
    share: float | None
    outlets: list[tuple[str, int]]
    countries: list[tuple[str, int]]
    entities: list[tuple[str, int]]


@dataclass(frozen=True)
class Attention:
    """Searches counted over the buckets of a period, beside every article stored in each."""

    first: date
    last: date
    by: str
    buckets: list[Bucket]
    all_articles: list[int]  # every article stored, a bucket
    total: int  # every article stored in the period
    series: list[Series]
    entity_names: dict[str, dict[str, str]]  # entity id -> {"vi": …, "en": …}, for every entity listed

    def to_json(self) -> dict[str, Any]:
        """As the API answers it and `caunoi attention --json` prints it."""

        def counted(pairs: list[tuple[str, int]]) -> list[dict[str, Any]]:
            return [{"value": value, "articles": n} for value, n in pairs]

        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "by": self.by,
            "buckets": [
                {"first": b.first.isoformat(), "last": b.last.isoformat(), "articles": n}
                for b, n in zip(self.buckets, self.all_articles, strict=True)
            ],
            "articles": self.total,
            "series": [
                {
                    "label": s.label,
                    "query": s.query,
                    "saved": s.saved,
                    "colour": s.colour,
                    "counts": s.counts,
                    "shares": [_rounded(x) for x in s.shares],
                    "total": s.total,
                    "share": _rounded(s.share),
                    "outlets": counted(s.outlets),
                    "countries": counted(s.countries),
                    "entities": counted(s.entities),
                }
                for s in self.series
            ],
            "entity_names": self.entity_names,
        }


def _rounded(share: float | None) -> float | None:
    return None if share is None else round(share, 6)


def ask(
    queries: Iterable[str] = (),
    saved: Iterable[str] = (),
    filters: Mapping[str, Any] | None = None,
    *,
    first: date | str | None = None,
    last: date | str | None = None,
    by: str = "day",
    names: Mapping[str, str] | None = None,
    require: bool = True,
) -> AttentionAsk:
    """The attention these values ask for, checked: `queries` and `saved` (names of saved searches)
    each a search to compare, `filters` (FILTER_OPTIONS as typed) narrowing them all. Refused: more
    than MAX_SERIES searches (too_many_searches), a query that does not parse (QueryError), the
    filters' and dates' refusals of request_from, a `by` that is neither day nor week, a period that
    ends before it starts or is longer than MAX_DAYS; and, when `require`, nothing asked at all
    (attention_nothing_asked: no query, saved search or filter). `names` says how the interface
    calls the options."""
    names = names or {}
    queries = tuple(q.strip() for q in queries if q and q.strip())
    saved = tuple(dict.fromkeys(s.strip() for s in saved if s and s.strip()))
    typed = {k: v for k, v in (filters or {}).items() if v not in (None, "", False, [], ())}
    unknown = typed.keys() - set(FILTER_OPTIONS)
    if unknown:
        raise TypeError(f"not a filter of attention: {', '.join(sorted(unknown))}")
    count = len(queries) + len(saved)
    if count > MAX_SERIES:
        raise AttentionError(
            "too_many_searches",
            "compare at most {most} searches at once, not {count}: leave some out",
            most=MAX_SERIES,
            count=count,
        )
    base = request_from(typed | {"from": first, "to": last}, names, require=False)
    if require and not queries and not saved and not _narrows(base):
        raise AttentionError(
            "attention_nothing_asked",
            "give a query, a saved search ({saved}) or a filter",
            saved=names.get("saved", "saved"),
        )
    for query in queries:
        request_from(typed | {"query": query}, names, require=False)  # a query that cannot run, refused now
    by = check_choice(by, BY, names.get("by", "by"), AttentionError)
    _check_period(base.date_from, base.date_to)
    filters_only = dataclasses.replace(base, date_from=None, date_to=None)
    return AttentionAsk(queries, saved, filters_only, typed, base.date_from, base.date_to, by)


def _narrows(request: SearchRequest) -> bool:
    """Whether a request without a query keeps fewer than every article."""
    bounds = (request.tone_min, request.tone_max)
    outlets = request.lang or request.source or request.origin or request.outlet_country
    return bool(request.tags or outlets or request.category) or bounds != (None, None)


def _check_period(first: date | None, last: date | None) -> None:
    if first and last and last < first:
        raise AttentionError(
            "attention_bad_period",
            "the period ends ({last}) before it starts ({first})",
            first=first,
            last=last,
        )
    if first and last and (last - first).days + 1 > MAX_DAYS:
        raise AttentionError(
            "attention_long_period",
            "{first} – {last} is more than {most} days: choose a shorter period",
            first=first,
            last=last,
            most=MAX_DAYS,
        )


def period(engine: Engine, first: date | None, last: date | None) -> tuple[date, date]:
    """The period asked for, its open ends filled: the DEFAULT_DAYS to the latest article (or to today,
    whichever is earlier) when neither is given; from `first` to the latest article (DEFAULT_DAYS when
    there is none after it) when only `first` is; the DEFAULT_DAYS to `last` when only `last` is."""
    if last is None:
        end = figures.window_end(engine).date()
        last = end if first is None or end >= first else first + timedelta(days=DEFAULT_DAYS - 1)
    if first is None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    _check_period(first, last)
    return first, last


def buckets_of(first: date, last: date, by: str) -> list[Bucket]:
    """The days of [first, last], or its weeks (Monday to Sunday) cut to it."""
    if by == "day":
        return [
            Bucket(first + timedelta(days=n), first + timedelta(days=n))
            for n in range((last - first).days + 1)
        ]
    found = []
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        found.append(Bucket(max(monday, first), min(monday + timedelta(days=6), last)))
        monday += timedelta(days=7)
    return found


def _spread(per_day: Iterable[tuple[date, int]], buckets: list[Bucket]) -> list[int]:
    """Counts by day summed into the buckets they fall in (days outside them are left out)."""
    where = {}
    for n, bucket in enumerate(buckets):
        for offset in range((bucket.last - bucket.first).days + 1):
            where[bucket.first + timedelta(days=offset)] = n
    counts = [0] * len(buckets)
    for day, n in per_day:
        if day in where:
            counts[where[day]] += n
    return counts


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def scopes(asked: AttentionAsk, searches: SavedSearches) -> list[tuple[str, str | None, SearchRequest]]:
    """(label, saved search's name, request without a period) of each search compared: the queries
    with the shared filters, then the saved searches with them (a filter given overrides the saved
    search's own; tags add up), or the filters alone when neither is given."""
    found: list[tuple[str, str | None, SearchRequest]] = [
        (query, None, dataclasses.replace(asked.filters, query=query)) for query in asked.queries
    ]
    for name in asked.saved:
        kept = searches.need(name).request or {}
        request = request_from({**kept, **asked.typed}, require=False)
        found.append((name, name, request))
    return found or [("", None, asked.filters)]


def one_search(asked: AttentionAsk, searches: SavedSearches) -> SearchRequest | None:
    """The one search a view of a single scope (the dashboard) looks at: the query, the saved search,
    or both — the saved search narrowed by the query (its query and the typed one both hold) — with
    the filters; None when nothing narrows it (every article)."""
    if not asked.queries and not asked.saved and not _narrows(asked.filters):
        return None
    found = scopes(asked, searches)
    queries = [request.query for _, _, request in found if request.query.strip()]
    both = " ".join(f"({query})" for query in queries)
    return dataclasses.replace(found[-1][2], query=queries[0] if len(queries) == 1 else both)


def measure(
    engine: Engine,
    searches: SavedSearches,
    asked: AttentionAsk,
    stored: Callable[[SearchRequest], SearchRequest] = lambda r: r,
    top: int = TOP,
    progress: Callable[[int, int], None] | None = None,
) -> Attention:
    """Attention to each search `asked` compares over its period (the default period when it gives
    none). `stored` turns a request into the one the store runs (its query normalised as the stored
    text is: Service._as_stored); `top` outlets, countries and entities are listed per search (0:
    none); `progress(done, searches)` is called as each search is measured."""
    repo = ArticleRepository(engine)
    first, last = period(engine, asked.first, asked.last)
    buckets = buckets_of(first, last, asked.by)
    everything = _spread(repo.count_by_day(SearchRequest(query="", date_from=first, date_to=last)), buckets)
    total = sum(everything)
    series = []
    compared = scopes(asked, searches)
    for n, (label, saved, request) in enumerate(compared):
        request = dataclasses.replace(request, date_from=first, date_to=last)
        counts = _spread(repo.count_by_day(stored(request)), buckets)
        tops = (
            figures.matched_facets(engine, stored(request), top, kinds=("country", "entity")) if top else {}
        )
        series.append(
            Series(
                label=label,
                query=request.query,
                saved=saved,
                colour=COLOURS[n % len(COLOURS)],
                request=request,
                counts=counts,
                shares=[_share(c, a) for c, a in zip(counts, everything, strict=True)],
                total=sum(counts),
                share=_share(sum(counts), total),
                outlets=tops.get("source", []),
                countries=tops.get("country", []),
                entities=tops.get("entity", []),
            )
        )
        if progress is not None:
            progress(n + 1, len(compared))
    names = figures.entity_names(engine, sorted({e for s in series for e, _ in s.entities}))
    return Attention(first, last, asked.by, buckets, everything, total, series, names)
