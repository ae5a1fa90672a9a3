#!/usr/bin/env python3
"""Build helpers for the story-clustering evaluation set (benchmarks/data/stories/).

The committed ``labels.tsv`` is the ground truth; this script only reproduces the
automatic parts of how it was made:

  candidates  load the vi-news-unc window, propose candidate story groups
              (TF-IDF cosine of URL-slug title + lead, average-linkage
              agglomerative clustering inside a +/-7 day window) and print a
              review listing in which similar articles sit next to each other.
  build       turn a reviewed groups file ("story-slug: id id id" lines, ids in
              the short form used by the listing, e.g. wo077 = news_world_077)
              into labels.tsv; every article of the window not named in the
              groups file becomes a singleton story.
  stats       counts for the README (articles, stories, size histogram,
              languages, cross-lingual stories).
  compare     how far the automatic candidates are from the final labels
              (BCubed P/R/F1 of the candidates against labels.tsv, and how many
              final multi-article stories the candidates got exactly right).

Usage (from the repo root):
  .venv/bin/python tools/build_story_set.py candidates > /tmp/review.txt
  .venv/bin/python tools/build_story_set.py build GROUPS.txt
  .venv/bin/python tools/build_story_set.py stats
  .venv/bin/python tools/build_story_set.py compare

The vi-news-unc articles are read from REPO/../shared/data/vi-news-unc/docs
(override with --vi-dir); they are never copied into the repo.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "data" / "stories"
DEFAULT_VI_DIR = REPO.parent / "shared" / "data" / "vi-news-unc" / "docs"

# The evaluation window: every vi-news-unc article published in it is in the set.
WINDOW = ("20210422", "20210502")
CAND_THRESHOLD = 0.80  # cosine distance threshold of the candidate clustering
CAND_MAX_DAYS = 7

ABBR = {
    "business": "bu",
    "education": "ed",
    "entertainment": "en",
    "health": "he",
    "science": "sc",
    "society": "so",
    "sport": "sp",
    "tech": "te",
    "travel": "tr",
    "world": "wo",
}
UNABBR = {v: k for k, v in ABBR.items()}


# ----------------------------------------------------------------- loading
def load_vi(vi_dir: Path, window=WINDOW) -> list[dict]:
    """vi-news-unc articles inside the window, as dicts.

    Note: in most April-2021 files line 4 is not the headline but the sapo or
    a photo caption; the headline survives only in the URL slug, so the
    slug (de-hyphenated, unaccented) is used as the title for candidates.
    """
    rows = []
    for f in sorted(vi_dir.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").split("\n")
        doc = lines[0].split("=", 1)[1].strip()
        url = lines[1].split("=", 1)[1].strip()
        date = lines[2].split("=", 1)[1].strip()
        if not (window[0] <= date <= window[1]):
            continue
        body = [ln for ln in lines[3:] if ln.strip()]
        rows.append(
            {
                "key": doc,
                "url": url,
                "date": date,
                "cat": doc.split("_")[1],
                "slug": url_slug(url),
                "lines": body,
            }
        )
    return rows


def url_slug(url: str) -> str:
    s = url.rsplit("/", 1)[-1]
    s = re.sub(r"-?\d{14,}\.htm$", "", s)
    s = re.sub(r"\.htm$", "", s)
    return s.replace("-", " ")


def short_id(key: str) -> str:
    _, cat, num = key.split("_")
    return ABBR[cat] + num


def long_id(short: str) -> str:
    return f"news_{UNABBR[short[:2]]}_{short[2:]}"


def fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.lower())
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return s.replace("đ", "d")


def ordinal(yyyymmdd: str) -> int:
    return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])).toordinal()


# -------------------------------------------------------------- candidates
def similarity(rows: list[dict]):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [r["slug"] + " " + r["slug"] + " " + fold(" ".join(r["lines"][:6])) for r in rows]
    vec = TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, max_df=0.2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
    )
    x = vec.fit_transform(texts)
    s = (x @ x.T).toarray()
    d = np.array([ordinal(r["date"]) for r in rows])
    s[np.abs(d[:, None] - d[None, :]) > CAND_MAX_DAYS] = 0.0
    return s


def candidate_labels(rows: list[dict], threshold: float = CAND_THRESHOLD):
    from sklearn.cluster import AgglomerativeClustering

    s = similarity(rows)
    lab = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    ).fit_predict(1.0 - s)
    return lab, s


def cmd_candidates(args) -> None:
    import numpy as np
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    rows = load_vi(Path(args.vi_dir))
    lab, s = candidate_labels(rows, args.threshold)
    dist = np.clip(1.0 - (s + s.T) / 2.0, 0.0, 1.0)
    np.fill_diagonal(dist, 0.0)
    order = leaves_list(linkage(squareform(dist, checks=False), "average"))
    size = collections.Counter(lab)
    multi = sum(1 for v in size.values() if v > 1)
    print(f"# {len(rows)} articles, {len(size)} candidate groups, {multi} with >1 article", file=sys.stderr)
    for i in order:
        r = rows[i]
        tag = f"C{lab[i]}" if size[lab[i]] > 1 else "-"
        lead = r["lines"][0][:90] if args.lead else ""
        print(
            f"{short_id(r['key'])} {r['date'][4:]} {tag:5} {r['slug'][:95]}" + (f" | {lead}" if lead else "")
        )


# ------------------------------------------------------------------- build
def parse_groups(path: Path) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for ln in path.read_text(encoding="utf-8").splitlines():
        ln = ln.split("#", 1)[0].strip()
        if not ln:
            continue
        slug, ids = ln.split(":", 1)
        slug = slug.strip()
        if slug in groups:
            raise SystemExit(f"duplicate story slug {slug}")
        groups[slug] = ids.split()
    return groups


def load_articles(path: Path = OUT_DIR / "articles.jsonl.gz") -> list[dict]:
    if not path.exists():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(ln) for ln in f if ln.strip()]


HEADER = """\
# Cau Noi story-clustering evaluation set (see README.md in this folder).
# One row per article; every article appears exactly once.
# key: vi-news-unc doc_id (text read from shared/data/vi-news-unc/docs/<key>.txt)
#      or the key of a row in articles.jsonl.gz.
# story: story slug; articles with the same slug report the same story.
#        Singletons have their own slug. lang: ISO 639-1. published: YYYY-MM-DD.
# note: optional reviewer note.
"""


def cmd_build(args) -> None:
    rows = load_vi(Path(args.vi_dir))
    by_key = {r["key"]: r for r in rows}
    extra = {a["key"]: a for a in load_articles()}
    groups = parse_groups(Path(args.groups))
    notes = {}
    if args.notes:
        for ln in Path(args.notes).read_text(encoding="utf-8").splitlines():
            if ln.strip() and not ln.startswith("#"):
                k, n = ln.split(None, 1)
                notes[k if k in extra else long_id(k)] = n.strip()
    story_of: dict[str, str] = {}
    for slug, ids in groups.items():
        for sid in ids:
            key = sid if sid in extra else long_id(sid)
            if key not in by_key and key not in extra:
                raise SystemExit(f"{sid} ({slug}) is not in the window nor in articles.jsonl.gz")
            if key in story_of:
                raise SystemExit(f"{sid} is in both {story_of[key]} and {slug}")
            story_of[key] = slug
    out = []
    for key, r in by_key.items():
        d = r["date"]
        date = f"{d[:4]}-{d[4:6]}-{d[6:]}"
        slug = story_of.get(key) or f"{date[:7]}-single-{short_id(key)}"
        out.append((date, key, slug, "vi"))
    for key, a in extra.items():
        slug = story_of.get(key) or f"{a['published'][:7]}-single-{key}"
        out.append((a["published"], key, slug, a["lang"]))
    out.sort()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    dest = OUT_DIR / "labels.tsv"
    with dest.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("key\tstory\tlang\tpublished\tnote\n")
        for date, key, slug, lang in out:
            f.write(f"{key}\t{slug}\t{lang}\t{date}\t{notes.get(key, '')}\n")
    print(f"wrote {dest} ({len(out)} rows)", file=sys.stderr)


# ------------------------------------------------------------------- stats
def read_labels(path: Path = OUT_DIR / "labels.tsv") -> list[dict]:
    rows = []
    header = None
    for ln in path.read_text(encoding="utf-8").splitlines():
        if ln.startswith("#") or not ln.strip():
            continue
        parts = ln.split("\t")
        if header is None:
            header = parts
            continue
        parts += [""] * (len(header) - len(parts))
        rows.append(dict(zip(header, parts, strict=True)))
    return rows


def cmd_stats(args) -> None:
    rows = read_labels()
    stories = collections.defaultdict(list)
    for r in rows:
        stories[r["story"]].append(r)
    sizes = collections.Counter(len(v) for v in stories.values())
    langs = collections.Counter(r["lang"] for r in rows)
    xling = {s: v for s, v in stories.items() if len({r["lang"] for r in v}) > 1}
    print(f"articles: {len(rows)}")
    print(
        f"stories: {len(stories)} (multi-article: {sum(1 for v in stories.values() if len(v) > 1)},"
        f" singletons: {sizes[1]})"
    )
    print(f"articles in multi-article stories: {sum(len(v) for v in stories.values() if len(v) > 1)}")
    print("languages: " + ", ".join(f"{k} {v}" for k, v in langs.most_common()))
    bins = [(1, 1), (2, 2), (3, 3), (4, 5), (6, 10), (11, 20), (21, 50), (51, 10**9)]
    print("story size histogram:")
    for lo, hi in bins:
        n = sum(c for s, c in sizes.items() if lo <= s <= hi)
        label = f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi < 10**9 else f">{lo - 1}")
        print(f"  {label:>6}: {n}")
    print(
        "largest: "
        + ", ".join(f"{s} ({len(v)})" for s, v in sorted(stories.items(), key=lambda kv: -len(kv[1]))[:8])
    )
    print(f"cross-lingual stories: {len(xling)}")
    for s, v in sorted(xling.items()):
        print(
            f"  {s}: "
            + ", ".join(f"{k} {c}" for k, c in collections.Counter(r["lang"] for r in v).most_common())
        )


# ----------------------------------------------------------------- compare
def bcubed(pred: dict[str, object], gold: dict[str, object]) -> tuple[float, float, float]:
    pc = collections.defaultdict(set)
    gc = collections.defaultdict(set)
    for k in gold:
        pc[pred[k]].add(k)
        gc[gold[k]].add(k)
    p = r = 0.0
    for k in gold:
        inter = len(pc[pred[k]] & gc[gold[k]])
        p += inter / len(pc[pred[k]])
        r += inter / len(gc[gold[k]])
    p /= len(gold)
    r /= len(gold)
    return p, r, 2 * p * r / (p + r)


def cmd_compare(args) -> None:
    rows = load_vi(Path(args.vi_dir))
    lab, _ = candidate_labels(rows, args.threshold)
    cand = {r["key"]: int(lab[i]) for i, r in enumerate(rows)}
    gold_rows = [r for r in read_labels() if r["lang"] == "vi" and r["key"] in cand]
    gold = {r["key"]: r["story"] for r in gold_rows}
    p, r, f = bcubed(cand, gold)
    print(f"candidates ({args.threshold}) vs labels, vi articles: BCubed P={p:.3f} R={r:.3f} F1={f:.3f}")
    cg = collections.defaultdict(set)
    gg = collections.defaultdict(set)
    for k in gold:
        cg[cand[k]].add(k)
        gg[gold[k]].add(k)
    cand_multi = {frozenset(v) for v in cg.values() if len(v) > 1}
    gold_multi = {frozenset(v) for v in gg.values() if len(v) > 1}
    kept = len(cand_multi & gold_multi)
    print(
        f"candidate groups with >1 article: {len(cand_multi)}; kept exactly: {kept};"
        f" changed on review (split, merged, trimmed or dissolved): {len(cand_multi - gold_multi)}"
    )
    print(
        f"final multi-article stories: {len(gold_multi)}; of them not proposed as such: "
        f"{len(gold_multi - cand_multi)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vi-dir", default=str(DEFAULT_VI_DIR))
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("candidates")
    c.add_argument("--threshold", type=float, default=CAND_THRESHOLD)
    c.add_argument("--lead", action="store_true", help="also print the first text line")
    b = sub.add_parser("build")
    b.add_argument("groups")
    b.add_argument("--notes", help="file of '<id> <note>' lines")
    sub.add_parser("stats")
    m = sub.add_parser("compare")
    m.add_argument("--threshold", type=float, default=CAND_THRESHOLD)
    args = ap.parse_args()
    {"candidates": cmd_candidates, "build": cmd_build, "stats": cmd_stats, "compare": cmd_compare}[args.cmd](
        args
    )


if __name__ == "__main__":
    main()
