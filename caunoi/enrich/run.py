"""The enrichment stages over stored articles: what each finds, as data for `caunoi show --json`
and as tags for the search filters.

ENRICH_VERSION is stored with each article's result; `caunoi enrich --stale` redoes only the
articles enriched by an older version (or never). Bump it whenever a stage's output changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from caunoi.enrich.docrefs import find_doc_refs
from caunoi.enrich.events import find_events

ENRICH_VERSION = 2  # 1: document references; 2: + events
ENRICHMENT_KEYS = ("keywords", "entities", "doc_refs", "events", "topics", "tone")  # in `show --json`


@dataclass
class Enrichment:
    data: dict[str, Any] = field(default_factory=dict)
    tags: dict[tuple[str, str], float] = field(default_factory=dict)  # (kind, value) -> score

    def tag(self, kind: str, value: str, score: float) -> None:
        key = (kind, value[:300])
        self.tags[key] = max(score, self.tags.get(key, 0.0))


def enrich(title: str, text: str, published: datetime | None = None) -> Enrichment:
    """Every enrichment stage on one article's title and body."""
    out = Enrichment()
    refs = []
    for where, part in (("title", title), ("text", text)):
        for ref in find_doc_refs(part):
            refs.append({**ref.to_json(), "in": where})
            if ref.id:
                out.tag("doc_ref", ref.id, ref.score)
    out.data["doc_refs"] = refs
    events = find_events(text, published.date() if published else None)
    out.data["events"] = [e.to_json() for e in events]
    for event in events:
        if event.score >= 0.6:  # a generic mention ("nhiều hội thảo") is listed, not tagged
            out.tag("event_type", event.type, event.score)
    return out
