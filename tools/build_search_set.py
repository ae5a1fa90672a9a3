#!/usr/bin/env python3
"""Build helpers for the judged search set (benchmarks/data/search_queries.tsv, search_qrels.tsv).

The committed qrels are the ground truth; this script only does the mechanical parts of judging:

  pool     per intent (the queries that share one: a pair typed with and without diacritics),
           how many articles the systems of the last `benchmarks/search_quality.py` run brought
           into their first --depth results (benchmarks/results/search_quality.json: every system
           and backend, and the exact search of the intended reading) and how many are unjudged.
  show Q   the unjudged pooled articles of query Q's intent (--all: every pooled one), one compact
           card each for a person to read and judge: doc id, section, date, the headline of the
           article's address, title line, lede, and the passages around the query's words, with
           the intended reading «marked» and other readings ‹marked›.
  judge Q  read "doc_id grade [note]" lines from stdin and add them to the qrels for every query
           of Q's intent (a pair gets the same judgments: the intent is what is judged).
  check    every query has a relevant article, every judged doc exists, pairs agree.

Usage (from the repo root):
  .venv/bin/python benchmarks/search_quality.py --keep          # rankings to pool
  .venv/bin/python tools/build_search_set.py pool
  .venv/bin/python tools/build_search_set.py show q01 > /tmp/q01.txt
  .venv/bin/python tools/build_search_set.py judge q01 < my-grades.txt
  .venv/bin/python tools/build_search_set.py check

The vi-news-unc articles are read from REPO/../shared/data/vi-news-unc/docs (or
$CAUNOI_SHARED_DATA); they are never copied into the repo.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from caunoi.text.fold import fold, lower_exact  # noqa: E402
from caunoi.text.vietnamese import normalize  # noqa: E402

DATA = REPO / "benchmarks" / "data"
QUERIES = DATA / "search_queries.tsv"
QRELS = DATA / "search_qrels.tsv"
RESULT = REPO / "benchmarks" / "results" / "search_quality.json"
SHARED = Path(os.environ.get("CAUNOI_SHARED_DATA", REPO.parent / "shared" / "data"))
DOCS = SHARED / "vi-news-unc" / "docs"
FIELDS = ["query_id", "doc_id", "grade", "note"]


def queries() -> list[dict[str, str]]:
    with open(QUERIES, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def qrels() -> list[dict[str, str]]:
    if not QRELS.exists():
        return []
    with open(QRELS, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def group_of(qid: str) -> list[dict[str, str]]:
    """The queries that share query `qid`'s intent, `qid`'s first."""
    every = queries()
    mine = next((q for q in every if q["id"] == qid), None)
    if mine is None:
        sys.exit(f"no query {qid} in {QUERIES}")
    return [mine] + [q for q in every if q["intent"] == mine["intent"] and q["id"] != qid]


def pooled(ids: list[str], depth: int, result_file: Path = RESULT) -> dict[str, list[str]]:
    """doc id -> the systems (with the rank) that brought it into the pool of these queries."""
    result = json.loads(result_file.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = defaultdict(list)
    for name, system in result["systems"].items():
        for qid in ids:
            for rank, doc in enumerate(system["ranked"].get(qid, [])[:depth], 1):
                found[doc].append(
                    f"{name.split(' (')[0].replace('exact, intended reading', 'exact')}@{qid}:{rank}"
                )
    return found


def judged(ids: list[str]) -> dict[str, str]:
    return {r["doc_id"]: r["grade"] for r in qrels() if r["query_id"] in ids}


def cmd_pool(args: argparse.Namespace) -> None:
    seen = set()
    for q in queries():
        if q["intent"] in seen:
            continue
        seen.add(q["intent"])
        ids = [g["id"] for g in group_of(q["id"])]
        pool = pooled(ids, args.depth, args.result)
        done = judged(ids)
        relevant = sum(g != "0" for g in done.values())
        print(f"{','.join(ids)}\tpooled {len(pool)}\tunjudged {len(set(pool) - set(done))}\t"
              f"judged {len(done)} ({relevant} relevant or partly)\t{q['query']}")  # fmt: skip


# -- the cards ---------------------------------------------------------------------------------------


def read_doc(doc: str) -> dict[str, str]:
    lines = (DOCS / f"{doc}.txt").read_text(encoding="utf-8").splitlines()
    url = lines[1].split("=", 1)[1].strip()
    slug = re.sub(r"-\d{10,}\.htm$", "", url.rsplit("/", 1)[-1]).replace("-", " ")
    body = [normalize(line) for line in lines[3:] if line.strip()]
    return {"date": lines[2].split("=", 1)[1].strip(), "slug": slug, "title": body[0] if body else "",
            "text": "\n".join(body)}  # fmt: skip


def contexts(text: str, words: list[str], reading: str, width: int, most: int) -> list[str]:
    """Passages around the folded query phrase (or, when the article has no such run, around each
    word), the intended reading «marked» and other readings ‹marked›."""
    folded = fold(text)
    exact_reading = lower_exact(normalize(reading))
    phrase = r"\s+".join(re.escape(w) for w in words)
    spans = [m.span() for m in re.finditer(rf"(?<![^\W_]){phrase}(?![^\W_])", folded)]
    if not spans:
        for w in words:
            m = re.search(rf"(?<![^\W_]){re.escape(w)}(?![^\W_])", folded)
            if m:
                spans.append(m.span())
    exact_spans = [s for s in spans if lower_exact(text[s[0] : s[1]]) == exact_reading]
    other = [s for s in spans if s not in exact_spans]
    chosen = sorted(exact_spans[: max(1, most - min(len(other), 2))] + other[:2])[:most] if spans else []
    out = []
    for start, end in chosen:
        mark = "«»" if (start, end) in exact_spans else "‹›"
        left = text[max(0, start - width) : start].replace("\n", " / ")
        right = text[end : end + width].replace("\n", " / ")
        out.append(f"…{left}{mark[0]}{text[start:end]}{mark[1]}{right}…")
    counts = f"reading ×{len(exact_spans)}, other ×{len(other)}" if len(words) > 0 else ""
    return [counts, *out]


def cmd_show(args: argparse.Namespace) -> None:
    group = group_of(args.query)
    ids = [q["id"] for q in group]
    pool = pooled(ids, args.depth, args.result)
    done = judged(ids)
    first = group[0]
    print(f"# {','.join(ids)}: {' | '.join(q['query'] for q in group)} → {first['reading']}")
    print(f"# intent: {first['intent']}")
    todo = sorted(pool if args.all else set(pool) - set(done))
    words = [fold(w) for w in re.findall(r"[^\W_]+", first["reading"])]
    for n, doc in enumerate(todo, 1):
        d = read_doc(doc)
        lede = d["text"].split("\n")[1] if "\n" in d["text"] else ""
        found = contexts(d["text"], words, first["reading"], args.width, args.contexts)
        seen = " ".join(pool[doc][:4]) + (" …" if len(pool[doc]) > 4 else "")
        print(f"\n[{n}] {doc} {d['date']} {done.get(doc, '')} ({seen})")
        print(f"  U: {d['slug']}")
        if found[0].startswith("reading ×0") and not args.all:  # another reading: one passage says which
            print(f"  M: {found[0]}", *found[1:2], sep="\n   - ")
            continue
        if not fold(d["title"]).replace(",", "").startswith(d["slug"][:25]):  # the slug is the headline
            print(f"  T: {d['title'][: args.lede]}")
        print(f"  L: {lede[: args.lede]}")
        print(f"  M: {found[0]}", *found[1:], sep="\n   - ")


def cmd_judge(args: argparse.Namespace) -> None:
    ids = [q["id"] for q in group_of(args.query)]
    rows = qrels()
    have = {(r["query_id"], r["doc_id"]) for r in rows}
    added = 0
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        doc, grade = parts[0], parts[1]
        note = parts[2] if len(parts) > 2 else ""
        if grade not in ("0", "1", "2") or not (DOCS / f"{doc}.txt").exists():
            sys.exit(f"bad judgment line: {line!r}")
        for qid in ids:
            if (qid, doc) in have:
                rows = [r for r in rows if (r["query_id"], r["doc_id"]) != (qid, doc)]
            rows.append({"query_id": qid, "doc_id": doc, "grade": grade, "note": note})
            added += 1
    order = {q["id"]: i for i, q in enumerate(queries())}
    rows.sort(key=lambda r: (order[r["query_id"]], r["doc_id"]))
    lines = ["\t".join(FIELDS)] + ["\t".join(r[k].replace("\t", " ") for k in FIELDS) for r in rows]
    QRELS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{added} judgments written for {','.join(ids)}", file=sys.stderr)


def cmd_check(_args: argparse.Namespace) -> None:
    problems = []
    by_query: dict[str, dict[str, str]] = defaultdict(dict)
    for r in qrels():
        by_query[r["query_id"]][r["doc_id"]] = r["grade"]
        if not (DOCS / f"{r['doc_id']}.txt").exists():
            problems.append(f"{r['query_id']}: {r['doc_id']} is not in the corpus")
    for q in queries():
        if not any(g != "0" for g in by_query[q["id"]].values()):
            problems.append(f"{q['id']} {q['query']!r}: no relevant article judged")
        for other in group_of(q["id"])[1:]:
            if by_query[q["id"]] != by_query[other["id"]]:
                problems.append(f"{q['id']} and {other['id']} share an intent but not their judgments")
    print("\n".join(problems) or "ok")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, default=RESULT, help="the search_quality.py result to pool")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pool")
    p.add_argument("--depth", type=int, default=20)
    p = sub.add_parser("show")
    p.add_argument("query")
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--all", action="store_true", help="judged articles too")
    p.add_argument("--width", type=int, default=60, help="characters either side of a match")
    p.add_argument("--contexts", type=int, default=3)
    p.add_argument("--lede", type=int, default=160)
    p = sub.add_parser("judge")
    p.add_argument("query")
    sub.add_parser("check")
    args = parser.parse_args()
    {"pool": cmd_pool, "show": cmd_show, "judge": cmd_judge, "check": cmd_check}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
