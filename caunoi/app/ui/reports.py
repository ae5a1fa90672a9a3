"""Review report pages (báo cáo sơ kết / tổng kết): /reports, the drafts a user may read and the form
for a new one (the current half-year by default); /reports/{id}, a draft — its four sections as
text boxes saved with one button, its period, layout, number and subject, the report with its
figures (/reports/{id}/preview, the HTML the PDF is printed from, and the DOCX and PDF downloads
at /reports/{id}/document.docx|.pdf), pulling a mission's draft of the same period into the whole
system's, finalise and reopen, and its history in words (who changed which section, when, which
words). caunoi.reports.drafts decides and audits; this module reads forms and shows pages.

Who may do what is the drafts' rule (caunoi.reports.drafts.reads / writes / pulls): analysts and
administrators any draft; a mission officer their mission's (make, edit, finalise), no pull;
viewers read. A save carries the draft's updated_at as the page read it, so a save over someone
else's newer one is refused and the text typed is shown back, not lost."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caunoi.app.api.export import attachment
from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, page_user, posted, row_id
from caunoi.app.ui.render import _render, lang_of
from caunoi.errors import CaunoiError, Invalid
from caunoi.errors import NotFound as Missing
from caunoi.i18n import LABELS
from caunoi.models import row_id_of
from caunoi.outreach import access
from caunoi.reports import drafts, layout
from caunoi.reports.document import STYLES
from caunoi.reports.drafts import EDITABLE, NARRATIVE, Draft, DraftNotFound, changed_words
from caunoi.reports.html import document_html
from caunoi.reports.review import FORMATS, LANGS, file_name, period, render
from caunoi.service import Service

router = APIRouter(include_in_schema=False)

FONTS = "/reports/fonts"  # where the preview finds the shipped fonts (caunoi/data/fonts)
DONE = ("draft_saved", "draft_pull_done", "draft_finalised", "draft_reopened")
DETAILS = ("starts_on", "ends_on", "style", "lang", "number", "subject")
# the largest save: four full sections, percent-encoded (a Vietnamese letter can take 9 bytes)
MAX_FORM = 4 * drafts.MAX_SECTION * 9 + 64 * 1024


def upload_limits() -> list[tuple[str, int]]:
    """(path regex, body limit) of the draft's save, which may send more than 1 MiB of text."""
    return [(r"/reports/[0-9]+", MAX_FORM)]


def _reader(user: dict[str, Any]) -> str | None:
    """A mission officer's mission, None for whoever reads every unit's drafts; 403 for others."""
    try:
        return access.mission(user, access.READ)
    except access.NotAllowed:
        raise PageError(403) from None


def _draft(request: Request, user: dict[str, Any], draft_id: int, write: bool = False) -> Draft:
    """The draft `user` may read (with `write`: change), else 404 or 403."""
    try:
        found = service_of(request).drafts.get(row_id(draft_id))
    except DraftNotFound:
        raise PageError(404) from None
    if not drafts.reads(user, found) or (write and not drafts.writes(user, found)):
        raise PageError(403)
    return found


def _saved(draft_id: int, message: str) -> RedirectResponse:
    return RedirectResponse(f"/reports/{draft_id}?{urlencode({'done': message})}", status_code=303)


def _status(error: CaunoiError) -> int:
    return {Missing.kind: 404, "conflict": 409, "unavailable": 503}.get(error.kind, 400)


# -- the list and a new draft ---------------------------------------------------------------------


def _new_form(service: Service, own: str | None) -> dict[str, str]:
    first, last = service.drafts.default_period()
    return {"starts_on": first.isoformat(), "ends_on": last.isoformat(), "unit": own or "",
            "style": "state", "lang": "vi"}  # fmt: skip


def _list_page(
    request: Request, user: dict[str, Any], form: dict[str, str] | None = None, status: int = 200,
    **context: Any,
) -> Response:  # fmt: skip
    service: Service = service_of(request)
    own = _reader(user)
    found = [d for d in service.drafts.list(unit=own) if drafts.reads(user, d)]
    units = service.units.list()
    return _render(
        request, user, "reports.html.j2", status, drafts=found, mission=own,
        form=form or _new_form(service, own), styles=STYLES, langs=LANGS,
        writable=drafts.writes(user, unit=own),
        units=[u for u in units if own is None or access.same_unit(u.code, own)],
        names={u.code: u.name for u in units}, **context,
    )  # fmt: skip


