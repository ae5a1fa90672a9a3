"""The ingest stages, in order, over batches of Docs.

Each stage is `stage(docs, ctx) -> docs`: no I/O, no hidden state, so a batch can be
processed in this process, in a process pool, or (later) on Ray with the same code
(caunoi.executors runs `run_stages` over batches; this module knows nothing of where).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from caunoi.config import Settings
from caunoi.models import Doc
from caunoi.text import cleanup, dates, language, vietnamese
from caunoi.text.encoding import DecodeError, decode, fix_legacy_text, storable
from caunoi.text.extract import extract_html, host_of
from caunoi.text.timestamps import parse_timestamp, to_local

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StageContext:
    settings: Settings


Stage = Callable[[list[Doc], StageContext], list[Doc]]


def _each(fn: Callable[[Doc, StageContext], Doc]) -> Stage:
    """A batch stage from a per-document step that leaves skipped docs alone. A step that fails on
    one document skips that document with the reason, and the batch goes on: one strange article
    cannot stop an ingest or a watch round."""

    def step(doc: Doc, ctx: StageContext) -> Doc:
        try:
            return fn(doc, ctx)
        except Exception as exc:  # whatever a library raises on hostile input (lxml, dateparser, …)
            log.warning("%s failed on %s: %s: %s", fn.__name__, doc.origin, type(exc).__name__, exc)
            log.debug("what %s raised", fn.__name__, exc_info=True)  # the traceback, for a developer
            return doc.replace(
                raw=None,
                html=None,
                skip_reason=f"could not process ({fn.__name__}): {type(exc).__name__}: {exc}",
            )

    def stage(docs: list[Doc], ctx: StageContext) -> list[Doc]:
        return [doc if doc.skipped else step(doc, ctx) for doc in docs]

    stage.__name__ = fn.__name__
    stage.__doc__ = fn.__doc__
    return stage


@_each
def decode_raw(doc: Doc, ctx: StageContext) -> Doc:
    """Bytes to text: BOM, declared charset, UTF-8, legacy Vietnamese encodings, detection."""
    if doc.raw is None:
        return doc
    is_html = doc.format in ("html", "warc")
    try:
        text, encoding = decode(doc.raw, doc.meta.get("declared_charset"), html=is_html)
    except DecodeError as exc:
        return doc.replace(raw=None, skip_reason=str(exc))
    if is_html:
        return doc.replace(raw=None, html=text, encoding=encoding)
    return doc.replace(raw=None, text=text, encoding=encoding)


MAX_META_DEPTH = 20  # a record's extra fields nested deeper than this are not kept


def _storable_value(value: Any, depth: int = 0) -> Any:
    """A value of `meta` as both stores keep it in JSON: text storable, no NaN or infinity, no
    integer past what JSON readers take, no nesting past MAX_META_DEPTH."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):  # past 64 bits SQLite's JSON reads it as an approximate real
        return value if abs(value) < 2**63 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth >= MAX_META_DEPTH:
        return None
    if isinstance(value, dict):
        return {storable(str(k)): _storable_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_value(v, depth + 1) for v in value]
    return storable(str(value))


def _usable_url(url: str | None) -> bool:
    try:
        parts = urlsplit(url or "")
        parts.hostname, parts.port  # noqa: B018 (a bracket left open, a bad port: ValueError)
    except ValueError:
        return False
    return True


# The longest outlet, category and language code the stores keep (caunoi/store/schema.py): SQLite
# would take more, PostgreSQL refuses the whole batch.
FIELD_CHARS = {"source": 200, "category": 100}
LANG_CHARS = 8


def _storable_doc(doc: Doc) -> Doc:
    meta = _storable_value(doc.meta)
    url = storable(doc.url) if doc.url else doc.url
    if not _usable_url(url):
        meta["url_given"], url = url, None
    fields = {
        name: storable(value)[: FIELD_CHARS.get(name)]
        for name in ("html", "title", "text", "source", "category", "author", "lang", "attribution")
        if isinstance(value := getattr(doc, name), str)
    }
    if len(fields.get("lang") or "") > LANG_CHARS:  # no language code: what the record said is kept
        meta["lang_given"], fields["lang"] = fields["lang"], None
    return doc.replace(url=url, meta=meta, **fields)


@_each
def make_storable(doc: Doc, ctx: StageContext) -> Doc:
    """Every text field and the extra fields as both stores keep them alike (no NUL, no lone
    surrogate, JSON that PostgreSQL takes); a url that does not parse is kept in meta only.
    `finalise` does it again for what extraction found in the page."""
    return _storable_doc(doc)


_HEADER = re.compile(r"^#\s*([A-Za-z_][\w-]*)\s*[=:]\s*(.*?)\s*$")
_HEADER_FIELDS = {"url", "title", "source", "category", "author", "lang"}


