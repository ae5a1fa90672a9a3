"""The API's answers and requests as Pydantic models, and the id types of its paths and bodies.

The class names are the OpenAPI schema names and the fields, bounds and descriptions are the
published contract: rename nothing here without meaning to change the API. Bodies (`_Body`) refuse
unknown fields and the NUL character; nothing here reads the store or knows a route."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from caunoi.alerts.rules import KINDS, SEVERITIES
from caunoi.models import MAX_ID
from caunoi.outreach import (
    ACTIVITY_TYPES,
    CAMPAIGN_KINDS,
    METRICS,
    PACK_KINDS,
    PRODUCT_KINDS,
    RECIPIENT_STATES,
)
from caunoi.timezones import aware
from caunoi.units import UNIT_KINDS, UNIT_TYPES
from caunoi.users import ROLES

# -- answers ------------------------------------------------------------------------------------


def _as_dicts(items: list[Any]) -> list[Any]:
    """Records (dataclasses) as the dicts a free-form field holds, their fields as they are."""
    return [
        dataclasses.asdict(i) if dataclasses.is_dataclass(i) and not isinstance(i, type) else i for i in items
    ]


def _utc(at: datetime) -> datetime:
    """A moment the store keeps in UTC without its zone, given back with it: 2026-11-25T09:18:00Z."""
    return aware(at)


Utc = Annotated[datetime, AfterValidator(_utc)]  # a moment (caunoi.timezones): UTC, with a Z
Zone = Annotated[str, Field(max_length=64, description="An IANA time zone, e.g. Europe/Paris.")]


def _audited(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit entries with their time (`at`, UTC in the store) given with its zone."""
    return [{**e, "at": aware(e["at"])} if isinstance(e.get("at"), datetime) else e for e in entries]


History = Annotated[
    list[dict[str, Any]], BeforeValidator(_audited), Field(description="The audit trail, oldest first.")
]


class ErrorDetail(BaseModel):
    status: int
    code: str = Field(description="bad_query, bad_filter, bad_cursor, not_found, forbidden, …")
    message: str = Field(description="What went wrong and what to do instead.")


class ErrorOut(BaseModel):
    error: ErrorDetail


