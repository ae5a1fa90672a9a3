"""Duplicates and stories in the store: signatures and LSH bands, reprint links, the clusterer's
state and the stories it made.

SQL only: what is a copy (caunoi.stories.dedup) and which story an article joins
(caunoi.stories.cluster) are decided there; this module reads and writes what they decide, as rows
and plain values, and imports neither."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, exists, func, or_, select, tuple_, update

from caunoi.models import SearchRequest
from caunoi.store.articles import outlet_filters
from caunoi.store.schema import (
    article_tags,
    article_time,
    article_time_in,
    articles,
    duplicates,
    signature_bands,
    signatures,
    stage_state,
    stories,
    story_articles,
)
from caunoi.store.tags import read_by_ids, tags_of

CLUSTERER_STATE = "clusterer"


def _when(row: Any) -> datetime:
    return row.published or row.created_at


class Signing:
    """Signatures being written in one transaction: each article sees those signed before it."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def candidates(self, keys: list[tuple[int, str]], own: int, limit: int) -> list[Any]:
        """(article_id, hashes, shingles) of the other signed articles sharing a band with `keys`, at
        most `limit` of them: those sharing the most bands (then the earliest ids), by id."""
        shared = (
            select(signature_bands.c.article_id)
            .where(tuple_(signature_bands.c.band, signature_bands.c.key).in_(keys))
            .where(signature_bands.c.article_id != own)
            .group_by(signature_bands.c.article_id)
            .order_by(func.count().desc(), signature_bands.c.article_id)
            .limit(limit)
            .subquery()
        )
        return self.conn.execute(
            select(signatures.c.article_id, signatures.c.hashes, signatures.c.shingles)
            .join(shared, shared.c.article_id == signatures.c.article_id)
            .order_by(signatures.c.article_id)
        ).all()

    def add(
        self, article_id: int, hashes: bytes, shingles: int, keys: list[tuple[int, str]], bucket_cap: int
    ) -> None:
        """The article's signature and its band keys (none: checked, never a candidate), each key
        only while its bucket holds fewer than `bucket_cap` articles."""
        self.conn.execute(signatures.insert().values(article_id=article_id, hashes=hashes, shingles=shingles))
        if keys:
            full = {
                (r.band, r.key)
                for r in self.conn.execute(
                    select(signature_bands.c.band, signature_bands.c.key)
                    .where(tuple_(signature_bands.c.band, signature_bands.c.key).in_(keys))
                    .group_by(signature_bands.c.band, signature_bands.c.key)
                    .having(func.count() >= bucket_cap)
                )
            }
            keys = [k for k in keys if k not in full]
        if keys:
            self.conn.execute(
                signature_bands.insert(),
                [{"band": band, "key": key, "article_id": article_id} for band, key in keys],
            )

    def link(self, row: Any, copy_of: int, jaccard: float, containment: float) -> None:
        """Link `row` into the group of `copy_of`; if it is earlier than the group's original, it
        becomes the original and the group is relinked to it."""
        conn = self.conn
        root = conn.execute(
            select(duplicates.c.original_id).where(duplicates.c.article_id == copy_of)
        ).scalar()
        root = root or copy_of
        original = conn.execute(
            select(articles.c.id, articles.c.published, articles.c.created_at).where(articles.c.id == root)
        ).one()
        if (_when(row), row.id) < (_when(original), original.id):
            conn.execute(
                update(duplicates).where(duplicates.c.original_id == root).values(original_id=row.id)
            )
            conn.execute(
                duplicates.insert().values(
                    article_id=root, original_id=row.id, jaccard=jaccard, containment=containment
                )
            )
        else:
            conn.execute(
                duplicates.insert().values(
                    article_id=row.id, original_id=root, jaccard=jaccard, containment=containment
                )
            )


