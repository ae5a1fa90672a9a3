"""Search quality (issue 18): precision@10 and nDCG@10 of caunoi's search before and after a change,
against SQLite FTS5's own `remove_diacritics` tokenizer, on a judged set of analysts' queries.

Run: .venv/bin/python benchmarks/search_quality.py [--json] [--pg URL] [--before REV] [--keep]
         [--list-unjudged] [--depth 20] [--workers 2] [--rescore]

The set is benchmarks/data/search_queries.tsv (48 queries, half typed without diacritics, most in
pairs: the same intent typed both ways) and benchmarks/data/search_qrels.tsv (graded judgments:
2 relevant, 1 partly, 0 not; how they were made: benchmarks/data/SEARCH_JUDGMENTS.md), over the
shared corpus vi-news-unc (2,653 dantri.com.vn articles; doc ids are file stems).

The systems, each given the query as the analyst typed it:
  peer            a plain SQLite FTS5 table (in memory) over the same stored articles' title and body,
                  tokenize="unicode61 remove_diacritics 2", the query's words ANDed, ranked by
                  bm25 with a title weighing ten body matches (as caunoi weighs it). FTS5 does not
                  fold "đ" (it has no decomposition), so "doi ngoai" cannot find "đối ngoại" there;
  peer, đ→d       the same with đ/Đ mapped to d in the indexed text and the query: the peer as a
                  user who knew of that gap would set it up;
  before          caunoi at git revision --before (default 9f532ff, the search before issue 18), from
                  a `git worktree add --detach` of it, run in a child process with PYTHONPATH at that
                  worktree, on a store that version ingested itself;
  after           caunoi of this checkout, the same way (PYTHONPATH at this checkout). When its caunoi
                  sources are those of --before, the before run is not repeated: after = before.
  after, search index
                  the same after store, its search index beside it then built (`caunoi search-index
                  build`, when this checkout has it) and asked the same queries: Tantivy's ranking.
caunoi's runs go through `Service.search(SearchRequest(query, limit=depth))`, as users get search,
on a store built by `Service.ingest` over the whole corpus (stages, enrichment, stories: what
`caunoi ingest` does; about 8 minutes a store on SQLite here). With --pg URL each caunoi version
also runs on PostgreSQL, in a fresh schema of that server (dropped afterwards). Every child also
runs the reference `exact, intended reading`: `SearchRequest(reading, exact=True)` with the
diacritised words the analyst meant (the set's `reading` column): what a perfect restoration of
the diacritics would give with today's exact search, and a source of the judging pool.

Metrics, per query then averaged (macro), overall and split by how the query was typed:
  P@10     judged relevant (grade 1 or 2) among the first ten, over ten;
  nDCG@10  gains = the grades (0, 1, 2), discount log2(rank + 1), the ideal ranking made of all the
           query's judged articles (so a system that misses judged relevant ones scores below 1);
  unjudged the first-ten articles with no judgment: counted as not relevant, reported so that a
           large number says "judge these" (--list-unjudged prints them) rather than "bad ranking".
Results: benchmarks/results/search_quality.json (every system's first `--depth` doc ids per query,
the pool of the next judging round) and search_quality.txt (the report). After judging what
`--list-unjudged` printed (tools/build_search_set.py), `--rescore` scores the stored rankings again
against the judgments without building a store.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import math
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _harness
from _harness import (
    REPO,
    RESULTS,
    VAR,
    VI_DOCS,
    print_table,
    require_corpus,
    run_child,
    write_result,
)

QUERIES = REPO / "benchmarks" / "data" / "search_queries.tsv"
QRELS = REPO / "benchmarks" / "data" / "search_qrels.tsv"
BEFORE = "9f532ff"  # main before issue 18's search work: diacritics folded away, exact words boosted
CUT = 10  # the metrics' depth: a results page
STORES = VAR / "search_quality"
REFERENCE = "exact, intended reading"
INDEXED = "search index"  # as typed, answered by the search index beside the store (caunoi search-index)
WORD = re.compile(r"[^\W_]+")


# -- the set ------------------------------------------------------------------------------------------


def read_queries(path: Path = QUERIES) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_qrels(path: Path = QRELS) -> dict[str, dict[str, int]]:
    """Per query id, its judged doc ids and their grades (0, 1, 2)."""
    grades: dict[str, dict[str, int]] = {}
    if not path.exists():
        return grades
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            grades.setdefault(row["query_id"], {})[row["doc_id"]] = int(row["grade"])
    return grades


# -- caunoi, in a child process: ingest, then search ---------------------------------------------------


def child(args: argparse.Namespace) -> int:
    """Run in a child whose PYTHONPATH picks the caunoi version: build (or reuse) the store, run every
    query as typed and its intended reading exactly, print one JSON line."""
    from sqlalchemy import text

    import caunoi
    from caunoi.config import Settings
    from caunoi.errors import CaunoiError
    from caunoi.models import SearchRequest
    from caunoi.service import Service

    queries = read_queries(Path(args.queries))
    settings = Settings(data_dir=Path(args.data_dir), database_url=args.database_url, workers=args.workers)
    if "search_index" in {f.name for f in dataclasses.fields(Settings)}:  # the store's own index, always
        settings = dataclasses.replace(settings, search_index=False)  # (a kept store may have one built)
    with Service(settings) as service:
        started = time.perf_counter()
        summary = service.ingest([], files=sorted(VI_DOCS.glob("*.txt")))
        ingest_s = time.perf_counter() - started
        with service.engine.connect() as conn:
            rows = conn.execute(text("SELECT article_id, origin FROM origins ORDER BY origin"))
            doc_of: dict[int, str] = {}
            for article_id, origin in rows:
                doc_of.setdefault(article_id, Path(origin).stem)

        def run(query: str, exact: bool) -> tuple[list[str], float, str | None]:
            request = SearchRequest(query=query, exact=exact, limit=args.depth)
            started = time.perf_counter()
            try:
                hits, error = service.search(request), None
            except CaunoiError as exc:  # a query this version refuses finds nothing
                hits, error = [], str(exc)
            return [doc_of[h.id] for h in hits], time.perf_counter() - started, error

        runs: dict[str, dict[str, list[str]]] = {"as typed": {}, REFERENCE: {}}
        seconds, errors = [], {}
        for q in queries:
            runs["as typed"][q["id"]], took, error = run(q["query"], False)
            seconds.append(took)
            runs[REFERENCE][q["id"]], _took, _error = run(q["reading"], True)
            if error:
                errors[q["id"]] = error
        index_ms = index_build_s = None
        if hasattr(service, "search_index"):  # the index beside the store (issue 20): built, then asked
            index_build_s = service.search_index.build(Path(args.data_dir) / "search-index")["seconds"]
            service.settings = dataclasses.replace(settings, search_index=True)
            found = {q["id"]: run(q["query"], False) for q in queries}
            runs[INDEXED] = {key: ranked for key, (ranked, _took, _error) in found.items()}
            index_ms = round(statistics.median(took for _r, took, _e in found.values()) * 1000, 1)
    print(
        json.dumps(
            {
                "caunoi": str(Path(caunoi.__file__).resolve().parent),
                "articles": len(doc_of),
                "ingest_s": round(ingest_s, 1),
                "reused": summary.added == 0,
                "median_ms_per_query": round(statistics.median(seconds) * 1000, 1),
                "index_median_ms_per_query": index_ms,
                "index_build_s": index_build_s,
                "errors": errors,
                "runs": runs,
            },
            ensure_ascii=False,
        )
    )
    return 0


def fingerprint(root: Path) -> str:
    """A digest of a tree's caunoi Python sources: two trees with the same one search alike."""
    digest = hashlib.sha256()
    for path in sorted((root / "caunoi").rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


@contextlib.contextmanager
def worktree(revision: str) -> Iterator[tuple[Path, str]]:
    """A detached git worktree of `revision` in a temporary folder, and its full commit id."""
    sha = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="caunoi-before-"))
    tree = folder / "tree"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), sha], check=True
    )
    try:
        yield tree, sha
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def store_folder(name: str, keep: bool) -> Iterator[Path]:
    """The data folder of a caunoi store: var/bench/search_quality/<name>, kept and reused with
    `keep`; else a fresh temporary one, removed afterwards."""
    if keep:
        folder = STORES / name
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix=f"caunoi-search-quality-{name}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_caunoi(tree: Path, data_dir: Path, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """The child's result, checked to come from `tree`'s caunoi."""
    print(f"  caunoi of {tree}: ingesting into {database_url or data_dir} …", file=sys.stderr)
    result = run_child(
        [
            str(Path(__file__).resolve()), "child", "--data-dir", str(data_dir),
            "--database-url", database_url, "--queries", str(Path(args.queries).resolve()),
            "--depth", str(args.depth), "--workers", str(args.workers),
        ],
        env={"PYTHONPATH": str(tree)},
    )  # fmt: skip
    if Path(result["caunoi"]) != (tree / "caunoi").resolve():
        sys.exit(f"the child imported caunoi from {result['caunoi']}, not from {tree}")
    return result


# -- the peer: SQLite FTS5 with remove_diacritics ------------------------------------------------------


def stored_articles(sqlite_file: Path) -> list[tuple[str, str, str]]:
    """(doc id, title, text) of every article of a caunoi SQLite store, as stored (normalised)."""
    con = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT o.origin, a.title, a.text FROM articles a JOIN origins o ON o.article_id = a.id"
            " ORDER BY o.origin"
        ).fetchall()
    finally:
        con.close()
    seen: dict[str, tuple[str, str, str]] = {}
    for origin, title, body in rows:
        doc = Path(origin).stem
        seen.setdefault(doc, (doc, title or "", body or ""))
    return list(seen.values())


_D = str.maketrans({"đ": "d", "Đ": "D"})


def run_peer(
    articles: list[tuple[str, str, str]], queries: list[dict[str, str]], depth: int, fold_d: bool
) -> dict[str, Any]:
    prep = (lambda s: s.translate(_D)) if fold_d else (lambda s: s)
    con = sqlite3.connect(":memory:")
    con.execute('CREATE VIRTUAL TABLE peer USING fts5(title, body, tokenize="unicode61 remove_diacritics 2")')
    con.executemany(
        "INSERT INTO peer(rowid, title, body) VALUES (?, ?, ?)",
        [(i, prep(title), prep(body)) for i, (_doc, title, body) in enumerate(articles)],
    )
    ranked, seconds = {}, []
    for q in queries:
        match = " AND ".join('"' + w + '"' for w in WORD.findall(prep(q["query"])))
        started = time.perf_counter()
        rows = con.execute(
            "SELECT rowid FROM peer WHERE peer MATCH ? ORDER BY bm25(peer, 10.0, 1.0), rowid LIMIT ?",
            (match, depth),
        ).fetchall()
        seconds.append(time.perf_counter() - started)
        ranked[q["id"]] = [articles[r[0]][0] for r in rows]
    con.close()
    return {"runs": {"as typed": ranked}, "median_ms_per_query": round(statistics.median(seconds) * 1000, 2)}


# -- the metrics --------------------------------------------------------------------------------------


def dcg(gains: list[int]) -> float:
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, 1))


def score_query(ranked: list[str], judged: dict[str, int]) -> dict[str, Any]:
    top = ranked[:CUT]
    gains = [judged.get(doc, 0) for doc in top]
    ideal = dcg(sorted(judged.values(), reverse=True)[:CUT])
    return {
        "p_at_10": sum(g >= 1 for g in gains) / CUT,
        "p_at_10_strict": sum(g >= 2 for g in gains) / CUT,
        "ndcg_at_10": dcg(gains) / ideal if ideal else 0.0,
        "unjudged": [doc for doc in top if doc not in judged],
        "found": len(ranked),
    }


def score(ranked: dict[str, list[str]], queries: list[dict[str, str]], qrels: dict) -> dict[str, Any]:
    per_query = {q["id"]: score_query(ranked.get(q["id"], []), qrels.get(q["id"], {})) for q in queries}
    mean = lambda xs: round(statistics.fmean(xs), 3) if xs else None  # noqa: E731
    out: dict[str, Any] = {}
    for split, keep in (("all", None), ("with", "with"), ("without", "without")):
        ids = [q["id"] for q in queries if keep is None or q["typed"] == keep]
        out[split] = {
            "queries": len(ids),
            "p_at_10": mean([per_query[i]["p_at_10"] for i in ids]),
            "p_at_10_strict": mean([per_query[i]["p_at_10_strict"] for i in ids]),
            "ndcg_at_10": mean([per_query[i]["ndcg_at_10"] for i in ids]),
            "unjudged_in_top10": sum(len(per_query[i]["unjudged"]) for i in ids),
        }
    out["per_query"] = {
        i: {**s, "p_at_10": round(s["p_at_10"], 2), "ndcg_at_10": round(s["ndcg_at_10"], 3)}
        for i, s in per_query.items()
    }
    return out


# -- the run ------------------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> dict[str, Any]:
    queries = read_queries(Path(args.queries))
    qrels = read_qrels(Path(args.qrels))
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    result: dict[str, Any] = {"systems": {}, "caunoi": {}}
    with worktree(args.before) as (before_tree, before_sha):
        trees = {"before": before_tree, "after": REPO}
        same = fingerprint(before_tree) == fingerprint(REPO)
        result["before"] = {
            "revision": args.before,
            "commit": before_sha,
            "sources": fingerprint(before_tree),
        }
        result["after"] = {"tree": str(REPO), "sources": fingerprint(REPO), "same_as_before": same}
        peer_articles: list[tuple[str, str, str]] = []
        for backend in backends:
            for label in ("before", "after"):
                if label == "after" and same:
                    print("after: caunoi's sources are those of before: its run is before's", file=sys.stderr)
                    result["caunoi"][f"after/{backend}"] = result["caunoi"][f"before/{backend}"]
                    continue
                key = before_sha[:12] if label == "before" else fingerprint(REPO)
                name = f"{label}-{key}-{backend}"
                with store_folder(name, args.keep and backend == "sqlite") as folder:
                    with contextlib.ExitStack() as stack:
                        url = ""
                        if backend == "postgresql":
                            url = stack.enter_context(_harness.temporary_schema("bench_search_quality"))
                        got = run_caunoi(trees[label], folder, url, args)
                    if backend == "sqlite" and not peer_articles:
                        peer_articles = stored_articles(folder / "caunoi.db")
                result["caunoi"][f"{label}/{backend}"] = got
    runs: dict[str, tuple[dict[str, list[str]], Any]] = {
        "peer": (
            (p := run_peer(peer_articles, queries, args.depth, False))["runs"]["as typed"],
            p["median_ms_per_query"],
        ),
        "peer, đ→d": (
            (p := run_peer(peer_articles, queries, args.depth, True))["runs"]["as typed"],
            p["median_ms_per_query"],
        ),
    }
    for backend in backends:
        for label in ("before", "after"):
            got = result["caunoi"][f"{label}/{backend}"]
            runs[f"{label} ({backend})"] = (got["runs"]["as typed"], got["median_ms_per_query"])
        got = result["caunoi"][f"after/{backend}"]
        runs[f"{REFERENCE}, after ({backend})"] = (got["runs"][REFERENCE], None)
        if INDEXED in got["runs"]:
            runs[f"after, {INDEXED} ({backend})"] = (got["runs"][INDEXED], got["index_median_ms_per_query"])
    for name, (ranked, ms) in runs.items():
        result["systems"][name] = {"median_ms_per_query": ms, "ranked": ranked}
    for got in result["caunoi"].values():
        got.pop("runs", None)
    result["set"] = {"corpus_articles": len(peer_articles)}
    return rescore(result, queries, qrels)


def rescore(result: dict[str, Any], queries: list[dict[str, str]], qrels: dict) -> dict[str, Any]:
    """The metrics of every system's stored rankings against the judgments as they are now."""
    for system in result["systems"].values():
        system.update(score(system["ranked"], queries, qrels))
    result["set"].update(
        queries=len(queries),
        **{"with": sum(q["typed"] == "with" for q in queries)},
        without=sum(q["typed"] == "without" for q in queries),
        judged=sum(len(v) for v in qrels.values()),
        relevant=sum(g >= 1 for v in qrels.values() for g in v.values()),
    )
    return result


