"""Earned coverage (issue 16): how fast a round's new articles are checked against the open activities,
and an activity's window scored again, on a store of 100k articles with 1,000 activities, SQLite
against PostgreSQL in the same run, with the round's plain cost (storing and enriching the same
articles) as the peer.

Run: .venv/bin/python benchmarks/coverage_throughput.py [--json] [--articles 100000]
         [--activities 1000] [--round 200] [--rounds 3] [--finds 50] [--seed 1]
         [--backends sqlite,postgresql]

The store: `--articles` articles of benchmarks/search_latency.py's generator (real titles and
paragraphs of vi-news-unc, 10 % English pages; published over 2020-2024), written through
ArticleRepository.write_batch (the bulk path, full-text index included), in a fresh SQLite file
(var/bench/, removed after) or a fresh schema of CAUNOI_BENCH_PG_URL (dropped after); then the shipped
units and outreach.py's five campaigns, and `--activities` activities through `import_rows` (the
import's path), spread over the last 15 days of the period (17-31 December 2024), so that every one is
open (its window covers the round): units drawn from the shipped missions; titles made as
benchmarks/outreach.py makes them; 60 % with a release (an opening sentence naming the mission, the
official and the partner, then 3-6 real paragraphs), 40 % an official by name, 30 % a partner
organisation, a third a campaign. For a quarter of the releases a stored article is a reprint of it
(its opening and two or more of its paragraphs, plus an unrelated one), published in its window.
Not enriched: the stored articles carry no events (enrichment of 100k articles would take an hour).

Measured, in a second process (peak RSS its own: `_harness.run_child`) on that store:
  round       `--rounds` rounds of `--round` new articles published on 31 December (a tenth of them
              reprints of releases, partial: their opening and two paragraphs among others): each
              stored with write_batch (`store`), enriched with the enrichment stages in process
              (`enrich`, models loaded before, not timed) — the peer, what a round costs without
              coverage — then `coverage.refresh_new(ids)` (what `Service.check_coverage` runs after
              each ingest or watch round). The first round meets cold profiles (a fresh Service), the
              next ones warm ones.
  window      `coverage.find(activity, refresh=True)` for `--finds` activities drawn with the seed:
              its window's articles narrowed by full-text queries and scored again; p50 / p95.
A check rides along: how many of the round's reprints were found as candidates of their activity.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import pickle
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import (
    BACKENDS,
    EXTRACTION_TRUTH,
    VAR,
    VI_DOCS,
    pg_reachable,
    print_table,
    publish,
    require_corpus,
    run_child,
    temporary_schema,
)

NAME = "coverage_throughput"
BY = "benchmark"
BATCH = 2000
FIRST_ACTIVITY = datetime(2024, 12, 17)  # activities over 15 days, all open on ROUND_DAY
ACTIVITY_DAYS = 15
ROUND_DAY = datetime(2024, 12, 31)
RELEASE_SHARE, OFFICIAL_SHARE, PARTNER_SHARE, CAMPAIGN_SHARE = 0.6, 0.4, 0.3, 0.33
STORED_REPRINT_SHARE = 0.25  # of the releases
ROUND_REPRINT_SHARE = 0.1  # of a round's articles
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Hải", "Đức", "Thu", "Ngọc", "Xuân"]
GIVEN = ["Hùng", "Lan", "Dũng", "Hương", "Tuấn", "Mai", "Quang", "Hà", "Sơn", "Trang", "Long", "Phương"]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


# -- the store (first child) ------------------------------------------------------------------------


def settings_for(url: str | None, folder: Path):
    from caunoi.config import Settings

    return Settings(data_dir=folder, database_url=url) if url else Settings(data_dir=folder)


def _release(rng: random.Random, pools, row: dict[str, str], unit: dict[str, str]) -> tuple[str, list[str]]:
    """An opening naming who did what, and 3-6 real paragraphs."""
    who = f"{row['officials'].split(';')[0]} " if row["officials"] else ""
    with_whom = f" cùng {row['partners'].split(';')[0]}" if row["partners"] else ""
    opening = (
        f"Ngày {row['date'][8:10]}/{row['date'][5:7]}, tại {unit['city'] or 'Hà Nội'}, {unit['name']}"
        f"{with_whom} đã tổ chức {row['title'][0].lower()}{row['title'][1:]}, với sự tham dự của {who}"
        "cùng nhiều đại biểu, nhà báo và bà con cộng đồng."
    )
    return opening, rng.sample(pools.vi_paragraphs, rng.randint(3, 6))


def _reprint(rng: random.Random, pools, n: int, title: str, opening: str, paragraphs: list[str], at):
    """A newspaper's partial copy of a release: its opening and two or more of its paragraphs."""
    from search_latency import generate

    doc = next(generate(pools, n, 1))  # a generated article, for its fields
    kept = rng.sample(paragraphs, rng.randint(2, len(paragraphs)))
    text = "\n".join([opening, *kept, rng.choice(pools.vi_paragraphs)])
    return replace(
        doc,
        origin=f"reprint:{n}",
        url=f"https://{doc.source}/reprint/{n}",
        title=title,
        text=text,
        published=at,
        lang="vi",
        raw_hash=f"reprint-{n}",
        content_hash=hashlib.sha256(f"reprint:{n}\n{text}".encode()).hexdigest(),
    )


