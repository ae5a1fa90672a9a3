"""Cross-lingual story clustering (caunoi.stories.cluster) on the labelled set
benchmarks/data/stories-xling/ (vi-news-unc articles and openly licensed foreign texts about the
same events; see its README): BCubed and pairwise precision / recall / F1 over the whole set, and
the same on the pairs that cross languages — a corpus article and a foreign text — which is what
the set is for.

The articles go through the product: the Vietnamese files and the foreign texts (written to a
JSON-lines file from articles.jsonl.gz) are ingested into a scratch SQLite store (extraction,
enrichment, duplicate signatures, stories), then the stories are rebuilt so that every article is
clustered in publication order whatever order the files came in (`caunoi stories --rebuild`).
The report lists each cross-lingual story of the set: joined (a foreign text shares a predicted
story with one of its corpus articles) or apart, and the predicted stories that join a corpus
article and a foreign text of different events.

No tuning happens here: the set is small (82 articles) and is a check, not a development set.

Run: .venv/bin/python benchmarks/story_xling.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from _harness import VAR, VI_DOCS, machine, print_table, publish, require_corpus  # noqa: E402
from build_xling_set import ARTICLES, LABELS, read_labels  # noqa: E402
from story_clustering import bcubed  # noqa: E402

FOREIGN_FIELDS = ("url", "title", "text", "published", "lang", "source")


def is_corpus(key: str) -> bool:
    return key.startswith("news_")


def pairwise(predicted: dict[str, Any], gold: dict[str, Any], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Pairwise precision / recall / F1 over the given pairs of items: a pair is positive when both
    are in one story."""
    tp = fp = fn = 0
    for a, b in pairs:
        same_pred, same_gold = predicted[a] == predicted[b], gold[a] == gold[b]
        tp += same_pred and same_gold
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "p": round(p, 4),
        "r": round(r, 4),
        "f1": round(f1, 4),
        "gold_pairs": tp + fn,
        "predicted_pairs": tp + fp,
    }


def build_store(labels: list[dict[str, str]]) -> tuple[dict[str, int], float]:
    """key -> predicted story id, after ingesting the set into a scratch store and rebuilding its
    stories; and the seconds it took."""
    from sqlalchemy import select

    from caunoi.config import Settings
    from caunoi.service import Service
    from caunoi.store.schema import articles, story_articles

    data = VAR / "story_xling"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    foreign = [json.loads(line) for line in gzip.decompress(ARTICLES.read_bytes()).decode().splitlines()]
    feed = data / "foreign.jsonl"
    feed.write_text(
        "".join(json.dumps({f: t[f] for f in FOREIGN_FIELDS}, ensure_ascii=False) + "\n" for t in foreign)
    )
    key_of_url = {t["url"]: t["key"] for t in foreign}
    files = [VI_DOCS / f"{row['key']}.txt" for row in labels if is_corpus(row["key"])] + [feed]
    started = time.perf_counter()
    with Service(Settings(data_dir=data)) as service:
        service.ingest([], files=files)
        service.update_stories(rebuild=True)
        with service.engine.connect() as conn:
            rows = conn.execute(
                select(articles.c.origin, articles.c.url, story_articles.c.story_id).join(
                    story_articles, story_articles.c.article_id == articles.c.id
                )
            ).all()
    seconds = time.perf_counter() - started
    predicted = {}
    for origin, url, story_id in rows:
        key = key_of_url.get(url) or Path(origin).stem
        predicted[key] = story_id
    return predicted, seconds


def measure() -> dict[str, Any]:
    require_corpus(VI_DOCS, "the vi-news-unc corpus")
    labels = read_labels(LABELS)
    gold = {row["key"]: row["story"] for row in labels}
    predicted, seconds = build_store(labels)
    missing = sorted(set(gold) - set(predicted))
    for key in missing:  # not stored (should not happen): alone in a story of its own
        predicted[key] = f"missing:{key}"
    keys = sorted(gold)
    all_pairs = list(itertools.combinations(keys, 2))
    cross_pairs = [(a, b) for a, b in all_pairs if is_corpus(a) != is_corpus(b)]

    stories: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        stories[gold[key]].append(key)
    per_story = []
    for story, members in sorted(stories.items()):
        corpus = [k for k in members if is_corpus(k)]
        foreign = [k for k in members if not is_corpus(k)]
        if not corpus or not foreign:
            continue
        joined = sorted(f for f in foreign if any(predicted[f] == predicted[c] for c in corpus))
        per_story.append({"story": story, "corpus": len(corpus), "foreign": len(foreign), "joined": joined,
                          "apart": sorted(set(foreign) - set(joined))})  # fmt: skip
    by_predicted: dict[Any, list[str]] = defaultdict(list)
    for key in keys:
        by_predicted[predicted[key]].append(key)
    false_joins = []
    for members in by_predicted.values():
        for a, b in itertools.product(
            [k for k in members if is_corpus(k)], [k for k in members if not is_corpus(k)]
        ):
            if gold[a] != gold[b]:
                false_joins.append(
                    {"corpus": a, "corpus_story": gold[a], "foreign": b, "foreign_story": gold[b]}
                )
    return {
        "machine": machine(),
        "set": {
            "articles": len(keys),
            "stories": len(stories),
            "cross_lingual_stories": len(per_story),
            "missing": missing,
        },
        "seconds": round(seconds, 1),
        "bcubed": bcubed(predicted, gold),
        "pairwise": pairwise(predicted, gold, all_pairs),
        "cross_lingual_pairwise": pairwise(predicted, gold, cross_pairs),
        "cross_lingual_stories_joined": sum(bool(s["joined"]) for s in per_story),
        "stories": per_story,
        "false_cross_lingual_joins": false_joins,
        "predicted_stories": len(by_predicted),
        "all_singletons": bcubed({k: k for k in keys}, gold),
    }


def report(result: dict[str, Any]) -> None:
    s = result["set"]
    crossing = s["cross_lingual_stories"]
    print(f"{s['articles']} articles, {s['stories']} stories, {crossing} of them cross-lingual")
    print(f"caunoi: {result['predicted_stories']} stories, built in {result['seconds']} s\n")
    rows = [["BCubed", *(result["bcubed"][m] for m in ("p", "r", "f1")), ""]]
    for name, key in (
        ("pairwise, all pairs", "pairwise"),
        ("pairwise, corpus–foreign pairs", "cross_lingual_pairwise"),
    ):
        r = result[key]
        rows.append(
            [name, r["p"], r["r"], r["f1"], f"{r['gold_pairs']} gold, {r['predicted_pairs']} predicted"]
        )
    a = result["all_singletons"]
    rows.append(["BCubed, every article alone (floor)", a["p"], a["r"], a["f1"], ""])
    print_table(["measure", "P", "R", "F1", "pairs"], rows)
    print(f"\ncross-lingual stories joined: {result['cross_lingual_stories_joined']} of {crossing}")
    for story in result["stories"]:
        state = "joined" if story["joined"] else "apart "
        apart = f" — apart: {', '.join(story['apart'])}" if story["joined"] and story["apart"] else ""
        print(
            f"  {state} {story['story']} ({story['corpus']} vi-news-unc, {story['foreign']} foreign){apart}"
        )
    if result["false_cross_lingual_joins"]:
        print("\nfalse cross-lingual joins (a corpus article and a foreign text of different events):")
        for j in result["false_cross_lingual_joins"]:
            print(f"  {j['corpus']} ({j['corpus_story']}) + {j['foreign']} ({j['foreign_story']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    publish("story_xling", measure(), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
