"""The API's answers and requests as Pydantic models, and the id types of its paths and bodies.

The class names are the OpenAPI schema names and the fields, bounds and descriptions are the
published contract: rename nothing here without meaning to change the API. Bodies (`_Body`) refuse
unknown fields and the NUL character; nothing here reads the store or knows a route."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from caunoi.models import MAX_ID
from caunoi.units import UNIT_KINDS, UNIT_TYPES

# -- answers ------------------------------------------------------------------------------------


def _as_dicts(items: list[Any]) -> list[Any]:
    """Records (dataclasses) as the dicts a free-form field holds, their fields as they are."""
    return [
        dataclasses.asdict(i) if dataclasses.is_dataclass(i) and not isinstance(i, type) else i for i in items
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
    category: str | None
    url: str | None
    score: float
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) of each matched word in the snippet")


class SearchPage(BaseModel):
    items: list[HitOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


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
    articles_per_day: float
    pending: int
    failed_pages: int
    dead: bool
    dead_listings: list[str]


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
    created_at: datetime
    pack_id: int | None = Field(None, description="a pack notice's pack (its page: /packs/{pack_id})")
    unit: str | None = Field(None, description="the unit a pack notice tells")


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
    deadline: datetime | None
    notes: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    overdue: bool


class CaseDetail(CaseOut):
    story_title: str | None = None
    actions: list[str] = Field(description="What can be done to the case next.")
    responses: Annotated[list[dict[str, Any]], BeforeValidator(_as_dicts)]
    history: list[dict[str, Any]] = Field(description="The audit trail, oldest first.")


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
    history: list[dict[str, Any]] = Field(description="The audit trail, oldest first.")


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
    created_at: datetime
    updated_at: datetime | None
    retired_at: datetime | None = Field(description="Retired: kept for its cases and users, not listed.")


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
    deadline: Short | None = Field(None, description="2024-05-01, 2024-05-01T17:00 or +48h, +3d.")
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
