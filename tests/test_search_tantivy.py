"""benchmarks/search_tantivy.py, the probe of Tantivy beside SQLite (issue 20): its index, fed the text
article_fts gets, and its translation of parsed queries find what FTS5 finds. Skipped without the
`bench` extra (tantivy)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("tantivy")

from support.corpus import demo_articles

from caunoi.models import SearchRequest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@dataclass(frozen=True)
class Query:
    query: str
    options: dict = field(default_factory=dict)


# the demo corpus's period (2020-2021) and outlets, which QUERIES' filters mostly miss
MORE = [
    Query("Việt Nam", {"date_from": date(2020, 10, 1), "date_to": date(2020, 12, 31), "sort": "date"}),
    Query("doi ngoai", {"source": "dantri.com.vn"}),
    Query("kinh te*", {"category": "business", "sort": "date"}),
    Query("thủ tướng", {"sort": "date"}),
]


@pytest.fixture(scope="module")
def probe():
    sys.path.insert(0, str(BENCHMARKS))  # the probe imports its fellow benchmarks as scripts do
    try:
        spec = importlib.util.spec_from_file_location(
            "benchmark_search_tantivy", BENCHMARKS / "search_tantivy.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def indexed(probe, tmp_path_factory):
    """A store of the demo articles and a Tantivy index of it, built in two goes: the second resumes
    from the first's watermark, as an index kept beside the store would after a crash."""
    from caunoi.config import Settings
    from caunoi.service import Service

    folder = tmp_path_factory.mktemp("store")
    with Service(Settings(data_dir=folder)) as service:
        stored = service.articles.write_batch(demo_articles()).added
    index_path = tmp_path_factory.mktemp("tantivy") / "index"
    first = probe.build(folder, index_path, 100, 1)
    rest = probe.build(folder, index_path, None, 1)
    return folder, index_path, stored, first, rest


def test_a_build_resumes_from_the_index_watermark(indexed):
    _, _, stored, first, rest = indexed
    assert (first["from_id"], first["articles"]) == (0, 100)
    assert rest["from_id"] == first["to_id"]
    assert first["articles"] + rest["articles"] == stored == 297


def test_every_benchmark_query_matches_the_articles_fts5_matches(probe, indexed):
    folder, index_path, _, _, _ = indexed
    found = 0
    with probe.read_only_service(folder / "caunoi.db") as service:
        search = probe.TantivySearch(probe.open_index(index_path), service)
        for q in [*probe.QUERIES, *MORE]:
            request = SearchRequest(query=q.query, limit=20, **q.options)
            with service.engine.connect() as conn:
                fts5 = set(
                    conn.execute(service.articles._count(service._as_stored(request), ids=True)).scalars()
                )
            assert search.matching(request) == fts5, q.query
            found += len(fts5) > 0
            if q.options.get("sort") == "date":
                assert [h.id for h in search.search(request)] == [h.id for h in service.search(request)]
    assert found >= 15  # most of the queries find something in the demo corpus
