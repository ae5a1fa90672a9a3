"""The watcher end to end, on both backends: sources with feeds and sitemaps on a local server,
real article pages, every bad case in one round, health, conditional GET, replay, clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import json
import os
import platform
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import backend_settings
from sqlalchemy import func, select
from support.cli import caunoi
from support.localweb import LocalWeb

from caunoi.ingest.sources import SourceError, make_spec, read_sources
from caunoi.ingest.watch import release_free_memory
from caunoi.models import SearchRequest
from caunoi.service import Service
from caunoi.store.schema import articles, pages, raw_pages, story_articles
from caunoi.store.sources import DEAD_FAILURES
from caunoi.text.encoding import encode_legacy

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted((REPO / "demo" / "data" / "article-extraction-benchmark" / "html").glob("*.html.gz"))[:12]

VI_PAGE = """<html><head><meta charset="windows-1258"><title>Hội nghị Ngoại vụ toàn quốc</title></head>
<body><article><h1>Hội nghị Ngoại vụ toàn quốc lần thứ 21</h1>
<p>Sáng 24/11, tại Hà Nội, Bộ Ngoại giao tổ chức Hội nghị Ngoại vụ toàn quốc lần thứ 21 với sự tham dự
của đại diện các bộ, ngành và địa phương trên cả nước.</p>
<p>Phát biểu tại hội nghị, Thứ trưởng nhấn mạnh công tác đối ngoại địa phương cần bám sát chủ trương của
Đảng, chính sách của Nhà nước, góp phần thu hút nguồn lực cho phát triển kinh tế - xã hội.</p>
<p>Các đại biểu đã thảo luận về công tác thông tin đối ngoại, bảo hộ công dân và xúc tiến thương mại.</p>
</article></body></html>"""


def _fast(settings):
    return dataclasses.replace(
        settings, fetch_per_host_interval=0.0, fetch_retries=1, fetch_deadline=2.0, fetch_timeout=2.0
    )


def rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{u}</link></item>" for t, u in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


@pytest.fixture
def web():
    with LocalWeb() as server:
        yield server


@pytest.fixture
def fast_service(settings):
    with Service(_fast(settings)) as svc:
        yield svc


def run(service: Service, after_round: bool = True, **kwargs):
    """One watch round; `after_round=False`: without what follows it (enrichment, stories, alerts)."""

    async def go():
        async with service.watcher() as watcher:
            if not after_round:
                watcher.after_round = None
            return await watcher.run_once(**kwargs)

    return asyncio.run(go())


def add_source(service: Service, web: LocalWeb, name="Local", feeds=("/feed.xml",), sitemaps=(), **extra):
    spec = make_spec(
        {
            "name": name,
            "home": web.url("/"),
            "feeds": [web.url(f) for f in feeds],
            "sitemaps": [web.url(s) for s in sitemaps],
            "allow_private": True,
            "poll_minutes": 10,
            **extra,
        }
    )
    return service.sources.add(spec)[0]


def count(service: Service, table) -> int:
    with service.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_new_articles_arrive_in_search(fast_service, web):
    service = fast_service
    items = []
    for i, path in enumerate(PAGES[:5]):
        web.add(f"/news/{i}.html", body=gzip.decompress(path.read_bytes()))
        items.append((f"Story {i}", web.url(f"/news/{i}.html") + "?utm_source=rss"))
    web.add("/vi.html", body=encode_legacy(VI_PAGE, "cp1258"), content_type="text/html; charset=windows-1258")
    items.append(("Hội nghị", web.url("/vi.html")))
    # UTF-8 bytes that the server says are Latin-1: the wrong declaration loses to the bytes
    wrong = VI_PAGE.replace("lần thứ 21", "lần thứ 22").replace('<meta charset="windows-1258">', "")
    web.add("/vi-wrong.html", body=wrong.encode(), content_type="text/html; charset=iso-8859-1")
    items.append(("Hội nghị 22", web.url("/vi-wrong.html")))
    web.add("/feed.xml", body=rss(items), content_type="application/rss+xml", etag='"feed-1"')
    source_id = add_source(service, web)

    result = run(service)
    assert result["polled"][0]["new"] == 7
    fetched = result["fetched"]
    assert fetched["fetched"] == 7 and fetched["added"] == 7 and fetched["failed"] == []
    assert result["enriched"] == 7  # the round ends with the enrichment of what it stored
    assert count(service, raw_pages) == 7  # the bytes of every page, for replay

    hits = service.search(SearchRequest(query='"hoi nghi ngoai vu"'))
    assert sorted(h.title for h in hits) == [
        "Hội nghị Ngoại vụ toàn quốc lần thứ 21",
        "Hội nghị Ngoại vụ toàn quốc lần thứ 22",
    ]
    for hit in hits:
        assert hit.source == "Local"
        article = service.article(hit.id)
        assert article.text.startswith("Sáng 24/11, tại Hà Nội, Bộ Ngoại giao")  # decoded right both times

    # the second round: the feed answers 304, nothing is fetched again
    again = run(service, force=True)
    assert again["polled"][0]["not_modified"] == 1 and again["fetched"]["fetched"] == 0
    assert web.hits["/news/0.html"] == 1 and web.hits["/feed.xml"] == 2
    assert web.log[-1][1].get("If-None-Match") == '"feed-1"'

    status = {s.name: s for s in service.sources.status()}["Local"]
    assert status.articles_per_day == pytest.approx(1.0)  # 7 in the last 7 days
    assert status.last_error is None and not status.dead and status.pending == 0
    # not due again before its interval
    assert service.crawl.due_sources(datetime.now(), [source_id]) == []


def test_every_bad_case_is_recorded_and_the_rest_is_stored(fast_service, web):
    service = fast_service
    good = gzip.decompress(PAGES[0].read_bytes())
    web.add("/ok.html", body=good)
    web.add("/gone.html", status=404)
    web.add("/broken.html", status=500)
    web.add("/busy.html", status=429, headers={"Retry-After": "7200"})
    web.add("/drip.html", body=good[:400], drip=0.02)
    web.add("/huge.html", stream_bytes=60 * 1024 * 1024)
    web.add("/file.pdf", body=b"%PDF-1.4", content_type="application/pdf")
    web.add("/loop.html", status=302, headers={"Location": "/loop2.html"})
    web.add("/loop2.html", status=302, headers={"Location": "/loop.html"})
    web.add("/to-loopback.html", status=302, headers={"Location": f"http://2130706433:{web.port}/ok.html"})
    web.add("/to-metadata.html", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    web.add("/empty.html", body=b"<html><head><title>Empty</title></head><body></body></html>")
    web.add(
        "/menu.html",
        body=b"<html><body><nav>Trang ch\xe1\xbb\xa7 | Th\xe1\xbb\x9di s\xe1\xbb\xb1</nav></body></html>",
    )
    paths = [
        "/ok.html",
        "/gone.html",
        "/broken.html",
        "/busy.html",
        "/drip.html",
        "/huge.html",
        "/file.pdf",
        "/loop.html",
        "/to-loopback.html",
        "/to-metadata.html",
        "/empty.html",
        "/menu.html",
    ]
    web.add("/feed.xml", body=rss([(p, web.url(p)) for p in paths]), content_type="application/rss+xml")
    add_source(service, web)

    result = run(service)["fetched"]
    errors = {item["url"].rsplit("/", 1)[1]: item for item in result["failed"]}
    assert result["added"] == 1, json.dumps(result, indent=1)
    assert errors["gone.html"]["error"] == "HTTP 404 Not Found" and errors["gone.html"]["state"] == "failed"
    assert "HTTP 500" in errors["broken.html"]["error"] and errors["broken.html"]["state"] == "pending"
    assert "7200 s" in errors["busy.html"]["error"] and errors["busy.html"]["state"] == "pending"
    assert "no complete answer" in errors["drip.html"]["error"]
    assert "body too large" in errors["huge.html"]["error"]
    assert "not an HTML page" in errors["file.pdf"]["error"]
    assert "redirect loop" in errors["loop.html"]["error"]
    assert "loopback" in errors["to-loopback.html"]["error"]
    assert "cloud-metadata" in errors["to-metadata.html"]["error"]
    assert sorted(s["reason"] for s in result["skipped"]) == [
        "no article text found in the HTML page",
        "too little text for an article (4 words in the HTML page)",
    ]
    # transient failures wait for their retry time; the watcher does not spin on them
    later = run(service)["fetched"]
    assert later["fetched"] == 0 and later["failed"] == []
    with service.engine.connect() as conn:
        busy = conn.execute(select(pages).where(pages.c.url == web.url("/busy.html"))).mappings().one()
    assert busy["next_attempt_at"] > datetime.now() + timedelta(minutes=100)  # Retry-After honoured


# Location headers that made the fetcher raise (issue 14): one of them stopped every round
HOSTILE = [
    "http:\\\\host\\x",
    "mailto:a@b.vn",
    "javascript:alert(1)",
    "data:,x",
    "http://xn--a.vn/",
    "http://a..b/",
]


def test_hostile_redirects_fail_their_pages_and_the_round_goes_on(fast_service, web):
    """A robots.txt, article pages and a sitemap redirecting to hostile Locations, and a feed entry
    no URL parser takes: the good articles are stored, every hostile page has its error."""
    service = fast_service
    web.add("/robots.txt", status=302, headers={"Location": "javascript:alert(1)"})
    items = []
    for i, path in enumerate(PAGES[:3]):
        web.add(f"/good{i}.html", body=gzip.decompress(path.read_bytes()))
        items.append((f"Good {i}", web.url(f"/good{i}.html")))
    for i, location in enumerate(HOSTILE):
        web.add(f"/bad{i}.html", status=302, headers={"Location": location})
        items.append((f"Bad {i}", web.url(f"/bad{i}.html")))
    items.append(("Unclosed IPv6", "http://[::1"))
    web.add("/feed.xml", body=rss(items), content_type="application/rss+xml")
    web.add("/sitemap.xml", status=301, headers={"Location": "http://xn--/"})
    add_source(service, web, sitemaps=("/sitemap.xml",))

    result = run(service)
    assert "error" not in result
    fetched = result["fetched"]
    assert fetched["added"] == 3, json.dumps(fetched, indent=1)
    failed = {item["url"]: item for item in fetched["failed"]}
    assert sorted(failed) == sorted(web.url(f"/bad{i}.html") for i in range(len(HOSTILE)))
    for item in failed.values():
        assert item["state"] == "failed" and item["error"].startswith(("bad redirect", "HTTP 404"))
    listings = {lst.url: lst for lst in service.sources.get("Local").listings}
    assert listings[web.url("/sitemap.xml")].last_error.startswith("bad redirect")
    assert listings[web.url("/feed.xml")].last_error is None


def test_caunoi_fetch_and_watch_of_a_hostile_redirect_say_why(settings, web):
    env = {"CAUNOI_FETCH_PER_HOST_INTERVAL": "0", "CAUNOI_FETCH_RETRIES": "0"}
    web.add("/jump.html", status=302, headers={"Location": "http:\\\\host\\x"})
    web.add("/mail.html", status=302, headers={"Location": "mailto:toasoan@example.vn"})
    proc = caunoi(settings, "fetch", web.url("/mail.html"), "--allow-private", check=False, env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "bad redirect: not an http(s) URL: 'mailto:toasoan@example.vn'" in proc.stderr
    web.add("/ok.html", body=gzip.decompress(PAGES[4].read_bytes()))
    items = [("Jump", web.url("/jump.html")), ("Mail", web.url("/mail.html")), ("Ok", web.url("/ok.html"))]
    web.add("/feed.xml", body=rss(items), content_type="application/rss+xml")
    web.add("/robots.txt", status=302, headers={"Location": "data:,Disallow"})
    caunoi(settings, "sources", "add", "Local", "--home", web.url("/"), "--feed", web.url("/feed.xml"),
           "--allow-private")  # fmt: skip
    proc = caunoi(settings, "watch", "--once", "--now", check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "1 new articles" in proc.stdout and "1 failed" in proc.stdout  # the mail one failed before


def test_a_fetcher_bug_fails_its_page_not_the_round(fast_service, web):
    """Should the fetcher ever raise (it answers every problem with an error), the exception is that
    page's error, to be tried again, and the rest of the batch is stored."""
    from caunoi.ingest.watch import policy_from
    from caunoi.net.http import Fetcher

    class Buggy(Fetcher):
        async def get(self, url, **kwargs):
            if url.endswith("/bug.html"):
                raise UnicodeError("label empty or too long")
            return await super().get(url, **kwargs)

    service = fast_service
    web.add("/ok.html", body=gzip.decompress(PAGES[5].read_bytes()))
    web.add("/feed.xml", body=rss([("Ok", web.url("/ok.html")), ("Bug", web.url("/bug.html"))]))
    add_source(service, web)

    async def go():
        async with service.watcher(Buggy(policy_from(service.settings))) as watcher:
            return await watcher.run_once()

    fetched = asyncio.run(go())["fetched"]
    assert fetched["added"] == 1
    assert fetched["failed"] == [
        {
            "url": web.url("/bug.html"),
            "error": "internal error: UnicodeError: label empty or too long",
            "state": "pending",
        }
    ]


