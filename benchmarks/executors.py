"""Executors on 2 cores: enrichment in this process, in a process pool, on a local Ray.

Run: nice -n 10 .venv/bin/python benchmarks/executors.py [--data DIR] [--limit N] [--workers 2] [--json]

On the vi-news-unc articles (../shared/data/vi-news-unc/docs, 2,653; the 297 of demo/data when
absent), each read and normalised as the ingest pipeline does, then mapped through
`caunoi.executors.make_executor(settings)` the way `Service.enrich` maps them: `enrich_row` over pages
of `batch_size` (200) rows, each page cut into the executor's shares. Each executor runs in a fresh
child process, alone:
  in-process    CAUNOI_EXECUTOR=in-process, CAUNOI_WORKERS=0;
  process-pool  CAUNOI_EXECUTOR=process-pool, CAUNOI_WORKERS=2 (spawned workers);
  ray           CAUNOI_EXECUTOR=ray, CAUNOI_WORKERS=2: a local Ray of 2 CPUs, object store 200 MiB,
                no dashboard, 2 actors.
Measured: start-up (from creating the executor to the results of a first page of one short article
per worker: the workers started and their models loaded), then articles/s over all the articles
after that, and the peak memory of the child's whole process tree (the sum of PSS over the driver and
every process under it: pool workers, Ray's GCS, raylet and actors; PSS so that shared pages count
once), sampled every 0.2 s from /proc.
Results go to benchmarks/results/executors.json.

With --store DIR --last N, each executor instead runs the real command on a large store:
`Service.enrich(everything=True)` (what `caunoi enrich --all` runs), resumed after article max(id) - N
(the mark an interrupted run leaves), so it reads its pages from the store DIR (e.g. the 1M store of
benchmarks/search_latency.py; copy it first: the run writes enrichments), enriches N articles and
writes them back. Articles/s there include the executor's start-up. Results go to
benchmarks/results/executors_store.json (or --out).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._harness import machine, print_table, publish  # noqa: E402
from benchmarks.enrich_throughput import load  # noqa: E402  (the same articles, read the same way)

SHARED = REPO.parent / "shared" / "data" / "vi-news-unc" / "docs"
DEMO = REPO / "demo" / "data" / "vi-news-unc" / "docs"
MODES = ("in-process", "process-pool", "ray")
PAGE = 200  # Settings.batch_size's default: what `enrich` reads and writes at a time


def child(mode: str, data: Path, limit: int | None, workers: int) -> dict[str, Any]:
    """One executor over the corpus, in this (fresh) process."""
    import functools

    from caunoi.config import Settings
    from caunoi.enrich.stage import enrich_row
    from caunoi.executors import each, make_executor

    rows = load(data, limit)
    settings = dataclasses.replace(
        Settings(), executor=mode, workers=0 if mode == "in-process" else workers, ray_object_store_mb=200
    )
    work = each(functools.partial(enrich_row, taxonomy_path=""))
    started = time.perf_counter()
    with make_executor(settings) as executor:
        short = sorted(rows, key=lambda r: len(r[2]))[: max(1, settings.workers)]
        executor.map_shares(work, short)
        startup = time.perf_counter() - started
        began, done, tags = time.perf_counter(), 0, 0
        for start in range(0, len(rows), PAGE):
            found = executor.map_shares(work, rows[start : start + PAGE])
            done += len(found)
            tags += sum(len(e.tags) for e in found)
        wall = time.perf_counter() - began
    return {
        "mode": mode,
        "articles": done,
        "tags": tags,
        "startup_s": round(startup, 2),
        "wall_s": round(wall, 2),
        "articles_per_s": round(done / wall, 2),
    }


def store_child(mode: str, folder: Path, last: int, workers: int) -> dict[str, Any]:
    """`enrich --all` over the store's last `last` articles with this executor, in this process."""
    from sqlalchemy import func, select

    from caunoi.config import Settings
    from caunoi.enrich import stage
    from caunoi.service import ENRICH_ALL_MARK, Service
    from caunoi.store.progress import set_mark
    from caunoi.store.schema import article_tags, articles

    settings = dataclasses.replace(
        Settings(data_dir=folder),
        executor=mode,
        workers=0 if mode == "in-process" else workers,
        ray_object_store_mb=200,
    )
    with Service(settings) as service:
        with service.engine.begin() as conn:
            stored = conn.execute(select(func.count()).select_from(articles)).scalar()
            top = conn.execute(select(func.max(articles.c.id))).scalar()
            set_mark(conn, ENRICH_ALL_MARK, {"after": top - last, "version": stage.ENRICH_VERSION})
        started = time.perf_counter()
        done = service.enrich(everything=True)
        wall = time.perf_counter() - started
        with service.engine.connect() as conn:
            tags = conn.execute(
                select(func.count()).select_from(article_tags).where(article_tags.c.article_id > top - last)
            ).scalar()
    return {
        "mode": mode,
        "store_articles": stored,
        "articles": done,
        "tags": tags,
        "wall_s": round(wall, 2),
        "articles_per_s": round(done / wall, 2),
    }


