"""Evaluation of outreach in the AMEC chain (the AMEC Integrated Evaluation Framework): for a campaign,
a unit or a mission, over a period [start, end), its inputs, activities, outputs, outtakes and
outcomes, and each objective of the campaign with its target and how far it got.

Every figure is an `Indicator`: its value (for outcomes also `before`, the same figure over the window
of equal length just before the period), its breakdown (`parts`), its definition in Vietnamese and
English (caunoi.i18n LABELS `eval_<key>` and `eval_<key>_def`, which docs/usage.md repeats) and the
ids of the records behind it (`records`: activities, articles, packs, products) so that a view can
open them (`records` reads them for a list). Computed once here; the CLI, the API and the pages
render it, and `table` gives the rows of a CSV or XLSX export. `compare` puts the missions side by
side over one period (a row of headline figures each, from the same evaluation), for the head of
unit; `comparison_table` is its export.

What it counts:
- the period is read in the organisation's time zone; an activity is in it by its start, a product
  by its publication date (else the day it was recorded), a pack by the day it was sent;
- earned coverage is the articles a person confirmed for the period's activities (activity_coverage
  in state confirmed: caunoi.outreach.coverage proposes candidates, a person decides), published in
  the period or after it (a conference on the last day is reported the next);
- host countries are the scope mission's (or unit's) countries, else the campaign's partner
  countries, else the countries of the campaign's missions — never the subject country (the setting
  subject_country): outcomes are read in the host countries' outlets (their sources' `country`);
- tone is enrichment's tone of the passages naming the subject country (the article tag ("tone",
  "subject"), GDELT's scale, caunoi.enrich.tone), which Vietnamese, English and French articles have.

Never here: advertising-value equivalents (AVE: what the space would have cost as advertising) or any
multiple of them. The Barcelona Principles (AMEC 2010, 3.0 in 2020) reject them: they measure the
cost of media space, not the value of communication. And no money is converted: costs are added up
per currency."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from caunoi import models
from caunoi.i18n import LABELS, LANGS, name_of
from caunoi.models import FOREIGN_ORIGINS
from caunoi.outreach.activities import ACTIVITY_TYPES, Activity
from caunoi.outreach.campaigns import Campaign, Campaigns
from caunoi.outreach.common import OutreachError, day, local, moment, utcnow, zone
from caunoi.outreach.packs import Pack, Packs
from caunoi.outreach.products import PRODUCT_KINDS, Product
from caunoi.store.evaluation import EvaluationRepository
from caunoi.store.outreach import OutreachRepository
from caunoi.text.fold import index_form
from caunoi.units import Unit, UnitService

STAGES = ("inputs", "activities", "outputs", "outtakes", "outcomes")
ORIGINS = ("domestic", "foreign", "diaspora", "unknown")
VOICES = 10  # countries listed in the share of voice, the subject always among them
TOPICS = ("tone", "country", "topic")  # the tags outcomes read

Records = dict[str, list[int]]  # "activities" | "articles" | "articles_before" | "packs" | "products" -> ids


@dataclass(frozen=True)
class Part:
    """One line of an indicator's breakdown: an activity type, a country, a key message …"""

    key: str
    value: float | None
    before: float | None = None
    records: Records = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    key: str  # eval_<key> in caunoi.i18n LABELS
    stage: str  # one of STAGES
    unit: str  # count | percent | tone | money | people
    value: float | None  # None: not known, `missing` says why
    before: float | None  # outcomes: over the window of equal length before the period
    parts: list[Part]
    records: Records
    name: dict[str, str]  # lang -> its name
    definition: dict[str, str]  # lang -> one sentence
    missing: dict[str, str] | None = None  # lang -> why there is no value


@dataclass(frozen=True)
class Progress:
    """A campaign objective with its target, the value reached (when its metric is computed) and
    progress in percent of the target."""

    indicator: str
    metric: str | None
    target: float
    due_on: date | None
    value: float | None
    progress: float | None
    records: Records
    missing: dict[str, str] | None = None


@dataclass(frozen=True)
class Scope:
    """What was evaluated: a campaign (with a unit: that unit's part in it), or a unit or mission."""

    campaign: str | None  # its code
    campaign_id: int | None
    title: str  # the campaign's title, else the unit's name
    unit: str | None
    unit_kind: str | None  # unit | mission
    start: date  # first day
    last: date  # last day (included)
    end: date  # the day after the last: the period is [start, end)
    before_start: date  # the window before is [before_start, start)
    timezone: str  # the organisation's, which the days are read in
    subject: str
    host_countries: list[str]
    key_messages: list[str]
    topics: list[str]
    campaigns: list[int]  # the campaigns whose key messages and topics were looked for


