"""Named-entity spans (PER, ORG, LOC) on hand-annotated Vietnamese news sentences: underthesea's ner()
against caunoi's gazetteer mentions + caunoi.enrich.persons + caunoi.enrich.orgs.

Gold: tests/data/ner/vi_news_ner.tsv, the test set (165 sentences of vi-news-unc, GPL-3.0; guidelines in its
header), or with --gold dev tests/data/ner/vi_news_ner_dev.tsv, the development set (320 other sentences
annotated the same way), on which rules are developed; the test set is for measuring them.
Scores: precision / recall / F1 per type, by exact span (same start, end and type) and by partial overlap
(a prediction counts when it overlaps a gold span of the same type; each gold span is used once).
caunoi: country/province -> LOC, vnbody/org/media -> ORG (posts such as "Thủ tướng" left out: a title is not
an organisation), mentions scored 0.6 and above (what tags use), find_persons -> PER, and find_orgs (names
outside the gazetteers, scored 0.6 and above) -> ORG; the same without find_orgs is kept as the previous
system, for comparison.

Run: .venv/bin/python benchmarks/ner_compare.py [--gold dev] [--json]
     .venv/bin/python benchmarks/ner_compare.py --draw 165   (prints the sentences of the test set)
     .venv/bin/python benchmarks/ner_compare.py --draw 320 --seed 7 --skip-gold   (those of the dev set)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._harness import VI_DOCS, print_table, publish, require_corpus  # noqa: E402

GOLD = REPO / "tests" / "data" / "ner" / "vi_news_ner.tsv"
GOLD_SETS = {"test": GOLD, "dev": REPO / "tests" / "data" / "ner" / "vi_news_ner_dev.tsv"}
TYPES = ("PER", "ORG", "LOC")
SEED = 5
_SENT = re.compile(r"(?<=[.!?…])\s+(?=[\"“A-ZĐÀ-Ỹ])")
_CAP = re.compile(r"(?<=\s)[A-ZĐÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂĨŨƠƯẠ-Ỹ]\w*")

Span = tuple[int, int, str]


def draw(n: int, seed: int = SEED, skip: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(doc id, sentence): one sentence of 50-200 characters from each of n shuffled files, weighted
    towards sentences with capitalised words after the first; files named in `skip` are passed over."""
    require_corpus(VI_DOCS, "the vi-news-unc corpus")
    rng = random.Random(seed)
    files = sorted(VI_DOCS.glob("*.txt"))
    rng.shuffle(files)
    out = []
    for f in files:
        if f.stem in skip:
            continue
        lines = unicodedata.normalize("NFC", f.read_text(encoding="utf-8")).split("\n")[4:]
        sents = [s.strip() for ln in lines for s in _SENT.split(ln) if 50 <= len(s.strip()) <= 200]
        if not sents:
            continue
        weights = [1 + 3 * min(len(_CAP.findall(s)), 4) for s in sents]
        out.append((f.stem, rng.choices(sents, weights)[0]))
        if len(out) == n:
            break
    return out


def _rows(path: Path) -> list[tuple[str, str, str, str]]:
    """(id, doc, text, entities cell) per sentence."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [tuple(ln.split("\t")) for ln in lines[1:]]  # type: ignore[misc]


def load_gold(path: Path = GOLD) -> list[tuple[str, str, list[Span]]]:
    """(id, text, spans) per sentence."""
    rows = []
    for sid, _doc, text, cell in _rows(path):
        spans = []
        for item in filter(None, cell.split(";")):
            typ, s, e = item.split()
            spans.append((int(s), int(e), typ))
        rows.append((sid, text, spans))
    return rows


def underthesea_spans(text: str) -> list[Span]:
    """underthesea.ner's B-/I- tags as character spans (tokens found left to right in the text)."""
    from underthesea import ner

    spans: list[Span] = []
    pos = 0
    cur: list[Any] | None = None
    for token, *_rest, tag in ner(text):
        at = text.find(token, pos)
        if at < 0:  # the tokenizer changed the token: skip it, keep the cursor
            cur = None
            continue
        start, end = at, at + len(token)
        pos = end
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if kind not in TYPES:
            cur = None
            continue
        if tag.startswith("I-") and cur is not None and cur[2] == kind:
            cur[1] = end
        else:
            cur = [start, end, kind]
            spans.append(cur)  # type: ignore[arg-type]
    return [(s, e, k) for s, e, k in spans]


