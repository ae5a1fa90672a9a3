"""The demo's foreign coverage (demo/data/foreign/) and the cross-lingual story set built from it
(benchmarks/data/stories-xling/): the texts ingest with their language, URL and date, every text
is accounted for in SOURCE.md and LICENSE.md, and the set's labels match its files."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from conftest import REPO
from sqlalchemy import select

FOREIGN = REPO / "demo" / "data" / "foreign"
XLING = REPO / "benchmarks" / "data" / "stories-xling"
VI_DEMO = REPO / "demo" / "data" / "vi-news-unc"


def _tool():
    spec = importlib.util.spec_from_file_location("build_xling_set", REPO / "tools" / "build_xling_set.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_xling_set = _tool()


def foreign_texts() -> dict[str, dict]:
    return build_xling_set.read_foreign(FOREIGN / "foreign.jsonl")


def as_stored(published: str) -> datetime:
    """A published value as the store keeps it: a date at midnight, a time with an offset as the
    wall-clock time in Hà Nội (caunoi.text.timestamps)."""
    from caunoi.text.timestamps import to_local

    if len(published) == 10:
        return datetime.combine(date.fromisoformat(published), datetime.min.time())
    return to_local(datetime.fromisoformat(published))


def test_the_demo_foreign_texts_ingest_with_their_language_url_and_date(service):
    from caunoi.store.schema import articles

    texts = foreign_texts()
    summary = service.ingest([FOREIGN / "foreign.jsonl"])

    assert summary.added == len(texts) == 27 and summary.skipped_count == 0
    with service.engine.connect() as conn:
        stored = {
            row.url: row
            for row in conn.execute(
                select(articles.c.url, articles.c.lang, articles.c.published, articles.c.title)
            )
        }
    assert set(stored) == {text["url"] for text in texts.values()}
    for text in texts.values():
        row = stored[text["url"]]
        assert row.lang == text["lang"], text["key"]
        assert row.published.replace(tzinfo=None) == as_stored(text["published"]), text["key"]
        assert row.title == text["title"]
    # English, French, and the U.S. Mission's statement in Vietnamese
    assert {row.lang for row in stored.values()} == {"en", "fr", "vi"}
    harris = stored["https://vn.usembassy.gov/vi/tuyen-bo/"]
    assert harris.published.date() == date(2021, 8, 24)


def test_every_foreign_text_is_listed_in_source_md_with_its_url_and_the_reverse():
    listed = dict(
        re.findall(r"^\| `([^`]+)` \|.*?\| <([^>]+)> \|", (FOREIGN / "SOURCE.md").read_text(), re.M)
    )
    texts = foreign_texts()

    assert set(listed) == set(texts)
    assert {key: text["url"] for key, text in texts.items()} == listed


def test_every_text_has_a_licence_that_license_md_explains_and_a_publisher():
    licences = re.findall(r"^\| `([a-z0-9.-]+)` \| (\d+) \|", (FOREIGN / "LICENSE.md").read_text(), re.M)
    counts: dict[str, int] = defaultdict(int)
    for text in foreign_texts().values():
        counts[text["licence"]] += 1
        assert text["source"] and text["title"] and text["text"].strip(), text["key"]
        assert text["url"].startswith(("https://", "http://")), text["key"]
        assert isinstance(text["truncated"], bool)

    assert {key: int(n) for key, n in licences} == counts


def test_the_demo_ingests_the_foreign_texts_and_the_vietnamese_articles_they_pair_with():
    demo = re.search(r"^demo:.*?(?=^\S)", (REPO / "Makefile").read_text(), re.M | re.S).group(0)
    assert "caunoi ingest demo/data/foreign/foreign.jsonl" in demo
    assert "demo/data/vi-news-unc/xling" in demo
    paired = {row["key"] for row in build_xling_set.read_labels(XLING / "labels.tsv")}
    in_demo = {
        p.stem for folder in ("docs", "window", "xling") for p in (VI_DEMO / folder).glob("news_*.txt")
    }
    xling = {p.stem for p in (VI_DEMO / "xling").glob("news_*.txt")}
    # every demo/xling article is one of the set's, and each is recorded in SOURCE.txt
    assert xling <= paired
    assert all(key in (VI_DEMO / "SOURCE.txt").read_text() for key in xling)
    # the demo shows at least the cross-lingual stories whose articles it holds in both languages
    by_story = defaultdict(set)
    for row in build_xling_set.read_labels(XLING / "labels.tsv"):
        if row["key"].startswith("news_"):
            if row["key"] in in_demo:
                by_story[row["story"]].add("vi")
        else:
            by_story[row["story"]].add("foreign")
    assert sum(kinds == {"vi", "foreign"} for kinds in by_story.values()) >= 10


def test_the_cross_lingual_set_labels_match_its_files():
    labels = build_xling_set.read_labels(XLING / "labels.tsv")
    texts = foreign_texts()
    with_text = [row for row in labels if not row["key"].startswith("news_")]

    assert len({row["key"] for row in labels}) == len(labels), "an article is labelled twice"
    assert {row["key"] for row in with_text} == set(texts)
    stored = [json.loads(line) for line in _gunzip(XLING / "articles.jsonl.gz").splitlines()]
    assert [row["key"] for row in stored] == [row["key"] for row in with_text]
    assert (XLING / "articles.jsonl.gz").read_bytes() == build_xling_set.articles_bytes(labels, texts), (
        "articles.jsonl.gz is stale: run tools/build_xling_set.py articles"
    )
    for row in with_text:
        text = texts[row["key"]]
        assert (row["lang"], row["published"]) == (text["lang"], text["published"][:10]), row["key"]
    assert [(r["published"], r["key"]) for r in labels] == sorted((r["published"], r["key"]) for r in labels)


def test_the_cross_lingual_set_meets_its_aims():
    counts = build_xling_set.stats(build_xling_set.read_labels(XLING / "labels.tsv"))

    assert counts["foreign_texts"] >= 25
    assert counts["cross_lingual_stories"] >= 10
    assert counts["foreign_only_stories"] >= 1 and counts["corpus_only_stories"] >= 1
    assert {"en", "fr"} <= set(counts["languages"])


def test_the_vietnamese_rows_are_corpus_articles_of_their_date(vi_news_dir: Path):
    for row in build_xling_set.read_labels(XLING / "labels.tsv"):
        if row["key"].startswith("news_"):
            header = (vi_news_dir / f"{row['key']}.txt").read_text(encoding="utf-8").splitlines()[2]
            day = header.split("=")[1].strip()
            assert row["published"] == f"{day[:4]}-{day[4:6]}-{day[6:]}", row["key"]
            assert row["lang"] == "vi"


def test_the_demo_copies_are_the_corpus_articles_with_their_category_line(vi_news_dir: Path):
    for copy in sorted((VI_DEMO / "xling").glob("news_*.txt")):
        lines = copy.read_text(encoding="utf-8").splitlines(keepends=True)
        category = copy.stem.split("_")[1]
        assert lines[3] == f"# category = {category}\n"
        assert "".join(lines[:3] + lines[4:]) == (vi_news_dir / copy.name).read_text(encoding="utf-8")


def _gunzip(path: Path) -> str:
    import gzip

    return gzip.decompress(path.read_bytes()).decode("utf-8")


def test_a_foreign_text_falls_in_the_window_of_the_demo_brief():
    """`caunoi brief --since 24h --at 2021-04-30T08:00` reads the 24 hours before --at, as stored
    (a date-only text at midnight, a timed one in Hà Nội time): Biden's address to Congress (28 April,
    21:06 in Washington, 08:06 on the 29th in Hà Nội) and USAID's release on the first relief flight
    to land in New Delhi, 30 April 2021, are in it."""
    start, end = datetime(2021, 4, 29, 8), datetime(2021, 4, 30, 8)
    inside = sorted(k for k, t in foreign_texts().items() if start <= as_stored(t["published"]) <= end)

    assert inside == [
        "us-usaid-2021-04-30-india-first-relief-shipment",
        "us-wh-2021-04-28-biden-joint-session-address",
    ]
