"""Word segmentation (once per article, shared by the stages that need words) and keyphrases.

Vietnamese is segmented into words by underthesea (offline, a CRF shipped in the package):
"Ban Tuyên giáo Trung ương" -> ["Ban", "Tuyên giáo", "Trung ương"], so a keyphrase is made of
words, not of syllables ("giáo Trung" is never a candidate). English words are runs of letters.

Keyphrases: candidates are runs of one to three content words inside a clause (no punctuation,
no function word between them); a function word is one that occurs in a quarter or more of the
articles of the reference corpus (vi-news-unc for Vietnamese, via a document-frequency table
built by tools/build_vi_word_df.py; scikit-learn's English stop words for English). A word scores
its frequency in the article × its inverse document frequency, ×2 in the title and ×1.5 in the
lead; a phrase scores the mean of its words × (1 + 0.5 per extra word) summed over occurrences.
Scores are relative within an article (the best is 1.0).
"""

from __future__ import annotations

import gzip
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DF_TABLE = Path(__file__).resolve().parent.parent / "data" / "models" / "vi_word_df.tsv.gz"
FUNCTION_SHARE = 0.25  # a word in this share of the reference articles or more is a function word
MAX_WORDS = 3
# never words, whatever the table says
OUT_OF_WORDS = frozenset({"", "-", "–", "—", "...", "…"})
# pronouns and forms of address: frequent in quotes and features, never what an article is about
_VI_FUNCTION = frozenset(
    {"em", "anh", "chị", "ông", "bà", "tôi", "chúng tôi", "chúng ta", "mình", "bạn", "họ", "cô", "chú", "bác"}
    | {"cháu", "con", "cậu", "mẹ", "bố", "ai", "gì", "nào", "đây", "kia"}
)


@dataclass(frozen=True)
class Keyphrase:
    phrase: str  # as written the first time it occurs
    score: float  # relative: the article's best is 1.0
    count: int

    def to_json(self) -> dict:
        return {"phrase": self.phrase, "score": round(self.score, 3), "count": self.count}


def segment(text: str, lang: str | None) -> list[list[tuple[str, int]]]:
    """Clauses of (word as written, start offset): Vietnamese by underthesea, English by runs of
    letters (the segmentation caunoi.enrich.tone reads with); [] for other languages."""
    from caunoi.enrich import tone

    reading = tone.read(text, lang)
    return tone.clauses(reading) if reading else []


def words_of(text: str, lang: str | None) -> list[str]:
    """Every word, lower-cased (what the document-frequency table counts)."""
    return [w.lower() for clause in segment(text, lang) for w, _ in clause]


@cache
def _vi_df() -> tuple[int, dict[str, int]]:
    lines = gzip.decompress(DF_TABLE.read_bytes()).decode("utf-8").splitlines()
    documents = int(lines[0].split("\t")[1])
    table = {}
    for line in lines[1:]:
        word, _, count = line.rpartition("\t")
        table[word] = int(count)
    return documents, table


@cache
def _en_stop() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _idf(word: str, lang: str | None) -> float | None:
    """Inverse document frequency; None for a function word."""
    if lang == "vi":
        if word in _VI_FUNCTION:
            return None
        documents, table = _vi_df()
        df = table.get(word, 0)
        if df >= FUNCTION_SHARE * documents:
            return None
        return math.log((documents + 1) / (df + 1)) + 1
    if word in _en_stop() or len(word) < 3:
        return None
    return 1.0  # no English reference corpus shipped: frequency and position decide


def keyphrases(
    title: str,
    text: str,
    lang: str | None,
    limit: int = 10,
    clauses: list[list[tuple[str, int]]] | None = None,
) -> list[Keyphrase]:
    """The article's keyphrases, best first; Vietnamese and English, [] for other languages.
    `clauses` (from `segment` of title + newline + text) saves segmenting again."""
    if lang not in ("vi", "en"):
        return []
    title_end = len(title)  # offsets in title + newline + text: the title, then the lead paragraph
    lead_end = title_end + 1 + len(text.split("\n", 1)[0])
    if clauses is None:
        clauses = segment(f"{title}\n{text}", lang)
    weight: Counter[str] = Counter()
    idf: dict[str, float | None] = {}
    runs: list[list[tuple[str, str]]] = []
    for clause in clauses:
        run: list[tuple[str, str]] = []
        for word, start in clause:
            key = word.lower()
            if key not in idf:
                idf[key] = _idf(key, lang)
            boost = 2.0 if start < title_end else 1.5 if start < lead_end else 1.0
            if idf[key] is None:
                if run:
                    runs.append(run)
                run = []
                continue
            weight[key] += boost
            run.append((key, word))
        if run:
            runs.append(run)
    if not weight:
        return []
    score_of = {k: weight[k] * (idf[k] or 0.0) for k in weight}
    phrases: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for run in runs:
        for size in range(1, MAX_WORDS + 1):
            for i in range(len(run) - size + 1):
                part = run[i : i + size]
                key = " ".join(k for k, _ in part)
                mean = sum(score_of[k] for k, _ in part) / size
                phrases[key] += mean * (1 + 0.5 * (size - 1))
                counts[key] += 1
                shown.setdefault(key, " ".join(w for _, w in part))
    # a phrase seen once and a longer one that contains it: keep the longer only when it is as frequent
    best = phrases.most_common()
    chosen: list[tuple[str, float]] = []
    for key, score in best:
        if counts[key] < 2 and len(key.split()) == 1 and phrases[key] < best[0][1] * 0.2:
            continue
        if any(key in other and counts[other] >= counts[key] for other, _ in chosen):
            continue
        chosen = [(o, s) for o, s in chosen if not (o in key and counts[key] >= counts[o])]
        chosen.append((key, score))
        if len(chosen) >= limit:
            break
    top = chosen[0][1] if chosen else 1.0
    return [Keyphrase(shown[k], s / top, counts[k]) for k, s in chosen]