def plan(
    pools,
    args,
    *,
    first: datetime = FIRST_ACTIVITY,
    days: int = ACTIVITY_DAYS,
    campaigns: list[str] | None = None,
) -> tuple[list[dict[str, str]], list, list[list], list[tuple[int, int]]]:
    """Activity rows (`args.activities` over the `days` from `first`, a third in one of `campaigns`,
    codes, by default outreach.py's), the stored reprints, the rounds' docs and which round doc
    reprints which activity (round, index in round, activity line)."""
    from outreach import CAMPAIGNS, EVENTS, PARTNERS, TOPICS, TYPES, chosen_units
    from search_latency import generate

    from caunoi.i18n import LABELS

    rng = random.Random(args.seed)
    codes = campaigns if campaigns is not None else [c[0] for c in CAMPAIGNS]
    missions = [u for u in chosen_units(args.seed) if u["kind"] == "mission"]
    kinds = list(TYPES)
    shares = [TYPES[k][0] for k in kinds]
    rows: list[dict[str, str]] = []
    releases: dict[int, tuple[str, list[str], datetime]] = {}
    stored: list = []
    serial = 10_000_000  # generator numbers of reprints, far from the store's
    for n in range(args.activities):
        unit, kind = rng.choice(missions), rng.choices(kinds, shares)[0]
        when = first + timedelta(days=rng.randrange(days), minutes=rng.randrange(32, 76) * 15)
        title = rng.choice(TYPES[kind][1]).format(
            t=rng.choice(TOPICS), e=rng.choice(EVENTS), o="báo chí sở tại", r="Đại sứ",
            c=unit["city"] or "Hà Nội", y=2024, p=rng.choice(PARTNERS),
        )  # fmt: skip
        row = {
            "key": f"COV-{n + 1:05d}",
            "date": when.strftime("%Y-%m-%d %H:%M"),
            "end_date": "",
            "unit": unit["code"],
            "type": LABELS["vi"][f"activity_type_{kind}"],
            "title": f"{title} (lần {n + 1})",
            "description": "",
            "campaign": rng.choice(codes) if rng.random() < CAMPAIGN_SHARE else "",
            "place": unit["city"] or "",
            "audience": "",
            "cost": "",
            "currency": "",
            "url": "",
            "officials": f"Đại sứ {_person(rng)}" if rng.random() < OFFICIAL_SHARE else "",
            "partners": rng.choice(PARTNERS) + f" {unit['city']}" if rng.random() < PARTNER_SHARE else "",
            "release": "",
        }
        if rng.random() < RELEASE_SHARE:
            opening, paragraphs = _release(rng, pools, row, unit)
            row["release"] = "\n".join([opening, *paragraphs])
            releases[n] = (opening, paragraphs, when)
            if rng.random() < STORED_REPRINT_SHARE:
                at = when + timedelta(hours=rng.randint(2, 72))
                stored.append(_reprint(rng, pools, serial, row["title"], opening, paragraphs, at))
                serial += 1
        rows.append(row)
    rounds: list[list] = []
    reprinted: list[tuple[int, int, int]] = []
    fresh = generate(pools, args.seed + 1, args.round * args.rounds)  # another stream: new articles
    with_release = sorted(releases)
    for r in range(args.rounds):
        docs = []
        for i in range(args.round):
            at = ROUND_DAY + timedelta(minutes=rng.randrange(24 * 60))
            if rng.random() < ROUND_REPRINT_SHARE:
                line = rng.choice(with_release)
                opening, paragraphs, _ = releases[line]
                docs.append(_reprint(rng, pools, serial, rows[line]["title"], opening, paragraphs, at))
                serial += 1
                reprinted.append((r, i, line))
                next(fresh)
            else:
                doc = next(fresh)
                docs.append(replace(doc, published=at, origin=f"round:{doc.origin}"))
        rounds.append(docs)
    return rows, stored, rounds, reprinted


def write_articles(svc, pools, seed: int, count: int, extra: list) -> float:
    """`count` articles of search_latency.py's generator (`seed`), then `extra`, through write_batch
    in batches of BATCH (the bulk path, full-text index included): the seconds it took."""
    from search_latency import generate

    t = time.perf_counter()
    batch = []
    for doc in generate(pools, seed, count):
        batch.append(doc)
        if len(batch) >= BATCH:
            svc.articles.write_batch(batch)
            batch.clear()
    svc.articles.write_batch(batch + extra)
    return time.perf_counter() - t


