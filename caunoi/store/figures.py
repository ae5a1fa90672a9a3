"""What the reports read: the articles of a window and their tags (the dashboard, the search
facets), what has changed in the store (the dashboard's cache), and the stories, alerts and cases
of a period (the morning brief).

SQL only: rows and plain values out; counting, ranking and shaping are caunoi.reports'. Tags of
many articles are read by primary key, a chunk of ids at a time (caunoi.store.tags): aggregating
the tag table in SQL made both databases walk every tag of a kind in the store (BENCHMARKS.md,
"API under load")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from caunoi.store.schema import (
    alert_rules,
    alerts,
    article_tags,
    article_time,
    article_time_in,
    articles,
    cases,
    duplicates,
    enrichments,
    sources,
    stories,
    story_articles,
)
from caunoi.store.tags import read_by_ids, tags_of

# -- the dashboard and the search facets ----------------------------------------------------------


def latest_publication(engine: Engine) -> datetime | None:
    with engine.connect() as conn:
        return conn.execute(select(func.max(articles.c.published))).scalar()


def articles_in(engine: Engine, start: datetime, end: datetime) -> list[Any]:
    """(id, when, source, lang) of the articles of [start, end), found through the index on their date."""
    with engine.connect() as conn:
        return conn.execute(
            select(articles.c.id, article_time().label("when"), articles.c.source, articles.c.lang).where(
                article_time_in(start, end)
            )
        ).all()


def article_tags_of(engine: Engine, article_ids: Sequence[int], kinds: Iterable[str]) -> Iterator[Any]:
    """The tags (article_id, kind, value, score) of these articles, of these kinds, read as they are
    iterated."""
    with engine.connect() as conn:
        yield from tags_of(conn, article_ids, kinds)


def languages_and_outlets(engine: Engine, article_ids: Sequence[int]) -> Iterator[Any]:
    """(lang, source) of each of these articles, read as they are iterated."""
    with engine.connect() as conn:
        yield from read_by_ids(
            conn,
            article_ids,
            lambda chunk: select(articles.c.lang, articles.c.source).where(articles.c.id.in_(chunk)),
        )


def outlets(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    """Every registered outlet's name -> (origin, country), as its source record gives them."""
    with engine.connect() as conn:
        rows = conn.execute(select(sources.c.name, sources.c.origin, sources.c.country))
        return {row.name: (row.origin, row.country) for row in rows}


def entity_enrichments(engine: Engine, entity_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """Entity id -> the enrichment (its `data`) of one article tagged with it, if any: how
    enrichment named an entity the gazetteer does not know."""
    found: dict[str, dict[str, Any] | None] = {}
    with engine.connect() as conn:
        for entity_id in entity_ids:
            found[entity_id] = conn.execute(
                select(enrichments.c.data)
                .join(article_tags, article_tags.c.article_id == enrichments.c.article_id)
                .where(article_tags.c.kind == "entity", article_tags.c.value == entity_id)
                .limit(1)
            ).scalar()
    return found


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """What changes whenever a figure of the dashboard may: an article added or removed, an article
    (re-)enriched. Answered from indexes: well under a millisecond on 100k articles."""
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                select(
                    select(func.count()).select_from(articles).scalar_subquery(),
                    select(func.max(articles.c.id)).scalar_subquery(),
                    select(func.max(enrichments.c.enriched_at)).scalar_subquery(),
                )
            ).one()
        )


# -- the morning brief ---------------------------------------------------------------------------

BRIEF_TAGS = ("country", "tone")


def day_of(start: datetime) -> datetime:
    """Midnight of `start`'s day."""
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def dated_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """The articles of [start, end) as a reader counts them: `article_time_in`, and the articles
    known by their day only — stamped 00:00 of the day `start` falls in — since that day overlaps the
    period (the brief of 08:00 over the last 24 h has the articles dated yesterday and today). Any
    other day-only article of the period is at a midnight inside it already."""
    within = article_time_in(start, end)
    midnight = day_of(start)
    return within if midnight == start else or_(within, articles.c.published == midnight)


@dataclass(frozen=True)
class BriefWindow:
    """The articles of a period and what the brief weighs its stories by."""

    rows: list[Any]  # (id, source, url, title, when, story_id): articles of the period in a story,
    # reprints left out, in time order (then id)
    signals: dict[int, list[Any]]  # article id -> its topic tags, and its entity tags naming the
    # bodies asked for (see brief_window)


