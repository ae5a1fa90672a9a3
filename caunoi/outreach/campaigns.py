"""Campaigns and themes (chiến dịch, chủ đề): a friendship year with a partner country, an
anniversary, a priority message — with its period, partner countries, priority topics (ids of the
enrichment taxonomy), key messages (short sentences coverage can later be checked for), target
audiences, objectives each with a measurable target (indicator, target value, by when: the AMEC
way), a planned budget, and the units and missions taking part. A campaign is named by its code
(imports and the CLI use it) or its id."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from caunoi.errors import check_actor, check_choice
from caunoi.models import row_id_of
from caunoi.outreach.common import (
    NotFound,
    OutreachError,
    TakenError,
    amount,
    clean,
    countries,
    currency,
    day,
    items,
)
from caunoi.store.outreach import OutreachRepository
from caunoi.units import UnitService

CAMPAIGN_KINDS = ("campaign", "theme", "friendship_year", "anniversary", "priority_message")
MAX_MESSAGE = 300  # characters: a key message is a sentence, not a speech
# The figures of an evaluation (caunoi.outreach.evaluation) an objective may be measured by; its
# progress is then computed, else it is left for a person to give. Shares are in percent (a target
# of 60 is 60 %), tone in GDELT's points.
METRICS = (
    "activities",
    "releases",
    "audience",
    "products",
    "packs_sent",
    "packs_acknowledged",
    "earned_articles",
    "reprints",
    "outlets",
    "host_outlets",
    "foreign_share",
    "countries",
    "languages",
    "message_penetration",
    "message_articles",
    "host_tone",
    "tone_change",
    "subject_attention",
    "share_of_voice",
    "topic_attention",
)


@dataclass(frozen=True)
class Objective:
    """What a campaign aims at: an indicator (e.g. "articles in host-country media citing a key
    message"), a target value, the date it is due by, and — when one fits — the metric of METRICS
    evaluation measures it by (the indicator's words stay as they were written)."""

    indicator: str
    target: float
    due_on: date | None = None
    metric: str | None = None


@dataclass(frozen=True)
class Campaign:
    id: int
    code: str
    title: str
    kind: str
    description: str | None
    starts_on: date
    ends_on: date
    countries: list[str]
    topics: list[str]
    key_messages: list[str]
    audiences: list[str]
    budget: float | None
    currency: str | None
    units: list[str]
    objectives: list[Objective]
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: dict[str, Any], history: list[dict[str, Any]] | None = None) -> Campaign:
        objectives = [
            Objective(o["indicator"], o["target"], o["due_on"], o.get("metric")) for o in row["objectives"]
        ]
        return cls(**{**row, "objectives": objectives}, history=history or [])


def objective(value: Objective | dict[str, Any] | str) -> Objective:
    """An objective from a record, a mapping or text "[metric:] indicator = target [by DATE]"
    (e.g. "bài báo nước sở tại nêu thông điệp = 40 by 2026-12-31", or measured by a metric:
    "message_articles: bài báo nêu thông điệp = 40 by 2026-12-31"). In text, words before a colon
    name a metric only when they are one of METRICS; otherwise they are part of the indicator."""
    metric = None
    if isinstance(value, Objective):
        indicator, target, due, metric = value.indicator, value.target, value.due_on, value.metric
    elif isinstance(value, dict):
        indicator, target, due = value.get("indicator"), value.get("target"), value.get("due_on")
        metric = value.get("metric")
    else:
        match = re.fullmatch(r"\s*(.+?)\s*=\s*([\d.,\s]+?)\s*(?:(?:by|đến|trước)\s+(\S+))?\s*", value)
        if match is None:
            raise OutreachError(
                "campaign_bad_objective",
                "objective {value!r}: write it as 'indicator = target by DATE', e.g. 'articles citing a key "
                "message = 40 by 2026-12-31'",
                value=value,
            )
        indicator, target, due = match.groups()
        named = re.match(r"\s*([a-z_]+)\s*:\s*(.+)", indicator)
        if named and named.group(1) in METRICS:
            metric, indicator = named.groups()
    metric = clean(metric)
    if metric is not None and metric not in METRICS:
        raise OutreachError(
            "campaign_bad_metric", "objective metric {value!r}: one of {known}", value=metric,
            known=", ".join(METRICS),
        )  # fmt: skip
    indicator = clean(indicator)
    if not indicator:
        raise OutreachError(
            "campaign_bad_objective", "objective {value!r}: name its indicator", value=str(value)
        )
    number = amount(target, "target")
    if number is None:
        raise OutreachError(
            "campaign_bad_objective", "objective {value!r}: give its target value", value=str(value)
        )
    return Objective(indicator, number, day(due, "due date"), metric)


class Campaigns:
    """The rules about campaigns; every change takes `by`, who makes it (audited)."""

    def __init__(self, repo: OutreachRepository, units: UnitService, topics: tuple[str, ...]):
        self.repo, self.units, self.topics = repo, units, topics

    def add(
        self,
        code: str,
        title: str,
        *,
        by: str,
        starts_on: date | str,
        ends_on: date | str,
        kind: str = "campaign",
        **details: Any,
    ) -> Campaign:
        """A new campaign; `details`: description, countries, topics, key_messages, audiences,
        budget, currency, units, objectives."""
        by = check_actor(by, OutreachError)
        code = self._code(code)
        values = self._values(
            {"title": title, "kind": kind, "starts_on": starts_on, "ends_on": ends_on, **details}
        )
        units, objectives = values.pop("units", []), values.pop("objectives", [])
        new_id = self.repo.add_campaign({"code": code, **values}, units, objectives, by)
        if new_id is None:
            raise TakenError("campaign_exists", "there is already a campaign with code {code}", code=code)
        return self.get(new_id)

    def edit(self, ref: str | int, *, by: str, **changes: Any) -> Campaign:
        """Change some fields (those of `add`, the code apart); units and objectives given replace
        the old ones. Audited with before and after."""
        by = check_actor(by, OutreachError)
        campaign = self.get(ref)
        fields = {
            "title": campaign.title,
            "kind": campaign.kind,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
        }
        values = self._values({**fields, **changes})
        units, objectives = values.pop("units", None), values.pop("objectives", None)  # None: unchanged
        self.repo.change_campaign(campaign.id, values, units, objectives, by)
        return self.get(campaign.id)

    def get(self, ref: str | int) -> Campaign:
        """A campaign by id or code, with its history."""
        campaign_id = self.resolve(ref)
        rows = self.repo.campaign_rows([campaign_id])
        return Campaign.from_row(rows[0], self.repo.history("campaign", campaign_id))

    def resolve(self, ref: str | int) -> int:
        """A campaign's id from its id or code."""
        text = str(ref).strip()
        found = self.repo.campaign_id(text)
        if found is None and (as_id := row_id_of(text)) is not None and self.repo.campaign_rows([as_id]):
            found = as_id
        if found is None:
            raise NotFound("campaign_not_found", "no campaign with code or id {ref!r}", ref=text)
        return found

    def _values(self, given: dict[str, Any]) -> dict[str, Any]:
        known = {"title", "kind", "starts_on", "ends_on", "description", "countries", "topics",
                 "key_messages", "audiences", "budget", "currency", "units", "objectives"}  # fmt: skip
        if unknown := set(given) - known:
            raise OutreachError("campaign_not_editable", "a campaign has no field {fields}",
                                fields=", ".join(sorted(unknown)))  # fmt: skip
        values: dict[str, Any] = {}
        values["title"] = clean(given["title"])
        if not values["title"]:
            raise OutreachError("campaign_no_title", "a campaign needs a title")
        values["kind"] = check_choice(given["kind"], CAMPAIGN_KINDS, "campaign kind", OutreachError)
        values["starts_on"] = day(given["starts_on"], "start")
        values["ends_on"] = day(given["ends_on"], "end")
        if values["starts_on"] is None or values["ends_on"] is None:
            raise OutreachError("campaign_no_period", "a campaign needs a start and an end date")
        if values["ends_on"] < values["starts_on"]:
            raise OutreachError("campaign_bad_period", "the campaign ends ({end}) before it starts ({start})",
                                start=values["starts_on"], end=values["ends_on"])  # fmt: skip
        if "description" in given:
            values["description"] = clean(given["description"])
        if "countries" in given:
            values["countries"] = countries(given["countries"])
        if "topics" in given:
            values["topics"] = items(given["topics"], r"[,;|\s]+")
            if unknown := [t for t in values["topics"] if t not in self.topics]:
                raise OutreachError("campaign_bad_topic", "topic {value}: one of {known}",
                                    value=", ".join(unknown), known=", ".join(self.topics))  # fmt: skip
        if "key_messages" in given:
            values["key_messages"] = items(given["key_messages"])
            if long := [m for m in values["key_messages"] if len(m) > MAX_MESSAGE]:
                raise OutreachError("campaign_long_message",
                                    "a key message is a sentence of at most {limit} characters: {value!r}…",
                                    limit=MAX_MESSAGE, value=long[0][:60])  # fmt: skip
        if "audiences" in given:
            values["audiences"] = items(given["audiences"])
        if "budget" in given:
            values["budget"] = amount(given["budget"], "budget")
        if "currency" in given:
            values["currency"] = currency(given["currency"])
        if values.get("budget") is not None and not (values.get("currency") or given.get("currency")):
            raise OutreachError("outreach_no_currency", "give the currency of the amount, e.g. VND or EUR")
        if "units" in given:
            values["units"] = [self.units.get(code).code for code in items(given["units"], r"[,;|\s]+")]
        if "objectives" in given:
            found = [objective(o) for o in (given["objectives"] or [])]
            values["objectives"] = [
                {"indicator": o.indicator, "target": o.target, "due_on": o.due_on, "metric": o.metric}
                for o in found
            ]
        return values

    @staticmethod
    def _code(code: str) -> str:
        code = unicodedata.normalize("NFC", code.strip())
        if not re.fullmatch(r"[\w.-]{1,40}", code) or code.isdigit():
            raise OutreachError(
                "campaign_bad_code",
                "campaign code {code!r}: up to 40 letters, digits, '-', '_' or '.', not only digits",
                code=code,
            )
        return code

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(self, *, unit: str | None = None, active_on: date | None = None) -> list[Campaign]:
        """Campaigns, latest start first; with `unit`, those it takes part in; with `active_on`,
        those running that day."""
        code = self.units.get(unit).code if unit else None
        found = [Campaign.from_row(row) for row in self.repo.campaign_rows(unit=code)]
        if active_on is not None:
            found = [c for c in found if c.starts_on <= active_on <= c.ends_on]
        return found
