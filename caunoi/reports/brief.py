"""The morning brief (điểm tin): what was written in a period, as the stories it was about.

The period's articles are those published in [start, end) and those known by their day only
(stamped 00:00) of a day the period overlaps (caunoi.store.figures.dated_in): the brief of 08:00
over the last 24 h has what was dated yesterday and today, as a reader expects. Reprints count once.

Ranking: priority before volume. A story's weight is its articles in the period, doubled when its
main topic is one of the organisation's priority topics — the taxonomy's (caunoi/data/taxonomy.yaml):
the one most of its articles in the period carry, when at least MAIN_TOPIC_SHARE of them do — and
doubled again when they name a Party or State body of the subject country (Bộ Ngoại giao, Quốc
hội…) by a name no other country's body shares (caunoi.enrich.gazetteer, BODIES). A story mostly
in the sport or entertainment sections (SOFT_SECTIONS) weighs half its articles, whatever it names.
So the Foreign Ministry's answer on Hoàng Sa in two articles (weight 8) outranks a football match
in three (1.5) and a plain story of seven; a story of twenty articles still outranks it. Heaviest
first, then most articles, outlets, most recent, and by id; the `top` first are kept, each with
`why` it weighed what it did.

The kept stories are grouped by main topic, in the taxonomy's order, "Other" last. Each shows its
region(s), articles in the period and in all, reprints, outlets, countries, mean tone, the first
sentences of its summary and links; topics, countries and regions are named in the brief's language
(caunoi.i18n). Then the foreign press (báo chí nước ngoài): what foreign and international outlets
(caunoi.models.outlet_origin, FOREIGN_ORIGINS) wrote in the period, best first — the articles of the
kept stories in the brief's order, then of the other stories, the biggest in the period first, each
story's newest first — with outlet and country, at most FOREIGN_ARTICLES. Then the alerts raised in
the period and the open cases with their deadlines.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from caunoi.enrich.gazetteer import BODIES, GENERIC, load_gazetteer
from caunoi.enrich.taxonomy import load_taxonomy
from caunoi.i18n import LABELS, REPORT_LABELS, country_name, name_of, region_name, topic_names
from caunoi.models import FOREIGN_ORIGINS
from caunoi.reports.document import Block, Document, Header, Heading, Paragraph, Run, Table, roman, words
from caunoi.reports.figures import Outlets
from caunoi.store import figures
from caunoi.timezones import HANOI, shown, utcnow

TOP_STORIES = 15
LINKS = 3
MAIN_TOPIC_SHARE = 0.3  # a story's main topic is carried by at least this share of its articles
PRIORITY_TOPIC = 2.0  # a story on a priority topic weighs this many times its articles…
SUBJECT_BODY = 2.0  # …and this many times more when it names the subject country's bodies
SOFT = 0.5  # a story mostly of these sections weighs this much an article, and no more
SOFT_SECTIONS = frozenset({"sport", "entertainment"})
FOREIGN_ARTICLES = 12  # the foreign press section's articles


@dataclass(frozen=True)
class RankedStory:
    """A story of the period as the brief weighs it."""

    story_id: int
    members: list[Any]  # its articles in the period (figures.BriefWindow rows), in time order
    topic: str | None  # its main priority topic
    bodies: tuple[str, ...]  # the subject country's bodies its articles name, most named first
    soft: bool  # at least half its articles are in SOFT_SECTIONS
    weight: float

    def why(self) -> dict[str, Any]:
        """What it weighed: articles × PRIORITY_TOPIC (topic) × SUBJECT_BODY (bodies), or × SOFT."""
        return {
            "weight": self.weight,
            "articles": len(self.members),
            "topic": self.topic,
            "bodies": list(self.bodies),
            "soft": self.soft,
        }


def build(
    engine: Engine,
    start: datetime,
    end: datetime,
    lang: str = "vi",
    top: int = TOP_STORIES,
    subject: str = "VN",
    *,
    chosen: Sequence[int] | None = None,
    comments: Mapping[int, str] | None = None,
    note: str = "",
    timezone: str = HANOI,
) -> dict[str, Any]:
    """The brief of [start, end): read (caunoi.store.figures), ranked, shaped. With `chosen` (story
    ids, an analyst's edition) those stories of the period in that order instead of the `top`
    heaviest, their sections in the order of their first story, each with its comment and the
    brief with its opening `note`. Cases' deadlines are shown in `timezone` (the organisation's)."""
    window, ranked = ranked_stories(engine, start, end, subject)
    if chosen is None:
        return shape(engine, window, ranked[:top], start, end, lang, subject=subject, timezone=timezone)
    of = {s.story_id: s for s in ranked}
    kept = [of[story_id] for story_id in dict.fromkeys(chosen) if story_id in of]
    return shape(
        engine, window, kept, start, end, lang, as_chosen=True, comments=comments, note=note, subject=subject,
        timezone=timezone,
    )  # fmt: skip


def ranked_stories(
    engine: Engine, start: datetime, end: datetime, subject: str = "VN"
) -> tuple[figures.BriefWindow, list[RankedStory]]:
    """The period's articles, and every story they are in, heaviest first."""
    bodies = f"{BODIES[subject]}:" if subject in BODIES else None
    window = figures.brief_window(engine, start, end, bodies, above=GENERIC)
    topics = [t.id for t in load_taxonomy() if t.priority]
    return window, rank(window.rows, window.signals, topics, bodies)


