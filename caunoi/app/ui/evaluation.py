"""Evaluation pages (issue 16): a campaign's, unit's or mission's outreach in the AMEC chain, as
caunoi.outreach.evaluation computes it — /evaluation, the five stages with each figure's value
(before → during for outcomes), definition, breakdown and a link to the records behind it, the
objectives with their progress, and charts; /evaluation/records, those records listed;
/evaluation/missions, the missions side by side for the head of unit — and the glance at an
evaluation that a campaign's page and a mission's page show.

Periods are days in the organisation's time zone, the last one included (as /activities takes
them): a campaign's own period by default, else the current half-year (1 January – 30 June or
1 July – 31 December). A mission officer evaluates their own mission only (and its part in a
campaign it takes part in), as the API lets them; /evaluation/missions sends them to their
mission's evaluation instead of a table with one row. The CSV and XLSX exports are the API's
files (GET /api/v1/evaluation…&format=csv|xlsx), which the session cookie opens as it opens the
page: one export, written once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, page_user
from caunoi.app.ui.render import _render, lang_of
from caunoi.errors import CaunoiError, Invalid
from caunoi.errors import NotFound as Missing
from caunoi.i18n import LABELS
from caunoi.outreach import Campaign, Evaluation, Indicator, access
from caunoi.outreach.common import day
from caunoi.outreach.evaluation import COMPARED, RECORD_KINDS, STAGES, half_year, months_before, part_name
from caunoi.reports.charts import counts_axis, hbar
from caunoi.reports.charts import figure as chart
from caunoi.service import Service
from caunoi.users import can

router = APIRouter(include_in_schema=False)

PAGE = 100  # records listed a page
GLANCE_CAMPAIGN = ("activities", "earned_articles", "outlets", "message_penetration", "host_tone",
                   "share_of_voice")  # fmt: skip
GLANCE_UNIT = ("activities", "earned_articles", "message_penetration", "packs_acknowledged", "host_tone")
GLANCE_MONTHS = 6  # a mission's page: the last six months
# the comparison's columns: a count is sorted most first on a first click, the mission by its code
DESCENDING_FIRST = set(COMPARED) - {"unit"}


@dataclass(frozen=True)
class Asked:
    """What a page evaluates, as its form and links carry it: codes and days (YYYY-MM-DD, the last
    one included); empty when not given."""

    campaign: str = ""
    unit: str = ""
    since: str = ""
    until: str = ""

    def query(self, **more: Any) -> str:
        given = {"campaign": self.campaign, "unit": self.unit, "since": self.since, "until": self.until}
        return urlencode({k: v for k, v in (given | more).items() if v not in (None, "")})


@dataclass(frozen=True)
class Line:
    """A line of a figure's breakdown as shown."""

    name: str
    value: str
    before: str | None
    href: str | None


@dataclass(frozen=True)
class Figure:
    """An indicator as a page shows it: texts in the page's language, links to its records."""

    key: str
    stage: str
    name: str
    definition: str
    value: str
    before: str | None
    missing: str | None
    parts: list[Line]
    links: list[tuple[str, str]]  # (how many of what, the list's address)


@dataclass(frozen=True)
class Goal:
    """An objective as shown: its target, value and progress (a bar up to 100 %)."""

    indicator: str
    metric: str
    target: str
    value: str
    progress: str | None  # "50 %"
    bar: float  # the progress bar's, up to 100
    missing: str | None
    due_on: date | None
    href: str | None


@dataclass(frozen=True)
class Glance:
    """The headline figures of an evaluation, for a campaign's or a mission's page."""

    heading: str  # a label key
    first: date
    last: date
    figures: list[Figure]
    goals: list[Goal]
    href: str  # the full evaluation


# -- who evaluates what, over which days ---------------------------------------------------------


def _reader(user: dict[str, Any]) -> str | None:
    """A mission officer's mission, None for whoever reads every unit's outreach; 403 for others."""
    try:
        return access.mission(user, access.READ)
    except access.NotAllowed:
        raise PageError(403) from None


