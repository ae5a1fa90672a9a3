"""The search index beside the store (caunoi.store.search_index; issue 20): it finds what the store
finds, takes in every write, rewrite and removal through the outbox (a drain killed halfway drained
again, nothing twice), is left aside — the store answering — when it is behind, unreadable, being
built or from before a restore, and is run from the command line."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import BACKENDS, DEMO, backend_settings, copy_of
from support.cli import cli
from support.corpus import demo_articles

from caunoi.models import Doc, SearchRequest
from caunoi.search import request_from
from caunoi.service import Service
from caunoi.store import search_index
from caunoi.store.schema import search_outbox

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

# beyond search_latency.py's 20: the demo corpus's period and outlet, names of gazetteer entities
# (their tagged articles match too), a tag filter, a page past the first
MORE = [
    ("Việt Nam", {"from": "2020-10-01", "to": "2020-12-31", "sort": "date"}),
    ("doi ngoai", {"source": "dantri.com.vn"}),
    ("kinh te*", {"category": "business", "sort": "date"}),
    ("thủ tướng", {"sort": "date"}),
    ("Vietnam", {}),
    ("Hà Nội", {"sort": "date"}),
    ("Thủ tướng Chính phủ", {}),
    ("covid", {"country": "IN"}),
]


def benchmark_queries() -> list[tuple[str, dict]]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from search_latency import QUERIES
    finally:
        sys.path.remove(str(BENCHMARKS))
    return [(q.query, q.options) for q in QUERIES]


@pytest.fixture(scope="module", params=BACKENDS)
def indexed(request, tmp_path_factory):
    """The demo corpus ingested (enriched: tags) into a store with its search index built."""
    folder = tmp_path_factory.mktemp("store")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":  # the session's demo store, copied: its corpus ingested once
            settings = copy_of(request.getfixturevalue("demo_store"), folder / "data")
            service = stack.enter_context(Service(settings))
        else:
            settings = backend_settings(request.param, folder / "data", stack)
            service = stack.enter_context(Service(settings))
            service.ingest([DEMO / "vi-news-unc" / "docs"])
        built = service.search_index.build(folder / "index")
        assert built["articles"] == service.stats()["articles"] >= 290
        yield service


def without_index(service: Service) -> Service:
    return Service(dataclasses.replace(service.settings, search_index=False))


def asked(query: str, options: dict) -> SearchRequest:
    if any(isinstance(v, date) for v in options.values()) or "exact" in options:
        return SearchRequest(query=query, **options)
    return request_from({"query": query, **options})


def test_the_index_finds_what_the_store_finds(indexed):
    store = without_index(indexed)
    answered = 0
    for query, options in [*benchmark_queries(), *MORE]:
        req = asked(query, options)
        answered += indexed.search_index.answers(req) is not None
        every = dataclasses.replace(req, limit=1000)
        by_index, by_store = indexed.search_results(every), store.search_results(every)
        assert {h.id for h in by_index.hits} == {h.id for h in by_store.hits}, (query, options)
        assert by_index.total == by_store.total and by_index.ranked_among is None, query
        counted = dataclasses.replace(req, limit=3)  # a page short of every match: counted apart
        assert indexed.search_results(counted).total == by_store.total, query
        if req.sort == "date":  # the same pages, in the same order
            for offset in (0, 20):
                page = dataclasses.replace(req, offset=offset)
                assert [h.id for h in indexed.search(page)] == [h.id for h in store.search(page)], query
        elif by_store.hits:  # what is shown comes first by relevance, the same articles highlighted
            best = by_index.hits[0]
            assert best.snippet and best.title
    store.close()
    assert answered == len(benchmark_queries()) + len(MORE)  # each answered by the index
    assert indexed.search_index.answers(request_from({"query": "covid", "origin": "foreign"})) is None
    assert indexed.search_index.answers(request_from({"query": "covid", "tone_max": "-1"})) is None


def test_a_search_by_relevance_puts_the_reading_first(indexed):
    """The articles with the words side by side before the rest, as the store ranks them."""
    found = indexed.search(SearchRequest(query="doi ngoai", limit=200))
    side_by_side = ["đối ngoại" in f"{h.title} {h.snippet}".lower() for h in found]
    first_apart = side_by_side.index(False)
    assert first_apart > 0 and not any(side_by_side[first_apart:])


def fresh(title: str, text: str, n: int) -> Doc:
    (doc,) = demo_articles()[:1]
    return dataclasses.replace(
        doc, origin=f"test:{n}", title=title, text=text, content_hash=f"{n:064x}", raw_hash=f"{n:064x}"
    )


@pytest.fixture
def small(tmp_path):
    """A store of 60 demo articles with its index built."""
    with contextlib.ExitStack() as stack:
        settings = backend_settings("sqlite", tmp_path / "data", stack)
        service = stack.enter_context(Service(settings))
        service.articles.write_batch(demo_articles()[:60])
        service.search_index.build(tmp_path / "index")
        yield service


def ids(service: Service, query: str) -> list[int]:
    return [h.id for h in service.search(SearchRequest(query=query, limit=50))]


def test_written_rewritten_and_removed_articles_reach_the_index(small):
    added = small.articles.write_batch([fresh("Quýt Hồng Quytzora", "Vườn quýt quytzora trĩu quả.", 1)])
    (new_id,) = added.ids.values()
    assert small.search_index.pending() == 1
    assert ids(small, "quytzora") == [new_id]  # the search took it in first
    assert small.search_index.pending() == 0
    with small.engine.begin() as conn:  # reprocessed: its text is another now
        small.articles.replace(conn, new_id, fresh("Bưởi Buoizora", "Bưởi da xanh buoizora.", 2))
    assert ids(small, "quytzora") == [] and ids(small, "buoizora") == [new_id]
    other = small.articles.write_batch([fresh("Nhãn Nhanzora", "Nhãn nhanzora chín rộ.", 3)])
    (other_id,) = other.ids.values()
    with small.engine.begin() as conn:  # reprocessed into the text of another: merged, removed
        assert small.articles.replace(conn, other_id, fresh("Bưởi Buoizora", "x", 2)) == new_id
    assert ids(small, "nhanzora") == [] and ids(small, "buoizora") == [new_id]
    small.search_index.sync()
    index = small.search_index._open(small.search_index.state())
    index.reload()
    assert index.searcher().num_docs == small.stats()["articles"] == 61


def test_a_drain_killed_after_the_index_committed_is_drained_again_nothing_twice(small, monkeypatch):
    small.articles.write_batch([fresh(f"Sầu riêng số {n}", "Sầu riêng saurzora.", 10 + n) for n in range(3)])
    real_delete = search_index.delete

    def killed(table):
        if table is search_outbox:
            raise SystemExit("killed")  # as a kill between the index's commit and the outbox's
        return real_delete(table)

    monkeypatch.setattr(search_index, "delete", killed)
    with pytest.raises(SystemExit):
        small.search_index.sync()
    monkeypatch.setattr(search_index, "delete", real_delete)
    assert small.search_index.pending() == 3  # the index holds them; the outbox still says so
    assert small.search_index.sync() == 3
    assert len(ids(small, "saurzora")) == 3
    index = small.search_index._open(small.search_index.state())
    index.reload()
    assert index.searcher().num_docs == 63


def test_a_killed_build_leaves_the_store_answering_and_the_next_build_starts_over(
    small, monkeypatch, tmp_path
):
    calls = {"n": 0}
    real = search_index.document

    def dies(row, tags=()):
        calls["n"] += 1
        if calls["n"] == 30:
            raise KeyboardInterrupt
        return real(row, tags)

    monkeypatch.setattr(search_index, "document", dies)
    with pytest.raises(KeyboardInterrupt):
        small.search_index.build(tmp_path / "index")
    monkeypatch.setattr(search_index, "document", real)
    assert small.search_index.answers(SearchRequest(query="covid")) is None  # the store answers
    assert "not built" in small.search_index.status()["why_not"]
    small.articles.write_batch([fresh("Xoài Xoaizora", "Xoài xoaizora chín vàng.", 20)])  # queued meanwhile
    assert small.search_index.build(tmp_path / "index")["articles"] == 61
    assert small.search_index.pending() == 0 and len(ids(small, "xoaizora")) == 1


def test_an_index_far_behind_or_unreadable_leaves_the_store_to_answer(small, monkeypatch, caplog):
    monkeypatch.setattr(search_index, "LAG_OK", 2)
    state = small.search_index.state()
    writer = small.search_index._open(state).writer(heap_size=15_000_000, num_threads=1)  # another drain
    small.articles.write_batch([fresh(f"Mận hậu {n}", "Mận manzora.", 30 + n) for n in range(3)])
    assert small.search_index.answers(SearchRequest(query="manzora")) is None
    assert len(ids(small, "manzora")) == 3  # found by the store
    del writer
    assert small.search_index.answers(SearchRequest(query="manzora")) is not None  # drained now
    for segment in Path(state.path).glob("*.idx"):
        segment.unlink()
    small.search_index._index = None
    with caplog.at_level(logging.WARNING):
        assert len(ids(small, "manzora")) == 3
    assert "could not be read" in caplog.text
    assert "unreadable" in small.search_index.status()["why_not"]


def test_a_restored_store_is_answered_by_the_store_until_the_index_is_built_again(small, tmp_path):
    from caunoi.backup import backup, restore

    archive = backup(small.settings, tmp_path / "store.tar").path
    report = restore(small.settings, Path(archive), force=True)
    assert any("search-index build" in w for w in report.warnings)
    with Service(small.settings) as again:
        assert again.search_index.answers(SearchRequest(query="covid")) is None
        assert not again.search_index.status()["enabled"]
        again.articles.write_batch([fresh("Chôm chôm", "Chôm chôm chomzora.", 40)])
        assert again.search_index.pending() == 0  # off: nothing queued
        again.search_index.build(tmp_path / "index2")
        assert again.search_index.answers(SearchRequest(query="chomzora")) is not None


def test_search_index_commands(tmp_path):
    import json

    def run(*args: str):
        out = cli(settings, *args).stdout
        return json.loads(out) if "--json" in args else out

    with contextlib.ExitStack() as stack:
        settings = backend_settings("sqlite", tmp_path / "data", stack)
        with Service(settings) as service:
            service.articles.write_batch(demo_articles()[:40])
        assert "no search index" in run("search-index", "status")
        assert "the search index is off" in cli(settings, "search-index", "sync", code=2).output
        built = run("search-index", "build", "--json")
        assert built["articles"] == 40
        assert Path(built["path"]) == (settings.data_dir / "search-index").resolve()
        status = run("search-index", "status", "--json")
        assert status["usable"] and status["documents"] == 40 and status["pending"] == 0
        assert "in use: 40 articles" in run("search-index", "status")
        assert run("search-index", "sync", "--json") == {"drained": 0}
        assert run("stats", "--json")["search_index_beside"]["documents"] == 40
        assert run("search-index", "drop", "--json")["removed"] == built["path"]
        assert not (settings.data_dir / "search-index").exists()
        assert "no search index" in run("search-index", "status")


def test_a_store_without_the_index_and_the_setting_off_search_as_before(small):
    off = without_index(small)
    req = SearchRequest(query="covid", limit=5)
    assert [h.id for h in off.search(dataclasses.replace(req, sort="date"))] == [
        h.id for h in small.search(dataclasses.replace(req, sort="date"))
    ]
    assert off.search_results(req).ranked_among is None  # 60 articles: under the rank cap
    off.close()
    shutil.rmtree(small.search_index.state().path)
    assert "not found" in small.search_index.status()["why_not"]
    assert small.search(req)  # the store answers


def test_the_admin_page_and_the_api_say_whether_the_index_answers(tmp_path):
    from fastapi.testclient import TestClient
    from support.app import site_on

    def prepare(service: Service) -> None:
        service.articles.write_batch(demo_articles()[:30])

    users = {"quan": ("admin", None), "lan": ("analyst", None)}
    with site_on("sqlite", tmp_path / "data", prepare, users, "một câu mật khẩu dài 2024") as site:
        page = site.client("quan").get("/admin").text
        assert "Chỉ mục tìm kiếm" in page and "chưa có" in page
        site.service.search_index.build(tmp_path / "index")
        page = site.client("quan").get("/admin").text
        assert "đang dùng: 30 bài, 0 thay đổi chờ cập nhật" in page

        def api(username: str) -> TestClient:
            client = TestClient(site.app, base_url="https://testserver")
            token = site.service.users.create_token(username, "tests", by="test")
            client.headers["Authorization"] = f"Bearer {token}"
            return client

        found = api("quan").get("/api/v1/search/index")
        assert found.status_code == 200
        assert found.json()["usable"] and found.json()["documents"] == 30
        assert found.json()["built_at"].endswith("Z")
        assert api("lan").get("/api/v1/search/index").status_code == 403


def test_the_web_servers_drainer_takes_writes_in_without_a_search_waiting(small):
    import time

    small.search_index.start_draining(every=0.05)
    try:
        small.articles.write_batch([fresh("Vải thiều", "Vải thiều vaizora Lục Ngạn.", 50)])
        deadline = time.monotonic() + 10
        while small.search_index.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert small.search_index.pending() == 0  # taken in by the thread, no search asked
        assert len(ids(small, "vaizora")) == 1
    finally:
        small.search_index.stop_draining()
    assert not small.search_index.draining


def test_the_first_tier_is_asked_alone_only_when_its_matches_are_the_querys():
    from caunoi.store.query import parse_query, side_by_side
    from caunoi.store.search_index import implies

    def first_of(query: str):
        return side_by_side(parse_query(query))

    assert implies(first_of("doi ngoai"), parse_query("doi ngoai"))
    assert implies(first_of("đối ngoại"), parse_query("đối ngoại"))  # typed: its words as typed
    assert implies(parse_query('"đối ngoại"', exact=True), parse_query("doi ngoai"))  # a reading
    assert not implies(parse_query('"đối ngoại"', exact=True), parse_query("đối ngoài"))  # not as typed
    assert implies(first_of("doi ngoai"), parse_query("doi ngoai OR kinh te"))  # one of the OR's
    assert not implies(first_of("doi ngoai"), parse_query("doi ngoai kinh te"))
    assert not implies(first_of("kinh te"), parse_query("kinh te*"))
    assert not implies(first_of("doi ngoai"), parse_query("doi ngoai NOT covid"))


def test_a_change_of_an_articles_tags_reaches_the_index_and_a_tone_only_change_does_not(small):
    from caunoi.models import Enrichment

    (article_id,) = small.articles.write_batch(
        [fresh("Cà phê", "Cà phê caphezora Buôn Ma Thuột.", 60)]
    ).ids.values()
    small.search_index.sync()
    tagged = Enrichment(tags={("country", "BR"): 1.0, ("tone", "article"): -2.0})
    small.enrichments.write([(article_id, tagged)], version=1)
    assert small.search_index.pending() == 1
    req = request_from({"query": "caphezora", "country": "BR"})
    assert small.search_index.answers(req) is not None  # drained first, then answered by the index
    assert [h.id for h in small.search(req)] == [article_id]
    retoned = Enrichment(tags={("country", "BR"): 0.5, ("tone", "article"): 3.0})  # the same tags held
    small.enrichments.write([(article_id, retoned)], version=1)
    assert small.search_index.pending() == 0
    small.enrichments.write([(article_id, Enrichment())], version=1)  # its tags gone
    assert small.search(req) == []