@dataclass(frozen=True)
class Evaluation:
    scope: Scope
    indicators: list[Indicator]  # in the order of STAGES
    objectives: list[Progress]
    computed_at: datetime  # UTC

    def indicator(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.key == key)

    def stage(self, name: str) -> list[Indicator]:
        return [i for i in self.indicators if i.stage == name]


@dataclass(frozen=True)
class MissionFigures:
    """One mission's row in the comparison across missions: the headline figures of its evaluation
    over the period (each the value of the indicator of the same key; `tone_change` is the host
    tone in the period minus before it)."""

    unit: str
    name: str
    name_en: str | None
    activities: int
    activity_types: dict[str, int]  # activity type -> how many, in ACTIVITY_TYPES order
    products: int
    packs_sent: int
    packs_acknowledged: int
    packs_overdue: int
    earned_articles: int
    outlets: int
    message_penetration: float | None
    host_tone_before: float | None
    host_tone: float | None
    tone_change: float | None


@dataclass(frozen=True)
class Comparison:
    """The missions side by side over [start, end) (days in the organisation's zone)."""

    start: date
    end: date
    timezone: str
    sort: str  # a column of COMPARED, "-" before it: descending
    missions: list[MissionFigures]
    computed_at: datetime  # UTC


@dataclass(frozen=True)
class ArticleLine:
    """An article behind a figure, as a list shows it: its outlet's country too."""

    id: int
    title: str
    source: str | None
    lang: str | None
    published: datetime | None  # UTC
    country: str | None


# the columns a comparison sorts by: the mission's code, then its figures
COMPARED = (
    "unit", "activities", "products", "packs_sent", "packs_acknowledged", "packs_overdue", "earned_articles",
    "outlets", "message_penetration", "host_tone", "tone_change",
)  # fmt: skip
RECORD_KINDS = ("activities", "articles", "articles_before", "packs", "products")


def half_year(on: date) -> tuple[date, date]:
    """The half-year `on` falls in, as [start, end): 1 January – 1 July, or 1 July – 1 January."""
    if on.month <= 6:
        return date(on.year, 1, 1), date(on.year, 7, 1)
    return date(on.year, 7, 1), date(on.year + 1, 1, 1)


