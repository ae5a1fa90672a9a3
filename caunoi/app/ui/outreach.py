"""Outreach pages (issue 15): activities — the list, the phone form an attaché logs one with right
after it ends, its page with files, history and the coverage it earned (issue 16: articles to
confirm or reject), the import of a table — campaigns, information packs (what was sent to whom, who
acknowledged, who is late; a mission acknowledges and reports how it used one), information
products, and the download of an attached file.

Who sees what is caunoi.users' table: a mission officer reads and writes their mission's activities
and products only, the packs sent to it and the campaigns it takes part in; campaigns and packs are
written by analysts and administrators. Every change is a POST with the session's CSRF token, made
under the logged-in user's name (the service audits it); a refusal shows on the form, filled in as
it was sent, in the page's language. Times are shown where they happened (an activity) or in the
organisation's zone (a deadline), the zone always named."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from caunoi.app.api.export import attachment
from caunoi.app.api.limits import UPLOAD_MARGIN
from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, page_user, posted, row_id, safe_next
from caunoi.app.ui.evaluation import campaign_glance
from caunoi.app.ui.render import _render, lang_of
from caunoi.config import Settings
from caunoi.errors import CaunoiError, Invalid
from caunoi.factsheets import FACT_SHEET_KINDS
from caunoi.i18n import LABELS, coverage_reason, refusal, reworded
from caunoi.ingest.tables import MAX_BYTES as MAX_TABLE_BYTES
from caunoi.outreach import (
    ACTIVITY_TYPES,
    CAMPAIGN_KINDS,
    PACK_KINDS,
    PRODUCT_KINDS,
    Activity,
    Campaign,
    NotFound,
    Pack,
    access,
)
from caunoi.outreach.activities import IMPORT_COLUMNS, OPTIONAL_COLUMNS, template_csv, template_xlsx
from caunoi.outreach.common import file_values
from caunoi.service import Service
from caunoi.timezones import reader_zone, shown, to_utc
from caunoi.units import Unit
from caunoi.users import can, permission

router = APIRouter(include_in_schema=False)

PAGE = 100  # activities a page
CHOICES = 200  # products, packs and activities offered as checkboxes
PACK_FILTERS = {"not_acknowledged": ("waiting", "overdue"), "overdue": ("overdue",)}


def upload_limits(settings: Settings) -> list[tuple[str, int]]:
    """(path regex, body limit) of the forms that send files: one file as large as the setting
    outreach_max_file_bytes, or a table as large as an import reads, with the multipart's margin;
    every other request keeps the 1 MiB limit (caunoi.app.api.limits.BodyLimit)."""
    files = settings.outreach_max_file_bytes + UPLOAD_MARGIN
    return [
        (r"/(activities|packs)/(new|[0-9]+/files)|/products", files),
        (r"/activities/import", MAX_TABLE_BYTES + UPLOAD_MARGIN),
    ]


# -- who may do what ------------------------------------------------------------------------------


def _reader(user: dict[str, Any]) -> str | None:
    """The mission whose items alone `user` reads (a mission officer), None when they read all;
    403 when they read none (an officer bound to no mission too)."""
    try:
        return access.mission(user, access.READ)
    except access.NotAllowed:
        raise PageError(403) from None


def _writer(user: dict[str, Any]) -> str | None:
    """As `_reader`, for changes (a viewer changes nothing)."""
    try:
        return access.mission(user, access.WRITE)
    except access.NotAllowed:
        raise PageError(403) from None


def _headquarters(user: dict[str, Any]) -> None:
    """Campaigns and packs are written by analysts and administrators only."""
    if not access.headquarters(user):
        raise PageError(403)


_same = access.same_unit
_reads_campaign = access.reads_campaign
_reads_product = access.reads_product


def _reads_pack(user: dict[str, Any], pack: Pack) -> bool:
    return access.pack_as_seen(user, pack) is not None


def _unit_for(user: dict[str, Any], asked: str | None) -> str:
    """The unit a change is made for: a mission officer's own mission (403 for another), anyone
    else's choice."""
    mission = _writer(user)
    if mission is None:
        return (asked or "").strip()
    if asked and not _same(asked.strip(), mission):
        raise PageError(403)
    return mission


# -- what pages share -----------------------------------------------------------------------------


def _page(
    request: Request, user: dict[str, Any], template: str, status: int = 200, **context: Any
) -> Response:
    """A page with the helpers every outreach template uses: times in their zone, unit links,
    history in words."""
    lang = lang_of(request, user)
    zone = service_of(request).zone_of(user)

    def reader_time(at: datetime | None) -> str:
        """A stored (UTC) time, such as a deadline, where its reader is (caunoi.timezones)."""
        return shown(at, zone, lang)

    def zoned(at: datetime | None) -> str:
        """An aware time in its own zone, named: 13/10/2026 09:30 (GMT+2, Paris)."""
        return shown(at, at.tzinfo, lang) if at is not None and at.tzinfo is not None else ""

    return _render(
        request, user, template, status, zoned=zoned, reader_time=reader_time, number=_number,
        unit_href=lambda code: "/units/" + quote(code or "", safe=""), mission=_reader(user),
        history=lambda entries, entity: _history(entries, entity, LABELS[lang], reader_time),
        reader_zone=zone, **context,
    )  # fmt: skip


def _number(value: float | int | None) -> str:
    """1200.0 as 1200, 1500000.0 as 1500000, 12.5 as 12.5 — what a form field shows back."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _now_in(zone: str) -> datetime:
    return datetime.now(ZoneInfo(zone))


def _zone_of(service: Service, unit: Unit | None) -> str:
    """Where a unit's times are read: its zone, else its seat's when its country has one, else the
    organisation's."""
    return reader_zone(service.settings.timezone, unit)


