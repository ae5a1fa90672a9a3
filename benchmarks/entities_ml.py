"""Entities in foreign-language text: precision, recall and F1 per language, before and after, and
enrichment throughput per language against Vietnamese.

Run: .venv/bin/python benchmarks/entities_ml.py [--before PATH] [--articles N] [--json]

On benchmarks/data/entities-ml/ (README.md there: guidelines, sources, doubts): short passages in
fr de es ru zh ja ko th lo km, with en and vi as reference, each mention marked [[surface|id]]: the
dev set (LANG.txt, which the names were corrected on), the test set (LANG-test.txt, written after
and run once) and real text (LANG-real.txt: French and English government texts of the demo's
foreign coverage, marked after the names were final and run once).
  spans     the gazetteer's mentions (caunoi.enrich.gazetteer.find_mentions with the passage's
            language, scores >= 0.6 as enrichment tags them; posts such as "Thủ tướng" left out on both
            sides) against the marked ones: a hit is the same start, end and id;
  ids       per passage, the set of entity ids found (with the countries of bodies and leaders where
            the code tags them) against the set marked, plus country:VN where a body or leader of Viet
            Nam is marked: what a --entity / --country filter sees.
  before    the same with the code at PATH (default: /work/main, the main branch's checkout), run in a
            child process with PATH first on sys.path;
  speed     caunoi.enrich.stage.enrich, the whole enrichment, on N articles per language made of that
            language's passages (about 3,000 characters each) and on N Vietnamese demo articles
            (demo/data/vi-news-unc/docs): articles per second, and each language's rate against
            Vietnamese's in the same run.
Results go to benchmarks/results/entities_ml.json.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "benchmarks" / "data" / "entities-ml"
DEMO = REPO / "demo" / "data" / "vi-news-unc" / "docs"
LANGS = ("fr", "de", "es", "ru", "zh", "ja", "ko", "th", "lo", "km", "en", "vi")
TYPES = ("country", "org", "vnbody", "person", "province", "media")
SPLITS = ("dev", "test", "real")
MARK = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")


def load(split: str = "dev", data: Path = DATA) -> list[dict[str, Any]]:
    """Every passage of a split (dev: LANG.txt, test: LANG-test.txt, real: LANG-real.txt): lang, text
    (marks removed), gold [start, end, id], source, licence."""
    passages = []
    for lang in LANGS:
        path = data / (f"{lang}.txt" if split == "dev" else f"{lang}-{split}.txt")
        if not path.exists():
            continue
        source = licence = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("@ "):
                source, _, licence = (x.strip() for x in line[2:].rpartition("|"))
                continue
            text, gold, pos = "", [], 0
            for m in MARK.finditer(line):
                text += line[pos : m.start()]
                gold.append([len(text), len(text) + len(m.group(1)), m.group(2)])
                text += m.group(1)
                pos = m.end()
            text += line[pos:]
            passages.append({"lang": lang, "text": text, "gold": gold, "source": source, "licence": licence})
    return passages


def predict(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mentions and tagged ids of the code on sys.path (this checkout, or --before's)."""
    from caunoi.enrich import gazetteer as gz

    g = gz.load_gazetteer()
    takes_lang = "lang" in inspect.signature(g.find_mentions).parameters
    try:
        from caunoi.enrich.stage import _implied_countries as implied
    except ImportError:  # code before countries were tagged through bodies and leaders
        implied = None
    out = []
    for p in passages:
        found = g.find_mentions(p["text"], p["lang"]) if takes_lang else g.find_mentions(p["text"])
        tagged = [m for m in found if m.score >= 0.6 and m.type in TYPES]  # what enrichment tags
        kept = [m for m in tagged if (e := g.get(m.entry_id)) is None or e.get("kind") != "post"]
        ids = {m.entry_id for m in kept}
        if implied is not None:  # a post ("président vietnamien") tags its country too
            entities = [{"id": m.entry_id, "type": m.type, "score": m.score} for m in tagged]
            ids |= {f"country:{code}" for code in implied(entities, g)}
        out.append({"spans": [[m.start, m.end, m.entry_id] for m in kept], "ids": sorted(ids)})
    return out


def predict_elsewhere(code: Path, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`predict` run by the code at `code`, in a child process."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--predict"],
        input=json.dumps(passages),
        capture_output=True,
        text=True,
        cwd=code,
        env=env,
        check=True,
    )
    return json.loads(done.stdout)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


