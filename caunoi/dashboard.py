"""The figures the web dashboard and the search facets show: attention and tone by day, share of
voice by outlet, country and language, top entities and documents cited, over a window of the
store; and counts by language, outlet, topic and country over the articles a search matches."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, select

from caunoi.store.schema import article_tags, article_time, articles, enrichments

FACET_KINDS = ("topic", "country")
_CHUNK = 500  # ids per IN (…) list: well under SQLite's bound-parameter limit


def window_end(engine: Engine, now: datetime | None = None) -> datetime:
    """'Now' for the dashboard: the present, or the latest publication in the store when the data
    is older (a demo or an archive would otherwise show an empty month)."""
    now = now or datetime.now()
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(articles.c.published))).scalar()
    if latest is None or latest > now:
        return now
    return latest.replace(hour=23, minute=59, second=59, microsecond=0)


def overview(engine: Engine, days: int = 30, now: datetime | None = None, top: int = 15) -> dict[str, Any]:
    """Articles and mean article tone by day, and share of voice, over the `days` before
    `window_end`."""
    end = window_end(engine, now)
    start = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    when = article_time()
    in_window = and_(when >= start, when <= end)
    tone = article_tags.alias("tone")
    tagged = and_(tone.c.article_id == articles.c.id, tone.c.kind == "tone", tone.c.value == "article")
    with engine.connect() as conn:
        by_day: dict[str, dict[str, Any]] = {}
        rows = conn.execute(
            select(when.label("when"), tone.c.score)
            .select_from(articles.outerjoin(tone, tagged))
            .where(in_window)
        )
        for row in rows:
            day = by_day.setdefault(row.when.date().isoformat(), {"articles": 0, "tones": []})
            day["articles"] += 1
            if row.score is not None:
                day["tones"].append(row.score)

        def count(column, where=None, limit: int = top) -> list[tuple[str, int]]:
            n = func.count().label("n")
            query = select(column, n).where(in_window, *(where or ())).group_by(column)
            found = conn.execute(query.order_by(n.desc(), column).limit(limit))
            return [(r[0] if r[0] is not None else "?", r[1]) for r in found]

        def tags(kind: str, limit: int = top) -> list[tuple[str, int]]:
            n = func.count(func.distinct(article_tags.c.article_id)).label("n")
            query = (
                select(article_tags.c.value, n)
                .select_from(article_tags.join(articles, articles.c.id == article_tags.c.article_id))
                .where(in_window, article_tags.c.kind == kind)
                .group_by(article_tags.c.value)
                .order_by(n.desc(), article_tags.c.value)
                .limit(limit)
            )
            return [(r[0], r[1]) for r in conn.execute(query)]

        total = conn.execute(select(func.count()).select_from(articles).where(in_window)).scalar() or 0
        result = {
            "start": start,
            "end": end,
            "days": days,
            "articles": total,
            "per_day": [
                {
                    "day": day,
                    "articles": v["articles"],
                    "tone": round(sum(v["tones"]) / len(v["tones"]), 2) if v["tones"] else None,
                }
                for day, v in sorted(by_day.items())
            ],
            "outlets": count(articles.c.source),
            "languages": count(articles.c.lang),
            "countries": tags("country", limit=250),
            "entities": tags("entity"),
            "doc_refs": tags("doc_ref"),
        }
        result["entity_names"] = _entity_names(conn, [e for e, _ in result["entities"]])
    return result


def _entity_names(conn, ids: list[str]) -> dict[str, dict[str, str]]:
    """id -> {"vi": …, "en": …}: from the gazetteer, else as enrichment named it in one article."""
    from caunoi.enrich.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    names: dict[str, dict[str, str]] = {}
    for entity_id in ids:
        entry = gazetteer.get(entity_id)
        if entry is not None:
            names[entity_id] = {"vi": entry.name_vi or entry.name_en, "en": entry.name_en or entry.name_vi}
            continue
        data = conn.execute(
            select(enrichments.c.data)
            .join(article_tags, article_tags.c.article_id == enrichments.c.article_id)
            .where(article_tags.c.kind == "entity", article_tags.c.value == entity_id)
            .limit(1)
        ).scalar()
        for found in (data or {}).get("entities", []):
            if found.get("id") == entity_id:
                vi = found.get("name_vi") or found.get("name_en") or entity_id
                names[entity_id] = {"vi": vi, "en": found.get("name_en") or vi}
                break
        else:
            names[entity_id] = {"vi": entity_id, "en": entity_id}
    return names


def facets(engine: Engine, article_ids: list[int], top: int = 10) -> dict[str, list[tuple[str, int]]]:
    """How many of these articles are in each language, outlet, topic and country (top `top`)."""
    counts: dict[str, Counter] = {key: Counter() for key in ("lang", "source", *FACET_KINDS)}
    with engine.connect() as conn:
        for i in range(0, len(article_ids), _CHUNK):
            chunk = article_ids[i : i + _CHUNK]
            for row in conn.execute(
                select(articles.c.lang, articles.c.source).where(articles.c.id.in_(chunk))
            ):
                counts["lang"][row.lang or "?"] += 1
                counts["source"][row.source or "?"] += 1
            for row in conn.execute(
                select(article_tags.c.kind, article_tags.c.value).where(
                    article_tags.c.article_id.in_(chunk), article_tags.c.kind.in_(FACET_KINDS)
                )
            ):
                counts[row.kind][row.value] += 1
    return {key: counter.most_common(top) for key, counter in counts.items()}