class ArticleOut(BaseModel):
    """One article with what enrichment found in it (null until enriched)."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.models.Article

    id: int
    title: str
    text: str
    published: datetime | None
    published_from: str | None = None
    event_date: date | None = None
    lang: str | None = None
    lang_confidence: float | None = None
    source: str | None = None
    category: str | None = None
    url: str | None = None
    author: str | None = None
    attribution: str | None = None
    origin: str
    origins: list[dict[str, Any]]
    content_hash: str
    dates: list[dict[str, Any]] | None = None
    meta: dict[str, Any] | None = None
    story_id: int | None = None
    reprint_of: int | None = Field(
        None, description="The earliest copy of this text, when this is a reprint."
    )
    copies: list[dict[str, Any]] = []
    enrichment_version: int | None = None
    keywords: list[dict[str, Any]] | None = None
    entities: list[dict[str, Any]] | None = None
    doc_refs: list[dict[str, Any]] | None = None
    events: list[dict[str, Any]] | None = None
    topics: dict[str, Any] | None = None
    tone: dict[str, Any] | None = None


class HitOut(BaseModel):
    id: int
    title: str
    published: date | None
    published_at: datetime | None
    lang: str | None
    source: str | None
    origin: str = Field(
        description="Where its outlet is from: domestic, foreign, diaspora, international "
        "or unknown (the sources registry's record of its outlet)."
    )
    outlet_country: str | None = Field(description="Its outlet's country (ISO 3166), when the registry says.")
    category: str | None
    url: str | None
    score: float | None = Field(
        description="Its relevance (higher is better); null for a search sorted by date on SQLite, "
        "which ranks nothing."
    )
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) of each matched word in the snippet")


class SearchPage(BaseModel):
    items: list[HitOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")
    total: int | None = Field(description="How many articles matched (estimated unless total_exact).")
    total_exact: bool = Field(description="Whether `total` was counted (true) or estimated (false).")
    ranked_among: int | None = Field(
        None,
        description="By relevance, when more matched than the setting rank_cap: only this many, "
        "the most recently stored matches, were ranked; null when every match was.",
    )
    reading: str | None = Field(
        description="The query as its likeliest reading writes the words typed without diacritics "
        "(bien Dong -> Biển Đông), whose articles come first; null when there was nothing to read."
    )
    other_readings: list[str] = Field(description="The next readings, to search instead.")
    facets: dict[str, list[tuple[str, int]]] | None = Field(
        None,
        description="With facets=true: counts by lang, source, origin, outlet_country, topic and country "
        "over (at most 5,000 of) the matches, the top ten of each; null otherwise.",
    )


class GrowthOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.stories.rising.Growth

    window_start: datetime
    window_end: datetime
    count: int = Field(description="The story's articles in the window (reprints counted once).")
    counts: list[int] = Field(
        description="Its articles in each window, oldest first: the baseline's, then the window's (last)."
    )
    mean: float = Field(description="The baseline's mean, at least 1 (a young story's floor).")
    sd: float = Field(description="The baseline's spread, at least √mean and 1.")
    z: float = Field(description="(count − mean) / sd")
    ratio: float = Field(description="count / mean")
    threshold_z: float
    new: bool = Field(description="First seen in the window (mới).")
    rising: bool = Field(description="count ≥ the minimum and z ≥ threshold_z (đang tăng).")


class StoryItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.stories.view.StorySummary

    id: int
    title: str | None
    articles: int
    reprints: int
    first_seen: datetime
    last_seen: datetime
    active: bool
    outlets: int
    languages: list[str]
    growth: GrowthOut | None = Field(None, description="How it grew in the window (`rising=true` only).")


class StoryPage(BaseModel):
    items: list[StoryItem]
    next_cursor: str | None


class StoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.stories.view.StoryView

    id: int
    title: str | None
    summary: list[dict[str, Any]]
    first_seen: datetime
    last_seen: datetime
    active: bool
    articles: int
    reprints: int
    outlets: list[tuple[str | None, int]]
    reprinted_by: list[Any]
    countries: list[tuple[str, int]]
    languages: list[tuple[str | None, int]]
    topics: list[tuple[str, int]]
    tone: float | None
    subject_tone: float | None
    timeline: list[dict[str, Any]]
    items: list[dict[str, Any]]


class Count(BaseModel):
    value: str = Field(
        description="An outlet, a language, an ISO country code, an entity id or a document id."
    )
    articles: int


class DayFigures(BaseModel):
    day: date
    articles: int
    tone: float | None = Field(description="The mean tone of the day's articles (GDELT's scale), if any.")


class DashboardOut(BaseModel):
    start: datetime
    end: datetime = Field(description="The latest article's day when the store is older than today.")
    days: int
    articles: int
    per_day: list[DayFigures]
    outlets: list[Count]
    languages: list[Count]
    countries: list[Count]
    entities: list[Count]
    doc_refs: list[Count] = Field(description="Party and State documents cited.")
    entity_names: dict[str, dict[str, str]] = Field(description="Entity id -> its name in vi and en.")
    computed_at: datetime = Field(
        description="When these figures were computed (they are kept until the store changes)."
    )


class AttentionBucket(BaseModel):
    first: date = Field(
        description="Its first day: the day, or the week's Monday (or the period's first day)."
    )
    last: date = Field(description="Its last day: the day, or the week's Sunday (or the period's last day).")
    articles: int = Field(description="Every article stored for these days: what the shares are of.")


class AttentionSeries(BaseModel):
    label: str = Field(
        description="The query as given, or the saved search's name; empty: the filters alone."
    )
    query: str
    saved: str | None = Field(description="The saved search it is, if it is one.")
    colour: str = Field(description="Its colour on the charts (#rrggbb), the same in every interface.")
    counts: list[int] = Field(description="Articles it finds, a bucket (as /search lists them).")
    shares: list[float | None] = Field(
        description="Each count as a share (0-1) of the bucket's articles; null where the store has none."
    )
    total: int = Field(description="Articles it finds over the period.")
    share: float | None = Field(description="The total as a share of every article of the period.")
    outlets: list[Count]
    countries: list[Count]
    entities: list[Count] = Field(description="Entity ids; their names are in entity_names.")


class AttentionOut(BaseModel):
    first: date
    last: date = Field(description="The period's last day, included.")
    by: Literal["day", "week"]
    buckets: list[AttentionBucket]
    articles: int = Field(description="Every article stored in the period.")
    series: list[AttentionSeries] = Field(
        description="One a search compared, in the order given: q, then saved."
    )
    entity_names: dict[str, dict[str, str]] = Field(description="Entity id -> its name in vi and en.")


class SourceHealth(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.models.SourceHealth

    id: int
    name: str
    enabled: bool
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_poll_at: datetime | None
    articles_per_day: float = Field(
        description="its articles stored per day over the last 7 days, however they came (feed, file, page)"
    )
    pending: int
    failed_pages: int
    dead: bool
    dead_listings: list[str]
    state: str = Field(
        description="ok, failing, dead, not_fetched (never polled yet), disabled, or recognise_only "
        "(no feed nor sitemap: never polled)"
    )
    articles: int = Field(description="every stored article linked to it, however it came")


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.audit.AuditEntry

    id: int
    at: Utc = Field(description="when, in UTC (…Z)")
    actor: str = Field(description="who made the change")
    entity: str = Field(description="the kind of object: source, alert_rule, channel, saved_search, user, …")
    entity_id: str = Field(description="which one (its id, or its code); * for the whole registry")
    action: str = Field(description="add, edit, remove, enable, disable, import, relink, replace, …")
    changes: dict[str, Any] = Field(description="each field changed: [before, after]")


class SearchIndexOut(BaseModel):
    enabled: bool = Field(
        description="whether the store has a search index beside it (caunoi search-index build)"
    )
    usable: bool = Field(description="whether searches use it now; if not, the store's own index answers")
    why_not: str | None = Field(description="why an index that is on is not used (not built, restored, …)")
    path: str | None = Field(description="its folder on the server")
    built_at: Utc | None = Field(description="when it was built, in UTC (…Z)")
    pending: int = Field(description="changes of the store it has still to take in")
    documents: int | None = Field(default=None, description="articles it holds")
    bytes: int | None = Field(default=None, description="its size on disk")


class AlertOut(BaseModel):
    id: int
    rule: str | None = Field(description="the rule that raised it; none for a pack notice")
    kind: str = Field(description="the rule's kind, or `pack`: a notice that a pack was sent to `unit`")
    story_id: int | None
    window_start: datetime
    window_end: datetime
    severity: str
    title: str
    why: dict[str, Any]
    digest: bool
    state: Literal["new", "read", "dismissed"]
    created_at: Utc
    pack_id: int | None = Field(None, description="a pack notice's pack (its page: /packs/{pack_id})")
    unit: str | None = Field(None, description="the unit a pack notice tells")


class AlertArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.alerts.explain.AlertArticle

    id: int
    title: str
    source: str | None
    lang: str | None
    published: datetime
    story_id: int | None


class AlertStoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.alerts.explain.AlertStory

    id: int
    title: str
    articles: int = Field(description="How many of the alert's articles are in it.")


class AlertDetailOut(AlertOut):
    """An alert with why it was raised (caunoi.alerts.explain): `why` holds its figures."""

    articles: list[AlertArticleOut] = Field(
        description="The articles of the spike: those of the window the rule's scope matches (of the "
        "alert's story when it has one), in publication order, at most 200."
    )
    article_count: int
    stories: list[AlertStoryOut] = Field(description="The articles' stories, most articles first.")
    series: list[int] | None = Field(
        description="The baseline's counts then the window's, oldest first (for rules that count)."
    )
    history: History = Field(description="Who read or dismissed it, oldest first.")
    articles_error: str | None = Field(description="Why the articles could not be found again, if so.")
    scope: dict[str, Any] = Field(
        default_factory=dict,
        description="What its rule watches: query, saved search, topic, origin (foreign…), outlet_country, …",
    )


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.cases' records

    id: int
    title: str
    state: Literal["new", "triaged", "assigned", "answered", "closed"]
    priority: Literal["low", "normal", "high", "urgent"]
    story_id: int | None
    alert_id: int | None
    unit: str | None
    unit_name: str | None = None
    assignee: str | None
    deadline: Utc | None = Field(description="Answer by then (UTC, with a Z).")
    notes: str | None
    created_by: str | None
    created_at: Utc
    updated_at: Utc
    closed_at: Utc | None
    overdue: bool


class CaseDetail(CaseOut):
    story_title: str | None = None
    actions: list[str] = Field(description="What can be done to the case next.")
    responses: Annotated[list[dict[str, Any]], BeforeValidator(_as_dicts)]
    history: History


class _FactSheet(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.factsheets' records

    id: int
    title: str
    kind: Literal["fact_sheet", "position"]
    lang: str
    tags: list[str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class FactSheetOut(_FactSheet):
    excerpt: str


class StoryRef(BaseModel):
    id: int
    title: str | None


class FactSheetDetail(_FactSheet):
    body: str
    stories: list[StoryRef] = Field(description="The stories it answers.")
    history: History


class SavedSearchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.search.SavedSearch

    id: int
    name: str
    request: dict[str, Any]
    created_by: str | None
    created_at: datetime


UnitKind = Literal[UNIT_KINDS]  # unit | mission
UnitType = Literal[UNIT_TYPES]  # embassy, consulate_general, …, other


class Unit(BaseModel):
    """A unit at headquarters or a mission abroad."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.units.Unit

    code: str = Field(description="How cases, users and the CLI name it; found in any case.")
    name: str = Field(description="Its name in Vietnamese.")
    name_en: str | None
    kind: UnitKind
    type: UnitType | None
    country: str | None = Field(description="A mission's seat: ISO 3166 two-letter code.")
    countries: tuple[str, ...] = Field(description="Every country it covers, the seat first.")
    city: str | None
    languages: tuple[str, ...] = Field(description="The host media's languages (ISO 639 codes).")
    website: str | None
    timezone: str | None = Field(
        None, description="Its IANA time zone; null: its seat's zone when that country has one."
    )
    created_at: Utc
    updated_at: Utc | None
    retired_at: Utc | None = Field(description="Retired: kept for its cases and users, not listed.")


