"""Story clustering (caunoi.stories.cluster) against a batch baseline, BCubed precision / recall / F1
on the labelled story set benchmarks/data/stories/labels.tsv (1,392 vi-news-unc articles of
22 April - 2 May 2021, 997 stories of which 102 have two or more articles; see its README).

The articles go through the product: ingested into a scratch SQLite store (extraction, enrichment,
duplicate signatures), then `Service.update_stories` clusters them in publication order. The
baseline is scikit-learn's agglomerative clustering (average linkage, cosine) over TF-IDF of the
same folded words and word pairs of title and lead, seeing the whole set at once and no dates.

Tuning, honestly: the articles of 22-26 April are the development half, those of 27 April -
2 May the test half (BCubed restricted to each half's articles; stories crossing the split
count in both). The baseline's distance threshold and caunoi's THRESHOLD are each chosen on the
development half from the same grid; the test half is reported with those choices.
Anchor (other data): Miranda et al. (EMNLP 2018) report BCubed F1 0.940 on English news (8,726
articles, 222 stories).

Run: .venv/bin/python benchmarks/story_clustering.py [--json]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _harness import VAR, VI_DOCS, machine, print_table, publish, require_corpus  # noqa: E402

LABELS = REPO / "benchmarks" / "data" / "stories" / "labels.tsv"
SPLIT = date(2021, 4, 27)  # before: development half; from: test half
CAUNOI_GRID = (0.4, 0.5, 0.6, 0.7, 0.8)
BASELINE_GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def load_labels(path: Path = LABELS) -> dict[str, tuple[str, date]]:
    """key -> (story, published)."""
    out = {}
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    for line in lines[1:]:
        key, story, _lang, published, *_ = line.split("\t")
        out[key] = (story, date.fromisoformat(published))
    return out


def bcubed(
    predicted: dict[str, Any], gold: dict[str, Any], items: Iterable[str] | None = None
) -> dict[str, float]:
    """BCubed precision, recall and F1 (Amigó et al. 2009) over `items` (default: all gold items);
    clusters are restricted to those items."""
    keys = sorted(set(items) if items is not None else set(gold))
    pred_groups: dict[Any, set[str]] = defaultdict(set)
    gold_groups: dict[Any, set[str]] = defaultdict(set)
    for k in keys:
        pred_groups[predicted[k]].add(k)
        gold_groups[gold[k]].add(k)
    p = r = 0.0
    for k in keys:
        mine, truth = pred_groups[predicted[k]], gold_groups[gold[k]]
        both = len(mine & truth)
        p += both / len(mine)
        r += both / len(truth)
    p, r = p / len(keys), r / len(keys)
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def build_store(keys: list[str]) -> tuple[Any, dict[int, str], float]:
    """A scratch store with the set ingested (and enriched, signed, clustered); article id -> key."""
    from sqlalchemy import select

    from caunoi.config import Settings
    from caunoi.service import Service
    from caunoi.store.schema import origins

    data = VAR / "story_clustering"
    shutil.rmtree(data, ignore_errors=True)
    service = Service(Settings(data_dir=data))
    started = time.perf_counter()
    service.ingest([], files=[VI_DOCS / f"{k}.txt" for k in keys])
    seconds = time.perf_counter() - started
    with service.engine.connect() as conn:
        key_of = {r.article_id: Path(r.origin).stem for r in conn.execute(select(origins))}
    return service, key_of, seconds


def run_caunoi(articles: list, threshold: float) -> tuple[dict[int, int], float]:
    """The online clusterer over the stored articles in publication order, in memory."""
    from caunoi.stories import cluster

    saved = cluster.THRESHOLD
    cluster.THRESHOLD = threshold
    try:
        clusterer = cluster.Clusterer()
        started = time.perf_counter()
        out = {a.id: clusterer.add(a).story_id for a in articles}
        return out, time.perf_counter() - started
    finally:
        cluster.THRESHOLD = saved


def run_baseline(articles: list) -> Callable[[float], dict[int, int]]:
    """TF-IDF + agglomerative clustering; returns a function of the distance threshold."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.feature_extraction.text import TfidfVectorizer

    from caunoi.stories.cluster import LEAD_WORDS
    from caunoi.text.fold import fold, tokens

    def doc(a) -> str:
        title = " ".join(tokens(fold(a.title)))
        return f"{title} {title} " + " ".join(tokens(fold(a.text))[:LEAD_WORDS])

    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1).fit_transform(
        [doc(a) for a in articles]
    )
    dense = matrix.toarray().astype(np.float64)
    # average linkage on cosine distance: what AgglomerativeClustering(metric="cosine",
    # linkage="average", distance_threshold=t) computes; the tree is built once for every threshold
    tree = linkage(dense, method="average", metric="cosine")

    def at(threshold: float) -> dict[int, int]:
        labels = fcluster(tree, t=threshold, criterion="distance")
        return {a.id: int(label) for a, label in zip(articles, labels, strict=True)}

    return at