def months_before(on: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has no such day)."""
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    month += 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(on.day, (following - timedelta(days=1)).day))


def words(key: str) -> dict[str, str]:
    """A label in every language."""
    return {lang: LABELS[lang][key] for lang in LANGS}


def _indicator(
    key: str,
    stage: str,
    unit: str,
    value: float | None,
    *,
    before: float | None = None,
    parts: Iterable[Part] = (),
    records: Records | None = None,
    missing: str | None = None,
) -> Indicator:
    return Indicator(
        key=key,
        stage=stage,
        unit=unit,
        value=value,
        before=before,
        parts=list(parts),
        records={k: sorted(v) for k, v in (records or {}).items()},
        name=words(f"eval_{key}"),
        definition=words(f"eval_{key}_def"),
        missing=words(f"eval_missing_{missing}") if value is None and missing else None,
    )


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _parts(groups: dict[str, list[int]], kind: str, order: Iterable[str] | None = None) -> list[Part]:
    """Parts counting the ids of each group (`kind` names them in `records`): in `order` when given,
    else most first, then by key, the unknown ("?") last."""
    keys = (
        [k for k in order if k in groups]
        if order is not None
        else sorted(groups, key=lambda k: (k == "?", -len(groups[k]), k))  # the unknown last
    )
    return [Part(k, len(groups[k]), records={kind: sorted(groups[k])}) for k in keys]


class Evaluations:
    """Evaluations over the outreach records and the monitored articles of one store."""

    def __init__(
        self,
        repo: OutreachRepository,
        articles: EvaluationRepository,
        units: UnitService,
        campaigns: Campaigns,
        packs: Packs,
        timezone: str,
        subject: str = "VN",
    ):
        self.repo, self.articles, self.units = repo, articles, units
        self.campaigns, self.packs, self.timezone = campaigns, packs, timezone
        self.subject = subject  # the country whose image is evaluated (the setting subject_country)

    def evaluate(
        self,
        *,
        campaign: str | int | None = None,
        unit: str | None = None,
        start: date | str | None = None,
        last: date | str | None = None,
        mission: bool = False,
        whole: bool = False,
    ) -> Evaluation:
        """The evaluation of `campaign` (by code or id), or of `unit`, or of `unit`'s part in
        `campaign`, from the day `start` to the day `last`, both included (days in the organisation's
        zone; a campaign's period by default). `mission`: `unit` must be a mission. `whole`, with
        neither: the whole organisation's outreach (every unit's activities, products and packs; no
        host country, so no outcomes), as the review report of the whole system reads it."""
        found = self.campaigns.get(campaign) if campaign not in (None, "") else None
        seat = self.units.get(unit) if unit else None
        if found is None and seat is None and not whole:
            raise OutreachError(
                "evaluation_no_scope", "say what to evaluate: a campaign, a unit or a mission"
            )
        if mission and seat is not None and seat.kind != "mission":
            raise OutreachError(
                "evaluation_not_mission", "{unit} is not a mission: evaluate it as a unit", unit=seat.code
            )
        first, after = day(start, "from"), day_after(last)
        if found is not None:
            first = first or found.starts_on
            after = after or found.ends_on + timedelta(days=1)
        first, after = _period(first, after)
        tz = zone(self.timezone)
        since, until = moment(first, tz, "from"), moment(after, tz, "to")
        assert since is not None and until is not None
        rows = self.repo.activity_rows(
            campaign_id=found.id if found else None,
            unit=seat.code if seat else None,
            since=since,
            until=until,
        )
        activities = sorted((Activity.from_row(r) for r in rows), key=lambda a: a.id)
        scope = self._scope(found, seat, first, after, activities)
        before_since = moment(scope.before_start, tz, "from")
        assert before_since is not None
        indicators = [
            *self._inputs(found, seat, activities),
            *self._activities(activities),
            *self._outputs(found, seat, scope, activities),
            *self._outtakes(scope, activities),
            *self._outcomes(scope, (before_since, since, until)),
        ]
        objectives = [_progress(o, indicators) for o in (found.objectives if found else [])]
        return Evaluation(scope, indicators, objectives, utcnow())

    def today(self) -> date:
        """Today in the organisation's time zone."""
        now = local(utcnow(), self.timezone)
        assert now is not None
        return now.date()

    def compare(
        self,
        *,
        start: date | str | None,
        last: date | str | None,
        units: Iterable[str] | None = None,
        sort: str = "unit",
    ) -> Comparison:
        """Every mission (not retired; or those of `units`) evaluated from `start` to `last` (both
        included), one row each,
        sorted by `sort` (a column of COMPARED; "-activities": most first; the unknown last either
        way). One evaluation per mission (about 11 queries each): the demo store's 101 missions over a
        half-year take 0.4–1.0 s on SQLite and 1.6–2.0 s on PostgreSQL (1,139 queries), what a page
        the head of unit opens now and then can wait for; a store whose host media hold many
        articles pays for reading their tone, mission by mission, as each mission's page does (1.7 s
        on SQLite when every mission's host outlets hold the 590 demo articles)."""
        order = _sorter(sort)
        first, after = _period(day(start, "from"), day_after(last))
        missions = (
            [self.units.get(u) for u in units] if units is not None else self.units.list(kind="mission")
        )
        last_day = after - timedelta(days=1)
        rows = [_figures(self.evaluate(unit=m.code, start=first, last=last_day), m) for m in missions]
        return Comparison(first, after, self.timezone, sort, order(rows), utcnow())

    def records(self, kind: str, ids: Iterable[int]) -> list[Activity | ArticleLine | Pack | Product]:
        """The records of `kind` (one of RECORD_KINDS) with these ids, in the order of `ids`: what a
        list of the records behind a figure shows. Ids that name nothing are left out."""
        wanted = list(dict.fromkeys(int(i) for i in ids))
        found: dict[int, Any]
        if kind in ("articles", "articles_before"):
            found = {
                r.id: ArticleLine(r.id, r.title, r.source, r.lang, r.when, r.country)
                for r in self.articles.articles(wanted)
            }
        elif kind == "activities":
            found = {r["id"]: Activity.from_row(r) for r in self.repo.activity_rows(wanted)}
        elif kind == "packs":
            now = self.packs.clock()
            found = {r["id"]: Pack.from_row(r, now) for r in self.repo.pack_rows(wanted)}
        elif kind == "products":
            found = {r["id"]: Product.from_row(r) for r in self.repo.product_rows(wanted)}
        else:
            raise OutreachError(
                "evaluation_bad_records", "records {kind!r}: one of {known}", kind=kind,
                known=", ".join(RECORD_KINDS),
            )  # fmt: skip
        return [found[i] for i in wanted if i in found]

    # -- the scope ----------------------------------------------------------------------------------

    def _scope(
        self, found: Campaign | None, seat: Unit | None, first: date, after: date, activities: list[Activity]
    ) -> Scope:
        if found is not None:
            sources = [found]
        else:  # a unit's: the messages and topics of the campaigns its activities belong to
            ids = sorted({a.campaign_id for a in activities if a.campaign_id is not None})
            sources = [Campaign.from_row(r) for r in self.repo.campaign_rows(ids)] if ids else []
        hosts: list[str] = []
        if seat is not None:
            hosts = list(seat.countries) or ([seat.country] if seat.country else [])
        if not hosts and found is not None:
            hosts = list(found.countries)
            if not hosts:
                for code in found.units:
                    u = self.units.get(code)
                    hosts += list(u.countries) or ([u.country] if u.country else [])
        return Scope(
            campaign=found.code if found else None,
            campaign_id=found.id if found else None,
            title=found.title if found else seat.name if seat else "",
            unit=seat.code if seat else None,
            unit_kind=seat.kind if seat else None,
            start=first,
            last=after - timedelta(days=1),
            end=after,
            before_start=first - (after - first),
            timezone=self.timezone,
            subject=self.subject,
            host_countries=[c for c in dict.fromkeys(hosts) if c != self.subject],
            key_messages=list(dict.fromkeys(m for c in sources for m in c.key_messages)),
            topics=list(dict.fromkeys(t for c in sources for t in c.topics)),
            campaigns=[c.id for c in sources],
        )

    # -- the stages -----------------------------------------------------------------------------------

    def _inputs(
        self, found: Campaign | None, seat: Unit | None, activities: list[Activity]
    ) -> list[Indicator]:
        if found is not None and found.budget is not None:
            budget = _indicator("budget", "inputs", "money", found.budget,
                                parts=[Part(found.currency or "?", found.budget)])  # fmt: skip
        else:
            budget = _indicator("budget", "inputs", "money", None,
                                missing="no_budget" if found else "no_campaign")  # fmt: skip
        spent: dict[str, list[Activity]] = defaultdict(list)
        for a in activities:
            if a.cost is not None:
                spent[a.currency or "?"].append(a)
        parts = [
            Part(
                currency,
                round(sum(a.cost or 0 for a in done), 2),
                records={"activities": [a.id for a in done]},
            )
            for currency, done in sorted(spent.items())
        ]
        cost = _indicator(
            "cost", "inputs", "money", parts[0].value if len(parts) == 1 else None, parts=parts,
            records={"activities": [a.id for done in spent.values() for a in done]},
            missing="currencies" if parts else "no_cost",
        )  # fmt: skip
        missions = [seat.code] if seat is not None else list(found.units if found else [])
        people = self.articles.users_of(missions)
        staff = _indicator("staff", "inputs", "people", people or None, missing="no_staff")
        return [budget, cost, staff]

    @staticmethod
    def _activities(activities: list[Activity]) -> list[Indicator]:
        by_type: dict[str, list[int]] = defaultdict(list)
        for a in activities:
            by_type[a.type].append(a.id)
        return [
            _indicator("activities", "activities", "count", len(activities),
                       parts=_parts(by_type, "activities", ACTIVITY_TYPES),
                       records={"activities": [a.id for a in activities]})
        ]  # fmt: skip

    def _outputs(
        self, found: Campaign | None, seat: Unit | None, scope: Scope, activities: list[Activity]
    ) -> list[Indicator]:
        made: dict[str, list[int]] = defaultdict(list)
        for row in self.repo.product_rows(
            campaign_id=found.id if found else None, unit=seat.code if seat else None
        ):
            when = row["published_on"] or row["created_at"].date()
            if scope.start <= when < scope.end:
                made[row["kind"]].append(row["id"])
        products = _indicator("products", "outputs", "count", sum(len(v) for v in made.values()),
                              parts=_parts(made, "products", PRODUCT_KINDS),
                              records={"products": [i for v in made.values() for i in v]})  # fmt: skip
        sent: dict[str, dict[str, list[int]]] = {
            s: defaultdict(list) for s in ("sent", "acknowledged", "overdue")
        }
        for pack in self.packs.list(unit=seat.code if seat else None, campaign=found.id if found else None):
            for r in pack.recipients:
                if (seat is None or r.unit == seat.code) and scope.start <= r.sent_at.date() < scope.end:
                    sent["sent"][r.unit].append(pack.id)
                    if r.state in ("acknowledged", "overdue"):
                        sent[r.state][r.unit].append(pack.id)
        packs = [
            _indicator(f"packs_{state}", "outputs", "count", sum(len(v) for v in by_unit.values()),
                       parts=_parts(by_unit, "packs"),
                       records={"packs": list({i for v in by_unit.values() for i in v})})
            for state, by_unit in sent.items()
        ]  # fmt: skip
        releases = [a.id for a in activities if (a.release or "").strip() or a.type == "press_release"]
        counted = [a for a in activities if a.audience is not None]
        return [
            products,
            *packs,
            _indicator("releases", "outputs", "count", len(releases), records={"activities": releases}),
            _indicator("audience", "outputs", "people",
                       sum(a.audience or 0 for a in counted) if counted else None,
                       records={"activities": [a.id for a in counted]}, missing="no_audience"),
        ]  # fmt: skip

    def _outtakes(self, scope: Scope, activities: list[Activity]) -> list[Indicator]:
        confirmed = self.articles.confirmed([a.id for a in activities])
        earned = sorted({i for ids in confirmed.values() for i in ids})
        rows = self.articles.articles(earned)
        n = len(earned)
        per_activity = {str(a): ids for a, ids in sorted(confirmed.items())}
        copies = self.articles.copies(earned)
        reprints = {str(a): [c for c in found if c not in set(earned)] for a, found in copies.items()}
        reprints = {a: ids for a, ids in reprints.items() if ids}
        reprint_ids = sorted({i for ids in reprints.values() for i in ids})
        outlets: dict[str, list[int]] = defaultdict(list)
        hosts: dict[str, list[int]] = defaultdict(list)
        origins: dict[str, list[int]] = defaultdict(list)
        countries: dict[str, list[int]] = defaultdict(list)
        languages: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            outlets[row.source or "?"].append(row.id)
            if row.country in scope.host_countries:
                hosts[row.source or "?"].append(row.id)
            origins[outlet_origin(row.origin, row.country, scope.subject)].append(row.id)
            countries[row.country or "?"].append(row.id)
            languages[row.lang or "?"].append(row.id)
        no = "no_coverage"
        found = [
            _indicator("earned_articles", "outtakes", "count", n, parts=_parts(per_activity, "articles"),
                       records={"articles": earned, "activities": [int(a) for a in per_activity]}),
            _indicator("reprints", "outtakes", "count", len(reprint_ids), parts=_parts(reprints, "articles"),
                       records={"articles": reprint_ids}),
            _indicator("outlets", "outtakes", "count", len(set(outlets) - {"?"}),
                       parts=_parts(outlets, "articles"), records={"articles": earned}),
            _indicator("host_outlets", "outtakes", "count",
                       len(set(hosts) - {"?"}) if scope.host_countries else None,
                       parts=_parts(hosts, "articles"),
                       records={"articles": [i for v in hosts.values() for i in v]}, missing="no_host"),
            _indicator("foreign_share", "outtakes", "percent", _share(len(origins["foreign"]), n),
                       parts=_parts(origins, "articles", ORIGINS), records={"articles": origins["foreign"]},
                       missing=no),
            _indicator("countries", "outtakes", "count", len(set(countries) - {"?"}),
                       parts=_parts(countries, "articles"), records={"articles": earned}),
            _indicator("languages", "outtakes", "count", len(set(languages) - {"?"}),
                       parts=_parts(languages, "articles"), records={"articles": earned}),
        ]  # fmt: skip
        found.append(self._penetration(scope, rows))
        return found

    @staticmethod
    def _penetration(scope: Scope, rows: list[Any]) -> Indicator:
        forms = [(m, index_form(m)) for m in scope.key_messages]
        forms = [(m, f) for m, f in forms if f]
        carried: dict[str, list[int]] = {m: [] for m, _ in forms}
        for row in rows:
            text = f" {index_form(row.title + chr(10) + row.text)} "
            for message, form in forms:
                if f" {form} " in text:
                    carried[message].append(row.id)
        with_message = sorted({i for ids in carried.values() for i in ids})
        value = _share(len(with_message), len(rows)) if forms else None
        parts = [Part(m, len(ids), records={"articles": ids}) for m, ids in carried.items()]
        return _indicator("message_penetration", "outtakes", "percent", value, parts=parts,
                          records={"articles": with_message},
                          missing="no_messages" if not forms else "no_coverage")  # fmt: skip

    def _outcomes(self, scope: Scope, window: tuple[datetime, datetime, datetime]) -> list[Indicator]:
        keys = ("host_tone", "subject_attention", "share_of_voice", "topic_attention")
        units = ("tone", "count", "percent", "count")
        if not scope.host_countries:
            return [
                _indicator(k, "outcomes", u, None, missing="no_host")
                for k, u in zip(keys, units, strict=True)
            ]
        before_since, since, until = window
        during = self.articles.articles_of_countries(scope.host_countries, since, until)
        before = self.articles.articles_of_countries(scope.host_countries, before_since, since)
        tone: dict[int, float] = {}
        named: dict[int, set[str]] = defaultdict(set)
        topics: dict[int, set[str]] = defaultdict(set)
        for tag in self.articles.tags(during + before, TOPICS):
            if tag.kind == "tone" and tag.value == "subject":
                tone[tag.article_id] = tag.score
            elif tag.kind == "country":
                named[tag.article_id].add(tag.value)
            elif tag.kind == "topic":
                topics[tag.article_id].add(tag.value)

        def toned(ids: list[int]) -> list[int]:
            return [a for a in ids if a in tone]

        def naming(ids: list[int], country: str) -> list[int]:
            return [a for a in ids if country in named[a]]

        host_tone = _indicator(
            "host_tone", "outcomes", "tone", _mean([tone[a] for a in toned(during)]),
            before=_mean([tone[a] for a in toned(before)]),
            records={"articles": toned(during), "articles_before": toned(before)}, missing="no_tone",
        )  # fmt: skip
        attention = _indicator(
            "subject_attention", "outcomes", "count", len(naming(during, scope.subject)),
            before=len(naming(before, scope.subject)),
            records={"articles": naming(during, scope.subject),
                     "articles_before": naming(before, scope.subject)},
        )  # fmt: skip
        return [host_tone, attention, self._voice(scope, during, before, named),
                self._topics(scope, during, before, topics)]  # fmt: skip

    @staticmethod
    def _voice(scope: Scope, during: list[int], before: list[int], named: dict[int, set[str]]) -> Indicator:
        def voices(ids: list[int]) -> Counter:
            return Counter(c for a in ids for c in named[a] if c not in scope.host_countries)

        now, then = voices(during), voices(before)
        top = sorted(now, key=lambda c: (-now[c], c))[:VOICES]
        if scope.subject not in top:
            top = [*top[: VOICES - 1], scope.subject]
        parts = [
            Part(c, now[c], then[c], records={"articles": [a for a in during if c in named[a]]}) for c in top
        ]
        rest = sum(now.values()) - sum(now[c] for c in top), sum(then.values()) - sum(then[c] for c in top)
        if rest != (0, 0):
            parts.append(Part("other", rest[0], rest[1]))
        return _indicator(
            "share_of_voice", "outcomes", "percent", _share(now[scope.subject], sum(now.values())),
            before=_share(then[scope.subject], sum(then.values())), parts=parts,
            records={"articles": [a for a in during if scope.subject in named[a]],
                     "articles_before": [a for a in before if scope.subject in named[a]]},
            missing="no_mentions",
        )  # fmt: skip

    @staticmethod
    def _topics(scope: Scope, during: list[int], before: list[int], topics: dict[int, set[str]]) -> Indicator:
        if not scope.topics:
            return _indicator("topic_attention", "outcomes", "count", None, missing="no_topics")
        wanted = set(scope.topics)
        now = [a for a in during if topics[a] & wanted]
        then = [a for a in before if topics[a] & wanted]
        parts = [
            Part(t, sum(t in topics[a] for a in during), sum(t in topics[a] for a in before),
                 records={"articles": [a for a in during if t in topics[a]]})
            for t in scope.topics
        ]  # fmt: skip
        return _indicator("topic_attention", "outcomes", "count", len(now), before=len(then), parts=parts,
                          records={"articles": now, "articles_before": then})  # fmt: skip