async def _lists(request: Request) -> FormData:
    """The posted form with its repeated fields (checkboxes) and files; `posted` has checked it."""
    return await request.form()


def _ids(values: Iterable[Any], allowed: Iterable[int], what: str) -> list[int]:
    """Checked boxes as ids, each one of those the form offered."""
    offered, found = set(allowed), []
    for value in values:
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) not in offered:
            raise PageError(400, Invalid("outreach_choice", "{what} {value!r}: choose one from the list",
                                         what=what, value=text[:40]))  # fmt: skip
        found.append(int(text))
    return list(dict.fromkeys(found))


async def _uploads(request: Request, name: str = "files") -> list[tuple[str, bytes]]:
    """The files chosen in the form's file field(s) `name` (none chosen: an empty list)."""
    found = []
    for item in (await _lists(request)).getlist(name):
        if isinstance(item, UploadFile) and item.filename:
            filename = re.sub(r"[\x00-\x1f\x7f]", "", Path(item.filename.replace("\\", "/")).name)
            found.append((filename or "file", await item.read()))
    return found


async def _attachments(request: Request) -> list[tuple[str, bytes]]:
    """The files of the form's `files` field, each checked as the service will check it: a file
    it would refuse refuses the whole form before anything is written."""
    files = await _uploads(request)
    limit = service_of(request).settings.outreach_max_file_bytes
    for name, content in files:
        file_values(name, content, limit)
    return files


def _saved(url: str, message: str) -> RedirectResponse:
    """Back to a page that says what was done (a label key)."""
    return RedirectResponse(f"{url}?{urlencode({'done': message})}", status_code=303)


DONE = ("activity_saved", "changes_saved", "files_added", "pack_acknowledged", "pack_reported", "pack_sent")


def _done(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


# history: a change's field in words, its values as the page shows them
FIELDS = {
    "title": "title", "type": "activity_type", "kind": "kind", "description": "description",
    "starts_at": "starts_on", "ends_at": "ends_on", "starts_on": "starts_on", "ends_on": "ends_on",
    "timezone": "timezone", "place": "place", "country": "country", "countries": "countries",
    "unit": "unit", "units": "campaign_units", "campaign_id": "campaign", "audience": "audience",
    "audiences": "audiences", "partners": "partners", "officials": "officials", "cost": "cost",
    "currency": "currency", "budget": "budget", "notes": "note", "links": "links",
    "products": "products_used", "packs": "packs_used", "key": "row_key", "code": "campaign_code",
    "body": "body", "deadline": "deadline", "sent_to": "sent_to", "acknowledged": "pack_state_acknowledged",
    "usage": "usage", "activities": "usage_activities", "key_messages": "key_messages",
    "objectives": "objectives", "topics": "topics", "lang": "lang", "url": "url",
    "published_on": "published_on", "file": "files", "article": "article", "coverage": "coverage",
}  # fmt: skip
_TIMES = ("starts_at", "ends_at", "deadline")
_KINDS = {
    "activity": "activity_type",
    "pack": "pack_kind",
    "product": "product_kind",
    "campaign": "campaign_kind",
}


def _history(entries: list[dict[str, Any]], entity: str, t: dict[str, str], when) -> list[dict[str, Any]]:
    """Audit rows as a page shows them: who, when, what was done, and each field changed in words
    with its value before → after."""
    shown = []
    for entry in entries:
        changes = []
        for field, change in (entry.get("changes") or {}).items():
            before, after = change if isinstance(change, list) and len(change) == 2 else (None, change)
            label = t.get(f"{entity}_kind" if field == "kind" else FIELDS.get(field, ""), field)
            changes.append(
                (label, _value(field, before, entity, t, when), _value(field, after, entity, t, when))
            )
        action = entry.get("action") or ""
        shown.append({"at": entry.get("at"), "actor": entry.get("actor"),
                      "action": t.get(f"action_{action}", action), "changes": changes})  # fmt: skip
    return shown


def _value(field: str, value: Any, entity: str, t: dict[str, str], when) -> str:
    if value in (None, "", []):
        return "–"
    if isinstance(value, list):
        return ", ".join(_value(field, v, entity, t, when) for v in value)
    if isinstance(value, dict):  # an objective
        due = f" ({value['due_on']})" if value.get("due_on") else ""
        return f"{value.get('indicator')} = {_number(value.get('target'))}{due}"
    if field in _TIMES and isinstance(value, str):
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if field in ("type", "kind"):
        return t.get(f"{_KINDS.get(entity, entity)}_{value}", str(value))
    if field == "coverage":  # an earned article's state
        return t.get(f"coverage_state_{value}", str(value))
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, float):
        return _number(value)
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


# -- activities -----------------------------------------------------------------------------------

ACTIVITY_TEXT = (
    "type", "title", "description", "date", "time", "end_date", "end_time", "timezone", "unit", "place",
    "country", "campaign", "audience", "partners", "officials", "cost", "currency", "notes", "links",
)  # fmt: skip


def _activity(
    request: Request, user: dict[str, Any], activity_id: int, action: str = "outreach.read"
) -> Activity:
    try:
        found = service_of(request).outreach.activities.get(row_id(activity_id))
    except NotFound:
        raise PageError(404) from None
    if not can(user, action, found):
        raise PageError(403)
    return found


