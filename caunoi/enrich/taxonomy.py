"""The topics of external-information work (caunoi/data/taxonomy.yaml), multi-label, with evidence.

A term matches as whole words, case-insensitively, with its diacritics: folding them away would make
"chùa" (pagoda) match "chưa" (not yet) and "DOC" match "đọc". Terms written in capitals (ASEAN, DOC,
FDI) match only in capitals. Terms and text share the store's tone-mark placement, so "hòa bình"
and "hoà bình" are one term. An article gets a topic when it has `min_terms` different terms of it
or one term `min_count` times; each assignment carries the matched terms with their counts and the
first passages, so a person can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from caunoi.config import from_environment
from caunoi.text.vietnamese import normalize

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "taxonomy.yaml"
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Topic:
    id: str
    vi: str
    en: str
    folded: re.Pattern | None  # the case-insensitive terms
    capitals: re.Pattern | None  # the terms written in capitals, matched as written
    min_terms: int
    min_count: int
    priority: bool = True  # one of the organisation's priority topics: the brief ranks its stories first
    terms: tuple[str, ...] = ()  # every term, as written


@dataclass
class TopicMatch:
    id: str
    label_vi: str
    label_en: str
    score: float  # share of the article's sentences that have a term of it, 0-1, at least 0.01
    terms: dict[str, int] = field(default_factory=dict)
    passages: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "vi": self.label_vi,
            "en": self.label_en,
            "score": round(self.score, 3),
            "terms": self.terms,
            "passages": self.passages,
        }


def _pattern(terms: list[str], flags: int) -> re.Pattern | None:
    if not terms:
        return None
    alternation = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternation})(?!\w)", flags)


@cache
def load_taxonomy(path: str | None = None) -> tuple[Topic, ...]:
    """The topics of `path` (the setting taxonomy_path), else of the file CAUNOI_TAXONOMY names, else
    of the shipped file. The callers that have no settings at hand pass no path."""
    source = Path(path or from_environment("taxonomy_path") or DEFAULT)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    defaults = data.get("defaults") or {}
    topics = []
    for raw in data["topics"]:
        terms = [normalize(str(t)).strip() for t in raw.get("terms") or []]
        capitals = [t for t in terms if t.isupper()]
        others = [t for t in terms if not t.isupper()]
        topics.append(
            Topic(
                id=str(raw["id"]),
                vi=str(raw.get("vi") or raw["id"]),
                en=str(raw.get("en") or raw["id"]),
                folded=_pattern(others, re.IGNORECASE),
                capitals=_pattern(capitals, 0),
                min_terms=int(raw.get("min_terms", defaults.get("min_terms", 2))),
                min_count=int(raw.get("min_count", defaults.get("min_count", 3))),
                priority=bool(raw.get("priority", True)),
                terms=tuple(terms),
            )
        )
    return tuple(topics)


def find_topics(title: str, text: str, topics: tuple[Topic, ...] | None = None) -> list[TopicMatch]:
    """The taxonomy topics of an article, most present first."""
    sentences = [s for s in _SENTENCE.split(f"{title}\n{text}") if s.strip()]
    found = []
    for topic in topics or load_taxonomy():
        terms: dict[str, int] = {}
        passages: list[str] = []
        hit_sentences = 0
        for sentence in sentences:
            here = [m[1] for p in (topic.folded, topic.capitals) if p for m in p.finditer(sentence)]
            if not here:
                continue
            hit_sentences += 1
            for term in here:
                key = term if term.isupper() else term.lower()
                terms[key] = terms.get(key, 0) + 1
            if len(passages) < 2:
                passages.append(sentence.strip()[:300])
        if len(terms) >= topic.min_terms or (terms and max(terms.values()) >= topic.min_count):
            score = max(0.01, hit_sentences / max(1, len(sentences)))
            found.append(TopicMatch(topic.id, topic.vi, topic.en, score, terms, passages))
    return sorted(found, key=lambda m: -m.score)
