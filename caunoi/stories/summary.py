"""A story's title and extractive summary, from its articles.

Title: the title of the article closest to the story's centroid (the one that tells the story
most like the rest do), the earliest on a tie. Summary: up to SENTENCES sentences from the leads
of its articles (the first LEAD_SENTENCES sentences of each), the ones closest to the centroid,
each from a different article and not repeating a sentence already chosen; in the story's main
language, in publication order, each with the article it came from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from caunoi.stories.cluster import Article, Clusterer, Story
from caunoi.text.fold import fold, tokens

SENTENCES = 3
LEAD_SENTENCES = 2
FIRST, LATEST = 10, 30  # articles read: the first ten and the latest thirty (originals first)
SAMPLE = FIRST + LATEST
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“'‘(\[]?[A-ZĐÀ-Ỹ0-9])")


def _sample(members: list[Any]) -> list[Any]:
    if len(members) <= SAMPLE:
        return members
    return members[:FIRST] + members[-LATEST:]


def describer(clusterer: Clusterer) -> Callable[[Any, list[Any]], tuple[str, list[dict]]]:
    """What the store calls to title and summarise a story as it saves it (in the same
    transaction): from the story's row and its FIRST and LATEST originals, read by the store."""

    def describe(row: Any, members: list[Any]) -> tuple[str, list[dict]]:
        story = clusterer.active.get(row.id)
        if story is None:  # retired: as its state was saved
            story = Story.from_state(row.id, row.first_seen, row.last_seen, row.state)
        return title_and_summary(story, members, clusterer)

    return describe


def _cosine(vec: dict[int, float], story: Story) -> float:
    if not story.norm:
        return 0.0
    return sum(vec[b] * story.centroid[b] for b in vec.keys() & story.centroid.keys()) / story.norm


def lead_sentences(text: str, count: int = LEAD_SENTENCES) -> list[str]:
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if len(paragraph) >= 40:
            return [s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.strip()) >= 30][:count]
    return []


def title_and_summary(story: Story, members: list[Any], clusterer: Clusterer) -> tuple[str, list[dict]]:
    """`members`: rows with id, title, text, lang, when, original_id (publication order)."""
    originals = [m for m in members if m.original_id is None] or members
    sample = _sample(originals)
    langs = Counter(m.lang for m in sample)
    main_lang = langs.most_common(1)[0][0] if langs else None

    def vector(title: str, text: str) -> dict[int, float]:
        return clusterer.vector(Article(0, sample[0].when, None, title, text), learn=False)

    scored = [(_cosine(vector(m.title, m.text), story), -i, m) for i, m in enumerate(sample)]
    title = max(scored, key=lambda s: (s[0], s[1]))[2].title if scored else ""
    candidates = []
    for i, m in enumerate(sample):
        if m.lang != main_lang:
            continue
        for sentence in lead_sentences(m.text):
            candidates.append((_cosine(vector("", sentence), story), -i, sentence, m))
    chosen: list[tuple[int, str, Any]] = []
    seen_articles: set[int] = set()
    seen_words: list[set[str]] = []
    for score, order, sentence, m in sorted(candidates, key=lambda c: (-c[0], -c[1])):
        if m.id in seen_articles or score <= 0:
            continue
        words = set(tokens(fold(sentence)))
        if any(len(words & other) > 0.6 * min(len(words), len(other)) for other in seen_words):
            continue
        chosen.append((-order, sentence, m))
        seen_articles.add(m.id)
        seen_words.append(words)
        if len(chosen) == SENTENCES:
            break
    summary = [
        {"text": sentence, "article_id": m.id} for _, sentence, m in sorted(chosen, key=lambda c: c[0])
    ]
    return title, summary