def day_after(last: date | str | None) -> date | None:
    """The day after the period's last day (the end of [first, after)); None if none was given."""
    found = day(last, "to")
    if found is None:
        return None
    if found == date.max:  # the day after it is past the calendar's end
        raise OutreachError(
            "evaluation_last_day", "the last day {until}: choose an earlier one", until=found.isoformat()
        )
    return found + timedelta(days=1)


def _period(first: date | None, after: date | None) -> tuple[date, date]:
    """[first, after), both known and in that order, else the refusal that says what to give."""
    if first is None or after is None:
        raise OutreachError(
            "evaluation_no_period",
            "give the period: its first and its last day, e.g. 2026-01-01 and 2026-06-30",
        )
    if after <= first:
        raise OutreachError(
            "evaluation_bad_period",
            "the period ends ({end}) before it starts ({start})",
            start=first.isoformat(),
            end=(after - timedelta(days=1)).isoformat(),
        )
    if first - date.min < after - first:  # the window before it would start before year 1
        raise OutreachError(
            "evaluation_long_period",
            "the period {start} – {end} is too long to be compared with one as long before it: "
            "give a shorter one",
            start=first.isoformat(),
            end=(after - timedelta(days=1)).isoformat(),
        )
    return first, after


def outlet_origin(origin: str | None, country: str | None, subject: str) -> str:
    """Where an outlet is from, as foreign share counts it: caunoi.models.outlet_origin (its source's
    origin, else its country: the subject's, domestic; another, foreign; else unknown), the
    international outlets counted with the foreign (FOREIGN_ORIGINS)."""
    found = models.outlet_origin(origin, country, subject)
    return "foreign" if found in FOREIGN_ORIGINS else found


