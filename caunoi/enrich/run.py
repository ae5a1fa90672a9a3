"""The enrichment stages over stored articles: what each finds, as data for `caunoi show --json`
and as tags for the search filters.

ENRICH_VERSION is stored with each article's result; `caunoi enrich --stale` redoes only the
articles enriched by an older version (or never). Bump it whenever a stage's output changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from caunoi.enrich.categories import default_model
from caunoi.enrich.docrefs import find_doc_refs
from caunoi.enrich.events import find_events
from caunoi.enrich.keywords import keyphrases, segment
from caunoi.enrich.taxonomy import find_topics

ENRICH_VERSION = 5  # 1: document refs; 2: + events; 3: + keyphrases; 4: + news category; 5: + taxonomy
ENRICHMENT_KEYS = ("keywords", "entities", "doc_refs", "events", "topics", "tone")  # in `show --json`


@dataclass
class Enrichment:
    data: dict[str, Any] = field(default_factory=dict)
    tags: dict[tuple[str, str], float] = field(default_factory=dict)  # (kind, value) -> score

    def tag(self, kind: str, value: str, score: float) -> None:
        key = (kind, value[:300])
        self.tags[key] = max(score, self.tags.get(key, 0.0))


def enrich(title: str, text: str, published: datetime | None = None, lang: str | None = None) -> Enrichment:
    """Every enrichment stage on one article's title and body. The text is segmented into words
    once, here, and the stages that need words share it."""
    out = Enrichment()
    clauses = segment(f"{title}\n{text}", lang) if lang in ("vi", "en") else []
    out.data["keywords"] = [k.to_json() for k in keyphrases(title, text, lang, clauses=clauses)]
    refs = []
    for where, part in (("title", title), ("text", text)):
        for ref in find_doc_refs(part):
            refs.append({**ref.to_json(), "in": where})
            if ref.id:
                out.tag("doc_ref", ref.id, ref.score)
    out.data["doc_refs"] = refs
    topics: dict[str, Any] = {}
    if lang == "vi":  # the classifier is trained on Vietnamese news only
        pred = default_model().predict(f"{title}\n{text}")
        topics["news_category"] = {
            "label": pred.label,
            "score": round(pred.score, 3),
            "uncertain": pred.uncertain,
            "ranked": [[label, round(score, 3)] for label, score in pred.ranked[:3]],
        }
        if not pred.uncertain:  # an uncertain guess is shown, not used by --topic
            out.tag("topic", pred.label, pred.score)
    topics["taxonomy"] = [m.to_json() for m in find_topics(title, text)]
    for match in topics["taxonomy"]:
        out.tag("topic", match["id"], match["score"])
    out.data["topics"] = topics
    events = find_events(text, published.date() if published else None)
    out.data["events"] = [e.to_json() for e in events]
    for event in events:
        if event.score >= 0.6:  # a generic mention ("nhiều hội thảo") is listed, not tagged
            out.tag("event_type", event.type, event.score)
    return out


def enrich_row(row: tuple) -> Enrichment:
    """`enrich` on a stored row (id, title, text, published, lang): what a process pool is handed."""
    _, title, text, published, lang = row
    return enrich(title, text, published, lang)