# -- administration: sources (caunoi.ingest.sources) -------------------------------------------------


class SourceOut(BaseModel):
    """A watched source as it was added or last changed (its health: GET /sources)."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.models.SourceDetail

    id: int
    name: str
    home: str
    feeds: list[str]
    sitemaps: list[str]
    domains: list[str] = Field(description="Where its articles are recognised; empty: its home's.")
    country: str | None
    languages: list[str]
    media_type: str | None
    origin: str | None
    poll_minutes: int
    enabled: bool
    allow_private: bool
    notes: str | None
    created_at: datetime
    updated_at: datetime


# -- administration: alert rules and notification channels (caunoi.alerts) ------------------------

RuleKind = Literal[KINDS]  # volume_spike, tone_spike, new_story, rising_story, outlet, mention
Severity = Literal[SEVERITIES]  # low | medium | high


class RuleOut(BaseModel):
    id: int
    name: str
    kind: RuleKind
    scope: dict[str, Any] = Field(
        description="What it watches: a query and filters, a saved search or a story."
    )
    params: dict[str, Any] = Field(description="Its thresholds (those left out take the kind's defaults).")
    channels: list[str] = Field(description="The channels told; the inbox always is.")
    severity: Severity
    enabled: bool
    created_by: str | None
    created_at: datetime
    last_run_at: datetime | None
    last_error: str | None = Field(description="Why it could not run last time; null once it runs again.")
    last_error_at: datetime | None


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: Literal["email", "webhook"]
    target: str = Field(description="E-mail addresses (comma-separated) or the webhook URL.")
    secret: str | None = Field(description="`…` when the webhook has its secret: never shown back.")
    allow_private: bool
    enabled: bool
    created_at: datetime


class DeliveryOut(BaseModel):
    """What became of a test notification."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.alerts.notify.Delivery

    ok: bool
    target: str
    attempts: int
    status: int | None = Field(description="The last SMTP reply code or HTTP status.")
    error: str | None = Field(description="What went wrong, in one line; null when delivered.")


# -- administration: users and their API tokens (caunoi.users) ---------------------------------------

Role = Literal[ROLES]  # admin | analyst | mission_officer | viewer


