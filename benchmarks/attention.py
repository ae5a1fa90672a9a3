"""Attention over time (issue 18): how long `Service.attention` takes on stores of 100k generated
articles, SQLite against PostgreSQL in the same run, against the way it is not done (every matching
row fetched into Python and counted there) as the peer.

Run: .venv/bin/python benchmarks/attention.py [--json] [--size 100000] [--seed 1] [--runs 5]
         [--backends sqlite,postgresql] [--rebuild] [--keep]

The stores are benchmarks/search_latency.py's (same generator, same folder and schema names; built
here when missing, reused when there; a PostgreSQL schema this run builds is dropped at the end
unless --keep): real vi-news-unc titles and paragraphs, 10 % English pages,
published uniformly over 2020-2024 (about 55 articles a day).

Measured, each case once to warm up, then --runs times (p50 and the worst):
  count_by_day   the store's GROUP BY of one search over the period (what each line of the chart is)
  attention      Service.attention: every article of the period by day, then each search compared,
                 without (top 0) and with its top outlets, countries and entities (top 10: the API's
                 default; the search facets over at most 5,000 of its articles)
  fetch peer     ArticleRepository.matching (every matching row of the period, up to 200,000) then a
                 Counter of their days in Python: the answer count_by_day gives, the naive way
over the searches in SEARCHES, each over a month (June 2024, by day) and over a year (2024, by week),
and the five of them compared at once (the attention page's most).
"""

from __future__ import annotations

import argparse
import collections
import logging
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any

from _harness import BACKENDS, EXTRACTION_TRUTH, VI_DOCS, pg_reachable, print_table, publish, require_corpus
from search_latency import Store, build, load_pools

NAME = "attention"
SEARCHES = ["Việt Nam", "doi ngoai", '"biển Đông"', "ASEAN", "Vinamilk"]  # very common … rare
PERIODS = {
    "month": (date(2024, 6, 1), date(2024, 6, 30), "day"),
    "year": (date(2024, 1, 1), date(2024, 12, 31), "week"),
}

log = logging.getLogger(NAME)


def timed(run, runs: int) -> dict[str, float]:
    run()  # warm up: the pages it reads in the cache, the query plan
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return {"p50_ms": round(1000 * statistics.median(seconds), 1), "max_ms": round(1000 * max(seconds), 1)}


def fetch_and_count(svc, request, first: date, last: date) -> dict[date, int]:
    rows = svc.articles.matching(
        svc._as_stored(request),
        datetime.combine(first, datetime.min.time()),
        datetime.combine(last + timedelta(days=1), datetime.min.time()),
        reprints=True,
    )
    return collections.Counter(row.when.date() for row in rows)


def measure_store(store: Store, runs: int) -> list[dict[str, Any]]:
    from caunoi.attention import ask
    from caunoi.models import SearchRequest
    from caunoi.service import Service

    rows = []
    with Service(store.settings()) as svc:
        for period, (first, last, by) in PERIODS.items():
            for query in SEARCHES:
                request = SearchRequest(query=query, date_from=first, date_to=last)
                counted = dict(svc.articles.count_by_day(svc._as_stored(request)))
                assert counted == fetch_and_count(svc, request, first, last), query  # the same answer
                asked = ask([query], first=first, last=last, by=by)
                rows.append(
                    {
                        "backend": store.backend,
                        "period": period,
                        "search": query,
                        "matches": sum(counted.values()),
                        "count_by_day": timed(
                            lambda r=request: svc.articles.count_by_day(svc._as_stored(r)), runs
                        ),
                        "attention": timed(lambda a=asked: svc.attention(a, top=0), runs),
                        "attention_top10": timed(lambda a=asked: svc.attention(a, top=10), runs),
                        "fetch_peer": timed(
                            lambda r=request, f=first, t=last: fetch_and_count(svc, r, f, t), runs
                        ),
                    }
                )
                log.info("%s %s %s: %s", store.backend, period, query, rows[-1])
            asked = ask(SEARCHES, first=first, last=last, by=by)
            rows.append(
                {
                    "backend": store.backend,
                    "period": period,
                    "search": "the five compared",
                    "matches": None,
                    "count_by_day": None,
                    "attention": timed(lambda a=asked: svc.attention(a, top=0), runs),
                    "attention_top10": timed(lambda a=asked: svc.attention(a, top=10), runs),
                    "fetch_peer": None,
                }
            )
    return rows


def report(result: dict[str, Any]) -> None:
    size, runs = result["size"], result["runs"]
    print(f"Attention over time on {size:,} generated articles, p50 (worst) of {runs} runs, in ms\n")

    def cell(value: dict[str, float] | None) -> str:
        return "—" if value is None else f"{value['p50_ms']:,} ({value['max_ms']:,})"

    print_table(
        ["backend", "period", "search", "matches", "count_by_day", "attention", "with top 10", "fetch peer"],
        [
            [
                r["backend"],
                r["period"],
                r["search"].replace("|", "\\|"),
                r["matches"] or "—",
                cell(r["count_by_day"]),
                cell(r["attention"]),
                cell(r["attention_top10"]),
                cell(r["fetch_peer"]),
            ]
            for r in result["rows"]
        ],
        "lllrrrrr",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema this run builds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    require_corpus(VI_DOCS, "vi-news-unc")
    require_corpus(EXTRACTION_TRUTH, "the article-extraction benchmark")
    backends = args.backends.split(",")
    if "postgresql" in backends and (why := pg_reachable()):
        log.warning("PostgreSQL left out: %s", why)
        backends.remove("postgresql")
    rows = []
    for backend in backends:
        store = Store(backend, args.size, args.seed)
        if args.rebuild:
            store.remove()
        manifest = store.manifest()
        built = manifest is None
        if manifest is None or not manifest.get("complete"):
            build(store, lambda: load_pools(VI_DOCS, EXTRACTION_TRUTH), None)
        rows += measure_store(store, args.runs)
        if built and backend == "postgresql" and not args.keep:
            log.info("dropping schema %s (pass --keep to keep it)", store.schema)
            store.remove()
    publish(NAME, {"size": args.size, "runs": args.runs, "rows": rows}, as_json=args.json, report=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
