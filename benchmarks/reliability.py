"""Reliability: kill -9 at random moments of ingest, watch, enrich --all and stories --update, a
hundred times each on SQLite and PostgreSQL, then let the command finish; and PostgreSQL restarted
under an ingest. Nothing may be lost, nothing stored twice, and `caunoi check` must find the store whole.

Run: .venv/bin/python benchmarks/reliability.py [--kills 100] [--articles 12] [--batch 2]
     [--stages ingest,watch,enrich,stories] [--backends sqlite,postgresql] [--restarts 1]
     [--out reliability] [--json]

Each stage runs the real `caunoi` command as a process (tests/support/kills.py): once uninterrupted,
for reference; then killed with SIGKILL at a seeded random moment of [0, the reference's wall time],
started again, killed again… until a run ends before its moment (a chain), chain after chain until
--kills kills have landed on a process still running. Each chain's store is compared with the
reference's: the articles by content hash and URL (none twice), their origins and fetched pages,
the enrichment's tags, the stories as sets of articles (each article in one, each story titled),
and `caunoi check`. The corpus: the first --articles files of the demo corpus
(demo/data/vi-news-unc/docs) and as many pages of demo/site.py's outlet on 127.0.0.1 (feed and news
sitemap), in transactions of --batch articles. The backends run side by side, the stages one after
another. --restarts: PostgreSQL restarted (`pg_ctl restart -m fast`, then `-m immediate`) under an
ingest, in a private cluster (tests/support/pgcluster.py: initdb as the postgres user, its own port
and socket folder); skipped, with the reason, where initdb or runuser is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from _harness import REPO, pg_reachable, print_table, publish, temporary_schema

sys.path.insert(0, str(REPO / "tests"))

from support.kills import Store, corpus, kill_and_resume, local_outlet, stages

STAGES = ("ingest", "watch", "enrich", "stories")


def one_backend(backend: str, args: argparse.Namespace, root: Path, outlet: str) -> list[dict[str, Any]]:
    """Every chosen stage on a store of `backend`, one after another."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(temporary_schema("bench_reliability")) if backend == "postgresql" else None
        store = Store(root / backend, url, args.batch)
        stack.callback(store.close)
        store.service().close()  # migrated
        work = stages(corpus(root / "corpus", args.articles), outlet)
        results = []
        for name in args.stages:
            tally = kill_and_resume(store, work[name], args.kills, args.seed)
            print(
                f"{backend} {name}: {tally.kills} kills, {tally.runs} runs, {tally.chains} chains, "
                f"{tally.wall_s} s, one run {tally.reference_s} s, problems: {tally.problems[:5] or 'none'}",
                file=sys.stderr,
                flush=True,
            )
            results.append(tally.to_json())
        return results


def restarts(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """PostgreSQL restarted under an ingest, in a private cluster (tests/support/pgcluster.py)."""
    from support.pgcluster import restart_under_ingest, unavailable

    if why := unavailable():
        return {"skipped": why}
    folder = corpus(root / "restart-corpus", args.restart_articles)
    return {"runs": [restart_under_ingest(root / "cluster", folder, mode, args.batch) for mode in args.modes]}


def report(result: dict[str, Any]) -> None:
    print(
        f"kill -9 at random moments, then resume: {result['kills']} kills per stage and backend, "
        f"{result['articles']} articles in transactions of {result['batch']}, seed {result['seed']}\n"
    )
    rows = [
        [
            r["stage"], r["backend"], r["kills"], r["runs"], r["chains"], r["reference_s"], r["wall_s"],
            "none" if not r["problems"] else "; ".join(r["problems"][:3]),
        ]
        for r in result["stages"]
    ]  # fmt: skip
    print_table(
        ["stage", "backend", "kills landed", "runs", "chains", "one run (s)", "wall (s)", "differences"], rows
    )
    restarted = result.get("restarts") or {}
    if "skipped" in restarted:
        print(f"\nPostgreSQL restarted under an ingest: skipped ({restarted['skipped']})")
    elif restarted:
        print("\nPostgreSQL restarted under an ingest (a private cluster):\n")
        print_table(
            ["restart", "first run", "said", "re-runs", "articles", "differences"],
            [
                [
                    r["mode"],
                    r["first_run"],
                    r["said"][:80],
                    r["reruns"],
                    r["articles"],
                    "; ".join(r["problems"]) or "none",
                ]
                for r in restarted["runs"]
            ],
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100, help="kills to land per stage and backend")
    parser.add_argument(
        "--articles", type=int, default=12, help="files of the demo corpus, pages of the outlet"
    )
    parser.add_argument("--batch", type=int, default=2, help="CAUNOI_BATCH_SIZE: articles per transaction")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--restarts", type=int, default=1, help="0: no PostgreSQL restart; 1: -m fast and -m immediate"
    )
    parser.add_argument("--restart-articles", type=int, default=60)
    parser.add_argument("--out", default="reliability", help="the result's name in benchmarks/results/")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.stages = [s for s in args.stages.split(",") if s]
    args.modes = ["fast", "immediate"] * args.restarts
    backends = [b for b in args.backends.split(",") if b]
    if "postgresql" in backends and (why := pg_reachable()):
        sys.exit(why)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="caunoi-reliability-") as tmp:
        root = Path(tmp)
        # a process per backend: Alembic's migrations and the stages' models are not for threads
        fork = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(len(backends), mp_context=fork)
        with local_outlet(args.articles, root / "site") as outlet, pool:
            futures = [pool.submit(one_backend, b, args, root, outlet) for b in backends]
            tallies = [t for f in futures for t in f.result()]
        restarted = restarts(args, root) if args.modes else None
    result = {
        "kills": args.kills,
        "articles": args.articles,
        "batch": args.batch,
        "seed": args.seed,
        "stages": tallies,
        "restarts": restarted,
        "wall_s": round(time.monotonic() - started, 1),
    }
    publish(args.out, result, as_json=args.json, report=report)
    failed = any(t["problems"] for t in tallies) or any(
        r["problems"] for r in (restarted or {}).get("runs", [])
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
