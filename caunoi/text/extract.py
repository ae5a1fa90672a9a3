"""Main text and metadata of an HTML page, with trafilatura, plus what Vietnamese news pages need on top:
the lead paragraph (sapo) that trafilatura often drops, the headline as the page shows it, and the
outlets' chrome containers taken out before extraction (caunoi/data/sapo_selectors.tsv).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from caunoi.text.fold import fold, tokens

log = logging.getLogger(__name__)

SELECTORS_PATH = Path(__file__).resolve().parent.parent / "data" / "sapo_selectors.tsv"

SAPO_MIN, SAPO_MAX = 30, 1500  # characters: shorter is a label, longer is not a lead
NEAR_TITLE = 25  # text blocks after the headline within which a lead must start
HEADLINE_WORDS = 6  # an article headline has at least this many words (syllables); a section name fewer
META_MIN = 40  # characters of og:description needed to recognise the lead block by it
LINK_MAX = 160  # characters: a headline in a link list
TITLE_OVERLAP = 0.5  # share of the headline's words the metadata title must have for the <h1> to win

# Letters only Vietnamese uses among Latin scripts (French has â, ê, ô but none of these).
_VI_LETTERS = set("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĩũ")
_BLOCKS = ("p", "h2", "h3", "h4", "div", "section", "span", "li", "blockquote", "strong", "em", "b")
_SITE_SUFFIX = re.compile(r"\s+[-–|]\s+[^-–|]{2,40}$")  # "… - VnExpress" after og:description
_ELLIPSIS = re.compile(r"\s*(\.\.\.|…)\s*$")


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str  # paragraphs separated by "\n", the sapo first when the page has one
    author: str | None
    published: str | None  # as the page gave it; parsed later
    sitename: str | None
    lang: str | None  # as the page declared it
    url: str | None
    category: str | None
    sapo: str | None = None  # the lead paragraph as the page printed it, when one was found


def extract_html(html: str, url: str | None = None) -> Extracted | None:
    """Article text and metadata; None when the page has no main text to find."""
    tree = load_html(html)
    if tree is None:
        return None
    page_url = url or canonical_url(tree)
    host = host_of(page_url) if page_url else None
    rules = rules_for(host)
    heading = headline(tree)
    sapo = find_sapo(tree, rules.sapo, heading)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=False,
        # No readability/jusText fallback: on the Zyte benchmark it cost F1 (0.964 -> 0.967 without
        # it, same on our Vietnamese pages) and time; chosen on that benchmark, see BENCHMARKS.md.
        fast=True,
        deduplicate=False,
        prune_xpath=rules.drop or None,
    )
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    if not text.strip():
        return None
    title = data.get("title") or ""
    if heading and (not title or _same_story(heading, title)):
        title = heading
    text = drop_title_lines(text, title)
    if sapo:
        text = place_sapo(drop_leading_links(text, tree), sapo)
    page_url = data.get("url") or page_url
    site = data.get("sitename") or (host_of(page_url) if page_url else None)
    categories = data.get("categories")
    return Extracted(
        title=title,
        text=text,
        author=data.get("author"),
        published=data.get("date"),
        sitename=site,
        lang=data.get("language"),
        url=page_url,
        category=", ".join(categories) if isinstance(categories, list) and categories else None,
        sapo=sapo,
    )


def host_of(url: str) -> str | None:
    """'https://www.dantri.com.vn/the-gioi/x.htm' -> 'dantri.com.vn'; None when it has none, or
    does not parse ('http://[::1')."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


# -- the lead paragraph -----------------------------------------------------------------------