# -- objectives ---------------------------------------------------------------------------------------

# the metrics that are not an indicator's value: how each is worked out from the indicators
DERIVED: dict[str, Callable[[dict[str, Indicator]], tuple[float | None, Records]]] = {
    "tone_change": lambda got: (
        round(got["host_tone"].value - got["host_tone"].before, 2)
        if got["host_tone"].value is not None and got["host_tone"].before is not None
        else None,
        got["host_tone"].records,
    ),
    "message_articles": lambda got: (
        len(got["message_penetration"].records["articles"])
        if got["message_penetration"].value is not None
        else None,
        got["message_penetration"].records,
    ),
}


def metric(key: str, indicators: list[Indicator]) -> tuple[float | None, Records]:
    """The value of a metric of METRICS and the records behind it."""
    got = {i.key: i for i in indicators}
    if key in DERIVED:
        return DERIVED[key](got)
    return got[key].value, got[key].records


def _progress(objective: Any, indicators: list[Indicator]) -> Progress:
    if objective.metric is None:
        return Progress(objective.indicator, None, objective.target, objective.due_on, None, None, {},
                        words("eval_missing_no_metric"))  # fmt: skip
    value, records = metric(objective.metric, indicators)
    progress = round(100 * value / objective.target, 1) if value is not None and objective.target else None
    missing = None if value is not None else words("eval_missing_not_measured")
    return Progress(objective.indicator, objective.metric, objective.target, objective.due_on, value,
                    progress, records, missing)  # fmt: skip


