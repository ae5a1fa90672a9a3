"""The API's answers are views of the domain's records: each model is built from a record's attributes
(from_attributes), names only fields (or properties) the record has, and types them as the record
does; a model inside a model stands for its own record. The models stay declared in
caunoi/app/api/schemas.py because they are the published OpenAPI contract (names, descriptions,
which fields are required); this keeps them from drifting from the records they show."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime

import pytest

from caunoi.alerts.explain import AlertArticle, AlertStory
from caunoi.app.api import schemas
from caunoi.cases import Case, ListedCase
from caunoi.factsheets import FactSheet, ListedFactSheet
from caunoi.models import Article, SourceHealth
from caunoi.outreach import (
    Activity,
    Campaign,
    Candidate,
    Comparison,
    Evaluation,
    FileInfo,
    ImportReport,
    Indicator,
    MissionFigures,
    Objective,
    Pack,
    Part,
    Product,
    Progress,
    Recipient,
    Scope,
    SentPack,
    UnitOutreach,
)
from caunoi.reports.drafts import Draft
from caunoi.search import SavedSearch
from caunoi.stories.view import Growth, StorySummary, StoryView
from caunoi.units import Unit

VIEWS = [
    (schemas.ArticleOut, Article),
    (schemas.StoryItem, StorySummary),
    (schemas.GrowthOut, Growth),
    (schemas.AlertArticleOut, AlertArticle),
    (schemas.AlertStoryOut, AlertStory),
    (schemas.StoryOut, StoryView),
    (schemas.SourceHealth, SourceHealth),
    (schemas.CaseOut, ListedCase),
    (schemas.CaseDetail, Case),
    (schemas.FactSheetOut, ListedFactSheet),
    (schemas.FactSheetDetail, FactSheet),
    (schemas.SavedSearchOut, SavedSearch),
    (schemas.Unit, Unit),
    (schemas.FileOut, FileInfo),
    (schemas.ObjectiveOut, Objective),
    (schemas.CampaignOut, Campaign),
    (schemas.CampaignDetail, Campaign),
    (schemas.RecipientOut, Recipient),
    (schemas.PackOut, Pack),
    (schemas.PackDetail, Pack),
    (schemas.ProductOut, Product),
    (schemas.ProductDetail, Product),
    (schemas.ActivityOut, Activity),
    (schemas.ActivityDetail, Activity),
    (schemas.ImportReportOut, ImportReport),
    (schemas.SentPackOut, SentPack),
    (schemas.UnitOutreachOut, UnitOutreach),
    (schemas.CandidateOut, Candidate),
    (schemas.PartOut, Part),
    (schemas.IndicatorOut, Indicator),
    (schemas.ProgressOut, Progress),
    (schemas.ScopeOut, Scope),
    (schemas.EvaluationOut, Evaluation),
    (schemas.MissionFiguresOut, MissionFigures),
    (schemas.ComparisonOut, Comparison),
    (schemas.DraftOut, Draft),
    (schemas.DraftDetail, Draft),
]
SHOWS = {model: record for model, record in VIEWS}  # a model in a model stands for its record


def _plain(kind: object) -> set[object]:
    """The classes a type annotation allows, as a set to compare: Optional and Literal unwrapped,
    generics reduced to their origin (list[dict[str, Any]] -> list), a date-time also a date."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_plain(k) for k in typing.get_args(kind)))
    if origin is typing.Literal:
        return {type(v) for v in typing.get_args(kind)}
    if origin is typing.Annotated:
        return _plain(typing.get_args(kind)[0])
    if origin is not None:
        return {origin}
    return {kind, date} if kind is datetime else {kind}


@pytest.mark.parametrize(("model", "record"), VIEWS, ids=[m.__name__ for m, _ in VIEWS])
def test_each_answer_is_a_view_of_its_record(model, record):
    assert model.model_config.get("from_attributes"), f"{model.__name__} is not built from attributes"
    hints = typing.get_type_hints(record)
    for name in dir(record):  # a property reads as its getter's return type (Activity.local_start)
        if isinstance(prop := getattr(record, name), property):
            hints[name] = typing.get_type_hints(prop.fget)["return"]
    for name, info in model.model_fields.items():
        assert name in hints, f"{model.__name__}.{name}: {record.__name__} has no such field"
        shown = {SHOWS.get(k, k) for k in _plain(info.annotation)}
        held = _plain(hints[name])
        if dict in shown and held - shown:  # a free-form field may hold records, shown as dicts
            continue
        assert held - {type(None)} <= shown | {typing.Any}, f"{model.__name__}.{name}: {shown} ⊉ {held}"