def test_broken_listings_mark_the_source_and_dead_feeds_are_flagged(fast_service, web):
    service = fast_service
    web.add("/feed.xml", body=b"<html><body>Trang chu</body></html>")  # HTML where a feed was expected
    web.add("/bad.xml", body=b"<rss><channel><item><title>x</ti", content_type="application/rss+xml")
    web.add("/ok.xml", body=rss([]), content_type="application/rss+xml")
    add_source(service, web, name="Half", feeds=("/bad.xml", "/ok.xml"))
    add_source(service, web, name="Broken", feeds=("/feed.xml",))
    polled = {p["source"]: p for p in run(service)["polled"]}
    assert polled["Broken"]["errors"] == [f"{web.url('/feed.xml')}: not a feed: the server sent an HTML page"]
    assert "malformed feed" in polled["Half"]["errors"][0]
    status = {s.name: s for s in service.sources.status()}
    assert status["Half"].last_error is None  # one good listing is a good poll
    assert "not a feed" in status["Broken"].last_error and status["Broken"].failures == 1
    broken = service.sources.get("Broken")
    assert broken.next_poll_at > datetime.now() + timedelta(minutes=15)  # backed off beyond 10 min
    for _ in range(DEAD_FAILURES - 1):
        run(service, force=True)
    status = {s.name: s for s in service.sources.status()}
    assert status["Broken"].dead and not status["Half"].dead
    assert status["Half"].dead_listings == [web.url("/bad.xml")]


