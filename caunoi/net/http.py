"""Polite, safe HTTP GET: robots.txt, per-host pacing, global concurrency, retries, limits.

`Fetcher.get` never raises for a network or server problem: it returns a `FetchResult` whose
`error` says what went wrong in one line and whose `permanent` says whether trying again later
could help. Only programming errors propagate.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpcore
import httpx
from protego import Protego

from caunoi import __version__
from caunoi.net.guard import NO_PERMIT, AddressGuard, GuardedBackend, Permit, Refused, permit_scope
from caunoi.net.urls import BadURL, canonical_url, origin_of

log = logging.getLogger(__name__)

USER_AGENT_TOKEN = "CauNoiBot"


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how carefully we fetch; see Settings for the user-facing names."""

    user_agent: str = (
        f"{USER_AGENT_TOKEN}/{__version__} (Cau Noi media monitor; +https://github.com/caunoi/caunoi)"
    )
    concurrency: int = 8  # requests in flight, all hosts together
    per_host_interval: float = 1.0  # seconds between two requests to one host
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay above this is capped
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between two chunks of the body
    deadline: float = 60.0  # one whole request, body included (a slow drip ends here)
    max_bytes: int = 10 * 1024 * 1024  # body, after decompression
    max_redirects: int = 5
    retries: int = 3  # after the first try, for timeouts, 429 and 5xx
    backoff: float = 1.0  # first retry after ~this many seconds, doubling, with jitter
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for: the fetch fails for now
    robots_ttl: float = 24 * 3600
    obey_robots: bool = True


# What each kind of fetch accepts; a body of another type is refused with a clear message.
_ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": (
        "application/rss+xml,application/atom+xml,application/rdf+xml,application/xml,"
        "text/xml;q=0.9,*/*;q=0.1"
    ),
    "sitemap": "application/xml,text/xml,application/x-gzip;q=0.9,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BINARY = re.compile(r"^(image|audio|video|font)/|^application/(pdf|zip|octet-stream|msword|vnd\.)")


@dataclass
class FetchResult:
    url: str  # as asked (canonical)
    final_url: str
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None  # media type only, lower case
    charset: str | None = None  # as the server declared it
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    permanent: bool = False  # trying again will not help (404, refused, too big, wrong type…)
    retry_after: float | None = None  # the server asked us to wait this long
    attempts: int = 0
    elapsed: float = 0.0
    redirects: list[str] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        return self.error is None


