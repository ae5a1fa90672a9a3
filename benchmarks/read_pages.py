"""Reading a large store's articles a page at a time against one list, each from a cold page cache.

Run (as root, which may drop the kernel's page cache): .venv/bin/python benchmarks/read_pages.py
         --store DIR [--after 700000] [--articles 40000] [--rounds 2] [--json]

Why: at 1M, `enrich --all` read page by page took 299 s where the peer holding its list took 87 s
(BENCHMARKS.md, "At 1M, and reprocess"); the peer ran second, after the streamed run had read the
whole 7 GB store into the page cache. Here each way reads the same articles (`--articles` after id
`--after`, the columns `enrich` reads) from a SQLite store opened read-only, the page cache dropped
(`echo 1 > /proc/sys/vm/drop_caches`) before each, the two ways taking turns round by round:
  pages  `EnrichmentRepository.pages` (keyset pages of 200 by id, as `enrich --all` reads them);
  list   the same rows in one SELECT.
Results go to benchmarks/results/read_pages.json (or --out).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _harness import print_table, publish

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NAME = "read_pages"
PAGE = 200


def drop_page_cache() -> None:
    subprocess.run(["sh", "-c", "sync; echo 1 > /proc/sys/vm/drop_caches"], check=True)


def read(engine: Any, way: str, after: int, last: int) -> int:
    """How many articles `way` read of those with an id in (after, last]."""
    from sqlalchemy import select

    from caunoi.store.enrichment import EnrichmentRepository
    from caunoi.store.schema import articles

    if way == "list":
        cols = (articles.c.id, articles.c.title, articles.c.text, articles.c.published, articles.c.lang)
        stmt = select(*cols).where(articles.c.id > after, articles.c.id <= last).order_by(articles.c.id)
        with engine.connect() as conn:
            return len(conn.execute(stmt).fetchall())
    n = 0
    for rows in EnrichmentRepository(engine).pages(1, True, after, PAGE):
        n += sum(1 for row in rows if row[0] <= last)
        if rows[-1][0] >= last:
            break
    return n


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import create_engine

    db = args.store / "caunoi.db"
    engine = create_engine(f"sqlite:///file:{db}?mode=ro&uri=true")
    last = args.after + args.articles
    runs: dict[str, list[float]] = {"pages": [], "list": []}
    for round_ in range(args.rounds):
        for way in ("pages", "list") if round_ % 2 == 0 else ("list", "pages"):
            drop_page_cache()
            started = time.perf_counter()
            n = read(engine, way, args.after, last)
            runs[way].append(round(time.perf_counter() - started, 2))
            print(f"{way}: {n} articles in {runs[way][-1]} s", file=sys.stderr)
    return {
        "store": str(args.store),
        "after": args.after,
        "articles": args.articles,
        "store_bytes": db.stat().st_size,
        "load_average": os.getloadavg(),
        "seconds": runs,
    }


def report(r: dict[str, Any]) -> None:
    print(f"{r['articles']:,} articles after id {r['after']:,}, page cache dropped before each read\n")
    rows = [
        [way, ", ".join(f"{s:.1f}" for s in secs), f"{min(secs):.1f}"] for way, secs in r["seconds"].items()
    ]
    print_table(["way", "seconds per round", "best"], rows, "lrr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a folder holding a SQLite caunoi.db")
    parser.add_argument("--after", type=int, default=700_000)
    parser.add_argument("--articles", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default=NAME)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("read_pages.py drops the page cache between reads: run it as root")
    publish(args.out, measure(args), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
