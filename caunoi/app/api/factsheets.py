"""Routes for the library of fact sheets and official positions: list or search it, add, read,
change, and link a fact sheet to a story it answers. The routes call caunoi.service (service_of)
and never the store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from caunoi.app.api.errors import BAD, NOT_FOUND, ApiError
from caunoi.app.api.limits import Reader, csrf
from caunoi.app.api.schemas import FactSheetChange, FactSheetDetail, FactSheetIn, FactSheetOut, Id
from caunoi.app.auth import require, service_of
from caunoi.factsheets import FactSheet, FactSheetError, ListedFactSheet, NotFound

router = APIRouter()


@router.get("/factsheets", response_model=list[FactSheetOut], responses=BAD, tags=["cases"])
def list_fact_sheets(
    request: Request,
    _user: Reader,
    q: Annotated[str | None, Query(max_length=500, description="Every word, diacritics optional.")] = None,
    kind: Literal["fact_sheet", "position"] | None = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ListedFactSheet]:
    """The library of fact sheets and official positions, or those holding every word of `q`."""
    library = service_of(request).factsheets
    if q is not None and q.strip():
        return library.search(q, kind, lang, limit)
    return library.list(kind, lang, limit=limit)


FactSheetWriter = Annotated[dict[str, Any], Depends(require("factsheet.write"))]


@contextlib.contextmanager
def _refused_as_invalid() -> Iterator[None]:
    """Values the library refuses (a blank title, a language code that is not one) are a 422, like
    the body's other mistakes; an unknown id stays a 404."""
    try:
        yield
    except NotFound:
        raise
    except FactSheetError as exc:
        raise ApiError(422, "invalid", str(exc)) from None


@router.post(
    "/factsheets",
    response_model=FactSheetDetail,
    status_code=201,
    dependencies=[Depends(csrf)],
    tags=["cases"],
)
def add_fact_sheet(request: Request, body: FactSheetIn, user: FactSheetWriter) -> FactSheet:
    """Add a fact sheet or an official position to the library."""
    with _refused_as_invalid():
        return service_of(request).factsheets.add(**body.model_dump(), by=user["username"])


@router.get(
    "/factsheets/{fact_sheet_id}", response_model=FactSheetDetail, responses=NOT_FOUND, tags=["cases"]
)
def get_fact_sheet(request: Request, fact_sheet_id: Id, _user: Reader) -> FactSheet:
    """One fact sheet: its text, the stories it answers and its history."""
    return service_of(request).factsheets.get(fact_sheet_id)


@router.patch(
    "/factsheets/{fact_sheet_id}",
    response_model=FactSheetDetail,
    responses=NOT_FOUND,
    dependencies=[Depends(csrf)],
    tags=["cases"],
)
def change_fact_sheet(
    request: Request, fact_sheet_id: Id, body: FactSheetChange, user: FactSheetWriter
) -> FactSheet:
    """Change the fields given; the history keeps what they were."""
    with _refused_as_invalid():
        return service_of(request).factsheets.edit(fact_sheet_id, by=user["username"], **body.model_dump())


@router.post(
    "/factsheets/{fact_sheet_id}/stories/{story_id}",
    response_model=FactSheetDetail,
    status_code=201,
    responses={
        **NOT_FOUND,
        201: {"description": "Linked."},
        200: {"model": FactSheetDetail, "description": "They were linked already."},
    },
    dependencies=[Depends(csrf)],
    tags=["cases"],
)
def link_fact_sheet(
    request: Request, response: Response, fact_sheet_id: Id, story_id: Id, user: FactSheetWriter
) -> FactSheet:
    """Link the fact sheet to a story it answers (201; 200 when they were linked already)."""
    library = service_of(request).factsheets
    if not library.link(fact_sheet_id, story_id, by=user["username"]):
        response.status_code = 200
    return library.get(fact_sheet_id)