def measure() -> dict[str, Any]:
    require_corpus(VI_DOCS, "the vi-news-unc corpus")
    labels = load_labels()
    gold = {k: story for k, (story, _) in labels.items()}
    dev = [k for k, (_, d) in labels.items() if d < SPLIT]
    test = [k for k, (_, d) in labels.items() if d >= SPLIT]
    service, key_of, ingest_s = build_store(sorted(labels))
    try:
        from caunoi.stories.cluster import THRESHOLD, articles_to_cluster

        product = {}
        with service.engine.connect() as conn:
            from sqlalchemy import select

            from caunoi.store.schema import story_articles

            for r in conn.execute(select(story_articles)):
                product[key_of[r.article_id]] = r.story_id
        service.stories.forget_stories()
        articles = articles_to_cluster(service.stories, 10**9)
    finally:
        service.close()
    keys_of_article = defaultdict(list)
    for article_id, key in key_of.items():
        keys_of_article[article_id].append(key)

    def by_key(assigned: dict[int, int]) -> dict[str, int]:
        return {k: s for a, s in assigned.items() for k in keys_of_article[a]}

    result: dict[str, Any] = {
        "machine": machine(),
        "set": {
            "articles": len(labels),
            "stories": len(set(gold.values())),
            "dev": len(dev),
            "test": len(test),
        },
        "ingest_s": round(ingest_s, 1),
    }
    sweep_caunoi = []
    for t in CAUNOI_GRID:
        assigned, seconds = run_caunoi(articles, t)
        pred = by_key(assigned)
        sweep_caunoi.append(
            {"threshold": t, "dev": bcubed(pred, gold, dev), "test": bcubed(pred, gold, test),
             "all": bcubed(pred, gold), "stories": len(set(pred.values())), "seconds": round(seconds, 2),
             "articles_per_s": round(len(articles) / seconds, 1)}
        )  # fmt: skip
        if t == THRESHOLD:
            assert pred == product, "the in-memory run must give the stored stories"
    baseline_at = run_baseline(articles)
    sweep_base = []
    for t in BASELINE_GRID:
        pred = by_key(baseline_at(t))
        sweep_base.append(
            {"threshold": t, "dev": bcubed(pred, gold, dev), "test": bcubed(pred, gold, test),
             "all": bcubed(pred, gold), "stories": len(set(pred.values()))}
        )  # fmt: skip
    best_caunoi = max(sweep_caunoi, key=lambda s: (s["dev"]["f1"], -abs(s["threshold"] - THRESHOLD)))
    best_base = max(sweep_base, key=lambda s: s["dev"]["f1"])
    result["caunoi_default"] = next(s for s in sweep_caunoi if s["threshold"] == THRESHOLD)
    result["caunoi_chosen_on_dev"] = best_caunoi
    result["baseline_chosen_on_dev"] = best_base
    result["sweep_caunoi"] = sweep_caunoi
    result["sweep_baseline"] = sweep_base
    result["all_singletons"] = bcubed({k: k for k in gold}, gold)
    return result


def report(result: dict[str, Any]) -> None:
    s = result["set"]
    print(f"{s['articles']} articles, {s['stories']} stories; dev {s['dev']}, test {s['test']} articles\n")
    rows = []
    for name, r in (
        (f"caunoi (THRESHOLD {result['caunoi_default']['threshold']}, default)", result["caunoi_default"]),
        (f"caunoi (threshold {result['caunoi_chosen_on_dev']['threshold']}, chosen on dev)",
         result["caunoi_chosen_on_dev"]),
        (f"TF-IDF + agglomerative (distance {result['baseline_chosen_on_dev']['threshold']}, chosen on dev)",
         result["baseline_chosen_on_dev"]),
    ):  # fmt: skip
        rows.append([name, r["test"]["p"], r["test"]["r"], r["test"]["f1"], r["all"]["f1"], r["stories"]])
    a = result["all_singletons"]
    rows.append(["every article alone (floor)", a["p"], a["r"], a["f1"], a["f1"], s["articles"]])
    print_table(["system", "test P", "test R", "test F1", "all F1", "stories"], rows)
    print("\nsweeps (dev F1 / test F1):")
    print(
        "caunoi   "
        + "  ".join(f"{x['threshold']}: {x['dev']['f1']}/{x['test']['f1']}" for x in result["sweep_caunoi"])
    )
    print(
        "baseline "
        + "  ".join(f"{x['threshold']}: {x['dev']['f1']}/{x['test']['f1']}" for x in result["sweep_baseline"])
    )
    d = result["caunoi_default"]
    print(
        f"\nclusterer alone: {d['articles_per_s']} articles/s in memory;"
        f" ingest of the set {result['ingest_s']} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    publish("story_clustering", measure(), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
