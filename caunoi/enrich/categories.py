"""News category of a Vietnamese article: one of ten general sections, with a probability-like score.

Labels are the ten sections of dantri.com.vn that the training corpus (vi-news-unc, underthesea's
CP_Vietnamese-UNC, 2020-2021) was collected from; see LABELS. They are newsroom sections, not a
topic ontology: Party and State affairs, ministries, provinces, disasters, traffic and COVID-19
at home are all "society"; foreign affairs reported from abroad are "world". There is no
politics, law or opinion label, and every article gets one of the ten.

The model (see `train`): the title and body folded (lower case, no diacritics, đ→d, as search
folds them), split into syllables, syllables and adjacent-syllable pairs as features, tf-idf
(sublinear tf, l2), a linear SVM (one-vs-rest), and a softmax over its decision values with one
temperature fitted on out-of-fold decision values of the training set, so the scores of the ten
labels sum to 1 and a score of 0.9 is right about 9 times in 10 on held-out dantri articles.
Because features are folded, text typed without diacritics gets exactly the same prediction.
Word segmentation (underthesea) was measured and gave no gain over syllable pairs on the held-out
split, at ~50 s per 8 MB of text, so it is not used (benchmarks/topic_classifier.py).

`Prediction.uncertain` is True below UNCERTAIN_BELOW; the held-out figures for that threshold are
in benchmarks/results/topic_classifier.json. Text in another language, or too short to hold
known features, comes out uncertain rather than confidently wrong, but it is not refused: check
the language first (caunoi.text.language).

The shipped model (caunoi/data/models/news_category.joblib, see the README there) is trained on the
train part of the fixed split in news_category_split.tsv only, so the held-out figures reported
by the benchmark are the shipped model's. The file holds plain arrays (no scikit-learn objects),
so it loads whatever scikit-learn version is installed; it is a joblib (pickle) file all the
same: load only files you trust.
"""

from __future__ import annotations

import functools
import itertools
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from caunoi.text.fold import fold, tokens

MODELS = Path(__file__).resolve().parent.parent / "data" / "models"
DEFAULT_MODEL_PATH = MODELS / "news_category.joblib"
SPLIT_PATH = MODELS / "news_category_split.tsv"
FORMAT = 1  # of the saved file; bump when its keys change

# dantri.com.vn section (URL path) and what is in it, from reading the corpus.
LABELS: dict[str, str] = {
    "business": "Kinh doanh (kinh-doanh): economy, markets, companies, banking, property, prices",
    "education": "Giáo dục - Hướng nghiệp (giao-duc-huong-nghiep): schools, exams, admissions, careers",
    "entertainment": "Giải trí (giai-tri): showbiz, music, film, celebrities, beauty pageants",
    "health": "Sức khỏe (suc-khoe): medicine, hospitals, diseases, nutrition, COVID-19 treatment",
    "science": "Khoa học - Công nghệ (khoa-hoc-cong-nghe): space, nature, animals, discoveries",
    "society": "Xã hội (xa-hoi): Party and State affairs, provinces, disasters, traffic, COVID-19 at home",
    "sport": "Thể thao (the-thao): football above all, other sports",
    "tech": "Sức mạnh số (suc-manh-so): phones, gadgets, apps, internet, IT industry, online stories",
    "travel": "Du lịch (du-lich): destinations, tourism industry, trips",
    "world": "Thế giới (the-gioi): foreign news, international relations, conflicts, COVID-19 abroad",
}

# A prediction scoring less says it is uncertain. On the 526 held-out articles, 9% scored less and
# were right 52% of the time; the rest were right 95% of the time (benchmarks/topic_classifier.py).
UNCERTAIN_BELOW = 0.7


def features(text: str) -> list[str]:
    """Folded syllables and adjacent pairs.

    'Giá vàng tăng' -> ['gia', 'vang', 'tang', 'gia vang', 'vang tang']
    """
    syllables = tokens(fold(unicodedata.normalize("NFC", text)))
    return syllables + [f"{a} {b}" for a, b in itertools.pairwise(syllables)]