TITLE_SEARCH_LINES = 12  # lines of page chrome a scraped file may start with before its headline
DATELINE_REACH = 3  # lines between a page's headline and its dateline (the byline may sit between)
HEADLINE_WORDS = 5  # a headline has this many words (syllables) at least; a menu item or section fewer
PARAGRAPH_WORDS = 12  # a line of this many words that does not look like a title is a paragraph
_CAPTION = re.compile(r"\((?:Ảnh|ảnh|Photo|photo)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“'‘(]?[^\W\d_])")


def looks_like_title(line: str) -> bool:
    """A headline: short, not ending in a full stop, not a photo caption.

    Scraped text files often start with the sapo or a caption instead (most of vi-news-unc
    does); those are body, not title.
    """
    line = line.strip()
    return 0 < len(line) <= 200 and not line.endswith((".", "…", ":")) and not _CAPTION.search(line)


def lead_paragraph(paragraphs: list[str]) -> str:
    """The lead (sapo): the first paragraph that is not a photo caption."""
    return next((p.strip() for p in paragraphs if p.strip() and not _CAPTION.search(p)), "")


def title_from_lead(paragraphs: list[str], limit: int = 160) -> str:
    """A stand-in title: the first sentence of the lead."""
    sentence = _SENTENCE_END.split(lead_paragraph(paragraphs), maxsplit=1)[0]
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
    return sentence


