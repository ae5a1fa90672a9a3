"""What keeping the search index beside the store up to date costs (issue 20): the time to drain a batch
of changed articles into it (each deleted by id and added again as the store has it, then one commit),
on a store of search_latency.py with its index built (`caunoi search-index build`).

Run: PYTHONPATH=. .venv/bin/python benchmarks/search_index_drain.py --store var/bench/search_1000000_s1_g1
         [--batches 20] [--size 200] [--out NAME] [--json]

The store is opened through caunoi (SQLite: a folder; --database-url for PostgreSQL). Each batch queues
`--size` of the newest stored articles, by id, in the outbox — as a rewrite of them would — and times
`SearchIndex.sync()` until the outbox is empty. The index holds the same articles after as before (each
taken out and put back), so the store's search benchmarks are not changed by it. The peer, measured in
the same run: reading those rows and making their documents without writing them (the part of a drain
that is Python and SQL, not Tantivy).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _harness import print_table, publish

NAME = "search_index_drain"


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import insert, select

    from caunoi.config import Settings
    from caunoi.service import Service
    from caunoi.store import search_index
    from caunoi.store.schema import articles, search_outbox

    settings = Settings(data_dir=args.store, database_url=args.database_url or "")
    with Service(settings) as service:
        index = service.search_index
        status = index.status()
        if not status["usable"]:
            sys.exit(
                f"the search index is {status['why_not'] or 'off'}: run `caunoi search-index build` first"
            )
        with service.engine.connect() as conn:
            newest = list(
                conn.execute(
                    select(articles.c.id).order_by(articles.c.id.desc()).limit(args.batches * args.size)
                ).scalars()
            )
        drains, documents = [], []
        for n in range(args.batches):
            ids = newest[n * args.size : (n + 1) * args.size]
            started = time.perf_counter()
            for row, tags in index._stored(0, ids):  # the peer: rows read and documents made only
                search_index.document(row, tags)
            documents.append(time.perf_counter() - started)
            with service.engine.begin() as conn:
                conn.execute(insert(search_outbox), [{"article_id": i} for i in ids])
            started = time.perf_counter()
            drained = index.sync(wait=True)
            drains.append(time.perf_counter() - started)
            assert drained == len(ids) and index.pending() == 0
        after = index.status()
    assert after["documents"] == status["documents"], "the index no longer holds the same articles"

    def summary(values: list[float]) -> dict[str, float]:
        ms = sorted(v * 1000 for v in values)
        return {"median_ms": round(statistics.median(ms), 1), "max_ms": round(ms[-1], 1)}

    return {
        "store": str(args.store),
        "documents": status["documents"],
        "index_bytes": status["bytes"],
        "batches": args.batches,
        "batch_size": args.size,
        "drain": summary(drains),
        "rows_and_documents_only": summary(documents),
    }


def print_report(r: dict[str, Any]) -> None:
    print(
        f"search index beside {r['store']}: {r['documents']:,} articles, {r['index_bytes'] / 2**20:,.0f} MiB;"
        f" {r['batches']} batches of {r['batch_size']} drained"
    )
    print_table(
        ["", "median ms", "max ms"],
        [
            ["drain (delete by id, add, commit)", r["drain"]["median_ms"], r["drain"]["max_ms"]],
            [
                "peer: rows read, documents made",
                r["rows_and_documents_only"]["median_ms"],
                r["rows_and_documents_only"]["max_ms"],
            ],
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="the store's data folder (SQLite)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL store's URL instead")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--size", type=int, default=200, help="articles per batch (an ingest batch: 200)")
    parser.add_argument("--out", default=NAME, help="name of the result files in benchmarks/results")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    publish(args.out, measure(args), as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
