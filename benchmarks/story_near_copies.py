"""Stories over a flood of near-copies: how long `update_stories` takes for N near-copies of one article.

A hostile (or merely broken) sitemap can serve one article under thousands of URLs, each page a little
different (a counter, a changed word), so that none is an exact copy and each is a near-duplicate of
all the others. Every one of them is signed, linked to its original and put in the same story; what
matters is that the work per article stays bounded, so N copies cost N times one copy, not N².

The copies: one demo article (demo/data/vi-news-unc) whose body gets a page number line and one
word replaced at a seeded random place, published a minute apart, written straight to a SQLite store
(no stages, no enrichment) oldest first, or with --newest-first as a sitemap lists them (then each
copy is older than the ones stored before it and becomes its group's original). Then
`Service.update_stories()` is timed: duplicate detection, clustering and titling, batch by batch as
ingest runs them.

Run: .venv/bin/python benchmarks/story_near_copies.py [--copies 2000 20000] [--newest-first] [--json]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the near-copies the tests use

from _harness import machine, print_table, publish  # noqa: E402
from support.corpus import near_copies  # noqa: E402

NAME = "story_near_copies"
ARTICLE = REPO / "demo" / "data" / "vi-news-unc" / "docs" / "news_science_217.txt"


def measure_one(n: int, newest_first: bool = False) -> dict[str, Any]:
    from caunoi.config import Settings
    from caunoi.service import Service

    with (
        tempfile.TemporaryDirectory(prefix="caunoi-near-copies-") as tmp,
        Service(Settings(data_dir=Path(tmp))) as svc,
    ):
        docs = near_copies(ARTICLE, n, datetime.now())
        if newest_first:  # as a sitemap lists them: each copy stored before the older ones
            docs.reverse()
        size = svc.settings.batch_size
        for i in range(0, n, size):
            svc.articles.write_batch(docs[i : i + size])
        phases: dict[str, float] = {}
        last = [time.perf_counter()]

        def on_batch(phase: str, _count: int) -> None:
            now = time.perf_counter()
            phases[phase] = phases.get(phase, 0.0) + now - last[0]
            last[0] = now

        started = time.perf_counter()
        summary = svc.update_stories(on_batch=on_batch)
        total = time.perf_counter() - started
        stories = svc.story_list(limit=5)
    return {
        "copies": n,
        "order": "newest first" if newest_first else "oldest first",
        "seconds": round(total, 2),
        "dedupe_s": round(phases.get("dedupe", 0.0), 2),
        "cluster_s": round(phases.get("cluster", 0.0), 2),
        "ms_per_copy": round(1000 * total / n, 2),
        "linked_as_copies": summary.copies,
        "stories": summary.opened,
        "biggest_story": stories[0].articles + stories[0].reprints if stories else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument(
        "--newest-first", action="store_true", help="store the copies newest first, as a sitemap lists them"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [measure_one(n, args.newest_first) for n in args.copies]
    result = {"benchmark": NAME, "machine": machine(), "runs": runs}
    publish(NAME, result, as_json=args.json, report=report)


def report(result: dict[str, Any]) -> None:
    keys = ["copies", "order", "seconds", "dedupe_s", "cluster_s", "ms_per_copy", "linked_as_copies"]
    keys.append("stories")
    print_table(keys, [[run[k] for k in keys] for run in result["runs"]])


if __name__ == "__main__":
    main()
