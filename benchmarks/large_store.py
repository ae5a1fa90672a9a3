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
The reprocess variants measure `caunoi reprocess` the same way. Generated stores have no fetched
pages, so the copy is first given one kept page per article (`pages` rows pointing at the article, as
a fetch leaves them), their raw bytes shared among the 181 real pages of the article-extraction
benchmark (raw_pages, gzip-compressed as the fetcher keeps them; each page's bytes are read back and
decompressed at replay). The stages are replaced by one that makes an article of the page's URL
(new text, so each article is rewritten and re-indexed), so what is measured is the loop: reading
pages by id, their kept bytes, writing each article back with where the run got to.
  reprocess-last-10k   `Service.reprocess()` resumed after page N - 10,000 (the mark a stopped run
                       leaves): 10k pages replayed on a store of N;
  reprocess-last-100k  the same over the last 100,000;
  reprocess-list-all   the peer: every page row `reprocess` reads, materialised at once (as it was
                       read before issue 20), then the last 10,000 replayed.
Results go to benchmarks/results/large_store.json (or --out).
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
REPROCESS = ("reprocess-last-10k", "reprocess-last-100k", "reprocess-list-all")
PAGES_HTML = REPO.parent / "shared" / "data" / "article-extraction-benchmark" / "html"
WORK = VAR / "large_store"


def nothing_found(row: tuple, taxonomy_path: str = ""):
    from caunoi.models import Enrichment

    return Enrichment(data={"keywords": []}, tags={("topic", "x"): 1.0})


def article_of_page(docs: list, ctx=None) -> list:
    """The stages, replaced: each page becomes an article made of its URL (new text each run)."""
    import hashlib

    out = []
    for doc in docs:
        text = f"Trang {doc.origin} được xử lý lại. " * 20
        out.append(
            doc.replace(
                title=f"Trang {doc.origin}",
                text=text,
                lang="vi",
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                raw=None,
            )
        )
    return out


def add_pages(folder: Path) -> int:
    """One kept page per article (raw bytes shared among the 181 real benchmark pages); how many."""
    import gzip
    import hashlib

    bodies = sorted(PAGES_HTML.glob("*.html.gz"))
    if not bodies:
        sys.exit(f"the reprocess variants need the article-extraction benchmark's pages in {PAGES_HTML}")
    conn = sqlite3.connect(folder / "caunoi.db")
    with conn:
        conn.execute("CREATE TEMP TABLE bodies (n INTEGER PRIMARY KEY, sha256 TEXT)")
        for n, path in enumerate(bodies):
            raw = gzip.decompress(path.read_bytes())
            digest = hashlib.sha256(raw).hexdigest()
            conn.execute(
                "INSERT OR IGNORE INTO raw_pages (sha256, size, body, stored_at)"
                " VALUES (?, ?, ?, datetime())",
                (digest, len(raw), gzip.compress(raw)),
            )
            conn.execute("INSERT INTO bodies VALUES (?, ?)", (n, digest))
        conn.execute(
            "INSERT INTO pages (url_key, url, state, attempts, discovered_at, fetched_at, http_status,"
            " content_type, raw_hash, article_id)"
            " SELECT printf('%064x', a.id), coalesce(a.url, 'https://example.org/a/' || a.id), 'done', 1,"
            " a.created_at, a.created_at, 200, 'text/html', b.sha256, a.id"
            " FROM articles a JOIN bodies b ON b.n = a.id % ?",
            (len(bodies),),
        )
    count = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    conn.close()
    return count


def reprocess_child(variant: str, folder: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    import caunoi.pipeline
    from caunoi.config import Settings
    from caunoi.service import REPROCESS_MARK, Service
    from caunoi.store.progress import set_mark
    from caunoi.store.schema import pages

    caunoi.pipeline.run_stages = article_of_page  # the loop, not extraction and the stages
    last = 100_000 if variant == "reprocess-last-100k" else 10_000
    with Service(Settings(data_dir=folder)) as service:
        with service.engine.begin() as conn:
            total = conn.execute(select(func.count()).select_from(pages)).scalar()
            top = conn.execute(select(func.max(pages.c.id))).scalar()
            set_mark(conn, REPROCESS_MARK, {"after": top - last, "asked": {"source": None, "url": None}})
        started = time.perf_counter()
        if variant == "reprocess-list-all":
            rows = service.crawl.replay_jobs(None, None, 0, None)
            counts = {"pages": 0, "updated": 0, "merged": 0, "new": 0, "skipped": 0, "missing_raw": 0}
            tail = [r for r in rows if r["id"] > top - last]
            from caunoi.executors import make_executor

            with make_executor(service.settings) as executor:
                size = service.settings.batch_size
                for start in range(0, len(tail), size):
                    chunk = tail[start : start + size]
                    counts["pages"] += len(chunk)
                    done = {"after": chunk[-1]["id"], "asked": {"source": None, "url": None}}
                    service._replay(chunk, executor, article_of_page, counts, None, done)
        else:
            counts = service.reprocess()
        wall = time.perf_counter() - started
    return {
        "variant": variant,
        "store_articles": total,
        "enriched": counts["pages"],
        "updated": counts["updated"],
        "wall_s": round(wall, 1),
    }


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
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help=f"of {', '.join(VARIANTS + REPROCESS)}"
    )
    parser.add_argument("--child", choices=VARIANTS + REPROCESS)
    parser.add_argument("--out", default="large_store", help="name of the result files in benchmarks/results")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.child in REPROCESS:
        print(json.dumps(reprocess_child(args.child, args.store)))
        return
    if args.child:
        print(json.dumps(child(args.child, args.store)))
        return
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    source, target = sqlite3.connect(args.store / "caunoi.db"), sqlite3.connect(WORK / "caunoi.db")
    source.backup(target)
    source.close()
    target.close()
    variants = args.variants.split(",")
    pages_added = add_pages(WORK) if set(variants) & set(REPROCESS) else 0
    runs = []
    for variant in variants:
        print(f"{variant} …", file=sys.stderr)
        runs.append(
            run_child([__file__, "--child", variant, "--store", str(WORK)], env={"PYTHONPATH": str(REPO)})
        )
    result = {"store": str(args.store), "pages_added": pages_added, "runs": runs, "machine": machine()}
    publish(args.out, result, as_json=args.json, report=report)
    shutil.rmtree(WORK, ignore_errors=True)


def report(result: dict[str, Any]) -> None:
    print(f"store: {result['store']}\n")
    print_table(
        ["variant", "articles (pages) in the store", "enriched (replayed)", "wall s", "peak RSS MiB"],
        [
            [r["variant"], r["store_articles"], r["enriched"], r["wall_s"], r["peak_rss_mib"]]
            for r in result["runs"]
        ],
    )


if __name__ == "__main__":
    main()
