"""News-category classifier (caunoi.enrich.categories) on vi-news-unc: macro-F1 on a fixed held-out split,
against simple baselines measured in the same run, with calibration, ablations and speed.

Run: .venv/bin/python benchmarks/topic_classifier.py [--json] [--no-segmentation]
     .venv/bin/python benchmarks/topic_classifier.py --write-model   (also writes the shipped model and split)

The split: a file is held out (test) when its number is a multiple of 5 (news_world_015.txt), as the
corpus's SOURCE.txt suggests: 20% of every category (each numbers its files from 001), deterministic,
independent of file order on disk; listed in caunoi/data/models/news_category_split.tsv. Files are
numbered in publication order, so test articles are spread over the same months as the training ones:
the figure is an in-period one. A chronological split (last 20% of each category held out) is
measured too, but it says little about drift: 81% of the corpus was published in April 2021.
Hyper-parameters were chosen by cross-validation on the train split; the held-out split was used once.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _harness import VI_DOCS, print_table, publish, require_corpus  # noqa: E402

from caunoi.enrich import categories  # noqa: E402
from caunoi.enrich.categories import CategoryModel, article_text  # noqa: E402
from caunoi.text.fold import fold, tokens  # noqa: E402

DEMO_DOCS = REPO / "demo" / "data" / "vi-news-unc" / "docs"
FILE_NAME = re.compile(r"news_([a-z]+)_(\d+)\.txt")
THRESHOLDS = (0.5, 0.7, 0.9)


@dataclass(frozen=True)
class Article:
    name: str
    label: str
    number: int
    text: str  # title and body, header left out (article_text)


def read_corpus(folder: Path) -> list[Article]:
    articles = []
    for path in sorted(folder.glob("news_*.txt")):
        m = FILE_NAME.fullmatch(path.name)
        if not m:
            continue
        text = article_text(path.read_text(encoding="utf-8"))
        articles.append(Article(path.name, m.group(1), int(m.group(2)), text))
    return articles


def split_of(article: Article) -> str:
    """The fixed split: held out when the file number is a multiple of 5."""
    return "test" if article.number % 5 == 0 else "train"


def chronological_split(articles: list[Article]) -> dict[str, str]:
    """The last 20% of each category by file number (= publication order) held out."""
    by_label: dict[str, list[Article]] = {}
    for a in articles:
        by_label.setdefault(a.label, []).append(a)
    split = {}
    for group in by_label.values():
        group.sort(key=lambda a: a.number)
        cut = len(group) - round(len(group) * 0.2)
        split.update({a.name: ("train" if i < cut else "test") for i, a in enumerate(group)})
    return split


def write_split(articles: list[Article], path: Path) -> None:
    demo = {p.name for p in DEMO_DOCS.glob("*.txt")}
    header = (
        "# The fixed train/test split of vi-news-unc (2,653 dantri.com.vn articles) for the news-category"
        " classifier (caunoi.enrich.categories).\n"
        "# Rule: test when the file number is a multiple of 5 (news_world_015.txt), else train; 20% of each"
        " category. demo = 1 when the file is one of the 297 shipped in demo/data/vi-news-unc/docs.\n"
        "# Written by benchmarks/topic_classifier.py --write-model.\n"
        "file\tcategory\tsplit\tdemo\n"
    )
    rows = "".join(f"{a.name}\t{a.label}\t{split_of(a)}\t{int(a.name in demo)}\n" for a in articles)
    path.write_text(header + rows, encoding="utf-8")


def check_split_file(articles: list[Article]) -> None:
    """The shipped split file, when present, must say what the rule says."""
    if not categories.SPLIT_PATH.is_file():
        return
    listed = categories.read_split()
    ruled = {a.name: split_of(a) for a in articles}
    if listed != ruled:
        sys.exit(f"{categories.SPLIT_PATH} disagrees with the split rule; rewrite it with --write-model")


# ---------------------------------------------------------------- candidates


def scores(gold: Sequence[str], pred: Sequence[str], labels: list[str]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {
        "macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "per_class": {
            label: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "n": int(n[i]),
            }
            for i, label in enumerate(labels)
        },
        "confusion": confusion_matrix(gold, pred, labels=labels).tolist(),
    }


def timed_fit_predict(
    make: Callable[[], Any], x_train: list, y_train: list[str], x_test: list
) -> tuple[list[str], float, float]:
    started = time.perf_counter()
    model = make().fit(x_train, y_train)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    pred = [str(p) for p in model.predict(x_test)]
    return pred, fit_s, time.perf_counter() - started


def _syllables(text: str) -> list[str]:
    """Folded syllables without the adjacent pairs `features` adds."""
    return tokens(fold(text))


def _words_and_pairs(text: str) -> list[str]:
    """For pre-segmented text: underthesea joins a word's syllables with "_"; words and adjacent pairs."""
    words = re.findall(r"[^\W]+", fold(text))
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W]+", fold(text))


