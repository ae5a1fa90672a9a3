"""The polite fetcher against a real HTTP server on 127.0.0.1: every bad case ends in a clear error."""

from __future__ import annotations

import asyncio
import gzip
import itertools

import pytest
from support.localweb import LocalWeb, Route

from caunoi.net.guard import Permit
from caunoi.net.http import Fetcher, FetchPolicy, parse_retry_after

FAST = FetchPolicy(per_host_interval=0.0, backoff=0.01, retries=2, deadline=3.0, read_timeout=2.0)


@pytest.fixture
def web():
    with LocalWeb() as server:
        yield server


def get(web: LocalWeb, path: str, policy: FetchPolicy = FAST, **kwargs):
    async def go():
        async with Fetcher(policy) as f:
            return await f.get(web.url(path), permit=Permit.for_urls([web.base]), **kwargs)

    return asyncio.run(go())


PAGE = b"<html><head><title>T</title></head><body><article><p>Xin ch\xc3\xa0o</p></article></body></html>"


def test_a_page_with_its_validators_and_our_user_agent(web):
    web.add("/a.html", body=PAGE, etag='"v1"', headers={"Last-Modified": "Tue, 24 Nov 2026 01:00:00 GMT"})
    result = get(web, "/a.html")
    assert result.ok and result.status == 200 and result.body == PAGE
    assert result.content_type == "text/html" and result.charset == "utf-8"
    assert result.etag == '"v1"' and result.last_modified.startswith("Tue")
    headers = dict(web.log[-1][1])
    assert headers["User-Agent"].startswith("CauNoiBot/")
    again = get(web, "/a.html", etag='"v1"')
    assert again.ok and again.not_modified and again.status == 304 and again.body == b""


def test_compressed_responses_are_decoded(web):
    web.add("/gz.html", body=PAGE, gzip=True)
    assert get(web, "/gz.html").body == PAGE


def test_not_found_is_permanent_and_not_retried(web):
    result = get(web, "/missing.html")
    assert result.error == "HTTP 404 Not Found" and result.permanent
    assert web.hits["/missing.html"] == 1


def test_server_errors_are_retried_then_reported(web):
    web.add("/500.html", status=500)
    result = get(web, "/500.html")
    assert web.hits["/500.html"] == 3  # the first try and FAST.retries more
    assert "HTTP 500" in result.error and "gave up after 3 tries" in result.error
    assert not result.permanent


def test_429_waits_as_long_as_retry_after_says(web):
    calls = []

    def once_busy(req):
        calls.append(1)
        return Route(status=429, headers={"Retry-After": "1"}) if len(calls) == 1 else Route(body=PAGE)

    web.add("/busy.html", handler=once_busy)
    result = get(web, "/busy.html")
    assert result.ok and result.attempts == 2
    first, second = (t for p, _, t in web.log if p == "/busy.html")
    assert second - first >= 0.95  # waited for Retry-After, not our own (10 ms) backoff


def test_a_retry_after_longer_than_we_wait_fails_for_now(web):
    web.add("/later.html", status=429, headers={"Retry-After": "3600"})
    result = get(web, "/later.html")
    assert "asks to wait 3600 s" in result.error and not result.permanent
    assert result.retry_after == 3600 and web.hits["/later.html"] == 1


def test_retry_after_as_an_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == pytest.approx(60)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("soon") is None


def test_a_slow_drip_ends_at_the_deadline(web):
    web.add("/drip.html", body=PAGE * 10, drip=0.05)
    policy = FetchPolicy(per_host_interval=0.0, retries=2, deadline=1.0, read_timeout=5.0)
    result = get(web, "/drip.html", policy)
    assert "no complete answer within 1 s" in result.error
    assert web.hits["/drip.html"] == 1  # not retried: it would tie up a slot as long again


def test_a_60_mb_body_is_cut_off_while_streaming(web):
    web.add("/huge.html", stream_bytes=60 * 1024 * 1024)
    result = get(web, "/huge.html")
    assert "body too large (more than 10,485,760 bytes)" in result.error and result.permanent
    assert result.body == b""