_HEADER_LINE = re.compile(r"^#\s*[A-Za-z_][\w-]*\s*[=:]")


def article_text(raw: str) -> str:
    """What the model reads of a `.txt` article: every line after the `# key = value` header.

    The header is left out on purpose: vi-news-unc's `# url` names the section it was filed under.
    """
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = 0
    while start < len(lines) and _HEADER_LINE.match(lines[start]):
        start += 1
    return "\n".join(line for line in lines[start:] if line.strip())


@dataclass(frozen=True)
class Prediction:
    """The best label, its score in [0, 1], and every label with its score, best first (scores sum to 1)."""

    label: str
    score: float
    ranked: list[tuple[str, float]]
    known_features: int = 0  # how many of the text's features the model knows; 0 means it saw nothing

    @property
    def uncertain(self) -> bool:
        return self.score < UNCERTAIN_BELOW or self.known_features == 0


@dataclass
class CategoryModel:
    """A trained classifier as plain arrays: tf-idf vocabulary and idf, linear weights, temperature."""

    labels: list[str]
    vocabulary: list[str]
    idf: np.ndarray  # (n_features,) float32
    weights: np.ndarray  # (n_features, n_labels) float32: the SVM's coef_, transposed
    intercept: np.ndarray  # (n_labels,) float32
    temperature: float  # scores = softmax(decision / temperature)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {f: i for i, f in enumerate(self.vocabulary)}

    def decision(self, text: str) -> tuple[np.ndarray, int]:
        """The SVM's decision value for each label, and how many known features the text has."""
        counts = Counter(i for f in features(text) if (i := self._index.get(f)) is not None)
        if not counts:
            return self.intercept.astype(np.float64), 0
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[idx]  # sublinear tf times idf, as TfidfVectorizer does
        values /= np.linalg.norm(values)
        return values @ self.weights[idx].astype(np.float64) + self.intercept, len(counts)

    def scores(self, text: str) -> np.ndarray:
        """Probability-like scores of the labels (in `labels` order), summing to 1."""
        return _softmax(self.decision(text)[0] / self.temperature)

    def predict(self, text: str) -> Prediction:
        """The category of one article (title and body, e.g. `article_text(raw)`)."""
        decision, known = self.decision(text)
        probs = _softmax(decision / self.temperature)
        order = np.argsort(-probs, kind="stable")
        ranked = [(self.labels[i], round(float(probs[i]), 6)) for i in order]
        return Prediction(ranked[0][0], ranked[0][1], ranked, known)

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        return [self.predict(text) for text in texts]

    def save(self, path: str | Path) -> Path:
        """Write the model as plain arrays (float32), compressed; returns the path."""
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "labels": list(self.labels),
            "vocabulary": "\n".join(self.vocabulary),  # one string pickles smaller and loads faster
            "idf": self.idf.astype(np.float32),
            "weights": self.weights.astype(np.float32),
            "intercept": self.intercept.astype(np.float32),
            "temperature": float(self.temperature),
            "meta": self.meta,
        }
        joblib.dump(payload, path, compress=("zlib", 6))
        return path

    @classmethod
    def load(cls, path: str | Path) -> CategoryModel:
        import joblib

        payload = joblib.load(path)
        if payload.get("format") != FORMAT:
            raise ValueError(f"{path}: model file format {payload.get('format')!r}, expected {FORMAT}")
        vocabulary = payload["vocabulary"].split("\n") if payload["vocabulary"] else []
        return cls(
            labels=list(payload["labels"]),
            vocabulary=vocabulary,
            idf=np.asarray(payload["idf"], dtype=np.float32),
            weights=np.asarray(payload["weights"], dtype=np.float32),
            intercept=np.asarray(payload["intercept"], dtype=np.float32),
            temperature=float(payload["temperature"]),
            meta=dict(payload.get("meta") or {}),
        )


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def load(path: str | Path) -> CategoryModel:
    return CategoryModel.load(path)


