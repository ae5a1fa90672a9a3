"""The Ray executor (`CAUNOI_EXECUTOR=ray`, the `[ray]` extra): on a local Ray of 2 CPUs, enrichment of
the demo articles gives row for row what it gives in this process, batches come back in order with
their own errors, models load once in each of a fixed set of workers; without ray, a clear refusal."""

from __future__ import annotations

import dataclasses
import sys

import pytest
from conftest import copy_of
from sqlalchemy import select
from support.cli import caunoi

from caunoi.config import Settings
from caunoi.errors import Unavailable
from caunoi.executors import each, make_executor
from caunoi.service import Service
from caunoi.store.schema import article_tags, enrichments


def test_asking_for_ray_without_it_installed_is_refused_with_its_code(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets when it is not installed
    with pytest.raises(Unavailable) as refused:
        make_executor(dataclasses.replace(Settings(), executor="ray"))
    assert refused.value.code == "executor_ray_missing"
    assert "caunoi[ray]" in str(refused.value)
    # the other executors do not need it
    pool = make_executor(dataclasses.replace(Settings(), executor="process-pool"))
    assert type(pool).__name__ == "ProcessPool" and type(make_executor(Settings())).__name__ == "InProcess"
    # on the command line: one line saying what to install, exit code 2, no traceback
    asked = {"CAUNOI_EXECUTOR": "ray"}
    refused = caunoi(Settings(data_dir=tmp_path), "enrich", "--all", env=asked, check=False)
    assert refused.returncode == 2
    assert "pip install 'caunoi[ray]'" in refused.stderr and "Traceback" not in refused.stderr


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="ray is not installed (the `caunoi[ray]` extra)")
    ray.init(num_cpus=2, object_store_memory=200 * 1024 * 1024, include_dashboard=False, log_to_driver=False)
    # this module's batch functions go to the workers by value: tests/ is not on their path
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray
    ray.shutdown()


def refuse_seven(batch: list[int]) -> list[int]:
    if 7 in batch:
        raise ValueError("seven is not allowed")
    return batch


def test_ray_gives_batches_back_in_order_with_their_own_errors(local_ray):
    with make_executor(dataclasses.replace(Settings(), executor="ray")) as executor:
        assert executor.in_flight == 4 and executor.shares == 8  # two actors, one per CPU
        numbers = list(range(-11, 12))
        assert executor.map_shares(each(abs), numbers) == [abs(n) for n in numbers]
        got = []
        with pytest.raises(ValueError, match="seven is not allowed"):  # the batch's own error, not Ray's
            for result in executor.map(refuse_seven, [[1, 2], [3, 4], [5, 6], [7, 8], [9]]):
                got.append(result)
        assert got == [[1, 2], [3, 4], [5, 6]]
        assert list(executor.map(refuse_seven, [[1]])) == [[1]]
        assert len(set(executor.worker_pids())) == 2
    assert local_ray.is_initialized()  # a Ray the executor did not start is left running


def stored_enrichment(settings: Settings) -> tuple[dict, list]:
    with Service(settings) as service, service.engine.connect() as conn:
        data = {r.article_id: (r.version, r.data) for r in conn.execute(select(enrichments))}
        tags = sorted(
            (r.article_id, r.kind, r.value, round(r.score, 6)) for r in conn.execute(select(article_tags))
        )
    return data, tags


def test_enrich_all_on_ray_stores_what_in_process_enrichment_stored(local_ray, demo_store, tmp_path):
    """The demo store was enriched in this process when it was ingested; `enrich --all` again on two
    Ray actors rewrites every article's enrichment and tags, and they come out the same, row for row."""
    settings = dataclasses.replace(copy_of(demo_store, tmp_path / "store"), executor="ray", batch_size=50)
    before_data, before_tags = stored_enrichment(settings)
    assert len(before_data) >= 290 and len(before_tags) > 2000
    with Service(settings) as service:
        with service.engine.begin() as conn:  # nothing left from the in-process run to be mistaken for it
            conn.execute(article_tags.delete())
            conn.execute(enrichments.delete())
        assert service.enrich(everything=True) == len(before_data)
    after_data, after_tags = stored_enrichment(settings)
    assert after_data == before_data
    assert after_tags == before_tags


def stored_articles(settings: Settings) -> list[tuple]:
    from caunoi.store.schema import articles

    with Service(settings) as service, service.engine.connect() as conn:
        return [(r.title, r.text, r.lang) for r in conn.execute(select(articles).order_by(articles.c.id))]


def test_ingest_on_ray_stores_what_an_ingest_in_process_stores(local_ray, tmp_path):
    """Ingest's stages and its enrichment run on the actors too: nine real articles of April 2021
    come out with the same text and the same tags as from an ingest in this process."""
    from conftest import DEMO
    from support.corpus import FOOTBALL, HOANG_SA, INDIA

    files = [DEMO / "vi-news-unc" / "window" / f"{name}.txt" for name in (*HOANG_SA, *INDIA, *FOOTBALL)]
    here = Settings(data_dir=tmp_path / "here")
    there = Settings(data_dir=tmp_path / "ray", executor="ray")
    for settings in (here, there):
        with Service(settings) as service:
            assert service.ingest(files).added == len(files)
    assert stored_articles(there) == stored_articles(here)
    assert stored_enrichment(there) == stored_enrichment(here)
