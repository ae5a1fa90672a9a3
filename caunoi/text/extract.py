"""Main text and metadata of an HTML page, with trafilatura."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import trafilatura

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str  # paragraphs separated by "\n"
    author: str | None
    published: str | None  # as the page gave it; parsed later
    sitename: str | None
    lang: str | None  # as the page declared it
    url: str | None
    category: str | None


def extract_html(html: str, url: str | None = None) -> Extracted | None:
    """Article text and metadata; None when the page has no main text to find."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=False,
        deduplicate=False,
    )
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    if not text.strip():
        return None
    page_url = data.get("url") or url
    site = data.get("sitename") or (host_of(page_url) if page_url else None)
    categories = data.get("categories")
    return Extracted(
        title=data.get("title") or "",
        text=text,
        author=data.get("author"),
        published=data.get("date"),
        sitename=site,
        lang=data.get("language"),
        url=page_url,
        category=", ".join(categories) if isinstance(categories, list) and categories else None,
    )


def host_of(url: str) -> str | None:
    """'https://www.dantri.com.vn/the-gioi/x.htm' -> 'dantri.com.vn'."""
    host = urlsplit(url).hostname
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host
