"""The API's answers are views of the domain's records: each model is built from a record's attributes
(from_attributes), names only fields the record has, and types them as the record does. The models
stay declared in caunoi/app/api/schemas.py because they are the published OpenAPI contract (names,
descriptions, which fields are required); this keeps them from drifting from the records they show."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime

import pytest

from caunoi.app.api import schemas
from caunoi.cases import Case, ListedCase
from caunoi.factsheets import FactSheet, ListedFactSheet
from caunoi.models import Article, SourceHealth
from caunoi.search import SavedSearch
from caunoi.stories.view import StorySummary, StoryView
from caunoi.units import Unit

VIEWS = [
    (schemas.ArticleOut, Article),
    (schemas.StoryItem, StorySummary),
    (schemas.StoryOut, StoryView),
    (schemas.SourceHealth, SourceHealth),
    (schemas.CaseOut, ListedCase),
    (schemas.CaseDetail, Case),
    (schemas.FactSheetOut, ListedFactSheet),
    (schemas.FactSheetDetail, FactSheet),
    (schemas.SavedSearchOut, SavedSearch),
    (schemas.Unit, Unit),
]


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
    fields = {f.name: f for f in dataclasses.fields(record)}
    hints = typing.get_type_hints(record)
    for name, info in model.model_fields.items():
        assert name in fields, f"{model.__name__}.{name}: {record.__name__} has no such field"
        shown, held = _plain(info.annotation), _plain(hints[name])
        if dict in shown and held - shown:  # a free-form field may hold records, shown as dicts
            continue
        assert held - {type(None)} <= shown | {typing.Any}, f"{model.__name__}.{name}: {shown} ⊉ {held}"
