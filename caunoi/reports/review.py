"""The review report (báo cáo sơ kết / tổng kết) of the whole system, a unit or a mission, for a
half-year, a year or any period: its figures read from the store once (`review_figures`), then laid
out as one `Document` (`review_document`, caunoi.reports.document) that the DOCX, PDF and HTML
renderers print in the administrative format (../shared/REPORTS.md); `build_review` does both.

What goes in, each figure over the period, the period of the same length just before it and the
same period a year before (`Compared`):
- monitoring: the articles stored (by publication time) and per day, by the outlet's country and
  language, the foreign outlets' share (an outlet's origin as the evaluation reads it:
  caunoi.outreach.evaluation.outlet_origin), the tone of the passages about the subject country (the
  setting subject_country), the period's main stories, and the taxonomy's topics (the priority topics
  of the work, caunoi/data/taxonomy.yaml in its order). A mission's report reads its host countries'
  outlets only; the whole system's and a unit's at home read every outlet;
- rapid response: the cases opened in the period, their state now, the median time from opening to
  the first answer, those overdue (a deadline passed before the first answer, or before the period's
  end, or now, without one), and the fact sheets the answers of the period used;
- outreach: the AMEC evaluation's figures (caunoi.outreach.evaluation, reused as it computes them:
  activities by type, products, packs sent and acknowledged, earned coverage, its outlets and foreign
  share; a mission's host-media outcomes), activities by unit for the whole system, and the objectives
  of the campaigns running in the period against their targets, each evaluated over its days in it.

Only the period's records go in: every query is bounded by its days, read in the setting `timezone`
and converted to the time each table keeps (activities: UTC; articles: wall-clock time in Hà Nội,
caunoi.text.timestamps; cases: UTC, caunoi.timezones). The narrative sections (limitations,
causes, directions, recommendations) are people's: `narrative` gives their text, else each is a
placeholder that asks the unit to write it. The closing "./.", the national header and the layout
are the renderers'."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine

from caunoi.config import Settings
from caunoi.errors import Invalid, check_choice
from caunoi.i18n import LABELS, REVIEW_LABELS, name_of, topic_names
from caunoi.outreach import Evaluation, OutreachService
from caunoi.outreach.common import day, moment, utcnow, zone
from caunoi.outreach.evaluation import months_before, outlet_origin, part_name
from caunoi.reports import plots
from caunoi.reports.document import (
    STYLES,
    Document,
    Figure,
    Header,
    Heading,
    Paragraph,
    Signature,
    Table,
    document_number,
    letter,
    roman,
    words,
)
from caunoi.store import figures
from caunoi.store.review import ReviewRepository
from caunoi.text.timestamps import LOCAL_ZONE
from caunoi.units import Unit

LANGS = ("vi", "en")
TOP_STORIES = 10  # the period's main stories listed
MAX_PERIOD_DAYS = 3660  # ten years (tổng kết 10 năm): longer periods are refused, not computed for minutes
TOP_LINES = 10  # lines of a breakdown in a table (countries, languages, units); the rest as one line
NARRATIVE = ("limitations", "causes", "directions", "recommendations")
EVALUATED = (
    "activities",
    "products",
    "packs_sent",
    "packs_acknowledged",
    "earned_articles",
    "outlets",
    "foreign_share",
)
HOST_EVALUATED = ("host_tone", "subject_attention", "share_of_voice")  # a mission's, with host countries
CASE_STATES = ("new", "triaged", "assigned", "answered", "closed")  # caunoi.cases.STATES
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
# a mission's head signs its report: the title by the unit's type (caunoi.units.UNIT_TYPES)
SIGNERS = {
    "embassy": "embassy",
    "consulate_general": "consul_general",
    "consulate": "consul",
    "permanent_mission": "head_of_mission",
    "delegation": "head_of_mission",
}


class ReviewError(Invalid):
    """A review report that cannot be made as asked; the message says what to give instead."""


# -- the period ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days from `start` to `last`, both included."""

    start: date
    last: date

    @property
    def end(self) -> date:
        """The day after the last: the period is [start, end)."""
        return self.last + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last - self.start).days + 1

    def before(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def year_before(self) -> Period:
        """The same days a year before (29 February as the 28th; a month's last day as that month's)."""
        last = months_before(self.last, 12)
        if self.last.month != (self.last + timedelta(days=1)).month:  # a month's last day
            last = months_before(self.last + timedelta(days=1), 12) - timedelta(days=1)
        return Period(months_before(self.start, 12), last)

    @property
    def kind(self) -> str:
        """first_half (1/1–30/6), second_half (1/7–31/12), year (1/1–31/12) or other."""
        y = self.start.year
        if self.last.year == y and self.start == date(y, 1, 1):
            if self.last == date(y, 6, 30):
                return "first_half"
            if self.last == date(y, 12, 31):
                return "year"
        if self.start == date(y, 7, 1) and self.last == date(y, 12, 31):
            return "second_half"
        return "other"


def period(start: date | str | None, last: date | str | None) -> Period:
    """The period from `start` to `last` (dates, or text as ISO 2026-01-01 or 01/01/2026), both
    included, or the refusal that says what to give."""
    first, final = day(start, "from"), day(last, "to")
    if first is None or final is None:
        raise ReviewError(
            "review_no_period", "give the period: its first and its last day, e.g. 2026-01-01 and 2026-06-30"
        )
    if final < first:
        raise ReviewError(
            "review_bad_period",
            "the period ends ({end}) before it starts ({start})",
            start=first.isoformat(),
            end=final.isoformat(),
        )
    found = Period(first, final)
    if found.days > MAX_PERIOD_DAYS:  # a ten-year review is the longest these offices write
        raise ReviewError(
            "review_period_too_long",
            "the period {start} – {end} is longer than {years} years: a review covers at most that",
            start=first.isoformat(),
            end=final.isoformat(),
            years=MAX_PERIOD_DAYS // 366,
        )
    if first.year < 3 or first - date.min <= timedelta(days=2 * found.days) or final == date.max:
        raise ReviewError(
            "review_long_period",
            "the period {start} – {end} cannot be compared with the one before it and the year before: "
            "choose another",
            start=first.isoformat(),
            end=final.isoformat(),
        )
    return found


@dataclass(frozen=True)
class Window:
    """A period's bounds [start, end) as each table keeps time."""

    utc: tuple[datetime, datetime]  # activities, packs (naive UTC)
    articles: tuple[datetime, datetime]  # wall-clock time in Hà Nội (caunoi.text.timestamps)
    cases: tuple[datetime, datetime]  # naive UTC too (caunoi.timezones); before 2026-12: local time


def window(p: Period, timezone: str) -> Window:
    """The period's days read in `timezone`, as each table keeps time."""
    tz = zone(timezone)
    since, until = moment(p.start, tz, "from"), moment(p.end, tz, "to")
    assert since is not None and until is not None

    def wall(at: datetime, where: Any) -> datetime:
        return at.replace(tzinfo=UTC).astimezone(where).replace(tzinfo=None)

    return Window(
        (since, until),
        (wall(since, LOCAL_ZONE), wall(until, LOCAL_ZONE)),
        (since, until),
    )


# -- the figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compared:
    """A figure over the period, over the period of the same length before it, and over the same
    period a year before (None: not known, e.g. a mean of nothing)."""

    value: float | None
    before: float | None
    year_before: float | None


@dataclass(frozen=True)
class Line:
    """One line of a breakdown (a country, a language, a topic, a state …), compared."""

    key: str
    value: float | None
    before: float | None
    year_before: float | None


@dataclass(frozen=True)
class StoryLine:
    id: int
    title: str
    articles: int  # published in the period, reprints left out
    outlets: int
    first: datetime  # its first and last such article
    last: datetime


@dataclass(frozen=True)
class FactSheetUse:
    id: int
    title: str
    uses: int  # responses of the period that used it


@dataclass(frozen=True)
class ObjectiveLine:
    """A campaign's objective with its target and what the campaign's days in the period reached."""

    campaign: str
    title: str
    indicator: str
    metric: str | None
    target: float
    value: float | None
    progress: float | None  # in percent of the target
    due_on: date | None


@dataclass(frozen=True)
class Monitoring:
    countries: list[str]  # the host countries whose outlets are read (a mission's); [] = every outlet
    articles: Compared
    per_day: Compared
    foreign: Compared  # articles of foreign or international outlets
    foreign_share: Compared  # their share, in percent
    by_country: list[Line]  # by the outlet's country ("?": an outlet of unknown country), most first
    by_language: list[Line]
    tone: Compared  # mean tone of the passages naming the subject country, GDELT's scale
    foreign_tone: Compared  # the same in the foreign outlets' articles
    toned: Compared  # articles with that tone
    stories: list[StoryLine]  # the period's main stories
    topics: list[Line]  # the taxonomy's topics, in its order
    timeline: list[tuple[str, int]]  # articles per day (a period of up to 62 days) or per month


@dataclass(frozen=True)
class RapidResponse:
    opened: Compared
    answered: Compared  # of the cases opened, those with a response
    median_hours: Compared  # from opening to the first response, of those answered
    overdue: Compared
    fact_sheets: Compared  # distinct fact sheets used in the period's responses
    by_state: list[Line]  # the cases opened, by their state now
    used: list[FactSheetUse]  # in the period
    cases: list[int]  # the ids of the period's cases


@dataclass(frozen=True)
class OutreachResults:
    figures: dict[str, Compared]  # evaluation key -> its value over the three periods (EVALUATED, and
    # HOST_EVALUATED for a mission's report)
    by_type: list[Line]  # activities
    by_kind: list[Line]  # products
    by_unit: list[Line]  # activities, the whole system's report only
    unit_names: dict[str, dict[str, str]]  # lang -> unit code -> "code — name", for by_unit
    objectives: list[ObjectiveLine]
    host_countries: list[str]


@dataclass(frozen=True)
class ReviewScope:
    unit: str | None  # None: the whole system
    name: str
    name_en: str | None
    kind: str | None  # unit | mission
    type: str | None
    city: str | None


@dataclass(frozen=True)
class Review:
    """What a review report says, as data (`caunoi report review --json`)."""

    scope: ReviewScope
    period: Period
    before: Period
    year_before: Period
    timezone: str
    subject: str
    monitoring: Monitoring
    response: RapidResponse
    outreach: OutreachResults
    computed_at: datetime  # UTC


class Store(Protocol):
    """What the review reads (caunoi.service.Service has it)."""

    engine: Engine
    settings: Settings

    @property
    def outreach(self) -> OutreachService: ...


def _lines(
    counts: list[Mapping[str, float]], order: Iterable[str] | None = None, top: int | None = None
) -> list[Line]:
    """Lines of three periods' counts: in `order` when given (all of them), else most in the period
    first (then most before, then by key; the unknown "?" last), `top` of them and the rest as one
    line "other"."""
    now, *_ = counts
    if order is not None:
        keys = list(order)
    else:
        seen = {k for c in counts for k in c}
        keys = sorted(seen, key=lambda k: (k == "?", -now.get(k, 0), -sum(c.get(k, 0) for c in counts), k))
    shown, rest = (keys[:top], keys[top:]) if top is not None and len(keys) > top + 1 else (keys, [])
    lines = [Line(k, *(c.get(k, 0) for c in counts)) for k in shown]
    if rest:
        lines.append(Line("other", *(sum(c.get(k, 0) for k in rest) for c in counts)))
    return lines


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _share(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def review_figures(
    store: Store, *, start: date | str, last: date | str, unit: str | None = None, top: int = TOP_STORIES
) -> Review:
    """The figures of the review report of `unit` (a unit or mission, by code; None: the whole
    system) from the day `start` to the day `last`, both included."""
    settings = store.settings
    p = period(start, last)
    periods = (p, p.before(), p.year_before())
    seat = store.outreach.units.get(unit) if unit else None
    scope = ReviewScope(
        seat.code if seat else None,
        seat.name if seat else "",
        seat.name_en if seat else None,
        seat.kind if seat else None,
        seat.type if seat else None,
        seat.city if seat else None,
    )
    windows = [window(x, settings.timezone) for x in periods]
    repo = ReviewRepository(store.engine)
    hosts = _hosts(seat, settings.subject_country)
    return Review(
        scope=scope,
        period=p,
        before=periods[1],
        year_before=periods[2],
        timezone=settings.timezone,
        subject=settings.subject_country,
        monitoring=_monitoring(store, repo, periods, windows, hosts, top),
        response=_response(repo, windows, scope.unit),
        outreach=_outreach(store, periods, seat),
        computed_at=utcnow(),
    )


def _hosts(seat: Unit | None, subject: str) -> list[str]:
    """The host countries whose outlets a mission's report reads; none for a unit at home."""
    if seat is None or seat.kind != "mission":
        return []
    found = list(seat.countries) or ([seat.country] if seat.country else [])
    return [c for c in dict.fromkeys(found) if c != subject]


def _monitoring(
    store: Store,
    repo: ReviewRepository,
    periods: tuple[Period, ...],
    windows: list[Window],
    hosts: list[str],
    top: int,
) -> Monitoring:
    from caunoi.enrich.taxonomy import load_taxonomy

    subject = store.settings.subject_country
    watched = []
    for w in windows:
        rows = repo.articles(*w.articles, hosts)
        tone: dict[int, float] = {}
        topics: Counter = Counter()
        for tag in figures.article_tags_of(store.engine, [r.id for r in rows], ("tone", "topic")):
            if tag.kind == "topic":
                topics[tag.value] += 1
            elif tag.value == "subject":
                tone[tag.article_id] = tag.score
        foreign = [r.id for r in rows if outlet_origin(r.origin, r.country, subject) == "foreign"]
        watched.append(
            {
                "rows": rows,
                "articles": len(rows),
                "foreign": len(foreign),
                "tone": _mean(list(tone.values())),
                "foreign_tone": _mean([tone[a] for a in foreign if a in tone]),
                "toned": len(tone),
                "countries": Counter(r.country or "?" for r in rows),
                "languages": Counter(r.lang or "?" for r in rows),
                "topics": topics,
            }
        )

    def compared(key: str) -> Compared:
        return Compared(*[w[key] for w in watched])

    taxonomy = [t.id for t in load_taxonomy(store.settings.taxonomy_path or None)]
    return Monitoring(
        countries=hosts,
        articles=compared("articles"),
        per_day=Compared(*[round(w["articles"] / x.days, 1) for w, x in zip(watched, periods, strict=True)]),
        foreign=compared("foreign"),
        foreign_share=Compared(*[_share(w["foreign"], w["articles"]) for w in watched]),
        by_country=_lines([w["countries"] for w in watched], top=TOP_LINES),
        by_language=_lines([w["languages"] for w in watched], top=TOP_LINES),
        tone=compared("tone"),
        foreign_tone=compared("foreign_tone"),
        toned=compared("toned"),
        stories=[
            StoryLine(s.id, s.title, s.articles, s.outlets, s.first, s.last)
            for s in repo.stories(*windows[0].articles, top, hosts)
        ],
        topics=_lines([w["topics"] for w in watched], order=taxonomy),
        timeline=_timeline(periods[0], watched[0]["rows"], windows[0]),
    )


def _timeline(p: Period, rows: list[Any], w: Window) -> list[tuple[str, int]]:
    """Articles per day of the period (up to 62 days), else per month, every day or month listed."""
    shift = w.articles[0] - datetime.combine(p.start, datetime.min.time())  # the zone's offset
    days = Counter((r.when - shift).date() for r in rows)
    if p.days <= 62:
        return [
            ((p.start + timedelta(days=i)).isoformat(), days[p.start + timedelta(days=i)])
            for i in range(p.days)
        ]
    months: Counter = Counter()
    for d, n in days.items():
        months[f"{d.year}-{d.month:02d}"] += n
    keys, at = [], date(p.start.year, p.start.month, 1)
    while at <= p.last:
        keys.append(f"{at.year}-{at.month:02d}")
        at = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    return [(k, months[k]) for k in keys]


def _response(repo: ReviewRepository, windows: list[Window], unit: str | None) -> RapidResponse:
    now = utcnow()  # cases keep UTC (caunoi.timezones)
    found = []
    for w in windows:
        rows = repo.cases(*w.cases, unit)
        answered = [r for r in rows if r.answered_at is not None]
        hours = [(r.answered_at - r.created_at).total_seconds() / 3600 for r in answered]
        cutoff = min(w.cases[1], now)
        overdue = [
            r
            for r in rows
            if r.deadline is not None
            and r.deadline < cutoff
            and (r.answered_at is None or r.answered_at > r.deadline)
        ]
        used = repo.fact_sheets_used(*w.cases, unit)
        found.append(
            {
                "rows": rows,
                "opened": len(rows),
                "answered": len(answered),
                "median_hours": round(statistics.median(hours), 1) if hours else None,
                "overdue": len(overdue),
                "fact_sheets": len(used),
                "states": Counter(r.state for r in rows),
                "used": used,
            }
        )

    def compared(key: str) -> Compared:
        return Compared(*[f[key] for f in found])

    return RapidResponse(
        opened=compared("opened"),
        answered=compared("answered"),
        median_hours=compared("median_hours"),
        overdue=compared("overdue"),
        fact_sheets=compared("fact_sheets"),
        by_state=_lines([f["states"] for f in found], order=CASE_STATES),
        used=[FactSheetUse(u.id, u.title, u.uses) for u in found[0]["used"]],
        cases=[r.id for r in found[0]["rows"]],
    )


def _outreach(store: Store, periods: tuple[Period, ...], seat: Unit | None) -> OutreachResults:
    evaluations = store.outreach.evaluation
    code = seat.code if seat else None
    evs: list[Evaluation] = [
        evaluations.evaluate(unit=code, start=x.start, last=x.last, whole=code is None) for x in periods
    ]
    hosts = evs[0].scope.host_countries if seat is not None and seat.kind == "mission" else []
    keys = EVALUATED + (HOST_EVALUATED if hosts else ())
    found = {k: Compared(*[ev.indicator(k).value for ev in evs]) for k in keys}
    if "host_tone" in found:  # the tone before the period is the evaluation's own window before it
        tone = evs[0].indicator("host_tone")
        found["host_tone"] = Compared(tone.value, tone.before, evs[2].indicator("host_tone").value)

    def parts(key: str) -> list[dict[str, float]]:
        return [{p.key: p.value or 0 for p in ev.indicator(key).parts} for ev in evs]

    by_unit: list[Line] = []
    names: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    if seat is None:
        counts = []
        for ev in evs:
            done = evaluations.records("activities", ev.indicator("activities").records.get("activities", []))
            counts.append(Counter(a.unit or "?" for a in done))
        by_unit = _lines(counts, top=TOP_LINES)
        for line in by_unit:
            if line.key != "other":
                u = store.outreach.units.get(line.key)
                for lang in LANGS:
                    names[lang][u.code] = f"{u.code} — {_unit_name(u.name, u.name_en, lang)}"
    return OutreachResults(
        figures=found,
        by_type=[x for x in _lines(parts("activities")) if x.value or x.before or x.year_before],
        by_kind=[x for x in _lines(parts("products")) if x.value or x.before or x.year_before],
        by_unit=by_unit,
        unit_names=names,
        objectives=_objectives(store, periods[0], code),
        host_countries=hosts,
    )


def _objectives(store: Store, p: Period, unit: str | None) -> list[ObjectiveLine]:
    """The objectives of the campaigns running in the period (those `unit` takes part in), each
    evaluated over the campaign's days in the period (its part: `unit`'s)."""
    outreach = store.outreach
    lines = []
    for c in reversed(outreach.campaigns.list(unit=unit)):  # earliest start first
        if not c.objectives or c.starts_on > p.last or c.ends_on < p.start:
            continue
        ev = outreach.evaluation.evaluate(
            campaign=c.id, unit=unit, start=max(c.starts_on, p.start), last=min(c.ends_on, p.last)
        )
        for o in ev.objectives:
            lines.append(
                ObjectiveLine(c.code, c.title, o.indicator, o.metric, o.target, o.value, o.progress, o.due_on)
            )
    return lines


# -- the document ------------------------------------------------------------------------------------


def said(key: str, lang: str, **values: Any) -> str:
    """A word or sentence of the review report in `lang` (caunoi.i18n REVIEW_LABELS)."""
    text = REVIEW_LABELS[lang][key]
    return text.format(**values) if values else text


def bilingual(value: str, lang: str) -> str:
    """A setting written "Vietnamese / English", in `lang` (the Vietnamese when no English is given)."""
    vi, _, en = value.partition(" / ")
    return (en.strip() or vi.strip()) if lang == "en" else vi.strip()


def number(value: float | None, lang: str, digits: int = 0, *, sign: bool = False) -> str:
    """1234.5 -> "1.234,5" (vi) or "1,234.5" (en) with `digits` 1; None -> "—"; `sign`: "+2,00"."""
    if value is None:
        return "—"
    text = f"{value:{'+' if sign else ''},.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _digits(value: float | None) -> int:
    """Decimals worth showing: none for a whole number, else two."""
    return 0 if value is None or value == int(value) else 2


def day_text(on: date, lang: str) -> str:
    """ "05/7/2026" (a leading zero for days below 10 and months 1 and 2, as NĐ 30/2020 writes
    dates) or "5 July 2026"."""
    if lang == "en":
        return f"{on.day} {on:%B} {on.year}"
    month = f"{on.month:02d}" if on.month <= 2 else str(on.month)
    return f"{on.day:02d}/{month}/{on.year}"


class _Body:
    """The blocks of a document as they are added, with their numbers: headings I., 1., a); tables
    and figures numbered in order with their captions."""

    def __init__(self, lang: str):
        self.lang, self.blocks = lang, []
        self.counts = {1: 0, 2: 0, 3: 0, "table": 0, "figure": 0}

    def heading(self, level: int, text: str) -> None:
        self.counts[level] += 1
        for deeper in range(level + 1, 4):
            self.counts[deeper] = 0
        n = self.counts[level]
        label = {1: f"{roman(n)}.", 2: f"{n}.", 3: f"{letter(n)})"}[level]
        self.blocks.append(Heading(level, label, text))

    def paragraph(self, text: str, **emphasis: bool) -> None:
        self.blocks.append(Paragraph.of(text, **emphasis))

    def table(
        self, caption: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], **options: Any
    ) -> None:
        """A numbered table; none at all when it has no rows (the text around it says so)."""
        if not rows:
            return
        self.counts["table"] += 1
        label = f"{words(self.lang)['table']} {self.counts['table']}. {caption}"
        self.blocks.append(Table(label, columns, tuple(rows), **options))

    def figure(self, caption: str, png: bytes) -> None:
        self.counts["figure"] += 1
        label = f"{words(self.lang)['figure']} {self.counts['figure']}. {caption}"
        self.blocks.append(Figure(label, png, plots.WIDTH_MM, alt=caption))


def review_document(
    review: Review,
    settings: Settings,
    *,
    style: str = "state",
    lang: str = "vi",
    narrative: Mapping[str, str] | None = None,
    number_: int | str | None = None,
    signature: Signature | None = None,
    recipients: list[str] | None = None,
    on: date | None = None,
    charts: bool = True,
) -> Document:
    """The review report laid out: header (the parent body and the issuer: the settings report_parent
    and report_issuer for the whole system; report_parent and the unit for a unit's), number and symbol
    (`number_`: None leaves it for the clerk), the place and date (`on`, today in the organisation's
    zone by default), "BÁO CÁO" and its subject, sections I–IV, signature and recipients (the settings'
    and the unit's by default)."""
    _check(style, lang)
    narrative = dict(narrative or {})
    if unknown := set(narrative) - set(NARRATIVE):
        raise ReviewError(
            "review_bad_section",
            "no section {section}: the sections written by people are {known}",
            section=", ".join(sorted(unknown)),
            known=", ".join(NARRATIVE),
        )
    s = review.scope
    today = on or datetime.now(zone(settings.timezone)).date()
    parent = bilingual(settings.report_parent, lang) or None
    issuer = _unit_name(s.name, s.name_en, lang) if s.unit else bilingual(settings.report_issuer, lang)
    if parent and issuer.casefold().endswith(f", {parent.casefold()}"):  # the parent is on the line above
        issuer = issuer[: -len(parent) - 2]
    code = s.unit or settings.report_issuer_code
    header = Header(
        issuer=issuer,
        number=document_number(style, number_, "BC", code),  # type: ignore[arg-type]
        place=(
            s.city if s.unit and s.kind == "mission" and s.city else bilingual(settings.report_place, lang)
        ),
        on=today,
        parent=parent,
    )
    subject, ahead = _subject(review.period, lang)
    if style == "party" and lang == "vi":
        subject = subject[0].lower() + subject[1:]
    body = _Body(lang)
    _introduction(body, review, issuer)
    body.heading(1, said("results", lang))
    _monitoring_section(body, review, charts)
    _response_section(body, review)
    _outreach_section(body, review, charts)
    body.heading(1, said("limits_heading", lang))
    body.heading(2, said("limitations", lang))
    _narrative(body, narrative.get("limitations"), "limitations")
    body.heading(2, said("causes", lang))
    _narrative(body, narrative.get("causes"), "causes")
    body.heading(1, ahead)
    _narrative(body, narrative.get("directions"), "directions")
    body.heading(1, said("recommendations", lang))
    _narrative(body, narrative.get("recommendations"), "recommendations")
    return Document(
        style=style,  # type: ignore[arg-type]
        header=header,
        kind=said("kind", lang),
        subject=subject,
        blocks=body.blocks,
        signature=signature or _signer(s, settings, lang),
        recipients=recipients if recipients is not None else _recipients(s, settings, lang, code),
        lang=lang,
    )


def build_review(
    store: Store,
    *,
    start: date | str,
    last: date | str,
    unit: str | None = None,
    style: str = "state",
    lang: str = "vi",
    narrative: Mapping[str, str] | None = None,
    number: int | str | None = None,
    signature: Signature | None = None,
    recipients: list[str] | None = None,
    on: date | None = None,
    charts: bool = True,
) -> Document:
    """The review report of `unit` (None: the whole system) from `start` to `last`, both included:
    `review_figures`, then `review_document`."""
    _check(style, lang)  # before the figures are read
    review = review_figures(store, start=start, last=last, unit=unit)
    return review_document(
        review,
        store.settings,
        style=style,
        lang=lang,
        narrative=narrative,
        number_=number,
        signature=signature,
        recipients=recipients,
        on=on,
        charts=charts,
    )


def _check(style: str, lang: str) -> None:
    check_choice(style, STYLES, "style", ReviewError)
    check_choice(lang, LANGS, "language", ReviewError)


def _unit_name(name: str, name_en: str | None, lang: str) -> str:
    return (name_en or name) if lang == "en" else name


def _subject(p: Period, lang: str) -> tuple[str, str]:
    """The subject line and section III's heading, by the kind of period."""
    y = p.start.year
    kind = p.kind
    following = {
        "first_half": ("ahead_second_half", y),
        "second_half": ("ahead_first_half", y + 1),
        "year": ("ahead_year", y + 1),
        "other": ("ahead_other", y),
    }[kind]
    subject = said(
        f"subject_{kind}", lang, year=y, start=day_text(p.start, lang), last=day_text(p.last, lang)
    )
    return subject, said(following[0], lang, year=following[1])


def _scope_words(review: Review, lang: str) -> str:
    s = review.scope
    if s.unit is None:
        return said("of_system", lang)
    return said("of_unit", lang, name=_unit_name(s.name, s.name_en, lang))


def _introduction(body: _Body, review: Review, issuer: str) -> None:
    lang, p, b, y = body.lang, review.period, review.before, review.year_before
    body.paragraph(
        said(
            "introduction",
            lang,
            scope=_scope_words(review, lang),
            start=day_text(p.start, lang),
            last=day_text(p.last, lang),
            before=f"{day_text(b.start, lang)} – {day_text(b.last, lang)}",
            year_before=f"{day_text(y.start, lang)} – {day_text(y.last, lang)}",
        )
    )
    if review.monitoring.countries:
        names = ", ".join(name_of(c, "country", lang) for c in review.monitoring.countries)
        body.paragraph(said("host_media", lang, countries=names))


def _with(
    c: Compared, lang: str, digits: int = 0, *, sign: bool = False, unit: str = "", noun: str = ""
) -> str:
    """ "12 vụ việc (kỳ trước: 9; cùng kỳ năm trước: 4)": `noun` (a key of REVIEW_LABELS) after the
    period's value, `unit` ("%") after each."""

    def n(v: float | None) -> str:
        return number(v, lang, digits, sign=sign) + (unit if v is not None else "")

    named = f"{n(c.value)} {said(noun, lang)}" if noun else n(c.value)
    before, year = said("before_short", lang), said("year_short", lang)
    return f"{named} ({before}: {n(c.before)}; {year}: {n(c.year_before)})"


def _columns(first: str, lang: str) -> tuple[str, ...]:
    return (first, said("col_period", lang), said("col_before", lang), said("col_year", lang))


RIGHT3 = ("left", "right", "right", "right")


def _line_rows(
    lines: list[Line], name: Callable[[str], str], lang: str, digits: int = 0
) -> list[tuple[str, ...]]:
    return [
        (name(x.key), *(number(v, lang, digits) for v in (x.value, x.before, x.year_before))) for x in lines
    ]


def _key_name(kind: str, lang: str, units: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """How a line's key is named: a country, a language, a topic, a state, an activity type, a unit
    (`units`: code -> its name) …"""
    labels, units = LABELS[lang], units or {}

    def name(key: str) -> str:
        if key == "?":
            return said("unknown", lang)
        if key == "other":
            return said("other", lang)
        if kind == "country":
            return name_of(key, "country", lang)
        if kind == "language":
            return REVIEW_LABELS[lang].get(f"lang_{key}", key)
        if kind == "topic":
            return topic_names(lang).get(key, key)
        if kind == "state":
            return labels.get(key, key)
        if kind == "unit":
            return units.get(key, key)
        if kind in ("activities", "products"):
            return part_name(kind, key, lang)
        return key

    return name


def _monitoring_section(body: _Body, review: Review, charts: bool) -> None:
    lang, m = body.lang, review.monitoring
    body.heading(2, said("monitoring", lang))
    body.heading(3, said("coverage", lang))
    body.paragraph(
        said(
            "coverage_text",
            lang,
            articles=_with(m.articles, lang, noun="n_articles"),
            per_day=_with(m.per_day, lang, 1, noun="n_articles"),
            foreign=_with(m.foreign, lang, noun="n_articles"),
            share=_with(m.foreign_share, lang, 1, unit="%"),
        )
    )
    body.table(
        said("by_country", lang),
        _columns(said("col_country", lang), lang),
        _line_rows(m.by_country, _key_name("country", lang), lang),
        align=RIGHT3,
    )
    body.table(
        said("by_language", lang),
        _columns(said("col_language", lang), lang),
        _line_rows(m.by_language, _key_name("language", lang), lang),
        align=RIGHT3,
    )
    if charts and m.articles.value:
        labels = [_tick(k, lang) for k, _ in m.timeline]
        unit = said("per_day" if len(m.timeline[0][0]) == 10 else "per_month", lang)
        body.figure(said("timeline", lang, unit=unit), plots.timeline(labels, [n for _, n in m.timeline]))
    body.heading(3, said("tone", lang, subject=name_of(review.subject, "country", lang)))
    if m.toned.value:
        body.paragraph(
            said(
                "tone_text",
                lang,
                tone=_with(m.tone, lang, 2, sign=True),
                toned=_with(m.toned, lang, noun="n_articles"),
                foreign=_with(m.foreign_tone, lang, 2, sign=True),
            )
        )
    else:
        body.paragraph(said("tone_none", lang, toned=_with(m.toned, lang, noun="n_articles")))
    body.heading(3, said("stories", lang))
    if m.stories:
        rows = [
            (
                str(i),
                _clip(s.title) or said("untitled", lang),
                number(s.articles, lang),
                number(s.outlets, lang),
                _span(s.first.date(), s.last.date(), lang),
            )
            for i, s in enumerate(m.stories, 1)
        ]
        columns = tuple(
            said(k, lang) for k in ("col_no", "col_story", "col_articles", "col_outlets", "col_dates")
        )
        body.table(
            said("stories_table", lang), columns, rows, align=("right", "left", "right", "right", "left")
        )
    else:
        body.paragraph(said("stories_none", lang))
    body.heading(3, said("topics", lang))
    body.table(
        said("topics_table", lang),
        _columns(said("col_topic", lang), lang),
        _line_rows(m.topics, _key_name("topic", lang), lang),
        align=RIGHT3,
    )


def _tick(key: str, lang: str) -> str:
    """A day "2026-10-05" as "05/10", a month "2026-10" as "10/2026" (en: "5 Oct", "Oct 2026")."""
    parts = [int(x) for x in key.split("-")]
    if len(parts) == 3:
        on = date(*parts)
        return f"{on.day} {on:%b}" if lang == "en" else f"{on.day:02d}/{on.month:02d}"
    return f"{date(parts[0], parts[1], 1):%b %Y}" if lang == "en" else f"{parts[1]:02d}/{parts[0]}"


def _clip(text: str, limit: int = 160) -> str:
    """A story's title as a table cell: at most `limit` characters, cut at a word."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _span(first: date, last: date, lang: str) -> str:
    return day_text(first, lang) if first == last else f"{day_text(first, lang)} – {day_text(last, lang)}"


def _response_section(body: _Body, review: Review) -> None:
    lang, r = body.lang, review.response
    body.heading(2, said("response", lang))
    body.paragraph(
        said(
            "response_text",
            lang,
            opened=_with(r.opened, lang, noun="n_cases"),
            answered=_with(r.answered, lang, noun="n_cases"),
            hours=_with(r.median_hours, lang, 1, noun="n_hours"),
            overdue=_with(r.overdue, lang, noun="n_cases"),
            sheets=_with(r.fact_sheets, lang, noun="n_sheets"),
        )
    )
    rows = [
        (
            said(key, lang),
            *(number(v, lang, 1 if key == "median_hours" else 0) for v in (c.value, c.before, c.year_before)),
        )
        for key, c in (
            ("opened", r.opened),
            ("answered", r.answered),
            ("median_hours", r.median_hours),
            ("overdue", r.overdue),
            ("fact_sheets", r.fact_sheets),
        )
    ]
    rows += [(f"– {name}", *rest) for name, *rest in _line_rows(r.by_state, _key_name("state", lang), lang)]
    body.table(
        said("response_table", lang),
        _columns(said("col_figure", lang), lang),
        rows,
        align=RIGHT3,
        note=said("response_note", lang),
    )
    if r.used:
        used = "; ".join(f"«{u.title}» ({said('times', lang, n=u.uses)})" for u in r.used)
        body.paragraph(said("sheets_used", lang, sheets=used))


def _outreach_section(body: _Body, review: Review, charts: bool) -> None:
    lang, o = body.lang, review.outreach
    f = o.figures
    body.heading(2, said("outreach", lang))
    body.heading(3, said("activities", lang))
    body.paragraph(
        said("activities_text", lang, activities=_with(f["activities"], lang, noun="n_activities"))
    )
    if o.by_type:
        body.table(
            said("by_type", lang),
            _columns(said("col_type", lang), lang),
            _line_rows(o.by_type, _key_name("activities", lang), lang),
            align=RIGHT3,
        )
        if charts:
            series = [
                (said(k, lang), [getattr(x, a) or 0 for x in o.by_type])
                for k, a in (("col_period", "value"), ("col_before", "before"), ("col_year", "year_before"))
            ]
            body.figure(
                said("by_type_chart", lang),
                plots.bars([_key_name("activities", lang)(x.key) for x in o.by_type], series),
            )
    if o.by_unit:
        body.table(
            said("by_unit", lang),
            _columns(said("col_unit", lang), lang),
            _line_rows(o.by_unit, _key_name("unit", lang, o.unit_names[lang]), lang),
            align=RIGHT3,
        )
    body.heading(3, said("products", lang))
    body.paragraph(
        said(
            "products_text",
            lang,
            products=_with(f["products"], lang, noun="n_products"),
            sent=_with(f["packs_sent"], lang, noun="n_packs"),
            acknowledged=_with(f["packs_acknowledged"], lang, noun="n_packs"),
        )
    )
    if o.by_kind:
        body.table(
            said("by_kind", lang),
            _columns(said("col_kind", lang), lang),
            _line_rows(o.by_kind, _key_name("products", lang), lang),
            align=RIGHT3,
        )
    body.heading(3, said("earned", lang))
    body.paragraph(
        said(
            "earned_text",
            lang,
            articles=_with(f["earned_articles"], lang, noun="n_articles"),
            outlets=_with(f["outlets"], lang, noun="n_outlets"),
            share=_with(f["foreign_share"], lang, 1, unit="%"),
        )
    )
    if o.host_countries:
        body.paragraph(
            said(
                "host_text",
                lang,
                countries=", ".join(name_of(c, "country", lang) for c in o.host_countries),
                attention=_with(f["subject_attention"], lang, noun="n_articles"),
                tone=_with(f["host_tone"], lang, 2, sign=True),
                voice=_with(f["share_of_voice"], lang, 1, unit="%"),
            )
        )
    rows = []
    for key, c in f.items():
        digits = {"foreign_share": 1, "share_of_voice": 1, "host_tone": 2}.get(key, 0)
        rows.append(
            (
                LABELS[lang][f"eval_{key}"],
                *(
                    number(v, lang, digits, sign=key == "host_tone")
                    for v in (c.value, c.before, c.year_before)
                ),
            )
        )
    body.table(
        said("evaluation_table", lang),
        _columns(said("col_figure", lang), lang),
        rows,
        align=RIGHT3,
        note=said("evaluation_note", lang),
    )
    body.heading(3, said("objectives", lang))
    if o.objectives:
        rows = [
            (
                x.campaign,
                x.indicator,
                number(x.target, lang, _digits(x.target)),
                number(x.value, lang, _digits(x.value)),
                f"{number(x.progress, lang, 1)}%" if x.progress is not None else said("not_measured", lang),
            )
            for x in o.objectives
        ]
        columns = tuple(
            said(k, lang)
            for k in ("col_campaign", "col_objective", "col_target", "col_reached", "col_progress")
        )
        body.table(
            said("objectives_table", lang), columns, rows, align=("left", "left", "right", "right", "right")
        )
    else:
        body.paragraph(said("objectives_none", lang))


def _narrative(body: _Body, text: str | None, key: str) -> None:
    """People's text, a paragraph per blank-line-separated block; else the placeholder asking for it."""
    paragraphs = [" ".join(p.split()) for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        body.paragraph(said(f"placeholder_{key}", body.lang), italic=True)
    for p in paragraphs:
        body.paragraph(p)


def _signer(s: ReviewScope, settings: Settings, lang: str) -> Signature:
    if s.unit is None:
        return Signature(
            title=bilingual(settings.report_signer_title, lang).upper(), name=settings.report_signer_name
        )
    return Signature(title=said(f"signer_{SIGNERS.get(s.type or '', 'head_of_unit')}", lang).upper())


def _recipients(s: ReviewScope, settings: Settings, lang: str, code: str) -> list[str]:
    above = bilingual(settings.report_parent if s.unit is None else settings.report_issuer, lang)
    found = [said("to_report", lang, body=above)] if above else []
    if s.unit is None:
        found.append(said("to_units", lang))
    return [*found, said("archive", lang, code=code)]


# -- files -----------------------------------------------------------------------------------------


def output_format(name: str) -> str:
    """The format a file name asks for ("report.docx" -> "docx"), or the refusal naming those there are."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in FORMATS:
        raise ReviewError(
            "review_bad_format", "{name}: write the report to a .docx, .pdf or .html file", name=name
        )
    return suffix


def render(doc: Document, form: str, pdf_engine: str | None = None) -> bytes:
    """The document as a file of `form` (docx, pdf or html), by the renderers of caunoi.reports."""
    if form == "docx":
        from caunoi.reports.docx import render_docx

        return render_docx(doc)
    if form == "pdf":
        from caunoi.reports.pdf import render_pdf

        return render_pdf(doc, engine=pdf_engine)
    if form == "html":
        from caunoi.reports.html import document_html

        return document_html(doc).encode("utf-8")
    raise ReviewError(
        "review_bad_format", "{name}: write the report to a .docx, .pdf or .html file", name=form
    )


def file_name(p: Period, unit: str | None, form: str) -> str:
    """The name a report's file is offered under: caunoi-review-<unit, or all>-<first>-<last>.<form>."""
    return f"caunoi-review-{unit or 'all'}-{p.start.isoformat()}-{p.last.isoformat()}.{form}"
