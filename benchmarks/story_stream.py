"""Story clustering over a long stream: throughput (articles/s) and memory as the stream grows.

The stream: the 2,653 vi-news-unc articles replayed in rounds until ARTICLES articles have gone by,
each round shifted WEEKS_PER_ROUND weeks later in time (so a round's stories are new stories, as
next month's news would be) and spread at a steady PER_DAY articles a day in publication order.
Each article carries the enrichment's entity and document tags (computed once per article,
before timing). The clusterer runs in memory, as `Service.update_stories` runs it between
database batches.

Memory: the Python heap held by the clusterer (tracemalloc) and the process RSS at checkpoints.
Bounded means it levels off: stories retire from the active set RETIRE_DAYS of stream time after
their last article, and the document-frequency table has a fixed size.
Peer, for scale: scikit-learn's TfidfVectorizer fit_transform on the same texts, articles/s (the
vectorising alone, no clustering); the batch agglomerative baseline of story_clustering.py needs
the n × n distance matrix and cannot run at this size (100k² doubles = 80 GB).

Run: .venv/bin/python benchmarks/story_stream.py [--json] [--articles 100000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _harness import VI_DOCS, machine, print_table, publish, require_corpus  # noqa: E402

PER_DAY = 1000
WEEKS_PER_ROUND = 6
CHECKPOINTS = (10_000, 25_000, 50_000, 75_000, 100_000)


def corpus() -> list[tuple[str, str, str, frozenset[str], frozenset[str]]]:
    """(date, title, text, entities, doc_refs) of every vi-news-unc article, in publication order."""
    from caunoi.enrich.stage import enrich

    out = []
    for path in sorted(VI_DOCS.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        date = next(ln.split(" = ")[1] for ln in lines if ln.startswith("# date"))
        body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
        title, text = body[0], "\n".join(body[1:])
        tags = enrich(title, text, None, "vi").tags
        entities = frozenset(v for (k, v), s in tags.items() if k == "entity" and s >= 0.6)
        refs = frozenset(v for (k, v), s in tags.items() if k == "doc_ref" and s >= 0.6)
        out.append((date, title, text, entities, refs))
    out.sort(key=lambda r: r[0])
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(total: int) -> dict[str, Any]:
    require_corpus(VI_DOCS, "the vi-news-unc corpus")
    from sklearn.feature_extraction.text import TfidfVectorizer

    from caunoi.stories.cluster import RETIRE_DAYS, Article, Clusterer

    started = time.perf_counter()
    rows = corpus()
    prep_s = time.perf_counter() - started
    start = datetime(2022, 1, 3)
    clusterer = Clusterer()
    tracemalloc.start()
    base_heap = tracemalloc.get_traced_memory()[0]
    checkpoints = []
    stories = 0
    t0 = time.perf_counter()
    i = 0
    while i < total:
        rnd, k = divmod(i, len(rows))
        _, title, text, entities, refs = rows[k]
        when = start + timedelta(weeks=WEEKS_PER_ROUND * rnd, days=k / PER_DAY)
        stories += clusterer.add(Article(i, when, "vi", title, text, entities, refs)).new
        clusterer.take_retired()  # what update_stories does with them after each batch
        i += 1
        if i in CHECKPOINTS or i == total:
            elapsed = time.perf_counter() - t0
            heap = tracemalloc.get_traced_memory()[0] - base_heap
            checkpoints.append(
                {"articles": i, "seconds": round(elapsed, 1), "articles_per_s": round(i / elapsed, 1),
                 "heap_mb": round(heap / 2**20, 1), "rss_mb": round(rss_mb(), 1),
                 "active_stories": len(clusterer.active), "stories": stories}
            )  # fmt: skip
    tracemalloc.stop()
    texts = [f"{r[1]} {r[2]}" for r in rows]
    t1 = time.perf_counter()
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    peer = len(texts) / (time.perf_counter() - t1)
    final = checkpoints[-1]
    return {
        "machine": machine(),
        "stream": {
            "articles": total,
            "distinct_texts": len(rows),
            "per_day": PER_DAY,
            "retire_days": RETIRE_DAYS,
        },
        "enrichment_prep_s": round(prep_s, 1),
        "checkpoints": checkpoints,
        "peer_tfidf_articles_per_s": round(peer, 1),
        "ratio_to_peer": round(final["articles_per_s"] / peer, 3),
    }


def report(result: dict[str, Any]) -> None:
    s = result["stream"]
    print(f"{s['articles']} articles ({s['distinct_texts']} distinct texts replayed), {s['per_day']} a day\n")
    print_table(
        ["articles", "articles/s", "heap MB", "RSS MB", "active stories", "stories"],
        [[c["articles"], c["articles_per_s"], c["heap_mb"], c["rss_mb"], c["active_stories"], c["stories"]]
         for c in result["checkpoints"]],
    )  # fmt: skip
    print(
        f"\npeer: scikit-learn TF-IDF alone {result['peer_tfidf_articles_per_s']} articles/s;"
        f" clusterer / peer = {result['ratio_to_peer']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    publish("story_stream", measure(args.articles), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
