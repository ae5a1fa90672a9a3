"""Which language an article or a headline is written in: an ISO 639-1 code and a confidence.

py3langid restricted to the languages we meet, plus a syllable check for Vietnamese typed without diacritics.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import unicodedata
from pathlib import Path

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from caunoi.text.fold import fold

log = logging.getLogger(__name__)

# The first sixteen are the languages of the foreign press about Viet Nam. The others are widely
# published and kept so that a Dutch or Arabic article is named as such rather than forced into the
# nearest of the sixteen; measured, they cost one English headline in 161 (benchmarks/language_id.py).
# Tagalog is left out: it claims Vietnamese headlines typed without diacritics ("Gia vang tang manh").
LANGUAGES: tuple[str, ...] = (
    *("vi", "en", "fr", "zh", "ru", "ja", "ko", "de", "es", "lo", "km", "th", "id", "ms", "pt", "it"),
    *("nl", "sv", "da", "no", "fi", "pl", "cs", "sk", "hu", "ro", "tr", "el", "uk", "bg", "sr", "hr"),
    *("ar", "fa", "he", "hi", "bn", "ur", "ta", "my", "ca"),
)

ARTICLE_CHARS = 2000  # the language is settled long before this; reading more only costs time
TITLE_CHARS = 300
PASSAGE_CHARS = 300  # a paragraph or two: long enough to identify, short enough to isolate a quotation

SYLLABLE_TABLE = Path(__file__).resolve().parent.parent / "data" / "vi_syllables.tsv"

# A text typed without diacritics whose words are mostly Vietnamese syllables ("Bo Ngoai giao to chuc
# hop bao") gets Vietnamese's probability multiplied by SYLLABLE_BOOST: enough to win where the model
# hesitated between vi and a neighbour (it, id, fr), not enough to overturn a confident "Man on the run".
SYLLABLE_SHARE = 0.75
SYLLABLE_BOOST = 30.0
# A headline is short; the body's language multiplies its probability by this when it is given.
BODY_PRIOR_BOOST = 10.0

_URL_OR_EMAIL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_FOLDED_WORD = re.compile(r"[a-z]+")


def detect_language(text: str) -> tuple[str | None, float]:
    """'Bộ Ngoại giao tổ chức họp báo thường kỳ...' -> ('vi', 1.0); (None, 0.0) when there are no letters.

    Reads the first ARTICLE_CHARS characters. Each passage of about PASSAGE_CHARS votes with its
    length, so the language of most of the text wins over a quoted paragraph in another one; the
    confidence is that length-weighted probability.
    """
    sample = _sample(text, ARTICLE_CHARS)
    if sample is None:
        return None, 0.0
    votes: dict[str, float] = {}
    for passage in _passages(sample):
        probabilities = _probabilities(passage)
        total = sum(probabilities.values())
        for lang, probability in probabilities.items():
            votes[lang] = votes.get(lang, 0.0) + probability / total * len(passage)
    return _best(votes)


def detect_title_language(title: str, body_lang: str | None = None) -> tuple[str | None, float]:
    """The language of a headline; `body_lang` (the body's language) decides when the headline is unsure.

    'Ca mut da' alone reads as Romanian, with body_lang="vi" it is Vietnamese; a headline
    confidently in another language than its body keeps its own.
    """
    sample = _sample(title, TITLE_CHARS)
    if sample is None:
        return None, 0.0
    probabilities = _probabilities(sample)
    if body_lang in probabilities:
        probabilities[body_lang] *= BODY_PRIOR_BOOST
    return _best(probabilities)


def vietnamese_syllable_share(text: str) -> float:
    """Share of the Latin-letter words of `text` that are Vietnamese syllables once folded (0.0 if none)."""
    words = _FOLDED_WORD.findall(fold(text))
    if not words:
        return 0.0
    syllables = vietnamese_syllables()
    return sum(word in syllables for word in words) / len(words)


@functools.cache
def vietnamese_syllables() -> frozenset[str]:
    """The folded syllables of caunoi/data/vi_syllables.tsv ("co", "va", "nguoi", ...)."""
    lines = SYLLABLE_TABLE.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t", 1)[0] for line in lines if line and not line.startswith("#")]
    return frozenset(rows[1:])  # the first row names the columns


@functools.cache
def syllable_counts() -> dict[str, int]:
    """How often each folded syllable of caunoi/data/vi_syllables.tsv occurs in the news it was
    counted from, most frequent first: how common a word is, for those that pick the rare ones."""
    lines = SYLLABLE_TABLE.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")][1:]
    return {row[0]: int(row[1]) for row in rows}


@functools.cache
def _identifier() -> LanguageIdentifier:
    # A private instance: py3langid's module-level set_languages() would restrict every other user
    # of py3langid in the process (trafilatura among them).
    started = time.perf_counter()
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    log.info(
        "loaded the py3langid model for %d languages in %.2fs", len(LANGUAGES), time.perf_counter() - started
    )
    return identifier


def _sample(text: str, limit: int) -> str | None:
    """The part of `text` worth identifying, cut at a word boundary; None if it has no letters."""
    text = _URL_OR_EMAIL.sub(" ", unicodedata.normalize("NFC", text[: limit + 200]))
    if len(text) > limit:
        cut = text[:limit]
        space = max(cut.rfind(" "), cut.rfind("\n"))
        text = cut[:space] if space > limit // 2 else cut  # scripts without spaces are cut anywhere
    return text if any(ch.isalpha() for ch in text) else None


def _passages(sample: str) -> list[str]:
    """Lines joined into passages of at least PASSAGE_CHARS characters; a short rest joins the last one."""
    passages: list[str] = []
    current = ""
    for line in sample.split("\n"):
        current = f"{current}\n{line}" if current else line
        if len(current) >= PASSAGE_CHARS:
            passages.append(current)
            current = ""
    if current and passages and len(current) < PASSAGE_CHARS // 2:
        passages[-1] = f"{passages[-1]}\n{current}"
    elif current:
        passages.append(current)
    return [p for p in passages if any(ch.isalpha() for ch in p)]


def _probabilities(sample: str) -> dict[str, float]:
    probabilities = dict(_identifier().rank(sample))
    if _without_diacritics(sample) and vietnamese_syllable_share(sample) >= SYLLABLE_SHARE:
        probabilities["vi"] *= SYLLABLE_BOOST
    return probabilities


def _without_diacritics(sample: str) -> bool:
    # Nearly all letters plain ASCII: a Vietnamese text with its marks, or a French one, is left to the model.
    letters = [ch for ch in sample if ch.isalpha()]
    return sum(not ch.isascii() for ch in letters) <= 0.01 * len(letters)


def _best(probabilities: dict[str, float]) -> tuple[str, float]:
    lang = max(probabilities, key=probabilities.__getitem__)
    total = sum(probabilities.values())
    return lang, round(probabilities[lang] / total, 4) if total > 0 else 0.0