def test_a_declared_oversized_body_is_refused_before_reading(web):
    web.add("/declared.html", body=b"x" * 2000)
    result = get(web, "/declared.html", FetchPolicy(per_host_interval=0, max_bytes=1000))
    assert result.error == "body too large (2,000 bytes > 1,000)"


def test_a_gzip_bomb_stops_at_the_limit(web):
    web.add("/bomb.html", body=b"\0" * (30 * 1024 * 1024), gzip=True)
    result = get(web, "/bomb.html", FetchPolicy(per_host_interval=0, max_bytes=1024 * 1024))
    assert "body too large" in result.error


def test_content_type_is_checked(web):
    web.add("/doc.pdf", body=b"%PDF-1.4", content_type="application/pdf")
    web.add("/img", body=b"\x89PNG", content_type="image/png")
    assert get(web, "/doc.pdf").error == "not an HTML page (content-type application/pdf)"
    assert get(web, "/img", kind="feed").error == "not a feed (content-type image/png)"


def test_redirects_are_followed_and_recorded(web):
    web.add("/old.html", status=301, headers={"Location": "/new.html?utm_source=x"})
    web.add("/new.html", body=PAGE)
    result = get(web, "/old.html")
    assert (
        result.ok and result.final_url == web.url("/new.html") and result.redirects == [web.url("/new.html")]
    )


def test_a_redirect_loop_is_reported(web):
    web.add("/loop-a", status=302, headers={"Location": "/loop-b"})
    web.add("/loop-b", status=302, headers={"Location": "/loop-a"})
    result = get(web, "/loop-a")
    assert result.error.startswith("redirect loop at") and result.permanent


def test_too_many_redirects(web):
    for i in range(10):
        web.add(f"/hop{i}", status=302, headers={"Location": f"/hop{i + 1}"})
    result = get(web, "/hop0", FetchPolicy(per_host_interval=0, max_redirects=3))
    assert result.error == "too many redirects (more than 3)"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/x",
        "http://localhost:{port}/x",
        "http://[::1]:{port}/x",
        "http://2130706433:{port}/x",
        "http://0x7f.1:{port}/x",
        "http://[::ffff:127.0.0.1]:{port}/x",
        "http://127.0.0.1:1/x",
        "http://127.1:{port}/x",
        "http://0177.0.0.1:{port}/x",
    ],
)
def test_a_redirect_to_loopback_in_any_spelling_is_refused(web, target):
    """The source may reach its own host (allow_private), but not another spelling of loopback."""
    web.add("/jump", status=302, headers={"Location": target.format(port=web.port)})
    result = get(web, "/jump")
    # 0177.0.0.1 (octal) httpx itself refuses to parse: a bad redirect, refused all the same
    assert ("refused to connect to" in result.error and "loopback" in result.error) or (
        "bad redirect" in result.error
    )
    assert result.permanent
    assert list(web.hits) == ["/robots.txt", "/jump"]  # nothing reached the server by the other name


# What servers answer in Location (issue 14): each made the fetcher raise, and a watch round with it
HOSTILE_LOCATIONS = {
    "backslashes": "http:\\\\host\\x",
    "scheme only": "http:x",
    "mailto": "mailto:someone@example.com",
    "javascript": "javascript:alert(1)",
    "data": "data:text/html,<h1>x</h1>",
    "bad punycode": "http://xn--a.com/",
    "empty punycode": "http://xn--/",
    "empty label": "http://a..b/",
    "label over 63": "http://" + "a" * 64 + ".com/",
    "over 64 KB": "/" + "a" * 70_000,
    "port out of range": "http://example.com:99999/",
    "open bracket": "http://[::1/",
}