def settle(svc) -> float:
    """After a bulk build: VACUUM ANALYZE on PostgreSQL (this server runs with autovacuum off), a WAL
    checkpoint on SQLite; the seconds it took."""
    t = time.perf_counter()
    with svc.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if svc.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - t


def child_build(args) -> dict[str, Any]:
    import outreach
    from search_latency import load_pools

    from caunoi.service import Service

    folder = Path(args.folder)
    t0 = time.perf_counter()
    pools = load_pools(VI_DOCS, EXTRACTION_TRUTH)
    rows, stored, rounds, reprinted = plan(pools, args)
    pools_s = time.perf_counter() - t0
    with Service(settings_for(args.url, folder)) as svc:
        articles_s = write_articles(svc, pools, args.seed, args.articles, stored)
        finish_s = settle(svc)
        t = time.perf_counter()
        outreach.setup_store(svc)
        report = svc.outreach.activities.import_rows(enumerate(rows, start=2), by=BY)
        if report.refused:
            raise SystemExit(f"activities refused: {report.refused[:3]}")
        activities_s = time.perf_counter() - t
        keys = {row["key"]: svc.outreach.activities.get(row["key"]).id for row in rows}
    reprints = [(r, i, keys[rows[line]["key"]]) for r, i, line in reprinted]
    with open(folder / "rounds.pickle", "wb") as f:
        pickle.dump({"rounds": rounds, "reprints": reprints, "activities": sorted(keys.values())}, f)
    return {
        "articles": args.articles + len(stored),
        "stored_reprints": len(stored),
        "activities": len(rows),
        "with_release": sum(bool(r["release"]) for r in rows),
        "with_official": sum(bool(r["officials"]) for r in rows),
        "with_partner": sum(bool(r["partners"]) for r in rows),
        "pools_s": round(pools_s, 1),
        "write_s": round(articles_s, 1),
        "vacuum_or_checkpoint_s": round(finish_s, 1),
        "activities_s": round(activities_s, 1),
    }


# -- the measures (second child) --------------------------------------------------------------------


def _mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def child_measure(args) -> dict[str, Any]:
    from caunoi.enrich import stage
    from caunoi.service import Service

    folder = Path(args.folder)
    with open(folder / "rounds.pickle", "rb") as f:
        planned = pickle.load(f)
    out: dict[str, Any] = {"rounds": []}
    with Service(settings_for(args.url, folder)) as svc:
        coverage = svc.outreach.coverage
        version, taxonomy = stage.ENRICH_VERSION, svc.settings.taxonomy_path
        for row in svc.enrichments.todo(version, False, 0, 3):  # the models loaded: not the round's cost
            stage.enrich_row(row, taxonomy_path=taxonomy)
        out["rss_after_setup_mib"] = _mib()
        for r, docs in enumerate(planned["rounds"]):
            t0 = time.perf_counter()
            written = svc.articles.write_batch(docs)
            t1 = time.perf_counter()
            ids = sorted(written.ids.values())
            rows = svc.enrichments.todo(version, False, ids[0] - 1, len(ids))
            found = [stage.enrich_row(row, taxonomy_path=taxonomy) for row in rows]
            svc.enrichments.write(list(zip((row[0] for row in rows), found, strict=True)), version)
            t2 = time.perf_counter()
            candidates = coverage.refresh_new(ids)
            t3 = time.perf_counter()
            by_index = {doc.content_hash: i for i, doc in enumerate(docs)}
            id_of = {by_index[h]: aid for h, aid in written.ids.items() if h in by_index}
            reprints = [(i, act) for rr, i, act in planned["reprints"] if rr == r]
            found_ok = sum(
                any(c.article_id == id_of.get(i) for c in coverage.find(act, refresh=False))
                for i, act in reprints
            )
            out["rounds"].append({
                "round": r + 1,
                "profiles": "cold" if r == 0 else "warm",
                "articles": len(ids),
                "store_s": round(t1 - t0, 3),
                "enrich_s": round(t2 - t1, 3),
                "coverage_s": round(t3 - t2, 3),
                "candidates": candidates,
                "reprints": len(reprints),
                "reprints_found": found_ok,
                "rss_mib": _mib(),
            })  # fmt: skip
        rng = random.Random(args.seed)
        chosen = rng.sample(planned["activities"], min(args.finds, len(planned["activities"])))
        times, listed = [], []
        for activity_id in chosen:
            t = time.perf_counter()
            listed.append(len(coverage.find(activity_id, refresh=True)))
            times.append(time.perf_counter() - t)
        out["window"] = {
            "activities": len(chosen),
            "p50_s": round(_percentile(times, 50), 3),
            "p95_s": round(_percentile(times, 95), 3),
            "max_s": round(max(times), 3),
            "candidates_median": statistics.median(listed),
        }
        out["rss_end_mib"] = _mib()
    return out