class UserOut(BaseModel):
    """A user as an administrator sees them; never the password or its hash."""

    username: str
    display_name: str | None
    role: Role
    mission: str | None = Field(description="A mission officer's mission (unit code); null for the others.")
    lang: Literal["vi", "en"]
    disabled: bool
    locked_until: datetime | None = Field(
        description="Locked after failed logins until then (unlock lifts it)."
    )
    failed_logins: int = Field(description="Wrong passwords in a row since the last login.")
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
    password_changed_at: datetime | None


class UserChanged(UserOut):
    """A user after a change. `password` is the one generated when none was given: shown this once.
    `ended` says how many sessions ended and API tokens were revoked (a new password, disabling)."""

    password: str | None = None
    ended: dict[str, int] | None = None


class TokenOut(BaseModel):
    """An API token without its secret: how it starts (`prefix`) and its dates."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenMade(TokenOut):
    token: str = Field(description="The token itself: shown this once (only its hash is kept).")


# -- outreach: campaigns, packs, products, activities (caunoi.outreach's records) -------------------


CampaignKind = Literal[CAMPAIGN_KINDS]
PackKind = Literal[PACK_KINDS]
ProductKind = Literal[PRODUCT_KINDS]
ActivityType = Literal[ACTIVITY_TYPES]
Metric = Literal[METRICS]  # what evaluation measures an objective by
RecipientState = Literal[RECIPIENT_STATES]  # waiting | overdue | acknowledged


class FileOut(BaseModel):
    """A file attached to a pack, product or activity; GET /files/{id} downloads it."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.FileInfo

    id: int
    name: str
    media_type: str = Field(description="Recognised from its bytes, not its name.")
    size: int
    sha256: str
    created_by: str | None
    created_at: datetime


class ObjectiveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Objective

    indicator: str
    target: float
    due_on: date | None
    metric: Metric | None = Field(description="The evaluation figure it is measured by, if any.")


class CampaignOut(BaseModel):
    """A campaign or theme, with its period, the units taking part and its measurable objectives."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Campaign

    id: int
    code: str
    title: str
    kind: CampaignKind
    description: str | None
    starts_on: date
    ends_on: date
    countries: list[str] = Field(description="Partner countries, ISO 3166 two-letter codes.")
    topics: list[str] = Field(description="Priority topics: ids of the enrichment taxonomy.")
    key_messages: list[str]
    audiences: list[str]
    budget: float | None
    currency: str | None
    units: list[str] = Field(description="The codes of the units and missions taking part.")
    objectives: list[ObjectiveOut]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class CampaignDetail(CampaignOut):
    history: History


class RecipientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Recipient

    unit: str
    state: RecipientState = Field(description="overdue: not acknowledged and the deadline passed.")
    sent_at: datetime
    sent_by: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    usage: str | None = Field(description="How the unit reported it used the pack.")
    reported_at: datetime | None
    activities: list[int] = Field(description="The unit's activities that used the pack.")


class PackOut(BaseModel):
    """An information pack and whom it was sent to; a mission officer sees their mission's row only."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Pack

    id: int
    title: str
    kind: PackKind
    campaign_id: int | None
    deadline: Utc | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    recipients: list[RecipientOut]
    counts: dict[str, int] = Field(description="Recipients by state.")
    files: list[FileOut]


class PackDetail(PackOut):
    body: str = Field(description="The positions, talking points or Q&A.")
    history: History = Field(description="The audit trail, oldest first (not shown to mission officers).")


class ProductOut(BaseModel):
    """An information product: an article, video, book, … or a fact sheet or position of the library."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Product

    id: int
    kind: ProductKind
    title: str
    lang: str
    tags: list[str]
    unit: str | None = Field(description="The unit or mission that made it.")
    campaign_id: int | None
    audience: str | None
    url: str | None
    published_on: date | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    files: list[FileOut]


class ProductDetail(ProductOut):
    body: str
    history: History


class ActivityOut(BaseModel):
    """What a unit or mission did; `starts_at` in UTC and `local_start` where it happened."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Activity

    id: int
    key: str = Field(description="Given when logged or imported, else made of date, unit, type and title.")
    type: ActivityType
    title: str
    description: str | None
    starts_at: Utc
    ends_at: Utc | None
    timezone: str = Field(description="Where it happened, an IANA name.")
    local_start: datetime = Field(description="The start in its own time zone, with the offset.")
    local_end: datetime | None
    place: str | None
    country: str | None
    unit: str
    campaign_id: int | None
    audience: int | None = Field(description="How many people it reached, if counted.")
    partners: list[str] = Field(description="Partner organisations.")
    officials: list[str] = Field(description="Officials in their public roles.")
    cost: float | None
    currency: str | None
    notes: str | None
    links: list[str]
    release: str | None = Field(description="The text it put out (press release, statement).")
    products: list[int] = Field(description="Ids of the products it used.")
    packs: list[int] = Field(description="Ids of the packs it used.")
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    files: list[FileOut]


class ActivityDetail(ActivityOut):
    history: History