@router.get("/reports")
def reports(request: Request) -> Response:
    return _list_page(request, page_user(request))


@router.post("/reports/new")
async def draft_add(request: Request) -> Response:
    user, form = await posted(request)
    own = _reader(user)
    fields = {k: (form.get(k) or "").strip()[:200] for k in ("starts_on", "ends_on", "unit", "style", "lang")}
    if own is not None and fields["unit"] and not access.same_unit(fields["unit"], own):
        raise PageError(403)
    unit = own or fields["unit"] or None
    if not drafts.writes(user, unit=unit):
        raise PageError(403)
    try:
        draft = service_of(request).drafts.create(
            by=user["username"],
            unit=unit,
            **{k: fields[k] for k in ("starts_on", "ends_on", "style", "lang")},
        )
    except CaunoiError as exc:
        return _list_page(request, user, fields, _status(exc), error=exc)
    return _saved(draft.id, "draft_saved")


# -- a draft --------------------------------------------------------------------------------------


def _fields(draft: Draft) -> dict[str, str]:
    """What the draft's form shows."""
    return {
        **draft.narrative, "starts_on": draft.starts_on.isoformat(), "ends_on": draft.ends_on.isoformat(),
        "style": draft.style, "lang": draft.lang, "number": draft.number or "",
        "subject": draft.subject or "", "expected": draft.updated_at.isoformat(),
    }  # fmt: skip


def _history(draft: Draft, lang: str, units: dict[int, str | None]) -> list[dict[str, Any]]:
    """The audit rows in words: who, when, what was done, and each field changed — a section by the
    words that changed, the drafts pulled in by their unit."""
    t = LABELS[lang]
    labels = {"starts_on": t["from"], "ends_on": t["to"], "style": t["draft_style"], "lang": t["draft_lang"],
              "number": t["draft_number"], "subject": t["draft_subject"], "state": t["state"],
              "pulled": t["draft_pulled"], **{k: t[f"draft_{k}"] for k in NARRATIVE}}  # fmt: skip

    def value(name: str, v: Any) -> str:
        if v in (None, "", []):
            return "–"
        if name == "pulled":
            return ", ".join(f"{units.get(i) or '?'} (#{i})" for i in v)
        if name in ("style", "lang", "state"):
            return t.get(f"draft_{name}_{v}", str(v))
        if name in ("starts_on", "ends_on"):  # ISO in the audit log, as the pages write days
            return date.fromisoformat(str(v)).strftime("%d/%m/%Y")
        return str(v)

    shown = []
    for entry in draft.history:
        changes = []
        for name, (before, after) in (entry.get("changes") or {}).items():
            if name in NARRATIVE:
                words = changed_words(before, after) if before else [f"{len(after or '')} {t['draft_chars']}"]
                changes.append((labels[name], "–", "; ".join(words) or "–"))
            else:
                changes.append((labels.get(name, name), value(name, before), value(name, after)))
        action = entry.get("action") or ""
        shown.append({"at": entry.get("at"), "actor": entry.get("actor"),
                      "action": t.get(f"action_{action}", action), "changes": changes})  # fmt: skip
    return shown


def _draft_page(
    request: Request, user: dict[str, Any], draft: Draft, fields: dict[str, str] | None = None,
    status: int = 200, **context: Any,
) -> Response:  # fmt: skip
    service: Service = service_of(request)
    lang = lang_of(request, user)
    same = service.drafts.list(starts_on=draft.starts_on, ends_on=draft.ends_on)
    pullable = drafts.pulls(user) and draft.unit is None and draft.state == "draft"
    others = service.drafts.list() if draft.pulled else same
    units = {d.id: d.unit for d in others}
    done = request.query_params.get("done")
    return _render(
        request, user, "report_draft.html.j2", status, d=draft, form=fields or _fields(draft),
        sections=NARRATIVE, styles=STYLES, langs=LANGS, done=done if done in DONE else None,
        editable=draft.state == "draft" and drafts.writes(user, draft), finishing=drafts.writes(user, draft),
        sources=[d for d in same if d.unit is not None] if pullable else None,
        unit_name=service.units.get(draft.unit).name if draft.unit else None,
        history=_history(draft, lang, units), **context,
    )  # fmt: skip


