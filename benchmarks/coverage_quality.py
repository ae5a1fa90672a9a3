"""Earned coverage (issue 16): how well `outreach.coverage.find` picks the articles an activity earned,
on the labelled set benchmarks/data/coverage-vi/ (real activities, the vi-news-unc articles that
covered them and decoys of the same days and topics; see its README), against a full-text baseline
in the same run.

Run: .venv/bin/python benchmarks/coverage_quality.py [--json] [--backends sqlite[,postgresql]]
         [--cap 20] [--workers 2] [--keep]

Each backend gets a fresh store (var/bench/coverage_quality/, or a fresh PostgreSQL schema of
CAUNOI_BENCH_PG_URL; with `--keep` the SQLite store is kept and reused by the next `--keep` run,
which then skips the ingest: for working on the matcher) built by the product's own paths:
`Service.ingest` over the whole corpus (2,653 files: the stages, enrichment and stories, as
`caunoi ingest` runs them), the shipped units
(`units import --sample`'s path: `units.import_file(SAMPLE)`) and the set's activities
(`outreach.activities.import_file`, as `caunoi activities import` runs it). Then, per activity:
  matcher            `outreach.coverage.find(key)`: its candidates best first, cut at `--cap`;
  matcher, no release  the same after every activity's `release` is emptied (what the matcher finds
                     without the activity's own text; the set's release texts are short quotes
                     taken from a covering article, so the first run has text reuse to find);
  baseline, all words  `Service.search` with the title's words (all of them: the query a person
                     types), published within the matcher's window (coverage_days_before before the
                     activity's first day to coverage_days_after after its last), ranked as search
                     ranks, first `--cap`;
  baseline, any word   the same with the title's words OR'ed (BM25 / ts_rank decide).

Metrics, per activity then averaged over activities (macro) unless said: precision@1 (is the first
candidate a labelled covering article), precision@5 (covering articles among the first five, over
five: an activity with one covering article can score at most 0.2, so the ceiling the labels allow
is printed beside it), recall@cap (micro: labelled covering articles found among the first `--cap`,
over all of them; "in window" counts only those published inside the matcher's window, the ones it
can see), MRR (1 / rank of the first covering article, 0 if none), decoys@5 (the judged non-covering
articles of the set, same day and topic, found among the first five, over all of them) and the
activities left with no candidate at all. Broken down by the set's two strata: activities of the
Foreign Ministry and missions (their own units) and those of organisers outside the shipped list
(logged under the stand-in unit BCD-TTDN). Unlabelled articles count as not covering: the set's
README says how every activity was searched for over the whole corpus.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import re
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _harness import (  # noqa: E402
    RESULTS,
    VAR,
    VI_DOCS,
    machine,
    pg_reachable,
    print_table,
    require_corpus,
    temporary_schema,
    write_result,
)

SET = REPO / "benchmarks" / "data" / "coverage-vi"
STAND_IN = "BCD-TTDN"  # the unit the set logs organisers outside the shipped list under (its README)
BY = "bench"
METHODS = ("matcher", "matcher, no release", "baseline, all words", "baseline, any word")


def read_set() -> tuple[list[dict[str, str]], dict[str, set[str]], dict[str, set[str]]]:
    """The activities, and per activity key its covering and its decoy doc_ids."""
    with open(SET / "activities.csv", encoding="utf-8", newline="") as f:
        activities = list(csv.DictReader(f))
    relevant: dict[str, set[str]] = defaultdict(set)
    decoys: dict[str, set[str]] = defaultdict(set)
    with open(SET / "labels.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            (relevant if row["relevant"] == "1" else decoys)[row["activity_key"]].add(row["doc_id"])
    return activities, relevant, decoys


def published(doc_id: str) -> date:
    day = (VI_DOCS / f"{doc_id}.txt").read_text(encoding="utf-8").splitlines()[2].split("=", 1)[1].strip()
    return date(int(day[:4]), int(day[4:6]), int(day[6:]))


# -- the store ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def store(backend: str, workers: int, keep: bool = False) -> Iterator[Any]:
    """A fresh Service on `backend`, removed afterwards; with `keep` (SQLite) the store of the last
    `keep` run, kept."""
    from caunoi.config import Settings
    from caunoi.service import Service

    folder = VAR / "coverage_quality" / backend
    keep = keep and backend == "sqlite"
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(temporary_schema("bench_coverage")) if backend == "postgresql" else ""
            service = Service(Settings(data_dir=folder, database_url=url, workers=workers))
            try:
                yield service
            finally:
                service.close()
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def build(service: Any) -> dict[str, Any]:
    """Ingest the corpus, load the units and the set's activities; article ids by doc_id."""
    from sqlalchemy import select

    from caunoi.store.schema import origins
    from caunoi.units import SAMPLE

    files = sorted(VI_DOCS.glob("*.txt"))
    started = time.perf_counter()
    summary = service.ingest([], files=files)  # a kept store: every file known, nothing done again
    ingest_s = time.perf_counter() - started
    with service.engine.connect() as conn:
        article_of = {Path(r.origin).stem: r.article_id for r in conn.execute(select(origins))}
    service.units.import_file(SAMPLE, by=BY)
    report = service.outreach.activities.import_file(SET / "activities.csv", by=BY)
    if report.refused or not report.written:
        sys.exit(f"the set's activities did not import: {report.refused[:3]}")
    return {
        "article_of": article_of,
        "ingest_s": round(ingest_s, 1),
        "articles": len(set(article_of.values())),
        "duplicates": summary.duplicates,
        "reused": summary.added == 0,
        "activities": len(report.added) + len(report.changed) + report.unchanged,
    }