class ActivityPage(BaseModel):
    items: list[ActivityOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class RefusedRow(BaseModel):
    line: int = Field(description="Its row number in the file (the header is row 1).")
    key: str | None
    reason: str


class ImportReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.ImportReport

    added: list[str] = Field(description="Keys of the activities added.")
    changed: list[str] = Field(description="Keys of the activities changed to what their row says.")
    unchanged: int = Field(description="Rows already as stored.")
    refused: list[RefusedRow]
    written: bool = Field(description="False: rows were refused and nothing was written.")


class ImportRefusedOut(BaseModel):
    error: ErrorDetail
    report: ImportReportOut


class SentPackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.SentPack

    id: int
    title: str
    kind: PackKind
    campaign_id: int | None
    deadline: Utc | None
    state: RecipientState
    sent_at: datetime
    acknowledged_at: datetime | None


class UnitOutreachOut(BaseModel):
    """A unit's or mission's outreach at a glance."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.UnitOutreach

    unit: Unit
    activities: int
    activities_this_year: int = Field(description="Since 1 January in the organisation's time zone.")
    latest_activities: list[ActivityOut] = Field(description="Its latest 20, latest first.")
    products: int
    packs: dict[str, int] = Field(description="Packs sent to it by state: waiting, overdue, acknowledged.")
    open_packs: list[SentPackOut] = Field(description="Not acknowledged: overdue first, then by deadline.")
    campaigns: list[CampaignOut] = Field(description="Those it takes part in.")


class CoverageReason(BaseModel):
    """Why an article may be an activity's coverage: one sign, its weight in the score, in words."""

    kind: str = Field(
        description="release_copy, release_sentences, official, unit, title, event_at, outlet, …"
    )
    values: dict[str, Any] = Field(description="What the words are made of (a count, a name, a date …).")
    weight: float = Field(description="Its contribution: the score is 1 − Π(1 − weight).")
    text: str = Field(description="In English; the web pages say it in Vietnamese too.")


class CandidateOut(BaseModel):
    """An article an activity may have earned, and a person's decision on it."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Candidate

    article_id: int
    score: float = Field(description="0 to 1: how likely the article reports the activity.")
    reasons: list[CoverageReason] = Field(description="Best first.")
    state: Literal["candidate", "confirmed", "rejected"]
    title: str
    url: str | None = Field(description="The article's address, where it has one.")
    source: str | None
    published: datetime | None = Field(description="As stored: Hanoi wall-clock time.")
    decided_by: str | None
    decided_at: datetime | None


Number = int | float  # counts stay whole in JSON, shares and tone do not
Lang = dict[str, str]  # "vi" and "en" -> the same words in each


class PartOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Part

    key: str = Field(description="An activity type, product kind, unit, outlet, country, language, message …")
    value: Number | None
    before: Number | None = Field(description="Outcomes: over the window of equal length before the period.")
    records: dict[str, list[int]]


class IndicatorOut(BaseModel):
    """One figure of an evaluation, its definition and the ids of the records behind it."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Indicator

    key: str
    stage: Literal["inputs", "activities", "outputs", "outtakes", "outcomes"]
    unit: Literal["count", "percent", "tone", "money", "people"]
    value: Number | None = Field(description="null: not known, `missing` says why.")
    before: Number | None = Field(description="Outcomes: over the window of equal length before the period.")
    parts: list[PartOut]
    records: dict[str, list[int]] = Field(
        description="activities, articles, articles_before, packs, products -> ids: what to open."
    )
    name: Lang
    definition: Lang
    missing: Lang | None


class ProgressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Progress

    indicator: str
    metric: Metric | None
    target: float
    due_on: date | None
    value: Number | None
    progress: float | None = Field(description="The value in percent of the target.")
    records: dict[str, list[int]]
    missing: Lang | None


class ScopeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Scope

    campaign: str | None
    campaign_id: int | None
    title: str
    unit: str | None
    unit_kind: UnitKind | None
    start: date = Field(description="The first day.")
    last: date = Field(description="The last day, included.")
    end: date = Field(description="The day after the last: the period is [start, end).")
    before_start: date = Field(description="The window before is [before_start, start).")
    timezone: str
    subject: str
    host_countries: list[str]
    key_messages: list[str]
    topics: list[str]
    campaigns: list[int]


class EvaluationOut(BaseModel):
    """A campaign's, unit's or mission's outreach in the AMEC chain, with its objectives."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Evaluation

    scope: ScopeOut
    indicators: list[IndicatorOut]
    objectives: list[ProgressOut]
    computed_at: Utc


# -- requests -------------------------------------------------------------------------------------


NUL = "\x00"  # PostgreSQL text cannot hold it: refused in bodies and query strings alike


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and NUL in t for t in texts):
            raise ValueError("remove the NUL character (\\u0000)")
        return value


Short = Annotated[str, Field(max_length=200)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Note = Annotated[str, Field(max_length=10_000)]

Id = Annotated[int, Path(ge=1, le=MAX_ID)]  # a row id in a path: /cases/{case_id}


class CaseOpen(_Body):
    """Open a case from a story (titled after it), an alert (about its story) or just a title."""

    title: Short | None = None
    story_id: RowId | None = None
    alert_id: RowId | None = None
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    notes: Note | None = None


class CaseTriage(_Body):
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    note: Note | None = None


class CaseAssign(_Body):
    unit: Short | None = Field(None, description="Unit or mission code; kept when the case has one.")
    deadline: Short | None = Field(
        None,
        description="2024-05-01 (by its end), 2024-05-01T17:00, 2024-05-01T17:00+02:00 or +48h, +3d; "
        "a time without an offset is read in `timezone`.",
    )
    timezone: Zone | None = Field(
        None,
        description="Of a deadline without an offset; default: yours (your mission's, else the "
        "organisation's).",
    )
    assignee: Short | None = None
    note: Note | None = None


class CaseAnswer(_Body):
    """A response: its kind, title and url; or a fact sheet of the library; or an article of the store."""

    kind: Literal["statement", "fact_sheet", "interview", "article", "other"] | None = None
    title: Short | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    fact_sheet_id: RowId | None = None
    article_id: RowId | None = None
    note: Note | None = None


class CaseClose(_Body):
    reason: Note | None = None


FactSheetTitle = Annotated[str, Field(min_length=1, max_length=500)]
FactSheetText = Annotated[str, Field(min_length=1, max_length=200_000, description="Its text.")]
FactSheetKind = Literal["fact_sheet", "position"]
Lang = Annotated[str, Field(min_length=2, max_length=8, description="A language code: vi, en, zh-hans.")]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)]


class FactSheetIn(_Body):
    """A fact sheet, or an official position (lập trường chính thức), for the library."""

    title: FactSheetTitle
    body: FactSheetText
    kind: FactSheetKind = "fact_sheet"
    lang: Lang = "vi"
    tags: Tags = []


class FactSheetChange(_Body):
    """The fields to change; those left out (or null) keep their value, `tags` replaces the tags."""

    title: FactSheetTitle | None = None
    body: FactSheetText | None = None
    kind: FactSheetKind | None = None
    lang: Lang | None = None
    tags: Tags | None = None


class SavedSearchIn(_Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    query: Annotated[str, Field(max_length=1000)] = ""
    exact: bool = False
    lang: Short | None = None
    source: Short | None = None
    category: Short | None = None
    doc_ref: Short | None = None
    topic: Short | None = None
    entity: Short | None = None
    country: Short | None = None
    event_type: Short | None = None
    tone_min: float | None = None
    tone_max: float | None = None
    tone_of: Literal["article", "subject"] = "article"
    origin: Short | None = None
    outlet_country: Short | None = None
    replace: bool = Field(False, description="Replace a search someone else saved under this name.")


UnitCode = Annotated[str, Field(min_length=1, max_length=40, description="e.g. BC-TTDN or DSQ-US.")]
UnitName = Annotated[str, Field(min_length=1, max_length=500)]
UnitText = Annotated[str, Field(max_length=500)]
CountryCode = Annotated[str, Field(max_length=8, description="ISO 3166 two-letter code, e.g. FR.")]
Countries = Annotated[list[CountryCode], Field(max_length=250)]
LangCode = Annotated[str, Field(max_length=8, description="ISO 639 code, e.g. fr.")]
Website = Annotated[str, Field(max_length=2000, description="http(s)://…")]


class UnitIn(_Body):
    """A unit or mission to add: the countries it covers start with its seat (`country`)."""

    code: UnitCode
    name: UnitName
    kind: UnitKind = "unit"
    name_en: UnitText | None = None
    type: UnitType | None = None
    country: CountryCode | None = None
    countries: Countries = []
    city: UnitText | None = None
    languages: Annotated[list[LangCode], Field(max_length=50)] = []
    website: Website | None = None
    timezone: Zone | None = None


class UnitChange(_Body):
    """The fields to change; those left out keep their value, null clears one (not `name` or `kind`),
    and a list replaces the list. The code names the unit and stays."""

    name: UnitName = None  # type: ignore[assignment]  # left out: kept; null: refused
    kind: UnitKind = None  # type: ignore[assignment]
    name_en: UnitText | None = None
    type: UnitType | None = None
    country: CountryCode | None = None
    countries: Countries | None = None
    city: UnitText | None = None
    languages: Annotated[list[LangCode], Field(max_length=50)] | None = None
    website: Website | None = None
    timezone: Zone | None = None


# -- sources requests ------------------------------------------------------------------------------

UrlList = Annotated[list[Annotated[str, Field(max_length=2000)]], Field(max_length=100)]


class SourceChange(_Body):
    """The fields to change (make_spec's: see docs/usage.md, "Watching the web"); those left out keep
    their value. The name names the source and stays."""

    home: Annotated[str, Field(max_length=2000)] = None  # type: ignore[assignment]  # left out: kept
    feeds: UrlList | None = None
    sitemaps: UrlList | None = None
    domains: UrlList | None = None
    country: Annotated[str, Field(max_length=8)] | None = None
    languages: Annotated[list[Annotated[str, Field(max_length=8)]], Field(max_length=50)] | None = None
    media_type: Annotated[str, Field(max_length=40)] | None = None
    origin: Annotated[str, Field(max_length=40)] | None = None
    poll_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = None  # type: ignore[assignment]
    allow_private: bool = None  # type: ignore[assignment]
    notes: Annotated[str, Field(max_length=5000)] | None = None


class SourceIn(SourceChange):
    """A source to add: its name and home, and at least a feed or a sitemap unless it is added
    disabled (recognised by its domains only)."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    home: Annotated[str, Field(max_length=2000)]
    enabled: bool = True


# -- alert rules and channels requests ------------------------------------------------------------

ScopeText = Annotated[str, Field(max_length=2000)]
NameList = Annotated[list[Short], Field(max_length=200)]


class RuleScope(_Body):
    """What a rule watches, as `caunoi alerts rule-add` takes it: a search (query and filters), a
    saved search by name, or one story."""

    query: ScopeText | None = None
    saved: Short | None = None
    story: RowId | None = None
    topic: Short | None = None
    entity: Short | None = None
    country: Short | None = None
    doc_ref: Short | None = None
    lang: Short | None = None
    source: Short | None = None
    origin: Short | None = None
    outlet_country: Short | None = None


class RuleParams(_Body):
    """A rule's thresholds; those left out take the kind's defaults (see caunoi.alerts)."""

    outlets: NameList | None = None
    topics: NameList | None = None
    z: Annotated[float, Field(gt=0, le=100)] | None = None
    min_count: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    min_articles: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    window_hours: Annotated[int, Field(ge=1, le=24 * 31)] | None = None
    baseline_weeks: Annotated[int, Field(ge=1, le=52)] | None = None
    baseline_days: Annotated[int, Field(ge=1, le=365)] | None = None
    tone_below: Annotated[float, Field(ge=-100, le=100)] | None = None
    reprints: bool | None = None


class RuleChange(_Body):
    """A rule's whole definition but its name: what it watches and whom it tells."""

    kind: RuleKind
    scope: RuleScope = RuleScope()
    params: RuleParams = RuleParams()
    channels: NameList = []
    severity: Severity = "medium"


class RuleIn(RuleChange):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class ChannelChange(_Body):
    target: Annotated[str, Field(min_length=1, max_length=2000, description="E-mail address(es) or URL.")]
    secret: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="A webhook's HMAC key; left out when changing: kept."
    )
    allow_private: bool = Field(False, description="A webhook on the local network (private addresses).")
    enabled: bool = True


class ChannelIn(_Body):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: Literal["email", "webhook"]
    target: Annotated[str, Field(min_length=1, max_length=2000, description="E-mail address(es) or URL.")]
    secret: Annotated[str, Field(max_length=500)] | None = None
    allow_private: bool = False


# -- administration requests ----------------------------------------------------------------------

Username = Annotated[str, Field(min_length=2, max_length=100, description="a-z, digits, . _ - @")]
Password = Annotated[str, Field(max_length=1024, description="12 characters or more; left out: one is made.")]


class UserIn(_Body):
    """A user to add; without a password one is generated and answered once."""

    username: Username
    role: Role
    mission: UnitCode | None = None
    display_name: Annotated[str, Field(max_length=200)] | None = None
    lang: Literal["vi", "en"] = "vi"
    password: Password | None = None


class RoleChange(_Body):
    role: Role
    mission: UnitCode | None = Field(None, description="A mission officer's; kept if left out.")


class PasswordReset(_Body):
    password: Password | None = None


class TokenIn(_Body):
    name: Annotated[str, Field(min_length=1, max_length=100, description="What the token is for.")]
    expires_days: Annotated[int, Field(ge=1, le=3650)] | None = None


# -- outreach requests ----------------------------------------------------------------------------

Text = Annotated[str, Field(max_length=20_000)]
Names = Annotated[list[Short], Field(max_length=200)]
UnitCodes = Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=500)]
Ref = Annotated[str | int, Field(description="A campaign's code or id.")]
Money = Annotated[float, Field(ge=0)]
Moment = Annotated[
    str,
    Field(max_length=40, description="2026-10-13 09:30, 13/10/2026, or with an offset (…T09:30+02:00)."),
]
Url = Annotated[str, Field(max_length=2000)]


