"""Propose the scraped-text cleanup set (benchmarks/data/cleanup-vi/): each saved Vietnamese page of
tests/data/vi-pages turned into the plain text a simple scraper writes (one line per text block, page
chrome and all), cut to the lines around the article, with a proposed label for each line.

Run: .venv/bin/python tools/build_cleanup_set.py [--out benchmarks/data/cleanup-vi]

The labels it writes are a proposal from the page's hand-checked gold (tests/data/vi-pages/*.json:
title, body, attribution, chrome); the committed files were then read line by line and corrected by
hand (see the set's README). Re-running overwrites those corrections: diff before committing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PAGES = REPO / "tests" / "data" / "vi-pages"
BEFORE_TITLE = 6  # lines of the page kept above the headline: breadcrumbs, share bars
AFTER_BODY = 25  # lines kept under the article's last paragraph: tags, related boxes, comment forms

# Elements a scraper starts a new line at; inline ones (a, span, strong, em) stay inside the line.
_BLOCKS = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "td", "th", "tr", "br",
    "section", "article", "header", "footer", "ul", "ol", "table", "blockquote", "figure", "nav",
    "aside", "form", "label", "button", "time", "caption", "dt", "dd",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "svg", "template", "iframe", "select"}
_WORD = re.compile(r"\w+")


def scrape(html: bytes) -> list[str]:
    """The page's text as a naive scraper writes it: each block element's text on a line of its own."""
    tree = lxml.html.fromstring(html.decode("utf-8", "replace"))
    body = tree.find("body")
    lines: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = unicodedata.normalize("NFC", " ".join("".join(pending).split()))
        if text:
            lines.append(text)
        pending.clear()

    def walk(element: lxml.html.HtmlElement) -> None:
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            pending.append(element.tail or "")
            return
        block = element.tag in _BLOCKS
        if block:
            flush()
        pending.append(element.text or "")
        for child in element:
            walk(child)
        if block:
            flush()
        pending.append(element.tail or "")

    walk(body if body is not None else tree)
    flush()
    return lines


def key(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", text).lower()))


def propose(lines: list[str], gold: dict) -> list[tuple[str, str]]:
    """(label, line) for the window of `lines` around the article."""
    title = key(gold["title"])
    body = {key(p) for p in gold["body"].split("\n")}
    attribution = key(gold["attribution"] or "")
    chrome = {key(c) for c in gold.get("chrome", [])}
    starts = [i for i, line in enumerate(lines) if key(line) == title]
    ends = [i for i, line in enumerate(lines) if key(line) in body]
    first = starts[0] if starts else ends[0]
    window = lines[max(0, first - BEFORE_TITLE) : ends[-1] + 1 + AFTER_BODY]
    labelled: list[tuple[str, str]] = []
    for line in window:
        k = key(line)
        if k == title:
            label = "chrome" if any(lab == "title" for lab, _ in labelled) else "title"  # a headline column
        elif k in body:
            label = "body"
        elif attribution and k in (attribution, key("Theo " + gold["attribution"])):
            label = "attribution"
        elif k in chrome:
            label = "chrome"
        else:
            label = "?"  # decided by hand: chrome, caption, byline, dateline or body
        labelled.append((label, line))
    return labelled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "data" / "cleanup-vi")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for page in sorted(PAGES.glob("*/*.html.gz")):
        gold = json.loads(page.with_name(page.name.removesuffix(".html.gz") + ".json").read_text("utf-8"))
        rows = propose(scrape(gzip.decompress(page.read_bytes())), gold)
        name = f"{page.parent.name}__{page.name.removesuffix('.html.gz')}.tsv"
        header = f"# from tests/data/vi-pages/{page.parent.name}/{page.name} ({gold['url']})\nlabel\tline\n"
        text = header + "".join(f"{label}\t{line}\n" for label, line in rows)
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(rows)} lines, {sum(label == '?' for label, _ in rows)} to label by hand")


if __name__ == "__main__":
    main()