@pytest.mark.parametrize("location", HOSTILE_LOCATIONS.values(), ids=HOSTILE_LOCATIONS.keys())
def test_a_hostile_redirect_is_the_pages_error(web, location):
    web.add("/jump", status=302, headers={"Location": location})
    result = get(web, "/jump")
    assert not result.ok and result.permanent
    assert isinstance(result.error, str) and len(result.error) < 500  # a message, not the Location
    assert get(web, "/robots.txt", kind="robots").status == 404  # and the fetcher goes on


def test_a_robots_txt_redirecting_nowhere_is_no_robots_txt(web):
    """RFC 9309: a robots.txt whose redirects cannot be followed is unavailable, as a 404 is."""
    web.add("/robots.txt", status=301, headers={"Location": "mailto:webmaster@example.com"})
    web.add("/a.html", body=PAGE)
    result = get(web, "/a.html")
    assert result.ok and result.body == PAGE


def test_without_allow_private_the_local_server_itself_is_refused(web):
    web.add("/a.html", body=PAGE)

    async def go():
        async with Fetcher(FAST) as f:
            return await f.get(web.url("/a.html"))

    result = asyncio.run(go())
    assert "refused to connect to 127.0.0.1: a loopback address" in result.error
    assert web.hits == {}


def test_robots_txt_is_honoured_and_fetched_once(web):
    web.add("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    web.add("/private/a.html", body=PAGE)
    web.add("/public.html", body=PAGE)

    async def go():
        async with Fetcher(FAST) as f:
            permit = Permit.for_urls([web.base])
            return [
                await f.get(web.url(p), permit=permit)
                for p in ("/private/a.html", "/public.html", "/public.html")
            ]

    private, public, _ = asyncio.run(go())
    assert private.error.startswith("disallowed by robots.txt") and private.permanent
    assert public.ok
    assert web.hits["/robots.txt"] == 1 and web.hits["/private/a.html"] == 0


def test_a_failing_robots_txt_means_stay_away_for_now(web):
    web.add("/robots.txt", status=503)
    web.add("/a.html", body=PAGE)
    result = get(web, "/a.html", FetchPolicy(per_host_interval=0, retries=0))
    assert "robots.txt" in result.error and not result.permanent
    assert web.hits["/a.html"] == 0


def test_requests_to_one_host_are_spaced(web):
    web.add("/a.html", body=PAGE)

    async def go():
        async with Fetcher(FetchPolicy(per_host_interval=0.2, concurrency=8)) as f:
            permit = Permit.for_urls([web.base])
            await asyncio.gather(*(f.get(web.url("/a.html"), permit=permit) for _ in range(4)))

    asyncio.run(go())
    times = [t for p, _, t in web.log]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 5 and min(gaps) >= 0.18  # robots.txt and 4 pages, one at a time


def test_gzip_sitemap_served_as_octet_stream_is_accepted(web):
    body = gzip.compress(b"<urlset/>")
    web.add("/sitemap.xml.gz", body=body, content_type="application/octet-stream")
    assert get(web, "/sitemap.xml.gz", kind="sitemap").body == body


def test_a_slow_slot_does_not_bunch_two_turns_of_one_host(web):
    """One slot, held by a slow page elsewhere while two requests to this host wait their turns:
    when the slot frees, the second still goes out a whole interval after the first."""
    with LocalWeb("127.0.0.2") as other:
        other.add("/slow.html", body=PAGE, delay=0.6)
        web.add("/a.html", body=PAGE)
        web.add("/b.html", body=PAGE)

        async def go():
            policy = FetchPolicy(per_host_interval=0.3, concurrency=1, obey_robots=False)
            async with Fetcher(policy) as f:
                permit = Permit.for_urls([web.base, other.base])
                slow = asyncio.ensure_future(f.get(other.url("/slow.html"), permit=permit))
                await asyncio.sleep(0.05)
                await asyncio.gather(
                    slow, *(f.get(web.url(p), permit=permit) for p in ("/a.html", "/b.html"))
                )

        asyncio.run(go())
    first, second = (t for p, _, t in web.log if p in ("/a.html", "/b.html"))
    # as the server saw them, less what a busy machine delays a request by (bunched: a few ms)
    assert second - first >= 0.25
