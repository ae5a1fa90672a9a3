"""Searching by the outlet's origin and country (issue 19) on the 100k generated store of
search_latency.py (SQLite): what filtering by origin or outlet country costs a search, against the
same search unfiltered in the same run, and how long linking the stored articles to the sample
registry takes (`caunoi sources import --sample --disabled`, which relinks them by their URLs).

Run: .venv/bin/python benchmarks/outlet_filter.py [--json] [--size 100000] [--seed 1] [--runs 5]

The store is search_latency.py's (built and cached in var/bench/ when absent; its sources are hosts
like vnexpress.net, reuters.com, its URLs https://<host>/gen/<n>); a copy of it gets the sample
registry, so the cached store stays as it was. Each search runs once to warm up, then --runs times,
end to end through Service.search_results with its count (limit 20, snippets)."""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _harness import EXTRACTION_TRUTH, VAR, VI_DOCS, print_table, publish
from search_latency import Store, build, load_pools

NAME = "outlet_filter"
log = logging.getLogger(NAME)

# (label, the search's options): each filtered search is compared with the first of its group
CASES = [
    ("doi ngoai", {"query": "doi ngoai"}),
    ("doi ngoai --origin foreign", {"query": "doi ngoai", "origin": "foreign"}),
    ("doi ngoai --origin unknown", {"query": "doi ngoai", "origin": "unknown"}),
    ("doi ngoai --outlet-country US", {"query": "doi ngoai", "outlet_country": "US"}),
    ("Vietnam", {"query": "Vietnam"}),
    ("Vietnam --origin international", {"query": "Vietnam", "origin": "international"}),
    ("two days, every outlet", {"query": "", "from": "2024-12-30", "to": "2024-12-31"}),
    (
        "two days --origin foreign",
        {"query": "", "from": "2024-12-30", "to": "2024-12-31", "origin": "foreign"},
    ),
]


def timed(svc: Any, options: dict[str, Any], runs: int) -> tuple[float, int]:
    """The median milliseconds of the search, and how many it matched."""
    from caunoi.search import request_from

    request = request_from(options, require=False)
    found = svc.search_results(request)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        found = svc.search_results(request)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), found.total or 0


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from caunoi.config import Settings
    from caunoi.ingest.sources import SAMPLE
    from caunoi.service import Service

    store = Store("sqlite", args.size, args.seed)
    manifest = store.manifest()
    if not (manifest and manifest.get("complete")):
        build(store, lambda: load_pools(VI_DOCS, EXTRACTION_TRUTH), None)
    copy = VAR / f"{NAME}_{args.size}"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    shutil.copyfile(store.folder / "caunoi.db", copy / "caunoi.db")
    result: dict[str, Any] = {"size": args.size, "seed": args.seed, "runs": args.runs, "searches": []}
    with Service(Settings(data_dir=copy)) as svc:
        t = time.perf_counter()
        added, _, linked = svc.sources.import_file(SAMPLE, disabled=True)
        result["import_and_relink_s"] = round(time.perf_counter() - t, 2)
        result["sources"], result["linked"] = added, linked
        base = None
        for label, options in CASES:
            ms, total = timed(svc, options, args.runs)
            filtered = any(k in options for k in ("origin", "outlet_country"))
            base = base if filtered else ms
            result["searches"].append(
                {"search": label, "ms": round(ms, 1), "matched": total, "vs_unfiltered": round(ms / base, 2)}
            )
    shutil.rmtree(copy, ignore_errors=True)
    result["date"] = date.today().isoformat()
    return result


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['size']:,} articles: sample registry imported ({result['sources']} sources) and "
        f"{result['linked']:,} articles relinked in {result['import_and_relink_s']} s"
    )
    rows = [[s["search"], s["matched"], s["ms"], f"{s['vs_unfiltered']}×"] for s in result["searches"]]
    print_table(["search (SQLite)", "matched", "median ms", "vs unfiltered"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    publish(NAME, measure(args), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
