"""Stories as a reader sees them: the list (`caunoi stories`, GET /stories, the stories page) and one
story in full (`caunoi story ID`, GET /stories/{id}, its page). It reads through the store and shapes
records; it never writes."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caunoi.spikes import Spike
from caunoi.store.stories import StoryRepository

ARTICLES_SHOWN = 200


@dataclass(frozen=True)
class Growth:
    """How a story grew in one window against its own baseline (caunoi.stories.rising)."""

    window_start: datetime
    window_end: datetime
    count: int  # its articles in the window, reprints counted once
    counts: list[int]  # every window's, oldest first: the last is the window's
    mean: float  # of the baseline windows, at least its floor
    sd: float
    z: float
    ratio: float
    threshold_z: float
    new: bool  # first seen in the window
    rising: bool

    def figures(self, hours: int) -> dict[str, object]:
        """The figures as an alert's `why` keeps them (the shape of a volume spike's)."""
        found = Spike(self.count, self.counts[:-1], self.mean, self.sd, self.z, self.ratio)
        kind = f"the story's own {len(self.counts) - 1} previous windows of {hours} h"
        return {**found.figures(kind), "threshold_z": self.threshold_z, "new": self.new}


@dataclass
class StorySummary:
    """A story as listed: its size (reprints counted once), outlets (reprints included), languages;
    listed as rising, how it grew (caunoi.stories.rising)."""

    id: int
    title: str | None
    articles: int
    reprints: int
    first_seen: datetime
    last_seen: datetime
    active: bool
    outlets: int
    languages: list[str]
    growth: Growth | None = None


@dataclass
class StoryView:
    """One story in full. Volumes count an article and its reprints once; the (name, count) lists are
    most common first; `summary`, `timeline` (a day each) and `items` (its articles, the first
    ARTICLES_SHOWN in publication order) are JSON-like dicts, as the API publishes them."""

    id: int
    title: str | None
    summary: list[dict[str, Any]]  # text, article_id, …, source
    first_seen: datetime
    last_seen: datetime
    active: bool
    articles: int
    reprints: int
    outlets: list[tuple[str, int]]
    reprinted_by: list[tuple[str, int]]
    countries: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    tone: float | None
    subject_tone: float | None
    timeline: list[dict[str, Any]]  # day, articles, tone, first (id, title, source)
    items: list[dict[str, Any]]  # id, title, source, published, lang, url, reprint_of, similarity


def story_list(
    repo: StoryRepository,
    since: datetime | None = None,
    topic: str | None = None,
    limit: int = 50,
    min_articles: int = 1,
    after: tuple[int, datetime, int] | None = None,
) -> list[StorySummary]:
    """Stories last seen since `since` (with an article on `topic`, of at least `min_articles`),
    biggest first, then the most recently seen; `after` is the key of the last one of the page before."""
    return summaries(repo, repo.list(since, topic, limit, min_articles, after))


def summaries(repo: StoryRepository, rows: list[Any]) -> list[StorySummary]:
    """The stories of these rows as listed, in their order."""
    outlets = repo.story_counts([r.id for r in rows]) if rows else {}
    return [
        StorySummary(
            id=r.id,
            title=r.title,
            articles=r.articles,
            reprints=r.reprints,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            active=r.active,
            outlets=len(outlets.get(r.id, {})),
            languages=sorted((r.state or {}).get("langs", {})),
        )
        for r in rows
    ]


def story_view(repo: StoryRepository, story_id: int) -> StoryView | None:
    """Summary, timeline by day, outlets, countries, languages, tone by day and topics of a story;
    volumes count an article and its reprints once (`reprints` says how many copies there were)."""
    row = repo.get(story_id)
    if row is None:
        return None
    members = repo.members(row.id)
    ids = [m.id for m in members]
    tags = repo.tags_of(ids, ("country", "topic", "tone"))
    originals = [m for m in members if m.original_id is None]
    per_day: dict[str, list[Any]] = defaultdict(list)
    for m in originals:
        per_day[m.when.date().isoformat()].append(m)
    tone_of: dict[int, float] = {}
    subject_of: dict[int, float] = {}
    countries: Counter = Counter()
    topics: Counter = Counter()
    original_ids = {m.id for m in originals}
    for t in tags:
        if t.article_id not in original_ids:
            continue
        if t.kind == "country":
            countries[t.value] += 1
        elif t.kind == "topic":
            topics[t.value] += 1
        elif t.kind == "tone" and t.value == "article":
            tone_of[t.article_id] = t.score
        elif t.kind == "tone" and t.value == "subject":
            subject_of[t.article_id] = t.score
    timeline = []
    for day in sorted(per_day):
        day_members = per_day[day]
        tones = [tone_of[m.id] for m in day_members if m.id in tone_of]
        timeline.append(
            {
                "day": day,
                "articles": len(day_members),
                "tone": round(sum(tones) / len(tones), 2) if tones else None,
                "first": {
                    "id": day_members[0].id,
                    "title": day_members[0].title,
                    "source": day_members[0].source,
                },
            }
        )
    titles = {m.id: m for m in members}
    tones = list(tone_of.values())
    subject = list(subject_of.values())
    return StoryView(
        id=row.id,
        title=row.title,
        summary=[
            {**s, "source": titles[s["article_id"]].source if s["article_id"] in titles else None}
            for s in row.summary or []
        ],
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        active=row.active,
        articles=len(originals),
        reprints=len(members) - len(originals),
        outlets=Counter(m.source or "?" for m in originals).most_common(),
        reprinted_by=Counter(m.source or "?" for m in members if m.original_id is not None).most_common(),
        countries=countries.most_common(),
        languages=Counter(m.lang or "?" for m in originals).most_common(),
        topics=topics.most_common(),
        tone=round(sum(tones) / len(tones), 2) if tones else None,
        subject_tone=round(sum(subject) / len(subject), 2) if subject else None,
        timeline=timeline,
        items=[
            {
                "id": m.id,
                "title": m.title,
                "source": m.source,
                "published": m.when.isoformat(),
                "lang": m.lang,
                "url": m.url,
                "reprint_of": m.original_id,
                "similarity": m.similarity,
            }
            for m in members[:ARTICLES_SHOWN]
        ],
    )