def test_sitemap_index_with_a_gzipped_news_sitemap(fast_service, web):
    service = fast_service
    body = gzip.decompress(PAGES[1].read_bytes())
    web.add("/a/1.html", body=body)
    web.add("/a/old.html", body=gzip.decompress(PAGES[2].read_bytes()))
    now = datetime.now()
    news = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>{web.url("/a/1.html")}</loc><news:news><news:publication_date>{now:%Y-%m-%dT%H:%M:%S}+07:00
      </news:publication_date><news:title>One</news:title></news:news></url>
      <url><loc>{web.url("/a/old.html")}</loc><lastmod>2019-01-01</lastmod></url></urlset>"""
    web.add("/sitemaps/news.xml.gz", body=gzip.compress(news.encode()), content_type="application/x-gzip")
    index = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{web.url("/sitemaps/news.xml.gz")}</loc></sitemap>
      <sitemap><loc>{web.url("/sitemaps/2019.xml")}</loc><lastmod>2019-01-31</lastmod></sitemap></sitemapindex>"""
    web.add("/sitemap.xml", body=index.encode(), content_type="application/xml")
    add_source(service, web, feeds=(), sitemaps=("/sitemap.xml",))
    result = run(service)
    assert result["polled"][0]["new"] == 1  # the 2019 entry and the 2019 child sitemap are outside the window
    assert result["fetched"]["added"] == 1
    assert web.hits["/sitemaps/2019.xml"] == 0 and web.hits["/a/old.html"] == 0


