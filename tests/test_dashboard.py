"""The dashboard's figures and their cache, on both backends: what the charts show is what the store
holds, the aggregation runs once per change of the store and not once per request, and requests
that arrive while it runs wait for that one result."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from support.corpus import as_file

from caunoi.reports import figures as dashboard

DEMO = Path(__file__).resolve().parent.parent / "demo" / "data" / "vi-news-unc" / "docs"


def _count_overviews(monkeypatch, delay: float = 0.0) -> list[int]:
    calls: list[int] = []
    real = dashboard.overview

    def counted(engine, days=30, now=None, top=15, scope=dashboard.EVERYTHING):
        calls.append(days)
        time.sleep(delay)
        return real(engine, days, now, top, scope)

    monkeypatch.setattr(dashboard, "overview", counted)
    return calls


def test_the_figures_are_what_the_store_holds(service):
    service.ingest(sorted(DEMO.glob("*.txt"))[:30])
    data = service.dashboard(30)
    assert data["articles"] == sum(day["articles"] for day in data["per_day"]) > 0
    assert sum(n for _, n in data["outlets"]) == data["articles"]
    assert dict(data["languages"]) == {"vi": data["articles"]}
    assert data["computed_at"] is not None
    # every entity shown has a name to show
    assert all(entity in data["entity_names"] for entity, _ in data["entities"])


def test_the_dashboard_is_computed_once_per_change_of_the_store(service, tmp_path, monkeypatch):
    calls = _count_overviews(monkeypatch)
    service.ingest(sorted(DEMO.glob("*.txt"))[:10])
    first = service.dashboard(30)
    assert service.dashboard(30) is first and calls == [30]
    service.dashboard(7)  # another window is another figure
    assert calls == [30, 7]

    # a new article changes the store: the next request sees it
    as_file(tmp_path, "moi", "Tin mới", "Một bài báo mới về đối ngoại.", "20210430")
    service.ingest([tmp_path])
    second = service.dashboard(30)
    assert calls == [30, 7, 30]
    assert second["articles"] == first["articles"] + 1

    # re-enriching changes the figures too (tags, tone): that is a change of the store
    service.enrich(everything=True)
    service.dashboard(30)
    assert calls == [30, 7, 30, 30]

    # and an entry never outlives max_age, whatever the fingerprint says
    service._dashboard.max_age = 0.0
    service.dashboard(30)
    assert calls == [30, 7, 30, 30, 30]


def test_requests_arriving_during_the_computation_wait_for_it(service, monkeypatch):
    service.ingest(sorted(DEMO.glob("*.txt"))[:10])
    calls = _count_overviews(monkeypatch, delay=0.5)
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(service.dashboard(30))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [30]
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_a_failed_computation_is_not_cached_and_the_next_request_retries(service, monkeypatch):
    service.ingest(sorted(DEMO.glob("*.txt"))[:5])
    real = dashboard.overview
    monkeypatch.setattr(dashboard, "overview", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        service.dashboard(30)
    monkeypatch.setattr(dashboard, "overview", real)
    assert service.dashboard(30)["articles"] > 0


def test_no_free_database_connection_is_a_503_with_retry_after(settings, monkeypatch):
    """When every pooled connection stays busy past pool_timeout, the answer says so and when to
    come back instead of an internal error (the web pages share the handler, as plain text)."""
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from caunoi.app import create_app

    app = create_app(settings)
    service = app.state.service
    try:
        service.users.add_user("lan", "một câu mật khẩu dài 2024", "analyst", by="test")
        token = service.users.create_token("lan", "test", by="test")

        def busy(*_args, **_kwargs):
            raise PoolTimeout("QueuePool limit of size 10 overflow 30 reached")

        monkeypatch.setattr(service, "search_results", busy)  # what /api/v1/search calls
        api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        answer = api.get("/api/v1/search", params={"q": "đối ngoại"})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
        assert answer.json()["error"]["code"] == "busy"
    finally:
        service.close()


def test_an_outlets_name_is_drawn_as_text_not_as_markup(service, tmp_path):
    """Plotly renders a label's <a href>, <b> or <span style> as markup: an outlet named with them
    (the name comes from the fetched page) would become a link or styled text in the chart."""
    from caunoi.app.ui.dashboard import dashboard_charts

    outlet = '<a href="https://evil.example">Báo</a> <b style="color:red">& đỏ</b>'
    article = {"url": "https://evil.example/1", "title": "Tin đối ngoại", "text": "Việt Nam " * 30}
    (tmp_path / "a.jsonl").write_text(json.dumps(article | {"source": outlet, "date": "2021-04-30"}))
    service.ingest([tmp_path])
    charts = {c["id"]: c for c in dashboard_charts(service.dashboard(30), "vi")}
    assert charts["chart-outlets"]["data"][0]["y"] == [
        '&lt;a href="https://evil.example"&gt;Báo&lt;/a&gt; &lt;b style="color:red"&gt;&amp; đỏ&lt;/b&gt;'
    ]
    for chart in charts.values():
        for trace in chart["data"]:
            shown = [trace.get(k) for k in ("x", "y", "labels", "text")]
            assert not any("<" in v for values in shown if values for v in values if isinstance(v, str))