# -- the methods ----------------------------------------------------------------------------------------


def window(activity: Any, settings: Any) -> tuple[date, date]:
    """The days the matcher reads: `coverage_days_before` before the first day to `coverage_days_after`
    after the last (the activity's own days, in its zone)."""
    before = getattr(settings, "coverage_days_before", 1)
    after = getattr(settings, "coverage_days_after", 14)
    first = activity.local_start.date()
    last = activity.local_end.date() if activity.ends_at else first
    return first - timedelta(days=before), last + timedelta(days=after)


def run_matcher(service: Any, keys: list[str], cap: int) -> tuple[dict[str, list[int]], float]:
    ranked, seconds = {}, []
    for key in keys:
        started = time.perf_counter()
        found = service.outreach.coverage.find(key)
        seconds.append(time.perf_counter() - started)
        ranked[key] = [c.article_id for c in found][:cap]
    return ranked, statistics.median(seconds)


def run_baseline(
    service: Any, activities: dict[str, Any], cap: int, joiner: str
) -> tuple[dict[str, list[int]], float]:
    from caunoi.errors import CaunoiError
    from caunoi.models import SearchRequest

    ranked, seconds = {}, []
    for key, activity in activities.items():
        words = re.findall(r"\w+", activity.title)
        since, until = window(activity, service.settings)
        request = SearchRequest(query=joiner.join(words), date_from=since, date_to=until, limit=cap)
        started = time.perf_counter()
        try:
            hits = service.search(request)
        except CaunoiError:  # a title the query language cannot take: nothing found
            hits = []
        seconds.append(time.perf_counter() - started)
        ranked[key] = [h.id for h in hits][:cap]
    return ranked, statistics.median(seconds)


def empty_releases(service: Any, keys: list[str]) -> None:
    for key in keys:
        if service.outreach.activities.get(key).release:
            service.outreach.activities.edit(key, by=BY, release=None)


# -- the metrics ----------------------------------------------------------------------------------------


def score(
    ranked: dict[str, list[int]],
    relevant: dict[str, set[int]],
    decoys: dict[str, set[int]],
    visible: dict[str, set[int]],
    keys: list[str],
) -> dict[str, Any]:
    """The metrics over `keys` (see the module head)."""
    p1, p5, ceiling, rr = [], [], [], []
    found = found_visible = total = total_visible = decoys_top5 = decoys_all = empty = 0
    for key in keys:
        got, gold = ranked[key], relevant[key]
        p1.append(1.0 if got[:1] and got[0] in gold else 0.0)
        p5.append(len(set(got[:5]) & gold) / 5)
        ceiling.append(min(5, len(gold)) / 5)
        rank = next((i for i, a in enumerate(got, 1) if a in gold), None)
        rr.append(1 / rank if rank else 0.0)
        found += len(set(got) & gold)
        total += len(gold)
        found_visible += len(set(got) & visible[key])
        total_visible += len(visible[key])
        decoys_top5 += len(set(got[:5]) & decoys[key])
        decoys_all += len(decoys[key])
        empty += not got
    mean = lambda xs: round(statistics.fmean(xs), 3) if xs else None  # noqa: E731
    return {
        "activities": len(keys),
        "p_at_1": mean(p1),
        "p_at_5": mean(p5),
        "p_at_5_ceiling": mean(ceiling),
        "recall": round(found / total, 3) if total else None,
        "recall_in_window": round(found_visible / total_visible, 3) if total_visible else None,
        "mrr": mean(rr),
        "decoys_at_5": round(decoys_top5 / decoys_all, 3) if decoys_all else None,
        "no_candidate": empty,
        "covering_articles": total,
        "covering_in_window": total_visible,
    }


def detail(ranked: dict[str, list[int]], relevant: dict[str, set[int]], doc_of: dict[int, str]) -> dict:
    """Per activity: the rank of its first covering article, the first five (doc_ids, "+" covering)
    and the covering articles not found: what to read when a figure moves."""
    out = {}
    for key, got in ranked.items():
        rank = next((i for i, a in enumerate(got, 1) if a in relevant[key]), None)
        out[key] = {
            "first_covering_rank": rank,
            "top5": [doc_of[a] + ("+" if a in relevant[key] else "") for a in got[:5]],
            "missed": sorted(doc_of[a] for a in relevant[key] - set(got)),
        }
    return out


