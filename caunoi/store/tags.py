"""Reading rows by a list of ids, a chunk at a time, and the one such read of article tags.

A list of ids goes into SQL as `IN (…)` with one bound parameter per id; SQLite refuses a statement
with more than 32,766 of them (999 before 3.32), and PostgreSQL's planner slows on very long lists.
CHUNK ids per statement keeps every read well under both limits whatever the caller's list. Callers
(stories, their clusterer, the brief, the dashboard and the search facets) never write this loop
themselves. Reads only: nothing here writes, opens a connection or counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Executable, select

from caunoi.store.schema import article_tags

CHUNK = 500  # ids per IN (…) list: well under SQLite's bound-parameter limit

T = TypeVar("T")


def chunks(ids: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """`ids` in lists of at most `size`, in order."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def read_by_ids(conn: Connection, ids: Sequence[T], query: Callable[[list[T]], Executable]) -> Iterator[Any]:
    """The rows of `query(chunk)` for each chunk of `ids`, chunk after chunk (a query that groups or
    orders does so within a chunk). Rows are read as they are iterated: read them all before
    writing on the same connection."""
    for chunk in chunks(ids):
        yield from conn.execute(query(chunk))


def tags_of(
    conn: Connection, article_ids: Sequence[int], kinds: Iterable[str], min_score: float | None = None
) -> Iterator[Any]:
    """The tags (article_id, kind, value, score) of these articles, of these kinds; with `min_score`,
    only those scored at least that."""
    kinds = tuple(kinds)

    def query(chunk: list[int]) -> Executable:
        found = select(article_tags).where(
            article_tags.c.article_id.in_(chunk), article_tags.c.kind.in_(kinds)
        )
        return found if min_score is None else found.where(article_tags.c.score >= min_score)

    return read_by_ids(conn, article_ids, query)