def report(result: dict[str, Any], queries: list[dict[str, str]], list_unjudged: bool) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        s = result["set"]
        b, a = result["before"], result["after"]
        print(
            f"set: {s['queries']} queries ({s['with']} typed with diacritics, {s['without']} without), "
            f"{s['judged']} judgments ({s['relevant']} relevant or partly); corpus {s['corpus_articles']} "
            f"articles\nbefore: {b['revision']} ({b['commit'][:10]}, sources {b['sources']}); after: this "
            f"checkout (sources {a['sources']}{', the same as before' if a['same_as_before'] else ''})"
        )
        for name, got in result["caunoi"].items():
            how = "a kept store, reused" if got["reused"] else f"ingested in {got['ingest_s']} s"
            print(f"{name}: {got['articles']} articles ({how})")
        rows = []
        for name, m in result["systems"].items():
            figures = [
                m[split][key] for split in ("all", "with", "without") for key in ("p_at_10", "ndcg_at_10")
            ]
            rows.append([name, *figures, m["all"]["unjudged_in_top10"], m["median_ms_per_query"]])
        print()
        print_table(
            ["system", "P@10", "nDCG@10", "P@10 with", "nDCG@10 with", "P@10 without", "nDCG@10 without",
             "unjudged in top 10", "ms / query"],
            rows,
        )  # fmt: skip
        names = [n for n in result["systems"] if not n.startswith(REFERENCE)]
        print("\nnDCG@10 per query\n")
        rows = []
        for q in queries:
            row = [q["id"], q["query"], q["typed"]]
            for name in names:
                pq = result["systems"][name]["per_query"][q["id"]]
                row.append(pq["ndcg_at_10"])
            rows.append(row)
        print_table(["id", "query", "typed", *names], rows, "lll" + "r" * len(names))
        if list_unjudged:
            print("\nunjudged in the first ten:")
            for name, m in result["systems"].items():
                for qid, pq in m["per_query"].items():
                    if pq["unjudged"]:
                        print(f"{name}\t{qid}\t{' '.join(pq['unjudged'])}")
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    kid = sub.add_parser("child", help="(internal) ingest and search with the caunoi on PYTHONPATH")
    kid.add_argument("--data-dir", required=True)
    kid.add_argument("--database-url", default="")
    kid.add_argument("--queries", default=str(QUERIES))
    kid.add_argument("--depth", type=int, default=20)
    kid.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--pg", metavar="URL", help="also run caunoi on this PostgreSQL server, in a fresh schema"
    )
    parser.add_argument("--before", default=BEFORE, help=f"the git revision of 'before' (default {BEFORE})")
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite stores in var/ and reuse kept ones"
    )
    parser.add_argument("--list-unjudged", action="store_true", help="print the unjudged first-ten articles")
    parser.add_argument("--depth", type=int, default=20, help="results kept per query (the judging pool)")
    parser.add_argument("--workers", type=int, default=2, help="ingest and enrichment processes")
    parser.add_argument("--queries", default=str(QUERIES), help="the query set (TSV)")
    parser.add_argument("--qrels", default=str(QRELS), help="the judgments (TSV)")
    parser.add_argument(
        "--rescore", action="store_true", help="score the last run's rankings again (after judging)"
    )
    args = parser.parse_args()
    require_corpus(VI_DOCS, "the vi-news-unc corpus")
    if args.command == "child":
        return child(args)
    if args.pg:
        _harness.PG_URL = args.pg  # the harness's schema helpers work on this server
        if why := _harness.pg_reachable():
            sys.exit(why)
    command = "python benchmarks/search_quality.py " + " ".join(sys.argv[1:])
    if args.rescore:  # the last run's rankings, scored again: after judging what it brought up
        queries, qrels = read_queries(Path(args.queries)), read_qrels(Path(args.qrels))
        last = RESULTS / "search_quality.json"
        if not last.exists():
            sys.exit(f"{last} is absent: run the benchmark once before --rescore")
        result = rescore(json.loads(last.read_text(encoding="utf-8")), queries, qrels)
        measured = result.get("rescored", {}).get("rankings_measured_at") or result.get("measured_at")
        result["rescored"] = {"command": command, "rankings_measured_at": measured}
    else:
        result = measure(args)
        result["command"] = command
    text = report(result, read_queries(Path(args.queries)), args.list_unjudged)
    path = write_result("search_quality", result)
    (RESULTS / "search_quality.txt").write_text(text, encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else text, end="")
    print(f"\nwritten to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