def find_sapo(tree: HtmlElement, site_rules: list[str], heading: str | None = None) -> str | None:
    """The page's lead paragraph: the outlet's own lead block (sapo_selectors.tsv) when the host is
    known; otherwise, on a Vietnamese page, a block near the headline whose class or role says
    "sapo" (or "chapeau"), or the block the og:description / meta description is the start of.
    Every candidate must start within the first text blocks after the <h1>; a page without a single
    <h1> gets only the outlet's own rules, and one whose <h1> is a section name ("Kinh doanh") none."""
    if heading is not None and len(heading.split()) < HEADLINE_WORDS:
        return None  # a section front ("Kinh doanh"): its lead-like blocks are teasers
    blocks = _blocks_after(tree, heading)
    for xpath in site_rules:
        for element in tree.xpath(xpath):
            found = block_text(element)
            if (
                _lead_sized(found)
                and not _same_text(found, heading)
                and (heading is None or _near(element, blocks))
            ):
                return found
    if heading is None:
        return None  # no headline to be near: only the outlet's own rules are trusted
    for xpath in rules_for(None).sapo:
        for element in tree.xpath(xpath):
            found = block_text(element)
            if (
                _lead_sized(found)
                and _vietnamese(found)
                and not _same_text(found, heading)
                and _near(element, blocks)
            ):
                return found
    return _sapo_from_meta(tree, blocks, heading)


def _sapo_from_meta(tree: HtmlElement, blocks: list[HtmlElement], heading: str | None) -> str | None:
    """The first block near the headline whose text starts with the page's description."""
    for value in tree.xpath(
        "//meta[@property='og:description']/@content | //meta[@name='description']/@content"
    ):
        described = _SITE_SUFFIX.sub("", _ELLIPSIS.sub("", " ".join(str(value).split())))
        if len(described) < META_MIN or not _vietnamese(described):
            continue
        want = _key(described)
        for element in blocks[:NEAR_TITLE]:
            found = block_text(element)
            if _lead_sized(found) and _key(found).startswith(want) and not _same_text(found, heading):
                return found
    return None


def place_sapo(text: str, sapo: str | None) -> str:
    """`text` with `sapo` as its first paragraph: moved there when the extractor kept it elsewhere
    (compared without case, diacritics or punctuation), added when it was dropped."""
    if not sapo:
        return text
    lines = text.split("\n")
    want = _key(sapo)
    for i, line in enumerate(lines):
        have = _key(line)
        if not have:
            continue
        if have == want or have.startswith(want + " "):
            return "\n".join([line, *lines[:i], *lines[i + 1 :]])  # kept (maybe with more after it)
        if want.startswith(have + " ") and len(have) >= len(want) // 2 and i < 3:
            return "\n".join([sapo, *lines[:i], *lines[i + 1 :]])  # kept in part: the whole lead wins
    return "\n".join([sapo, *lines])


def drop_leading_links(text: str, tree: HtmlElement) -> str:
    """`text` without the run of link texts it starts with ("Tin nóng" columns, breadcrumbs of
    headlines): two or more first lines that are each the whole text of a link on the page. Used on
    pages with a lead paragraph, whose article text starts with that lead, not with links."""
    lines = text.split("\n")
    links = {_key(block_text(a)) for a in tree.iter("a")} - {""}
    run = 0
    while run < len(lines) - 1 and len(lines[run]) <= LINK_MAX and _key(lines[run]) in links:
        run += 1
    return "\n".join(lines[run:]) if run >= 2 else text


def drop_title_lines(text: str, title: str) -> str:
    """`text` without the headline repeated as its first line(s) (dantri and cafef print the <h1>
    inside the article block)."""
    want = _key(title)
    if not want:
        return text
    lines = text.split("\n")
    start = 0
    while start < min(len(lines) - 1, 2) and _key(lines[start]) == want:
        start += 1
    return "\n".join(lines[start:])


def headline(tree: HtmlElement) -> str | None:
    """The headline as the page shows it: the one non-empty <h1>, if there is exactly one."""
    found = {block_text(h) for h in tree.iter("h1")} - {""}
    if len(found) != 1:
        return None
    (text,) = found
    return text if len(text) <= 300 else None


def canonical_url(tree: HtmlElement) -> str | None:
    for value in tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        if str(value).startswith(("http://", "https://")):
            return str(value)
    return None


def block_text(element: HtmlElement) -> str:
    """An element's text with runs of white space made one space, as NFC."""
    return unicodedata.normalize("NFC", " ".join(element.text_content().split()))


def _blocks_after(tree: HtmlElement, heading: str | None) -> list[HtmlElement]:
    """Text-bearing block elements in document order, from the <h1> showing `heading` on (from the
    body's start when there is no heading)."""
    body = tree.find("body")
    if body is None:
        return []
    started = heading is None
    found: list[HtmlElement] = []
    for element in body.iter(*_BLOCKS, "h1"):
        if element.tag == "h1":
            started = started or block_text(element) == heading
        elif started and (element.text or "").strip():
            found.append(element)
    return found