# -- the run ----------------------------------------------------------------------------------------


def _child_args(args, step: str, backend: str, url: str | None, folder: Path) -> list[str]:
    extra = ["--url", url] if url else []
    return [
        __file__, "--child", step, "--backends", backend, "--folder", str(folder), *extra,
        "--articles", str(args.articles), "--activities", str(args.activities), "--round", str(args.round),
        "--rounds", str(args.rounds), "--finds", str(args.finds), "--seed", str(args.seed),
    ]  # fmt: skip


def run_backend(args, backend: str) -> dict[str, Any]:
    VAR.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="coverage-throughput-", dir=VAR))
    try:
        with temporary_schema("bench_covtp") if backend == "postgresql" else contextlib.nullcontext() as url:
            print(f"[{backend}] building the store ({args.articles:,} articles)…", file=sys.stderr)
            built = run_child(_child_args(args, "build", backend, url, folder))
            print(f"[{backend}] built in {built['process_wall_s']} s; measuring…", file=sys.stderr)
            measured = run_child(_child_args(args, "measure", backend, url, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"backend": backend, "build": built, **measured}


def summary(run: dict[str, Any]) -> dict[str, Any]:
    """The rounds in figures: articles/s, and what coverage adds to the round's plain cost."""
    rows = []
    for r in run["rounds"]:
        plain = r["store_s"] + r["enrich_s"]
        rows.append({
            **r,
            "coverage_articles_per_s": round(r["articles"] / r["coverage_s"], 1) if r["coverage_s"] else None,
            "coverage_over_store": round(r["coverage_s"] / r["store_s"], 2) if r["store_s"] else None,
            "coverage_adds_pct": round(100 * r["coverage_s"] / plain, 1) if plain else None,
        })  # fmt: skip
    return {"rounds": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--round", type=int, default=200, help="new articles per round")
    parser.add_argument("--rounds", type=int, default=3, help="the first with cold profiles")
    parser.add_argument("--finds", type=int, default=50, help="activities whose window is scored again")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.child:
        import json

        result = child_build(args) if args.child == "build" else child_measure(args)
        print(json.dumps(result))
        return
    require_corpus(VI_DOCS, "the vi-news-unc articles (titles and paragraphs of the generated store)")
    require_corpus(EXTRACTION_TRUTH, "the article-extraction-benchmark pages (the English tenth)")
    runs = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and (why := pg_reachable()):
            print(f"skipping PostgreSQL: {why}", file=sys.stderr)
            continue
        run = run_backend(args, backend)
        run.update(summary(run))
        runs.append(run)
    options = {k: getattr(args, k) for k in ("articles", "activities", "round", "rounds", "finds", "seed")}
    publish(NAME, {"options": options, "runs": runs}, as_json=args.json, report=report)


def report(result: dict[str, Any]) -> None:
    o = result["options"]
    print(
        f"store: {o['articles']:,} generated articles (+ reprints), {o['activities']:,} activities open on "
        f"the round's day; rounds of {o['round']} new articles (seed {o['seed']})\n"
    )
    headers = ["backend", "round", "profiles", "store s", "enrich s", "coverage s", "articles/s",
               "coverage ÷ store", "coverage adds", "candidates", "reprints found", "RSS MiB"]  # fmt: skip
    rows = []
    for run in result["runs"]:
        for r in run["rounds"]:
            rows.append([
                run["backend"], r["round"], r["profiles"], r["store_s"], r["enrich_s"], r["coverage_s"],
                f"{r['coverage_articles_per_s']:,}", r["coverage_over_store"], f"{r['coverage_adds_pct']} %",
                r["candidates"], f"{r['reprints_found']} / {r['reprints']}", r["rss_mib"],
            ])  # fmt: skip
    print_table(headers, rows)
    print()
    headers = ["backend", "windows", "p50 s", "p95 s", "max s", "candidates (median)", "peak RSS MiB",
               "build s", "build peak RSS MiB"]  # fmt: skip
    rows = [
        [run["backend"], run["window"]["activities"], run["window"]["p50_s"], run["window"]["p95_s"],
         run["window"]["max_s"], run["window"]["candidates_median"], run["peak_rss_mib"],
         run["build"]["process_wall_s"], run["build"]["peak_rss_mib"]]
        for run in result["runs"]
    ]  # fmt: skip
    print_table(headers, rows)
    print(
        "\nstore / enrich: the round's plain cost (write_batch; the enrichment stages in process, models "
        "loaded before); coverage: refresh_new on the round's ids; peak RSS: the measuring process's"
    )


if __name__ == "__main__":
    main()