def brief_window(
    engine: Engine, start: datetime, end: datetime, bodies: str | None = None, above: float = 0.0
) -> BriefWindow:
    """The articles of [start, end) (`dated_in`) that are in a story and are no reprint, and their
    topic tags; with `bodies` (an entity id prefix, "vnbody:"), also their entity tags of that
    prefix scored above `above`."""
    when = article_time()
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                articles.c.id,
                articles.c.source,
                articles.c.url,
                articles.c.title,
                when.label("when"),
                story_articles.c.story_id,
            )
            .join(story_articles, story_articles.c.article_id == articles.c.id)
            .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
            .where(dated_in(start, end), duplicates.c.article_id.is_(None))
            .order_by(when, articles.c.id)
        ).all()
        wanted = article_tags.c.kind == "topic"
        if bodies:
            named = and_(
                article_tags.c.kind == "entity",
                article_tags.c.value.startswith(bodies, autoescape=True),
                article_tags.c.score > above,
            )
            wanted = or_(wanted, named)
        signals: dict[int, list[Any]] = defaultdict(list)
        for t in read_by_ids(
            conn,
            [r.id for r in rows],
            lambda chunk: select(article_tags).where(article_tags.c.article_id.in_(chunk), wanted),
        ):
            signals[t.article_id].append(t)
    return BriefWindow(rows, dict(signals))


def alerts_of(start: datetime, end: datetime) -> ColumnElement[bool]:
    """The alerts of [start, end): raised in it, or about it (an evaluation run later, e.g. `alerts
    run --at`, raises an alert whose window ends in the period)."""
    return or_(
        and_(alerts.c.created_at >= start, alerts.c.created_at < end),
        and_(alerts.c.window_end > start, alerts.c.window_end <= end),
    )


@dataclass(frozen=True)
class BriefDetails:
    """What the brief shows of the stories it keeps, and the period's alerts and open cases."""

    tags: dict[int, list[Any]]  # article id -> its BRIEF_TAGS rows
    stories: dict[int, Any]  # story id -> its row
    alerts: list[Any]  # raised in the period or about it, latest first, with their rule's name
    cases: list[Any]  # open cases, by deadline (then id)


def brief_details(
    engine: Engine, start: datetime, end: datetime, story_ids: Sequence[int], article_ids: Sequence[int]
) -> BriefDetails:
    """The BRIEF_TAGS of these articles, the rows of these stories, the alerts of [start, end) and
    the open cases: in one connection."""
    with engine.connect() as conn:
        tags: dict[int, list[Any]] = defaultdict(list)
        for t in tags_of(conn, article_ids, BRIEF_TAGS):
            tags[t.article_id].append(t)
        story_rows = {
            s.id: s
            for s in read_by_ids(
                conn, story_ids, lambda chunk: select(stories).where(stories.c.id.in_(chunk))
            )
        }
        raised = conn.execute(
            select(alerts, alert_rules.c.name.label("rule"))
            .join(alert_rules, alert_rules.c.id == alerts.c.rule_id)
            .where(alerts_of(start, end))
            .order_by(alerts.c.created_at.desc())
        ).all()
        open_cases = conn.execute(
            select(cases)
            .where(cases.c.state.notin_(("answered", "closed")))
            .order_by(cases.c.deadline, cases.c.id)
        ).all()
    return BriefDetails(dict(tags), story_rows, raised, open_cases)


# -- the weekly digest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """What a period holds, for comparing one week with the one before."""

    articles: int  # of the period (dated_in), reprints counted once
    stories: int  # they are in
    outlets: int
    subject_tones: list[float]  # the tone of the passages about the subject country, per article that has one
    alerts: int  # raised by the rules in the period or about it (alerts_of)
    cases_opened: int
    cases_closed: int


def period_figures(engine: Engine, start: datetime, end: datetime) -> PeriodFigures:
    """The figures of [start, end): articles (reprints once), their stories and outlets, their tone
    about the subject country, the alerts the rules raised, the cases opened and closed."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(articles.c.id, articles.c.source, story_articles.c.story_id)
            .outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
            .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
            .where(dated_in(start, end), duplicates.c.article_id.is_(None))
        ).all()
        tones = [t.score for t in tags_of(conn, [r.id for r in rows], ("tone",)) if t.value == "subject"]

        def count(table: Any, *where: Any) -> int:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0

        raised = count(alerts, alerts.c.rule_id.is_not(None), alerts_of(start, end))
        opened = count(cases, cases.c.created_at >= start, cases.c.created_at < end)
        closed = count(cases, cases.c.closed_at >= start, cases.c.closed_at < end)
    return PeriodFigures(
        articles=len(rows),
        stories=len({r.story_id for r in rows if r.story_id is not None}),
        outlets=len({r.source for r in rows}),
        subject_tones=tones,
        alerts=raised,
        cases_opened=opened,
        cases_closed=closed,
    )