def rank(
    rows: Sequence[Any], signals: Mapping[int, list[Any]], topics: Sequence[str], bodies: str | None
) -> list[RankedStory]:
    """The stories of these articles (rows with id, story_id, source, when), heaviest first, from
    their articles' `signals` (topic tags; entity tags of the subject's bodies, ids starting with
    `bodies`). `topics` are the priority topics, in the taxonomy's order."""
    order = {t: i for i, t in enumerate(topics)}
    by_story: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_story[r.story_id].append(r)
    ranked = []
    for story_id, members in by_story.items():
        on: Counter = Counter()
        named: Counter = Counter()
        soft = 0
        for m in members:
            tags = signals.get(m.id, ())
            soft += any(t.kind == "topic" and t.value in SOFT_SECTIONS for t in tags)
            for t in tags:
                if t.kind == "topic" and t.value in order:
                    on[t.value] += 1
                elif t.kind == "entity" and bodies and t.value.startswith(bodies):
                    named[t.value] += 1
        main = main_topic(on, order, len(members))
        is_soft = 2 * soft >= len(members)
        weight = len(members) * (
            SOFT if is_soft else (PRIORITY_TOPIC if main else 1.0) * (SUBJECT_BODY if named else 1.0)
        )
        bodies_named = tuple(b for b, _ in sorted(named.items(), key=lambda kv: (-kv[1], kv[0])))
        ranked.append(RankedStory(story_id, members, main, bodies_named, is_soft, weight))
    return sorted(
        ranked,
        key=lambda s: (
            -s.weight,
            -len(s.members),
            -len({m.source for m in s.members}),
            -max(m.when for m in s.members).timestamp(),
            s.story_id,
        ),
    )


def main_topic(counts: Counter, order: Mapping[str, int], articles: int) -> str | None:
    """The topic most of a story's `articles` carry (`counts` by topic), the taxonomy's first on a
    tie, if at least MAIN_TOPIC_SHARE of them do: a topic a few touch on is not what it is about."""
    if not counts:
        return None
    main = min(counts, key=lambda k: (-counts[k], order[k]))
    return main if counts[main] >= MAIN_TOPIC_SHARE * articles else None