class ObjectiveIn(_Body):
    indicator: Annotated[str, Field(min_length=1, max_length=500)]
    target: Money
    due_on: date | None = None
    metric: Metric | None = Field(
        None, description="The evaluation figure it is measured by (shares in percent), if one fits."
    )


class CampaignIn(_Body):
    """A campaign; analysts and admins only."""

    code: Annotated[str, Field(min_length=1, max_length=40, description="e.g. NAM-VH-2026.")]
    title: Short
    kind: CampaignKind = "campaign"
    starts_on: date
    ends_on: date
    description: Text | None = None
    countries: Names = []
    topics: Names = []
    key_messages: Names = []
    audiences: Names = []
    budget: Money | None = None
    currency: Short | None = None
    units: UnitCodes = []
    objectives: Annotated[list[ObjectiveIn], Field(max_length=100)] = []


class CampaignChange(_Body):
    """The fields to change; those left out keep their value, a list replaces the list."""

    title: Short | None = None
    kind: CampaignKind | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    description: Text | None = None
    countries: Names | None = None
    topics: Names | None = None
    key_messages: Names | None = None
    audiences: Names | None = None
    budget: Money | None = None
    currency: Short | None = None
    units: UnitCodes | None = None
    objectives: Annotated[list[ObjectiveIn], Field(max_length=100)] | None = None


