"""Article links from RSS / Atom feeds (feedparser) and from news sitemaps and sitemap indexes.

Parsing never fetches anything and never raises for bad input: it returns what it could read
and, when the document is not usable, a one-line `error` for the source's health record.
"""

from __future__ import annotations

import calendar
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
from lxml import etree

from caunoi.net.urls import BadURL, canonical_url
from caunoi.text.timestamps import parse_timestamp, to_local

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
MAX_TITLE_CHARS = 1000  # of a title a feed gives: a hint, not the article's own
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Link:
    """An article a feed or sitemap announces."""

    url: str  # canonical
    title: str | None = None
    published: datetime | None = None  # naive local time, as stored articles have it
    lang: str | None = None


@dataclass
class Listing:
    links: list[Link] = field(default_factory=list)
    sitemaps: list[tuple[str, datetime | None]] = field(default_factory=list)  # children of an index
    kind: str = ""  # rss20, atom10, urlset, sitemapindex…
    error: str | None = None
    warning: str | None = None


def _looks_like_html(body: bytes) -> bool:
    return bool(_HTML_START.match(body[:2048]))


def _struct_to_dt(value) -> datetime | None:
    if not value:
        return None
    try:
        return to_local(datetime.fromtimestamp(calendar.timegm(value), UTC))
    except (OverflowError, ValueError, TypeError):
        return None


def parse_feed(body: bytes, url: str, charset: str | None = None) -> Listing:
    """RSS 0.9x/1.0/2.0 or Atom: the entries' links, titles and dates."""
    if not body.strip():
        return Listing(error="empty feed")
    if _looks_like_html(body):
        return Listing(error="not a feed: the server sent an HTML page")
    headers = {
        "content-location": url,
        "content-type": f"application/xml; charset={charset}" if charset else "application/xml",
    }
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False)
    except Exception as exc:  # feedparser's own bugs on hostile input, e.g. &#xD800; (a UnicodeError)
        return Listing(error=f"unreadable feed ({type(exc).__name__}: {str(exc)[:200]})")
    listing = Listing(kind=parsed.get("version") or "")
    for entry in parsed.entries:
        link = entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else None)
        if not link:
            continue
        try:
            link = canonical_url(link, base=url)
        except BadURL:
            continue
        published = _struct_to_dt(entry.get("published_parsed") or entry.get("updated_parsed"))
        listing.links.append(Link(url=link, title=_text(entry.get("title")), published=published))
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        message = f"{type(problem).__name__}: {problem}".strip() if problem else "malformed"
        if not listing.links:
            listing.error = f"malformed feed ({message[:200]})"
        else:
            listing.warning = f"feed not well-formed, read anyway ({message[:200]})"
    elif not listing.kind and not listing.links:
        listing.error = "not a feed (no RSS or Atom root element)"
    return listing


def _gunzip(body: bytes) -> bytes:
    """A .xml.gz body, decompressed with the protocol's size limit (a gzip bomb stops there)."""
    out = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = out.decompress(body, MAX_SITEMAP_BYTES + 1)
    if len(data) > MAX_SITEMAP_BYTES or out.unconsumed_tail:
        raise ValueError(f"sitemap larger than {MAX_SITEMAP_BYTES:,} bytes uncompressed")
    if not out.eof:
        raise ValueError("truncated gzip data")
    return data


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, url: str) -> Listing:
    """A sitemap (<urlset>, Google News extensions read) or a sitemap index (<sitemapindex>)."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = _gunzip(body)
        except (ValueError, zlib.error, EOFError, gzip.BadGzipFile) as exc:
            return Listing(error=f"bad gzip sitemap: {exc}")
    if not body.strip():
        return Listing(error="empty sitemap")
    if _looks_like_html(body):
        return Listing(error="not a sitemap: the server sent an HTML page")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return Listing(error=f"malformed sitemap XML ({exc})"[:240])
    kind = _local(root.tag)
    listing = Listing(kind=kind)
    if kind == "sitemapindex":
        for node in root:
            if _local(node.tag) != "sitemap":
                continue
            fields = {_local(c.tag): (c.text or "").strip() for c in node}
            if not fields.get("loc"):
                continue
            try:
                child = canonical_url(fields.get("loc", ""), base=url)
            except BadURL:
                continue
            listing.sitemaps.append((child, _when(fields.get("lastmod"))))
        return listing
    if kind != "urlset":
        listing.error = f"not a sitemap (root element <{kind}>)"
        return listing
    for node in root:
        if _local(node.tag) != "url":
            continue
        loc, lastmod, title, published, lang = "", None, None, None, None
        for child in node:
            name = _local(child.tag)
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = _when(child.text)
            elif name == "news":
                for item in child.iter():
                    sub = _local(item.tag)
                    if sub == "title":
                        title = _text(item.text)
                    elif sub == "publication_date":
                        published = _when(item.text)
                    elif sub == "language":
                        lang = _text(item.text, 35)
        if not loc:
            continue
        try:
            link = canonical_url(loc, base=url)
        except BadURL:
            continue
        listing.links.append(Link(url=link, title=title, published=published or lastmod, lang=lang))
    return listing


def _when(value: str | None) -> datetime | None:
    """A W3C datetime as naive local time; None for what is not one."""
    if not value or not value.strip():
        return None
    try:
        return parse_timestamp(value.strip()[:100])
    except (ValueError, OverflowError):
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _text(value: object, limit: int = MAX_TITLE_CHARS) -> str | None:
    """A title or language as a feed gives it, fit to store: no control characters or lone
    surrogates (PostgreSQL takes no NUL), at most `limit` characters; None when empty."""
    if not isinstance(value, str):
        return None
    return _CONTROL.sub("", value).strip()[:limit] or None
