"""Feeds, sitemaps and URL canonicalisation: real shapes, and the broken ones."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from caunoi.ingest.feeds import parse_feed, parse_sitemap
from caunoi.net.urls import BadURL, canonical_url, url_key

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>VnExpress RSS</title><link>https://vnexpress.net</link>
<item><title><![CDATA[Thủ tướng tiếp Đại sứ Nhật Bản]]></title>
<link><![CDATA[https://vnexpress.net/thu-tuong-tiep-dai-su-4820001.html?utm_source=rss&utm_medium=feed]]></link>
<pubDate>Tue, 24 Nov 2026 07:00:00 +0700</pubDate><guid>https://vnexpress.net/thu-tuong-tiep-dai-su-4820001.html</guid></item>
<item><title>Relative link</title><link>/the-gioi/bai-2.html</link>
<pubDate>Mon, 23 Nov 2026 23:00:00 GMT</pubDate></item>
<item><title>No link</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example</title>
<entry><title>Vietnam and ASEAN</title><link href="https://example.org/asia/vietnam-asean"/>
<id>tag:example.org,2026:1</id><updated>2026-11-24T01:02:03Z</updated></entry></feed>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://e.vnexpress.net/news/news/vietnam-japan-4820002.html</loc>
<news:news><news:publication><news:name>VnExpress International</news:name><news:language>en</news:language>
</news:publication><news:publication_date>2026-11-24T06:00:00+07:00</news:publication_date>
<news:title>Vietnam, Japan upgrade ties</news:title></news:news></url>
<url><loc>https://e.vnexpress.net/news/business/b-4820003.html</loc><lastmod>2026-11-23</lastmod></url>
<url><loc></loc></url>
</urlset>"""


def test_rss_links_titles_and_dates():
    listing = parse_feed(RSS.encode(), "https://vnexpress.net/rss/tin-moi-nhat.rss")
    assert listing.error is None and listing.kind == "rss20"
    first, second = listing.links
    assert first.url == "https://vnexpress.net/thu-tuong-tiep-dai-su-4820001.html"  # tracking stripped
    assert first.title == "Thủ tướng tiếp Đại sứ Nhật Bản"
    assert first.published == datetime(2026, 11, 24, 7, 0)  # local (Hanoi) wall time, as stored
    assert second.url == "https://vnexpress.net/the-gioi/bai-2.html"  # resolved against the feed
    assert second.published == datetime(2026, 11, 24, 6, 0)


def test_atom():
    listing = parse_feed(ATOM.encode(), "https://example.org/feed.atom")
    assert listing.kind == "atom10"
    assert [(lk.url, lk.published) for lk in listing.links] == [
        ("https://example.org/asia/vietnam-asean", datetime(2026, 11, 24, 8, 2, 3))
    ]


def test_a_feed_in_a_legacy_charset_declared_by_the_server():
    body = RSS.replace('encoding="UTF-8"', "").encode("utf-8")
    listing = parse_feed(body, "https://vnexpress.net/rss", charset="utf-8")
    assert listing.links[0].title == "Thủ tướng tiếp Đại sứ Nhật Bản"


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty feed"),
        (b"<!DOCTYPE html><html><body>Trang chu</body></html>", "not a feed: the server sent an HTML page"),
        (b"<rss version='2.0'><channel><item><title>x</ti", "malformed feed"),
        (b"just some text", "malformed feed"),
    ],
)
def test_broken_feeds_say_why(body, message):
    listing = parse_feed(body, "https://x.test/feed")
    assert listing.links == [] and listing.error.startswith(message)


def test_a_news_sitemap_plain_and_gzipped():
    for body in (NEWS_SITEMAP.encode(), gzip.compress(NEWS_SITEMAP.encode())):
        listing = parse_sitemap(body, "https://e.vnexpress.net/sitemap/news.xml")
        assert listing.error is None and listing.kind == "urlset"
        news, plain = listing.links
        assert news.title == "Vietnam, Japan upgrade ties" and news.lang == "en"
        assert news.published == datetime(2026, 11, 24, 6, 0)
        assert plain.published == datetime(2026, 11, 23)