class PackIn(_Body):
    """A pack, sent at once to the units `to` (if any); files are added after (POST /packs/{id}/files)."""

    title: Short
    body: Annotated[str, Field(min_length=1, max_length=200_000)]
    kind: PackKind = "talking_points"
    campaign: Ref | None = None
    deadline: Moment | None = None
    timezone: Zone | None = Field(None, description="Of the deadline; default: the organisation's.")
    to: UnitCodes = []


class PackChange(_Body):
    title: Short | None = None
    body: Annotated[str, Field(min_length=1, max_length=200_000)] | None = None
    kind: PackKind | None = None
    campaign: Ref | None = None
    deadline: Moment | None = None
    timezone: Zone | None = None


class PackSend(_Body):
    units: Annotated[UnitCodes, Field(min_length=1)]


class PackAcknowledge(_Body):
    unit: Short | None = Field(None, description="Default: the mission officer's mission.")
    undo: bool = Field(False, description="Take the acknowledgement back.")


class PackReport(_Body):
    unit: Short | None = Field(None, description="Default: the mission officer's mission.")
    usage: Annotated[str, Field(min_length=1, max_length=5000, description="How the pack was used.")]
    activities: Annotated[list[RowId], Field(max_length=500)] = []


class ProductIn(_Body):
    """A product; a mission officer's is their mission's."""

    title: Short
    kind: ProductKind
    lang: Lang = "vi"
    body: Annotated[str, Field(max_length=200_000)] = ""
    tags: Tags = []
    unit: Short | None = None
    campaign: Ref | None = None
    audience: Short | None = None
    url: Url | None = None
    published_on: date | None = None


