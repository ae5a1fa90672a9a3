"""How the sign of caunoi's tone (caunoi.enrich.tone) agrees with human tone labels, and what its scale
looks like on real news.

Checked against:
- Vietnamese: tests/data/tone/vi_news_sentences.tsv, 200 sentences of vi-news-unc (dantri.com.vn,
  2020-2021) labelled positive / negative / neutral by one annotator, guidelines in the file's header;
  split dev / test (100 each). caunoi/data/lexicons/tone_vi.tsv was written before the labels; 45 rows
  were added after reading the errors on the dev half only (see its header), so the test half is the
  one to quote. It is held out from those additions, not unseen: the annotator who labelled it also
  wrote the lexicon. Before the additions the test half scored accuracy 0.49, macro-F1 0.4765.
- English: the sentence-level ground truth of Hutto & Gilbert (2014), the data VADER was evaluated on:
  5,190 New York Times editorial snippets (the news-like set) and, for contrast, 4,200 tweets, 10,605
  movie-review and 3,708 Amazon-review snippets, each rated by 20 or more people from -4 to +4. They are
  not shipped with caunoi (third-party text: NYT, Twitter, Rotten Tomatoes, Amazon): unpack
  additional_resources/hutto_ICWSM_2014.tar.gz of github.com/cjhutto/vaderSentiment (MIT) and pass the
  hutto_ICWSM_2014 folder as --vader-data, or set CAUNOI_VADER_DATA, or put it under shared/data or
  var/bench; the English part is reported as skipped when it is absent. Gold: positive
  when the mean rating is 0.5 or more, negative when -0.5 or less, neutral between (fixed before
  measuring). Not an independent check of the lexicon: caunoi's English terms are VADER's words, rated
  out of context by VADER's authors, who then evaluated VADER (with its rules, not caunoi's counting) on
  these very snippets.

Prediction: the sign of tone (a tone of 0, no term or a balance, is "neutral"). Reported: 3-class
accuracy and macro-F1, for caunoi and for a majority-class baseline; on the polar items only, the share
whose sign is right (a 0 tone counts as wrong) and the share with any term at all; for English, the
Spearman correlation between tone and the mean human rating. Labelled sentences are not articles, and
review or editorial sentiment is not news tone: read the figures as a check of the lexicons' direction,
not of article tone. The scale part reports article tone and polarity over vi-news-unc (every 5th
file), to compare with GDELT's "common values between -10 and +10".

Run: .venv/bin/python benchmarks/tone_check.py [--vader-data DIR] [--json]
     .venv/bin/python benchmarks/tone_check.py --draw-vi-sample   (prints the Vietnamese draw, unlabelled)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _harness import SHARED_DATA, VAR, VI_DOCS, print_table, publish  # noqa: E402

from caunoi.enrich.tone import LEXICONS, SUBJECT_ALIASES, _alias_pattern, _sentence_spans, tone  # noqa: E402
from caunoi.text.fold import lower_exact  # noqa: E402

VI_LABELS = REPO / "tests" / "data" / "tone" / "vi_news_sentences.tsv"
# Where the VADER ground truth is looked for when --vader-data is not given, first found wins.
VADER_DATA_PLACES = (
    Path(os.environ["CAUNOI_VADER_DATA"]) if os.environ.get("CAUNOI_VADER_DATA") else None,
    SHARED_DATA / "hutto_ICWSM_2014",
    VAR / "hutto_ICWSM_2014",
)
VADER_SETS = {
    "nyt editorials (news)": "nytEditorialSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "movie reviews": "movieReviewSnippets_GroundTruth.txt",
    "amazon reviews": "amazonReviewSnippets_GroundTruth.txt",
}
GOLD_THRESHOLD = 0.5  # |mean rating| on VADER's -4..+4 scale at and above which a snippet is polar
CLASSES = ("negative", "neutral", "positive")
DRAW_SEED = 2026
SCALE_STRIDE = 5  # every 5th vi-news-unc file for the scale figures


def sign_label(value: float) -> str:
    return "positive" if value > 0 else "negative" if value < 0 else "neutral"


# ---------------------------------------------------------------- data


def read_vi_labels(path: Path = VI_LABELS) -> list[dict[str, str]]:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t", len(header) - 1), strict=True)) for line in lines[1:]]


def read_vader_set(path: Path) -> list[tuple[float, str]]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            out.append((float(parts[1]), parts[2]))
    return out


def read_body(path: Path) -> str:
    """A vi-news-unc file's sapo and body: the lines after the three header lines and the title."""
    return "\n".join(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).split("\n")[4:])