class _Retry(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class _Fail(Exception):
    def __init__(self, message: str, permanent: bool = True, status: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.status = status


class _HostPacer:
    """At most one request per `interval` seconds to each host, in arrival order.

    `wait` queues a request for its host's turn before it takes a concurrency slot (so requests
    waiting for a busy host hold no slot); `sent` is called once it has a slot, just before the
    request goes out, and holds it back if it would still come too soon after the last one sent
    to that host (a slot can be slow to come, so two turns could otherwise bunch up)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}
        self._send_locks: dict[str, asyncio.Lock] = {}
        self._last_sent: dict[str, float] = {}

    async def wait(self, host: str, interval: float) -> None:
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            delay = self._next.get(host, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next[host] = time.monotonic() + interval

    async def sent(self, host: str, interval: float) -> None:
        lock = self._send_locks.setdefault(host, asyncio.Lock())
        async with lock:
            last = self._last_sent.get(host)
            if last is not None and (delay := last + interval - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            self._last_sent[host] = time.monotonic()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After in seconds, from either form the header takes ("120" or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media.strip().lower() or None, charset


def _type_problem(kind: str, media: str | None) -> str | None:
    """Why a body of `media` type is not what a `kind` fetch wants; None when acceptable."""
    if media is None:
        return None  # undeclared: the parser decides
    if kind == "page":
        if media in _HTML_TYPES:
            return None
        return f"not an HTML page (content-type {media})"
    if kind in ("feed", "sitemap") and _BINARY.match(media) and "gzip" not in media:
        if kind == "sitemap" and media == "application/octet-stream":
            return None  # .xml.gz sitemaps are often served so
        return f"not a {kind} (content-type {media})"
    return None


class Fetcher:
    """One HTTP client for a run; use as `async with Fetcher(policy) as f: await f.get(url)`."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        guard: AddressGuard | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        network_backend=None,
    ):
        self.policy = policy or FetchPolicy()
        self.guard = guard or AddressGuard()
        if transport is None:
            transport = httpx.AsyncHTTPTransport(retries=0, trust_env=False)
            # Connect only to addresses the guard checked (see guard.py); httpx has no public hook.
            transport._pool = _guarded_pool(GuardedBackend(self.guard, network_backend), self.policy)
        self.client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # a proxy would resolve names itself, out of the guard's sight
            timeout=httpx.Timeout(
                connect=self.policy.connect_timeout,
                read=self.policy.read_timeout,
                write=self.policy.read_timeout,
                pool=None,
            ),
            headers={"User-Agent": self.policy.user_agent, "Accept-Language": "vi,en;q=0.8,*;q=0.5"},
            event_hooks={"response": [_set_location_aside]},
        )
        self._slots = asyncio.Semaphore(self.policy.concurrency)
        self._pacer = _HostPacer()
        self._robots: dict[str, tuple[float, Protego | None, str | None]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self.requests = 0  # HTTP requests actually sent, robots.txt included

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- the one public operation ----------------------------------------------------------

    async def get(
        self,
        url: str,
        *,
        kind: str = "page",
        permit: Permit = NO_PERMIT,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET `url` politely; follows redirects itself, checking each hop with the guard."""
        started = time.monotonic()
        try:
            url = fetchable_url(url)
        except BadURL as exc:
            return FetchResult(url=url, final_url=url, error=str(exc), permanent=True)
        result = FetchResult(url=url, final_url=url)
        with permit_scope(permit):
            try:
                await self._follow(result, kind, permit, etag, last_modified)
            except _Fail as exc:
                result.error, result.permanent = str(exc), exc.permanent
                result.status = exc.status or result.status
        result.elapsed = time.monotonic() - started
        if result.error:
            log.info("fetch %s failed: %s", url, result.error)
        return result

    async def _follow(
        self, result: FetchResult, kind: str, permit: Permit, etag: str | None, last_modified: str | None
    ) -> None:
        url = result.url
        for hop in range(self.policy.max_redirects + 1):
            await self._check(url, kind, permit)
            headers = {"Accept": _ACCEPT.get(kind, "*/*")}
            if hop == 0 and etag:
                headers["If-None-Match"] = etag
            if hop == 0 and last_modified:
                headers["If-Modified-Since"] = last_modified
            location = await self._with_retries(result, url, kind, headers)
            if location is None:
                result.final_url = url
                return
            try:
                url = fetchable_url(location, base=url)
            except BadURL as exc:
                raise _Fail(f"bad redirect: {exc}", status=result.status) from None
            if url in result.redirects or url == result.url:
                raise _Fail(f"redirect loop at {shorten(url)}", status=result.status)
            result.redirects.append(url)
        raise _Fail(f"too many redirects (more than {self.policy.max_redirects})", status=result.status)

    async def _check(self, url: str, kind: str, permit: Permit) -> None:
        try:
            await self.guard.check(url, permit)
        except Refused as exc:
            raise _Fail(f"{exc} [{shorten(url)}]") from None
        if kind != "robots" and self.policy.obey_robots and not await self._robots_allow(url, permit):
            raise _Fail(f"disallowed by robots.txt: {shorten(url)}")

    async def _with_retries(self, result: FetchResult, url: str, kind: str, headers: dict) -> str | None:
        """One hop, retried on timeouts, 429 and 5xx; returns the redirect target, if any."""
        for attempt in range(self.policy.retries + 1):
            result.attempts += 1
            try:
                return await self._once(result, url, kind, headers)
            except _Retry as exc:
                if attempt == self.policy.retries:
                    raise _Fail(f"{exc} (gave up after {attempt + 1} tries)", permanent=False) from None
                wait = exc.retry_after
                if wait is not None and wait > self.policy.max_retry_after:
                    result.retry_after = wait
                    raise _Fail(
                        f"{exc}: the server asks to wait {wait:.0f} s, longer than the "
                        f"{self.policy.max_retry_after:.0f} s we wait; retrying later",
                        permanent=False,
                    ) from None
                if wait is None:
                    wait = self.policy.backoff * (2**attempt) * random.uniform(0.5, 1.5)
                log.debug("retry %s in %.2f s: %s", url, wait, exc)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _once(self, result: FetchResult, url: str, kind: str, headers: dict) -> str | None:
        host = httpx.URL(url).host
        interval = self.policy.per_host_interval
        if kind != "robots":
            interval = max(interval, self._crawl_delay(url))
        # the host's turn first, then a slot: a request waiting for its host holds no slot
        await self._pacer.wait(host, interval)
        async with self._slots:
            await self._pacer.sent(host, interval)
            self.requests += 1
            try:
                async with asyncio.timeout(self.policy.deadline):
                    return await self._exchange(result, url, kind, headers)
            except TimeoutError:
                # a slow drip: asking again would only tie up a slot for as long again
                raise _Fail(f"no complete answer within {self.policy.deadline:.0f} s", False) from None
            except httpx.TimeoutException as exc:
                raise _Retry(f"timed out ({type(exc).__name__})") from None
            except httpx.ConnectError as exc:
                cause = exc.__cause__
                while cause is not None and not isinstance(cause, Refused):
                    cause = cause.__cause__ or cause.__context__
                if isinstance(cause, Refused) or "refused to connect to" in str(exc):
                    raise _Fail(str(cause or exc)) from None
                raise _Retry(f"cannot connect: {_brief(exc)}") from None
            except httpx.DecodingError as exc:
                raise _Fail(f"cannot decode the compressed body: {_brief(exc)}") from None
            except httpx.RemoteProtocolError as exc:
                raise _Retry(f"connection broken: {_brief(exc)}") from None
            except (httpx.ReadError, httpx.WriteError) as exc:
                raise _Retry(f"connection broken: {_brief(exc)}") from None
            except httpx.HTTPError as exc:
                raise _Fail(f"HTTP error: {_brief(exc)}") from None

    async def _exchange(self, result: FetchResult, url: str, kind: str, headers: dict) -> str | None:
        async with self.client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            result.status = status
            if status in (301, 302, 303, 307, 308):
                location = response.extensions.get(_LOCATION)
                if not location:
                    raise _Fail(f"HTTP {status} redirect without a Location", status=status)
                return location
            if status == 304:
                result.not_modified = True
                return None
            if status == 429 or status >= 500:
                raise _Retry(
                    f"HTTP {status} {response.reason_phrase}".strip(),
                    parse_retry_after(response.headers.get("retry-after")),
                )
            if status >= 400:
                permanent = status in (400, 401, 403, 404, 405, 406, 410, 414, 451)
                raise _Fail(f"HTTP {status} {response.reason_phrase}".strip(), permanent, status)
            media, charset = _media_type(response.headers.get("content-type"))
            problem = _type_problem(kind, media)
            if problem:
                raise _Fail(problem, status=status)
            declared = response.headers.get("content-length")
            limit = self.policy.max_bytes
            if (
                declared
                and declared.isdigit()
                and int(declared) > limit
                and not response.headers.get("content-encoding")
            ):
                raise _Fail(f"body too large ({int(declared):,} bytes > {limit:,})", status=status)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _Fail(f"body too large (more than {limit:,} bytes)", status=status)
                chunks.append(chunk)
            result.body = b"".join(chunks)
            result.content_type, result.charset = media, charset
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            return None

    # -- robots.txt ----------------------------------------------------------------------

    def _crawl_delay(self, url: str) -> float:
        entry = self._robots.get(origin_of(url))
        if not entry or entry[1] is None:
            return 0.0
        delay = entry[1].crawl_delay(USER_AGENT_TOKEN)
        return min(float(delay), self.policy.max_crawl_delay) if delay else 0.0

    async def _robots_allow(self, url: str, permit: Permit) -> bool:
        origin = origin_of(url)
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._robots.get(origin)
            if entry is None or entry[0] < time.monotonic():
                entry = await self._load_robots(origin, permit)
                self._robots[origin] = entry
        _, rules, disallow_all = entry
        if disallow_all:
            raise _Fail(f"robots.txt of {origin} unavailable ({disallow_all}); not fetching for now", False)
        return rules is None or rules.can_fetch(url, USER_AGENT_TOKEN)

    async def _load_robots(self, origin: str, permit: Permit) -> tuple[float, Protego | None, str | None]:
        """Rules for one origin, as RFC 9309 says: 4xx = no rules; 5xx or unreachable = stay away."""
        found = await self.get(f"{origin}/robots.txt", kind="robots", permit=permit)
        expires = time.monotonic() + self.policy.robots_ttl
        if found.ok:
            text = found.body[:500_000].decode("utf-8", "replace")
            try:
                return expires, Protego.parse(text), None
            except Exception:  # a parser bug on hostile text: as if there were no robots.txt
                log.warning("cannot read %s/robots.txt; no rules taken from it", origin, exc_info=True)
                return expires, None, None
        if found.status is not None and 400 <= found.status < 500:
            return expires, None, None
        if found.status is not None and 300 <= found.status < 400 and found.permanent:
            # a redirect we cannot follow (a bad Location, a loop, too many, a refused target):
            # RFC 9309 2.3.1.2 lets a crawler take the robots.txt as unavailable, as for a 4xx
            return expires, None, None
        # a server error or no connection: try again in a few minutes, fetch nothing meanwhile
        return time.monotonic() + 300, None, found.error or "no answer"


_LOCATION = "caunoi.location"
MAX_SHOWN_URL = 200  # characters of a URL quoted in an error message


async def _set_location_aside(response: httpx.Response) -> None:
    """httpx reads a redirect's Location itself (to offer the next request) and raises on a hostile
    one (`http:x`, `mailto:`, a bad IDNA host, a bad port…) before we see the response. We follow
    redirects ourselves, so the header is moved where httpx does not look, and `_exchange` reads it."""
    if "location" in response.headers:
        response.extensions = {**response.extensions, _LOCATION: response.headers.get("location")}
        del response.headers["location"]


def fetchable_url(url: str, base: str | None = None) -> str:
    """`url` (relative to `base`) in its canonical spelling, checked as httpx will send it; BadURL
    saying why not (httpx decodes an IDNA host more strictly than the canonical spelling does)."""
    url = canonical_url(url, base)
    try:
        httpx.URL(url).host  # noqa: B018 - decoding the host is the check
    except (httpx.InvalidURL, ValueError) as exc:  # idna's errors are UnicodeErrors, ValueErrors
        raise BadURL(f"malformed URL {shorten(url)!r}: {_brief(exc)}") from None
    return url


def _brief(exc: BaseException) -> str:
    """An exception of the HTTP layer as an error message: its first 300 characters (h11 quotes a
    whole bad header line, which can be as long as the server likes)."""
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else f"{text[:299]}…"


def shorten(url: str) -> str:
    """A URL as an error message quotes it: at most MAX_SHOWN_URL characters."""
    return url if len(url) <= MAX_SHOWN_URL else f"{url[: MAX_SHOWN_URL - 1]}…"


def _guarded_pool(backend: GuardedBackend, policy: FetchPolicy):
    return httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=max(policy.concurrency * 2, 10),
        max_keepalive_connections=policy.concurrency,
        keepalive_expiry=30.0,
        http1=True,
        http2=False,
        retries=0,
        network_backend=backend,
    )
