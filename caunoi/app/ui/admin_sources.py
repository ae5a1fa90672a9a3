"""The watched sources from the browser (/admin/sources), for whoever manages them (source.manage):
add one, edit what it is (home, feeds, sitemaps, domains, country, languages, media type, origin,
polling interval, private network, notes), switch its polling on or off, remove it (after a page that
says what becomes of its articles: they stay). Each change is the
caunoi.ingest.sources.Sources call `caunoi sources …` makes, under the logged-in user's name; the
sources' health stays on /sources (caunoi.app.ui.sources)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, need, page_user, posted, row_id
from caunoi.app.ui.render import _render
from caunoi.ingest.sources import MEDIA_TYPES, ORIGINS, SourceError, UnknownSource
from caunoi.models import SourceDetail

router = APIRouter(include_in_schema=False)
PAGE = "/admin/sources"
TEXT = ("name", "home", "feeds", "sitemaps", "domains", "country", "languages", "media_type", "origin",
        "poll_minutes", "notes")  # fmt: skip


def _fields(form: dict[str, str]) -> dict[str, Any]:
    """A source form as Sources takes it (make_spec reads lists typed one a line or comma-separated)."""
    raw: dict[str, Any] = {key: (form.get(key) or "").strip() for key in TEXT}
    raw["allow_private"] = bool(form.get("allow_private"))
    return raw


def _shown(source: SourceDetail) -> dict[str, str]:
    """A source as its edit form shows it."""
    form = {key: getattr(source, key) for key in TEXT}
    form = {key: "\n".join(v) if key in ("feeds", "sitemaps") else ", ".join(v) if isinstance(v, list)
            else "" if v is None else str(v) for key, v in form.items()}  # fmt: skip
    return {**form, "allow_private": "1" if source.allow_private else ""}


def _page(
    request: Request,
    user: dict[str, Any],
    form: dict[str, Any] | None = None,
    error: SourceError | None = None,
) -> Response:
    return _render(
        request, user, "admin_sources.html.j2", 400 if error else 200,
        sources=service_of(request).sources.list(), form=form or {"poll_minutes": "30"}, error=error,
        media_types=MEDIA_TYPES, origins=ORIGINS,
    )  # fmt: skip


@router.get(PAGE)
def sources(request: Request) -> Response:
    user = page_user(request)
    need(user, "source.manage")
    return _page(request, user)


@router.post(PAGE)
async def source_add(request: Request) -> Response:
    """Add a source; "only recognise it" registers it disabled (no feed needed)."""
    user, form = await posted(request)
    need(user, "source.manage")
    raw = {**_fields(form), "enabled": not form.get("recognise_only")}
    try:
        added = service_of(request).sources.add_new(raw, by=user["username"])
    except SourceError as exc:
        return _page(request, user, form, exc)
    return RedirectResponse(f"{PAGE}/{added.id}", status_code=303)


def _source(request: Request, source_id: int) -> SourceDetail:
    try:
        return service_of(request).sources.get(row_id(source_id))
    except UnknownSource:
        raise PageError(404) from None


def _source_page(
    request: Request, user: dict[str, Any], source: SourceDetail, form: dict[str, Any] | None = None,
    error: SourceError | None = None,
) -> Response:  # fmt: skip
    return _render(
        request, user, "admin_source.html.j2", 400 if error else 200, s=source, form=form or _shown(source),
        error=error, media_types=MEDIA_TYPES, origins=ORIGINS,
    )  # fmt: skip


@router.get(f"{PAGE}/{{source_id}}")
def source_page(request: Request, source_id: int) -> Response:
    user = page_user(request)
    need(user, "source.manage")
    return _source_page(request, user, _source(request, source_id))


@router.post(f"{PAGE}/{{source_id}}")
async def source_edit(request: Request, source_id: int) -> Response:
    user, form = await posted(request)
    need(user, "source.manage")
    source = _source(request, source_id)
    raw = {k: v for k, v in _fields(form).items() if k != "name"}
    try:
        service_of(request).sources.edit(source.id, raw, by=user["username"])
    except SourceError as exc:
        return _source_page(request, user, source, {**form, "name": source.name}, exc)
    return RedirectResponse(f"{PAGE}/{source.id}", status_code=303)


@router.get(f"{PAGE}/{{source_id}}/remove")
def source_remove_page(request: Request, source_id: int) -> Response:
    """What removing the source does, and the button that does it: its record, feeds and sitemaps are
    forgotten; its stored articles and fetched pages stay (as `caunoi sources remove`)."""
    user = page_user(request)
    need(user, "source.manage")
    source = _source(request, source_id)
    health = next((h for h in service_of(request).sources.status() if h.id == source.id), None)
    return _render(request, user, "admin_source_remove.html.j2", s=source,
                   articles=health.articles if health else 0)  # fmt: skip


@router.post(f"{PAGE}/{{source_id}}/remove")
async def source_remove(request: Request, source_id: int) -> Response:
    """Remove the source (Sources.remove, audited under the user's name), then back to the list."""
    user, _form = await posted(request)
    need(user, "source.manage")
    source = _source(request, source_id)
    service_of(request).sources.remove(source.id, by=user["username"])
    return RedirectResponse(PAGE, status_code=303)


@router.post(f"{PAGE}/{{source_id}}/{{action}}")
async def source_switch(request: Request, source_id: int, action: str) -> Response:
    """Poll the source again, or stop polling it (it is kept, and still recognised)."""
    user, _form = await posted(request)
    need(user, "source.manage")
    sources = service_of(request).sources
    change = {"enable": sources.enable, "disable": sources.disable}.get(action)
    if change is None:
        raise PageError(404)
    source = _source(request, source_id)
    try:
        change(source.id, by=user["username"])
    except SourceError as exc:
        return _source_page(request, user, source, error=exc)
    return RedirectResponse(f"{PAGE}/{source.id}", status_code=303)