def draw_vi_sample(per_cell: int = 10, seed: int = DRAW_SEED) -> list[tuple[str, str, int, str]]:
    """(id, split, mentions_subject, text) as drawn for tests/data/tone/vi_news_sentences.tsv."""
    rng = random.Random(seed)
    pattern = _alias_pattern(SUBJECT_ALIASES)
    cells: dict[tuple[str, bool], list[tuple[str, str]]] = {}
    for path in sorted(VI_DOCS.glob("*.txt")):
        body = read_body(path)
        for i, (s, e) in enumerate(_sentence_spans(body)):
            text = body[s:e]
            if (
                not 50 <= len(text) <= 320
                or len(text.split()) < 10
                or text.startswith(("Ảnh", "(Ảnh", "Video", "Clip"))
            ):
                continue
            mention = bool(pattern.search(lower_exact(text)))
            cells.setdefault((path.stem.split("_")[1], mention), []).append((f"{path.stem}:{i}", text))
    rows = []
    for section in sorted({c for c, _ in cells}):
        for mention in (True, False):
            pool = cells.get((section, mention), [])
            rows += [(sid, int(mention), text) for sid, text in rng.sample(pool, min(per_cell, len(pool)))]
    rng.shuffle(rows)
    return [
        (sid, "dev" if n % 2 == 0 else "test", mention, text) for n, (sid, mention, text) in enumerate(rows)
    ]


# ---------------------------------------------------------------- measures


def scores(gold: list[str], tones: list[float | None], majority: str) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    predicted = [sign_label(t or 0.0) for t in tones]
    baseline = [majority] * len(gold)
    polar = [(g, t or 0.0) for g, t in zip(gold, tones, strict=True) if g != "neutral"]
    return {
        "n": len(gold),
        "gold": dict(sorted(Counter(gold).items())),
        "predicted": dict(sorted(Counter(predicted).items())),
        "accuracy": round(accuracy_score(gold, predicted), 4),
        "macro_f1": round(
            f1_score(gold, predicted, labels=list(CLASSES), average="macro", zero_division=0), 4
        ),
        "baseline": majority,
        "baseline_accuracy": round(accuracy_score(gold, baseline), 4),
        "baseline_macro_f1": round(
            f1_score(gold, baseline, labels=list(CLASSES), average="macro", zero_division=0), 4
        ),
        "polar_n": len(polar),
        "polar_sign_right": round(sum(sign_label(t) == g for g, t in polar) / len(polar), 4)
        if polar
        else None,
        "polar_with_a_term": round(sum(t != 0 for _, t in polar) / len(polar), 4) if polar else None,
    }


def check_vi() -> dict[str, Any]:
    rows = read_vi_labels()
    tones = [t.tone if (t := tone(r["text"], "vi")) is not None else None for r in rows]
    dev_gold = [r["label"] for r in rows if r["split"] == "dev"]
    majority = Counter(dev_gold).most_common(1)[0][0]  # chosen on dev, applied everywhere
    out: dict[str, Any] = {}
    for name, keep in (
        ("test", lambda r: r["split"] == "test"),
        ("dev", lambda r: r["split"] == "dev"),
        ("all", lambda r: True),
        ("all, mentioning Việt Nam", lambda r: r["mentions_subject"] == "1"),
    ):
        chosen = [(r["label"], t) for r, t in zip(rows, tones, strict=True) if keep(r)]
        out[name] = scores([g for g, _ in chosen], [t for _, t in chosen], majority)
    return out


def vader_data() -> Path:
    places = [p for p in VADER_DATA_PLACES if p is not None]
    return next((p for p in places if p.is_dir()), places[0])


def check_en(data: Path) -> dict[str, Any] | str:
    from scipy.stats import spearmanr

    if not data.is_dir():
        return f"skipped: {data} is absent (see the module docstring for where the data come from)"
    out: dict[str, Any] = {}
    for name, filename in VADER_SETS.items():
        path = data / filename
        if not path.exists():
            out[name] = f"skipped: {path} is absent"
            continue
        items = read_vader_set(path)
        gold = [sign_label(m) if abs(m) >= GOLD_THRESHOLD else "neutral" for m, _ in items]
        tones = [t.tone if (t := tone(text, "en")) is not None else None for _, text in items]
        majority = Counter(gold).most_common(1)[0][0]
        result = scores(gold, tones, majority)
        rated = [(m, t) for (m, _), t in zip(items, tones, strict=True) if t is not None]
        rho = spearmanr([m for m, _ in rated], [t for _, t in rated]).statistic
        result["spearman_tone_vs_mean_rating"] = round(float(rho), 4)
        out[name] = result
    return out