def test_reprocess_replays_kept_bytes_without_fetching(fast_service, web):
    service = fast_service
    for i, path in enumerate(PAGES[:3]):
        web.add(f"/r/{i}.html", body=gzip.decompress(path.read_bytes()))
    web.add("/feed.xml", body=rss([(f"r{i}", web.url(f"/r/{i}.html")) for i in range(3)]))
    add_source(service, web)
    run(service)
    hits_before = sum(web.hits.values())
    with service.engine.begin() as conn:  # as if an older extractor had stored worse text
        conn.execute(articles.update().values(title="stale title"))
    counts = service.reprocess()
    assert counts == {"pages": 3, "updated": 3, "merged": 0, "new": 0, "skipped": 0, "missing_raw": 0}
    assert sum(web.hits.values()) == hits_before
    titles = {a.title for a in (service.article(i) for i in range(1, 4)) if a}
    assert "stale title" not in titles
    assert count(service, articles) == 3
    # the index follows: searching a word of the real title finds it, and only once per article
    title = service.article(1).title
    word = max(title.split(), key=len)
    assert [h.id for h in service.search(SearchRequest(query=word))].count(1) == 1


class Killed(BaseException):
    """What a SIGKILL would do to a reprocess, as far as the store sees: it stops between two batches."""


def test_a_killed_reprocess_goes_on_after_the_last_batch_it_stored(settings, web):
    """Pages are read a batch at a time (here one page a batch); a run stopped after its first batch
    replays only the other two when run again, and a finished run leaves nothing to go on from."""
    with Service(dataclasses.replace(_fast(settings), batch_size=1)) as service:
        for i, path in enumerate(PAGES[:3]):
            web.add(f"/r/{i}.html", body=gzip.decompress(path.read_bytes()))
        web.add("/feed.xml", body=rss([(f"r{i}", web.url(f"/r/{i}.html")) for i in range(3)]))
        add_source(service, web)
        run(service)
        replayed = []

        def killed_on_the_second_page() -> None:
            replayed.append(1)
            if len(replayed) == 2:
                raise Killed

        with pytest.raises(Killed):
            service.reprocess(on_page=killed_on_the_second_page)
        counts = service.reprocess()
        assert counts == {"pages": 2, "updated": 2, "merged": 0, "new": 0, "skipped": 0, "missing_raw": 0}
        assert service.reprocess()["pages"] == 3  # the last run finished: the next one starts afresh
        assert count(service, articles) == 3