def shape(
    engine: Engine,
    window: figures.BriefWindow,
    kept: Sequence[RankedStory],
    start: datetime,
    end: datetime,
    lang: str = "vi",
    *,
    as_chosen: bool = False,
    comments: Mapping[int, str] | None = None,
    note: str = "",
    subject: str = "VN",
    timezone: str = HANOI,
) -> dict[str, Any]:
    """The brief itself: the kept stories grouped by main topic (the sections in the taxonomy's
    order, or `as_chosen`, in the order of their first story), each with its regions, outlets,
    countries, tone, summary, links, why it was kept and its comment; the totals of the period;
    the foreign press (`foreign_press`); its alerts and the open cases, each case's deadline (kept
    in UTC) also as `deadline_shown` in `timezone`, named: "25/11/2026 23:00 (GMT+7, Hà Nội)"."""
    rows = window.rows
    details = figures.brief_details(
        engine, start, end, [s.story_id for s in kept], [m.id for s in kept for m in s.members]
    )
    order = {t.id: i for i, t in enumerate(load_taxonomy())}
    label = topic_names(lang)
    gazetteer = load_gazetteer()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    regions_total: Counter = Counter()
    for ranked in kept:
        story = details.stories[ranked.story_id]
        members = ranked.members
        countries: Counter = Counter()
        tones = []
        for m in members:
            for t in details.tags.get(m.id, ()):
                if t.kind == "country":
                    countries[t.value] += 1
                elif t.kind == "tone" and t.value == "article":
                    tones.append(t.score)
        regions: Counter = Counter()
        for code, n in countries.items():
            entry = gazetteer.get(f"country:{code}")
            regions[(entry.get("region") if entry else "") or "?"] += n
        for region in regions:
            regions_total[region] += 1
        item = {
            "id": ranked.story_id,
            "title": story.title,
            "in_window": len(members),
            "articles": story.articles,
            "reprints": story.reprints,
            "outlets": Counter(m.source or "?" for m in members).most_common(),
            "countries": [country_name(c, lang) for c, _ in countries.most_common(6)],
            "regions": [region_name(r, lang) for r, _ in regions.most_common(3) if r != "?"],
            "tone": round(statistics.fmean(tones), 1) if tones else None,
            "summary": [x for x in story.summary or [] if x["text"] not in story.title][:2],
            "links": [{"title": m.title, "url": m.url, "source": m.source} for m in members[:LINKS] if m.url],
            "topic": ranked.topic,
            "comment": (comments or {}).get(ranked.story_id, ""),
            "why": ranked.why() | {"body_names": [name_of(b, "entity", lang) for b in ranked.bodies]},
        }
        groups[ranked.topic or ""].append(item)
    ordered = list(groups.items())  # as chosen: by their first story
    if not as_chosen:
        ordered.sort(key=lambda kv: (kv[0] == "", order.get(kv[0], 0)))
    now = datetime.now()
    return {
        "start": start,
        "end": end,
        "lang": lang,
        "made_at": now,
        "note": note,
        "totals": {
            "articles": len(rows),
            "stories": len({r.story_id for r in rows}),
            "outlets": len({r.source for r in rows}),
        },
        "groups": [
            {
                "topic": key or None,
                "label": label.get(key, REPORT_LABELS[lang]["other"]),
                "stories": items,
            }
            for key, items in ordered
        ],
        "regions": [
            (region_name(r, lang) if r != "?" else REPORT_LABELS[lang]["region_unknown"], n)
            for r, n in regions_total.most_common()
        ],
        "foreign": foreign_press(rows, [s.story_id for s in kept], Outlets(engine, subject), lang),
        "alerts": [
            {
                "id": a.id,
                "title": a.title,
                "rule": a.rule,
                "severity": a.severity,
                "created_at": a.created_at,
                "story_id": a.story_id,
                "state": a.state,
            }
            for a in details.alerts
        ],
        "cases": [
            {
                "id": c.id,
                "title": c.title,
                "state": c.state,
                "state_label": LABELS[lang].get(c.state, c.state),
                "priority": c.priority,
                "unit": c.unit,
                "deadline": c.deadline,
                "deadline_shown": shown(c.deadline, timezone, lang),
                "overdue": bool(c.deadline and c.deadline < utcnow()),  # deadlines are kept in UTC
                "story_id": c.story_id,
            }
            for c in details.cases
        ],
    }