def check_scale(stride: int = SCALE_STRIDE) -> dict[str, Any] | str:
    from caunoi.enrich.tone import passage_tone, subject_tone

    if not VI_DOCS.is_dir():
        return f"skipped: {VI_DOCS} is absent"
    files = sorted(VI_DOCS.glob("*.txt"))[::stride]
    tones, polarities, subject, started = [], [], [], time.perf_counter()
    for path in files:
        body = read_body(path)
        measured = tone(body, "vi")
        if measured is None:
            continue
        tones.append(measured.tone)
        polarities.append(measured.polarity)
        pooled = subject_tone(passage_tone(body, "vi"))
        if pooled is not None:
            subject.append(pooled.tone)
    elapsed = time.perf_counter() - started

    def summary(values: list[float]) -> dict[str, float]:
        q = statistics.quantiles(values, n=20)
        return {
            "mean": round(statistics.mean(values), 3),
            "median": round(statistics.median(values), 3),
            "p5": round(q[0], 3),
            "p95": round(q[-1], 3),
            "min": round(min(values), 3),
            "max": round(max(values), 3),
        }

    return {
        "articles": len(tones),
        "article_tone": summary(tones),
        "share_within_plus_minus_10": round(sum(-10 <= t <= 10 for t in tones) / len(tones), 4),
        "article_polarity": summary(polarities),
        "articles_mentioning_viet_nam": len(subject),
        "subject_tone": summary(subject) if len(subject) > 1 else None,
        "seconds_per_article_both_measures": round(elapsed / len(files), 4),
    }


def lexicon_digests() -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in sorted(LEXICONS.glob("tone_*.tsv"))
    }


# ---------------------------------------------------------------- report


def report(result: dict[str, Any]) -> None:
    rows = []
    for lang, sets in (("vi", result["vi"]), ("en", result["en"])):
        if isinstance(sets, str):
            rows.append([lang, sets, *[""] * 7])
            continue
        for name, r in sets.items():
            if isinstance(r, str):
                rows.append([lang, f"{name}: {r}", *[""] * 7])
                continue
            rows.append(
                [
                    lang,
                    name,
                    r["n"],
                    r["accuracy"],
                    r["macro_f1"],
                    f"{r['baseline_accuracy']} / {r['baseline_macro_f1']} ({r['baseline']})",
                    r["polar_sign_right"],
                    r["polar_with_a_term"],
                    r.get("spearman_tone_vs_mean_rating", ""),
                ]
            )
    print_table(
        [
            "lang",
            "set",
            "n",
            "accuracy",
            "macro-F1",
            "majority baseline acc / F1",
            "polar: sign right",
            "polar: any term",
            "Spearman",
        ],
        rows,
        "ll" + "r" * 7,
    )
    scale = result["scale"]
    if isinstance(scale, str):
        print(f"\nscale: {scale}")
        return
    t, p = scale["article_tone"], scale["article_polarity"]
    print(
        f"\nvi-news-unc, {scale['articles']} articles: tone mean {t['mean']}, median {t['median']}, "
        f"5-95% {t['p5']}..{t['p95']}, range {t['min']}..{t['max']}; "
        f"{scale['share_within_plus_minus_10']:.1%} within ±10; polarity median {p['median']}"
    )
    if scale["subject_tone"]:
        s = scale["subject_tone"]
        print(
            f"articles mentioning Việt Nam: {scale['articles_mentioning_viet_nam']}, subject tone "
            f"median {s['median']}, 5-95% {s['p5']}..{s['p95']}"
        )
    print(f"{scale['seconds_per_article_both_measures']} s per article (tone and subject tone)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--vader-data",
        type=Path,
        help="the hutto_ICWSM_2014 folder (default: $CAUNOI_VADER_DATA, shared/data/hutto_ICWSM_2014, "
        "var/bench/hutto_ICWSM_2014, the first that exists)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--draw-vi-sample", action="store_true", help="print the Vietnamese draw and stop")
    args = parser.parse_args(argv)
    if args.draw_vi_sample:
        for row in draw_vi_sample():
            print("\t".join(map(str, row)))
        return 0
    en_data = args.vader_data or vader_data()
    result = {
        "gold_threshold_en": GOLD_THRESHOLD,
        "en_data": en_data.name,
        "lexicons": lexicon_digests(),
        "vi": check_vi(),
        "en": check_en(en_data),
        "scale": check_scale(),
    }
    publish("tone_check", result, as_json=args.json, report=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