class ProductChange(_Body):
    title: Short | None = None
    kind: ProductKind | None = None
    lang: Lang | None = None
    body: Annotated[str, Field(max_length=200_000)] | None = None
    tags: Tags | None = None
    unit: Short | None = None
    campaign: Ref | None = None
    audience: Short | None = None
    url: Url | None = None
    published_on: date | None = None


class ActivityIn(_Body):
    """An activity; a mission officer logs their mission's (`unit` defaults to it). Times without an
    offset are read in `timezone`, else the zone of the mission's seat, else the organisation's."""

    title: Short
    type: ActivityType
    starts_at: Moment
    unit: Short | None = None
    key: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    ends_at: Moment | None = None
    timezone: Zone | None = None
    description: Text | None = None
    place: Short | None = None
    country: Annotated[str, Field(max_length=8)] | None = None
    campaign: Ref | None = None
    audience: Annotated[int, Field(ge=0, le=10**12)] | None = None
    partners: Names = []
    officials: Names = []
    cost: Money | None = None
    currency: Short | None = None
    notes: Text | None = None
    links: Annotated[list[Url], Field(max_length=50)] = []
    release: Text | None = None
    products: Annotated[list[RowId], Field(max_length=200)] = []
    packs: Annotated[list[RowId], Field(max_length=200)] = []


class ActivityChange(_Body):
    """The fields to change; those left out keep their value, `products` and `packs` replace the links."""

    title: Short | None = None
    type: ActivityType | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    timezone: Zone | None = None
    unit: Short | None = None
    description: Text | None = None
    place: Short | None = None
    country: Annotated[str, Field(max_length=8)] | None = None
    campaign: Ref | None = None
    audience: Annotated[int, Field(ge=0, le=10**12)] | None = None
    partners: Names | None = None
    officials: Names | None = None
    cost: Money | None = None
    currency: Short | None = None
    notes: Text | None = None
    links: Annotated[list[Url], Field(max_length=50)] | None = None
    release: Text | None = None
    products: Annotated[list[RowId], Field(max_length=200)] | None = None
    packs: Annotated[list[RowId], Field(max_length=200)] | None = None


# -- the missions compared (issue 16, the head of unit's view) ------------------------------------------


class MissionFiguresOut(BaseModel):
    """One mission's headline figures over the period, each the value of the evaluation's indicator
    of the same key."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.MissionFigures

    unit: str
    name: str
    name_en: str | None
    activities: int
    activity_types: dict[str, int] = Field(description="Activity type -> how many.")
    products: int
    packs_sent: int
    packs_acknowledged: int
    packs_overdue: int
    earned_articles: int
    outlets: int
    message_penetration: float | None
    host_tone_before: float | None
    host_tone: float | None
    tone_change: float | None = Field(description="The host tone in the period minus before it.")


class ComparisonOut(BaseModel):
    """The missions side by side over [start, end)."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.outreach.Comparison

    start: date
    end: date = Field(description="The day after the last: the period is [start, end).")
    timezone: str
    sort: str
    missions: list[MissionFiguresOut]
    computed_at: Utc


# -- review report drafts (caunoi.reports.drafts) -------------------------------------------------

ReportStyle = Literal["state", "party"]
ReportLang = Literal["vi", "en"]
DraftState = Literal["draft", "final"]
Section = Annotated[str, Field(max_length=200_000, description="Paragraphs separated by an empty line.")]
DocNumber = Annotated[str, Field(max_length=20, description="The number only, e.g. 12: the symbol is made.")]
Subject = Annotated[str, Field(max_length=500, description="The subject line; empty: made from the period.")]


class DraftOut(BaseModel):
    """A review report being written: its period, scope and layout, the sections people write, the
    drafts pulled into it. Its figures are computed when it is rendered (GET …/document)."""

    model_config = ConfigDict(from_attributes=True)  # built from caunoi.reports.drafts.Draft

    id: int
    unit: str | None = Field(description="The unit or mission reporting; null: the whole system.")
    starts_on: date
    ends_on: date = Field(description="The period's last day, included.")
    style: ReportStyle = Field(description="state (NĐ 30/2020) or party (HD 36-HD/VPTW) layout.")
    lang: ReportLang
    number: str | None
    subject: str | None = Field(description="The subject line when it is not the one made from the period.")
    narrative: dict[str, str] = Field(
        description="limitations, causes, directions, recommendations -> their text (empty: not written)."
    )
    pulled: list[int] = Field(description="The ids of the units' and missions' drafts pulled into this one.")
    state: DraftState
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime


class DraftDetail(DraftOut):
    history: History


class _DraftText(_Body):
    """The period, number, subject and sections a new draft is given or a draft's change gives."""

    starts_on: date | None = None
    ends_on: date | None = None
    number: DocNumber | None = None
    subject: Subject | None = None
    limitations: Section | None = None
    causes: Section | None = None
    directions: Section | None = None
    recommendations: Section | None = None


class DraftIn(_DraftText):
    """A new draft; the period defaults to the current half-year, a mission officer's unit to theirs."""

    unit: UnitCode | None = Field(default=None, description="A unit or mission; null: the whole system.")
    style: ReportStyle = "state"
    lang: ReportLang = "vi"


class DraftChange(_DraftText):
    """The fields to change (a section given replaces its text), and/or `state`: final to finalise,
    draft to reopen. `expected`: the draft's updated_at as you read it — a save over a newer one is
    then refused (409) instead of overwriting it."""

    style: ReportStyle | None = None
    lang: ReportLang | None = None
    state: DraftState | None = None
    expected: datetime | None = None


class DraftPull(_Body):
    """The unit's or mission's draft (of the same period) to pull into the whole system's."""

    draft: RowId
