"""PostgreSQL search through the RUM index (caunoi.store.rum, migration 0019): the best matches read
in rank order from the index, the same results as ranking every match; and a store without the
index searching as before, saying so once."""

from __future__ import annotations

import contextlib
import logging
from datetime import date

import pytest
from conftest import DEMO, backend_settings
from sqlalchemy import event, text

import caunoi.store.articles as article_store
from caunoi.models import SearchRequest
from caunoi.service import Service
from caunoi.store import rum

pytestmark = pytest.mark.postgres

QUERIES = [
    "doi ngoai",
    "đối ngoại",
    "Việt Nam",
    '"biển Đông"',
    "Trung Quốc OR Mỹ",
    "covid NOT vaccine",
    "kinh te*",
    "du lịch NOT (covid OR dịch)",
    "thu tuong chinh phu",
    '"hòa bình"',
]


def _server_has_rum(svc: Service) -> bool:
    with svc.engine.connect() as conn:
        return bool(conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")).scalar())


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The demo corpus in a PostgreSQL store, its readings counted."""
    with contextlib.ExitStack() as stack:
        settings = backend_settings("postgresql", tmp_path_factory.mktemp("rum") / "data", stack)
        svc = stack.enter_context(Service(settings))
        assert svc.ingest([DEMO / "vi-news-unc" / "docs"]).added >= 290
        svc.refresh_readings(force=True)
        yield svc


def _ids(svc: Service, query: str, **kw) -> list[int]:
    return [h.id for h in svc.search(SearchRequest(query=query, **kw))]


def test_with_the_extension_search_reads_the_rum_index_and_finds_what_ranking_every_match_does(
    store, monkeypatch
):
    if not _server_has_rum(store):
        pytest.skip("this PostgreSQL server has no rum extension (`make pg-rum` installs it)")
    assert store.stats()["search_index"] == "rum"
    statements = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with_index = {q: _ids(store, q) for q in QUERIES}
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert any("<=>" in s for s in statements)  # the matches taken in the index's rank order
    monkeypatch.setattr(article_store, "ranked_by_index", lambda engine: None)  # every match ranked
    for query, ids in with_index.items():
        assert ids == _ids(store, query), query  # the demo store: fewer matches than candidates
    assert with_index["doi ngoai"] and with_index["Việt Nam"]


def test_a_narrow_filter_or_the_date_sort_keeps_the_plan_that_ranks_every_match(store):
    """A period keeps few of a common word's matches: walking them in rank order would read many."""
    statements = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        _ids(store, "Việt Nam", date_from=date(2021, 4, 1), date_to=date(2021, 4, 2))
        _ids(store, "Việt Nam", sort="date")
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert statements and not any("<=>" in s for s in statements)


def test_without_the_index_search_works_as_before_and_says_so_once(tmp_path, caplog):
    with contextlib.ExitStack() as stack:
        settings = backend_settings("postgresql", tmp_path / "data", stack)
        svc = stack.enter_context(Service(settings))
        assert svc.ingest(sorted((DEMO / "vi-news-unc" / "docs").iterdir())[:40]).added >= 30
        with svc.engine.begin() as conn:  # a store whose server had no rum extension
            conn.execute(text(f"DROP INDEX IF EXISTS {rum.INDEX}"))
        rum.forget(svc.engine)
        with caplog.at_level(logging.WARNING, logger="caunoi.store.rum"):
            first = svc.search(SearchRequest(query="Việt Nam"))
            again = svc.search(SearchRequest(query="doi ngoai"))
            assert svc.stats()["search_index"] == "gin"
        assert first and again
        assert "Việt Nam" in (first[0].title + first[0].snippet)
        said = [r.getMessage() for r in caplog.records if "RUM" in r.getMessage()]
        assert said == [rum.MISSING]
