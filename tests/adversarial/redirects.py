"""Hostile redirects, robots.txt files and feed entries (issue 14, item 1): nothing a web server answers
may stop a fetch or a watch round.

Three kinds of case, all against a real HTTP server on 127.0.0.1 (tests/support/localweb.py) under
names a fake DNS resolves (no lookup leaves this machine; a network layer under the guard refuses
any connection that is not to 127.0.0.1 and counts it as a failure):

- a fetch (`Fetcher.get`) of a page whose server redirects to a generated `Location`: the listed
  forms of the issue, loopback and metadata spellings (which must be refused), bad ports, bad IDNA,
  other schemes, userinfo tricks, loops, relative oddities, overlong ones and random mutations of
  all of these; or a page on a host whose robots.txt redirects so. It holds when `get` returns
  within its time with the error as a short string (or the page, when the target is harmless) and
  nothing secret was reached;
- a watch round (the service's watcher, `watch --now` as the CLI runs it) on a store, for a source
  whose feed and sitemap mix good articles with hostile entries, pages redirecting hostile-ly, a
  listing that redirects so and sometimes a hostile robots.txt: it holds when the round ends, every
  good article is stored and every hostile page has its error recorded;
- `caunoi fetch` and `caunoi watch --once --now` in-process on such pages: an exit with a message,
  never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import html
import os
import random
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpcore
from support.localweb import LocalWeb, Route

from adversarial import Budget, Tally
from caunoi.config import Settings
from caunoi.net.guard import AddressGuard, Permit, Refused, ip_literal, why_forbidden
from caunoi.net.http import Fetcher, FetchPolicy
from caunoi.net.urls import url_key

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "demo" / "data" / "vi-news-unc" / "docs"
DOMAIN = "adv.test"  # every name under it resolves to 127.0.0.1 in the fake DNS
CASE_TIMEOUT = 10.0  # seconds for one fetch; the policy's deadline is far shorter
ROUND_TIMEOUT = 60.0  # seconds for one watch round
POLICY = FetchPolicy(
    per_host_interval=0.0,
    retries=0,
    backoff=0.01,
    deadline=3.0,
    read_timeout=2.0,
    connect_timeout=2.0,
    concurrency=16,
    obey_robots=False,
)
SECRET = "/secret"  # what a refused target would reach: never to be hit

# -- the fake network --------------------------------------------------------------------------------

# names with a fixed (fake) answer: loopback, metadata and private addresses by name
NAMED = {
    "localhost": ["127.0.0.1"],
    "localhost.localdomain": ["127.0.0.1"],
    "metadata.google.internal": ["169.254.169.254"],
    "instance-data": ["169.254.169.254"],
    "intranet.corp": ["10.0.0.7"],
    "ecs-meta.corp": ["169.254.170.23"],
    "wireserver.corp": ["168.63.129.16"],
    "mapped-meta.corp": ["::ffff:169.254.169.254"],
    "nat64-meta.corp": ["64:ff9b::a9fe:a9fe"],
    "sixtofour-meta.corp": ["2002:a9fe:a9fe::1"],
    "rebind.corp": ["127.0.0.1"],
}


async def resolve(host: str, port: int) -> list[str]:
    """The fake DNS: names under adv.test are this machine, a few names are fixed, the rest unknown."""
    name = host.lower().rstrip(".")
    if name == DOMAIN or name.endswith("." + DOMAIN):
        return ["127.0.0.1"]
    if name in NAMED:
        return NAMED[name]
    raise Refused(f"cannot resolve host {host!r}: not in the fake DNS")


_CASE: contextvars.ContextVar[int] = contextvars.ContextVar("case", default=-1)


class LoopbackOnly(httpcore.AsyncNetworkBackend):
    """The network layer under the guard: connects to 127.0.0.1 only, refuses the rest, and notes
    an attempt at any other non-public address (what the guard is there to stop) with the case (a
    context variable of its task) that made it. A public address is no failure: a mutation can
    spell one ("120.0.0.1"), and the guard rightly lets it through."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.elsewhere: list[tuple[int, str]] = []

    def tried(self, case: int) -> str | None:
        """Where `case` tried to connect other than 127.0.0.1, if it did."""
        return next((host for n, host in self.elsewhere if n == case), None)

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if host != "127.0.0.1":
            ip = ip_literal(host)
            if ip is None or why_forbidden(ip) is not None:
                self.elsewhere.append((_CASE.get(), host))
            raise httpcore.ConnectError(f"adversarial network: no connection to {host}")
        return await self.inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        self.elsewhere.append((_CASE.get(), path))
        raise httpcore.ConnectError("adversarial network: no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def _wire(value: str) -> str:
    """A header value as the server's latin-1 writer can send it: other characters as their UTF-8
    bytes (what a misconfigured server sends), no CR or LF (they would end the header)."""
    raw = value.replace("\r", "").replace("\n", "")
    try:
        raw.encode("latin-1")
        return raw
    except UnicodeEncodeError:
        return raw.encode("utf-8", "surrogatepass").decode("latin-1")


# -- the hostile Location values -------------------------------------------------------------------

LOOPBACK = [
    "127.0.0.1", "127.0.0.2", "127.1", "127.0.1", "2130706433", "0x7f.1", "0x7f000001", "0177.0.0.1",
    "0177.1", "017700000001", "0x7f.0.0.1", "0x7F.0x00.0x00.0x01", "127.000.000.001", "127.0.0.1.",
    "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]",
    "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "localhost", "LOCALHOST", "localhost.",
    "localhost.localdomain", "0", "0.0.0.0", "0x0", "[::]", "127.127.127.127", "127.255.255.254",
    "%31%32%37.0.0.1", "127%2e0%2e0%2e1", "\uff11\uff12\uff17.\uff10.\uff10.\uff11",
    "127\u30020\u30020\u30021", "127.0.0.1\uff0e", "rebind.corp", "[::ffff:127.1.2.3]", "[fe80::1%25lo]",
    "[::ffff:0.0.0.0]", "0177.0.0.01",
]  # fmt: skip
METADATA = [
    "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "[::ffff:169.254.169.254]",
    "[::ffff:a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::]", "169.254.170.2", "169.254.170.23",
    "168.63.129.16", "100.100.100.200", "[fd00:ec2::254]", "metadata.google.internal", "instance-data",
    "intranet.corp", "ecs-meta.corp", "wireserver.corp", "mapped-meta.corp", "nat64-meta.corp",
    "sixtofour-meta.corp", "10.0.0.1", "192.168.1.1", "172.16.0.1", "[fc00::1]", "100.64.0.1",
]  # fmt: skip
SCHEMES = [
    "mailto:someone@example.com", "javascript:alert(1)", "JavaScript:alert(document.domain)",
    "javascript://%0aalert(1)", "data:text/html,<script>alert(1)</script>", "data:,",
    "DATA:text/plain;base64,SGk=",
    "file:///etc/passwd", "file://localhost/etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/_x",
    "ws://{host}/", "wss://{host}/", "about:blank", "view-source:http://{host}/", "urn:isbn:123", "tel:+84",
    "jar:http://{host}/x!/", "vbscript:msgbox", "blob:http://{host}/x", "feed:http://{host}/x",
    "hTTp://{host}/ok", "HTTPS://{host}:{port}/ok", "h\ttp://{host}/", "ht tp://{host}/", " http://{host}/ok",
]  # fmt: skip
FORMS = [
    "http:\\\\host\\x", "http:\\\\{host}\\x", "http:x", "https:x", "http:", "http:/", "http://", "http:///",
    "http:////x", "http:/{host}/ok", "//", "///", "////etc/passwd", "\\\\evil\\share", "/\\evil", "\\/evil",
    "//{host}:{port}/ok", "http:{host}", "http:%2f%2f{host}", "http://{host}:{port}", "", " ", ".", "..",
    "../../../../", "?", "#", "#frag", "?a=1#b", "./%2e%2e/", "/%2e%2e/%2e%2e/ok", "\t/x", " /ok ",
    "/x\x00y", "%", "%zz", "/%ff%fe", ";", "/;a=b", "/ok?utm_source=x#y", "\x00", "\x7f", "\xff\xfe",
    "/\u00e9\u00e8", "/\u1ea1\u0301", "?\ud800", "/%00", "/..%2f..%2fetc/passwd", "http://{host}:{port}/ok#\x00",
]  # fmt: skip
IDNA = [
    "http://xn--a.com/", "http://xn--/", "http://xn--zca.xn--/", "http://a..b/", "http://.a/", "http://a./",
    "http://" + "a" * 64 + ".com/", "http://" + ("a" * 63 + ".") * 5 + "com/", "http://-a-.com/",
    "http://\u0080.com/", "http://\uff41\uff42\uff43.com/", "http://a\u3002b/", "http://\u200b.com/",
    "http://\u00df.de/", "http://xn--ls8h.la/", "http://a%00b.com/", "http://%e2%80%ae.com/",
    "http://xn--80ak6aa92e.com/", "http://\u2603.net/", "http://\u0378.com/", "http://\u0131.com/",
    "http://XN--A.com/", "http://\u0301a.com/", "http://xn--a-ecp.ru/", "http://xn--zz/", "http://\U0001f4a9.la/",
    "http://a\u0000b.com/", "http://[::1/", "http://[::1]x/", "http://[/", "http://]/", "http://[v1.x]/",
    "http://[::ffff:127.0.0.1%00]/", "http://x y/", "http://%/", "http://a\\b/", "http://{host}\u2100/",
    "http://\u2488.com/", "http://\ufe6b.com/", "http://" + "\u00e9" * 300 + ".com/",
    "http://xn--" + "a" * 70 + "/",
]  # fmt: skip
PORTS = [
    "99999", "-1", "0", "65536", "80:80", "8o", " 80", "+80", "1", "22", "0x50", "\u06f8\u06f0",
    "\uff18\uff10",
    "", "00000000000000000080", "1e2", "80 ", "%38%30", "4294967376", "-0",
]  # fmt: skip
USERINFO = [
    "http://{host}@127.0.0.1:{port}" + SECRET, "http://127.0.0.1:{port}@evil.test/", "http://a:b@c:d@{host}/",
    "http://user:pa ss@{host}/", "http://@{host}:{port}/ok", "http://:@{host}:{port}/ok", "http://%40@{host}/",
    "http://{host}%40127.0.0.1/", "http://{host}:{port}\\@127.0.0.1:{port}" + SECRET,
    "http://{host}:{port}#@127.0.0.1:{port}" + SECRET, "http://{host}:{port}?@127.0.0.1:{port}" + SECRET,
    "http://127.0.0.1:{port}\\@{host}:{port}/ok", "http://" + "u" * 5000 + ":p@{host}/",
]  # fmt: skip
ALPHABET = (
    ":/@\\?#%[]. \t\x00\x01\x7f\x80\xa0\xff-_~!$&'()*+,;=\"<>^`{|}0123456789abcxyzXN"
    "\u3002\uff0e\u200b\u0301\u00df\u1ea1\u0111\u2100\ud7ff\ufeff"
)
SEEDS = ["http://{host}:{port}/ok", "http://{host}:{port}" + SECRET, "/ok?a=1", "//{host}:{port}/ok"]


@dataclasses.dataclass(frozen=True)
class Hostile:
    label: str  # which family, for the failure line
    location: str  # with {host} and {port} still to fill
    must_refuse: bool = False  # a non-public target: the fetch must fail, the server must not see it


def _fill(template: str, host: str, port: int) -> str:
    return template.replace("{host}", host).replace("{port}", str(port))


def fixed_cases() -> Iterator[Hostile]:
    """The forms the issue lists and their relatives, each once."""
    for spelling in LOOPBACK:
        yield Hostile("loopback", f"http://{spelling}:{{port}}{SECRET}", True)
        yield Hostile("loopback", f"https://{spelling}{SECRET}", True)
    for spelling in METADATA:
        yield Hostile("metadata", f"http://{spelling}/latest/meta-data/", True)
    for location in SCHEMES:
        yield Hostile("scheme", location)
    for location in FORMS:
        yield Hostile("form", location)
    for location in IDNA:
        yield Hostile("idna", location)
    for port in PORTS:
        yield Hostile("port", f"http://{{host}}:{port}/ok")
    for location in USERINFO:
        yield Hostile("userinfo", location, SECRET in location)
    yield Hostile("overlong", "http://{host}:{port}/" + "a" * 70_000)
    yield Hostile("overlong", "/" + "b" * 66_000)
    yield Hostile("overlong", "http://" + "a" * 70_000 + "/")
    yield Hostile("overlong", "?" + "q" * 70_000)
    yield Hostile("overlong", "http://{host}/" + "%41" * 30_000)
    yield Hostile("overlong", "http://" + "a." * 40_000 + "com/")


def mutated(rng: random.Random) -> Hostile:
    """A random relative of a known case: characters inserted, dropped, replaced, repeated, cut."""
    pool = [*SEEDS, *FORMS, *IDNA, *SCHEMES, *USERINFO]
    base = rng.choice(pool)
    text = list(base)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randint(0, len(text))
        if op == 0:
            text.insert(at, rng.choice(ALPHABET))
        elif op == 1 and text:
            del text[min(at, len(text) - 1)]
        elif op == 2 and text:
            text[min(at, len(text) - 1)] = rng.choice(ALPHABET)
        elif op == 3:
            text[at:at] = list(rng.choice(["xn--", "%", "@", "::", "[", "]", ":99999", "\\\\", "..", "%00"]))
        elif op == 4 and text:
            cut = rng.randint(0, len(text))
            text = text[:cut] + text[cut:] * rng.randint(1, 3)
        else:
            text = text[: rng.randint(0, len(text))]
    return Hostile("mutation", "".join(text))


def combined(rng: random.Random) -> Hostile:
    """A scheme, userinfo, host, port, path and query picked apart and put together."""
    scheme = rng.choice(["http", "https", "HTTP", "hTtP", "ftp", "javascript", "", "http:", "ht\ttp"])
    sep = rng.choice(["://", ":", ":/", ":\\\\", "://\\", ":////", "//"])
    user = rng.choice(["", "", "u@", "u:p@", "@", "{host}@", "a@b@", "%40@"])
    host = rng.choice(
        ["{host}", "{host}", rng.choice(LOOPBACK), rng.choice(METADATA), rng.choice(IDNA)[7:-1]]
    )
    port = rng.choice(["", ":{port}", ":{port}", ":" + rng.choice(PORTS)])
    path = rng.choice(["/ok", "", "/", "/..", "/%zz", "\\x", "/" + "p" * rng.choice([1, 100, 9000])])
    query = rng.choice(["", "?a=b", "?utm_source=x", "#frag", "?\x00"])
    location = scheme + sep + user + host + port + path + query
    # userinfo does not change the host, and a bad port fails the fetch anyway
    refuse = (host in LOOPBACK or host in METADATA) and scheme.lower() in ("http", "https") and sep == "://"
    return Hostile("combined", location, refuse)


def hostile_cases(rng: random.Random) -> Iterator[Hostile]:
    yield from fixed_cases()
    while True:
        yield mutated(rng) if rng.random() < 0.6 else combined(rng)


# -- the server's side ------------------------------------------------------------------------------


@dataclasses.dataclass
class Site:
    """The loopback server and what it serves to every case."""

    web: LocalWeb
    articles: list[tuple[str, str]]  # title, text of real articles, served as pages
    robots: dict[str, Route] = dataclasses.field(default_factory=dict)  # per host name

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.web.port}{path}"

    def page(self, n: int) -> bytes:
        """A good article page, different for every n (so no two are duplicates)."""
        title, text = self.articles[n % len(self.articles)]
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
        marker = f"<p>Bản tin số {n} của trang thử nghiệm, phát hành lần thứ {n * 7 + 3}.</p>"
        return (
            f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            f"<article><h1>{html.escape(title)} ({n})</h1>{paragraphs}{marker}</article></body></html>"
        ).encode()

    def redirect(self, path: str, hostile: Hostile, host: str) -> None:
        location = _wire(_fill(hostile.location, host, self.web.port))
        self.web.add(path, status=302, headers={"Location": location}, body=b"", content_type=None)

    def robots_for(self, req) -> Route:
        host = (req.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        return self.robots.get(host) or Route(status=404, body=b"", content_type="text/plain")


def _articles() -> list[tuple[str, str]]:
    found = []
    for path in sorted(DOCS.glob("*.txt"))[:40]:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
        if len(lines) > 3:
            found.append((lines[0].strip(), "\n".join(lines[1:])))
    return found


@contextlib.contextmanager
def site() -> Iterator[Site]:
    with LocalWeb() as web:
        web.server.socket.listen(128)  # 16 fetches connect at once: the default backlog of 5 drops some
        here = Site(web, _articles())
        web.add("/ok", body=here.page(0))
        web.add(SECRET, body=b"<html><body><p>secret</p></body></html>")
        web.add("/robots.txt", Route(handler=here.robots_for))
        yield here


# -- case kind 1: one fetch -------------------------------------------------------------------------


async def _one_fetch(fetcher: Fetcher, net: LoopbackOnly, here: Site, n: int, hostile: Hostile, robots: bool):
    """Fetch a page that redirects (or whose robots.txt redirects) to `hostile`; None when it held,
    else what went wrong."""
    _CASE.set(n)
    host = f"c{n}.{DOMAIN}"
    if robots:
        location = _wire(_fill(hostile.location, host, here.web.port))
        here.robots[host] = Route(status=302, headers={"Location": location}, body=b"", content_type=None)
        start = f"/r{n}/page"
        here.web.add(start, body=here.page(n))
    else:
        start = f"/c{n}"
        here.redirect(start, hostile, host)
    secret_before = here.web.hits[SECRET]
    try:
        result = await asyncio.wait_for(
            fetcher.get(here.url(host, start), permit=Permit.for_urls([here.url(host, "/")])),
            CASE_TIMEOUT,
        )
    except TimeoutError:
        return f"no answer within {CASE_TIMEOUT:.0f} s"
    except Exception as exc:  # what escapes is what this counts
        return f"{type(exc).__name__}: {str(exc)[:160]}"
    if here.web.hits[SECRET] != secret_before:
        return "the refused target was reached"
    if net.tried(n):
        return f"a connection to {net.tried(n)} was attempted"
    if result.error is not None and not isinstance(result.error, str):
        return f"the error is not a message: {result.error!r}"[:200]
    if result.error and len(result.error) > 2000:
        return f"an error of {len(result.error):,} characters"
    if robots and not result.ok and not _robots_kept_away(result.error, result.permanent):
        return f"robots.txt redirecting so kept the page from being fetched: {result.error[:160]}"
    if hostile.must_refuse and not robots and result.ok:
        return f"fetched {result.final_url[:120]} instead of refusing it"
    return None


def _robots_kept_away(error: str, permanent: bool) -> bool:
    """A page not fetched for its robots.txt as RFC 9309 says: disallowed by rules it read, or kept
    away for now (to try again) because robots.txt's server could not be reached (the redirect's
    target refused the connection, broke it, timed out). A redirect that cannot be followed (a bad
    Location, a loop, a refused target) is no reason: robots.txt is then unavailable, as for a 404."""
    return error.startswith("disallowed by robots.txt") or (not permanent and "robots.txt of" in error)


async def _fetch_cases(here: Site, tally: Tally, budget: Budget, cases: Iterator[Hostile], rng) -> None:
    net = LoopbackOnly()
    fetcher = Fetcher(POLICY, guard=AddressGuard(resolve), network_backend=net)
    robots_fetcher = Fetcher(
        dataclasses.replace(POLICY, obey_robots=True), guard=AddressGuard(resolve), network_backend=net
    )
    n = 0
    async with fetcher, robots_fetcher:
        while budget:
            group = []
            for _ in range(POLICY.concurrency):
                hostile = next(cases)
                robots = rng.random() < 0.2
                group.append((n, hostile, robots))
                n += 1
            outcomes = await asyncio.gather(
                *(_one_fetch(robots_fetcher if r else fetcher, net, here, i, h, r) for i, h, r in group),
                return_exceptions=True,
            )
            for (_, hostile, robots), outcome in zip(group, outcomes, strict=True):
                where = "robots.txt" if robots else "page"
                what = f"fetch, {where} redirecting to {hostile.label} {_show(hostile.location)}"
                tally.case(outcome is None, f"{what}: {outcome}")
            # the fetcher still works after all that
            control = await fetcher.get(
                here.url(f"ok.{DOMAIN}", "/ok"), permit=Permit.for_urls([here.url(f"ok.{DOMAIN}", "/")])
            )
            tally.case(control.ok, f"fetch of a good page after hostile ones: {control.error}")


def _show(location: str) -> str:
    shown = repr(location)
    return shown if len(shown) <= 90 else f"{shown[:80]}… ({len(location):,} chars)"


# -- case kind 2: a watch round on a store ----------------------------------------------------------


TITLES = [  # raw in the XML, all well-formed
    "Tin {k}", "Tin {k} " + "dài " * 5000, "<![CDATA[ Tin {k} <b>]]>", "&amp;#x0; Tin {k}", "",
    "Tin {k} \u202e\u200b\ufeff", "&lt;script&gt;alert({k})&lt;/script&gt;",
]  # fmt: skip
NASTY_TITLES = [
    "Tin &#0; có NUL",
    "\x00\x01\x1f Tin",
    "\ud800 Tin",
    "&#xD800; Tin",
    "Tin \x0b",
    "&bogus; Tin",
]


def _rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{html.escape(u)}</link></item>"
        for t, u in items  # titles raw: &#0;
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode(
        "utf-8", "surrogatepass"
    )


def _sitemap(locs: list[str], root: str = "urlset", entry: str = "url") -> bytes:
    """A sitemap of `locs` (with root="sitemapindex", entry="sitemap": a sitemap index)."""
    body = "".join(f"<{entry}><loc>{html.escape(u)}</loc></{entry}>" for u in locs)
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><{root} xmlns="{xmlns}">{body}</{root}>'.encode("utf-8", "surrogatepass")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _entry(cases: Iterator[Hostile], host: str, port: int, well_formed: bool = True) -> str:
    """A hostile URL written straight into a feed or sitemap entry; `well_formed`: without the
    characters XML 1.0 cannot carry (with them the whole listing is malformed, a case of its own)."""
    text = _fill(next(cases).location, host, port)
    return _NOT_XML.sub("", text) if well_formed else text


@dataclasses.dataclass
class Round:
    """One source's listings, as built for one round: what must be stored and what must fail."""

    source: dict
    good: list[str]
    bad: list[tuple[str, Hostile]]
    bad_listing: str | None


def _build_round(here: Site, n: int, rng: random.Random, cases: Iterator[Hostile]) -> Round:
    host, port = f"w{n}.{DOMAIN}", here.web.port
    good, bad, items, locs = [], [], [], []
    for i in range(rng.randint(2, 5)):
        url = here.url(host, f"/w{n}/good{i}.html")
        here.web.add(f"/w{n}/good{i}.html", body=here.page(1000 * n + i))
        good.append(url)
        (items if i % 2 == 0 else locs).append(url)
    for j in range(rng.randint(2, 5)):
        path, hostile = f"/w{n}/bad{j}", next(cases)
        here.redirect(path, hostile, host)
        bad.append((here.url(host, path), hostile))
        (items if j % 2 == 0 else locs).append(here.url(host, path))
    raw = [_entry(cases, host, port) for _ in range(rng.randint(2, 6))]
    for k, entry in enumerate(raw):
        (items if k % 2 == 0 else locs).append(entry)
    rng.shuffle(items)
    rng.shuffle(locs)
    here.web.add(
        f"/w{n}/feed.xml",
        body=_rss([(rng.choice(TITLES).format(k=k), u) for k, u in enumerate(items)]),
        content_type="application/rss+xml",
    )
    here.web.add(f"/w{n}/sitemap.xml", body=_sitemap(locs), content_type="application/xml")
    children = [here.url(host, f"/w{n}/sitemap.xml")] + [_entry(cases, host, port) for _ in range(3)]
    here.web.add(
        f"/w{n}/index.xml", body=_sitemap(children, "sitemapindex", "sitemap"), content_type="application/xml"
    )
    # a feed no parser can read whole: hostile entries with control characters, titles with NULs
    broken = [(rng.choice(NASTY_TITLES), _entry(cases, host, port, False)) for _ in range(rng.randint(1, 4))]
    here.web.add(f"/w{n}/broken.xml", body=_rss(broken), content_type="application/rss+xml")
    feeds = [here.url(host, f"/w{n}/feed.xml"), here.url(host, f"/w{n}/broken.xml")]
    sitemaps = [here.url(host, f"/w{n}/index.xml")]
    bad_listing = None
    if rng.random() < 0.7:
        bad_listing = here.url(host, f"/w{n}/moved.xml")
        here.redirect(f"/w{n}/moved.xml", next(cases), host)
        (feeds if rng.random() < 0.5 else sitemaps).append(bad_listing)
    if rng.random() < 0.6:
        location = _wire(_fill(next(cases).location, host, port))
        here.robots[host] = Route(status=302, headers={"Location": location}, body=b"", content_type=None)
    source = {"name": f"Hostile {n}", "home": here.url(host, "/"), "feeds": feeds, "sitemaps": sitemaps}
    return Round(source, good, bad, bad_listing)


def _check_round(service, plan: Round, result: dict) -> str | None:
    if result.get("error"):
        return f"the round failed: {result['error'][:160]}"
    listings = service.sources.get(plan.source["name"]).listings
    # robots.txt redirects to a server that cannot be reached: waiting is right (RFC 9309), for the
    # listings (their links are not even known yet) and the pages alike
    robots_away = any(_robots_kept_away(lst.last_error or "", False) for lst in listings)
    for url in plan.good:
        page = service.crawl.page_by_key(url_key(url))
        if page and page["state"] == "pending" and _robots_kept_away(page["error"] or "", False):
            continue
        if page is None and robots_away:
            continue
        if page is None or page["state"] != "done" or not page["article_id"]:
            state = None if page is None else (page["state"], page["error"])
            return f"good article {url} not stored: {state}"
    for url, hostile in plan.bad:
        # its error recorded (failed, or pending a retry), or fetched where the target was harmless
        page = service.crawl.page_by_key(url_key(url))
        state = page and (page["state"], page["error"])
        shown = f"{url} redirecting to {hostile.label} {_show(hostile.location)}"
        if page is None and robots_away:
            continue
        if page is None or (page["state"] in ("failed", "pending") and not page["error"]):
            return f"hostile page {shown} without its error: {state}"
        if page["state"] not in ("failed", "pending", "done", "skipped"):
            return f"hostile page {shown} left {state}"
        if hostile.must_refuse and page["state"] in ("done", "skipped"):
            return f"hostile page {shown} fetched instead of refused"
    if plan.bad_listing is not None:
        listing = next((lst for lst in listings if lst.url == plan.bad_listing), None)
        if listing is None or not listing.last_error:
            return f"listing {plan.bad_listing} redirecting hostile-ly has no error recorded"
    return None


def _settings(folder: Path, database_url: str | None = None) -> Settings:
    return Settings(
        data_dir=folder,
        database_url=database_url,
        fetch_per_host_interval=0.0,
        fetch_retries=0,
        fetch_deadline=3.0,
        fetch_timeout=2.0,
    )


def _watch_rounds(
    here: Site, settings: Settings, tally: Tally, budget: Budget, cases, rng, first: int
) -> int:
    """Watch rounds on one store until the budget is spent (one at least); returns rounds done."""
    from caunoi.ingest.sources import make_spec
    from caunoi.ingest.watch import policy_from
    from caunoi.service import Service

    done = 0
    with Service(settings) as service:
        while done == 0 or budget:
            n = first + done
            what = f"watch round {n} ({(settings.database_url and 'postgresql') or 'sqlite'})"
            try:
                plan = _build_round(here, n, rng, cases)
                spec = make_spec({**plan.source, "allow_private": True, "poll_minutes": 10})
                source_id = service.sources.add(spec)[0]
                net = LoopbackOnly()
                fetcher = Fetcher(policy_from(settings), guard=AddressGuard(resolve), network_backend=net)

                async def go(fetcher=fetcher, source_id=source_id):
                    async with service.watcher(fetcher) as watcher:
                        # what follows a round (enrichment, stories, alerts) reads stored articles
                        # only, and takes twice the round's time: the CLI cases run it
                        watcher.after_round = None
                        return await asyncio.wait_for(
                            watcher.run_once([source_id], force=True), ROUND_TIMEOUT
                        )

                result = asyncio.run(go())
                outcome = _check_round(service, plan, result)
                if outcome is None and net.elsewhere:
                    outcome = f"a connection to {net.elsewhere[-1][1]} was attempted"
                service.sources.disable(source_id)
            except TimeoutError:
                outcome = f"no end within {ROUND_TIMEOUT:.0f} s"
            except Exception as exc:  # what escapes is what this counts
                outcome = f"{type(exc).__name__}: {str(exc)[:200]}"
            tally.case(outcome is None, f"{what}: {outcome}")
            done += 1
    return done


# -- case kind 3: the commands ----------------------------------------------------------------------

CLI_ENV = {
    "CAUNOI_FETCH_PER_HOST_INTERVAL": "0",
    "CAUNOI_FETCH_RETRIES": "0",
    "CAUNOI_FETCH_DEADLINE": "3",
    "CAUNOI_FETCH_TIMEOUT": "2",
}


CLI_WATCH_SECONDS = 8.0  # a `caunoi watch` case runs only with this much budget left (its first
# round loads the enrichment's models: seconds that a short run in `make test` does not have)


def _cli_cases(here: Site, settings: Settings, tally: Tally, budget: Budget, cases, rng, first: int) -> None:
    """`caunoi fetch` of a hostile redirect (one at least) and, time allowing, `caunoi watch --once
    --now` of a hostile source: in-process, with the fake DNS."""
    from support.cli import caunoi

    n = first
    with mock.patch("caunoi.net.guard.system_resolver", resolve):
        while n == first or budget:
            hostile = next(cases)
            host = f"f{n}.{DOMAIN}"
            here.redirect(f"/f{n}", hostile, host)
            what = f"caunoi fetch of a page redirecting to {hostile.label} {_show(hostile.location)}"
            proc = caunoi(
                settings, "fetch", here.url(host, f"/f{n}"), "--allow-private", check=False, env=CLI_ENV
            )
            held = proc.returncode in (0, 1) and "Traceback" not in proc.stderr
            tally.case(held, f"{what}: exit {proc.returncode} {proc.stderr[-200:]}")
            n += 1
            if budget.left > CLI_WATCH_SECONDS:
                _cli_watch(here, settings, tally, cases, rng, n, caunoi)
                n += 1


def _cli_watch(here: Site, settings: Settings, tally: Tally, cases, rng, n: int, caunoi) -> None:
    from caunoi.ingest.sources import make_spec
    from caunoi.service import Service

    plan = _build_round(here, n, rng, cases)
    with Service(settings) as service:
        for source in service.sources.list():
            service.sources.disable(source.id)
        service.sources.add(make_spec({**plan.source, "allow_private": True, "poll_minutes": 10}))
    proc = caunoi(settings, "watch", "--once", "--now", "--json", check=False, env=CLI_ENV)
    outcome = None
    if proc.returncode != 0 or "Traceback" in proc.stderr:
        outcome = f"exit {proc.returncode} {proc.stderr[-200:]}"
    else:
        with Service(settings) as service:
            outcome = _check_round(service, plan, {})
    tally.case(outcome is None, f"caunoi watch --once --now, round {n}: {outcome}")


# -- the area ---------------------------------------------------------------------------------------


def _postgres_url() -> str | None:
    """The test PostgreSQL (CAUNOI_TEST_PG_URL) if it answers, else None."""
    url = os.environ.get("CAUNOI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
    try:
        import psycopg

        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=2).close()
    except Exception:  # no server, no driver: SQLite alone then
        return None
    return url


@contextlib.contextmanager
def _pg_schema(url: str) -> Iterator[str]:
    import uuid

    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    schema = f"caunoi_adv_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def run(budget_s: float, seed: int = 0) -> Tally:
    tally = Tally("redirects")
    rng = random.Random(seed)
    cases = hostile_cases(rng)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="caunoi-adv-redirects-") as tmp, site() as here:
        # a share of the budget for each kind; each kind runs one case at least
        asyncio.run(_fetch_cases(here, tally, Budget(budget_s * 0.4), cases, rng))
        pg = _postgres_url()
        stores = [("sqlite", None)] + ([("postgresql", pg)] if pg else [])
        rounds = 0
        for i, (name, url) in enumerate(stores):
            left = budget_s - (time.monotonic() - started)
            share = left * 0.6 / (len(stores) - i)
            with contextlib.ExitStack() as stack:
                database_url = stack.enter_context(_pg_schema(url)) if url else None
                settings = _settings(Path(tmp) / name, database_url)
                rounds += _watch_rounds(here, settings, tally, Budget(share), cases, rng, rounds)
        left = budget_s - (time.monotonic() - started)
        # on the SQLite store of the rounds: a store of its own would cost a second of migrations
        _cli_cases(here, _settings(Path(tmp) / "sqlite"), tally, Budget(left), cases, rng, 100_000)
    return tally
