#!/usr/bin/env python3
"""Build helpers for the cross-lingual story set (benchmarks/data/stories-xling/).

The committed ``labels.tsv`` is the ground truth and ``demo/data/foreign/foreign.jsonl`` holds
the foreign texts (one JSON object a line, as published: see demo/data/foreign/SOURCE.md). This
script only derives the rest:

  articles  write benchmarks/data/stories-xling/articles.jsonl.gz, the rows of foreign.jsonl
            that labels.tsv names, in the format of benchmarks/data/stories/README.md
            (key, lang, url, published, title, text, source, licence); byte-stable (no gzip
            timestamp), so rebuilding an unchanged set changes nothing.
  stats     the counts quoted in the README: rows, stories, languages, cross-lingual stories
            (a Vietnamese article and a foreign text), foreign-only stories, Vietnamese-only
            stories.

Usage (from the repo root):
  .venv/bin/python tools/build_xling_set.py articles
  .venv/bin/python tools/build_xling_set.py stats
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SET_DIR = REPO / "benchmarks" / "data" / "stories-xling"
LABELS = SET_DIR / "labels.tsv"
ARTICLES = SET_DIR / "articles.jsonl.gz"
FOREIGN = REPO / "demo" / "data" / "foreign" / "foreign.jsonl"
FIELDS = ("key", "lang", "url", "published", "title", "text", "source", "licence")


def read_labels(path: Path = LABELS) -> list[dict[str, str]]:
    """The rows of labels.tsv as dicts (key, story, lang, published, note)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        fields = line.split("\t")
        fields += [""] * (len(header) - len(fields))  # an empty note may have lost its tab
        rows.append(dict(zip(header, fields, strict=True)))
    return rows


def read_foreign(path: Path = FOREIGN) -> dict[str, dict]:
    """key -> record of foreign.jsonl."""
    rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return {row["key"]: row for row in rows}


def articles_bytes(labels: list[dict[str, str]], foreign: dict[str, dict]) -> bytes:
    """The gzip'd JSON lines of the foreign rows labels.tsv names, in labels order."""
    lines = [
        json.dumps({f: foreign[row["key"]][f] for f in FIELDS}, ensure_ascii=False)
        for row in labels
        if row["key"] in foreign
    ]
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    return buf.getvalue()


def stats(labels: list[dict[str, str]]) -> dict:
    """Counts for the README; a row is a corpus article when its key is a vi-news-unc doc_id."""
    kinds: dict[str, set[str]] = collections.defaultdict(set)
    for row in labels:
        kinds[row["story"]].add("corpus" if row["key"].startswith("news_") else "foreign")
    return {
        "rows": len(labels),
        "stories": len(kinds),
        "languages": dict(collections.Counter(row["lang"] for row in labels).most_common()),
        "foreign_texts": sum(not row["key"].startswith("news_") for row in labels),
        "cross_lingual_stories": sum(k == {"corpus", "foreign"} for k in kinds.values()),
        "foreign_only_stories": sum(k == {"foreign"} for k in kinds.values()),
        "corpus_only_stories": sum(k == {"corpus"} for k in kinds.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("articles", "stats"))
    args = parser.parse_args()
    labels = read_labels()
    if args.command == "articles":
        ARTICLES.write_bytes(articles_bytes(labels, read_foreign()))
        print(f"wrote {ARTICLES.relative_to(REPO)}")
    else:
        print(json.dumps(stats(labels), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