def score(passages: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    """Per language: span and id precision, recall, F1, with their counts and the misses."""
    out: dict[str, Any] = {}
    for lang in dict.fromkeys(p["lang"] for p in passages):
        c = {"span": [0, 0, 0], "id": [0, 0, 0]}
        misses: list[str] = []
        for p, guess in zip(passages, predicted, strict=True):
            if p["lang"] != lang:
                continue
            gold = {tuple(x) for x in p["gold"]}
            spans = {tuple(x) for x in guess["spans"]}
            c["span"][0] += len(gold & spans)
            c["span"][1] += len(spans - gold)
            c["span"][2] += len(gold - spans)
            misses += [f"-{p['text'][s:e]}={i}" for s, e, i in sorted(gold - spans)]
            misses += [f"+{p['text'][s:e]}={i}" for s, e, i in sorted(spans - gold)]
            gold_ids, ids = {x[2] for x in p["gold"]}, set(guess["ids"])
            if any(i.startswith(("vnbody:", "person:")) for i in gold_ids):
                gold_ids.add("country:VN")  # a passage naming a body or leader of Viet Nam is about it
            c["id"][0] += len(gold_ids & ids)
            c["id"][1] += len(ids - gold_ids)
            c["id"][2] += len(gold_ids - ids)
        out[lang] = {
            "passages": sum(p["lang"] == lang for p in passages),
            "mentions": sum(len(p["gold"]) for p in passages if p["lang"] == lang),
            "span": prf(*c["span"]),
            "id": prf(*c["id"]),
            "counts": c,
            "errors": misses,
        }
    return out


def throughput(passages: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """Articles per second of the whole enrichment per language (N articles each), Vietnamese first."""
    from caunoi.enrich.stage import enrich
    from caunoi.pipeline import split_txt
    from caunoi.text.vietnamese import normalize

    articles: dict[str, list[tuple[str, str]]] = {"vi": []}
    for path in sorted(DEMO.glob("*.txt"))[:n]:
        _, title, body = split_txt(normalize(path.read_text(encoding="utf-8")))
        articles["vi"].append((title or "", "\n".join(body)))
    for lang in LANGS:
        if lang == "vi":
            continue
        texts = [p["text"] for p in passages if p["lang"] == lang]
        body = "\n".join(texts)
        while len(body) < 3000:
            body += "\n" + "\n".join(texts)
        articles[lang] = [(texts[k % len(texts)], body) for k in range(n)]
    enrich(*articles["vi"][0], None, "vi")  # models and tables loaded before the clock starts
    out = {}
    for lang, items in articles.items():
        started = time.perf_counter()
        for title, body in items:
            enrich(title, body, None, lang)
        took = time.perf_counter() - started
        chars = sum(len(t) + len(b) for t, b in items)
        out[lang] = {"articles": len(items), "chars": chars, "seconds": round(took, 3)}
        out[lang]["articles_per_s"] = round(len(items) / took, 1)
    for lang in out:
        out[lang]["vs_vi"] = round(out[lang]["articles_per_s"] / out["vi"]["articles_per_s"], 2)
    return out


def report(result: dict[str, Any]) -> None:
    from benchmarks._harness import print_table

    for split in SPLITS:
        after, before = result[split]["after"], result[split].get("before") or {}
        rows = []
        for lang, a in after.items():
            b = before.get(lang)
            rows.append([lang, a["passages"], a["mentions"]])
            for kind in ("span", "id"):
                rows[-1] += [_prf(b[kind]) if b else "", _prf(a[kind])]
        print(f"\nEntities, {split} set (P/R/F1; span: id and exact span; id: the ids of each passage)\n")
        headers = ["lang", "passages", "mentions", "span before", "span after", "id before", "id after"]
        print_table(headers, rows)
        print("\nErrors after (-missed, +wrong):")
        for lang, a in after.items():
            if a["errors"]:
                print(f"  {lang}: {' '.join(a['errors'])}")
    if result.get("speed"):
        print("\nEnrichment throughput (caunoi.enrich.stage.enrich, whole articles, this process)\n")
        rows = [
            [k, v["articles"], v["chars"], v["seconds"], v["articles_per_s"], v["vs_vi"]]
            for k, v in result["speed"].items()
        ]
        print_table(["lang", "articles", "chars", "seconds", "articles/s", "vs vi"], rows)


def _prf(x: dict[str, float]) -> str:
    return f"{x['p']:.2f} / {x['r']:.2f} / {x['f1']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, default=Path("/work/main"), help="the code to compare with")
    parser.add_argument("--no-before", action="store_true", help="measure this checkout only")
    parser.add_argument("--articles", type=int, default=20, help="articles per language for the speed")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--predict", action="store_true", help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.predict:
        print(json.dumps(predict(json.loads(sys.stdin.read()))))
        return
    sys.path.insert(0, str(REPO))
    from benchmarks._harness import publish

    result: dict[str, Any] = {"data": str(DATA.relative_to(REPO))}
    for split in SPLITS:
        passages = load(split)
        result[split] = {"after": score(passages, predict(passages))}
        if not args.no_before and args.before.exists():
            result["before_code"] = str(args.before)
            result[split]["before"] = score(passages, predict_elsewhere(args.before, passages))
    if args.articles > 0:
        result["speed"] = throughput(load("dev"), args.articles)
    publish("entities_ml", result, as_json=args.json, report=report)


if __name__ == "__main__":
    main()
