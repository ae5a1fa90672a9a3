"""Routes for units and missions: everyone who reads lists them and reads one; an administrator
(unit.manage) adds, changes, retires and restores them, each change audited under their name, as
`caunoi units add|edit|retire` does. The routes call caunoi.service (service_of) and never the store;
a refusal rises as the units' own error (caunoi.units) and errors.DOMAIN_ERRORS answers it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from caunoi import units
from caunoi.app.api.errors import NOT_FOUND
from caunoi.app.api.limits import Reader, csrf
from caunoi.app.api.schemas import ErrorOut, Unit, UnitChange, UnitIn, UnitKind, UnitType
from caunoi.app.auth import require, service_of

router = APIRouter()

Code = Annotated[str, Path(min_length=1, max_length=100, description="Its code, in any case.")]
Manager = Annotated[dict[str, Any], Depends(require("unit.manage"))]
REFUSED = {422: {"model": ErrorOut, "description": "A field the unit cannot have (the message says why)."}}
CHANGE = {"response_model": Unit, "dependencies": [Depends(csrf)], "tags": ["units"]}


@router.get("/units", response_model=list[Unit], tags=["units"])
def list_units(
    request: Request,
    _user: Reader,
    kind: UnitKind | None = None,
    type: UnitType | None = None,
    q: Annotated[str, Query(max_length=500, description="Every word, in code, names, city, countries.")] = "",
    retired: Annotated[bool, Query(description="The retired ones too.")] = False,
) -> list[units.Unit]:
    """Units, then missions, by code (a few hundred at most: one answer, no cursor)."""
    return service_of(request).units.list(retired=retired, kind=kind, type=type, text=q)


@router.get("/units/{code}", response_model=Unit, responses=NOT_FOUND, tags=["units"])
def get_unit(request: Request, code: Code, _user: Reader) -> units.Unit:
    """One unit or mission, retired or not."""
    return service_of(request).units.get(code)


@router.post(
    "/units",
    status_code=201,
    responses={**REFUSED, 409: {"model": ErrorOut, "description": "A unit has this code (in any case)."}},
    **CHANGE,
)
def add_unit(request: Request, body: UnitIn, user: Manager) -> units.Unit:
    """Add a unit or a mission abroad (201)."""
    return service_of(request).units.add(**body.model_dump(), by=user["username"])


@router.patch("/units/{code}", responses={**NOT_FOUND, **REFUSED}, **CHANGE)
def change_unit(request: Request, code: Code, body: UnitChange, user: Manager) -> units.Unit:
    """Change the fields given; the audit log keeps each one before and after."""
    return service_of(request).units.edit(code, by=user["username"], **body.model_dump(exclude_unset=True))


@router.post("/units/{code}/retire", responses=NOT_FOUND, **CHANGE)
def retire_unit(request: Request, code: Code, user: Manager) -> units.Unit:
    """Retire it: kept for the cases and users that name it, no longer listed or offered."""
    return service_of(request).units.retire(code, by=user["username"])


@router.post("/units/{code}/restore", responses=NOT_FOUND, **CHANGE)
def restore_unit(request: Request, code: Code, user: Manager) -> units.Unit:
    """Bring a retired unit back."""
    return service_of(request).units.retire(code, by=user["username"], retired=False)