def foreign_press(
    rows: Sequence[Any], kept: Sequence[int], outlets: Outlets, lang: str = "vi", most: int = FOREIGN_ARTICLES
) -> dict[str, Any]:
    """What foreign and international outlets wrote among `rows` (the period's articles), best first:
    those of the `kept` stories in their order, then of the other stories, the most written about in
    the period first; within a story the newest first. Each with its outlet, origin and country
    (named in `lang`); and how many such articles and outlets the period has in all."""
    foreign = [r for r in rows if outlets.origin(r.source) in FOREIGN_ORIGINS]
    place = {story_id: i for i, story_id in enumerate(kept)}
    size = Counter(r.story_id for r in rows)
    foreign.sort(
        key=lambda r: (
            place.get(r.story_id, len(place)),
            -size[r.story_id],
            r.story_id,
            -r.when.timestamp(),
            r.id,
        )
    )
    articles = []
    for r in foreign[:most]:
        code = outlets.country(r.source)
        articles.append({
            "id": r.id, "title": r.title, "url": r.url, "source": r.source, "when": r.when,
            "origin": outlets.origin(r.source), "country_code": code,
            "country": country_name(code, lang) if code else None, "story_id": r.story_id,
        })  # fmt: skip
    return {"articles": articles, "total": len(foreign), "outlets": len({r.source for r in foreign})}


# -- the brief as a document (caunoi.reports.document), for its PDF and DOCX ---------------------------


def brief_document(
    brief: dict[str, Any], *, issuer: str, place: str, parent: str | None = None, lang: str | None = None
) -> Document:
    """The brief (as `shape` or a saved edition gives it) as the one document model, rendered to PDF
    and DOCX like a review report: the issuer's header (no number: a brief is not filed), "ĐIỂM TIN"
    and its period, the analyst's note, each section's stories (title, facts, summary, comment,
    sources), then the new alerts and the open cases as tables. The HTML of the mail stays
    `html.brief_html`."""
    lang = lang or brief.get("lang") or "vi"
    t = REPORT_LABELS[lang]
    start, end = (_moment(brief[k]) for k in ("start", "end"))
    blocks: list[Block] = []
    if brief.get("note"):
        blocks += [Paragraph.of(line.strip()) for line in brief["note"].splitlines() if line.strip()]
    totals = brief["totals"]
    summary = f"{totals['articles']} {t['articles']} · {totals['stories']} {t['stories']} · "
    summary += f"{totals['outlets']} {t['outlets']}"
    if brief.get("regions"):
        summary += f". {t['by_region']}: " + ", ".join(f"{r} {n}" for r, n in brief["regions"])
    blocks.append(Paragraph.of(summary + ".", italic=True))
    for g, group in enumerate(brief["groups"], 1):
        blocks.append(Heading(1, f"{roman(g)}.", group["label"]))
        for n, story in enumerate(group["stories"], 1):
            blocks += _story_blocks(story, n, t)
    tables = len(brief["groups"]) + 1
    if brief.get("foreign") is not None:  # a brief saved before the section had none
        blocks.append(Heading(1, f"{roman(tables)}.", t["foreign_press"]))
        blocks += _foreign_blocks(brief["foreign"], t)
        tables += 1
    blocks.append(Heading(1, f"{roman(tables)}.", t["alerts"]))
    rows = tuple((str(a["id"]), a["rule"] or "", a["title"]) for a in brief.get("alerts") or [])
    blocks.append(_table_or_none(f"{words(lang)['table']} 1. {t['alerts']}", ("#", t["rule"], ""), rows, t))
    blocks.append(Heading(1, f"{roman(tables + 1)}.", t["cases"]))
    rows = tuple(
        (str(c["id"]), c.get("state_label") or c.get("state") or "", c.get("unit") or "",
         (_deadline(c) + (f" · {t['overdue']}" if c.get("overdue") else "")), c["title"])
        for c in brief.get("cases") or []
    )  # fmt: skip
    columns = ("#", t["state"], t["unit"], t["deadline"], "")
    blocks.append(_table_or_none(f"{words(lang)['table']} 2. {t['cases']}", columns, rows, t))
    return Document(
        style="state",
        header=Header(issuer=issuer, number="", place=place, on=end.date(), parent=parent),
        kind=t["brief"],
        subject=f"{t['brief_sub']} {t['from'].lower()} {start:%H:%M %d/%m/%Y} {t['to']} {end:%H:%M %d/%m/%Y}",
        blocks=blocks,
        lang=lang,
        title=f"{t['brief_mail']} {end:%d/%m/%Y}",
    )