# -- the missions compared ------------------------------------------------------------------------


def _figures(ev: Evaluation, unit: Unit) -> MissionFigures:
    got = {i.key: i for i in ev.indicators}

    def count(key: str) -> int:
        return int(got[key].value or 0)

    tone = got["host_tone"]
    change, _ = DERIVED["tone_change"](got)
    return MissionFigures(
        unit=unit.code, name=unit.name, name_en=unit.name_en, activities=count("activities"),
        activity_types={p.key: int(p.value or 0) for p in got["activities"].parts},
        products=count("products"), packs_sent=count("packs_sent"),
        packs_acknowledged=count("packs_acknowledged"), packs_overdue=count("packs_overdue"),
        earned_articles=count("earned_articles"), outlets=count("outlets"),
        message_penetration=got["message_penetration"].value, host_tone_before=tone.before,
        host_tone=tone.value, tone_change=change,
    )  # fmt: skip


def _sorter(sort: str) -> Callable[[list[MissionFigures]], list[MissionFigures]]:
    """How `sort` orders the rows: by a column of COMPARED, descending after a "-"; rows without a
    value last either way, ties by the mission's code."""
    column = sort.removeprefix("-")
    if column not in COMPARED:
        raise OutreachError(
            "evaluation_bad_sort", "sort by {value!r}: one of {known}, or -column (most first)", value=sort,
            known=", ".join(COMPARED),
        )  # fmt: skip
    descending = sort.startswith("-")

    def order(rows: list[MissionFigures]) -> list[MissionFigures]:
        rows = sorted(rows, key=lambda r: r.unit)
        known = [r for r in rows if getattr(r, column) is not None]
        known.sort(key=lambda r: getattr(r, column), reverse=descending)  # stable: ties stay by code
        return known + [r for r in rows if getattr(r, column) is None]

    return order


