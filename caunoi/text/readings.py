"""Readings of words typed without diacritics: "bien dong" may be "Biển Đông" (the East Sea) or
"biến động" (upheaval). Which one a user meant is guessed from the store's own text: how many
articles carry each diacritised word and word pair that folds to what was typed, and how often they
are written with capitals (a proper name: "Biển Đông"). `count_grams` counts them in a sample of
articles; `restore` picks the likeliest reading of a run of typed words, and the next ones.

The counts are document frequencies (an article counts once per word or pair), so one long article
cannot outvote a hundred short ones.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import product

from caunoi.text.fold import fold, lower_exact

MAX_WORD = 30  # characters: longer "words" are URLs or codes, never a reading
MAX_RUN = 4  # words restored together (their readings are weighed in every combination)
CANDIDATES = 5  # readings of each word weighed
SMOOTHING = 2.0  # how much a pair's evidence is pulled towards its second word's own frequency
CAPITAL_SHARE = 0.05  # a word typed with a capital still allows lower-case readings, weighted so
# words are side by side within a clause: punctuation (anything not a letter, digit or space) parts them
_CLAUSE = re.compile(r"[^\w\s]+|_+|\n")


@dataclass
class GramCount:
    """How many articles carry a reading, and how many write it capitalised (every word)."""

    docs: int = 0
    capital: int = 0


@dataclass(frozen=True)
class Reading:
    """One reading of a run of words: its words (lower-cased, diacritics kept), how it is usually
    written ("Biển Đông"), and its score (higher is likelier; comparable within one run)."""

    words: tuple[str, ...]
    shown: str
    score: float


def _is_word(token: str) -> bool:
    return len(token) <= MAX_WORD and not any(ch.isdigit() for ch in token)


def article_grams(text: str) -> dict[str, bool]:
    """The words and side-by-side word pairs of a text (lower-cased, diacritics kept), each with
    whether it is written capitalised somewhere: a word other than first in its clause, a pair with
    both its words capitalised. Words are side by side when only spaces part them; a word with a
    digit in it parts its neighbours."""
    found: dict[str, bool] = {}
    for clause in _CLAUSE.split(text):
        words = clause.split()
        if not words:
            continue
        lowered = lower_exact(clause).split()
        caps = [w[:1].isupper() for w in words]
        prev = -1
        for i, word in enumerate(lowered):
            if not (word.isalpha() and len(word) <= MAX_WORD):
                prev = -1
                continue
            found[word] = found.get(word, False) or (caps[i] and i > 0)
            if prev == i - 1 and prev >= 0:
                pair = f"{lowered[prev]} {word}"
                found[pair] = found.get(pair, False) or (caps[i] and caps[prev])
            prev = i
    return found


def count_grams(texts: Iterable[str]) -> dict[str, GramCount]:
    """Document frequencies of the words and pairs of `texts` (see article_grams)."""
    docs: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in texts:
        grams = article_grams(text)
        docs.update(grams.keys())
        capital.update(g for g, cap in grams.items() if cap)
    return {g: GramCount(n, capital[g]) for g, n in docs.items()}


def folded_key(gram: str) -> str:
    """What a reading folds to: the key it is looked up by ("biển đông" -> "bien dong")."""
    return fold(gram)


def restorable(token: str) -> bool:
    """Whether a typed token could stand for a word with diacritics (letters only, none typed)."""
    return _is_word(token) and fold(token) == lower_exact(token) and token.isalpha()


def restore(
    typed: list[str],
    counts: Mapping[str, Mapping[str, GramCount]],
    *,
    capitals: list[bool] | None = None,
    articles: int = 1,
    best: int = 3,
) -> list[Reading]:
    """The `best` likeliest readings of the folded words `typed` (a run of words side by side),
    likeliest first; [] when the counts know no reading of some word. `counts` maps a folded word
    or pair to its readings' counts (as the store keeps them); `capitals` says which words were
    typed with a capital, which prefers readings written so; `articles` is how many articles were
    counted. A bigram model: P(w1) · Π P(w[i+1] | w[i]), the pair evidence smoothed towards the
    second word's own frequency."""
    capitals = capitals or [False] * len(typed)
    options: list[list[tuple[str, float]]] = []
    for word, cap in zip(typed, capitals, strict=True):
        seen = counts.get(word, {})
        weighted = sorted(
            ((r, _weight(c, cap)) for r, c in seen.items() if " " not in r), key=lambda x: -x[1]
        )[:CANDIDATES]
        if not weighted:
            return []
        options.append(weighted)
    total = max(articles, 1)
    paths: list[tuple[float, tuple[str, ...]]] = []
    for path in product(*options):
        words = tuple(r for r, _ in path)
        score = math.log((path[0][1] + 0.5) / total)
        for i in range(1, len(path)):
            pair_counts = counts.get(f"{typed[i - 1]} {typed[i]}", {})
            pair = pair_counts.get(f"{words[i - 1]} {words[i]}")
            cap = capitals[i] or capitals[i - 1]
            joint = _weight(pair, cap) if pair else 0.0
            prior = (path[i][1] + 0.5) / total
            score += math.log((joint + SMOOTHING * prior) / (path[i - 1][1] + SMOOTHING))
        paths.append((score, words))
    paths.sort(key=lambda p: -p[0])
    plain = [False] * len(typed)  # the other readings are written as the store writes them
    return [
        Reading(words, _shown(words, counts, typed, capitals if i == 0 else plain), score)
        for i, (score, words) in enumerate(paths[:best])
    ]


def _weight(count: GramCount, capital: bool) -> float:
    return count.capital + CAPITAL_SHARE * count.docs if capital else float(count.docs)


def _shown(
    words: tuple[str, ...],
    counts: Mapping[str, Mapping[str, GramCount]],
    typed: list[str],
    capitals: list[bool],
) -> str:
    """The reading as it is usually written: a word capitalised where it was typed so, or where
    most articles capitalise it (in a pair with a neighbour, else alone)."""
    shown = []
    for i, word in enumerate(words):
        pairs = [
            counts.get(f"{typed[j]} {typed[j + 1]}", {}).get(f"{words[j]} {words[j + 1]}")
            for j in (i - 1, i)
            if 0 <= j < len(words) - 1
        ]
        evidence = [c for c in pairs if c is not None] or [counts.get(typed[i], {}).get(word)]
        capital = capitals[i] or any(c is not None and c.capital * 2 > c.docs for c in evidence)
        shown.append(word[:1].upper() + word[1:] if capital else word)
    return " ".join(shown)


__all__ = [
    "MAX_RUN",
    "GramCount",
    "Reading",
    "article_grams",
    "count_grams",
    "folded_key",
    "restorable",
    "restore",
]
