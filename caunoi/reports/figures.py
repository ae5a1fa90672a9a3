"""The figures the web dashboard and the search facets show: attention and tone by day, share of
voice by outlet, country and language, top entities and documents cited, over a window of the
store; and counts by language, outlet, topic and country over the articles a search matches."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from caunoi.models import SearchRequest, outlet_origin
from caunoi.store import figures
from caunoi.store.articles import ArticleRepository
from caunoi.store.figures import fingerprint
from caunoi.timezones import article_clock

FACET_KINDS = ("topic", "country")
FACET_CAP = 5000  # articles a search's facets are counted over


def window_end(engine: Engine, now: datetime | None = None) -> datetime:
    """'Now' for the dashboard: the present, or the latest publication in the store when the data
    is older (a demo or an archive would otherwise show an empty month); on the articles' clock (Hà
    Nội wall-clock, whatever the server's zone)."""
    now = now or article_clock()
    latest = figures.latest_publication(engine)
    if latest is None or latest > now:
        return now
    return latest.replace(hour=23, minute=59, second=59, microsecond=0)


@dataclass(frozen=True)
class Scope:
    """What the dashboard looks at: the articles `request` finds (its query as the store runs it;
    None: every article), from `first` to `last` (both included; None: the `days` to window_end)."""

    request: SearchRequest | None = None
    first: date | None = None
    last: date | None = None


EVERYTHING = Scope()  # the dashboard as it opens: every article of the last days


def overview(
    engine: Engine, days: int = 30, now: datetime | None = None, top: int = 15, scope: Scope = EVERYTHING
) -> dict[str, Any]:
    """Articles and mean article tone by day, and share of voice, over the `days` before
    `window_end`, or over what `scope` says.

    The articles of the window are found through the index on their date; their tags are then read
    by primary key, a chunk of ids at a time, and counted here. Aggregating the tag table in SQL
    instead made both databases walk every tag of a kind in the store: 2 s (SQLite) for a 30-day
    window of 1,700 articles in a store of 100k (BENCHMARKS.md, "API under load")."""
    end = window_end(engine, now)
    start = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    if scope.first or scope.last:
        start = datetime.combine(scope.first or (scope.last - timedelta(days=days)), datetime.min.time())
        end = datetime.combine(scope.last or end.date(), datetime.max.time()).replace(microsecond=0)
    if scope.request is None:
        rows = figures.articles_in(engine, start, end + timedelta(seconds=1))
    else:
        rows = ArticleRepository(engine).matching(
            scope.request, start, end + timedelta(seconds=1), reprints=True
        )
    counts = _tally(engine, [row.id for row in rows], ("country", "entity", "doc_ref"), tone="article")
    tones = counts.pop("tone")
    by_day: dict[str, dict[str, Any]] = {}
    for row in rows:
        day = by_day.setdefault(row.when.date().isoformat(), {"articles": 0, "tones": []})
        day["articles"] += 1
        if row.id in tones:
            day["tones"].append(tones[row.id])
    result = {
        "start": start,
        "end": end,
        "days": (end.date() - start.date()).days,
        "articles": len(rows),
        "per_day": [
            {
                "day": day,
                "articles": v["articles"],
                "tone": round(sum(v["tones"]) / len(v["tones"]), 2) if v["tones"] else None,
            }
            for day, v in sorted(by_day.items())
        ],
        "outlets": _top(Counter(row.source or "?" for row in rows), top),
        "languages": _top(Counter(row.lang or "?" for row in rows), top),
        "countries": _top(counts["country"], 250),
        "entities": _top(counts["entity"], top),
        "doc_refs": _top(counts["doc_ref"], top),
    }
    result["entity_names"] = entity_names(engine, [e for e, _ in result["entities"]])
    return result