def test_fetch_one_url(fast_service, web):
    service = fast_service
    web.add("/one.html", body=gzip.decompress(PAGES[3].read_bytes()))
    result = asyncio.run(service.fetch_url(web.url("/one.html"), allow_private=True))
    assert result["state"] == "done" and result["article_id"]
    again = asyncio.run(service.fetch_url(web.url("/one.html") + "#x", allow_private=True))
    assert again["state"] == "already done" and web.hits["/one.html"] == 1
    refused = asyncio.run(service.fetch_url(web.url("/two.html")))
    assert refused["state"] == "failed" and "loopback" in refused["error"]


# -- the registry -------------------------------------------------------------------------------


def test_sources_from_yaml_and_csv(tmp_path, service):
    yml = tmp_path / "s.yaml"
    yml.write_text(
        "sources:\n"
        "  - name: VnExpress\n    home: https://vnexpress.net/\n"
        "    feeds: [https://vnexpress.net/rss/tin-moi-nhat.rss]\n"
        "    country: vn\n    languages: [vi]\n    media_type: online\n    origin: domestic\n"
        "    poll_minutes: 15\n"
        "  - name: BBC Tiếng Việt\n    home: https://www.bbc.com/vietnamese\n"
        "    feeds: [/vietnamese/index.xml]\n"
        "    origin: international\n    enabled: false\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "s.csv"
    csv_file.write_text(
        "name,home,feeds,sitemaps,country,languages,media_type,origin,poll_minutes,enabled\n"
        "Nhân Dân,https://nhandan.vn/,https://nhandan.vn/rss/home.rss,,VN,vi en,newspaper,domestic,30,true\n",
        encoding="utf-8",
    )
    assert service.sources.import_file(yml) == (2, 0, 0)  # added, updated, articles linked
    assert service.sources.import_file(csv_file) == (1, 0, 0)
    assert service.sources.import_file(yml) == (0, 2, 0)  # idempotent: updated in place
    bbc = service.sources.get("bbc tiếng việt")
    assert bbc.feeds == ["https://www.bbc.com/vietnamese/index.xml"] and not bbc.enabled
    vne = service.sources.get("VnExpress")
    assert vne.country == "VN" and vne.listings[0].kind == "feed"
    assert service.sources.get("Nhân Dân").languages == ["vi", "en"]
    assert [s["name"] for s in service.crawl.due_sources(datetime.now())] == ["VnExpress", "Nhân Dân"]


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"home": "https://a.vn/"}, "'name' is required"),
        ({"name": "A", "home": "https://a.vn/"}, "give at least one feed or sitemap"),
        ({"name": "A", "home": "ftp://a.vn/", "feeds": ["x"]}, "not an http(s) URL"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["/r"], "origin": "local"}, "origin must be one of"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["/r"], "country": "VNM"}, "two-letter"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["/r"], "poll_minutes": 0}, "poll_minutes"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["/r"], "colour": "red"}, "unknown field(s) colour"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["/r"], "enabled": "maybe"}, "true or false"),
        ({"name": "A", "home": "http://10.0.0.5/", "feeds": ["/r"]}, "is a private address; for a site on"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["http://127.1:8080/r"]}, "a loopback address"),
        ({"name": "A", "home": "https://a.vn/", "sitemaps": ["http://localhost/s.xml"]}, "allow_private"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["http://[::ffff:192.168.1.2]/r"]}, "private"),
        ({"name": "A", "home": "https://a.vn/", "feeds": ["http://169.254.169.254/r"]}, "never fetched"),
        (
            {
                "name": "A",
                "home": "https://a.vn/",
                "feeds": ["http://168.63.129.16/r"],
                "allow_private": True,
            },
            "a cloud-metadata address, which is never fetched",
        ),
        (
            {
                "name": "A",
                "home": "https://a.vn/",
                "feeds": ["http://[64:ff9b::a9fe:a9fe]/"],
                "allow_private": 1,
            },
            "never fetched",
        ),
    ],
)
def test_bad_source_entries_are_refused_with_the_reason(entry, message):
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_spec(entry)