def svm_pipeline(analyzer: Callable[[str], list[str]]) -> Callable[[], Any]:
    """The shipped recipe (tf-idf + LinearSVC, same settings) with another analyzer: for ablations."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    def make():
        vectorizer = TfidfVectorizer(
            analyzer=analyzer, min_df=2, max_df=0.9, max_features=50_000, sublinear_tf=True, dtype=np.float32
        )
        return make_pipeline(vectorizer, LinearSVC(C=1.0, random_state=0))

    return make


def baselines(train: list[Article], test: list[Article], labels: list[str]) -> list[dict[str, Any]]:
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    x_train, y_train = [a.text for a in train], [a.label for a in train]
    x_test, y_test = [a.text for a in test], [a.label for a in test]
    candidates = {
        "majority class": lambda: DummyClassifier(strategy="most_frequent"),
        # scikit-learn's defaults: lower-cased words of 2+ letters, counts, Laplace smoothing
        "naive Bayes, bag of words": lambda: make_pipeline(CountVectorizer(), MultinomialNB(alpha=1.0)),
    }
    results = []
    for name, make in candidates.items():
        pred, fit_s, predict_s = timed_fit_predict(make, x_train, y_train, x_test)
        results.append(
            {
                "candidate": name,
                **scores(y_test, pred, labels),
                "train_s": round(fit_s, 2),
                "docs_per_s": round(len(x_test) / predict_s),
            }
        )
    return results


def calibration(gold: list[str], predictions: list[categories.Prediction]) -> dict[str, Any]:
    conf = np.array([p.score for p in predictions])
    right = np.array([p.label == g for p, g in zip(predictions, gold, strict=True)])
    probs_of_gold = np.array([dict(p.ranked)[g] for p, g in zip(predictions, gold, strict=True)])
    bins = np.linspace(0, 1, 11)
    ece = 0.0
    for lo, hi in itertools.pairwise(bins):
        inside = (conf > lo) & (conf <= hi)
        if inside.any():
            ece += inside.mean() * abs(right[inside].mean() - conf[inside].mean())
    uncertain = np.array([p.uncertain for p in predictions])
    return {
        "log_loss": round(float(-np.log(np.clip(probs_of_gold, 1e-15, 1)).mean()), 4),
        "expected_calibration_error": round(float(ece), 4),
        "mean_score_right": round(float(conf[right].mean()), 3),
        "mean_score_wrong": round(float(conf[~right].mean()), 3) if (~right).any() else None,
        "at_score": {
            str(t): {
                "coverage": round(float((conf >= t).mean()), 3),
                "accuracy": round(float(right[conf >= t].mean()), 4) if (conf >= t).any() else None,
            }
            for t in THRESHOLDS
        },
        "uncertain_below": categories.UNCERTAIN_BELOW,
        "share_uncertain": round(float(uncertain.mean()), 3),
        "accuracy_when_uncertain": round(float(right[uncertain].mean()), 4) if uncertain.any() else None,
        "accuracy_when_confident": round(float(right[~uncertain].mean()), 4) if (~uncertain).any() else None,
    }


def lead_of(text: str) -> str:
    """The first two lines: title and sapo, or sapo and first paragraph (what a feed item carries)."""
    return "\n".join(text.split("\n")[:2])


def strip_marks(text: str) -> str:
    """Vietnamese typed without diacritics, case kept."""
    return "".join(f.upper() if c.isupper() else f for c, f in zip(text, fold(text), strict=True))


def measure_model(train: list[Article], test: list[Article], labels: list[str]) -> tuple[dict, CategoryModel]:
    started = time.perf_counter()
    model = categories.train([a.text for a in train], [a.label for a in train])
    train_s = time.perf_counter() - started
    gold = [a.label for a in test]
    started = time.perf_counter()
    predictions = model.predict_many(a.text for a in test)
    predict_s = time.perf_counter() - started
    pred = [p.label for p in predictions]
    test_chars = sum(len(a.text) for a in test)
    no_marks = [p.label for p in model.predict_many(strip_marks(a.text) for a in test)]
    lead = [p.label for p in model.predict_many(lead_of(a.text) for a in test)]
    wrong = [
        {"file": a.name, "gold": a.label, "predicted": p.label, "score": round(p.score, 3)}
        for a, p in zip(test, predictions, strict=True)
        if p.label != a.label
    ]
    result = {
        "candidate": "caunoi.enrich.categories (shipped recipe)",
        **scores(gold, pred, labels),
        "train_s": round(train_s, 2),
        "docs_per_s": round(len(test) / predict_s),
        "chars_per_s": round(test_chars / predict_s),
        "features": len(model.vocabulary),
        "temperature": round(model.temperature, 4),
        "calibration": calibration(gold, predictions),
        "no_diacritics": {
            "macro_f1": scores(gold, no_marks, labels)["macro_f1"],
            "same_predictions": no_marks == pred,
        },
        "lead_only": {k: v for k, v in scores(gold, lead, labels).items() if k in ("macro_f1", "accuracy")},
        "errors": sorted(wrong, key=lambda w: -w["score"]),
    }
    return result, model


def ablations(
    articles: list[Article], train: list[Article], test: list[Article], labels: list[str], segmentation: bool
) -> list[dict[str, Any]]:
    """The shipped recipe with one thing changed; macro-F1 and accuracy on the same held-out split."""
    y_train, y_test = [a.label for a in train], [a.label for a in test]
    rows = []

    def run(name: str, make: Callable[[], Any], x_train: list, x_test: list, note: str = "") -> None:
        pred, fit_s, predict_s = timed_fit_predict(make, x_train, y_train, x_test)
        s = scores(y_test, pred, labels)
        rows.append(
            {
                "variant": name,
                "macro_f1": s["macro_f1"],
                "accuracy": s["accuracy"],
                "train_s": round(fit_s, 2),
                "docs_per_s": round(len(x_test) / predict_s),
                **({"note": note} if note else {}),
            }
        )

    x_train, x_test = [a.text for a in train], [a.text for a in test]
    run("syllables only, no pairs", svm_pipeline(_syllables), x_train, x_test)
    if segmentation:
        from underthesea import word_tokenize

        started = time.perf_counter()
        segmented = {a.name: word_tokenize(a.text, format="text") for a in articles}
        seg_s = time.perf_counter() - started
        chars = sum(len(a.text) for a in articles)
        note = (
            f"segmenting {len(articles)} articles took {seg_s:.0f} s ({chars / seg_s / 1000:.0f}k chars/s),"
            " not counted in train s and docs/s"
        )
        s_train, s_test = [segmented[a.name] for a in train], [segmented[a.name] for a in test]
        run("underthesea words + pairs", svm_pipeline(_words_and_pairs), s_train, s_test, note)
        run("underthesea words only", svm_pipeline(_words), s_train, s_test, note)

    # drift check: same recipe, trained on the first 80% of each category, tested on the last 20%
    chrono = chronological_split(articles)
    c_train = [a for a in articles if chrono[a.name] == "train"]
    c_test = [a for a in articles if chrono[a.name] == "test"]
    model = categories.train([a.text for a in c_train], [a.label for a in c_train], calibrate=False)
    started = time.perf_counter()
    pred = [p.label for p in model.predict_many(a.text for a in c_test)]
    predict_s = time.perf_counter() - started
    s = scores([a.label for a in c_test], pred, labels)
    rows.append(
        {
            "variant": "chronological split (last 20% of each category held out)",
            "macro_f1": s["macro_f1"],
            "accuracy": s["accuracy"],
            "train_s": model.meta["train_seconds"],
            "docs_per_s": round(len(c_test) / predict_s),
            "note": f"{len(c_train)} train / {len(c_test)} test; not the shipped model's split",
        }
    )
    return rows


# ---------------------------------------------------------------- report


def report(result: dict[str, Any]) -> None:
    s = result["split"]
    print(f"vi-news-unc: {s['train']} train / {s['test']} test articles ({s['rule']})")
    print(f"demo articles: {s['demo_train']} in train, {s['demo_test']} in test\n")
    rows = [
        [c["candidate"], f"{c['macro_f1']:.4f}", f"{c['accuracy']:.4f}", c["train_s"], c["docs_per_s"]]
        for c in result["candidates"]
    ]
    print_table(["candidate", "macro-F1", "accuracy", "train s", "docs/s"], rows)
    model = result["candidates"][-1]
    labels = result["labels"]
    print("\nper class (shipped recipe)\n")
    print_table(
        ["label", "precision", "recall", "F1", "n", "NB F1"],
        [
            [
                label,
                f"{m['precision']:.3f}",
                f"{m['recall']:.3f}",
                f"{m['f1']:.3f}",
                m["n"],
                f"{result['candidates'][1]['per_class'][label]['f1']:.3f}",
            ]
            for label, m in model["per_class"].items()
        ],
    )
    print("\nconfusion (rows: gold, columns: predicted)\n")
    short = [label[:5] for label in labels]
    print_table(
        ["gold \\ predicted", *short],
        [[label, *row] for label, row in zip(labels, model["confusion"], strict=True)],
    )
    cal = model["calibration"]
    print(
        f"\ncalibration: log loss {cal['log_loss']}, ECE {cal['expected_calibration_error']},"
        f" mean score right {cal['mean_score_right']} / wrong {cal['mean_score_wrong']}"
    )
    for t, v in cal["at_score"].items():
        print(f"  score >= {t}: {v['coverage']:.1%} of articles, accuracy {v['accuracy']:.1%}")
    print(
        f"  uncertain (< {cal['uncertain_below']}): {cal['share_uncertain']:.1%} of articles,"
        f" accuracy {cal['accuracy_when_uncertain']:.1%} (confident: {cal['accuracy_when_confident']:.1%})"
    )
    print(
        f"no diacritics: macro-F1 {model['no_diacritics']['macro_f1']:.4f}"
        f" (same predictions: {model['no_diacritics']['same_predictions']});"
        f" first two lines only: macro-F1 {model['lead_only']['macro_f1']:.4f}"
    )
    print(
        f"features {model['features']}, temperature {model['temperature']},"
        f" {model['chars_per_s'] / 1e6:.2f} M chars/s predicting"
    )
    print("\nablations (same held-out split unless said)\n")
    print_table(
        ["variant", "macro-F1", "accuracy", "train s", "docs/s", "note"],
        [
            [
                v["variant"],
                f"{v['macro_f1']:.4f}",
                f"{v['accuracy']:.4f}",
                v["train_s"],
                v["docs_per_s"],
                v.get("note"),
            ]
            for v in result["ablations"]
        ],
        align="lrrrrl",
    )
    print("\nmost confident errors:")
    for e in model["errors"][:8]:
        print(f"  {e['file']}: {e['gold']} -> {e['predicted']} ({e['score']})")
    if result.get("model_file"):
        mf = result["model_file"]
        print(f"\nwrote {mf['path']} ({mf['bytes'] / 1e6:.2f} MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=VI_DOCS, help="folder of vi-news-unc .txt files")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--no-segmentation",
        action="store_true",
        help="skip the word-segmentation ablation (~50 s)",
    )
    parser.add_argument(
        "--write-model",
        action="store_true",
        help="write the model trained on the train split and the split file to caunoi/data/models/",
    )
    args = parser.parse_args(argv)
    require_corpus(args.data, "the vi-news-unc corpus (docs/news_<category>_<nnn>.txt)")

    articles = read_corpus(args.data)
    if not args.write_model:
        check_split_file(articles)
    train = [a for a in articles if split_of(a) == "train"]
    test = [a for a in articles if split_of(a) == "test"]
    labels = sorted({a.label for a in articles})
    demo = {p.name for p in DEMO_DOCS.glob("*.txt")}
    print(f"{len(train)} train / {len(test)} test articles; training …", file=sys.stderr)

    model_result, model = measure_model(train, test, labels)
    result: dict[str, Any] = {
        "data": str(args.data),
        "labels": labels,
        "split": {
            "rule": "test when the file number is a multiple of 5",
            "file": str(categories.SPLIT_PATH.relative_to(REPO)),
            "train": len(train),
            "test": len(test),
            "test_per_label": dict(sorted(Counter(a.label for a in test).items())),
            "demo_train": sum(a.name in demo for a in train),
            "demo_test": sum(a.name in demo for a in test),
        },
        "candidates": [*baselines(train, test, labels), model_result],
    }
    print("ablations …", file=sys.stderr)
    result["ablations"] = ablations(articles, train, test, labels, not args.no_segmentation)
    if args.write_model:
        model.meta["trained_on"] = "vi-news-unc train split (caunoi/data/models/news_category_split.tsv)"
        model.meta["held_out"] = {
            "test_documents": len(test),
            "macro_f1": model_result["macro_f1"],
            "accuracy": model_result["accuracy"],
        }
        path = model.save(categories.DEFAULT_MODEL_PATH)
        write_split(articles, categories.SPLIT_PATH)
        result["model_file"] = {"path": str(path.relative_to(REPO)), "bytes": path.stat().st_size}
    publish("topic_classifier", result, as_json=args.json, report=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