def _period(service: Service, since: str, until: str) -> tuple[datetime | None, datetime | None]:
    """A period of days (YYYY-MM-DD, in the organisation's zone) as UTC bounds, the last day included."""

    def bound(text: str, days: int) -> datetime | None:
        try:
            day = date.fromisoformat(text.strip()) + timedelta(days=days)
            return to_utc(datetime.combine(day, datetime.min.time()), service.settings.timezone)
        except (ValueError, OverflowError):  # not a date; a day past the calendar's end
            return None

    return bound(since, 0), bound(until, 1)


def _cursor(text: str) -> tuple[datetime, int] | None:
    """`after=2026-10-13T07:30:00_41`: the page after activity 41, which started then (UTC)."""
    at, _, last = text.rpartition("_")
    if not re.fullmatch(r"[0-9]{1,18}", last):
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return None
    return (moment, int(last)) if moment.tzinfo is None else None


@router.get("/activities")
def activities(
    request: Request, unit: str = "", campaign: str = "", type: str = "", since: str = "", until: str = "",
    after: str = "",
) -> Response:  # fmt: skip
    user = page_user(request)
    mission = _reader(user)
    service: Service = service_of(request)
    outreach = service.outreach
    chosen = {
        "unit": mission or unit.strip()[:40],
        "campaign": campaign.strip()[:40],
        "type": type if type in ACTIVITY_TYPES else "",
        "since": since[:10],
        "until": until[:10],
    }
    begin, end = _period(service, chosen["since"], chosen["until"])
    error, found = None, []
    try:
        found = outreach.activities.list(
            unit=chosen["unit"] or None, campaign=chosen["campaign"] or None, type=chosen["type"] or None,
            since=begin, until=end, after=_cursor(after), limit=PAGE + 1,
        )  # fmt: skip
    except CaunoiError as exc:  # a unit or campaign that is not (any more)
        error = exc
    more = len(found) > PAGE
    found = found[:PAGE]
    older = None
    if more:
        last = found[-1]
        query = {k: v for k, v in chosen.items() if v and not (k == "unit" and mission)}
        older = "/activities?" + urlencode({**query, "after": f"{last.starts_at.isoformat()}_{last.id}"})
    campaigns = outreach.campaigns.list(unit=mission)
    return _page(
        request, user, "activities.html.j2", 400 if error else 200, activities=found, chosen=chosen,
        error=error, older=older, units=[] if mission else service.units.list(), campaigns=campaigns,
        campaign_codes={c.id: c.code for c in outreach.campaigns.list()}, types=ACTIVITY_TYPES,
        readable={c.id for c in campaigns},
    )  # fmt: skip


def _activity_choices(
    service: Service, user: dict[str, Any], current: Activity | None = None
) -> dict[str, Any]:
    """What the activity form offers: units (none for a mission officer: their own), campaigns,
    products and packs (those of the unit, and those the activity names already)."""
    mission = _writer(user)
    outreach = service.outreach
    products = outreach.products.list(unit=mission, limit=CHOICES)
    packs = outreach.packs.list(unit=mission)[:CHOICES]
    campaigns = outreach.campaigns.list(unit=mission)
    if current is not None:  # never drop a link the form would not show
        shown = {p.id for p in products}
        products += [outreach.products.get(i) for i in current.products if i not in shown]
        shown = {p.id for p in packs}
        packs += [outreach.packs.get(i) for i in current.packs if i not in shown]
        if current.campaign_id is not None and current.campaign_id not in {c.id for c in campaigns}:
            campaigns.append(outreach.campaigns.get(current.campaign_id))
    return {
        "units": [] if mission else service.units.list(),
        "campaigns": campaigns,
        "products": products,
        "packs": packs,
        "types": ACTIVITY_TYPES,
        "locked_unit": mission,
        "max_mb": service.settings.outreach_max_file_bytes // (1024 * 1024),
    }


def _activity_fields(activity: Activity) -> dict[str, Any]:
    """An activity as its edit form shows it: times where it happened."""
    start, end = activity.local_start, activity.local_end
    return {
        "type": activity.type, "title": activity.title, "description": activity.description or "",
        "date": f"{start:%Y-%m-%d}", "time": f"{start:%H:%M}",
        "end_date": f"{end:%Y-%m-%d}" if end else "", "end_time": f"{end:%H:%M}" if end else "",
        "timezone": activity.timezone, "unit": activity.unit, "place": activity.place or "",
        "country": activity.country or "", "campaign": str(activity.campaign_id or ""),
        "audience": _number(activity.audience), "partners": "\n".join(activity.partners),
        "officials": "\n".join(activity.officials), "cost": _number(activity.cost),
        "currency": activity.currency or "", "notes": activity.notes or "",
        "links": "\n".join(activity.links), "products": list(activity.products),
        "packs": list(activity.packs),
    }  # fmt: skip


