"""A large store: `enrich --all` and `reprocess` read their rows a page at a time (keyset on the id),
never the whole list, and a run that was killed goes on where it stopped (tests/test_watch.py has
reprocess's). Shown on the demo store, pages of 100 articles."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from conftest import copy_of
from sqlalchemy import select

from caunoi.service import ENRICH_ALL_MARK, Service
from caunoi.store.progress import get_mark
from caunoi.store.schema import enrichments


@pytest.fixture
def service(demo_store, tmp_path):
    with Service(dataclasses.replace(copy_of(demo_store, tmp_path / "store"), batch_size=100)) as svc:
        yield svc


def fetched_pages(service: Service, monkeypatch) -> list[int]:
    """The size of each page `enrich` asks the store for, as it asks."""
    sizes: list[int] = []
    todo = service.enrichments.todo

    def counted(*args):
        rows = todo(*args)
        sizes.append(len(rows))
        return rows

    monkeypatch.setattr(service.enrichments, "todo", counted)
    return sizes


def test_enrich_all_reads_the_articles_a_page_at_a_time(service, monkeypatch):
    total = service.enrich_todo(everything=True)
    assert total == 297
    assert inspect.isgenerator(service.enrichments.pages(0, True, 0, 100))
    sizes = fetched_pages(service, monkeypatch)
    assert service.enrich(everything=True) == total
    assert sizes == [100, 100, 97, 0]  # three pages, then the empty one that says it is over
    assert get_mark(service.engine, ENRICH_ALL_MARK) is None  # finished: the next --all starts afresh


class Killed(BaseException):
    """What a SIGKILL would do to the run, as far as the store sees: it stops between two writes."""


def test_a_killed_enrich_all_goes_on_after_the_last_page_it_wrote(service, monkeypatch):
    with service.engine.connect() as conn:
        first_times = {r.article_id: r.enriched_at for r in conn.execute(select(enrichments))}

    def stop_after_the_first_page(count: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        service.enrich(everything=True, on_article=stop_after_the_first_page)
    mark = get_mark(service.engine, ENRICH_ALL_MARK)
    assert mark is not None and mark["after"] == 100  # the demo store's ids are 1..297

    sizes = fetched_pages(service, monkeypatch)
    assert service.enrich(everything=True) == 197  # the rest, not all 297 again
    assert sizes == [100, 97, 0]
    with service.engine.connect() as conn:
        times = {r.article_id: r.enriched_at for r in conn.execute(select(enrichments))}
    assert len(times) == 297 and all(times[i] != first_times[i] for i in times)  # every one enriched again
    assert get_mark(service.engine, ENRICH_ALL_MARK) is None