def caunoi_spans(text: str, orgs: bool = True) -> list[Span]:
    from caunoi.enrich.gazetteer import find_mentions, load_gazetteer
    from caunoi.enrich.orgs import find_orgs
    from caunoi.enrich.persons import find_persons

    gaz = load_gazetteer()
    mentions = find_mentions(text)
    spans: list[Span] = []
    for m in mentions:
        entry = gaz.get(m.entry_id)
        if m.score < 0.6 or (entry is not None and entry.get("kind") == "post"):
            continue
        kind = "LOC" if m.type in ("country", "province") else "ORG"
        spans.append((m.start, m.end, kind))
    if orgs:
        found = [o for o in find_orgs(text, mentions) if o.score >= 0.6]
        # an organisation swallows the place names inside it ("Công an tỉnh Nghệ An": one ORG)
        spans = [s for s in spans if not any(o.start <= s[0] and s[1] <= o.end for o in found)]
        spans += [(o.start, o.end, "ORG") for o in found]
        people = find_persons(text, mentions, found)
    else:
        people = find_persons(text, mentions)
    spans += [(p.start, p.end, "PER") for p in people]
    return spans


def caunoi_before_orgs(text: str) -> list[Span]:
    return caunoi_spans(text, orgs=False)


def score(gold: list[list[Span]], pred: list[list[Span]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in ("exact", "partial"):
        per_type = {}
        for typ in (*TYPES, "all"):
            tp = n_pred = n_gold = 0
            for g, p in zip(gold, pred, strict=True):
                g = [x for x in g if typ in ("all", x[2])]
                p = [x for x in p if typ in ("all", x[2])]
                n_gold += len(g)
                n_pred += len(p)
                used: set[int] = set()
                for s, e, k in p:
                    for i, (gs, ge, gk) in enumerate(g):
                        if i in used or gk != k:
                            continue
                        hit = (s, e) == (gs, ge) if mode == "exact" else s < ge and gs < e
                        if hit:
                            used.add(i)
                            tp += 1
                            break
            prec = tp / n_pred if n_pred else 0.0
            rec = tp / n_gold if n_gold else 0.0
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            per_type[typ] = {
                "gold": n_gold,
                "predicted": n_pred,
                "correct": tp,
                "precision": round(prec, 3),
                "recall": round(rec, 3),
                "f1": round(f1, 3),
            }
        out[mode] = per_type
    return out


SYSTEMS = (
    ("underthesea.ner", underthesea_spans),
    ("caunoi gazetteer+persons", caunoi_before_orgs),
    ("caunoi gazetteer+persons+orgs", caunoi_spans),
)


def run(path: Path = GOLD) -> dict[str, Any]:
    rows = load_gold(path)
    gold = [spans for _, _, spans in rows]
    result: dict[str, Any] = {
        "gold": {"file": str(path.relative_to(REPO)), "sentences": len(rows), "spans": sum(map(len, gold))},
        "systems": {},
    }
    for name, fn in SYSTEMS:
        fn(rows[0][1])  # load models / gazetteer outside the timing
        started = time.perf_counter()
        pred = [fn(text) for _, text, _ in rows]
        elapsed = time.perf_counter() - started
        result["systems"][name] = {
            **score(gold, pred),
            "ms_per_sentence": round(1000 * elapsed / len(rows), 2),
        }
    return result


def report(result: dict[str, Any]) -> None:
    g = result["gold"]
    print(f"{g['sentences']} sentences, {g['spans']} gold spans ({g['file']})\n")
    for mode in ("exact", "partial"):
        print(f"### {mode} match\n")
        rows = []
        for name, res in result["systems"].items():
            for typ in (*TYPES, "all"):
                r = res[mode][typ]
                rows.append(
                    [name, typ, r["gold"], r["predicted"], r["correct"], r["precision"], r["recall"], r["f1"]]
                )
        print_table(["system", "type", "gold", "pred", "correct", "P", "R", "F1"], rows, "llrrrrrr")
        print()
    for name, res in result["systems"].items():
        print(f"{name}: {res['ms_per_sentence']} ms per sentence")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--gold", choices=sorted(GOLD_SETS), default="test", help="test set (default) or development set"
    )
    ap.add_argument("--draw", type=int, metavar="N", help="print the N drawn sentences and stop")
    ap.add_argument("--seed", type=int, default=SEED, help=f"the draw's seed (default {SEED}, the test set)")
    ap.add_argument("--skip-gold", action="store_true", help="draw from files the test set does not use")
    args = ap.parse_args()
    if args.draw:
        skip = frozenset(doc for _, doc, _, _ in _rows(GOLD)) if args.skip_gold else frozenset()
        for i, (doc, sent) in enumerate(draw(args.draw, args.seed, skip)):
            print(f"{i:03d}\t{doc}\t{sent}")
        return
    name = "ner_compare" if args.gold == "test" else f"ner_compare_{args.gold}"
    publish(name, run(GOLD_SETS[args.gold]), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
