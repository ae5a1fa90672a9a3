"""Ingest speed on vi-news-unc: the full pipeline against a plain read-and-insert loop, and where time goes.

Run: .venv/bin/python benchmarks/ingest_throughput.py [--json] [--data DIR] [--backend sqlite|postgresql|both]
                                                       [--repeat N] [--profile]

Variants, each in its own process into a fresh store, so wall time and peak memory are its own:
  pipeline      Service.ingest (read, every stage in caunoi.pipeline.STAGES, write_batch), workers=0
  pipeline, 2w  the same with workers=2 (a process pool of two)
  plain loop    the peer: read each file as UTF-8, title = first line after the "# key = value"
                headers, body = the rest, and ArticleRepository.write_batch with Docs carrying only
                that and content_hash = sha256(text): the same tables, migration and full-text index
                insert, with no decoding heuristics, cleanup, dates, language or normalisation.
Then the stages one by one over the whole corpus in one process, without the store.
Peak RSS is the child's (PostgreSQL's own server memory is not in it).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from _harness import (
    BACKENDS,
    VAR,
    VI_DOCS,
    child_rusage,
    pg_reachable,
    pg_schema_bytes,
    print_table,
    publish,
    require_corpus,
    run_child,
    temporary_schema,
)

NAME = "ingest_throughput"
VARIANTS = {"pipeline": 0, "pipeline-2w": 2, "plain": 0}  # name -> workers


# -- what each child process does ---------------------------------------------------------------


def child_pipeline(data: Path, url: str, folder: Path, workers: int) -> dict[str, Any]:
    from caunoi.config import Settings
    from caunoi.ingest.files import discover
    from caunoi.service import Service

    settings = Settings(data_dir=folder, database_url=url, workers=workers)
    started = time.perf_counter()
    svc = Service(settings)
    opened = time.perf_counter()
    write_s = 0.0
    write_batch = svc.articles.write_batch

    def timed_write(docs, conn=None):  # how much of the wall time the store takes
        nonlocal write_s
        if conn is not None:  # write_batch calling itself with its own transaction: timed already
            return write_batch(docs, conn)
        t = time.perf_counter()
        try:
            return write_batch(docs)
        finally:
            write_s += time.perf_counter() - t

    svc.articles.write_batch = timed_write
    files = list(discover([data]))
    t0 = time.perf_counter()
    summary = svc.ingest([data], files=files)
    ingest_s = time.perf_counter() - t0
    svc.close()
    return {
        "files": summary.files,
        "articles": summary.added,
        "duplicates": summary.duplicates,
        "skipped": len(summary.skipped),
        "open_migrate_s": round(opened - started, 3),
        "wall_s": round(ingest_s, 3),
        "write_batch_s": round(write_s, 3),
        **child_rusage(),
    }


def plain_doc(path: Path, now: datetime):
    """A Doc the way a plain script would make one: no normalisation, no cleanup, no metadata."""
    from caunoi.models import Doc

    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    title, body = (lines[i] if i < len(lines) else ""), "\n".join(lines[i + 1 :])
    return Doc(
        origin=str(path),
        format="txt",
        ingested_at=now,
        title=title,
        text=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
    )


def child_plain(data: Path, url: str, folder: Path) -> dict[str, Any]:
    from caunoi.config import Settings
    from caunoi.ingest.files import discover
    from caunoi.store.articles import ArticleRepository
    from caunoi.store.database import create_store_engine, migrate

    settings = Settings(data_dir=folder, database_url=url)
    started = time.perf_counter()
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    repo = ArticleRepository(engine)
    opened = time.perf_counter()
    files = list(discover([data]))
    t0 = time.perf_counter()
    now = datetime.now()
    added = write_s = 0.0
    for i in range(0, len(files), settings.batch_size):
        batch = [plain_doc(p, now) for p in files[i : i + settings.batch_size]]
        t = time.perf_counter()
        added += repo.write_batch(batch).added
        write_s += time.perf_counter() - t
    wall = time.perf_counter() - t0
    engine.dispose()
    return {
        "files": len(files),
        "articles": int(added),
        "open_migrate_s": round(opened - started, 3),
        "wall_s": round(wall, 3),
        "write_batch_s": round(write_s, 3),
        **child_rusage(),
    }


def child_stages(data: Path, profile: bool) -> dict[str, Any]:
    """Every stage timed over the whole corpus, batch by batch as Service.ingest runs them."""
    from caunoi.config import Settings
    from caunoi.ingest.files import discover, read_path
    from caunoi.pipeline import STAGES, StageContext

    settings = Settings()
    ctx = StageContext(settings)
    # Models and tables load on first use; pay that before timing, as a long ingest would.
    warm = [next(read_path(p, max_file_bytes=settings.max_file_bytes)) for p in list(discover([data]))[:5]]
    for stage in STAGES:
        warm = stage(warm, ctx)
    t0 = time.perf_counter()
    now = datetime.now()
    docs = [
        d for p in discover([data]) for d in read_path(p, max_file_bytes=settings.max_file_bytes, now=now)
    ]
    read_s = time.perf_counter() - t0
    timings = {stage.__name__: 0.0 for stage in STAGES}
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    out = []
    for i in range(0, len(docs), settings.batch_size):
        batch = docs[i : i + settings.batch_size]
        for stage in STAGES:
            t = time.perf_counter()
            batch = stage(batch, ctx)
            timings[stage.__name__] += time.perf_counter() - t
        out.extend(batch)
    if profiler:
        profiler.disable()
    result: dict[str, Any] = {
        "docs": len(docs),
        "skipped": sum(d.skipped for d in out),
        "read_s": round(read_s, 3),
        "stages_s": {k: round(v, 3) for k, v in timings.items()},
        **child_rusage(),
    }
    if profiler:
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(25)
        result["profile"] = buf.getvalue()
    return result


# -- the parent: one child per variant -------------------------------------------------------------


def corpus_size(data: Path) -> dict[str, int]:
    files = sorted(p for p in data.rglob("*") if p.is_file())
    texts = [p.read_bytes() for p in files]
    return {"files": len(files), "bytes": sum(map(len, texts)), "chars": sum(len(t.decode()) for t in texts)}


def measure_variant(variant: str, backend: str, data: Path) -> dict[str, Any]:
    folder = VAR / "ingest" / variant
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        args = [__file__, "--child", variant, "--data", str(data), "--folder", str(folder)]
        if backend == "sqlite":
            result = run_child([*args, "--url", ""])
            result["store_mib"] = round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1)
            return result
        with temporary_schema("bench_ingest") as url:
            result = run_child([*args, "--url", url])
            schema = url.rsplit("%3D", 1)[1]
            result["store_mib"] = round(sum(pg_schema_bytes(schema).values()) / 2**20, 1)
            return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def summarise_runs(runs: list[dict[str, Any]], size: dict[str, int]) -> dict[str, Any]:
    """The median run by wall time (peak memory: the largest), with rates against the input."""
    best = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    out = dict(best)
    out["runs_wall_s"] = [r["wall_s"] for r in runs]
    out["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    out["articles_per_s"] = round(best["articles"] / best["wall_s"], 1)
    out["chars_per_s"] = round(size["chars"] / best["wall_s"])
    out["store_share"] = round(best["write_batch_s"] / best["wall_s"], 3)
    return out


def measure(data: Path, backends: list[str], repeat: int, profile: bool) -> dict[str, Any]:
    size = corpus_size(data)
    result: dict[str, Any] = {"data": str(data), "corpus": size, "repeat": repeat, "backends": {}}
    for backend in backends:
        per_variant = {}
        for variant in VARIANTS:
            runs = []
            for n in range(repeat):
                print(f"[{backend}] {variant} run {n + 1}/{repeat}", file=sys.stderr)
                runs.append(measure_variant(variant, backend, data))
            per_variant[variant] = summarise_runs(runs, size)
        plain = per_variant["plain"]["wall_s"]
        for variant in per_variant.values():
            variant["vs_plain_throughput"] = round(plain / variant["wall_s"], 3)
        result["backends"][backend] = per_variant
    print("stages, in one process", file=sys.stderr)
    args = [__file__, "--child", "stages", "--data", str(data)] + (["--profile"] if profile else [])
    stages = run_child(args)
    total = stages["read_s"] + sum(stages["stages_s"].values())
    stages["total_s"] = round(total, 3)
    stages["docs_per_s"] = round(stages["docs"] / total, 1)
    result["stages"] = stages
    return result


def print_report(r: dict[str, Any]) -> None:
    c = r["corpus"]
    print(
        f"corpus: {r['data']}: {c['files']} files, {c['chars']:,} characters ({c['bytes'] / 2**20:.1f} MiB)"
    )
    print(f"runs per variant: {r['repeat']} (median by wall time shown)\n")
    rows = []
    for backend, variants in r["backends"].items():
        for name, v in variants.items():
            rows.append(
                [
                    backend,
                    name,
                    v["articles"],
                    f"{v['wall_s']:.2f}",
                    f"{v['articles_per_s']:.0f}",
                    f"{v['chars_per_s'] / 1e6:.2f}",
                    f"{v['vs_plain_throughput']:.3f}",
                    f"{v['write_batch_s']:.2f} ({v['store_share']:.0%})",
                    f"{v['peak_rss_mib']:.0f}",
                    f"{v['store_mib']:.0f}",
                ]
            )
    print_table(
        [
            "backend",
            "variant",
            "articles",
            "wall s",
            "articles/s",
            "M chars/s",
            "throughput vs plain",
            "write_batch s (share)",
            "peak RSS MiB",
            "store MiB",
        ],
        rows,
        "llrrrrrrrr",
    )
    s = r["stages"]
    print(
        f"\nstages over {s['docs']} documents in one process, no store"
        f" (peak RSS {s['peak_rss_mib']:.0f} MiB)\n"
    )
    rows = [["read files (read_path)", f"{s['read_s']:.3f}", f"{s['read_s'] / s['total_s']:.1%}", ""]]
    for name, secs in s["stages_s"].items():
        rows.append(
            [name, f"{secs:.3f}", f"{secs / s['total_s']:.1%}", f"{s['docs'] / secs:,.0f}" if secs else ""]
        )
    rows.append(["total", f"{s['total_s']:.3f}", "100%", f"{s['docs_per_s']:,.0f}"])
    print_table(["stage", "seconds", "share", "docs/s"], rows)
    if s.get("profile"):
        print("\nprofile of the stages (top functions by own time)\n")
        print(s["profile"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=VI_DOCS, help="folder of vi-news-unc .txt files")
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the median is reported")
    parser.add_argument("--profile", action="store_true", help="add a cProfile of the stages")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "stages":
            out = child_stages(args.data, args.profile)
        elif args.child == "plain":
            out = child_plain(args.data, args.url, args.folder)
        else:
            out = child_pipeline(args.data, args.url, args.folder, VARIANTS[args.child])
        print(json.dumps(out, ensure_ascii=False))
        return 0
    require_corpus(args.data, "the vi-news-unc corpus (its docs/ folder of .txt articles)")
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (why := pg_reachable()):
        if args.backend == "postgresql":
            sys.exit(why)
        print(f"{why}: measuring SQLite only", file=sys.stderr)
        backends.remove("postgresql")
    result = measure(args.data.resolve(), backends, args.repeat, args.profile)
    publish(NAME, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