def _days(service: Service, asked: Asked, campaign: bool) -> tuple[date | None, date | None]:
    """The first and last day asked; what is not given is the campaign's (None: the domain fills it
    in) or the current half-year's."""
    first, last = day(asked.since, "from"), day(asked.until, "to")
    if first and last and last < first:
        raise Invalid("evaluation_bad_days", "the last day ({until}) is before the first ({since})",
                      since=first.isoformat(), until=last.isoformat())  # fmt: skip
    if not campaign:
        start, after = half_year(service.outreach.evaluation.today())
        first, last = first or start, last or after - timedelta(days=1)
    return first, last


def _evaluate(
    request: Request, user: dict[str, Any], asked: Asked
) -> tuple[Asked, Evaluation | None, CaunoiError | None]:
    """The evaluation asked for, as `user` may read it, and what was asked as it was understood
    (codes as stored, the period's days); a refusal instead when it cannot be had. 403 for a
    mission officer asking for another mission, or a campaign their mission is not in."""
    outreach = service_of(request).outreach
    own = _reader(user)
    campaign, unit = asked.campaign.strip()[:40], asked.unit.strip()[:40]
    if own is not None:
        if unit and not access.same_unit(unit, own):
            raise PageError(403)
        unit = own
    asked = Asked(campaign, unit, asked.since.strip()[:10], asked.until.strip()[:10])
    if not campaign and not unit:
        return asked, None, None
    try:
        if campaign and own is not None and not access.reads_campaign(user, outreach.campaigns.get(campaign)):
            raise PageError(403)
        start, last = _days(service_of(request), asked, bool(campaign))
        found = outreach.evaluation.evaluate(
            campaign=campaign or None, unit=unit or None, start=start, last=last
        )
    except CaunoiError as exc:
        return asked, None, exc
    s = found.scope
    last = s.end - timedelta(days=1)
    return Asked(s.campaign or "", s.unit or "", s.start.isoformat(), last.isoformat()), found, None


# -- figures as shown ------------------------------------------------------------------------------


