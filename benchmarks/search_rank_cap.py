"""Relevance of a bounded ranking (issue 20): nDCG@10 on the judged query set when SQLite search ranks
only the `rank_cap` most recently stored matches, against ranking every match.

Run: .venv/bin/python benchmarks/search_rank_cap.py --store DIR [--caps 0,5000,1000,500,200] [--json]

DIR is a SQLite store of the whole vi-news-unc corpus as search_quality.py ingests it (`search_quality.py
--keep` keeps one in var/bench/search_quality/; `search_quality.py child --data-dir DIR` builds one).
Each query of benchmarks/data/search_queries.tsv runs as typed, `Service.search_results(SearchRequest(
query, limit=20))`, once per cap on the same store (rank_cap 0 = every match ranked: search as it was
before the cap); scored with search_quality.py's P@10 and nDCG@10 against search_qrels.tsv.

The corpus has 2,653 articles, stored in the order of their file names (news_<section>_<n>), so "the
most recently stored" here are the last sections by name, not the newest news: a small cap is a harsh
test (it keeps a few sections), not a picture of an archive stored day by day.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

from _harness import print_table, publish
from search_quality import QRELS, QUERIES, read_qrels, read_queries, score

NAME = "search_rank_cap"


def measure(store: Path, caps: list[int]) -> dict[str, Any]:
    from sqlalchemy import text

    from caunoi.config import Settings
    from caunoi.models import SearchRequest
    from caunoi.service import Service

    queries, qrels = read_queries(QUERIES), read_qrels(QRELS)
    result: dict[str, Any] = {"store": str(store), "systems": {}}
    base = Settings(data_dir=store)
    for cap in caps:
        with Service(dataclasses.replace(base, rank_cap=cap)) as service:
            with service.engine.connect() as conn:
                doc_of: dict[int, str] = {}
                for article_id, origin in conn.execute(
                    text("SELECT article_id, origin FROM origins ORDER BY origin")
                ):
                    doc_of.setdefault(article_id, Path(origin).stem)
            ranked, bounded, seconds = {}, 0, []
            for q in queries:
                started = time.perf_counter()
                found = service.search_results(SearchRequest(query=q["query"], limit=20))
                seconds.append(time.perf_counter() - started)
                ranked[q["id"]] = [doc_of[h.id] for h in found.hits]
                bounded += found.ranked_among is not None
        result["systems"][f"rank_cap {cap}"] = {
            "cap": cap,
            "queries_bounded": bounded,
            "ms_per_query": round(sum(seconds) / len(seconds) * 1000, 1),
            "ranked": ranked,
            **score(ranked, queries, qrels),
        }
    result["articles"] = len(doc_of)
    return result


def print_report(r: dict[str, Any]) -> None:
    print(f"store {r['store']}: {r['articles']} articles\n")
    rows = []
    for name, m in r["systems"].items():
        rows.append(
            [
                name,
                str(m["queries_bounded"]),
                *(
                    f"{m[split][key]:.3f}"
                    for split in ("all", "with", "without")
                    for key in ("p_at_10", "ndcg_at_10")
                ),
                f"{m['ms_per_query']:.1f}",
            ]
        )
    print_table(
        ["ranking", "queries bounded", "P@10", "nDCG@10", "P@10 with", "nDCG@10 with", "P@10 without",
         "nDCG@10 without", "ms / query"],
        rows,
        "lrrrrrrrr",
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", type=Path, required=True, help="a store of the corpus (search_quality.py's)"
    )
    parser.add_argument("--caps", default="0,5000,1000,500,200", help="rank_cap settings, comma-separated")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    if not (args.store / "caunoi.db").exists():
        sys.exit(f"no store in {args.store}: build one with search_quality.py --keep")
    result = measure(args.store, [int(c) for c in args.caps.split(",") if c.strip()])
    publish(NAME, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