def test_a_sitemap_index():
    body = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>/sitemaps/2026-11-24.xml.gz</loc><lastmod>2026-11-24T05:00:00+07:00</lastmod></sitemap>
    <sitemap><loc>https://a.test/sitemaps/2026-11-23.xml</loc></sitemap></sitemapindex>"""
    listing = parse_sitemap(body, "https://a.test/sitemap.xml")
    assert listing.links == []
    assert listing.sitemaps == [
        ("https://a.test/sitemaps/2026-11-24.xml.gz", datetime(2026, 11, 24, 5, 0)),
        ("https://a.test/sitemaps/2026-11-23.xml", None),
    ]


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<urlset><url><loc>https://a.test/1</loc></url", "malformed sitemap XML"),
        (b"<html><body>404</body></html>", "not a sitemap: the server sent an HTML page"),
        (b"<rss version='2.0'/>", "not a sitemap (root element <rss>)"),
        (b"\x1f\x8b\x08\x00garbage", "bad gzip sitemap"),
    ],
)
def test_broken_sitemaps_say_why(body, message):
    assert parse_sitemap(body, "https://a.test/sitemap.xml").error.startswith(message)


def test_sitemap_entities_are_not_expanded():
    body = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>&e;</loc></url></urlset>'
    listing = parse_sitemap(body, "https://a.test/")
    assert all("passwd" not in lk.url and "root:" not in lk.url for lk in listing.links)
    assert listing.links == []


def test_a_gzip_bomb_sitemap_stops_at_the_protocol_limit():
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>")
    assert "larger than" in parse_sitemap(bomb, "https://a.test/s.xml.gz").error


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("HTTPS://VnExpress.NET:443/a.html#comments", "https://vnexpress.net/a.html"),
        (
            "https://tuoitre.vn/a.htm?utm_source=facebook&utm_campaign=x&fbclid=IwAR0",
            "https://tuoitre.vn/a.htm",
        ),
        ("https://dantri.com.vn/a.htm?page=2&gclid=1", "https://dantri.com.vn/a.htm?page=2"),
        ("http://example.org:8080/x/%7Euser/", "http://example.org:8080/x/~user/"),
        ("https://example.org", "https://example.org/"),
        ("https://báo.vn/tin", "https://xn--bo-mia.vn/tin"),
        ("https://zingnews.vn/a.html?zarsrc=30&utm_medium=zalo", "https://zingnews.vn/a.html"),
    ],
)
def test_canonical_urls(url, canonical):
    assert canonical_url(url) == canonical
    assert url_key(url) == url_key(canonical)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://a.test/x",
        "javascript:alert(1)",
        "http:///nohost",
        "http://[::1/",
        "http://a..b/",
        "http://" + "a" * 64 + ".vn/",
        "http://x y.vn/",
        "http://%31%32%37.0.0.1/",
        "http://a.vn:99999/",
        "http://a.vn/\ud800",
        "http://a.vn/" + "a" * 9000,
    ],
)
def test_urls_we_do_not_fetch(url):
    with pytest.raises(BadURL):
        canonical_url(url)


@pytest.mark.parametrize("base", [None, "https://vnexpress.net/rss/"])
def test_a_url_against_a_base_is_refused_as_bad_not_raised(base):
    """urljoin itself raises on "http://[::1" (issue 14): still a BadURL, which every caller handles."""
    with pytest.raises(BadURL, match="malformed URL"):
        canonical_url("http://[::1", base=base)


HOSTILE_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>Unclosed IPv6</title><link>http://[::1</link></item>
<item><title>Script</title><link>javascript:alert(1)</link></item>
<item><title>Overlong</title><link>https://a.vn/{long}</link></item>
<item><title>Empty label</title><link>http://a..b/x</link></item>
<item><title>Good &#x1; one</title><link>https://vnexpress.net/ok-1.html</link></item>
</channel></rss>""".replace("{long}", "x" * 9000)


def test_hostile_entries_are_dropped_and_the_rest_read():
    listing = parse_feed(HOSTILE_RSS.encode(), "https://vnexpress.net/rss/")
    assert [lk.url for lk in listing.links] == ["https://vnexpress.net/ok-1.html"]
    assert listing.links[0].title == "Good  one"  # no control characters: PostgreSQL takes no NUL


def test_a_feed_feedparser_cannot_read_is_an_error():
    """A character reference to a lone surrogate makes feedparser itself raise."""
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>&#xD800;</title>'
    body += b"<link>https://a.vn/x</link></item><item><title>\x00</title></item></channel></rss>"
    listing = parse_feed(body, "https://a.vn/rss")
    assert listing.error or listing.warning
