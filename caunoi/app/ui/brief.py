"""The brief's page (/brief): the stories proposed for a period (the last 24 hours to now, or to
`?at=`), which the analyst ticks in or out, moves up and down (buttons: no script needed), comments
one by one under an opening note, and saves as an edition (caunoi.reports.editions); an edition's
page edits it again, previews its brief, downloads it as HTML and mails it to the alerts' e-mail
channels. Admins and analysts edit and send (brief.write); whoever reads the store reads editions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, need, page_user, posted, row_id
from caunoi.app.ui.render import _render, lang_of
from caunoi.errors import CaunoiError, Invalid
from caunoi.reports.brief import brief_file
from caunoi.reports.editions import LANGS, Edition, EditionItem, EditionNotFound, move
from caunoi.reports.html import brief_html
from caunoi.reports.mailing import BriefError
from caunoi.reports.review import FORMATS
from caunoi.timezones import article_clock

router = APIRouter(include_in_schema=False)

MAX_HOURS = 24 * 31
_MOVE = re.compile(r"(up|down):([0-9]{1,9})")


def _period(at: str, hours: int) -> tuple[datetime, datetime]:
    """[end - hours, end), end being `at` (a date or date-time) or now; refused in the page's words."""
    try:
        end = datetime.fromisoformat(at.strip()) if at.strip() else article_clock().replace(microsecond=0)
    except ValueError:
        raise PageError(400, _bad_time(at)) from None
    if not 1 <= hours <= MAX_HOURS:
        refused = Invalid("brief_bad_hours", "a brief covers 1 to {n} hours", n=MAX_HOURS)
        raise PageError(400, refused)
    return end - timedelta(hours=hours), end


def _bad_time(value: str) -> Invalid:
    return Invalid(
        "brief_bad_at", "{value!r} is no date or time: write it like 2021-04-30T08:00", value=value
    )


def _page(
    request: Request,
    user: dict[str, Any],
    edition: Edition,
    status: int = 200,
    error: BriefError | None = None,
) -> Response:
    editions = service_of(request).editions
    items, stories = editions.editor(edition)
    channels = [c for c in service_of(request).alerts.channels() if c["kind"] == "email" and c["enabled"]]
    return _render(
        request, user, "brief_edition.html.j2", status, e=edition, items=items, stories=stories,
        recent=editions.list(10), sends=editions.sends(edition.id, limit=50 if edition.id else 10),
        channels=channels, error=error, hours=round((edition.end - edition.start).total_seconds() / 3600),
    )  # fmt: skip


@router.get("/brief")
def brief_page(request: Request, at: str = "", hours: int = 24) -> Response:
    user = page_user(request)
    need(user, "read")
    start, end = _period(at, hours)
    draft = service_of(request).editions.draft(start, end, lang_of(request, user))
    return _page(request, user, draft)


async def _edited(request: Request) -> tuple[dict[str, Any], dict[str, str], list[EditionItem], str]:
    """The user, the form, the stories as the form lists them (order, ticks, comments, a move
    asked for applied) and the note, of a posted edition form."""
    user, form = await posted(request)
    need(user, "brief.write")
    fields = await request.form()  # read once by `posted`: the same form, with its repeated fields
    ticked = set(fields.getlist("include"))
    items = [
        EditionItem(int(s), s in ticked, form.get(f"comment_{s}", ""))
        for s in fields.getlist("story")
        if isinstance(s, str) and s.isascii() and s.isdigit() and len(s) <= 9
    ]
    asked = _MOVE.fullmatch(form.get("move") or "")
    if asked:
        items = move(items, int(asked[2]), -1 if asked[1] == "up" else 1)
    return user, form, items, form.get("note", "")


def _after_save(edition_id: int, form: dict[str, str]) -> Response:
    asked = _MOVE.fullmatch(form.get("move") or "")
    anchor = f"#s{asked[2]}" if asked else ""
    return RedirectResponse(f"/brief/editions/{edition_id}{anchor}", status_code=303)


@router.post("/brief/editions")
async def edition_add(request: Request) -> Response:
    user, form, items, note = await _edited(request)
    try:
        start, end = (datetime.fromisoformat(form.get(k, "")) for k in ("start", "end"))
    except ValueError:
        raise PageError(400, _bad_time(form.get("start") or "")) from None
    lang = form.get("lang") if form.get("lang") in LANGS else lang_of(request, user)
    try:
        edition = service_of(request).editions.create(start, end, lang, note, items, by=user["username"])
    except BriefError as exc:
        return _page(request, user, Edition(start, end, lang, note, tuple(items)), 400, exc)
    return _after_save(edition.id, form)


def _edition(request: Request, edition_id: int) -> Edition:
    try:
        return service_of(request).editions.get(row_id(edition_id))
    except EditionNotFound:
        raise PageError(404) from None


@router.get("/brief/editions/{edition_id}")
def edition_page(request: Request, edition_id: int) -> Response:
    user = page_user(request)
    need(user, "read")
    return _page(request, user, _edition(request, edition_id))


@router.post("/brief/editions/{edition_id}")
async def edition_edit(request: Request, edition_id: int) -> Response:
    user, form, items, note = await _edited(request)
    edition = _edition(request, edition_id)
    try:
        service_of(request).editions.save(edition.id, note, items, by=user["username"])
    except BriefError as exc:
        return _page(request, user, Edition(edition.start, edition.end, edition.lang, note, tuple(items),
                                            edition.id), 400, exc)  # fmt: skip
    return _after_save(edition.id, form)


def _brief_html(request: Request, edition_id: int) -> tuple[Edition, str]:
    user = page_user(request)
    need(user, "read")
    edition = _edition(request, edition_id)
    return edition, brief_html(service_of(request).editions.brief(edition), edition.lang)


@router.get("/brief/editions/{edition_id}/preview")
def edition_preview(request: Request, edition_id: int) -> Response:
    """The brief as it is mailed and printed."""
    return HTMLResponse(_brief_html(request, edition_id)[1])


@router.get("/brief/editions/{edition_id}/download")
def edition_download(request: Request, edition_id: int, format: str = "html") -> Response:
    """The edition as a file: html (the mail's page), pdf or docx (the administrative layout)."""
    if format not in FORMATS:
        raise PageError(404)
    user = page_user(request)
    need(user, "read")
    edition = _edition(request, edition_id)
    service = service_of(request)
    try:
        content = brief_file(
            {**service.editions.brief(edition), "lang": edition.lang}, service.settings, format
        )
    except CaunoiError as refused:  # no PDF engine on this server: said, not a 500
        raise PageError(503 if refused.kind == "unavailable" else 400, refused) from None
    name = f"diem-tin-{edition.end:%Y-%m-%d}-{edition.id}.{format}"
    return Response(
        content, media_type=FORMATS[format], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/brief/editions/{edition_id}/send")
async def edition_send(request: Request, edition_id: int) -> Response:
    user, _ = await posted(request)
    need(user, "brief.write")
    edition = _edition(request, edition_id)
    names = [n for n in (await request.form()).getlist("channel") if isinstance(n, str)]
    try:
        service_of(request).editions.send(edition.id, names, by=user["username"])
    except BriefError as exc:
        return _page(request, user, edition, 400, exc)
    return RedirectResponse(f"/brief/editions/{edition.id}#sends", status_code=303)