COMPARISON_COLUMNS = (
    "unit", "name", "activities", "activity_types", "products", "packs_sent", "packs_acknowledged",
    "packs_overdue", "earned_articles", "outlets", "message_penetration", "host_tone_before", "host_tone",
    "tone_change",
)  # fmt: skip


def comparison_table(comparison: Comparison, lang: str = "vi") -> list[list[Any]]:
    """The rows of the comparison's export, under COMPARISON_COLUMNS (names and activity types in
    `lang`)."""
    rows = []
    for m in comparison.missions:
        name = (m.name_en or m.name) if lang == "en" else m.name
        types = "; ".join(f"{part_name('activities', k, lang)} {n}" for k, n in m.activity_types.items())
        rows.append([m.unit, name, m.activities, types, m.products, m.packs_sent, m.packs_acknowledged,
                     m.packs_overdue, m.earned_articles, m.outlets, m.message_penetration,
                     m.host_tone_before, m.host_tone, m.tone_change])  # fmt: skip
    return rows


def comparison_csv(comparison: Comparison, lang: str = "vi") -> bytes:
    from caunoi.ingest.tables import csv_bytes

    return csv_bytes(COMPARISON_COLUMNS, comparison_table(comparison, lang))


def comparison_xlsx(comparison: Comparison, lang: str = "vi") -> bytes:
    from caunoi.ingest.tables import xlsx_bytes

    return xlsx_bytes({"missions": (COMPARISON_COLUMNS, comparison_table(comparison, lang))})