def test_a_private_source_is_refused_unless_marked_allow_private(settings):
    """`sources add` of an intranet address says at once what the watcher would refuse at every poll."""
    from caunoi.i18n import refusal

    with pytest.raises(SourceError) as refused:
        make_spec({"name": "Nội bộ", "home": "http://192.168.1.20/", "feeds": ["/rss"]})
    assert refused.value.code == "source_private_url"
    assert "hãy đánh dấu nguồn «allow_private»" in refusal(refused.value, "vi")
    spec = make_spec(
        {"name": "Nội bộ", "home": "http://192.168.1.20/", "feeds": ["/rss"], "allow_private": True}
    )
    assert spec.allow_private and spec.feeds == ["http://192.168.1.20/rss"]
    proc = caunoi(
        settings, "sources", "add", "Nội bộ", "--home", "http://10.1.2.3/", "--feed", "/rss", check=False
    )
    assert proc.returncode == 2 and "mark the source allow_private (--allow-private)" in proc.stderr
    caunoi(
        settings,
        "sources",
        "add",
        "Nội bộ",
        "--home",
        "http://10.1.2.3/",
        "--feed",
        "/rss",
        "--allow-private",
    )


def test_one_bad_entry_refuses_the_whole_file(tmp_path, service):
    path = tmp_path / "s.yaml"
    path.write_text(
        "- {name: A, home: 'https://a.vn/', feeds: [/rss]}\n- {name: B, home: 'https://b.vn/'}\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"s\.yaml entry 2: source 'B': give at least one feed"):
        service.sources.import_file(path)
    assert service.sources.list() == []
    path.write_text("sources: [unclosed", encoding="utf-8")
    with pytest.raises(SourceError, match="not valid YAML"):
        read_sources(path)


def test_the_shipped_sample_list_is_valid():
    from caunoi.ingest.sources import SAMPLE

    if not SAMPLE.exists():
        pytest.fail(f"{SAMPLE} is missing")
    specs = read_sources(SAMPLE)
    assert len(specs) >= 30
    origins = {s.origin for s in specs}
    assert {"domestic", "international"} <= origins
    assert "SAMPLE" in SAMPLE.read_text(encoding="utf-8")[:2000].upper()


# -- stopping cleanly ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sigterm_stops_the_watcher_cleanly_and_a_restart_resumes(tmp_path, web, backend):
    """SIGTERM mid-batch: pages in flight stay queued, nothing is half-stored, a restart finishes."""
    total = 12
    for i, path in enumerate(PAGES[:total]):
        body = gzip.decompress(path.read_bytes())
        web.add(f"/s/{i}.html", body=body, delay=2.0 if i >= 4 else 0.0)  # most pages take a while
    web.add("/feed.xml", body=rss([(f"s{i}", web.url(f"/s/{i}.html")) for i in range(total)]))
    env = {
        **os.environ,
        "CAUNOI_DATA": str(tmp_path / "store"),
        "CAUNOI_FETCH_PER_HOST_INTERVAL": "0",
        "CAUNOI_FETCH_CONCURRENCY": "4",
        "CAUNOI_FETCH_DEADLINE": "60",
    }
    cli = [sys.executable, "-m", "caunoi"]
    caunoi(_settings_for(tmp_path), "sources", "add", "Local", "--home", web.url("/"),
           "--feed", web.url("/feed.xml"), "--allow-private")  # fmt: skip
    proc = subprocess.Popen(
        [*cli, "watch", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.startswith("/s/") for p in web.hits):
        time.sleep(0.05)
    time.sleep(0.5)  # the quick pages done, slow ones in flight
    proc.send_signal(signal.SIGTERM)
    _, errout = proc.communicate(timeout=60)
    assert proc.returncode == 0, errout.decode()

    with Service(_settings_for(tmp_path)) as service:
        first = count(service, articles)
        pending = service.crawl.pending_count()
        assert first + pending == total  # every page is either stored or still queued: nothing lost
        assert pending > 0, "the signal came after everything was done; the test proves nothing"
    for i in range(total):
        web.routes[f"/s/{i}.html"].delay = 0.0
    subprocess.run([*cli, "watch", "--once"], env=env, check=True, capture_output=True, timeout=120)
    with Service(_settings_for(tmp_path)) as service:
        assert count(service, articles) == total
        assert service.crawl.pending_count() == 0
        with service.engine.connect() as conn:
            urls = conn.execute(select(pages.c.url, pages.c.state)).all()
        assert len(urls) == total and {s for _, s in urls} == {"done"}
    fetched_twice = [p for p, n in web.hits.items() if p.startswith("/s/") and n > 1]
    assert len(fetched_twice) <= pending  # only what was in flight is fetched again


def _settings_for(tmp_path):
    from caunoi.config import Settings

    return Settings(data_dir=tmp_path / "store")


def test_a_failing_round_does_not_end_the_watch(fast_service):
    rounds: list[dict] = []

    async def go():
        async with fast_service.watcher() as watcher:
            real = watcher.run_once
            calls = 0

            async def flaky(*args, **kwargs):
                nonlocal calls
                calls += 1
                if calls == 1:
                    raise RuntimeError("disk full")
                return await real(*args, **kwargs)

            watcher.run_once = flaky

            def on_round(result: dict) -> None:
                rounds.append(result)
                if len(rounds) == 2:
                    watcher.stop.set()

            await watcher.run_forever(on_round=on_round, idle=0.05)

    asyncio.run(go())
    assert rounds[0]["error"] == "RuntimeError: disk full"
    assert "error" not in rounds[1]


def test_stages_in_a_process_pool(settings, web):
    """CAUNOI_WORKERS=2: the stages run in two processes, when watching and when reprocessing; the
    result is the same."""
    with Service(dataclasses.replace(_fast(settings), workers=2)) as service:
        for i, path in enumerate(PAGES[:4]):
            web.add(f"/p/{i}.html", body=gzip.decompress(path.read_bytes()))
        web.add("/feed.xml", body=rss([(f"p{i}", web.url(f"/p/{i}.html")) for i in range(4)]))
        add_source(service, web)
        # the round's enrichment would start a pool of its own (enrichment in a pool is
        # tests/test_keywords.py's): the stages' pool is what is tested here
        fetched = run(service, after_round=False)["fetched"]
        assert fetched["added"] == 4 and fetched["failed"] == [] and fetched["skipped"] == []
        with service.engine.connect() as conn:
            stored = dict(conn.execute(select(pages.c.url, pages.c.article_id)).all())
        for i in range(4):  # each page linked to the article made from its own bytes
            article = service.article(stored[web.url(f"/p/{i}.html")])
            assert article.url == web.url(f"/p/{i}.html")
        # reprocess runs its stages in the pool too: each page's text comes back to its own article
        with service.engine.begin() as conn:
            conn.execute(articles.update().values(title="stale title"))
        counts = service.reprocess()
        assert (counts["pages"], counts["updated"], counts["merged"]) == (4, 4, 0)
        for i in range(4):
            article = service.article(stored[web.url(f"/p/{i}.html")])
            assert article.url == web.url(f"/p/{i}.html") and article.title != "stale title"


def test_one_watcher_per_store(service, tmp_path):
    """A second `caunoi watch` on the same store is refused while the first holds it."""
    from caunoi.store.database import WatchLocked

    service.sources.add(
        make_spec({"name": "A", "home": "https://a.test/", "feeds": ["/rss"], "enabled": False})
    )
    env = {**os.environ, "CAUNOI_DATA": str(service.settings.data_dir)}
    env.pop("CAUNOI_DATABASE_URL", None)
    if service.settings.database_url:
        env["CAUNOI_DATABASE_URL"] = service.settings.database_url
    with service.watch_lock():
        second = subprocess.run(
            [sys.executable, "-m", "caunoi", "watch", "--once"], env=env, capture_output=True, text=True
        )
        assert second.returncode == 2
        assert "another caunoi watch is already running" in second.stderr
        with pytest.raises(WatchLocked), Service(service.settings) as other, other.watch_lock():
            pass
    with service.watch_lock():  # released: it can be taken again
        pass
    again = caunoi(service.settings, "watch", "--once", check=False)
    assert again.returncode == 0, again.stderr


@pytest.mark.postgres
def test_a_watcher_per_store_not_per_postgresql_database(tmp_path):
    """Two stores in two schemas of one PostgreSQL database each have their watcher (the lock was the
    database's: a second store's watcher was refused as if the first's)."""
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(Service(backend_settings("postgresql", tmp_path / "a", stack)))
        second = stack.enter_context(Service(backend_settings("postgresql", tmp_path / "b", stack)))
        with first.watch_lock(), second.watch_lock():
            from caunoi.store.database import WatchLocked

            with pytest.raises(WatchLocked), Service(second.settings) as again, again.watch_lock():
                pass


def test_a_rounds_report_counts_every_page_but_lists_only_the_first_thousand():
    """A hostile sitemap's million links that fail or hold no article must not be held one by one
    in the round's report (issue 14: summaries must not grow without bound)."""
    from caunoi.ingest.watch import LISTED, FetchReport

    round_ = FetchReport()
    for batch in range(30):
        part = FetchReport()
        for i in range(100):
            part.skip({"url": f"https://example.org/{batch}/{i}", "reason": "no article text"})
            part.fail({"url": f"https://example.org/x/{batch}/{i}", "error": "HTTP 404", "state": "gone"})
        round_.merge(part)
    report = round_.to_json()
    assert report["skipped_count"] == report["failed_count"] == 3000
    assert len(report["skipped"]) == len(report["failed"]) == LISTED == 1000
    assert report["skipped"][0]["url"] == "https://example.org/0/0"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_after_a_round_the_freed_heap_goes_back_to_the_system():
    """What a round leaves freed among what it keeps (a huge page's parse tree, a 10 MiB body read
    and refused) stays in the process's RSS until the watcher trims the heap after the round."""

    def rss_mib() -> int:
        return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024

    blocks = [bytearray(100_000) for _ in range(1000)]  # 100 MB in the C heap (below mmap's threshold)
    kept = blocks[::10]  # noqa: F841 (kept alive: the freed blocks between them are holes, not the top)
    del blocks
    holding = rss_mib()
    assert release_free_memory()
    assert rss_mib() < holding - 50


def test_the_long_running_watcher_trims_the_heap_after_each_round(fast_service, monkeypatch):
    from caunoi.ingest import watch

    trims = []
    monkeypatch.setattr(watch, "release_free_memory", lambda: trims.append("trimmed"))

    async def one_round():
        async with fast_service.watcher() as watcher:
            await watcher.run_forever(on_round=lambda _result: watcher.stop.set())

    asyncio.run(one_round())
    assert trims == ["trimmed"]


def test_articles_a_killed_watcher_stored_are_enriched_and_clustered_by_the_next(fast_service, web):
    """A watcher killed after a round stored its articles and before their enrichment and stories (as
    kill -9 in benchmarks/reliability.py found): the next watcher's first round, with nothing new to
    fetch, enriches and clusters them all the same; they were left out for good before."""
    service = fast_service
    items = []
    for i, path in enumerate(PAGES[:4]):
        web.add(f"/news/{i}.html", body=gzip.decompress(path.read_bytes()))
        items.append((f"Story {i}", web.url(f"/news/{i}.html")))
    web.add("/feed.xml", body=rss(items), content_type="application/rss+xml")
    add_source(service, web)
    first = run(service, after_round=False)  # stored, then killed before what follows the round
    assert first["fetched"]["added"] == 4 and service.enrich_todo() == 4

    again = run(service, force=True)
    assert again["fetched"]["added"] == 0
    assert again["enriched"] == 4 and service.enrich_todo() == 0
    with service.engine.connect() as conn:
        in_stories = conn.execute(select(func.count()).select_from(story_articles)).scalar()
    assert in_stories == 4