def tree_memory(root: int) -> tuple[int, int]:
    """The memory (bytes) of `root` and every process under it, and how many they are: the sum of
    their PSS (proportional set size), so pages they share (Ray's object store, a pool's copied
    libraries) count once in all, not once per process as a sum of RSS would count them."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for p, parent in parents.items():
            if parent == pid and p not in tree:
                tree.add(p)
                frontier.append(p)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except (OSError, ValueError):
            continue
    return total, len(tree)


def measure(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    """`mode` in a child process, its tree's RSS sampled while it runs."""
    command = [sys.executable, __file__, "--child", mode, "--workers", str(args.workers)]
    if args.store:
        command += ["--store", str(args.store), "--last", str(args.last)]
    else:
        command += ["--data", str(args.data)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    peak, processes, stop = [0], [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            total, count = tree_memory(proc.pid)
            if total > peak[0]:
                peak[0], processes[0] = total, count
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["process_wall_s"] = round(time.perf_counter() - started, 2)
    result["peak_tree_pss_mib"] = round(peak[0] / 2**20, 1)
    result["processes_at_peak"] = processes[0]
    return result


def report(result: dict[str, Any]) -> None:
    runs = result["runs"]
    base = next(r for r in runs if r["mode"] == "in-process")["articles_per_s"]
    where = result.get("store") or result["data"]
    print(f"{result['articles']} articles ({where}), {result['workers']} workers, pages of {PAGE}\n")
    print_table(
        ["executor", "start-up s", "articles/s", "× in-process", "tree PSS MiB", "processes", "child wall s"],
        [
            [r["mode"], r.get("startup_s", "in wall"), r["articles_per_s"],
             f"{r['articles_per_s'] / base:.2f}×", r["peak_tree_pss_mib"], r["processes_at_peak"],
             r["process_wall_s"]]
            for r in runs
        ],
    )  # fmt: skip
    print(f"\nsame tags from every executor: {result['same_tags']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED if SHARED.is_dir() else DEMO)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--child", choices=MODES)
    parser.add_argument("--store", type=Path, help="a SQLite store folder: enrich --all on its last articles")
    parser.add_argument("--last", type=int, default=2000, help="with --store: how many of its articles")
    parser.add_argument("--out", help="name of the result files in benchmarks/results")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.child and args.store:
        print(json.dumps(store_child(args.child, args.store, args.last, args.workers)))
        return
    if args.child:
        print(json.dumps(child(args.child, args.data, args.limit, args.workers)))
        return
    runs = []
    for mode in args.modes.split(","):
        print(f"{mode} …", file=sys.stderr)
        runs.append(measure(mode, args))
    result = {
        "store": str(args.store) if args.store else None,
        "data": str(args.data.relative_to(REPO.parent))
        if args.data.is_relative_to(REPO.parent)
        else str(args.data),
        "articles": runs[0]["articles"],
        "workers": args.workers,
        "same_tags": len({r["tags"] for r in runs}) == 1,
        "runs": runs,
        "machine": machine(),
    }
    name = args.out or ("executors_store" if args.store else "executors")
    publish(name, result, as_json=args.json, report=report)


if __name__ == "__main__":
    main()