# -- what views show --------------------------------------------------------------------------------


def part_name(indicator: str, key: str, lang: str) -> str:
    """What a reader sees for a part's key: an activity type's or product kind's name, a country's,
    a topic's, an outlet's origin; else the key itself (an outlet, a language code, a message)."""
    labels = LABELS[lang]
    if indicator == "activities":
        return labels.get(f"activity_type_{key}", key)
    if indicator == "products":
        return labels.get(f"product_kind_{key}", key)
    if indicator == "foreign_share":
        return labels.get(f"eval_origin_{key}", key)
    if indicator in ("countries", "share_of_voice") and len(key) == 2:
        return name_of(key, "country", lang)
    if indicator == "topic_attention":
        return name_of(key, "topic", lang)
    if indicator == "earned_articles":
        return f"{labels['eval_activity']} {key}"
    if indicator == "reprints":
        return f"{labels['eval_article']} {key}"
    if key in ("other", "?"):
        return labels[f"eval_{'other' if key == 'other' else 'unknown'}"]
    return key


TABLE_COLUMNS = (
    "stage", "indicator", "name", "part", "value", "before", "unit", "target", "progress", "due_on",
    "records", "definition",
)  # fmt: skip


def _records(records: Records) -> str:
    return "; ".join(f"{kind}: {' '.join(map(str, ids))}" for kind, ids in records.items() if ids)


def table(evaluation: Evaluation, lang: str = "vi") -> list[list[Any]]:
    """The rows of an export, under TABLE_COLUMNS: the scope, then each indicator followed by its
    parts, then the objectives."""
    s, labels = evaluation.scope, LABELS[lang]
    rows: list[list[Any]] = []
    for key, value in (
        ("campaign", f"{s.campaign} — {s.title}" if s.campaign else None), ("unit", s.unit),
        ("from", s.start.isoformat()), ("until", (s.end - timedelta(days=1)).isoformat()),
        ("before", f"{s.before_start.isoformat()} – {(s.start - timedelta(days=1)).isoformat()}"),
        ("host_countries", ", ".join(s.host_countries)), ("key_messages", " | ".join(s.key_messages)),
        ("topics", ", ".join(s.topics)),
    ):  # fmt: skip
        if value:
            rows.append(["scope", key, labels[f"eval_scope_{key}"], "", value] + [""] * 7)
    for i in evaluation.indicators:
        missing = (i.missing or {}).get(lang, "")
        rows.append([i.stage, i.key, i.name[lang], "", i.value if i.value is not None else missing, i.before,
                     i.unit, None, None, None, _records(i.records), i.definition[lang]])  # fmt: skip
        for p in i.parts:
            rows.append([i.stage, i.key, i.name[lang], part_name(i.key, p.key, lang), p.value, p.before,
                         i.unit, None, None, None, _records(p.records), ""])  # fmt: skip
    for o in evaluation.objectives:
        value = o.value if o.value is not None else (o.missing or {}).get(lang, "")
        rows.append(["objectives", o.metric or "", o.indicator, "", value, None, "", o.target, o.progress,
                     o.due_on.isoformat() if o.due_on else None, _records(o.records), ""])  # fmt: skip
    return rows


def table_csv(evaluation: Evaluation, lang: str = "vi") -> bytes:
    """The export as CSV, UTF-8 with a byte-order mark (so Excel reads Vietnamese right)."""
    from caunoi.ingest.tables import csv_bytes

    return csv_bytes(TABLE_COLUMNS, table(evaluation, lang))


def table_xlsx(evaluation: Evaluation, lang: str = "vi") -> bytes:
    from caunoi.ingest.tables import xlsx_bytes

    return xlsx_bytes({"evaluation": (TABLE_COLUMNS, table(evaluation, lang))})