def _posted_activity(form: dict[str, str], lists: FormData, choices: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {k: (form.get(k) or "").strip() for k in ACTIVITY_TEXT}
    fields["products"] = _ids(lists.getlist("products"), [p.id for p in choices["products"]], "product")
    fields["packs"] = _ids(lists.getlist("packs"), [p.id for p in choices["packs"]], "pack")
    return fields


def _activity_values(fields: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as Activities.add and edit take them: a date and a time make a moment,
    read in the activity's zone."""
    starts = " ".join(v for v in (fields["date"], fields["time"]) if v)
    end_day = fields["end_date"] or (fields["date"] if fields["end_time"] else "")
    ends = " ".join(v for v in (end_day, fields["end_time"]) if v)
    skip = ("date", "time", "end_date", "end_time")
    return {k: v for k, v in fields.items() if k not in skip} | {"starts_at": starts, "ends_at": ends or None}


@router.get("/activities/new")
def activity_new(request: Request) -> Response:
    user = page_user(request)
    mission = _writer(user)
    service: Service = service_of(request)
    zone = _zone_of(service, _unit_or_none(service, mission or ""))
    now = _now_in(zone)
    fields = dict.fromkeys(ACTIVITY_TEXT, "") | {"date": f"{now:%Y-%m-%d}", "time": f"{now:%H:%M}"}
    fields |= {"unit": mission or "", "timezone": zone if mission else "", "products": [], "packs": []}
    return _page(request, user, "activity_new.html.j2", form=fields, zone=zone,
                 **_activity_choices(service, user))  # fmt: skip


@router.post("/activities/new")
async def activity_add(request: Request) -> Response:
    user, form = await posted(request)
    service: Service = service_of(request)
    unit = _unit_for(user, form.get("unit"))
    choices = _activity_choices(service, user)
    fields = _posted_activity(form, await _lists(request), choices) | {"unit": unit}
    values = _activity_values(fields)
    try:
        files = await _attachments(request)
        activity = service.outreach.activities.add(
            values.pop("title"), by=user["username"], unit=values.pop("unit"), type=values.pop("type"),
            starts_at=values.pop("starts_at"), **values,
        )  # fmt: skip
        for name, content in files:
            service.outreach.activities.attach(activity.id, name, content, by=user["username"])
    except CaunoiError as exc:
        zone = fields["timezone"] or _zone_of(service, _unit_or_none(service, unit))
        return _page(request, user, "activity_new.html.j2", 400, form=fields, zone=zone, error=exc, **choices)
    return _saved(f"/activities/{activity.id}", "activity_saved")


def _unit_or_none(service: Service, code: str) -> Unit | None:
    try:
        return service.units.get(code) if code else None
    except CaunoiError:
        return None


# the import and its templates: before /activities/{id}, which would take their names for ids


@router.get("/activities/import")
def activities_import_page(request: Request) -> Response:
    user = page_user(request)
    _writer(user)
    return _import_page(request, user)


def _import_page(request: Request, user: dict[str, Any], status: int = 200, **context: Any) -> Response:
    return _page(request, user, "activities_import.html.j2", status,
                 columns=IMPORT_COLUMNS + OPTIONAL_COLUMNS, **context)  # fmt: skip


@router.post("/activities/import")
async def activities_import(request: Request) -> Response:
    user, form = await posted(request)
    mission = _writer(user)
    valid_only = form.get("valid_only") in ("1", "on", "true")
    lang = lang_of(request, user)
    files = await _uploads(request, "file")
    if not files:
        refused = Invalid("outreach_no_file", "choose the CSV or Excel file to import")
        return _import_page(request, user, 400, error=refused, valid_only=valid_only)
    name, content = files[0]
    activities = service_of(request).outreach.activities
    with tempfile.TemporaryDirectory(prefix="caunoi-import-") as folder:
        # a table is known by its name's ending; the name is the person's, made safe
        path = Path(folder) / (re.sub(r"[^\w.\- ]", "_", name).lstrip(". ")[-100:] or "file")
        path.write_bytes(content)
        try:  # a year of rows is read and checked off the event loop: other pages keep answering
            report = await run_in_threadpool(
                lambda: activities.import_file(
                    path, by=user["username"], valid_only=valid_only, only_unit=mission
                )
            )
        except CaunoiError as exc:  # the file as a whole: its type, encoding, header
            return _import_page(request, user, 400, error=exc, valid_only=valid_only, name=name)
    refused = [r | {"reason": reworded(r.get("refusal"), r.get("params") or {}, r["reason"], lang)}
               for r in report.refused]  # fmt: skip
    return _import_page(request, user, 400 if refused and not report.written else 200, report=report,
                        refused=refused, valid_only=valid_only, name=name)  # fmt: skip


@router.get("/activities/template.csv")
def activities_template_csv(request: Request) -> Response:
    _reader(page_user(request))
    return Response(
        "\ufeff" + template_csv(),  # a BOM: Excel then reads the Vietnamese as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="caunoi-activities.csv"'},
    )


@router.get("/activities/template.xlsx")
def activities_template_xlsx(request: Request) -> Response:
    _reader(page_user(request))
    return Response(
        template_xlsx(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="caunoi-activities.xlsx"'},
    )


@router.get("/activities/{activity_id}")
def activity_page(request: Request, activity_id: int) -> Response:
    user = page_user(request)
    activity = _activity(request, user, activity_id)
    return _activity_page(request, user, activity, _activity_fields(activity))


def _activity_page(
    request: Request, user: dict[str, Any], activity: Activity, fields: dict[str, Any], status: int = 200,
    **context: Any,
) -> Response:  # fmt: skip
    service: Service = service_of(request)
    outreach = service.outreach
    writable = can(user, "outreach.write", activity)
    choices = _activity_choices(service, user, activity) if writable else {}
    campaign = outreach.campaigns.get(activity.campaign_id) if activity.campaign_id else None
    products = [outreach.products.get(i) for i in activity.products]
    packs = [outreach.packs.get(i) for i in activity.packs]
    return _page(
        request, user, "activity.html.j2", status, a=activity, form=fields, writable=writable,
        campaign=campaign, campaign_readable=campaign is not None and _reads_campaign(user, campaign),
        used_products=[(p, _reads_product(user, p)) for p in products],
        used_packs=[(p, _reads_pack(user, p)) for p in packs], done=_done(request),
        zone=activity.timezone, **_coverage(request, user, activity), **choices, **context,
    )  # fmt: skip


# earned coverage on the activity's page (caunoi.outreach.coverage): what is stored, best first; the
# stored articles searched again only when asked ("Tìm lại"), a decision from whoever may change it
COVERAGE_DONE = ("coverage_confirmed", "coverage_rejected", "coverage_refreshed")
DECISIONS = {"confirm": "coverage_confirmed", "reject": "coverage_rejected"}


def _coverage(request: Request, user: dict[str, Any], activity: Activity) -> dict[str, Any]:
    """The page's earned coverage: its candidates and confirmed articles as stored (the rejected
    ones too when `?rejected=1`), how many were rejected, a reason in the page's words."""
    lang = lang_of(request, user)
    found = service_of(request).outreach.coverage.find(activity.id, refresh=False, include_rejected=True)
    show_rejected = request.query_params.get("rejected") == "1"
    done = request.query_params.get("done")
    return {
        "coverage": [c for c in found if show_rejected or c.state != "rejected"],
        "rejected_count": sum(c.state == "rejected" for c in found),
        "show_rejected": show_rejected,
        "coverage_done": done if done in COVERAGE_DONE else None,
        "reason": lambda reason: coverage_reason(reason, lang),
    }


def _coverage_saved(activity: Activity, message: str, form: dict[str, str]) -> RedirectResponse:
    """Back to the activity's coverage, saying what was done (the rejected ones still shown if they were)."""
    query = {"done": message} | ({"rejected": "1"} if form.get("rejected") == "1" else {})
    return RedirectResponse(f"/activities/{activity.id}?{urlencode(query)}#coverage", status_code=303)


@router.post("/activities/{activity_id}/coverage/refresh")
async def activity_coverage_refresh(request: Request, activity_id: int) -> Response:
    user, form = await posted(request)
    activity = _activity(request, user, activity_id, "outreach.write")
    coverage = service_of(request).outreach.coverage
    await run_in_threadpool(lambda: coverage.find(activity.id, refresh=True))
    return _coverage_saved(activity, "coverage_refreshed", form)


@router.post("/activities/{activity_id}/coverage/{article_id}/{decision}")
async def activity_coverage_decide(
    request: Request, activity_id: int, article_id: int, decision: str
) -> Response:
    if decision not in DECISIONS:
        raise PageError(404)
    user, form = await posted(request)
    activity = _activity(request, user, activity_id, "outreach.write")
    coverage = service_of(request).outreach.coverage
    decide = coverage.confirm if decision == "confirm" else coverage.reject
    try:
        decide(activity.id, row_id(article_id), by=user["username"])
    except NotFound:
        raise PageError(404) from None
    except CaunoiError as exc:
        error = refusal(exc, lang_of(request, user))
        return _activity_page(request, user, activity, _activity_fields(activity), 400, coverage_error=error)
    return _coverage_saved(activity, DECISIONS[decision], form)


@router.post("/activities/{activity_id}")
async def activity_edit(request: Request, activity_id: int) -> Response:
    user, form = await posted(request)
    activity = _activity(request, user, activity_id, "outreach.write")
    service: Service = service_of(request)
    unit = _unit_for(user, form.get("unit"))
    choices = _activity_choices(service, user, activity)
    fields = _posted_activity(form, await _lists(request), choices) | {"unit": unit}
    try:
        service.outreach.activities.edit(activity.id, by=user["username"], **_activity_values(fields))
    except CaunoiError as exc:
        return _activity_page(request, user, activity, fields, 400, error=exc)
    return _saved(f"/activities/{activity.id}", "changes_saved")


@router.post("/activities/{activity_id}/files")
async def activity_files(request: Request, activity_id: int) -> Response:
    user, _ = await posted(request)
    activity = _activity(request, user, activity_id, "outreach.write")
    service: Service = service_of(request)
    try:
        files = await _attachments(request)
        for name, content in files:
            service.outreach.activities.attach(activity.id, name, content, by=user["username"])
    except CaunoiError as exc:
        return _activity_page(request, user, activity, _activity_fields(activity), 400, file_error=exc)
    return _saved(f"/activities/{activity.id}", "files_added")


# -- campaigns ------------------------------------------------------------------------------------

CAMPAIGN_TEXT = (
    "code", "title", "kind", "starts_on", "ends_on", "description", "countries", "key_messages",
    "audiences", "objectives", "budget", "currency",
)  # fmt: skip


@router.get("/campaigns")
def campaigns(request: Request) -> Response:
    user = page_user(request)
    mission = _reader(user)
    found = service_of(request).outreach.campaigns.list(unit=mission)
    return _page(request, user, "campaigns.html.j2", campaigns=found, today=date.today())


def _campaign(request: Request, user: dict[str, Any], ref: str) -> Campaign:
    """A campaign by code or id (one a row can have, else 404) that `user` may read."""
    ref = ref.strip()[:40]
    if ref.isascii() and ref.isdigit():
        row_id(int(ref))
    try:
        found = service_of(request).outreach.campaigns.get(ref)
    except NotFound:
        raise PageError(404) from None
    if not _reads_campaign(user, found):
        raise PageError(403)
    return found


def _campaign_fields(campaign: Campaign) -> dict[str, Any]:
    objectives = [
        (f"{o.metric}: " if o.metric else "")  # the metric first, as the form reads it back
        + f"{o.indicator} = {_number(o.target)}"
        + (f" by {o.due_on.isoformat()}" if o.due_on else "")
        for o in campaign.objectives
    ]
    return {
        "code": campaign.code, "title": campaign.title, "kind": campaign.kind,
        "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(),
        "description": campaign.description or "", "countries": ", ".join(campaign.countries),
        "key_messages": "\n".join(campaign.key_messages), "audiences": "\n".join(campaign.audiences),
        "objectives": "\n".join(objectives), "budget": _number(campaign.budget),
        "currency": campaign.currency or "", "topics": list(campaign.topics), "units": list(campaign.units),
    }  # fmt: skip


def _campaign_choices(service: Service) -> dict[str, Any]:
    return {"kinds": CAMPAIGN_KINDS, "topics": service.outreach.campaigns.topics,
            "all_units": service.units.list()}  # fmt: skip


def _posted_campaign(form: dict[str, str], lists: FormData, service: Service) -> dict[str, Any]:
    fields: dict[str, Any] = {k: (form.get(k) or "").strip() for k in CAMPAIGN_TEXT}
    topics = service.outreach.campaigns.topics
    fields["topics"] = [t for t in lists.getlist("topics") if isinstance(t, str)]
    if bad := [t for t in fields["topics"] if t not in topics]:
        raise PageError(400, Invalid("outreach_choice", "{what} {value!r}: choose one from the list",
                                     what="topic", value=bad[0][:40]))  # fmt: skip
    fields["units"] = [u for u in lists.getlist("units") if isinstance(u, str)]
    return fields


def _campaign_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in fields.items() if k != "code"}
    values["objectives"] = [line for line in fields["objectives"].splitlines() if line.strip()]
    return values


@router.get("/campaigns/new")
def campaign_new(request: Request) -> Response:
    user = page_user(request)
    _headquarters(user)
    fields = dict.fromkeys(CAMPAIGN_TEXT, "") | {"kind": "campaign", "topics": [], "units": []}
    return _page(request, user, "campaign_new.html.j2", form=fields, **_campaign_choices(service_of(request)))


@router.post("/campaigns/new")
async def campaign_add(request: Request) -> Response:
    user, form = await posted(request)
    _headquarters(user)
    service: Service = service_of(request)
    fields = _posted_campaign(form, await _lists(request), service)
    values = _campaign_values(fields)
    try:
        campaign = service.outreach.campaigns.add(
            fields["code"], values.pop("title"), by=user["username"], **values
        )
    except CaunoiError as exc:
        return _page(request, user, "campaign_new.html.j2", 400, form=fields, error=exc,
                     **_campaign_choices(service))  # fmt: skip
    return _saved(f"/campaigns/{quote(campaign.code, safe='')}", "changes_saved")


@router.get("/campaigns/{ref}")
def campaign_page(request: Request, ref: str) -> Response:
    user = page_user(request)
    found = _campaign(request, user, ref)
    return _campaign_page(request, user, found, _campaign_fields(found))


def _campaign_page(
    request: Request, user: dict[str, Any], campaign: Campaign, fields: dict[str, Any], status: int = 200,
    **context: Any,
) -> Response:  # fmt: skip
    service: Service = service_of(request)
    mission = _reader(user)
    done = service.outreach.activities.list(campaign=campaign.id, unit=mission, limit=20)
    writable = permission(user, "outreach.write") == "all"
    return _page(
        request, user, "campaign.html.j2", status, c=campaign, form=fields, writable=writable,
        campaign_activities=done, done=_done(request), glance=campaign_glance(request, user, campaign),
        **(_campaign_choices(service) if writable else {}),
        **context,
    )  # fmt: skip


@router.post("/campaigns/{ref}")
async def campaign_edit(request: Request, ref: str) -> Response:
    user, form = await posted(request)
    _headquarters(user)
    campaign = _campaign(request, user, ref)
    service: Service = service_of(request)
    fields = _posted_campaign(form, await _lists(request), service) | {"code": campaign.code}
    try:
        service.outreach.campaigns.edit(campaign.id, by=user["username"], **_campaign_values(fields))
    except CaunoiError as exc:
        return _campaign_page(request, user, campaign, fields, 400, error=exc)
    return _saved(f"/campaigns/{quote(campaign.code, safe='')}", "changes_saved")


# -- information packs ----------------------------------------------------------------------------


def _pack(request: Request, user: dict[str, Any], pack_id: int) -> Pack:
    try:
        found = service_of(request).outreach.packs.get(row_id(pack_id))
    except NotFound:
        raise PageError(404) from None
    if not _reads_pack(user, found):
        raise PageError(403)
    return found


def waiting_packs(service: Service, user: dict[str, Any]) -> list[tuple[Pack, str, str]] | None:
    """The packs sent to a mission officer's mission that it has not acknowledged (the dashboard's
    "waiting for you"), each with its state and deadline in the mission's zone; None for anyone
    else."""
    mission = user.get("mission")
    if permission(user, "outreach.write") != "own" or not mission:
        return None
    waiting, zone, lang = [], service.zone_of(user), user.get("lang") or "vi"
    for pack in service.outreach.packs.list(unit=mission):
        state = mine.state if (mine := pack.recipient(mission)) else "acknowledged"
        if state != "acknowledged":
            waiting.append((pack, state, shown(pack.deadline, zone, lang)))
    return waiting


@router.get("/packs")
def packs(request: Request, state: str = "", campaign: str = "") -> Response:
    user = page_user(request)
    mission = _reader(user)
    service: Service = service_of(request)
    state = state if state in PACK_FILTERS else ""
    campaigns = service.outreach.campaigns.list(unit=mission)
    campaign = campaign if campaign in {str(c.id) for c in campaigns} else ""
    found = service.outreach.packs.list(unit=mission, campaign=campaign or None)
    if state:  # a recipient in that state (a mission officer: their own)
        mine = [(p, [r for r in p.recipients if mission is None or _same(r.unit, mission)]) for p in found]
        found = [p for p, recipients in mine if any(r.state in PACK_FILTERS[state] for r in recipients)]
    return _page(
        request, user, "packs.html.j2", packs=found, state=state, campaign=campaign, campaigns=campaigns,
        campaign_codes={c.id: c.code for c in campaigns}, filters=PACK_FILTERS, done=_done(request),
        writable=permission(user, "outreach.write") == "all",
        acknowledging=mission is not None and permission(user, "outreach.write") == "own",
    )  # fmt: skip


PACK_TEXT = ("title", "kind", "body", "campaign", "deadline_date", "deadline_time", "timezone")


def _pack_choices(service: Service) -> dict[str, Any]:
    units = service.units.list()
    return {
        "kinds": PACK_KINDS,
        "campaigns": service.outreach.campaigns.list(),
        "home_units": [u for u in units if u.kind != "mission"],
        "missions": [u for u in units if u.kind == "mission"],
        "max_mb": service.settings.outreach_max_file_bytes // (1024 * 1024),
    }


@router.get("/packs/new")
def pack_new(request: Request) -> Response:
    user = page_user(request)
    _headquarters(user)
    service: Service = service_of(request)
    fields = dict.fromkeys(PACK_TEXT, "") | {"kind": "talking_points", "to": []}
    fields["timezone"] = service.settings.timezone
    return _page(request, user, "pack_new.html.j2", form=fields, **_pack_choices(service))


@router.post("/packs/new")
async def pack_add(request: Request) -> Response:
    user, form = await posted(request)
    _headquarters(user)
    service: Service = service_of(request)
    fields: dict[str, Any] = {k: (form.get(k) or "").strip() for k in PACK_TEXT}
    fields["to"] = [u for u in (await _lists(request)).getlist("to") if isinstance(u, str)]
    deadline = " ".join(v for v in (fields["deadline_date"], fields["deadline_time"]) if v)
    try:
        files = await _attachments(request)
        pack = service.outreach.packs.add(
            fields["title"], fields["body"], by=user["username"], kind=fields["kind"],
            campaign=fields["campaign"] or None, deadline=deadline or None,
            timezone=fields["timezone"] or None, to=fields["to"], files=files,
        )  # fmt: skip
    except CaunoiError as exc:
        return _page(request, user, "pack_new.html.j2", 400, form=fields, error=exc, **_pack_choices(service))
    return _saved(f"/packs/{pack.id}", "pack_sent")


@router.get("/packs/{pack_id}")
def pack_page(request: Request, pack_id: int) -> Response:
    user = page_user(request)
    return _pack_page(request, user, _pack(request, user, pack_id))


def _pack_page(
    request: Request, user: dict[str, Any], pack: Pack, status: int = 200, **context: Any
) -> Response:
    service: Service = service_of(request)
    mission = _reader(user)
    mine = pack.recipient(mission) if mission else None
    reporting = mine is not None and can(user, "outreach.write", {"unit": mine.unit})
    own_activities = service.outreach.activities.list(unit=mine.unit, limit=CHOICES) if reporting else []
    campaign = service.outreach.campaigns.get(pack.campaign_id) if pack.campaign_id else None
    writable = permission(user, "outreach.write") == "all"
    sent = {r.unit.casefold() for r in pack.recipients}
    choices = _pack_choices(service) if writable else {}
    for key in ("home_units", "missions"):  # more units to send it to: those it was not sent to
        if key in choices:
            choices[key] = [u for u in choices[key] if u.code.casefold() not in sent]
    return _page(
        request, user, "pack.html.j2", status, p=pack, mine=mine, reporting=reporting,
        recipients=[] if mission else pack.recipients, own_activities=own_activities,
        pack_history=_pack_history(pack, mission),
        campaign=campaign, campaign_readable=campaign is not None and _reads_campaign(user, campaign),
        writable=writable, done=_done(request), **choices, **context,
    )  # fmt: skip


def _pack_history(pack: Pack, mission: str | None) -> list[dict[str, Any]]:
    """A pack's history as `mission` may read it: what was done to the pack, and to that mission
    only — never which other missions it went to, or what they acknowledged and reported."""
    if mission is None:
        return pack.history
    kept = []
    for entry in pack.history:
        changes = entry.get("changes") or {}
        if entry["action"] == "send":
            sent = [u for u in (changes.get("sent_to") or [None, None])[1] or [] if _same(u, mission)]
            if sent:
                kept.append(entry | {"changes": {"sent_to": [None, sent]}})
        elif entry["action"] in ("acknowledge", "unacknowledge"):
            if any(_same(u, mission) for u in changes.get("acknowledged") or []):
                kept.append(entry)
        elif entry["action"] == "report":
            if _same((changes.get("unit") or [None, None])[1], mission):
                kept.append(entry)
        else:
            kept.append(entry)
    return kept


def _recipient_unit(user: dict[str, Any], pack: Pack, asked: str | None) -> str:
    """The unit acknowledging or reporting: the officer's mission (another: 403); for headquarters,
    one the pack was sent to."""
    mission = _writer(user)
    unit = mission or (asked or "").strip()
    if (mission and asked and not _same(asked.strip(), mission)) or pack.recipient(unit) is None:
        raise PageError(403)
    return unit


@router.post("/packs/{pack_id}/acknowledge")
async def pack_acknowledge(request: Request, pack_id: int) -> Response:
    user, form = await posted(request)
    pack = _pack(request, user, pack_id)
    unit = _recipient_unit(user, pack, form.get("unit"))
    service_of(request).outreach.packs.acknowledge(pack.id, unit, by=user["username"])
    back = safe_next(form.get("next") or f"/packs/{pack.id}")
    return _saved(back.split("?")[0], "pack_acknowledged")


@router.post("/packs/{pack_id}/report")
async def pack_report(request: Request, pack_id: int) -> Response:
    user, form = await posted(request)
    pack = _pack(request, user, pack_id)
    unit = _recipient_unit(user, pack, form.get("unit"))
    service: Service = service_of(request)
    offered = [a.id for a in service.outreach.activities.list(unit=unit, limit=CHOICES)]
    used = _ids((await _lists(request)).getlist("activities"), offered, "activity")
    try:
        service.outreach.packs.report_use(pack.id, unit, form.get("usage") or "", by=user["username"],
                                          activities=used)  # fmt: skip
    except CaunoiError as exc:
        return _pack_page(request, user, pack, 400, error=exc, usage=form.get("usage") or "")
    return _saved(f"/packs/{pack.id}", "pack_reported")


@router.post("/packs/{pack_id}/send")
async def pack_send(request: Request, pack_id: int) -> Response:
    user, _ = await posted(request)
    _headquarters(user)
    pack = _pack(request, user, pack_id)
    to = [u for u in (await _lists(request)).getlist("to") if isinstance(u, str)]
    try:
        service_of(request).outreach.packs.send(pack.id, to, by=user["username"])
    except CaunoiError as exc:
        return _pack_page(request, user, pack, 400, error=exc)
    return _saved(f"/packs/{pack.id}", "pack_sent")


@router.post("/packs/{pack_id}/files")
async def pack_files(request: Request, pack_id: int) -> Response:
    user, _ = await posted(request)
    _headquarters(user)
    pack = _pack(request, user, pack_id)
    service: Service = service_of(request)
    try:
        files = await _attachments(request)
        for name, content in files:
            service.outreach.packs.attach(pack.id, name, content, by=user["username"])
    except CaunoiError as exc:
        return _pack_page(request, user, pack, 400, file_error=exc)
    return _saved(f"/packs/{pack.id}", "files_added")


# -- information products -------------------------------------------------------------------------

PRODUCT_TEXT = ("kind", "title", "lang", "unit", "campaign", "audience", "url", "published_on")
NEW_PRODUCT_KINDS = tuple(k for k in PRODUCT_KINDS if k not in FACT_SHEET_KINDS)  # those: /factsheets/new


def _products_page(
    request: Request, user: dict[str, Any], kind: str = "", q: str = "", status: int = 200, **context: Any
) -> Response:
    mission = _reader(user)
    service: Service = service_of(request)
    found = service.outreach.products.list(kind=kind or None, unit=mission, query=q or None, limit=300)
    campaigns = service.outreach.campaigns.list(unit=mission)
    writable = permission(user, "outreach.write") is not None
    fields = context.pop("form", None) or dict.fromkeys(PRODUCT_TEXT, "") | {
        "kind": "article",
        "lang": lang_of(request, user),
        "unit": mission or "",
    }
    return _page(
        request, user, "products.html.j2", status, products=found, kind=kind, q=q, kinds=PRODUCT_KINDS,
        new_kinds=NEW_PRODUCT_KINDS, campaigns=campaigns, campaign_codes={c.id: c.code for c in campaigns},
        units=[] if mission else service.units.list(), writable=writable, form=fields,
        max_mb=service.settings.outreach_max_file_bytes // (1024 * 1024), done=_done(request), **context,
    )  # fmt: skip


@router.get("/products")
def products(request: Request, kind: str = "", q: str = "") -> Response:
    user = page_user(request)
    return _products_page(request, user, kind if kind in PRODUCT_KINDS else "", q.strip()[:200])


@router.post("/products")
async def product_add(request: Request) -> Response:
    user, form = await posted(request)
    service: Service = service_of(request)
    fields = {k: (form.get(k) or "").strip() for k in PRODUCT_TEXT}
    fields["unit"] = _unit_for(user, fields["unit"])
    if fields["kind"] not in NEW_PRODUCT_KINDS:
        raise PageError(400, Invalid("outreach_choice", "{what} {value!r}: choose one from the list",
                                     what="kind", value=fields["kind"][:40]))  # fmt: skip
    values = {k: v for k, v in fields.items() if v} | {"unit": fields["unit"] or None}
    try:
        files = await _attachments(request)
        product = service.outreach.products.add(values.pop("title", ""), by=user["username"],
                                                kind=values.pop("kind"), **values)  # fmt: skip
        for name, content in files:
            service.outreach.products.attach(product.id, name, content, by=user["username"])
    except CaunoiError as exc:
        return _products_page(request, user, status=400, error=exc, form=fields)
    return _saved("/products", "changes_saved")


# -- attached files -------------------------------------------------------------------------------


@router.get("/files/{file_id}")
def file_download(request: Request, file_id: int) -> Response:
    """An attached file, for whoever may read what it is attached to."""
    user = page_user(request)
    _reader(user)
    outreach = service_of(request).outreach
    try:
        info, content, owner = outreach.file(row_id(file_id))
        allowed = access.reads_file(user, outreach, owner)
    except NotFound:
        raise PageError(404) from None
    if not allowed:
        raise PageError(403)
    return Response(
        content, media_type=info.media_type, headers={"Content-Disposition": attachment(info.name)}
    )
