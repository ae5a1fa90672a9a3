"""Enrichment throughput: characters per second per core, where the time goes, in-process vs a pool.

Run: .venv/bin/python benchmarks/enrich_throughput.py [--data DIR] [--limit N] [--json]

On the vi-news-unc articles (../shared/data/vi-news-unc/docs; the 297 of demo/data when absent),
each read and normalised as the ingest pipeline does:
  peer        underthesea.word_tokenize alone on the same texts (the segmentation every later
              Vietnamese stage needs);
  stages      each enrichment stage timed on its own over all articles: segmentation (sentences,
              then underthesea; done once and shared), keyphrases and tone on those words, entities,
              document references, events, the news category classifier, the taxonomy;
  enrich      caunoi.enrich.stage.enrich, the whole thing, in this process;
  pool        the same through a spawned process pool of 2 (what CAUNOI_WORKERS=2 does), wall time
              including the workers' start-up and model loading.
Results go to benchmarks/results/enrich_throughput.json.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._harness import print_table, publish  # noqa: E402

SHARED = REPO.parent / "shared" / "data" / "vi-news-unc" / "docs"
DEMO = REPO / "demo" / "data" / "vi-news-unc" / "docs"


def load(data: Path, limit: int | None) -> list[tuple]:
    from caunoi.pipeline import split_txt
    from caunoi.text.vietnamese import normalize

    rows = []
    for i, path in enumerate(sorted(data.glob("*.txt"))[:limit]):
        _, title, body = split_txt(normalize(path.read_text(encoding="utf-8")))
        rows.append((i, title or "", "\n".join(body), None, "vi"))
    return rows


def timed(fn, items) -> tuple[float, list]:
    started = time.perf_counter()
    out = [fn(x) for x in items]
    return time.perf_counter() - started, out


def measure(rows: list[tuple]) -> dict[str, Any]:
    from underthesea import word_tokenize

    from caunoi.enrich import tone as tone_
    from caunoi.enrich.categories import default_model
    from caunoi.enrich.docrefs import find_doc_refs
    from caunoi.enrich.events import find_events
    from caunoi.enrich.gazetteer import find_mentions
    from caunoi.enrich.keywords import keyphrases
    from caunoi.enrich.stage import enrich_row
    from caunoi.enrich.taxonomy import find_topics

    texts = [f"{title}\n{text}" for _, title, text, _, _ in rows]
    chars = sum(map(len, texts))
    # warm: models and tables load once, as in a long-running process
    word_tokenize("Xin chào"), default_model(), enrich_row(rows[0])

    peer_s, _ = timed(word_tokenize, texts)
    seg_s, readings = timed(lambda t: tone_.read(t, "vi"), texts)
    indexes = range(len(rows))
    kw_s, _ = timed(
        lambda i: keyphrases(rows[i][1], rows[i][2], "vi", clauses=tone_.clauses(readings[i])), indexes
    )
    tone_s, _ = timed(
        lambda i: (
            tone_.tone(texts[i], "vi", reading=readings[i]),
            tone_.passage_tone(texts[i], "vi", reading=readings[i]),
        ),
        indexes,
    )
    entities_s, _ = timed(find_mentions, texts)
    refs_s, _ = timed(find_doc_refs, texts)
    events_s, _ = timed(lambda r: find_events(r[2], None), rows)
    model = default_model()
    cat_s, _ = timed(model.predict, texts)
    taxonomy_s, _ = timed(lambda r: find_topics(r[1], r[2]), rows)
    enrich_s, _ = timed(enrich_row, rows)

    started = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(enrich_row, rows, chunksize=max(1, len(rows) // 16)))
    pool_s = time.perf_counter() - started

    def rate(seconds: float) -> float:
        return round(chars / seconds)

    stages = {
        "segmentation (sentences + underthesea, shared)": seg_s,
        "keyphrases": kw_s,
        "tone (article + passages)": tone_s,
        "entities (gazetteers)": entities_s,
        "document references": refs_s,
        "events": events_s,
        "news category": cat_s,
        "taxonomy": taxonomy_s,
    }
    return {
        "articles": len(rows),
        "chars": chars,
        "peer": {
            "name": "underthesea.word_tokenize alone",
            "seconds": round(peer_s, 2),
            "chars_per_s": rate(peer_s),
        },
        "stages": {
            k: {"seconds": round(v, 2), "chars_per_s": rate(v), "share": round(v / enrich_s, 3)}
            for k, v in stages.items()
        },
        "enrich_in_process": {
            "seconds": round(enrich_s, 2),
            "chars_per_s": rate(enrich_s),
            "vs_peer": round(peer_s / enrich_s, 3),
        },
        "enrich_pool_2": {
            "seconds": round(pool_s, 2),
            "chars_per_s": rate(pool_s),
            "speedup_vs_in_process": round(enrich_s / pool_s, 2),
        },
    }


def report(r: dict[str, Any]) -> None:
    print(f"{r['articles']} articles, {r['chars']:,} characters ({r['data']})\n")
    rows = [[r["peer"]["name"], r["peer"]["seconds"], f"{r['peer']['chars_per_s']:,}", "1.00"]]
    rows += [
        [f"stage: {k}", v["seconds"], f"{v['chars_per_s']:,}", f"{r['peer']['seconds'] / v['seconds']:.2f}"]
        for k, v in r["stages"].items()
    ]
    e, p = r["enrich_in_process"], r["enrich_pool_2"]
    rows.append(
        ["caunoi enrich, in process (1 core)", e["seconds"], f"{e['chars_per_s']:,}", f"{e['vs_peer']:.2f}"]
    )
    rows.append(["caunoi enrich, pool of 2 (2 cores)", p["seconds"], f"{p['chars_per_s']:,}", ""])
    print_table(["what", "seconds", "chars/s", "speed vs peer"], rows)
    print(f"\npool of 2 vs in process: {p['speedup_vs_in_process']}×")
    print(f"\nreproduce: {r['command']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED if SHARED.is_dir() else DEMO)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = load(args.data, args.limit)
    if not rows:
        sys.exit(f"no articles under {args.data}")
    result = measure(rows)
    result["data"] = str(args.data)
    result["command"] = " ".join([".venv/bin/python", "benchmarks/enrich_throughput.py", *sys.argv[1:]])
    publish("enrich_throughput", result, as_json=args.json, report=report)


if __name__ == "__main__":
    main()