def _top(counter: Counter, n: int) -> list[tuple[str, int]]:
    """The `n` most frequent, ties in alphabetical order (so the same store gives the same chart)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _tally(
    engine: Engine, article_ids: list[int], kinds: tuple[str, ...], tone: str | None = None
) -> dict[str, Any]:
    """For each kind, how many of these articles carry each value (a tag is on an article at most
    once); with `tone`, also "tone": article id -> its tone score of that subject."""
    counts: dict[str, Any] = {kind: Counter() for kind in kinds}
    wanted = (*kinds, "tone") if tone else kinds
    if tone:
        counts["tone"] = {}
    for row in figures.article_tags_of(engine, article_ids, wanted):
        if row.kind == "tone":
            if row.value == tone:
                counts["tone"][row.article_id] = row.score
        else:
            counts[row.kind][row.value] += 1
    return counts


def entity_names(engine: Engine, ids: list[str]) -> dict[str, dict[str, str]]:
    """id -> {"vi": …, "en": …}: from the gazetteer, else as enrichment named it in one article."""
    from caunoi.enrich.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    names: dict[str, dict[str, str]] = {}
    unknown = [entity_id for entity_id in ids if gazetteer.get(entity_id) is None]
    enriched = figures.entity_enrichments(engine, unknown) if unknown else {}
    for entity_id in ids:
        entry = gazetteer.get(entity_id)
        if entry is not None:
            names[entity_id] = {"vi": entry.name_vi or entry.name_en, "en": entry.name_en or entry.name_vi}
            continue
        for found in (enriched[entity_id] or {}).get("entities", []):
            if found.get("id") == entity_id:
                vi = found.get("name_vi") or found.get("name_en") or entity_id
                names[entity_id] = {"vi": vi, "en": found.get("name_en") or vi}
                break
        else:
            names[entity_id] = {"vi": entity_id, "en": entity_id}
    return names


@dataclass
class _Entry:
    key: tuple[Any, ...]
    value: dict[str, Any]
    at: float


class OverviewCache:
    """`overview` computed once per change of the store, not once per request.

    The aggregations take seconds over a million tags (BENCHMARKS.md, "API under load"); the store
    changes once per ingest or watch round. An entry is reused while the store's `fingerprint` and the
    window's first day are unchanged and it is younger than `max_age` seconds (which bounds any
    change the fingerprint misses). When it must be recomputed, one request computes it and the
    requests arriving meanwhile wait for that result instead of running the same aggregation. A
    scope (a search, a period) is an entry of its own; the `kept` most recently computed are kept."""

    def __init__(self, engine: Engine, max_age: float = 600.0, kept: int = 32):
        self.engine = engine
        self.max_age = max_age
        self.kept = kept
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, Scope], _Entry] = {}
        self._running: dict[tuple[Any, ...], threading.Event] = {}

    def get(self, days: int = 30, scope: Scope = EVERYTHING) -> dict[str, Any]:
        key = (days, scope, datetime.now().date(), *fingerprint(self.engine))
        while True:
            with self._lock:
                entry = self._entries.get((days, scope))
                if entry is not None and entry.key == key and time.monotonic() - entry.at < self.max_age:
                    return entry.value
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    break
            running.wait()  # another request is computing this very key; then look again
        try:
            value = overview(self.engine, days, scope=scope)
            value["computed_at"] = datetime.now()
            with self._lock:
                self._entries.pop((days, scope), None)
                self._entries[(days, scope)] = _Entry(key, value, time.monotonic())
                while len(self._entries) > self.kept:  # the oldest computed goes first
                    del self._entries[next(iter(self._entries))]
            return value
        finally:
            with self._lock:
                del self._running[key]
            running.set()


class Outlets:
    """Where the registered outlets are from: an article's outlet origin (caunoi.models.outlet_origin)
    and its outlet's country, by its source's name, the registry read once."""

    def __init__(self, engine: Engine, subject: str = "VN"):
        self.records = figures.outlets(engine)
        self.subject = subject

    def origin(self, source: str | None) -> str:
        origin, country = self.records.get(source or "", (None, None))
        return outlet_origin(origin, country, self.subject)

    def country(self, source: str | None) -> str | None:
        return self.records.get(source or "", (None, None))[1]


def facets(
    engine: Engine, article_ids: list[int], top: int = 10, kinds: tuple[str, ...] = FACET_KINDS,
    subject: str = "VN",
) -> dict[str, list[tuple[str, int]]]:  # fmt: skip
    """How many of these articles are in each language ("lang"), outlet ("source"), outlet origin
    ("origin": caunoi.models.ORIGINS, "unknown" included), outlet country ("outlet_country": "?" when
    the registry does not say) and tag of `kinds` (topic and country unless told), the top `top` of each."""
    known = Outlets(engine, subject)
    counts: dict[str, Counter] = {k: Counter() for k in ("lang", "source", "origin", "outlet_country")}
    for row in figures.languages_and_outlets(engine, article_ids):
        counts["lang"][row.lang or "?"] += 1
        counts["source"][row.source or "?"] += 1
        counts["origin"][known.origin(row.source)] += 1
        counts["outlet_country"][known.country(row.source) or "?"] += 1
    counts.update(_tally(engine, article_ids, kinds))
    return {key: counter.most_common(top) for key, counter in counts.items()}


def matched_facets(
    engine: Engine, request: SearchRequest, top: int = 10, kinds: tuple[str, ...] = FACET_KINDS,
    cap: int = FACET_CAP, subject: str = "VN",
) -> dict[str, list[tuple[str, int]]]:  # fmt: skip
    """`facets` of what `request` matches (its query as the store runs it), of at most `cap` of
    its articles (the oldest: a facet is a sample's proportions, not a census)."""
    found = ArticleRepository(engine, subject).matching(
        request, datetime(1900, 1, 1), datetime(9999, 1, 1), reprints=True, cap=cap
    )
    return facets(engine, [row.id for row in found], top, kinds, subject)
