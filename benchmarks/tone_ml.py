"""How the sign of caunoi's tone (caunoi.enrich.tone) agrees with human labels on foreign coverage:
English and French passages about Viet Nam, or news in general, from shippable sources.

Data: benchmarks/data/tone-ml/passages.tsv (id, lang, label, url, publisher, date, licence, text),
labelled negative / neutral / positive by one annotator (guidelines and doubts in the README beside it).
The labels were written before caunoi's tone was run on the passages; the French lexicon's news terms
(tools/build_tone_fr.py) were written before the passages were collected. Nothing was tuned on them.

Per language, for caunoi and for peers measured in the same run:
- accuracy: the predicted class against the label, 3 classes; a tone inside the neutral band
  (|tone| <= NEUTRAL_BAND, fixed before measuring: with passages of 20 to 40 words one term moves the tone
  by 2.5 to 5, so the band means "no net term") is "neutral";
- macro-F1 over the three classes, with the same band;
- polar sign right: on the passages labelled positive or negative, the share whose tone has the label's
  sign (a tone in the band counts as wrong);
- Spearman between the tone and the label coded -1 / 0 / +1;
- a 95 % interval for the accuracy, from BOOTSTRAP resamples of the passages (45 passages a language
  make wide intervals: read differences of less than about 0.15 as noise);
- subject found: the passages in which `passage_tone` finds Viet Nam named (gazetteer and aliases).
Peers: "plain count", the same lexicon file counted word by word with no negation, no elision, no
plural fallback (what a bare GDELT-style count gives); for French also "Pattern only", the rows of
Pattern's lexicon alone, counted plainly (what the news terms add); for English, VADER's compound score
(vaderSentiment 3.3.2, with its own rules) when vaderSentiment can be imported (it is not a dependency of
caunoi: `pip install --target DIR vaderSentiment==3.3.2` and put DIR on PYTHONPATH), the band scaled to
its -1..+1 range (|compound| < 0.05, VADER's own neutral threshold), reported as skipped otherwise.
The majority class is reported as a baseline.

Run: .venv/bin/python benchmarks/tone_ml.py [--json]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _harness import print_table, publish  # noqa: E402

from caunoi.enrich.tone import LEXICONS, passage_tone, tone  # noqa: E402

PASSAGES = REPO / "benchmarks" / "data" / "tone-ml" / "passages.tsv"
CLASSES = ("negative", "neutral", "positive")
NEUTRAL_BAND = 1.0  # |tone| at or below which a passage counts as neutral
VADER_BAND = 0.05  # VADER's own neutral threshold on its compound score
BOOTSTRAP, BOOTSTRAP_SEED = 2000, 2026  # resamples of the passages for the accuracy's 95 % interval
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*")


def read_passages(path: Path = PASSAGES) -> list[dict[str, str]]:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def classify(value: float, band: float) -> str:
    return "neutral" if abs(value) <= band else "positive" if value > 0 else "negative"


# ---------------------------------------------------------------- peers


def read_terms(lang: str, source: str | None = None) -> dict[tuple[str, ...], float]:
    """A shipped lexicon's terms as lower-case word tuples (only the rows of `source` if given)."""
    terms: dict[tuple[str, ...], float] = {}
    rows = (LEXICONS / f"tone_{lang}.tsv").read_text(encoding="utf-8").splitlines()
    for line in rows:
        cells = line.split("\t")
        if line.startswith("#") or len(cells) < 3 or cells[0] == "term":
            continue
        if source is None or cells[2] == source:
            terms.setdefault(tuple(cells[0].replace("’", "'").lower().split()), float(cells[1]))
    return terms


def plain_count(terms: dict[tuple[str, ...], float]) -> Callable[[str], float]:
    """Tone as a bare count: words as written, longest term first, nothing flipped or stemmed."""
    longest = max(len(k) for k in terms)

    def measure(text: str) -> float:
        words = [w.replace("’", "'").lower() for w in _WORD.findall(text)]
        pos = neg = 0.0
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                weight = terms.get(tuple(words[i : i + n]))
                if weight is not None:
                    pos, neg = (pos + weight, neg) if weight > 0 else (pos, neg - weight)
                    i += n
                    break
            else:
                i += 1
        return 100 * (pos - neg) / len(words) if words else 0.0

    return measure