def measure_backend(backend: str, cap: int, workers: int, keep: bool) -> dict[str, Any]:
    activities, relevant_docs, decoy_docs = read_set()
    keys = [a["key"] for a in activities]
    strata = {
        "all": keys,
        "ministry and missions": [a["key"] for a in activities if a["unit"] != STAND_IN],
        "stand-in unit": [a["key"] for a in activities if a["unit"] == STAND_IN],
    }
    with store(backend, workers, keep) as service:
        built = build(service)
        article_of = built.pop("article_of")
        doc_of = {article: doc for doc, article in sorted(article_of.items())}
        by_key = {k: service.outreach.activities.get(k) for k in keys}
        relevant = {k: {article_of[d] for d in relevant_docs[k]} for k in keys}
        decoys = {k: {article_of[d] for d in decoy_docs[k]} for k in keys}
        visible = {}
        for k in keys:
            since, until = window(by_key[k], service.settings)
            visible[k] = {article_of[d] for d in relevant_docs[k] if since <= published(d) <= until}
        runs: dict[str, tuple[dict[str, list[int]], float]] = {}
        matcher = getattr(service.outreach, "coverage", None)
        if matcher is not None:
            runs["matcher"] = run_matcher(service, keys, cap)
        runs["baseline, all words"] = run_baseline(service, by_key, cap, " ")
        runs["baseline, any word"] = run_baseline(service, by_key, cap, " OR ")
        if matcher is not None:
            empty_releases(service, keys)
            runs["matcher, no release"] = run_matcher(service, keys, cap)
        results = {}
        for name in METHODS:
            if name not in runs:
                continue
            ranked, median_s = runs[name]
            results[name] = {
                "median_ms_per_activity": round(median_s * 1000, 1),
                **{s: score(ranked, relevant, decoys, visible, ks) for s, ks in strata.items()},
                "per_activity": detail(ranked, relevant, doc_of),
            }
    return {"store": built, "methods": results, "matcher_available": matcher is not None}


# -- the report -----------------------------------------------------------------------------------------


def report(result: dict[str, Any]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        s = result["set"]
        print(
            f"set: {s['activities']} activities ({s['ministry_and_missions']} of the ministry and missions, "
            f"{s['stand_in']} under the stand-in unit), {s['covering_articles']} covering articles, "
            f"{s['decoys']} judged decoys; corpus {s['corpus_files']} files; "
            f"candidates cut at {result['cap']}"
        )
        for backend, r in result["backends"].items():
            b = r["store"]
            how = "a kept store, reused" if b["reused"] else f"ingested in {b['ingest_s']} s"
            print(f"\n## {backend}: {b['articles']} articles ({how}), {b['activities']} activities imported")
            if not r["matcher_available"]:
                print("\nthe matcher (outreach.coverage) is not in this build: baselines only")
            rows = []
            for name, m in r["methods"].items():
                a = m["all"]
                rows.append(
                    [name, a["p_at_1"], f"{a['p_at_5']} / {a['p_at_5_ceiling']}", a["recall"],
                     a["recall_in_window"], a["mrr"], a["decoys_at_5"], a["no_candidate"],
                     m["median_ms_per_activity"]]
                )  # fmt: skip
            print()
            print_table(
                ["method", "P@1", "P@5 / ceiling", f"recall@{result['cap']}", "in window", "MRR", "decoys@5",
                 "no candidate", "ms / activity"],
                rows,
            )  # fmt: skip
            rows = []
            for name, m in r["methods"].items():
                for stratum in ("ministry and missions", "stand-in unit"):
                    a = m[stratum]
                    rows.append(
                        [name, stratum, a["activities"], a["p_at_1"], a["p_at_5"], a["recall"], a["mrr"]]
                    )
            print()
            print_table(["method", "stratum", "activities", "P@1", "P@5", "recall", "MRR"], rows, "llrrrrr")
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgresql or both, comma-separated")
    parser.add_argument("--cap", type=int, default=20, help="candidates kept per activity (recall@cap)")
    parser.add_argument("--workers", type=int, default=2, help="ingest and enrichment processes")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite store and reuse a kept one")
    args = parser.parse_args()
    require_corpus(VI_DOCS, "the vi-news-unc corpus")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends and (why := pg_reachable()):
        sys.exit(why)
    activities, relevant, decoys = read_set()
    result: dict[str, Any] = {
        "machine": machine(),
        "cap": args.cap,
        "set": {
            "activities": len(activities),
            "ministry_and_missions": sum(a["unit"] != STAND_IN for a in activities),
            "stand_in": sum(a["unit"] == STAND_IN for a in activities),
            "covering_articles": sum(len(v) for v in relevant.values()),
            "decoys": sum(len(v) for v in decoys.values()),
            "corpus_files": len(list(VI_DOCS.glob("*.txt"))),
        },
        "backends": {},
        "command": "python benchmarks/coverage_quality.py " + " ".join(sys.argv[1:]),
    }
    for backend in backends:
        print(f"{backend}: building the store …", file=sys.stderr)
        result["backends"][backend] = measure_backend(backend, args.cap, args.workers, args.keep)
    text = report(result)
    path = write_result("coverage_quality", result)
    (RESULTS / "coverage_quality.txt").write_text(text, encoding="utf-8")
    if args.json:
        import json

        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(text, end="")
    print(f"\nwritten to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
