"""Reprint detection (caunoi.stories.dedup through the store): precision and recall on real articles
and realistic variants of them, against exact-hash detection alone (what the store did before).

The set (deterministic, seed 11): ORIGINALS vi-news-unc articles of the labelled story window
(22 April - 2 May 2021, benchmarks/data/stories/labels.tsv). Each gets one variant of each kind
below, published a day later by a made-up reprinting outlet:
  retitled        a new title, same body
  trimmed         the last 30-50 % of the paragraphs cut
  chrome          share / font-size / comment / related-links lines around the body
  attribution     "Theo <outlet>" first and a byline last
  reworded lead   the first sentence rewritten, one paragraph dropped from the middle
  mixed           retitled + trimmed + chrome
Negatives are every other pair in the store, and in particular the articles that report the same
story (the labelled multi-article stories, 497 articles of which ORIGINALS draws): same event,
same names, different text. Those other story members are ingested as well.
A pair (variant, its original) counts as found when the variant is linked to the original's group;
a false link is any link between articles that are not copies of one text.

Run: .venv/bin/python benchmarks/dedup_quality.py [--json] [--originals 300]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _harness import VAR, VI_DOCS, machine, print_table, publish, require_corpus  # noqa: E402

LABELS = REPO / "benchmarks" / "data" / "stories" / "labels.tsv"
SEED = 11
CHROME_TOP = ["Chia sẻ", "Cỡ chữ", "A- A+", "In bài viết"]
CHROME_END = ["Bình luận (0)", "Gửi bình luận", "Tin liên quan", "Xem thêm: các tin khác cùng chuyên mục"]
OUTLETS = ["baomoi.com", "24h.com.vn", "soha.vn", "kenh14.vn", "eva.vn"]


def read(key: str) -> tuple[str, str, list[str]]:
    lines = (VI_DOCS / f"{key}.txt").read_text(encoding="utf-8").split("\n")
    meta = {
        ln[2:].split(" = ")[0]: ln.split(" = ", 1)[1] for ln in lines if ln.startswith("# ") and " = " in ln
    }
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    return meta["date"], body[0], body[1:]


def variant(kind: str, title: str, paragraphs: list[str], rng: random.Random) -> tuple[str, list[str]]:
    outlet = rng.choice(OUTLETS)
    if kind == "retitled":
        return f"{rng.choice(['Nóng:', 'Tin mới:', 'Cập nhật:'])} {title[:60]}…", paragraphs
    if kind == "trimmed":
        keep = max(1, round(len(paragraphs) * rng.uniform(0.5, 0.7)))
        return title, paragraphs[:keep]
    if kind == "chrome":
        return title, CHROME_TOP + paragraphs + CHROME_END
    if kind == "attribution":
        return title, [f"Theo {outlet}", *paragraphs, f"PV ({outlet})"]
    if kind == "reworded lead":
        first, _, rest = paragraphs[0].partition(". ")
        words = first.split()
        lead = " ".join(["Được biết,", *words[len(words) // 3 :]]) + (". " + rest if rest else "")
        middle = len(paragraphs) // 2
        out = [lead, *paragraphs[1:]]
        if len(out) > 3:
            del out[middle]
        return title, out
    if kind == "mixed":
        t, p = variant("retitled", title, paragraphs, rng)
        t, p = variant("trimmed", t, p, rng)
        return variant("chrome", t, p, rng)
    raise ValueError(kind)


KINDS = ("retitled", "trimmed", "chrome", "attribution", "reworded lead", "mixed")


def build(n: int, folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Write the set as txt files; returns file stem -> group (its original's key) and file -> kind."""
    rng = random.Random(SEED)
    rows = [ln.split("\t") for ln in LABELS.read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"][
        1:
    ]
    story_of = {r[0]: r[1] for r in rows}
    members = defaultdict(list)
    for key, story in story_of.items():
        members[story].append(key)
    keys = sorted(story_of)
    rng.shuffle(keys)
    originals = keys[:n]
    chosen = set(originals)
    for key in originals:  # the other reports of the same stories: the hard negatives
        chosen.update(members[story_of[key]])
    group, kind_of = {}, {}
    for key in sorted(chosen):
        date, title, paragraphs = read(key)
        (folder / f"{key}.txt").write_text(
            f"# url = https://dantri.com.vn/{key}.htm\n# date = {date}\n{title}\n"
            + "\n".join(paragraphs)
            + "\n",
            encoding="utf-8",
        )
        group[key] = key
        kind_of[key] = "original"
        if key not in originals:
            continue
        later = str(int(date) + 1)
        for kind in KINDS:
            t, p = variant(kind, title, paragraphs, rng)
            name = f"{key}__{kind.replace(' ', '_')}"
            outlet = rng.choice(OUTLETS)
            (folder / f"{name}.txt").write_text(
                f"# url = https://{outlet}/{name}.htm\n# date = {later}\n{t}\n" + "\n".join(p) + "\n",
                encoding="utf-8",
            )
            group[name] = key
            kind_of[name] = kind
    return group, kind_of


