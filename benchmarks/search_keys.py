"""SQLite search through the indexes of what it filters and sorts by (migration 0022, issue 20), against
the search code before them, on the same store.

Run: .venv/bin/python benchmarks/search_keys.py --store var/bench/search_100000_s1_g1 [--before REV]
     [--runs 7] [--only TEXT] [--out NAME] [--work DIR] [--json]
     or, PostgreSQL: … --schema bench_search_1000000_s1_g1 --before REV

The store (search_latency.py's, never written) is copied twice into --work (var/bench/search_keys/):
`before`, opened as it is (at the migration it was built with), and `after`, migrated. REV (by default
the parent of the commit that brought the indexes to caunoi/store/articles.py) gives the code before:
its ArticleRepository.search, _count and ranked_from, read with `git show REV:caunoi/store/articles.py`,
stand in for this checkout's on the `before` store. Each query of search_latency.py's QUERIES runs once
on each to warm up, then --runs times alternately before and after, in one process (the machine's load
falls on both alike): `Service.search`, limit 20, end to end; medians, and whether both gave the same
ids, in the same order, with the same scores (a hit sorted by date has none after: not compared).
With --schema, a PostgreSQL store of search_latency.py's (never written) is searched by both sides as it
is, nothing copied nor migrated: a change of the search code alone.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

from _harness import REPO, VAR, print_table, publish, schema_url
from search_latency import QUERIES, describe

NAME = "search_keys"
REPLACED = ("search", "_count", "ranked_from")


def code_before(rev: str) -> dict[str, Any]:
    """The methods of REPLACED as ArticleRepository had them at `rev`, compiled against this checkout's
    module (the helpers they call are the same)."""
    import caunoi.store.articles as module

    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:caunoi/store/articles.py"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    repository = next(
        node for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and node.name == "ArticleRepository"
    )  # fmt: skip
    found = {}
    for node in repository.body:
        if isinstance(node, ast.FunctionDef) and node.name in REPLACED:
            space = dict(vars(module))
            exec(compile(ast.Module([node], []), f"{rev}:articles.py", "exec"), space)
            found[node.name] = space[node.name]
    return found


def copied(store: Path, folder: Path) -> Path:
    """A copy of the store's database in `folder` (made once), with its write-ahead log if it has one,
    copied first: a checkpoint meanwhile leaves the log's copy holding what the database's lacks."""
    if not (folder / "caunoi.db").exists():
        folder.mkdir(parents=True, exist_ok=True)
        if (store / "caunoi.db-wal").exists():
            shutil.copyfile(store / "caunoi.db-wal", folder / "caunoi.db-wal")
        shutil.copyfile(store / "caunoi.db", folder / "caunoi.db.part")
        (folder / "caunoi.db.part").rename(folder / "caunoi.db")
    return folder


def measure(
    store: Path | None, work: Path, rev: str, runs: int, only: str, schema: str | None = None
) -> dict[str, Any]:
    import caunoi.service
    from caunoi.config import Settings
    from caunoi.models import SearchRequest
    from caunoi.service import Service
    from caunoi.store.database import create_store_engine

    with contextlib.ExitStack() as stack:
        if schema:  # PostgreSQL: the same store for both sides
            settings = Settings(data_dir=work / "postgresql", database_url=schema_url(schema))
            before, after = (stack.enter_context(Service(settings)) for _ in range(2))
        else:
            opened = caunoi.service.open_store
            caunoi.service.open_store = create_store_engine  # the store as it was built: not migrated
            try:
                before = stack.enter_context(Service(Settings(data_dir=copied(store, work / "before"))))
            finally:
                caunoi.service.open_store = opened
            after = stack.enter_context(Service(Settings(data_dir=copied(store, work / "after"))))
        for name, method in code_before(rev).items():
            setattr(before.articles, name, types.MethodType(method, before.articles))
        queries = []
        for q in QUERIES:
            if only not in describe(q):
                continue
            request = SearchRequest(query=q.query, limit=20, **q.options)
            ms: dict[str, list[float]] = {"before": [], "after": []}
            hits = {side: svc.search(request) for side, svc in (("before", before), ("after", after))}
            for _ in range(runs):
                for side, svc in (("before", before), ("after", after)):
                    started = time.perf_counter()
                    hits[side] = svc.search(request)
                    ms[side].append((time.perf_counter() - started) * 1000)
            old, new = hits["before"], hits["after"]
            queries.append(
                {
                    "query": describe(q),
                    "before_ms": round(statistics.median(ms["before"]), 1),
                    "after_ms": round(statistics.median(ms["after"]), 1),
                    "same_ids": [h.id for h in old] == [h.id for h in new],
                    "same_scores": len(old) == len(new)
                    and all(
                        n.score is None or abs(n.score - o.score) < 1e-9
                        for o, n in zip(old, new, strict=False)
                    ),
                    "scored_after": all(h.score is not None for h in new),
                    "ids": [h.id for h in new],
                }
            )
            done = queries[-1]
            print(f"{done['before_ms']:8.1f} {done['after_ms']:8.1f}  {done['query']}", file=sys.stderr)
    summary = {
        side: {"p50": percentile([q[f"{side}_ms"] for q in queries], 50),
               "p95": percentile([q[f"{side}_ms"] for q in queries], 95)}
        for side in ("before", "after")
    }  # fmt: skip
    return {
        "store": schema or str(store), "before": rev, "runs": runs, "load_average": os.getloadavg(),
        "summary": summary, "queries": queries,
    }  # fmt: skip


def percentile(values: list[float], p: int) -> float:
    """The nearest-rank percentile of the queries' medians."""
    ranked = sorted(values)
    return ranked[max(0, -(-p * len(ranked) // 100) - 1)]


def print_report(r: dict[str, Any]) -> None:
    load = ", ".join(f"{n:.1f}" for n in r["load_average"])
    print(f"store {r['store']}; code before: {r['before']}; {r['runs']} runs; load average {load}\n")
    rows = [
        [
            q["query"],
            f"{q['before_ms']:.1f}",
            f"{q['after_ms']:.1f}",
            f"{q['before_ms'] / q['after_ms']:.1f}",
            "yes" if q["same_ids"] and q["same_scores"] else "NO",
            "" if q["scored_after"] else "none",
        ]
        for q in r["queries"]
    ]
    for p in ("p50", "p95"):
        before, after = r["summary"]["before"][p], r["summary"]["after"][p]
        rows.append([f"**all, {p}**", f"{before:.1f}", f"{after:.1f}", f"{before / after:.1f}", "", ""])
    print_table(["query", "before ms", "after ms", "×", "same", "score after"], rows, "lrrrll")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="search_latency.py's store folder (SQLite)")
    parser.add_argument("--schema", help="or search_latency.py's PostgreSQL schema, searched as it is")
    parser.add_argument("--before", help="the revision of the code before (default: before the indexes)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="only the queries whose text contains this")
    parser.add_argument("--out", default=NAME, help="the result's name in benchmarks/results/")
    parser.add_argument("--work", type=Path, default=VAR / NAME, help="where the two copies are made")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    if args.schema and not args.before:
        sys.exit("--schema compares two revisions of the search code: give --before REV")
    if not args.schema and not (args.store and (args.store / "caunoi.db").exists()):
        sys.exit(f"no SQLite store in {args.store}: build one with search_latency.py --backends sqlite")
    rev = args.before or subprocess.run(
        ["git", "-C", str(REPO), "log", "--reverse", "--format=%H", "-S", "SEARCH_KEYS_BY_DATE", "--",
         "caunoi/store/articles.py"],
        check=True, capture_output=True, text=True,
    ).stdout.split()[0] + "^"  # fmt: skip
    result = measure(args.store, args.work, rev, args.runs, args.only, args.schema)
    publish(args.out, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