@router.get("/reports/fonts/{name}")
def report_font(name: str) -> Response:
    """A font the preview is set in (the shipped Liberation Serif, caunoi/data/fonts)."""
    if name not in layout.FACES.values():
        raise PageError(404)
    content = (layout.FONTS / name).read_bytes()
    return Response(content, media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/reports/{draft_id}")
def draft_page(request: Request, draft_id: int) -> Response:
    user = page_user(request)
    return _draft_page(request, user, _draft(request, user, draft_id))


@router.post("/reports/{draft_id}")
async def draft_save(request: Request, draft_id: int) -> Response:
    """Save the sections and the details as the form sends them."""
    user, form = await posted(request)
    draft = _draft(request, user, draft_id, write=True)
    fields = {k: form.get(k) or "" for k in (*EDITABLE, "expected")}
    try:
        expected = datetime.fromisoformat(fields["expected"]) if fields["expected"] else None
    except ValueError:
        raise PageError(
            400, Invalid("draft_bad_form", "the form is not one this page made: reload it")
        ) from None
    try:
        service_of(request).drafts.edit(
            draft.id, by=user["username"], expected=expected, **{k: fields[k] for k in EDITABLE}
        )
    except CaunoiError as exc:
        return _draft_page(request, user, draft, fields, _status(exc), error=exc)
    return _saved(draft.id, "draft_saved")


@router.post("/reports/{draft_id}/pull")
async def draft_pull(request: Request, draft_id: int) -> Response:
    user, form = await posted(request)
    draft = _draft(request, user, draft_id, write=True)
    if not drafts.pulls(user):
        raise PageError(403)
    source = (form.get("source") or "").strip()
    try:
        as_id = row_id_of(source)
        source_draft = _draft(request, user, as_id) if as_id is not None else None
        if source_draft is None:
            raise PageError(400, Invalid("draft_not_found", "no report draft with id {id}", id=source[:20]))
        service_of(request).drafts.pull(draft.id, source_draft.id, by=user["username"])
    except CaunoiError as exc:
        return _draft_page(request, user, draft, None, _status(exc), error=exc)
    return _saved(draft.id, "draft_pull_done")


@router.post("/reports/{draft_id}/state")
async def draft_state(request: Request, draft_id: int) -> Response:
    """Finalise or reopen (`state`: final or draft)."""
    user, form = await posted(request)
    draft = _draft(request, user, draft_id, write=True)
    service: Service = service_of(request)
    if form.get("state") == "final":
        service.drafts.finalise(draft.id, by=user["username"])
        return _saved(draft.id, "draft_finalised")
    if form.get("state") == "draft":
        service.drafts.reopen(draft.id, by=user["username"])
        return _saved(draft.id, "draft_reopened")
    raise PageError(400)


def _document(request: Request, draft_id: int, form: str) -> tuple[Draft, bytes]:
    """The draft's report rendered as `form` (html: for the browser, with the fonts served here); a
    refusal (no PDF engine on the server, a retired unit …) as an error page that says why."""
    user = page_user(request)
    draft = _draft(request, user, draft_id)
    try:
        doc = service_of(request).drafts.document(draft)
        if form == "html":
            return draft, document_html(doc, font_base=FONTS).encode("utf-8")
        return draft, render(doc, form)
    except CaunoiError as exc:
        raise PageError(_status(exc), exc) from None


@router.get("/reports/{draft_id}/preview")
def draft_preview(request: Request, draft_id: int) -> Response:
    """The report as it would print, with the figures of the moment."""
    _, content = _document(request, draft_id, "html")
    return HTMLResponse(content)


@router.get("/reports/{draft_id}/document.{form}")
def draft_document(request: Request, draft_id: int, form: str) -> Response:
    """The report as a DOCX or PDF file to download."""
    if form not in ("docx", "pdf"):
        raise PageError(404)
    draft, content = _document(request, draft_id, form)
    name = file_name(period(draft.starts_on, draft.ends_on), draft.unit, form)
    return Response(content, media_type=FORMATS[form], headers={"Content-Disposition": attachment(name)})