def measure(n: int) -> dict[str, Any]:
    require_corpus(VI_DOCS, "the vi-news-unc corpus")
    from sqlalchemy import select

    from caunoi.config import Settings
    from caunoi.service import Service
    from caunoi.store.schema import duplicates, origins

    scratch = VAR / "dedup_quality"
    shutil.rmtree(scratch, ignore_errors=True)
    files = scratch / "docs"
    files.mkdir(parents=True)
    group, kind_of = build(n, files)
    service = Service(Settings(data_dir=scratch / "store"))
    try:
        service.ingest([files])
        started = time.perf_counter()
        service.stories.forget_stories()
        with service.engine.begin() as conn:  # sign again, timed on its own
            from caunoi.store.schema import signature_bands, signatures

            conn.execute(duplicates.delete())
            conn.execute(signature_bands.delete())
            conn.execute(signatures.delete())
        summary = service.update_stories()
        seconds = time.perf_counter() - started
        with service.engine.connect() as conn:
            names = defaultdict(list)
            for r in conn.execute(select(origins.c.article_id, origins.c.origin)):
                names[r.article_id].append(Path(r.origin).stem)
            links = {r.article_id: r.original_id for r in conn.execute(select(duplicates))}
    finally:
        service.close()
    # what the store says: article -> group root; exact copies are one article with several origins
    root = {a: links.get(a, a) for a in names}
    found_group = {name: root[a] for a, ns in names.items() for name in ns}
    true_pairs = {(v, group[v]) for v in group if group[v] != v}
    result: dict[str, Any] = {"machine": machine(), "originals": n, "files": len(group)}
    per_kind = defaultdict(lambda: [0, 0])
    found = 0
    for v, original in true_pairs:
        hit = found_group.get(v) is not None and found_group.get(v) == found_group.get(original)
        per_kind[kind_of[v]][0] += hit
        per_kind[kind_of[v]][1] += 1
        found += hit
    # false links: two files in one predicted group that are not copies of one text
    by_group = defaultdict(list)
    for name, g in found_group.items():
        by_group[g].append(name)
    predicted_pairs = {(a, b) for members in by_group.values() for a in members for b in members if a < b}
    true_undirected = {tuple(sorted(p)) for p in true_pairs} | {
        tuple(sorted((a, b))) for a in group for b in group if a < b and group[a] == group[b]
    }
    false_pairs = predicted_pairs - true_undirected
    # the same errors counted once: texts (an original and its variants) wrongly put together
    merged = [sorted({group[n] for n in members}) for members in by_group.values()]
    false_merges = [m for m in merged if len(m) > 1]
    exact = sum(1 for a, ns in names.items() for v in ns if group[v] != v and group[v] in ns)
    result["caunoi"] = {
        "recall": round(found / len(true_pairs), 4),
        "pair_precision": round(1 - len(false_pairs) / max(1, len(predicted_pairs)), 4),
        "false_links": len(false_pairs),
        "texts_wrongly_joined": sum(len(m) - 1 for m in false_merges),
        "texts": len(set(group.values())),
        "false_examples": [" ~ ".join(m) for m in false_merges][:10],
        "per_kind_recall": {k: round(h / t, 4) for k, (h, t) in sorted(per_kind.items())},
        "signing_and_clustering_s": round(seconds, 2),
        "copies_linked": summary.copies,
    }
    result["exact_hash_only"] = {"recall": round(exact / len(true_pairs), 4), "pair_precision": 1.0}
    return result


def report(result: dict[str, Any]) -> None:
    c, e = result["caunoi"], result["exact_hash_only"]
    print(
        f"{result['originals']} real articles,"
        f" {result['files']} files with variants and same-story articles\n"
    )
    print_table(
        ["detector", "recall", "pair precision", "false pairs", "texts wrongly joined"],
        [["caunoi MinHash LSH", c["recall"], c["pair_precision"], c["false_links"],
          f"{c['texts_wrongly_joined']} of {c['texts']}"],
         ["exact hash of the cleaned body", e["recall"], e["pair_precision"], 0, 0]],
    )  # fmt: skip
    print("\nrecall per variant: " + ", ".join(f"{k} {v}" for k, v in c["per_kind_recall"].items()))
    if c["false_examples"]:
        print("texts joined that the labels keep apart: " + "; ".join(c["false_examples"][:10]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--originals", type=int, default=300)
    args = parser.parse_args()
    publish("dedup_quality", measure(args.originals), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