def _plain(value: float) -> str:
    """12 as 12, 12.5 as 12.5, 1.257 as 1.26."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return f"{_plain(value)} %"
    if unit == "tone":
        return f"{value:+.2f}"
    return _plain(value)


def _value(i: Indicator) -> str:
    if i.unit == "money" and i.parts:  # always with its currency; several: each apart
        if i.value is not None:
            return f"{_plain(i.value)} {i.parts[0].key}"
        return " · ".join(f"{_plain(p.value or 0)} {p.key}" for p in i.parts)
    return _shown(i.value, i.unit)


def _href(asked: Asked, indicator: str, kind: str, part: str | None = None) -> str:
    """Where the records behind a figure (or a line of its breakdown) are listed: the activity list
    itself for the activities of the period (by type), which it filters the same way; else
    /evaluation/records."""
    if indicator == "activities" and kind == "activities":
        query = {"unit": asked.unit, "campaign": asked.campaign, "since": asked.since,
                 "until": asked.until, "type": part}  # fmt: skip
        return "/activities?" + urlencode({k: v for k, v in query.items() if v})
    return "/evaluation/records?" + asked.query(indicator=indicator, part=part, kind=kind)


def figure_of(i: Indicator, asked: Asked, lang: str) -> Figure:
    """An indicator as shown. A line of its breakdown is a count (of a share: the articles, of the
    share of voice: a country's mentions) or a sum of money in the currency it names."""
    t = LABELS[lang]
    parts = []
    for p in i.parts:
        kind = next((k for k, ids in p.records.items() if ids), None)
        before = None if p.before is None else _shown(p.before, "count")
        parts.append(Line(part_name(i.key, p.key, lang), _shown(p.value, "count"), before,
                          _href(asked, i.key, kind, p.key) if kind else None))  # fmt: skip
    links = [
        (f"{len(ids)} {t[f'eval_kind_{kind}']}", _href(asked, i.key, kind))
        for kind, ids in i.records.items()
        if ids
    ]
    compared = i.stage == "outcomes" and (i.before is not None or i.value is not None)  # before → during
    return Figure(
        key=i.key, stage=i.stage, name=i.name[lang], definition=i.definition[lang], value=_value(i),
        before=_shown(i.before, i.unit) if compared else None,
        missing=(i.missing or {}).get(lang) if i.value is None else None, parts=parts, links=links,
    )  # fmt: skip


# a derived metric's records are those of the figure it is worked out from
_METRIC_FIGURE = {"tone_change": "host_tone", "message_articles": "message_penetration"}
_METRIC_UNIT = {"tone_change": "tone", "message_articles": "count"}


def goals(ev: Evaluation, asked: Asked, lang: str) -> list[Goal]:
    t, units = LABELS[lang], {i.key: i.unit for i in ev.indicators}
    shown = []
    for o in ev.objectives:
        key = _METRIC_FIGURE.get(o.metric or "", o.metric or "")
        unit = _METRIC_UNIT.get(o.metric or "") or units.get(key, "count")
        shown.append(Goal(
            indicator=o.indicator, metric=t.get(f"eval_{o.metric}", o.metric or "") if o.metric else "",
            target=_plain(o.target), value=_shown(o.value, unit),
            progress=None if o.progress is None else _shown(o.progress, "percent"),
            bar=max(0.0, min(o.progress or 0.0, 100.0)), missing=(o.missing or {}).get(lang),
            due_on=o.due_on, href=_href(asked, key, "articles") if o.records.get("articles") else None,
        ))  # fmt: skip
    return shown


def stages(ev: Evaluation, asked: Asked, lang: str) -> list[tuple[str, list[Figure]]]:
    return [(stage, [figure_of(i, asked, lang) for i in ev.stage(stage)]) for stage in STAGES]


# -- charts, drawn as the dashboard's are -------------------------------------------------------------


def charts(ev: Evaluation, lang: str) -> list[dict[str, Any]]:
    """Activities by type, earned articles by the outlet's country and by language (bars), the host
    tone before and during, and the share of voice before and during — those that have data."""
    t, got = LABELS[lang], {i.key: i for i in ev.indicators}
    found = []
    for name, key in (("types", "activities"), ("countries", "countries"), ("languages", "languages")):
        pairs = [(part_name(key, p.key, lang), p.value) for p in got[key].parts if p.value]
        if pairs:
            found.append(hbar(f"chart-eval-{name}", pairs, xaxis=counts_axis([int(n) for _, n in pairs])))
    tone = got["host_tone"]
    if tone.value is not None or tone.before is not None:
        found.append(chart(
            "chart-eval-tone",
            [{"type": "bar", "x": [t["eval_before"], t["eval_during"]], "y": [tone.before, tone.value],
              "marker": {"color": ["#9aa5b1", "#1f5fa8"]}}],
            height=220,
        ))  # fmt: skip
    voice = [p for p in got["share_of_voice"].parts if p.value or p.before]
    if voice:
        now, then = sum(p.value or 0 for p in voice), sum(p.before or 0 for p in voice)
        names = [part_name("share_of_voice", p.key, lang) for p in reversed(voice)]

        def share(n: float | None, whole: float) -> float:
            return round(100 * (n or 0) / whole, 1) if whole else 0.0

        traces = [
            {"type": "bar", "orientation": "h", "name": t["eval_before"], "y": names,
             "x": [share(p.before, then) for p in reversed(voice)], "marker": {"color": "#9aa5b1"}},
            {"type": "bar", "orientation": "h", "name": t["eval_during"], "y": names,
             "x": [share(p.value, now) for p in reversed(voice)], "marker": {"color": "#1f5fa8"}},
        ]  # fmt: skip
        found.append(chart(
            "chart-eval-voice", traces, barmode="group", showlegend=True,
            legend={"orientation": "h", "y": -0.15}, margin={"l": 140, "r": 10, "t": 10, "b": 40},
            height=max(200, 40 * len(voice) + 80),
        ))  # fmt: skip
    return found


# -- the glance a campaign's and a mission's page show -----------------------------------------------


def _glance(
    request: Request, user: dict[str, Any], asked: Asked, heading: str, keys: tuple[str, ...]
) -> Glance | None:
    try:
        asked, found, _ = _evaluate(request, user, asked)
    except PageError:  # not theirs to evaluate: the page shows no glance
        return None
    if found is None:
        return None
    lang = lang_of(request, user)
    return Glance(
        heading=heading,
        first=found.scope.start,
        last=found.scope.end - timedelta(days=1),
        figures=[figure_of(found.indicator(k), asked, lang) for k in keys],
        goals=goals(found, asked, lang),
        href="/evaluation?" + asked.query(),
    )


def campaign_glance(request: Request, user: dict[str, Any], campaign: Campaign) -> Glance | None:
    """A campaign over its period (a mission officer: their mission's part), in headline figures."""
    try:
        own = access.mission(user, access.READ)
    except access.NotAllowed:
        return None
    return _glance(request, user, Asked(campaign.code, own or ""), "eval_glance_campaign", GLANCE_CAMPAIGN)


def unit_glance(request: Request, user: dict[str, Any], code: str) -> Glance | None:
    """A unit's or mission's last six months, to today (the organisation's), in headline figures."""
    today = service_of(request).outreach.evaluation.today()
    since = months_before(today, GLANCE_MONTHS) + timedelta(days=1)
    asked = Asked("", code, since.isoformat(), today.isoformat())
    return _glance(request, user, asked, "eval_glance_unit", GLANCE_UNIT)


# -- the pages ----------------------------------------------------------------------------------------


def _export(ev: Evaluation, fmt: str, lang: str) -> str:
    """The API's file of this evaluation."""
    s = ev.scope
    last = (s.end - timedelta(days=1)).isoformat()
    query = {"campaign": s.campaign, "unit": s.unit, "from": s.start.isoformat(), "to": last,
             "format": fmt, "lang": lang}  # fmt: skip
    return "/api/v1/evaluation?" + urlencode({k: v for k, v in query.items() if v})


@router.get("/evaluation")
def evaluation(
    request: Request, campaign: str = "", unit: str = "", since: str = "", until: str = ""
) -> Response:
    user = page_user(request)
    asked, found, error = _evaluate(request, user, Asked(campaign, unit, since, until))
    service: Service = service_of(request)
    lang = lang_of(request, user)
    own = _reader(user)
    context: dict[str, Any] = {}
    if found is not None:
        context = {
            "stages": stages(found, asked, lang), "goals": goals(found, asked, lang),
            "charts": charts(found, lang), "before_last": found.scope.start - timedelta(days=1),
            "exports": {f: _export(found, f, lang) for f in ("csv", "xlsx")},
        }  # fmt: skip
    if found is None and error is None and not own:  # nothing chosen yet: the half-year in the form
        first, after = half_year(service.outreach.evaluation.today())
        asked = Asked(since=first.isoformat(), until=(after - timedelta(days=1)).isoformat())
    status = 200 if error is None else 404 if isinstance(error, Missing) else 400
    return _render(
        request, user, "evaluation.html.j2", status, asked=asked, ev=found, error=error, mission=own,
        campaigns=service.outreach.campaigns.list(unit=own), units=[] if own else service.units.list(),
        missions_href="/evaluation/missions?" + Asked(since=asked.since, until=asked.until).query(),
        **context,
    )  # fmt: skip


@router.get("/evaluation/records")
def evaluation_records(
    request: Request, campaign: str = "", unit: str = "", since: str = "", until: str = "",
    indicator: str = "", part: str = "", kind: str = "articles", page: int = 1,
) -> Response:  # fmt: skip
    """The records behind a figure (or a line of its breakdown), a page at a time."""
    user = page_user(request)
    asked, found, error = _evaluate(request, user, Asked(campaign, unit, since, until))
    if error is not None:
        raise PageError(404 if isinstance(error, Missing) else 400, error)
    if found is None or kind not in RECORD_KINDS or not 1 <= page <= 100_000:
        raise PageError(404)
    lang = lang_of(request, user)
    shown = next((i for i in found.indicators if i.key == indicator), None)
    if shown is None:
        raise PageError(404)
    records = shown.records
    if part:
        line = next((p for p in shown.parts if p.key == part), None)
        if line is None:
            raise PageError(404)
        records = line.records
    ids = records.get(kind, [])
    outreach = service_of(request).outreach
    listed = outreach.evaluation.records(kind, ids[(page - 1) * PAGE : page * PAGE])
    if kind == "activities":  # what the user may read (the evaluation was theirs: all of it)
        listed = [a for a in listed if can(user, access.READ, a)]
    elif kind == "packs":  # a mission officer: their mission's row of it only
        listed = [seen for p in listed if (seen := access.pack_as_seen(user, p)) is not None]
    elif kind == "products":
        listed = [p for p in listed if access.reads_product(user, p)]
    here = {"indicator": indicator, "part": part, "kind": kind}
    pages = {
        "previous": asked.query(**here, page=page - 1) if page > 1 else None,
        "next": asked.query(**here, page=page + 1) if page * PAGE < len(ids) else None,
    }
    return _render(
        request, user, "evaluation_records.html.j2", asked=asked, ev=found, kind=kind, listed=listed,
        total=len(ids), name=shown.name[lang], part=part_name(shown.key, part, lang) if part else "",
        back="/evaluation?" + asked.query(), pages=pages, first=(page - 1) * PAGE + 1,
    )  # fmt: skip


@router.get("/evaluation/missions")
def evaluation_missions(
    request: Request, since: str = "", until: str = "", sort: str = "-activities"
) -> Response:
    """The missions side by side (analysts, administrators, viewers); a mission officer is sent to
    their own mission's evaluation over the same days."""
    user = page_user(request)
    own = _reader(user)
    if own is not None:
        return RedirectResponse(
            "/evaluation?" + Asked("", own, since[:10], until[:10]).query(), status_code=303
        )
    service: Service = service_of(request)
    asked = Asked(since=since.strip()[:10], until=until.strip()[:10])
    sort = sort if sort.removeprefix("-") in COMPARED else "-activities"
    comparison, error = None, None
    try:
        first, last = _days(service, asked, campaign=False)
        comparison = service.outreach.evaluation.compare(start=first, last=last, sort=sort)
    except CaunoiError as exc:
        error = exc
    if comparison is not None:
        asked = Asked(since=comparison.start.isoformat(),
                      until=(comparison.end - timedelta(days=1)).isoformat())  # fmt: skip
    lang = lang_of(request, user)

    def sorted_by(column: str) -> str:
        """A column header's link: by it (a count most first), or the other way when it is the order."""
        if sort.removeprefix("-") == column:
            turn = column if sort.startswith("-") else f"-{column}"
        else:
            turn = f"-{column}" if column in DESCENDING_FIRST else column
        return "/evaluation/missions?" + asked.query(sort=turn)

    exports = {}
    if comparison is not None:
        for fmt in ("csv", "xlsx"):
            last = comparison.end - timedelta(days=1)
            query = {"from": comparison.start.isoformat(), "to": last.isoformat(), "sort": sort,
                     "format": fmt, "lang": lang}  # fmt: skip
            exports[fmt] = "/api/v1/evaluation/missions?" + urlencode(query)
    return _render(
        request, user, "evaluation_missions.html.j2", 400 if error else 200, asked=asked,
        comparison=comparison, error=error, sort=sort, sorted_by=sorted_by, exports=exports, shown=_shown,
        unit_href=lambda code: "/units/" + quote(code, safe=""),
        evaluation_href=lambda code: "/evaluation?" + Asked("", code, asked.since, asked.until).query(),
    )  # fmt: skip
