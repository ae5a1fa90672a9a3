"""Fact sheets and official positions: the library answers draw on — list and search it, add,
edit, and link a fact sheet to the story it answers."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, need, page_user, posted, row_id
from caunoi.app.ui.render import _render, lang_of
from caunoi.errors import Invalid
from caunoi.factsheets import FACT_SHEET_KINDS, FactSheet, FactSheetError, NotFound

router = APIRouter(include_in_schema=False)


@router.get("/factsheets")
def fact_sheets(request: Request, q: str = "") -> Response:
    user = page_user(request)
    need(user, "read")
    q = q.strip()[:500]
    library = service_of(request).factsheets
    found, error = [], None
    try:  # every word, with or without diacritics, as `caunoi factsheets search`
        found = library.search(q, limit=200) if q else library.list(limit=500)
    except FactSheetError as exc:
        error = exc
    return _render(request, user, "factsheets.html.j2", sheets=found, q=q, error=error)


def _fact_sheet_fields(form: dict[str, str]) -> dict[str, Any]:
    """A fact sheet form as FactSheetService takes it: tags typed comma-separated."""
    return {
        "title": form.get("title") or "",
        "body": form.get("body") or "",
        "kind": form.get("kind") or "fact_sheet",
        "lang": form.get("lang") or "vi",
        "tags": (form.get("tags") or "").split(","),
    }


def _fact_sheet_form(
    request: Request,
    user: dict[str, Any],
    sheet: FactSheet | None,
    fields: dict[str, Any],
    error: FactSheetError | None = None,
) -> Response:
    """The new fact sheet form (no `sheet`) or a fact sheet's page with its edit form, as filled in."""
    fields = fields | {"tags": ", ".join(t.strip() for t in fields["tags"] if t.strip())}
    template = "factsheet.html.j2" if sheet else "factsheet_new.html.j2"
    return _render(
        request, user, template, 400 if error else 200, s=sheet, form=fields, error=error,
        kinds=FACT_SHEET_KINDS,
    )  # fmt: skip


@router.get("/factsheets/new")
def fact_sheet_new(request: Request) -> Response:
    user = page_user(request)
    need(user, "factsheet.write")
    fields = _fact_sheet_fields({"lang": lang_of(request, user)})
    return _fact_sheet_form(request, user, None, fields)


@router.post("/factsheets/new")
async def fact_sheet_add(request: Request) -> Response:
    user, form = await posted(request)
    need(user, "factsheet.write")
    fields = _fact_sheet_fields(form)
    try:
        sheet = service_of(request).factsheets.add(by=user["username"], **fields)
    except FactSheetError as exc:
        return _fact_sheet_form(request, user, None, fields, exc)
    return RedirectResponse(f"/factsheets/{sheet.id}", status_code=303)


def _fact_sheet(request: Request, fact_sheet_id: int) -> FactSheet:
    try:
        return service_of(request).factsheets.get(row_id(fact_sheet_id))
    except NotFound:
        raise PageError(404) from None


@router.get("/factsheets/{fact_sheet_id}")
def fact_sheet(request: Request, fact_sheet_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    sheet = _fact_sheet(request, fact_sheet_id)
    fields = {
        "title": sheet.title,
        "body": sheet.body,
        "kind": sheet.kind,
        "lang": sheet.lang,
        "tags": sheet.tags,
    }
    return _fact_sheet_form(request, user, sheet, fields)


@router.post("/factsheets/{fact_sheet_id}")
async def fact_sheet_edit(request: Request, fact_sheet_id: int) -> Response:
    user, form = await posted(request)
    need(user, "factsheet.write")
    sheet = _fact_sheet(request, fact_sheet_id)
    fields = _fact_sheet_fields(form)
    try:
        service_of(request).factsheets.edit(fact_sheet_id, by=user["username"], **fields)
    except NotFound:
        raise PageError(404) from None
    except FactSheetError as exc:
        return _fact_sheet_form(request, user, sheet, fields, exc)
    return RedirectResponse(f"/factsheets/{fact_sheet_id}", status_code=303)


@router.post("/factsheets/{fact_sheet_id}/link")
async def fact_sheet_link(request: Request, fact_sheet_id: int) -> Response:
    user, form = await posted(request)
    need(user, "factsheet.write")
    story = (form.get("story_id") or "").strip().lstrip("#")
    if not re.fullmatch(r"[0-9]{1,9}", story):
        refused = Invalid(
            "story_number", "story {value!r}: give the story's number, as /stories/12 shows it", value=story
        )
        raise PageError(400, refused)
    try:
        service_of(request).factsheets.link(row_id(fact_sheet_id), int(story), by=user["username"])
    except NotFound as exc:
        raise PageError(404, exc) from None
    return RedirectResponse(f"/factsheets/{fact_sheet_id}", status_code=303)