def _near(element: HtmlElement, blocks: list[HtmlElement]) -> bool:
    """True when `element` (or a block inside it) is one of the first text blocks after the headline."""
    first = blocks[:NEAR_TITLE]
    return any(b is element or element in b.iterancestors() for b in first)


def _lead_sized(text: str) -> bool:
    return SAPO_MIN <= len(text) <= SAPO_MAX


def _vietnamese(text: str) -> bool:
    letters = [ch for ch in text.lower() if ch.isalpha()]
    marked = sum(ch in _VI_LETTERS for ch in letters)
    return marked >= 3 and marked >= 0.03 * len(letters)


def _key(text: str | None) -> str:
    """Words only, folded: how two copies of one paragraph are compared."""
    return " ".join(tokens(fold(unicodedata.normalize("NFC", text or ""))))


def _same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and _key(a) == _key(b)


def _same_story(heading: str, title: str) -> bool:
    """True when the metadata title is a variant of the page's <h1> (SEO wording, a site suffix),
    not some other text such as a site name in an <h1> logo."""
    want, have = set(_key(heading).split()), set(_key(title).split())
    return bool(want) and len(want & have) >= TITLE_OVERLAP * len(want)


# -- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteRules:
    sapo: list[str]  # XPath expressions, in the order they are tried
    drop: list[str]  # XPath expressions of containers removed before extraction


def rules_for(host: str | None) -> SiteRules:
    """The rules of `host` (and of the sites it is a subdomain of); None gives the generic ones."""
    table = load_selectors()
    if host is None:
        return table.get("*", SiteRules([], []))
    sapo: list[str] = []
    drop: list[str] = []
    parts = host.lower().split(".")
    for i in range(len(parts) - 1):
        found = table.get(".".join(parts[i:]))
        if found:
            sapo += found.sapo
            drop += found.drop
    return SiteRules(sapo, drop)


@cache
def load_selectors(path: Path = SELECTORS_PATH) -> dict[str, SiteRules]:
    """host -> rules, read from the tab-separated file (lines starting with "#" and the header skipped)."""
    table: dict[str, SiteRules] = {}
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not row.strip() or row.startswith("#") or row.startswith("host\t"):
            continue
        try:
            host, kind, selector = row.split("\t")[:3]
        except ValueError:
            raise ValueError(f"{path}:{number}: expected tab-separated host, kind, selector") from None
        if kind not in ("sapo", "drop"):
            raise ValueError(f"{path}:{number}: kind must be sapo or drop, not {kind!r}")
        rules = table.setdefault(host.strip().lower(), SiteRules([], []))
        getattr(rules, kind).append(selector_xpath(selector.strip()))
    return table


_SIMPLE = re.compile(r"(?P<tag>[a-z][a-z0-9]*|\*)?(?P<rest>(?:\.[\w-]+|\[[\w-]+[*^]?=[^\]]*\])*)$")
_PART = re.compile(r"\.(?P<cls>[\w-]+)|\[(?P<attr>[\w-]+)(?P<op>[*^]?=)(?P<value>[^\]]*)\]")


def selector_xpath(selector: str) -> str:
    """A small CSS subset as XPath: tag, .class (a whole class token), [attr=value], [attr*=value]
    (contains), [attr^=value] (starts with), combined without spaces: "h2.detail-sapo",
    "[data-slot=sapo]", "div[class*=sapo]"."""
    match = _SIMPLE.fullmatch(selector)
    if not match or not selector:
        raise ValueError(f"unsupported selector {selector!r}")
    tests = []
    for part in _PART.finditer(match["rest"]):
        if part["cls"]:
            tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {part['cls']} ')")
            continue
        attr, op, value = part["attr"], part["op"], part["value"].strip("'\"")
        if "'" in value:
            raise ValueError(f"unsupported selector {selector!r}")
        if op == "=":
            tests.append(f"@{attr}='{value}'")
        elif op == "*=":
            tests.append(f"contains(@{attr}, '{value}')")
        else:
            tests.append(f"starts-with(@{attr}, '{value}')")
    return f"//{match['tag'] or '*'}" + "".join(f"[{test}]" for test in tests)