@dataclass(frozen=True)
class ClustererState:
    """What the clusterer was when its last batch was saved."""

    blob: bytes | None  # its document frequencies
    active: list[Any]  # rows of its active stories, by id
    next_id: int
    story_of: dict[int, int]  # article id -> story id, for the articles of the active stories


Describe = Callable[[Any, list[Any]], tuple[str, list[dict[str, Any]]]]
"""(a story's row, a sample of its members in publication order) -> its title and summary: what
caunoi.stories.summary decides, called by the store inside the transaction that writes them."""


@dataclass(frozen=True)
class StoryRecord:
    """A story as the clusterer leaves it after a batch."""

    id: int
    first_seen: datetime
    last_seen: datetime
    state: dict[str, Any]
    active: bool


class StoryRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    # -- duplicates ----------------------------------------------------------------------------

    def dedupe_todo(self, after: int, limit: int) -> list[Any]:
        """Articles with no signature yet, in id order after `after`."""
        query = (
            select(articles.c.id, articles.c.text, articles.c.published, articles.c.created_at)
            .outerjoin(signatures, signatures.c.article_id == articles.c.id)
            .where(signatures.c.article_id.is_(None), articles.c.id > after)
            .order_by(articles.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    @contextmanager
    def signing(self) -> Iterator[Signing]:
        """A transaction to sign a batch of articles in (caunoi.stories.dedup.dedupe)."""
        with self.engine.begin() as conn:
            yield Signing(conn)

    def copies_of(self, article_id: int) -> dict[str, Any]:
        """The article's original (if it is a copy) and the other copies of the same text."""
        with self.engine.connect() as conn:
            root = conn.execute(
                select(duplicates.c.original_id).where(duplicates.c.article_id == article_id)
            ).scalar()
            group_root = root or article_id
            members = conn.execute(
                select(
                    duplicates.c.article_id, duplicates.c.jaccard, duplicates.c.containment, articles.c.source
                )
                .join(articles, articles.c.id == duplicates.c.article_id)
                .where(duplicates.c.original_id == group_root)
                .order_by(duplicates.c.article_id)
            ).all()
        return {
            "original_id": root,
            "copies": [
                {"id": m.article_id, "source": m.source, "jaccard": m.jaccard, "containment": m.containment}
                for m in members
                if m.article_id != article_id
            ],
        }

    # -- stories -------------------------------------------------------------------------------

    def cluster_todo(
        self, limit: int, kinds: tuple[str, ...], min_score: float
    ) -> tuple[list[Any], list[Any]]:
        """Signed articles not yet in a story, in publication order (then id), and their tags of
        these kinds scored at least `min_score`."""
        when = article_time()
        query = (
            select(
                articles.c.id,
                articles.c.title,
                articles.c.text,
                articles.c.lang,
                when.label("when"),
                duplicates.c.original_id,
            )
            .join(signatures, signatures.c.article_id == articles.c.id)
            .outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
            .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
            .where(story_articles.c.article_id.is_(None))
            .order_by(when, articles.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
            return rows, list(tags_of(conn, [r.id for r in rows], kinds, min_score))

    def clusterer_state(self) -> ClustererState:
        with self.engine.connect() as conn:
            blob = conn.execute(
                select(stage_state.c.data).where(stage_state.c.name == CLUSTERER_STATE)
            ).scalar()
            next_id = (conn.execute(select(func.max(stories.c.id))).scalar() or 0) + 1
            active = list(conn.execute(select(stories).where(stories.c.active).order_by(stories.c.id)))
            story_of: dict[int, int] = {}
            if active:
                for r in conn.execute(
                    select(story_articles.c.article_id, story_articles.c.story_id).where(
                        story_articles.c.story_id.in_([s.id for s in active])
                    )
                ):
                    story_of[r.article_id] = r.story_id
        return ClustererState(blob, active, next_id, story_of)

    def save(
        self,
        touched: list[StoryRecord],
        assigned: list[tuple[int, int, float]],
        retired: list[int],
        state: bytes,
        describe: Describe,
        sample: tuple[int, int],
    ) -> None:
        """Store a batch: the stories it touched, its assignments (article id, story id,
        similarity), the stories retired from the active set, the clusterer's document frequencies
        and the title and summary of each story that needs them anew (`describe` over a `sample`
        of its members, see `_describe`), in one transaction: a story is never seen, nor left by a
        killed run, without its title and summary, or with ones its articles have outgrown."""
        now = datetime.now()
        with self.engine.begin() as conn:
            existing = set(
                conn.execute(select(stories.c.id).where(stories.c.id.in_([s.id for s in touched]))).scalars()
            )
            for story in touched:
                values = {
                    "first_seen": story.first_seen,
                    "last_seen": story.last_seen,
                    "state": story.state,
                    "updated_at": now,
                    "active": story.active,
                }
                if story.id in existing:
                    conn.execute(update(stories).where(stories.c.id == story.id).values(**values))
                else:
                    new = {"title": "", "summary": [], "articles": 0, "reprints": 0, "created_at": now}
                    conn.execute(stories.insert().values(id=story.id, **new, **values))
            rows = [
                {"article_id": article_id, "story_id": story_id, "similarity": similarity, "assigned_at": now}
                for article_id, story_id, similarity in assigned
            ]
            conn.execute(story_articles.insert(), rows)
            if retired:
                conn.execute(update(stories).where(stories.c.id.in_(retired)).values(active=False))
            self._recount(conn, [s.id for s in touched])
            stale = self._needing_description(conn, [s.id for s in touched], [a[0] for a in assigned])
            self._describe(conn, stale, describe, sample)
            self._save_state(conn, state, now)

    @staticmethod
    def _needing_description(conn: Connection, story_ids: list[int], article_ids: list[int]) -> list[int]:
        """Of the stories a batch touched, those still without a title and those that took an
        original (not a reprint) in it: a reprint changes neither the sample a title and summary
        are drawn from (originals first) nor, more than a little, the story. A flood of reprints
        of one article is then described once, not once a batch."""
        titleless = select(stories.c.id).where(stories.c.id.in_(story_ids), stories.c.title == "")
        untitled = set(conn.execute(titleless).scalars())
        grown = read_by_ids(
            conn,
            article_ids,
            lambda chunk: (
                select(story_articles.c.story_id)
                .outerjoin(duplicates, duplicates.c.article_id == story_articles.c.article_id)
                .where(story_articles.c.article_id.in_(chunk), duplicates.c.article_id.is_(None))
                .distinct()
            ),
        )
        return sorted({*untitled, *(r.story_id for r in grown)})

    def _describe(
        self, conn: Connection, story_ids: list[int], describe: Describe, sample: tuple[int, int]
    ) -> None:
        """Write each story's title and summary, from its row and its sample of members."""
        for story_id in story_ids:
            row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
            if row is None:
                continue
            title, summary = describe(row, self._sample(conn, story_id, *sample))
            conn.execute(update(stories).where(stories.c.id == story_id).values(title=title, summary=summary))

    @staticmethod
    def _sample(conn: Connection, story_id: int, first: int, latest: int) -> list[Any]:
        """The story's first `first` and latest `latest` originals (all its members when none is
        an original), in publication order, with their titles and texts: read with LIMITs, so the
        texts of forty articles at most, however big the story."""
        when = article_time()
        members = (
            select(
                articles.c.id, articles.c.title, articles.c.text, articles.c.lang, when.label("when"),
                duplicates.c.original_id,
            )
            .join(story_articles, story_articles.c.article_id == articles.c.id)
            .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
            .where(story_articles.c.story_id == story_id)
        )  # fmt: skip
        originals = members.where(duplicates.c.article_id.is_(None))
        early = conn.execute(originals.order_by(when, articles.c.id).limit(first)).all()
        chosen = originals if early else members
        if not early:
            early = conn.execute(members.order_by(when, articles.c.id).limit(first)).all()
        late = conn.execute(chosen.order_by(when.desc(), articles.c.id.desc()).limit(latest)).all()
        picked = {r.id: r for r in [*early, *late]}
        return sorted(picked.values(), key=lambda r: (r.when, r.id))

    def describe_untitled(self, describe: Describe, sample: tuple[int, int]) -> int:
        """Title and summarise the stories left without (by a run killed before this was one
        transaction with the clustering); how many there were."""
        with self.engine.begin() as conn:
            ids = list(conn.execute(select(stories.c.id).where(stories.c.title == "")).scalars())
            self._describe(conn, ids, describe, sample)
        return len(ids)

    @staticmethod
    def _recount(conn: Connection, story_ids: list[int]) -> None:
        """Counts and the title of each touched story, from its members."""
        counts = list(
            read_by_ids(
                conn,
                story_ids,
                lambda chunk: (
                    select(
                        story_articles.c.story_id,
                        func.count().label("total"),
                        func.count(duplicates.c.article_id).label("reprints"),
                    )
                    .outerjoin(duplicates, duplicates.c.article_id == story_articles.c.article_id)
                    .where(story_articles.c.story_id.in_(chunk))
                    .group_by(story_articles.c.story_id)
                ),
            )
        )
        for c in counts:
            conn.execute(
                update(stories)
                .where(stories.c.id == c.story_id)
                .values(articles=c.total - c.reprints, reprints=c.reprints)
            )

    @staticmethod
    def _save_state(conn: Connection, blob: bytes, now: datetime) -> None:
        found = conn.execute(select(stage_state.c.name).where(stage_state.c.name == CLUSTERER_STATE)).first()
        if found:
            conn.execute(
                update(stage_state)
                .where(stage_state.c.name == CLUSTERER_STATE)
                .values(data=blob, updated_at=now)
            )
        else:
            conn.execute(stage_state.insert().values(name=CLUSTERER_STATE, data=blob, updated_at=now))

    def forget_stories(self) -> None:
        """Drop every story and the clusterer's state: the next run clusters the whole store again."""
        with self.engine.begin() as conn:
            conn.execute(delete(story_articles))
            conn.execute(delete(stories))
            conn.execute(delete(stage_state).where(stage_state.c.name == CLUSTERER_STATE))

    def members(self, story_id: int, limit: int | None = None) -> list[Any]:
        """The story's articles in publication order, with their reprint link (original_id)."""
        when = article_time()
        query = (
            select(
                articles.c.id, articles.c.title, articles.c.text, articles.c.url, articles.c.source,
                articles.c.lang, story_articles.c.similarity, when.label("when"), duplicates.c.original_id,
            )
            .join(story_articles, story_articles.c.article_id == articles.c.id)
            .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
            .where(story_articles.c.story_id == story_id)
            .order_by(when, articles.c.id)
            .limit(limit)
        )  # fmt: skip
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    def sample(self, story_id: int, first: int, latest: int) -> list[Any]:
        """The members a story's title and summary are drawn from (see `_sample`)."""
        with self.engine.connect() as conn:
            return self._sample(conn, story_id, first, latest)

    def tags_of(self, article_ids: Iterable[int], kinds: tuple[str, ...]) -> list[Any]:
        with self.engine.connect() as conn:
            return list(tags_of(conn, list(article_ids), kinds))

    def story_of(self, article_id: int) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(story_articles.c.story_id).where(story_articles.c.article_id == article_id)
            ).scalar()

    def get(self, story_id: int) -> Any | None:
        with self.engine.connect() as conn:
            return conn.execute(select(stories).where(stories.c.id == story_id)).first()

    def list(
        self,
        since: datetime | None = None,
        topic: str | None = None,
        limit: int = 50,
        min_articles: int = 1,
        after: tuple[int, datetime, int] | None = None,
    ) -> list[Any]:
        """Stories last seen since `since`, biggest first (then most recent, then by id); with
        `after` = (articles, last_seen, id) of a story, only those that come after it in that order
        (a keyset page: stories added meanwhile neither repeat nor push others off a page)."""
        query = select(stories).where(stories.c.articles >= min_articles)
        if after is not None:
            size, seen, story_id = after
            query = query.where(
                or_(
                    stories.c.articles < size,
                    and_(stories.c.articles == size, stories.c.last_seen < seen),
                    and_(stories.c.articles == size, stories.c.last_seen == seen, stories.c.id > story_id),
                )
            )
        if since is not None:
            query = query.where(stories.c.last_seen >= since)
        if topic:
            query = query.where(stories.c.id.in_(_on_topic(topic)))
        query = query.order_by(stories.c.articles.desc(), stories.c.last_seen.desc(), stories.c.id).limit(
            limit
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    def by_ids(self, story_ids: Iterable[int]) -> list[Any]:
        """The stories rows of those ids that exist, by id."""
        with self.engine.connect() as conn:
            rows = read_by_ids(conn, list(story_ids), lambda c: select(stories).where(stories.c.id.in_(c)))
            return sorted(rows, key=lambda r: r.id)

    def first_seen(self, story_ids: Iterable[int]) -> dict[int, datetime]:
        """When each of these stories was first seen (their rows' other columns left unread: a story's
        `state` is the clusterer's profile of it)."""
        with self.engine.connect() as conn:
            query = lambda c: select(stories.c.id, stories.c.first_seen).where(stories.c.id.in_(c))  # noqa: E731
            return {r.id: r.first_seen for r in read_by_ids(conn, list(story_ids), query)}

    def member_times(
        self,
        start: datetime,
        end: datetime,
        *,
        topic: str | None = None,
        origin: str | None = None,
        lang: str | None = None,
        subject: str = "VN",
    ) -> list[Any]:
        """(story_id, when) of the original articles (reprints left out) of [start, end) that are in
        a story: only those in `lang`, and from outlets of `origin` (caunoi.models.outlet_origin, of the
        `subject` country: "unknown", an outlet the registry does not place); with `topic`, only those
        of the stories with an article on that topic. One range of the index on the articles' date:
        asking first for the stories of a narrower window and then for their articles walked every
        article of each (100k articles, 27k in the range: 0.6 s, now 0.2 s)."""
        query = (
            select(story_articles.c.story_id, article_time().label("when"))
            .select_from(articles.join(story_articles, story_articles.c.article_id == articles.c.id))
            .where(article_time_in(start, end), ~exists().where(duplicates.c.article_id == articles.c.id))
        )
        if lang:
            query = query.where(articles.c.lang == lang)
        if origin:  # as search filters it: caunoi.models.outlet_origin
            query = query.where(*outlet_filters(SearchRequest(query="", origin=origin), subject))
        if topic:
            query = query.where(story_articles.c.story_id.in_(_on_topic(topic)))
        with self.engine.connect() as conn:
            return conn.execute(query).all()

    def story_counts(self, story_ids: list[int]) -> dict[int, Counter]:
        """Per story: outlets (sources) of its articles, reprints included."""
        out: dict[int, Counter] = defaultdict(Counter)
        with self.engine.connect() as conn:
            for r in conn.execute(
                select(story_articles.c.story_id, articles.c.source, func.count().label("n"))
                .join(articles, articles.c.id == story_articles.c.article_id)
                .where(story_articles.c.story_id.in_(story_ids))
                .group_by(story_articles.c.story_id, articles.c.source)
            ):
                out[r.story_id][r.source] += r.n
        return out


def _on_topic(topic: str) -> Any:
    """The ids of the stories with an article on `topic`, as a subquery."""
    return (
        select(story_articles.c.story_id)
        .join(article_tags, article_tags.c.article_id == story_articles.c.article_id)
        .where(article_tags.c.kind == "topic", article_tags.c.value == topic)
        .scalar_subquery()
    )
