"""Earned coverage in the store: what the matcher (caunoi.outreach.coverage) reads — the activities
whose window may cover some articles, what each activity put out (its release, its packs' and
products' bodies, its campaign's key messages, its unit), the articles of a window that its phrases
narrow to, and those articles with what enrichment read in them — and the `activity_coverage` rows it
writes: candidates re-scored, stale ones dropped, a person's decision audited in the same transaction.
The scoring is the domain's; this module only reads and writes rows.

Reads of many ids go a chunk at a time (caunoi.store.tags); a window is read through the index on
`articles.published` (schema.article_time_in), phrases through the full-text index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, delete, func, select, update

from caunoi.store.articles import ArticleRepository
from caunoi.store.audit import record_audit
from caunoi.store.database import upsert
from caunoi.store.query import Node
from caunoi.store.schema import (
    activities,
    activity_coverage,
    activity_packs,
    activity_products,
    article_time,
    articles,
    campaigns,
    enrichments,
    packs,
    products,
    sources,
    units,
)
from caunoi.store.tags import chunks, read_by_ids, tags_of

ARTICLE_TAGS = ("country", "doc_ref", "event_type")  # the tags the matcher reads


class CoverageRepository:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.articles = ArticleRepository(engine)

    # -- what the matcher reads ------------------------------------------------------------------

    def any_activity(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(activities.c.id).limit(1)).first() is not None

    def activities_around(self, latest_start: datetime, earliest_end: datetime) -> list[int]:
        """The activities that started at or before `latest_start` and ended (or, without an end,
        started) at or after `earliest_end`, UTC: those whose window may cover an article of a period
        (the caller widens the period by the window's days)."""
        ended = func.coalesce(activities.c.ends_at, activities.c.starts_at)
        query = (
            select(activities.c.id)
            .where(activities.c.starts_at <= latest_start, ended >= earliest_end)
            .order_by(activities.c.id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def material(self, activity_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Each activity's own fields with what it put out: `unit_row` (name, name_en, city, country,
        countries, languages, type), `key_messages` (its campaign's), `packs` and `products` [(id,
        title, body)] — a few queries for the whole list, not a few per activity."""
        ids = list(activity_ids)
        with self.engine.connect() as conn:
            query = select(activities)
            rows = [
                dict(r._mapping)
                for r in read_by_ids(conn, ids, lambda c: query.where(activities.c.id.in_(c)))
            ]
            codes = sorted({r["unit"] for r in rows})
            unit_rows = {
                u["code"]: dict(u)
                for u in conn.execute(select(units).where(units.c.code.in_(codes))).mappings()
            }
            campaign_ids = sorted({r["campaign_id"] for r in rows if r["campaign_id"] is not None})
            query = select(campaigns.c.id, campaigns.c.key_messages)
            found = read_by_ids(conn, campaign_ids, lambda c: query.where(campaigns.c.id.in_(c)))
            messages = {c.id: c.key_messages or [] for c in found}
            linked: dict[str, dict[int, list[tuple[int, str, str]]]] = {}
            for name, link, table, column in (
                ("packs", activity_packs, packs, activity_packs.c.pack_id),
                ("products", activity_products, products, activity_products.c.product_id),
            ):
                texts: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
                query = (
                    select(link.c.activity_id, table.c.id, table.c.title, table.c.body)
                    .join(table, table.c.id == column)
                    .order_by(table.c.id)
                )
                for row in read_by_ids(
                    conn, ids, lambda c, q=query, by=link: q.where(by.c.activity_id.in_(c))
                ):
                    texts[row.activity_id].append((row.id, row.title, row.body or ""))
                linked[name] = texts
        for row in rows:
            row["unit_row"] = unit_rows.get(row["unit"], {})
            row["key_messages"] = messages.get(row["campaign_id"], [])
            row["packs"] = linked["packs"].get(row["id"], [])
            row["products"] = linked["products"].get(row["id"], [])
        return rows

    def times(self, article_ids: Sequence[int]) -> dict[int, datetime]:
        """When each article was published (stored, when its date is unknown): what windows use."""
        query = select(articles.c.id, article_time().label("at"))
        with self.engine.connect() as conn:
            found = read_by_ids(conn, list(article_ids), lambda c: query.where(articles.c.id.in_(c)))
            return {row.id: row.at for row in found}

    def window_matches(self, node: Node, start: datetime, end: datetime, cap: int) -> list[int]:
        """The articles of [start, end) the query matches, best ranked first, at most `cap`."""
        return self.articles.ids_matching(node, start, end, cap)

    def article_rows(self, article_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The articles with what the matcher weighs: title, text, source (and the country and origin
        its `sources` row gives, if any), language, dates, the enrichment's events and the tags of
        ARTICLE_TAGS as {kind: {value: score}}."""
        ids = list(article_ids)
        names = ("id", "title", "text", "url", "source", "lang", "published", "created_at", "event_date")
        query = select(
            *(articles.c[name] for name in names),
            sources.c.country.label("source_country"),
            sources.c.origin.label("source_origin"),
        ).select_from(articles.outerjoin(sources, sources.c.name == articles.c.source))
        events = select(enrichments.c.article_id, enrichments.c.data["events"].label("events"))
        found: dict[int, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for row in read_by_ids(conn, ids, lambda c: query.where(articles.c.id.in_(c))):
                found[row.id] = {**row._mapping, "tags": defaultdict(dict), "events": []}
            for tag in tags_of(conn, ids, ARTICLE_TAGS):
                found[tag.article_id]["tags"][tag.kind][tag.value] = tag.score
            for row in read_by_ids(conn, ids, lambda c: events.where(enrichments.c.article_id.in_(c))):
                found[row.article_id]["events"] = row.events or []
        return [found[i] for i in ids if i in found]

    def article_exists(self, article_id: int) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(articles.c.id).where(articles.c.id == article_id)).first() is not None

    # -- candidates --------------------------------------------------------------------------------

    def stored(
        self, activity_id: int, states: Iterable[str] | None = None, article_ids: Sequence[int] | None = None
    ) -> list[dict[str, Any]]:
        """An activity's coverage rows (of these states, of these articles), best score first, each
        with its article's title, address, source and publication time."""
        query = (
            select(activity_coverage, *(articles.c[name] for name in ("title", "url", "source", "published")))
            .join(articles, articles.c.id == activity_coverage.c.article_id)
            .where(activity_coverage.c.activity_id == activity_id)
            .order_by(activity_coverage.c.score.desc(), articles.c.published.desc(), articles.c.id)
        )
        if states is not None:
            query = query.where(activity_coverage.c.state.in_(list(states)))
        if article_ids is not None:
            query = query.where(activity_coverage.c.article_id.in_(list(article_ids)))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def pairs_of(self, article_ids: Sequence[int]) -> set[tuple[int, int]]:
        """The (activity, article) coverage rows stored for these articles, in any state."""
        query = select(activity_coverage.c.activity_id, activity_coverage.c.article_id)
        with self.engine.connect() as conn:
            found = read_by_ids(
                conn, list(article_ids), lambda c: query.where(activity_coverage.c.article_id.in_(c))
            )
            return {(row.activity_id, row.article_id) for row in found}

    def save(
        self,
        results: dict[int, tuple[dict[int, tuple[float, list[dict[str, Any]]]], Sequence[int]]],
        now: datetime,
    ) -> int:
        """Write what a scoring found, for each activity: (found, checked). Each article found
        (article -> score, reasons) is stored as a candidate or, if stored already, re-scored with its
        state kept (a person's decision stands); an article checked and not found is dropped if it
        was only a candidate. One transaction; how many rows were written."""
        insert = upsert(self.dialect)
        rows = [
            {"activity_id": activity_id, "article_id": article_id, "score": score, "reasons": reasons,
             "state": "candidate", "found_at": now, "checked_at": now}
            for activity_id, (found, _) in results.items()
            for article_id, (score, reasons) in found.items()
        ]  # fmt: skip
        with self.engine.begin() as conn:
            for chunk in chunks(rows):
                stmt = insert(activity_coverage).values(chunk)
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["activity_id", "article_id"],
                        set_={
                            "score": stmt.excluded.score,
                            "reasons": stmt.excluded.reasons,
                            "checked_at": stmt.excluded.checked_at,
                        },
                    )
                )
            for activity_id, (found, checked) in results.items():
                stale = [i for i in dict.fromkeys(checked) if i not in found]
                for chunk in chunks(stale):
                    mine = and_(
                        activity_coverage.c.activity_id == activity_id,
                        activity_coverage.c.article_id.in_(chunk),
                    )
                    conn.execute(
                        delete(activity_coverage).where(mine, activity_coverage.c.state == "candidate")
                    )
                    conn.execute(update(activity_coverage).where(mine).values(checked_at=now))
        return len(rows)

    def decide(
        self,
        activity_id: int,
        article_id: int,
        state: str,
        action: str,
        by: str,
        now: datetime,
        scored: tuple[float, list[dict[str, Any]]],
    ) -> str | None:
        """Record a person's decision on an article for an activity (`scored`: the score and reasons
        to store if it was no candidate yet), audited on the activity as `action`, its changes naming
        the article; the state it had before (None: it was no candidate). Nothing is written when it
        was in that state already."""
        where = and_(
            activity_coverage.c.activity_id == activity_id, activity_coverage.c.article_id == article_id
        )
        with self.engine.begin() as conn:
            before = conn.execute(select(activity_coverage.c.state).where(where).with_for_update()).scalar()
            if before == state:
                return before
            if before is None:
                score, reasons = scored
                conn.execute(
                    activity_coverage.insert().values(
                        activity_id=activity_id, article_id=article_id, score=score, reasons=reasons,
                        state=state, found_at=now, checked_at=now, decided_by=by, decided_at=now,
                    )
                )  # fmt: skip
            else:
                conn.execute(
                    update(activity_coverage).where(where).values(state=state, decided_by=by, decided_at=now)
                )
            changes = {"article": [None, article_id], "coverage": [before, state]}
            record_audit(conn, now, by, "activity", activity_id, action, changes)
        return before

    def confirmed(self, activity_ids: Sequence[int]) -> dict[int, list[int]]:
        """Activity -> the articles a person confirmed as its coverage, in id order."""
        found: dict[int, list[int]] = {int(i): [] for i in activity_ids}
        query = (
            select(activity_coverage.c.activity_id, activity_coverage.c.article_id)
            .where(activity_coverage.c.state == "confirmed")
            .order_by(activity_coverage.c.activity_id, activity_coverage.c.article_id)
        )
        with self.engine.connect() as conn:
            for row in read_by_ids(
                conn, list(found), lambda c: query.where(activity_coverage.c.activity_id.in_(c))
            ):
                found[row.activity_id].append(row.article_id)
        return found
