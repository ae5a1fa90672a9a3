"""Reading articles to enrich and writing what enrichment found (enrichments, article_tags)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select

from caunoi.models import Enrichment
from caunoi.store import search_index
from caunoi.store.progress import set_mark
from caunoi.store.schema import article_tags, articles, enrichments


class EnrichmentRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def _todo(self, version: int, everything: bool):
        query = select(articles.c.id).outerjoin(enrichments, enrichments.c.article_id == articles.c.id)
        if not everything:
            query = query.where(or_(enrichments.c.version.is_(None), enrichments.c.version < version))
        return query

    def count_todo(self, version: int, everything: bool = False) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(self._todo(version, everything).subquery())
            ).scalar()

    def todo(self, version: int, everything: bool, after: int, limit: int) -> list[tuple]:
        """(id, title, text, published, lang) of articles to enrich, in id order after `after`."""
        ids = (
            self._todo(version, everything).where(articles.c.id > after).order_by(articles.c.id).limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                (r.id, r.title, r.text, r.published, r.lang)
                for r in conn.execute(
                    select(
                        articles.c.id,
                        articles.c.title,
                        articles.c.text,
                        articles.c.published,
                        articles.c.lang,
                    )
                    .where(articles.c.id.in_(ids.scalar_subquery()))
                    .order_by(articles.c.id)
                )
            ]

    def pages(self, version: int, everything: bool, after: int, size: int) -> Iterator[list[tuple]]:
        """`todo` page after page (keyset: ids after the last one given), so a run over a million
        articles holds one page of them, not their list; read lazily, as the caller asks."""
        while rows := self.todo(version, everything, after, size):
            yield rows
            after = rows[-1][0]

    def write(
        self,
        results: Iterable[tuple[int, Enrichment]],
        version: int,
        mark: tuple[str, dict[str, Any]] | None = None,
    ) -> int:
        """Replace the enrichment and tags of these articles, in one transaction; with it, `mark`
        (a name and where the run got to: caunoi.store.progress) when given."""
        results = list(results)
        if not results:
            return 0
        ids = [article_id for article_id, _ in results]
        now = datetime.now()
        with self.engine.begin() as conn:
            indexed = search_index.is_on(conn)  # its tags are in the index: a change is queued
            before = search_index.indexed_tags(conn, ids) if indexed else {}
            conn.execute(delete(article_tags).where(article_tags.c.article_id.in_(ids)))
            conn.execute(delete(enrichments).where(enrichments.c.article_id.in_(ids)))
            conn.execute(
                enrichments.insert(),
                [
                    {"article_id": i, "version": version, "enriched_at": now, "data": e.data}
                    for i, e in results
                ],
            )
            tags = [
                {"article_id": i, "kind": kind, "value": value, "score": score}
                for i, e in results
                for (kind, value), score in e.tags.items()
            ]
            if tags:
                conn.execute(article_tags.insert(), tags)
            if indexed:
                after = search_index.indexed_tags(conn, ids)
                changed = [i for i in ids if set(before.get(i, ())) != set(after.get(i, ()))]
                search_index.queue(conn, changed)
            if mark is not None:
                set_mark(conn, *mark)
        return len(results)

    def get(self, article_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(enrichments).where(enrichments.c.article_id == article_id)).first()
        if row is None:
            return None
        return {"enrichment_version": row.version, "enriched_at": row.enriched_at, **row.data}

    def labels(self, article_ids: list[int]) -> dict[int, dict[str, Any]]:
        """What enrichment found in each of these articles, for a table of them: its tone (the
        article's), and its topics, entities and countries, best scored first."""
        from caunoi.store.tags import tags_of

        found: dict[int, dict[str, Any]] = {
            i: {"tone": None, "topic": [], "entity": [], "country": []} for i in article_ids
        }
        with self.engine.connect() as conn:
            rows = sorted(
                tags_of(conn, article_ids, ("tone", "topic", "entity", "country")),
                key=lambda r: -(r.score or 0),
            )
        for row in rows:
            if row.kind == "tone":
                if row.value == "article":
                    found[row.article_id]["tone"] = row.score
            else:
                found[row.article_id][row.kind].append(row.value)
        return found
