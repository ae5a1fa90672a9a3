"""URL canonicalisation: one spelling per page, so a page seen once is never fetched again."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only say how a reader arrived; they never change the page.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|"
    r"ref_src|ref_url|cmpid|ncid|ocid|sr_share|zarsrc|zalo_\w+|vn_source|vn_medium|"
    r"vn_campaign|vn_content|vn_term|__twitter_impression|at_\w+|spm|scm|s_cid|xtor|ito|CMP|WT\.\w+)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class BadURL(ValueError):
    """Not an http(s) URL we can fetch; the message says why."""


def canonical_url(url: str, base: str | None = None) -> str:
    """The one spelling of `url`: scheme and host lower-cased, default port, fragment and tracking
    parameters dropped, path percent-encoding normalised.

    >>> canonical_url("HTTPS://VnExpress.net:443/a%2db.html?utm_source=fb&id=3#top")
    'https://vnexpress.net/a-b.html?id=3'
    """
    url = url.strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"malformed URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise BadURL(f"not an http(s) URL: {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL(f"URL has no host: {url!r}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        raise BadURL(f"URL host cannot be encoded: {url!r}") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~%") or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)],
        doseq=True,
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """sha256 of the canonical URL: the key of the fetched-pages table."""
    return hashlib.sha256(canonical_url(url).encode()).hexdigest()


def origin_of(url: str) -> str:
    """'https://vnexpress.net/x/y' -> 'https://vnexpress.net' (what robots.txt governs)."""
    parts = urlsplit(canonical_url(url))
    return f"{parts.scheme}://{parts.netloc}"
