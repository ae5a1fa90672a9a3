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
# A host name as DNS has it (letters, digits, hyphens; underscores occur) once IDNA-encoded, ≤ 253
# characters: what is not (spaces, "%", "\\", control characters) names no host we could reach.
_HOST = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")
MAX_URL_CHARS = 8192  # longer is no page address (browsers and servers stop near here too)


class BadURL(ValueError):
    """Not an http(s) URL we can fetch; the message says why."""


def canonical_url(url: str, base: str | None = None) -> str:
    """The one spelling of `url`: scheme and host lower-cased, default port, fragment and tracking
    parameters dropped, path percent-encoding normalised. Whatever the text, the answer is such a
    spelling or BadURL saying why there is none.

    >>> canonical_url("HTTPS://VnExpress.net:443/a%2db.html?utm_source=fb&id=3#top")
    'https://vnexpress.net/a-b.html?id=3'
    """
    try:
        return _canonical(url, base)
    except BadURL:
        raise
    except ValueError as exc:  # urllib's own complaints, and UnicodeErrors (a lone surrogate…)
        raise BadURL(f"malformed URL {_shown(url)}: {exc}") from None


def _canonical(url: str, base: str | None) -> str:
    if len(url) > MAX_URL_CHARS:
        raise BadURL(f"URL longer than {MAX_URL_CHARS:,} characters: {_shown(url)}")
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    port = parts.port
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise BadURL(f"not an http(s) URL: {_shown(url)}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL(f"URL has no host: {_shown(url)}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        raise BadURL(f"URL host cannot be encoded: {_shown(url)}") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    elif len(host) > 253 or not _HOST.match(host) or any(len(label) > 63 for label in host.split(".")):
        raise BadURL(f"URL host is not a host name: {_shown(url)}")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~%") or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)],
        doseq=True,
    )
    canonical = urlunsplit((scheme, netloc, path, query, ""))
    if len(canonical) > MAX_URL_CHARS:  # percent-encoding can triple a length
        raise BadURL(f"URL longer than {MAX_URL_CHARS:,} characters: {_shown(url)}")
    return canonical


def _shown(url: str) -> str:
    """A URL quoted in a message: its first 200 characters."""
    return repr(url) if len(url) <= 200 else f"{url[:199]!r}…"


def url_key(url: str) -> str:
    """sha256 of the canonical URL: the key of the fetched-pages table."""
    return hashlib.sha256(canonical_url(url).encode()).hexdigest()


def origin_of(url: str) -> str:
    """'https://vnexpress.net/x/y' -> 'https://vnexpress.net' (what robots.txt governs)."""
    parts = urlsplit(canonical_url(url))
    return f"{parts.scheme}://{parts.netloc}"
