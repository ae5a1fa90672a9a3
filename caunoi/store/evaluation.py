"""What evaluation (caunoi.outreach.evaluation) reads beyond the outreach records: the articles each
activity earned (activity_coverage rows a person confirmed), those articles with their outlet's
country and origin, their copies (the duplicates table), the articles of a country's outlets over a
window, and how many users are bound to some missions.

SQL only: rows and plain values out; what they mean and how they are counted is the domain's. Lists
of ids are read a chunk at a time (caunoi.store.tags). Nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from caunoi.store.schema import (
    activity_coverage,
    article_time,
    article_time_in,
    articles,
    duplicates,
    sources,
    users,
)
from caunoi.store.tags import read_by_ids, tags_of

CONFIRMED = "confirmed"


class EvaluationRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def confirmed(self, activity_ids: Sequence[int]) -> dict[int, list[int]]:
        """Activity id -> the ids of the articles a person confirmed it earned (in id order); an
        activity with none is left out."""
        found: dict[int, list[int]] = defaultdict(list)
        with self.engine.connect() as conn:
            rows = read_by_ids(
                conn,
                list(activity_ids),
                lambda chunk: select(activity_coverage.c.activity_id, activity_coverage.c.article_id).where(
                    activity_coverage.c.activity_id.in_(chunk), activity_coverage.c.state == CONFIRMED
                ),
            )
            for activity_id, article_id in rows:
                found[activity_id].append(article_id)
        return {a: sorted(ids) for a, ids in found.items()}

    def articles(self, ids: Sequence[int]) -> list[Any]:
        """(id, title, text, source, lang, when, country, origin) of these articles, in id order:
        `country` and `origin` are their outlet's (None for an outlet not among the sources)."""
        with self.engine.connect() as conn:
            rows = list(
                read_by_ids(
                    conn,
                    list(ids),
                    lambda chunk: (
                        select(
                            articles.c.id,
                            articles.c.title,
                            articles.c.text,
                            articles.c.source,
                            articles.c.lang,
                            article_time().label("when"),
                            sources.c.country,
                            sources.c.origin,
                        )
                        .outerjoin(sources, sources.c.name == articles.c.source)
                        .where(articles.c.id.in_(chunk))
                    ),
                )
            )
        return sorted(rows, key=lambda r: r.id)

    def copies(self, ids: Sequence[int]) -> dict[int, list[int]]:
        """Article id -> the other articles of its group of near-duplicates (its original and the
        original's other copies), in id order; an article with no copy is left out. A group is flat
        in the duplicates table: every copy names the group's original."""
        with self.engine.connect() as conn:
            root = {a: a for a in ids}
            for article_id, original_id in read_by_ids(
                conn,
                list(ids),
                lambda chunk: select(duplicates.c.article_id, duplicates.c.original_id).where(
                    duplicates.c.article_id.in_(chunk)
                ),
            ):
                root[article_id] = original_id
            groups: dict[int, set[int]] = {r: {r} for r in root.values()}
            for article_id, original_id in read_by_ids(
                conn,
                sorted(groups),
                lambda chunk: select(duplicates.c.article_id, duplicates.c.original_id).where(
                    duplicates.c.original_id.in_(chunk)
                ),
            ):
                groups[original_id].add(article_id)
        return {a: sorted(groups[r] - {a}) for a, r in root.items() if len(groups[r]) > 1}

    def articles_of_countries(self, countries: Iterable[str], start: datetime, end: datetime) -> list[int]:
        """The ids of the articles of [start, end) whose outlet is in one of `countries` (its
        sources row's country), in id order; found through the index on the articles' date."""
        countries = list(countries)
        if not countries:
            return []
        outlets = select(sources.c.name).where(sources.c.country.in_(countries))
        query = select(articles.c.id).where(article_time_in(start, end), articles.c.source.in_(outlets))
        with self.engine.connect() as conn:
            return sorted(conn.execute(query).scalars())

    def tags(self, article_ids: Sequence[int], kinds: Iterable[str]) -> list[Any]:
        """The tags (article_id, kind, value, score) of these articles, of these kinds."""
        with self.engine.connect() as conn:
            return list(tags_of(conn, article_ids, kinds))

    def users_of(self, missions: Iterable[str]) -> int:
        """How many users (not disabled) are bound to these missions."""
        missions = list(missions)
        if not missions:
            return 0
        query = (
            select(func.count())
            .select_from(users)
            .where(users.c.mission.in_(missions), users.c.disabled.is_(False))
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()
