"""The enrichment stages over stored articles: what each finds, as data for `caunoi show --json`
and as tags for the search filters.

ENRICH_VERSION is stored with each article's result; `caunoi enrich --stale` redoes only the
articles enriched by an older version (or never). Bump it whenever a stage's output changes.

Offsets: `entities`, `tone` and its passages count in title + "\n" + text; `doc_refs` in the part
their "in" names (title or text); `events` in the text.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from caunoi.enrich import tone as tone_
from caunoi.enrich.categories import default_model
from caunoi.enrich.docrefs import find_doc_refs
from caunoi.enrich.events import find_events
from caunoi.enrich.gazetteer import BODIES, find_mentions, load_gazetteer
from caunoi.enrich.keywords import keyphrases
from caunoi.enrich.orgs import Org, find_orgs
from caunoi.enrich.persons import find_persons
from caunoi.enrich.taxonomy import find_topics, load_taxonomy
from caunoi.models import ENRICHMENT_KEYS, Enrichment

log = logging.getLogger(__name__)

# 1: document refs; 2: + events; 3: + keyphrases; 4: + news category; 5: + taxonomy;
# 6: + tone, and one word segmentation shared by keyphrases and tone; 7: + entities (gazetteers);
# 8: keyphrases on that shared segmentation, document frequencies rebuilt with it; 9: + laws by name;
# 10: + persons with their titles; 11: keyphrase title and lead weights from the shared word offsets;
# 12: + organisations outside the gazetteers (head noun + name); 13: tone of French articles, and subject
# passages also where the gazetteer names Viet Nam ("nước ta", "VN"); 14: entities in other languages
# (names in other scripts and languages, leaders), the countries of bodies and leaders tagged
# 15: a Vietnamese name written without diacritics after a title ("Prime Minister Pham Minh Chinh")
ENRICH_VERSION = 15
IMPLIED = 0.8  # the score of a country tagged through one of its bodies or leaders


def enrich(
    title: str,
    text: str,
    published: datetime | None = None,
    lang: str | None = None,
    *,
    taxonomy_path: str = "",
) -> Enrichment:
    """Every enrichment stage on one article's title and body. The text is segmented into words
    once, here, and the stages that need words share it. `taxonomy_path` is the setting (empty: the
    shipped topics, or CAUNOI_TAXONOMY's)."""
    out = Enrichment()
    whole = f"{title}\n{text}"
    reading = tone_.read(whole, lang)  # None unless Vietnamese or English
    clauses = tone_.clauses(reading) if reading else []
    out.data["keywords"] = [k.to_json() for k in keyphrases(title, text, lang, clauses=clauses)]
    gazetteer = load_gazetteer()
    mentions = find_mentions(whole, gazetteer, lang)
    orgs = find_orgs(whole, mentions)
    entities = _entities(mentions, gazetteer)
    known = {e["id"] for e in entities}  # a leader the gazetteer lists is found by persons too
    people = [p for p in _persons(whole, mentions, orgs) if p["id"] not in known]
    out.data["entities"] = entities + people + _orgs(orgs)
    for entity in out.data["entities"]:
        if entity["score"] >= 0.6:  # weaker ones (a language name, "tiếng Anh") are listed, not tagged
            out.tag("entity", entity["id"], entity["score"])
            if entity["type"] == "country":
                out.tag("country", entity["id"].split(":", 1)[1], entity["score"])
    for code, score in _implied_countries(entities, gazetteer).items():
        # "МИД Вьетнама", "范明政": the country of a body or a leader is named too
        if out.tags.get(("country", code), 0.0) < score:
            out.tag("country", code, score)
            out.tag("entity", f"country:{code}", score)
    out.data["tone"] = _tone(whole, lang, reading, mentions)
    if out.data["tone"] is not None:  # the score is the tone itself, negative or not
        out.tags[("tone", "article")] = out.data["tone"]["tone"]
        if out.data["tone"]["subject"] is not None:
            out.tags[("tone", "subject")] = out.data["tone"]["subject"]["tone"]
    refs = []
    for where, part in (("title", title), ("text", text)):
        for ref in find_doc_refs(part):
            refs.append({**ref.to_json(), "in": where})
            if ref.id:
                out.tag("doc_ref", ref.id, ref.score)
                if ref.system == "law" and ref.year:  # "Luật Báo chí 2016" is also "Luật Báo chí"
                    out.tag("doc_ref", ref.id.rsplit(" ", 1)[0], ref.score)
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
    taxonomy = load_taxonomy(taxonomy_path or None)
    topics["taxonomy"] = [m.to_json() for m in find_topics(title, text, taxonomy)]
    for match in topics["taxonomy"]:
        out.tag("topic", match["id"], match["score"])
    out.data["topics"] = topics
    events = find_events(text, published.date() if published else None)
    out.data["events"] = [e.to_json() for e in events]
    for event in events:
        if event.score >= 0.6:  # a generic mention ("nhiều hội thảo") is listed, not tagged
            out.tag("event_type", event.type, event.score)
    return out


def enrich_row(row: tuple, taxonomy_path: str = "") -> Enrichment:
    """`enrich` on a stored row (id, title, text, published, lang): what a process pool is handed.

    A stage that fails on one article costs that article only: it is stored as enriched by this
    version with nothing found and the error in `data["error"]`, so the batch, the ingest or watch
    round behind it, and every later run go on (the same article would fail again, run after run)."""
    article_id, title, text, published, lang = row
    try:
        return enrich(title, text, published, lang, taxonomy_path=taxonomy_path)
    except Exception as exc:  # whatever a stage or its library raises on a strange text
        log.warning("enrichment failed on article %s: %s: %s", article_id, type(exc).__name__, exc)
        log.debug("what enrichment raised", exc_info=True)
        empty: dict[str, Any] = {key: [] for key in ENRICHMENT_KEYS} | {"topics": {}, "tone": None}
        return Enrichment(data={**empty, "error": f"{type(exc).__name__}: {str(exc)[:500]}"})


def _tone(whole: str, lang: str | None, reading, mentions: list) -> dict[str, Any] | None:
    """Article tone, and the tone of the passages naming the subject country (offsets are into
    title + newline + text); None for a language without a lexicon."""
    if reading is None:
        return None
    article = tone_.tone(whole, lang, reading=reading)
    if article is None:
        return None
    passages = tone_.passage_tone(whole, lang, reading=reading, mentions=mentions) or []
    subject = tone_.subject_tone(passages)
    found = article.to_json()
    return {
        **found,
        "matched": found["matched"][:50],
        "subject": {k: v for k, v in subject.to_json().items() if k != "matched"} if subject else None,
        "passages": [{k: v for k, v in p.to_json().items() if k != "matched"} for p in passages[:20]],
    }


def _entities(mentions: list, gazetteer) -> list[dict[str, Any]]:
    """Gazetteer entries named in the article (offsets into title + newline + text), most named first."""
    grouped: dict[str, dict[str, Any]] = {}
    for m in mentions:
        entry = gazetteer.get(m.entry_id)
        item = grouped.setdefault(
            m.entry_id,
            {
                "id": m.entry_id,
                "type": m.type,
                "name_vi": entry.name_vi if entry else m.surface,
                "name_en": entry.name_en if entry else None,
                "count": 0,
                "score": 0.0,
                "mentions": [],
            },
        )
        item["count"] += 1
        item["score"] = max(item["score"], m.score)
        if len(item["mentions"]) < 5:
            item["mentions"].append([m.surface, m.start, m.end])
    return sorted(grouped.values(), key=lambda e: (-e["count"], e["id"]))


def _implied_countries(entities: list[dict[str, Any]], gazetteer) -> dict[str, float]:
    """The countries whose bodies (BODIES) or leaders (vn_leaders.tsv) the entities are, with the
    best score of those mentions (at most IMPLIED: the country is not named as such)."""
    bodies = {etype: code for code, etype in BODIES.items()}
    found: dict[str, float] = {}
    for entity in entities:
        entry = gazetteer.get(entity["id"])
        code = bodies.get(entity["type"]) or (entry.get("country") if entry is not None else "")
        if code and entity["score"] >= 0.9:  # a generic "Bộ Ngoại giao" (0.6) may be any country's
            found[code] = max(found.get(code, 0.0), min(entity["score"], IMPLIED))
    return found


def _persons(whole: str, mentions: list, orgs: list[Org]) -> list[dict[str, Any]]:
    """People named in the article, one entry per person, with the first title and organisation given."""
    grouped: dict[str, dict[str, Any]] = {}
    for p in find_persons(whole, mentions, orgs):
        item = grouped.setdefault(
            p.id,
            {"id": p.id, "type": "person", "name_vi": p.name, "name_en": None, "count": 0, "score": 0.0,
             "title": None, "organisation": None, "organisation_id": None, "country_id": None,
             "mentions": []},
        )  # fmt: skip
        item["count"] += 1
        item["score"] = max(item["score"], p.score)
        for key in ("title", "organisation", "organisation_id", "country_id"):
            item[key] = item[key] or getattr(p, key)
        if len(item["mentions"]) < 5:
            item["mentions"].append([p.name, p.start, p.end])
    return sorted(grouped.values(), key=lambda e: (-e["count"], e["id"]))


def _orgs(orgs: list[Org]) -> list[dict[str, Any]]:
    """Organisations the gazetteers do not list, one entry per id (a name and its abbreviation in brackets
    are one), with their kind ("hospital", "police", ...)."""
    grouped: dict[str, dict[str, Any]] = {}
    for o in orgs:
        item = grouped.setdefault(
            o.id,
            {"id": o.id, "type": "org", "name_vi": o.name, "name_en": None, "kind": o.kind, "count": 0,
             "score": 0.0, "mentions": []},
        )  # fmt: skip
        if o.head is not None and len(o.name) > len(item["name_vi"]):
            item["name_vi"] = o.name  # the name rather than its abbreviation, the head included if written
        item["count"] += 1
        item["score"] = max(item["score"], o.score)
        if len(item["mentions"]) < 5:
            item["mentions"].append([o.name, o.start, o.end])
    return sorted(grouped.values(), key=lambda e: (-e["count"], e["id"]))
