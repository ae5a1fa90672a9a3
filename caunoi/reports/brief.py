"""The morning brief (điểm tin): what was written in a period, as the stories it was about.

Stories with at least one article (reprints counted once) published in [start, end) are ranked by
how many such articles they have (then by outlets, then most recent). The top ones are grouped by
their main priority topic: the taxonomy topic (caunoi/data/taxonomy.yaml, in its order) most of
their articles in the period carry, when at least MAIN_TOPIC_SHARE of them do, else "Other". Each
shows its region(s), articles in the period and in all, reprints, outlets, countries, mean tone,
the first sentences of its summary and links. Then the alerts raised in the period and the open
cases with their deadlines.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from caunoi.enrich.gazetteer import load_gazetteer
from caunoi.enrich.taxonomy import load_taxonomy
from caunoi.i18n import topic_names
from caunoi.store import figures

TOP_STORIES = 15
LINKS = 3
MAIN_TOPIC_SHARE = 0.3  # a story's main topic is carried by at least this share of its articles


def build(
    engine: Engine, start: datetime, end: datetime, lang: str = "vi", top: int = TOP_STORIES
) -> dict[str, Any]:
    """The brief of [start, end): read (caunoi.store.figures), ranked, shaped."""
    data = figures.brief_data(engine, start, end, pick=lambda rows: rank(rows, top))
    return shape(data, start, end, lang)


def rank(rows: list[Any], top: int = TOP_STORIES) -> list[tuple[int, list[Any]]]:
    """The `top` stories of these articles (rows with story_id, source, when), as (story id, its
    rows): most articles first, then most outlets, then the most recent, then by id."""
    by_story: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_story[r.story_id].append(r)
    return sorted(
        by_story.items(),
        key=lambda kv: (
            -len(kv[1]),
            -len({r.source for r in kv[1]}),
            -max(r.when for r in kv[1]).timestamp(),
            kv[0],
        ),
    )[:top]


def shape(data: figures.BriefData, start: datetime, end: datetime, lang: str = "vi") -> dict[str, Any]:
    """The brief itself: the picked stories grouped by main topic, each with its regions, outlets,
    countries, tone, summary and links; the totals of the period; its alerts and the open cases."""
    rows, tags, story_rows = data.rows, data.tags, data.stories
    taxonomy = load_taxonomy()
    order = {t.id: i for i, t in enumerate(taxonomy)}
    label = topic_names(lang)
    gazetteer = load_gazetteer()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    regions_total: Counter = Counter()
    for story_id, members in data.picked:
        story = story_rows[story_id]
        topic_count: Counter = Counter()
        countries: Counter = Counter()
        tones = []
        for m in members:
            for t in tags[m.id]:
                if t.kind == "topic" and t.value in order:
                    topic_count[t.value] += 1
                elif t.kind == "country":
                    countries[t.value] += 1
                elif t.kind == "tone" and t.value == "article":
                    tones.append(t.score)
        main = min(topic_count, key=lambda k: (-topic_count[k], order[k])) if topic_count else None
        if main is not None and topic_count[main] < MAIN_TOPIC_SHARE * len(members):
            main = None  # a topic a few of its articles touch on is not what the story is about
        regions = Counter()
        for code, n in countries.items():
            entry = gazetteer.get(f"country:{code}")
            regions[(entry.get("region") if entry else "") or "?"] += n
        for region in regions:
            regions_total[region] += 1
        item = {
            "id": story_id,
            "title": story.title,
            "in_window": len(members),
            "articles": story.articles,
            "reprints": story.reprints,
            "outlets": Counter(m.source or "?" for m in members).most_common(),
            "countries": [c for c, _ in countries.most_common(6)],
            "regions": [r for r, _ in regions.most_common(3) if r != "?"],
            "tone": round(statistics.fmean(tones), 1) if tones else None,
            "summary": [x for x in story.summary or [] if x["text"] not in story.title][:2],
            "links": [{"title": m.title, "url": m.url, "source": m.source} for m in members[:LINKS] if m.url],
            "topic": main,
        }
        groups[main or ""].append(item)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", order.get(kv[0], 0)))
    now = datetime.now()
    return {
        "start": start,
        "end": end,
        "lang": lang,
        "made_at": now,
        "totals": {
            "articles": len(rows),
            "stories": len({r.story_id for r in rows}),
            "outlets": len({r.source for r in rows}),
        },
        "groups": [
            {
                "topic": key or None,
                "label": label.get(key, "Khác" if lang == "vi" else "Other"),
                "stories": items,
            }
            for key, items in ordered
        ],
        "regions": regions_total.most_common(),
        "alerts": [
            {
                "id": a.id,
                "title": a.title,
                "rule": a.rule,
                "severity": a.severity,
                "created_at": a.created_at,
                "story_id": a.story_id,
                "state": a.state,
            }
            for a in data.alerts
        ],
        "cases": [
            {
                "id": c.id,
                "title": c.title,
                "state": c.state,
                "priority": c.priority,
                "unit": c.unit,
                "deadline": c.deadline,
                "overdue": bool(c.deadline and c.deadline < now),
                "story_id": c.story_id,
            }
            for c in data.cases
        ],
    }
