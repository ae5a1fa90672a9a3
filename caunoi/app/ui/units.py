"""Units and missions: everyone lists them (by kind, type and the words of a text box) and reads one
with its history and, for whoever reads its outreach, the mission's page: its activities, products,
the packs sent to it by state, the campaigns it takes part in and its last six months evaluated
(caunoi.app.ui.evaluation); an administrator (unit.manage)
adds, edits, retires and restores them — the same rules and audit as `caunoi units add|edit|retire`,
under the logged-in user's name."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, need, page_user, posted
from caunoi.app.ui.evaluation import unit_glance
from caunoi.app.ui.render import _render, lang_of
from caunoi.units import EDITABLE, UNIT_KINDS, UNIT_TYPES, NotFound, Unit, UnitError
from caunoi.users import can

router = APIRouter(include_in_schema=False)


def _fields(form: dict[str, str]) -> dict[str, Any]:
    """A unit form as UnitService takes it: every field of EDITABLE, as typed (an empty one clears
    it; countries and languages are typed comma-separated, as the CLI takes them)."""
    return {name: form.get(name) or "" for name in EDITABLE}


def _shown(unit: Unit) -> dict[str, str]:
    """A unit as its edit form shows it."""
    values = {name: getattr(unit, name) for name in EDITABLE}
    return {name: ", ".join(v) if isinstance(v, tuple) else (v or "") for name, v in values.items()}


def _list_page(
    request: Request,
    user: dict[str, Any],
    filters: dict[str, Any],
    form: dict[str, Any],
    error: UnitError | None = None,
) -> Response:
    """The list of units with its filters, and for an administrator the add form, as filled in."""
    found = service_of(request).units.list(
        retired=filters["retired"], kind=filters["kind"], type=filters["type"], text=filters["q"]
    )
    return _render(
        request, user, "units.html.j2", 400 if error else 200, units=found, form=form, error=error,
        kinds=UNIT_KINDS, types=UNIT_TYPES, **filters,
    )  # fmt: skip


@router.get("/units")
def units(request: Request, q: str = "", kind: str = "", type: str = "", retired: str = "") -> Response:
    user = page_user(request)
    need(user, "read")
    filters = {
        "q": q.strip()[:500],
        "kind": kind if kind in UNIT_KINDS else None,
        "type": type if type in UNIT_TYPES else None,
        "retired": bool(retired),
    }
    return _list_page(request, user, filters, {"code": "", **_fields({"kind": "unit"})})


@router.post("/units")
async def unit_add(request: Request) -> Response:
    user, form = await posted(request)
    need(user, "unit.manage")
    code, fields = form.get("code") or "", _fields(form)
    try:
        unit = service_of(request).units.add(code, by=user["username"], **fields)
    except UnitError as exc:
        filters = {"q": "", "kind": None, "type": None, "retired": False}
        return _list_page(request, user, filters, {"code": code, **fields}, exc)
    return RedirectResponse(f"/units/{quote(unit.code)}", status_code=303)


def _unit(request: Request, code: str) -> Unit:
    try:
        return service_of(request).units.get(code)
    except NotFound:
        raise PageError(404) from None


def _unit_page(
    request: Request, user: dict[str, Any], unit: Unit, form: dict[str, Any], error: UnitError | None = None
) -> Response:
    service = service_of(request)
    history = service.units.history(unit.code)
    name = (unit.name_en or unit.name) if lang_of(request, user) == "en" else unit.name
    # the mission's outreach at a glance, for whoever reads that unit's outreach
    reads = can(user, "outreach.read", {"unit": unit.code})
    outreach = service.outreach.unit_outreach(unit.code) if reads else None
    glance = unit_glance(request, user, unit.code) if reads else None  # its last six months, evaluated
    return _render(
        request, user, "unit.html.j2", 400 if error else 200, u=unit, name=name, history=history,
        form=form, error=error, kinds=UNIT_KINDS, types=UNIT_TYPES, outreach=outreach, glance=glance,
    )  # fmt: skip


@router.get("/units/{code}")
def unit(request: Request, code: str) -> Response:
    user = page_user(request)
    need(user, "read")
    found = _unit(request, code)
    return _unit_page(request, user, found, _shown(found))


@router.post("/units/{code}")
async def unit_edit(request: Request, code: str) -> Response:
    user, form = await posted(request)
    need(user, "unit.manage")
    found = _unit(request, code)
    fields = _fields(form)
    try:
        service_of(request).units.edit(found.code, by=user["username"], **fields)
    except UnitError as exc:
        return _unit_page(request, user, found, fields, exc)
    return RedirectResponse(f"/units/{quote(found.code)}", status_code=303)


@router.post("/units/{code}/{action}")
async def unit_retire(request: Request, code: str, action: str) -> Response:
    """Retire (kept for its cases and users, no longer listed or offered) or restore a unit."""
    user, _form = await posted(request)
    need(user, "unit.manage")
    if action not in ("retire", "restore"):
        raise PageError(404)
    found = _unit(request, code)
    service_of(request).units.retire(found.code, by=user["username"], retired=action == "retire")
    return RedirectResponse(f"/units/{quote(found.code)}", status_code=303)