def split_txt(text: str) -> tuple[dict[str, str], str | None, list[str]]:
    """A .txt article's `# key = value` header, its title line (None when the file starts with
    body, see `looks_like_title`), and its body paragraphs."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header: dict[str, str] = {}
    i = 0
    while i < len(lines) and (m := _HEADER.match(lines[i])):
        header[m.group(1).lower()] = m.group(2)
        i += 1
    body = [line for line in lines[i:] if line.strip()]
    title = header.get("title")
    if title is None and (at := title_line(body)) is not None:
        title = body.pop(at).strip()
        while at < len(body) and body[at].strip() == title:
            body.pop(at)  # vnexpress prints the headline twice (one copy for phones)
    return header, title, body


def title_line(body: list[str]) -> int | None:
    """Where the headline is among the first lines of a .txt article, or None when it starts with body.

    A scraper often keeps page chrome above the headline: a share / font-size / print bar (left in the
    body for clean_chrome), menus, breadcrumbs, other headlines. On a page the headline sits next to
    its dateline ("Thứ bảy, 07/03/2026 - 08:07"), so a headline-sized line within DATELINE_REACH lines
    of one wins; otherwise the first line that is not chrome, when it looks like a title.
    """
    head = []
    for n, line in enumerate(body[:TITLE_SEARCH_LINES]):
        if len(line.split()) >= PARAGRAPH_WORDS and not looks_like_title(line):
            break  # the first paragraph: the headline is above it, a line below it is a subheading
        if not cleanup.chrome_kind(line):
            head.append(n)
    if not head:
        return None
    datelines = [
        n
        for n, line in enumerate(body[: TITLE_SEARCH_LINES + DATELINE_REACH])
        if dates.find_publication_date(line)
    ]
    near = [
        (min(abs(n - d) for d in datelines), n)
        for n in head
        if datelines
        and n not in datelines
        and looks_like_title(body[n])
        and len(body[n].split()) >= HEADLINE_WORDS
    ]
    if near and min(near)[0] <= DATELINE_REACH:
        return min(near)[1]
    # No dateline: menu items or a breadcrumb ("Thế giới", "Quân sự") above a headline-sized line.
    short = list(itertools.takewhile(lambda n: len(body[n].split()) < HEADLINE_WORDS, head))
    if len(short) >= 2 and len(short) < len(head) and looks_like_title(body[head[len(short)]]):
        return head[len(short)]
    return head[0] if looks_like_title(body[head[0]]) else None


@_each
def parse_plaintext(doc: Doc, ctx: StageContext) -> Doc:
    """A .txt article: optional `# key = value` header lines, then the title line, then the body."""
    if doc.format != "txt":
        return doc
    header, title, body = split_txt(doc.text)
    meta = {**doc.meta, **{k: v for k, v in header.items() if k not in _HEADER_FIELDS}}
    if title is None:
        title, meta["title_from"] = title_from_lead(body), "lead"
    fields = {k: v for k, v in header.items() if k in _HEADER_FIELDS and v}
    fields["title"] = title
    if "published" in header or "date" in header:
        meta["published_raw"] = header.get("published") or header.get("date")
    return doc.replace(text="\n".join(body), meta=meta, **fields)


MIN_PAGE_WORDS = 15  # the shortest news brief in our test sets has 66 words; a page menu has a handful
_WORD = re.compile(r"\w+")


@_each
def extract_page(doc: Doc, ctx: StageContext) -> Doc:
    """HTML to main text and metadata (trafilatura); what the reader already knew wins."""
    if not doc.html or doc.text.strip():
        return doc.replace(html=None)
    found = extract_html(doc.html, doc.url)
    if found is None:
        return doc.replace(html=None, skip_reason="no article text found in the HTML page")
    words = len(_WORD.findall(found.text))
    if words < MIN_PAGE_WORDS:  # a menu, a cookie notice, an error page: not an article
        return doc.replace(
            html=None, skip_reason=f"too little text for an article ({words} words in the HTML page)"
        )
    meta = dict(doc.meta)
    if found.published and not meta.get("published_raw"):
        meta["published_raw"] = found.published
    if found.lang:
        meta["declared_lang"] = found.lang
    if found.sitename:
        meta["sitename"] = found.sitename
    return doc.replace(
        html=None,
        text=found.text,
        title=doc.title or found.title or meta.get("title_hint", ""),
        author=doc.author or found.author,
        source=doc.source or found.sitename,
        url=doc.url or found.url,
        category=doc.category or found.category,
        meta=meta,
    )


_SPACES = re.compile(r"[ \t\u00a0]+")


@_each
def normalise(doc: Doc, ctx: StageContext) -> Doc:
    """NFC, legacy-font text converted, one tone-mark placement, tidy whitespace."""
    style = ctx.settings.tone_style
    meta = dict(doc.meta)

    def norm(value: str) -> str:
        value, legacy = fix_legacy_text(value)
        if legacy:
            meta["legacy_font"] = legacy
        value = vietnamese.normalize(value, style)
        lines = (_SPACES.sub(" ", line).strip() for line in value.split("\n"))
        return "\n".join(line for line in lines if line)

    return doc.replace(title=norm(doc.title).replace("\n", " "), text=norm(doc.text), meta=meta)


@_each
def clean_chrome(doc: Doc, ctx: StageContext) -> Doc:
    """Page chrome out of the body; the reprint source kept as attribution."""
    result = cleanup.clean(doc.text)
    byline = getattr(result, "byline", None)
    return doc.replace(
        text=result.text,
        attribution=doc.attribution or result.attribution,
        author=doc.author or byline,
        removed=list(result.removed),
    )


@_each
def date_article(doc: Doc, ctx: StageContext) -> Doc:
    """Publication date from metadata or a dateline; dates in the text resolved against it."""
    published, evidence = parse_timestamp(doc.meta.get("published_raw")), "meta"
    if published is None and doc.meta.get("published_hint"):  # what the feed or sitemap said
        published, evidence = parse_timestamp(doc.meta["published_hint"]), "feed"
    if published is None:
        found = dates.find_publication_date(doc.text)
        published, evidence = (to_local(found) if found else None), "text"
    reference = published.date() if published else None
    mentions = dates.find_dates(doc.text, reference)
    lead = lead_paragraph(doc.text.split("\n"))
    return doc.replace(
        published=published,
        published_from=evidence if published else None,
        dates=mentions,
        event_date=dates.event_date(lead, reference),
    )


@_each
def identify_language(doc: Doc, ctx: StageContext) -> Doc:
    """Language of the article (title and body), and of the title alone."""
    lang, confidence = language.detect_language(f"{doc.title}\n{doc.text}")
    meta = dict(doc.meta)
    title_lang, _ = language.detect_title_language(doc.title, lang) if doc.title else (None, 0.0)
    if title_lang and title_lang != lang:
        meta["title_lang"] = title_lang
    return doc.replace(lang=lang or doc.lang, lang_confidence=confidence if lang else None, meta=meta)


_WS = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """Same normalised words, same hash: case and spacing do not make a new article."""
    return hashlib.sha256(_WS.sub(" ", text).strip().casefold().encode()).hexdigest()


@_each
def refuse_oversized(doc: Doc, ctx: StageContext) -> Doc:
    """An article text too long to be one article is skipped before the costly stages."""
    limit = ctx.settings.max_record_chars
    if len(doc.text) > limit:
        return doc.replace(skip_reason=f"article too long ({len(doc.text):,} characters > {limit:,})")
    return doc


@_each
def finalise(doc: Doc, ctx: StageContext) -> Doc:
    """Refuse what has no text left; give the rest its source and content hash, and every field as
    the stores keep it (extraction may have found more)."""
    if not doc.text.strip():
        return doc.replace(skip_reason="no article text (empty after extraction and cleanup)")
    doc = _storable_doc(doc)
    source = doc.source or (host_of(doc.url) if doc.url else None)
    return doc.replace(source=source, content_hash=content_hash(doc.text))


STAGES: list[Stage] = [
    decode_raw,
    parse_plaintext,
    make_storable,
    extract_page,
    refuse_oversized,
    normalise,
    clean_chrome,
    date_article,
    identify_language,
    finalise,
]


def run_stages(docs: list[Doc], ctx: StageContext, stages: list[Stage] | None = None) -> list[Doc]:
    """One batch through every stage, in order."""
    for stage in stages or STAGES:
        docs = stage(docs, ctx)
    return docs
