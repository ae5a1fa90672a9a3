"""What the review report (caunoi.reports.review) reads beyond the evaluation's repositories: the
articles of a period with their outlet's country and origin, the period's main stories, the cases
opened in a period with the time of their first answer, and the fact sheets used in the answers of
a period.

SQL only: rows and plain values out; what they mean and how they are counted is the report's. Every
query is bounded by the period it is given ([start, end), in the store's own time of each table:
the caller converts), and reads through the index on the time it filters by. Nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, distinct, func, select

from caunoi.store.schema import (
    article_time,
    article_time_in,
    articles,
    case_responses,
    cases,
    duplicates,
    products,
    sources,
    stories,
    story_articles,
)


class ReviewRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def articles(self, start: datetime, end: datetime, countries: Sequence[str] = ()) -> list[Any]:
        """(id, when, source, lang, country, origin) of the articles of [start, end), in id order:
        `country` and `origin` are their outlet's sources row's (None for an outlet not among the
        sources); with `countries`, only the articles of those countries' outlets."""
        query = (
            select(
                articles.c.id,
                article_time().label("when"),
                articles.c.source,
                articles.c.lang,
                sources.c.country,
                sources.c.origin,
            )
            .outerjoin(sources, sources.c.name == articles.c.source)
            .where(article_time_in(start, end))
            .order_by(articles.c.id)
        )
        if countries:
            query = query.where(sources.c.country.in_(list(countries)))
        with self.engine.connect() as conn:
            return conn.execute(query).all()

    def stories(self, start: datetime, end: datetime, top: int, countries: Sequence[str] = ()) -> list[Any]:
        """The `top` stories with the most articles published in [start, end), reprints left out:
        (id, title, articles, outlets, first, last), `first` and `last` the times of their first and
        last such article; ties by outlets, then the latest, then the id. With `countries`, only the
        articles of those countries' outlets count."""
        when = article_time()
        count = func.count(articles.c.id).label("articles")
        outlets = func.count(distinct(articles.c.source)).label("outlets")
        last = func.max(when).label("last")
        query = (
            select(stories.c.id, stories.c.title, count, outlets, func.min(when).label("first"), last)
            .select_from(articles)
            .join(story_articles, story_articles.c.article_id == articles.c.id)
            .join(stories, stories.c.id == story_articles.c.story_id)
            .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
            .where(article_time_in(start, end), duplicates.c.article_id.is_(None))
            .group_by(stories.c.id, stories.c.title)
            .order_by(count.desc(), outlets.desc(), last.desc(), stories.c.id)
            .limit(top)
        )
        if countries:
            outlets_of = select(sources.c.name).where(sources.c.country.in_(list(countries)))
            query = query.where(articles.c.source.in_(outlets_of))
        with self.engine.connect() as conn:
            return conn.execute(query).all()

    def cases(self, start: datetime, end: datetime, unit: str | None = None) -> list[Any]:
        """The cases opened in [start, end) (of `unit` when given), in id order: (id, title, state,
        unit, deadline, created_at, answered_at), `answered_at` the time of their first response
        (None: none yet)."""
        first = (
            select(case_responses.c.case_id, func.min(case_responses.c.created_at).label("answered_at"))
            .group_by(case_responses.c.case_id)
            .subquery()
        )
        query = (
            select(
                cases.c.id,
                cases.c.title,
                cases.c.state,
                cases.c.unit,
                cases.c.deadline,
                cases.c.created_at,
                first.c.answered_at,
            )
            .outerjoin(first, first.c.case_id == cases.c.id)
            .where(cases.c.created_at >= start, cases.c.created_at < end)
            .order_by(cases.c.id)
        )
        if unit is not None:
            query = query.where(cases.c.unit == unit)
        with self.engine.connect() as conn:
            return conn.execute(query).all()

    def fact_sheets_used(self, start: datetime, end: datetime, unit: str | None = None) -> list[Any]:
        """The fact sheets the responses recorded in [start, end) used (to cases of `unit` when
        given): (id, title, uses), most used first, then by id."""
        uses = func.count(case_responses.c.id).label("uses")
        query = (
            select(products.c.id, products.c.title, uses)
            .join(case_responses, case_responses.c.fact_sheet_id == products.c.id)
            .where(case_responses.c.created_at >= start, case_responses.c.created_at < end)
            .group_by(products.c.id, products.c.title)
            .order_by(uses.desc(), products.c.id)
        )
        if unit is not None:
            query = query.join(cases, cases.c.id == case_responses.c.case_id).where(cases.c.unit == unit)
        with self.engine.connect() as conn:
            return conn.execute(query).all()
