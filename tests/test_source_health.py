"""Source health that tells the truth: a source never polled is "not yet fetched", not alive; one
that only recognises its outlet's articles, or is switched off, is said so; its articles are every
article linked to it, whether a feed, a file or a page brought it — the same figures in the CLI, the
API and the sources page. And a page the address guard refused for being on a private network is
fetched again once its source is allowed private addresses (names answered by a fake DNS, every
connection sent to a local web server: no packet goes to a private address)."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
from pathlib import Path

import httpcore
import pytest
from fastapi.testclient import TestClient
from support.app import log_in
from support.cli import caunoi
from support.dns import fake_dns
from support.localweb import LocalWeb

from caunoi.app import create_app
from caunoi.ingest.sources import make_spec
from caunoi.ingest.watch import policy_from
from caunoi.net.guard import AddressGuard
from caunoi.net.http import Fetcher
from caunoi.service import Service

REPO = Path(__file__).resolve().parent.parent
PAGE = sorted((REPO / "demo" / "data" / "article-extraction-benchmark" / "html").glob("*.html.gz"))[0]
PASSWORD = "ba con mèo trèo cây cau"

# three articles of Dân trí read from a file, one of Người Việt
STORED = [
    ("https://dantri.com.vn/the-gioi/bo-truong-dien-dam.htm", "Bộ trưởng điện đàm với Ngoại trưởng Hoa Kỳ"),
    ("https://dantri.com.vn/xa-hoi/mua-lu-mien-trung.htm", "Mưa lũ lớn ở miền Trung, hàng nghìn hộ sơ tán"),
    ("https://www.dantri.com.vn/kinh-doanh/xuat-khau-gao.htm", "Xuất khẩu gạo tăng mạnh trong quý ba"),
    ("https://www.nguoi-viet.com/viet-nam/tin-moi.htm", "Ngoại trưởng Mỹ điện đàm với Việt Nam"),
]


def write_articles(folder: Path) -> Path:
    path = folder / "articles.jsonl"
    rows = [
        {"url": url, "lang": "vi", "title": title, "published": "2026-12-01T08:00:00",
         "text": f"{title}. Bài viết ghi lại sự kiện, ý kiến của các bên và những bước tiếp theo. "
                 f"Thông tin chi tiết được cập nhật trong ngày {i}."}
        for i, (url, title) in enumerate(STORED)
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def register(service: Service) -> None:
    service.sources.add(
        make_spec({"name": "Dân trí", "home": "https://dantri.com.vn/", "feeds": ["/rss/home.rss"]}), by="lan"
    )
    service.sources.add(
        make_spec({"name": "Người Việt", "home": "https://www.nguoi-viet.com/", "enabled": False}), by="lan"
    )
    service.sources.add(
        make_spec({"name": "Nhân Dân", "home": "https://nhandan.vn/", "feeds": ["/rss"], "enabled": False}),
        by="lan",
    )


def test_never_fetched_recognise_only_and_disabled_are_said_and_every_article_counts(service, tmp_path):
    register(service)
    service.ingest([write_articles(tmp_path)])  # from a file: no page, no feed

    health = {s.name: s for s in service.sources.status()}
    dantri = health["Dân trí"]
    assert dantri.state == "not_fetched" and not dantri.dead  # never polled: not alive, not dead
    assert dantri.articles == 3 and dantri.articles_per_day == pytest.approx(round(3 / 7, 2))
    assert health["Người Việt"].state == "recognise_only" and health["Người Việt"].articles == 1
    assert health["Nhân Dân"].state == "disabled" and health["Nhân Dân"].articles == 0

    shown = json.loads(caunoi(service.settings, "sources", "status", "--json").stdout)
    assert {(s["name"], s["state"], s["articles"], s["articles_per_day"]) for s in shown} == {
        (s.name, s.state, s.articles, s.articles_per_day) for s in health.values()
    }
    table = caunoi(service.settings, "sources", "status").stdout
    assert "not yet fetched" in table and "recognise only" in table


def test_the_api_and_the_sources_page_show_the_same_figures(settings, tmp_path):
    app = create_app(settings)
    service = app.state.service
    try:
        register(service)
        service.ingest([write_articles(tmp_path)])
        service.users.add_user("admin", PASSWORD, "admin", by="test")
        token = service.users.create_token("admin", "tests", by="test")
        api = TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"})
        found = {s["name"]: s for s in api.get("/api/v1/sources").json()}
        assert (found["Dân trí"]["state"], found["Dân trí"]["articles"]) == ("not_fetched", 3)
        assert found["Dân trí"]["articles_per_day"] == pytest.approx(0.43)
        assert found["Người Việt"]["state"] == "recognise_only"

        browser = TestClient(app, base_url="https://testserver")
        assert log_in(browser, "admin", PASSWORD).status_code == 303
        page = browser.get("/sources").text
        row = page[page.index("<td>Dân trí</td>") :].split("</tr>")[0]
        assert "Chưa lấy lần nào" in row and "<td>3</td>" in row and "<td>0.43</td>" in row
        assert "Hoạt động" not in row
        assert "Chỉ nhận diện" in page and "Đã tắt" in page
    finally:
        service.close()


class ToLocalWeb(httpcore.AsyncNetworkBackend):
    """The network layer under the guard: every connection, whatever address the guard let through,
    goes to the local web server (so a "private" 10.x address is a name only)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpcore.AnyIOBackend()
        self.asked: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.asked.append(host)
        return await self.inner.connect_tcp("127.0.0.1", self.port, timeout=timeout)

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise AssertionError("no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def test_a_page_refused_as_private_is_fetched_once_its_source_is_allowed(settings):
    settings = dataclasses.replace(
        settings, fetch_per_host_interval=0.0, fetch_retries=0, fetch_deadline=5.0, obey_robots=False
    )
    dns = {"news.example": ["93.184.216.34"], "intranet.example": ["10.20.30.40"]}
    with LocalWeb() as web, Service(settings) as service:
        port = web.port
        page = f"http://intranet.example:{port}/bao-cao.html"
        web.add("/bao-cao.html", body=gzip.decompress(PAGE.read_bytes()))
        item = f"<item><title>Báo cáo</title><link>{page}</link></item>"
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{item}</channel></rss>'
        web.add("/feed.xml", body=feed.encode(), content_type="application/rss+xml")
        spec = {"name": "Nội bộ", "home": f"http://intranet.example:{port}/",
                "feeds": [f"http://news.example:{port}/feed.xml"]}  # fmt: skip
        service.sources.add(make_spec(spec), by="lan")

        def watch_round() -> dict:
            backend = ToLocalWeb(port)
            fetcher = Fetcher(
                policy_from(settings), guard=AddressGuard(fake_dns(dns)), network_backend=backend
            )

            async def go():
                async with service.watcher(fetcher) as watcher:
                    watcher.after_round = None
                    return await watcher.run_once(force=True)

            result = asyncio.run(go())
            assert "10.20.30.40" not in backend.asked or service.sources.get("Nội bộ").allow_private
            return result

        first = watch_round()
        refused = first["fetched"]["failed"]
        assert [f["url"] for f in refused] == [page] and refused[0]["state"] == "failed"
        assert "must be marked allow_private" in refused[0]["error"]
        assert web.hits["/bao-cao.html"] == 0

        service.sources.add(make_spec({**spec, "allow_private": True}), by="lan")  # allowed now
        second = watch_round()
        assert second["fetched"]["fetched"] == 1 and second["fetched"]["added"] == 1
        assert web.hits["/bao-cao.html"] == 1
        health = {s.name: s for s in service.sources.status()}["Nội bộ"]
        assert health.state == "ok" and health.articles == 1