def read_split(path: str | Path = SPLIT_PATH) -> dict[str, str]:
    """The fixed split of vi-news-unc the shipped model was trained and measured on: file -> train/test."""
    split = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("file\t") or not line.strip():
            continue
        name, _category, part, *_ = line.split("\t")
        split[name] = part
    return split


@functools.cache
def default_model() -> CategoryModel:
    """The shipped model (caunoi/data/models/news_category.joblib), loaded once."""
    if not DEFAULT_MODEL_PATH.is_file():
        raise FileNotFoundError(
            f"{DEFAULT_MODEL_PATH} is absent; rebuild it with `.venv/bin/python"
            " benchmarks/topic_classifier.py --write-model` (needs ../shared/data/vi-news-unc)"
        )
    return CategoryModel.load(DEFAULT_MODEL_PATH)


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    c: float = 1.0,
    max_features: int | None = 50_000,
    min_df: int | float = 2,
    max_df: int | float = 0.9,
    calibrate: bool = True,
    folds: int = 5,
    seed: int = 0,
) -> CategoryModel:
    """Fit the classifier on articles (title and body) and their labels.

    The defaults were chosen by 5-fold cross-validation on the train split only (C among 0.1-1,
    the feature cap among 20k-all). With `calibrate`, the temperature is fitted on out-of-fold
    decision values (stratified `folds`-fold, `seed`) by minimising log loss; without, or when a
    class has fewer than two examples, it is 1.
    """
    from scipy.optimize import minimize_scalar
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    if len(set(labels)) < 2:
        raise ValueError("need at least two labels to train a classifier")

    def pipeline():
        vectorizer = TfidfVectorizer(
            analyzer=features,
            min_df=min_df,
            max_df=max_df,
            max_features=max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        return make_pipeline(vectorizer, LinearSVC(C=c, random_state=seed))

    started = time.perf_counter()
    y = np.asarray(labels)
    fitted = pipeline().fit(list(texts), y)
    vectorizer, svm = fitted.steps[0][1], fitted.steps[1][1]
    classes = [str(c_) for c_ in svm.classes_]
    coef, intercept = svm.coef_, svm.intercept_
    if len(classes) == 2:  # binary LinearSVC has one row: the second class's side; make it two
        coef, intercept = np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2

    temperature, calibrated_on = 1.0, 0
    smallest = min(Counter(y.tolist()).values())
    k = min(folds, smallest)
    if calibrate and k >= 2:
        cv = StratifiedKFold(k, shuffle=True, random_state=seed)
        oof = cross_val_predict(pipeline(), list(texts), y, cv=cv, method="decision_function")
        if oof.ndim == 1:
            oof = np.column_stack([-oof, oof]) / 2
        truth = np.searchsorted(np.asarray(classes), y)

        def log_loss(log_t: float) -> float:
            z = oof / np.exp(log_t)
            z = z - z.max(axis=1, keepdims=True)
            log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            return float(-log_probs[np.arange(len(truth)), truth].mean())

        temperature = float(np.exp(minimize_scalar(log_loss, bounds=(-7, 4), method="bounded").x))
        calibrated_on = len(truth)

    vocabulary = [""] * len(vectorizer.vocabulary_)
    for feature, i in vectorizer.vocabulary_.items():
        vocabulary[i] = feature
    import sklearn

    return CategoryModel(
        labels=classes,
        vocabulary=vocabulary,
        idf=vectorizer.idf_.astype(np.float32),
        weights=np.ascontiguousarray(coef.T, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
        temperature=temperature,
        meta={
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "train_documents": len(texts),
            "train_seconds": round(time.perf_counter() - started, 2),
            "params": {
                "C": c,
                "max_features": max_features,
                "min_df": min_df,
                "max_df": max_df,
                "folds": k if calibrated_on else 0,
                "seed": seed,
            },
            "calibrated_on": calibrated_on,
            "scikit_learn": sklearn.__version__,
        },
    )