def brief_file(brief: dict[str, Any], settings: Any, form: str) -> bytes:
    """The brief as a .pdf or .docx file (`brief_document` under the settings' issuer, parent body and
    place, the names the review report uses), or .html: the mail's page."""
    from caunoi.reports.html import brief_html
    from caunoi.reports.review import bilingual, render

    lang = brief.get("lang") or "vi"
    if form == "html":
        return brief_html(brief, lang).encode("utf-8")
    doc = brief_document(
        brief,
        issuer=bilingual(settings.report_issuer, lang),
        parent=bilingual(settings.report_parent, lang) or None,
        place=bilingual(settings.report_place, lang),
    )
    return render(doc, form)


def _story_blocks(story: dict[str, Any], n: int, t: dict[str, str]) -> list[Block]:
    facts = f"{story['in_window']} {t['articles']} {t['in_window']} ({story['articles']} {t['total']}"
    facts += f", {story['reprints']} {t['reprints']})" if story.get("reprints") else ")"
    outlets = ", ".join(f"{o} ({c})" if c > 1 else o for o, c in story.get("outlets", [])[:4])
    parts = [facts, outlets]
    if story.get("countries"):
        parts.append(f"{t['countries']}: {', '.join(story['countries'])}")
    if story.get("tone") is not None:
        parts.append(f"{t['tone']} {story['tone']:+.1f}")
    blocks: list[Block] = [
        Heading(2, f"{n}.", story["title"]),
        Paragraph.of(" · ".join(p for p in parts if p), italic=True),
    ]
    blocks += [Paragraph.of(line["text"]) for line in story.get("summary") or []]
    if story.get("comment"):
        blocks.append(Paragraph((Run(f"{t['comment']}: ", bold=True), Run(story["comment"]))))
    for link in story.get("links") or []:
        blocks.append(Paragraph.of(f"{link.get('source') or t['read']}: {link['url']}", italic=True))
    return blocks


def _foreign_blocks(foreign: dict[str, Any], t: dict[str, str]) -> list[Block]:
    if not foreign["articles"]:
        return [Paragraph.of(t["foreign_none"])]
    blocks: list[Block] = [
        Paragraph.of(f"{foreign['total']} {t['articles']} · {foreign['outlets']} {t['outlets']}", italic=True)
    ]
    for n, a in enumerate(foreign["articles"], 1):
        outlet = ", ".join(p for p in (a["source"], a.get("country")) if p)
        blocks.append(Paragraph((Run(f"{n}. {a['title']}", bold=True), Run(f" — {outlet}"))))
        if a.get("url"):
            blocks.append(Paragraph.of(a["url"], italic=True))
    return blocks


def _table_or_none(caption: str, columns: tuple[str, ...], rows: tuple, t: dict[str, str]) -> Block:
    if not rows:
        return Paragraph.of(t["none"])
    return Table(caption, columns, rows)


def _moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _deadline(case: dict[str, Any]) -> str:
    """A case's deadline as the brief shows it: in the organisation's zone, named (a brief saved
    before it was shown so: as it was kept, in UTC)."""
    if case.get("deadline_shown"):
        return case["deadline_shown"]
    value = case.get("deadline")
    return "" if not value else f"{_moment(value):%H:%M %d/%m/%Y} (UTC)"