def vader() -> Callable[[str], float] | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: analyzer.polarity_scores(text)["compound"]


def caunoi(lang: str) -> Callable[[str], float]:
    def measure(text: str) -> float:
        found = tone(text, lang)
        return found.tone if found is not None else 0.0

    return measure


# ---------------------------------------------------------------- measures


def scores(gold: list[str], values: list[float], band: float) -> dict[str, Any]:
    from scipy.stats import spearmanr
    from sklearn.metrics import accuracy_score, f1_score

    predicted = [classify(v, band) for v in values]
    polar = [(g, p) for g, p in zip(gold, predicted, strict=True) if g != "neutral"]
    coded = [CLASSES.index(g) - 1 for g in gold]
    rho = spearmanr(coded, values).statistic
    rng = random.Random(BOOTSTRAP_SEED)
    right = [g == p for g, p in zip(gold, predicted, strict=True)]
    resampled = sorted(sum(rng.choices(right, k=len(right))) / len(right) for _ in range(BOOTSTRAP))
    return {
        "predicted": dict(sorted(Counter(predicted).items())),
        "accuracy": round(accuracy_score(gold, predicted), 4),
        "accuracy_95ci": [
            round(resampled[int(0.025 * BOOTSTRAP)], 4),
            round(resampled[int(0.975 * BOOTSTRAP)], 4),
        ],
        "macro_f1": round(
            f1_score(gold, predicted, labels=list(CLASSES), average="macro", zero_division=0), 4
        ),
        "polar_sign_right": round(sum(g == p for g, p in polar) / len(polar), 4) if polar else None,
        "spearman": round(float(rho), 4) if rho == rho else None,  # NaN when a measure is constant
    }


def check(lang: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    gold = [r["label"] for r in rows]
    texts = [r["text"] for r in rows]
    peers: dict[str, tuple[Callable[[str], float] | None, float]] = {
        "caunoi": (caunoi(lang), NEUTRAL_BAND),
        "plain count": (plain_count(read_terms(lang)), NEUTRAL_BAND),
    }
    if lang == "fr":
        peers["Pattern only, plain count"] = (plain_count(read_terms(lang, "pattern-fr-1.1")), NEUTRAL_BAND)
    if lang == "en":
        peers["VADER compound"] = (vader(), VADER_BAND)
    majority = Counter(gold).most_common(1)[0][0]
    out: dict[str, Any] = {
        "n": len(rows),
        "gold": dict(sorted(Counter(gold).items())),
        "majority": majority,
        "majority_accuracy": round(gold.count(majority) / len(gold), 4),
        "subject_found": sum(bool(passage_tone(t, lang)) for t in texts),
        "systems": {},
    }
    for name, (measure, band) in peers.items():
        if measure is None:
            out["systems"][name] = "skipped: vaderSentiment cannot be imported (see the module docstring)"
            continue
        out["systems"][name] = scores(gold, [measure(t) for t in texts], band)
    return out


def report(result: dict[str, Any]) -> None:
    rows = []
    for lang, r in result["languages"].items():
        for name, s in r["systems"].items():
            if isinstance(s, str):
                rows.append([lang, name, s, "", "", "", ""])
                continue
            low, high = s["accuracy_95ci"]
            accuracy = f"{s['accuracy']:.3f} ({low:.2f}–{high:.2f})"
            rows.append([lang, name, r["n"], accuracy, s["macro_f1"], s["polar_sign_right"], s["spearman"]])
        rows.append([lang, f"majority ({r['majority']})", r["n"], r["majority_accuracy"], "", "", ""])
    headers = ["lang", "system", "n", "accuracy (95 % CI)", "macro-F1", "polar: sign right", "Spearman"]
    print_table(headers, rows, "ll" + "r" * 5)
    for lang, r in result["languages"].items():
        print(f"{lang}: gold {r['gold']}; Viet Nam found by passage_tone in {r['subject_found']} of {r['n']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    rows = read_passages()
    languages = sorted({r["lang"] for r in rows})
    result = {
        "data": str(PASSAGES.relative_to(REPO)),
        "neutral_band": NEUTRAL_BAND,
        "languages": {lang: check(lang, [r for r in rows if r["lang"] == lang]) for lang in languages},
    }
    publish("tone_ml", result, as_json=args.json, report=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
