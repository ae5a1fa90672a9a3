"""One story as a reader sees it: `caunoi story ID`, the brief and the API share this."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from caunoi.store.stories import StoryRepository

ARTICLES_SHOWN = 200


def story_view(row: Any, repo: StoryRepository) -> dict[str, Any]:
    """Summary, timeline by day, outlets, countries, languages, tone by day and topics of a story;
    volumes count an article and its reprints once (`reprints` says how many copies there were)."""
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
    return {
        "id": row.id,
        "title": row.title,
        "summary": [
            {**s, "source": titles[s["article_id"]].source if s["article_id"] in titles else None}
            for s in row.summary or []
        ],
        "first_seen": row.first_seen.isoformat(),
        "last_seen": row.last_seen.isoformat(),
        "active": row.active,
        "articles": len(originals),
        "reprints": len(members) - len(originals),
        "outlets": Counter(m.source or "?" for m in originals).most_common(),
        "reprinted_by": Counter(m.source or "?" for m in members if m.original_id is not None).most_common(),
        "countries": countries.most_common(),
        "languages": Counter(m.lang or "?" for m in originals).most_common(),
        "topics": topics.most_common(),
        "tone": round(sum(tones) / len(tones), 2) if tones else None,
        "subject_tone": round(sum(subject) / len(subject), 2) if subject else None,
        "timeline": timeline,
        "items": [
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
    }
