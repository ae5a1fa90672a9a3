"""Rising stories (issue 18, item 5): how long finding them takes on a store of 100k articles, SQLite
against PostgreSQL in the same run — the stories page and the API (`rising=true`), the dashboard's
panel (the same query, five shown) and a `rising_story` alert rule's evaluation — with the biggest
stories' list (`caunoi stories`, the page's other tab) as the peer.

Run: .venv/bin/python benchmarks/rising_stories.py [--json] [--articles 100000] [--days 30]
         [--repeat 5] [--seed 1] [--backends sqlite,postgresql]

The store: `--articles` articles of search_latency.py's generator (real vi-news-unc titles and
paragraphs, a tenth English), their publication times squeezed into the `--days` days before END (30:
3,300 articles a day, a busy monitor's month; 0 keeps the generator's five years, 55 a day), written
through write_batch; the generator's outlets as sources with their origin (review_report.py's
OUTLETS); the articles of one title in one calendar month as a story (review_report.py's `_stories`,
straight into the tables: clustering 100k articles takes hours). Not enriched: no topics.

Measured, in this process after the build, each `--repeat` times (the median, and the slowest):
  rising      service.rising_stories at END with the defaults (24 h window, 7 days of baseline)
  every       the same with `all`: every story of the window ranked, 50 listed
  foreign     the same counting only articles of outlets of origin foreign (the sources' subquery)
  english     the same counting only English articles
  rule        one `rising_story` rule evaluated at END over the whole store (Alerts.evaluate)
  biggest     the peer: service.story_list(limit=100), the stories page's default tab
and how many (story, time) rows the rising query reads, and how many stories it ranks.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import (
    EXTRACTION_TRUTH,
    VAR,
    VI_DOCS,
    machine,
    pg_reachable,
    print_table,
    publish,
    require_corpus,
    temporary_schema,
)

END = datetime(2024, 12, 31, 8, 0)
BATCH = 500


def build(svc, args) -> dict[str, Any]:
    """The store (see the module docstring); the seconds each step took."""
    from coverage_throughput import settle
    from review_report import _outlets, _stories
    from search_latency import FIRST_DAY, generate, load_pools

    out: dict[str, Any] = {}
    t = time.perf_counter()
    pools = load_pools(VI_DOCS, EXTRACTION_TRUTH)
    span = (datetime(2025, 1, 1) - FIRST_DAY).total_seconds()
    batch = []
    for doc in generate(pools, args.seed, args.articles):
        if args.days:  # the generator's five years squeezed into the last `days` days
            share = (doc.published - FIRST_DAY).total_seconds() / span
            doc.published = END - timedelta(days=args.days) + timedelta(days=args.days * share)
        batch.append(doc)
        if len(batch) >= BATCH:
            svc.articles.write_batch(batch)
            batch.clear()
    svc.articles.write_batch(batch)
    out["articles_s"] = round(time.perf_counter() - t, 1)
    _outlets(svc)
    t = time.perf_counter()
    out["stories"] = _stories(svc)
    out["stories_s"] = round(time.perf_counter() - t, 1)
    out["settle_s"] = round(settle(svc), 1)
    return out


def timed(work, repeat: int) -> dict[str, float]:
    """`work` run once untimed, then `repeat` times: the median and the slowest, in ms."""
    work()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        work()
        times.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def measure(svc, args) -> dict[str, Any]:
    from caunoi.stories.rising import RisingRequest

    asked = RisingRequest(at=END)
    checked = asked.checked(END)
    rows = svc.stories.member_times(checked.start, END)
    out: dict[str, Any] = {
        "rows_read": len(rows),
        "stories_ranked": len({r.story_id for r in rows if r.when >= checked.window_start}),
        "rising_found": len(svc.rising_stories(asked).stories),
    }
    svc.alerts.add_rule("bench rising", "rising_story", {}, by="bench")
    for name, work in (
        ("rising", lambda: svc.rising_stories(asked)),
        ("every", lambda: svc.rising_stories(RisingRequest(at=END, every=True, limit=50))),
        ("foreign", lambda: svc.rising_stories(RisingRequest(at=END, origin="foreign"))),
        ("english", lambda: svc.rising_stories(RisingRequest(at=END, lang="en"))),
        ("rule", lambda: svc.alerts.evaluate(END)),
        ("biggest", lambda: svc.story_list(limit=100)),
    ):
        out[name] = timed(work, args.repeat)
    return out


def run_backend(args, backend: str) -> dict[str, Any]:
    from coverage_throughput import settings_for

    from caunoi.service import Service

    with contextlib.ExitStack() as stack:
        VAR.mkdir(parents=True, exist_ok=True)
        folder = Path(stack.enter_context(_scratch()))
        url = stack.enter_context(temporary_schema("bench_rising")) if backend == "postgresql" else None
        with Service(settings_for(url, folder)) as svc:
            print(f"[{backend}] building {args.articles:,} articles…", file=sys.stderr)
            built = build(svc, args)
            print(f"[{backend}] built: {built}", file=sys.stderr)
            return {"backend": backend, "build": built, **measure(svc, args)}


@contextlib.contextmanager
def _scratch():
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="rising-", dir=VAR)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    require_corpus(VI_DOCS, "vi-news-unc")
    backends = args.backends.split(",")
    if "postgresql" in backends and (why := pg_reachable()):
        print(f"PostgreSQL left out: {why}", file=sys.stderr)
        backends.remove("postgresql")
    result = {
        "machine": machine(),
        "articles": args.articles,
        "days": args.days,
        "repeat": args.repeat,
        "backends": [run_backend(args, b) for b in backends],
    }
    publish("rising_stories", result, as_json=args.json, report=report)


def report(result: dict[str, Any]) -> None:
    over = f"{result['days']} days" if result["days"] else "5 years"
    runs = result["repeat"]
    print(f"Rising stories: {result['articles']:,} articles over {over}, medians (slowest) of {runs} runs")
    names = ("rising", "every", "foreign", "english", "rule", "biggest")
    rows = [
        [r["backend"], f"{r['rows_read']:,}", f"{r['stories_ranked']:,}", r["rising_found"]]
        + [f"{r[n]['median_ms']:,.0f} ({r[n]['max_ms']:,.0f})" for n in names]
        for r in result["backends"]
    ]
    print_table(["backend", "rows read", "stories ranked", "rising", *(f"{n}, ms" for n in names)], rows)


if __name__ == "__main__":
    main()
