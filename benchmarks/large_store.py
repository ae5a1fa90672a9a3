"""The memory of `enrich --all` on a large store: flat in the number of articles (read a page at a time).

Run: nice -n 10 .venv/bin/python benchmarks/large_store.py --store DIR [--json]

DIR holds a SQLite store of generated articles (`caunoi.db`), e.g. the 100k store that
benchmarks/search_latency.py builds (var/bench/search_100000_s1_g1); it is copied (SQLite's backup)
to var/bench/large_store/ and only the copy is written to. Each variant runs in a fresh child process,
and its peak RSS is what wait4 reports for it. The enrichment stages are replaced by one that finds
nothing, so what is measured is the loop around them: reading the articles, handing pages to the
executor (in process), writing enrichments and tags back; the models' memory (BENCHMARKS.md,
Enrichment) comes on top, the same at any size.
  stream-last-10k   `Service.enrich(everything=True)` over the store's last 10,000 articles: the run
                    resumes after article N - 10,000 (the mark an interrupted run leaves), so it reads
                    and writes 10k articles of the same store;
  stream-all        the same over all N articles;
  list-all (peer)   what a loop holding its list would cost: every row `enrich` reads, materialised
                    at once (`todo` with no limit), before the same pages are written.
Results go to benchmarks/results/large_store.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._harness import VAR, machine, print_table, publish, run_child  # noqa: E402

VARIANTS = ("stream-last-10k", "stream-all", "list-all")
WORK = VAR / "large_store"


def nothing_found(row: tuple, taxonomy_path: str = ""):
    from caunoi.models import Enrichment

    return Enrichment(data={"keywords": []}, tags={("topic", "x"): 1.0})


def child(variant: str, folder: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    from caunoi.config import Settings
    from caunoi.enrich import stage
    from caunoi.executors import each
    from caunoi.service import ENRICH_ALL_MARK, Service
    from caunoi.store.progress import set_mark
    from caunoi.store.schema import articles

    stage.enrich_row = nothing_found  # the loop, not the models
    with Service(Settings(data_dir=folder)) as service:
        total = service.enrich_todo(everything=True)
        started = time.perf_counter()
        if variant == "list-all":
            rows = service.enrichments.todo(stage.ENRICH_VERSION, True, 0, 10**9)
            done = 0
            for start in range(0, len(rows), service.settings.batch_size):
                page = rows[start : start + service.settings.batch_size]
                found = each(nothing_found)(page)
                done += service.enrichments.write(
                    zip((r[0] for r in page), found, strict=True), stage.ENRICH_VERSION
                )
        else:
            if variant == "stream-last-10k":
                with service.engine.begin() as conn:
                    top = conn.execute(select(func.max(articles.c.id))).scalar()
                    set_mark(conn, ENRICH_ALL_MARK, {"after": top - 10_000, "version": stage.ENRICH_VERSION})
            done = service.enrich(everything=True)
        wall = time.perf_counter() - started
    return {"variant": variant, "store_articles": total, "enriched": done, "wall_s": round(wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--child", choices=VARIANTS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.store)))
        return
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    source, target = sqlite3.connect(args.store / "caunoi.db"), sqlite3.connect(WORK / "caunoi.db")
    source.backup(target)
    source.close()
    target.close()
    runs = []
    for variant in args.variants.split(","):
        print(f"{variant} …", file=sys.stderr)
        runs.append(
            run_child([__file__, "--child", variant, "--store", str(WORK)], env={"PYTHONPATH": str(REPO)})
        )
    result = {"store": str(args.store), "runs": runs, "machine": machine()}
    publish("large_store", result, as_json=args.json, report=report)
    shutil.rmtree(WORK, ignore_errors=True)


def report(result: dict[str, Any]) -> None:
    print(f"store: {result['store']}\n")
    print_table(
        ["variant", "articles in the store", "enriched", "wall s", "peak RSS MiB"],
        [
            [r["variant"], r["store_articles"], r["enriched"], r["wall_s"], r["peak_rss_mib"]]
            for r in result["runs"]
        ],
    )


if __name__ == "__main__":
    main()
