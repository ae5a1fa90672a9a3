"""Routes for outreach (issue 15): campaigns, information packs, products and activities, the files
attached to them, the activity import with its templates, and a unit's or mission's outreach page.

Who may do what (caunoi.users: outreach.read, outreach.write). Admins, analysts and viewers read
everything; a mission officer reads their mission's only — its activities and products, the packs
sent to it (its own recipient row, not the others'), the campaigns it takes part in — and a `unit=`
or a record of another mission is a 403. Analysts and admins change everything; campaigns and packs
are headquarters' (outreach.write on "all"). A mission officer logs, edits and imports their
mission's activities, adds and edits its products (`unit` defaults to it; another is a 403), and
acknowledges and reports the use of the packs sent to it. Fact sheets and positions are products
too: everyone who reads reads them, and only who writes the library (factsheet.write) makes them.

A refusal of the outreach services rises as their own error and errors.DOMAIN_ERRORS answers it (422,
404 or 409). The routes call caunoi.service (service_of) and never the store."""

from __future__ import annotations

import pathlib
import re
import shutil
import tempfile
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from caunoi.app.api.errors import NOT_FOUND, ApiError
from caunoi.app.api.export import attachment
from caunoi.app.api.limits import UPLOAD_MARGIN, csrf
from caunoi.app.api.paging import decode_activity_cursor, encode_activity_cursor
from caunoi.app.api.schemas import (
    ActivityChange,
    ActivityDetail,
    ActivityIn,
    ActivityPage,
    ActivityType,
    CampaignChange,
    CampaignDetail,
    CampaignIn,
    CampaignOut,
    CandidateOut,
    ErrorOut,
    FileOut,
    Id,
    ImportRefusedOut,
    ImportReportOut,
    PackAcknowledge,
    PackChange,
    PackDetail,
    PackIn,
    PackOut,
    PackReport,
    PackSend,
    ProductChange,
    ProductDetail,
    ProductIn,
    ProductKind,
    ProductOut,
    RecipientState,
    UnitOutreachOut,
    Zone,
)
from caunoi.app.auth import allowed, require, service_of
from caunoi.config import Settings
from caunoi.ingest.tables import MAX_BYTES as MAX_TABLE_BYTES
from caunoi.outreach import (
    Activity,
    Campaign,
    Candidate,
    FileInfo,
    ImportReport,
    OutreachService,
    Pack,
    Product,
    UnitOutreach,
    access,
)
from caunoi.outreach.activities import template_csv, template_xlsx
from caunoi.timezones import to_utc
from caunoi.units import code_key

router = APIRouter()

READ, WRITE = "outreach.read", "outreach.write"
Reader = Annotated[dict[str, Any], Depends(require(READ))]
Writer = Annotated[dict[str, Any], Depends(require(WRITE))]
Ref = Annotated[str, Path(min_length=1, max_length=100, description="Its code (or key) or its id.")]
Code = Annotated[str, Path(min_length=1, max_length=100, description="Its code, in any case.")]
UnitQuery = Annotated[str | None, Query(max_length=40, description="A unit or mission code.")]
CampaignQuery = Annotated[str | None, Query(max_length=40, description="A campaign's code or id.")]
Upload = Annotated[UploadFile, File(description="The file (multipart/form-data, field `file`).")]

REFUSED = {422: {"model": ErrorOut, "description": "A value refused; the message says why."}}
TAKEN = {409: {"model": ErrorOut, "description": "The code or key is taken."}}
CHANGES = {"dependencies": [Depends(csrf)], "responses": {**NOT_FOUND, **REFUSED}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the routes that take a file (under the API's prefix), and how large a body each may send
FILE_ROUTES = r"/(packs|products|activities)/[^/]+/files"
IMPORT_ROUTE = r"/activities/import"


def upload_limits(settings: Settings) -> list[tuple[str, int]]:
    """(path regex under the prefix, body limit) of the upload routes, for BodyLimit: an attached file
    may be as large as the setting outreach_max_file_bytes, an imported table as large as read_rows
    reads (20 MB), each with the multipart's margin; every other request keeps the 1 MiB limit."""
    return [
        (FILE_ROUTES, settings.outreach_max_file_bytes + UPLOAD_MARGIN),
        (IMPORT_ROUTE, MAX_TABLE_BYTES + UPLOAD_MARGIN),
    ]


# -- who may see and change what -------------------------------------------------------------------


def _outreach(request: Request) -> OutreachService:
    return service_of(request).outreach


def _mission(user: dict[str, Any], action: str) -> str | None:
    """The mission `user` may do `action` for only (a mission officer's), or None: every unit."""
    try:
        return access.mission(user, action)
    except access.NotAllowed as refusal:
        raise ApiError(403, "forbidden", str(refusal)) from None


def _unit_seen(user: dict[str, Any], unit: str | None) -> str | None:
    """The `unit=` of a list as `user` may ask it: a mission officer's is their mission."""
    mission = _mission(user, READ)
    if mission is None:
        return unit
    if unit is not None and code_key(unit) != code_key(mission):
        raise ApiError(403, "forbidden", f"a mission officer sees only the outreach of {mission}")
    return mission


def _unit_written(user: dict[str, Any], unit: str | None, what: str, required: bool = True) -> str | None:
    """The unit `user` writes `what` for: a mission officer's mission (another: 403); others name it
    (422 without one, when `required`)."""
    mission = _mission(user, WRITE)
    if mission is not None:
        if unit is not None and code_key(unit) != code_key(mission):
            raise ApiError(403, "forbidden", f"a mission officer {what} only for {mission}")
        return mission
    if not unit and required:
        raise ApiError(422, "invalid", "unit: give the code of the unit or mission")
    return unit


def _headquarters(user: dict[str, Any]) -> None:
    """403 unless `user` may change every unit's outreach: campaigns and packs are headquarters'."""
    if not access.headquarters(user):
        message = f"your role ({user['role']}) may not make or change campaigns or packs"
        raise ApiError(403, "forbidden", message)


def _library(user: dict[str, Any], kind: str | None) -> None:
    """403 when `kind` is the library's (fact sheet, position) and `user` may not write the library."""
    if not access.writes_library(user, kind):
        raise ApiError(403, "forbidden", f"your role ({user['role']}) may not write the fact-sheet library")


def _campaign_seen(user: dict[str, Any], campaign: Campaign) -> Campaign:
    if not access.reads_campaign(user, campaign):
        mission = user.get("mission")
        raise ApiError(403, "forbidden", f"{mission} does not take part in campaign {campaign.code}")
    return campaign


def _pack_seen(user: dict[str, Any], pack: Pack) -> Pack:
    """The pack as `user` sees it (access.pack_as_seen)."""
    seen = access.pack_as_seen(user, pack)
    if seen is None:
        raise ApiError(403, "forbidden", f"pack {pack.id} was not sent to {user.get('mission')}")
    return seen


def _product(request: Request, user: dict[str, Any], product_id: int, action: str) -> Product:
    product = _outreach(request).products.get(product_id)
    if action == READ and access.reads_product(user, product):
        return product
    allowed(user, action, product)
    return product


def _activity(request: Request, user: dict[str, Any], ref: str, action: str) -> Activity:
    activity = _outreach(request).activities.get(ref)
    allowed(user, action, activity)
    return activity


def _content(upload: UploadFile) -> tuple[str, bytes]:
    """An uploaded file's name and bytes (the body limit bounds them)."""
    return upload.filename or "file", upload.file.read()


# -- campaigns ---------------------------------------------------------------------------------------


@router.get("/campaigns", response_model=list[CampaignOut], responses=NOT_FOUND, tags=["campaigns"])
def list_campaigns(
    request: Request,
    user: Reader,
    unit: UnitQuery = None,
    active_on: Annotated[date | None, Query(description="Those running that day.")] = None,
) -> list[Campaign]:
    """Campaigns, latest start first; a mission officer sees those their mission takes part in."""
    return _outreach(request).campaigns.list(unit=_unit_seen(user, unit), active_on=active_on)


@router.post(
    "/campaigns",
    response_model=CampaignDetail,
    status_code=201,
    dependencies=[Depends(csrf)],
    responses={**NOT_FOUND, **REFUSED, **TAKEN},
    tags=["campaigns"],
)
def add_campaign(request: Request, body: CampaignIn, user: Writer) -> Campaign:
    """A campaign or theme, with its period, partner countries, topics, key messages, objectives and
    the units taking part (analysts and admins)."""
    _headquarters(user)
    values = body.model_dump()
    return _outreach(request).campaigns.add(
        values.pop("code"), values.pop("title"), by=user["username"], **values
    )


@router.get("/campaigns/{ref}", response_model=CampaignDetail, responses=NOT_FOUND, tags=["campaigns"])
def get_campaign(request: Request, ref: Ref, user: Reader) -> Campaign:
    """One campaign, by code or id, with its history."""
    return _campaign_seen(user, _outreach(request).campaigns.get(ref))


@router.patch("/campaigns/{ref}", response_model=CampaignDetail, **CHANGES, tags=["campaigns"])
def change_campaign(request: Request, ref: Ref, body: CampaignChange, user: Writer) -> Campaign:
    """Change the fields given (analysts and admins); `units` and `objectives` replace the old ones."""
    _headquarters(user)
    return _outreach(request).campaigns.edit(ref, by=user["username"], **body.model_dump(exclude_unset=True))


# -- packs -------------------------------------------------------------------------------------------


@router.get("/packs", response_model=list[PackOut], responses=NOT_FOUND, tags=["packs"])
def list_packs(
    request: Request,
    user: Reader,
    unit: UnitQuery = None,
    state: Annotated[RecipientState | None, Query(description="A recipient's (`unit`'s) state.")] = None,
    campaign: CampaignQuery = None,
) -> list[Pack]:
    """Packs, newest first; with `unit`, those sent to it; `state=overdue`: who has not acknowledged
    in time. A mission officer sees the packs sent to their mission."""
    packs = _outreach(request).packs.list(unit=_unit_seen(user, unit), campaign=campaign, state=state)
    return [_pack_seen(user, p) for p in packs]


@router.post(
    "/packs",
    response_model=PackDetail,
    status_code=201,
    dependencies=[Depends(csrf)],
    responses={**NOT_FOUND, **REFUSED},
    tags=["packs"],
)
def add_pack(request: Request, body: PackIn, user: Writer) -> Pack:
    """A pack, sent at once to the units in `to` (analysts and admins); add its files after."""
    _headquarters(user)
    values = body.model_dump()
    return _outreach(request).packs.add(
        values.pop("title"), values.pop("body"), by=user["username"], **values
    )


@router.get("/packs/{pack_id}", response_model=PackDetail, responses=NOT_FOUND, tags=["packs"])
def get_pack(request: Request, pack_id: Id, user: Reader) -> Pack:
    """One pack with its text, files, recipients and history."""
    return _pack_seen(user, _outreach(request).packs.get(pack_id))


@router.patch("/packs/{pack_id}", response_model=PackDetail, **CHANGES, tags=["packs"])
def change_pack(request: Request, pack_id: Id, body: PackChange, user: Writer) -> Pack:
    """Change the title, text, kind, campaign or deadline (analysts and admins)."""
    _headquarters(user)
    return _outreach(request).packs.edit(pack_id, by=user["username"], **body.model_dump(exclude_unset=True))


@router.post(
    "/packs/{pack_id}/files",
    response_model=FileOut,
    status_code=201,
    dependencies=[Depends(csrf)],
    responses={**NOT_FOUND, **REFUSED, 413: {"model": ErrorOut}},
    tags=["packs"],
)
def attach_to_pack(request: Request, pack_id: Id, file: Upload, user: Writer) -> FileInfo:
    """Attach a file (PDF, Office, OpenDocument, text, CSV or an image; analysts and admins)."""
    _headquarters(user)
    return _outreach(request).packs.attach(pack_id, *_content(file), by=user["username"])


@router.post("/packs/{pack_id}/send", response_model=PackDetail, **CHANGES, tags=["packs"])
def send_pack(request: Request, pack_id: Id, body: PackSend, user: Writer) -> Pack:
    """Send the pack to more units and tell them; those it was sent to already stay as they are."""
    _headquarters(user)
    return _outreach(request).packs.send(pack_id, body.units, by=user["username"])


@router.post("/packs/{pack_id}/acknowledge", response_model=PackDetail, **CHANGES, tags=["packs"])
def acknowledge_pack(request: Request, pack_id: Id, body: PackAcknowledge, user: Writer) -> Pack:
    """Record that a unit received the pack (`undo`: take it back); a mission officer for their
    mission, whose code is the default `unit`."""
    packs = _outreach(request).packs
    _pack_seen(user, packs.get(pack_id))
    unit = _unit_written(user, body.unit, "acknowledges packs")
    return _pack_seen(user, packs.acknowledge(pack_id, unit, by=user["username"], undo=body.undo))


@router.post("/packs/{pack_id}/report", response_model=PackDetail, **CHANGES, tags=["packs"])
def report_pack_use(request: Request, pack_id: Id, body: PackReport, user: Writer) -> Pack:
    """Report how a unit used the pack, and which of its activities did (a report acknowledges it too)."""
    packs = _outreach(request).packs
    _pack_seen(user, packs.get(pack_id))
    unit = _unit_written(user, body.unit, "reports the use of packs")
    pack = packs.report_use(pack_id, unit, body.usage, by=user["username"], activities=body.activities)
    return _pack_seen(user, pack)


# -- products ----------------------------------------------------------------------------------------


@router.get("/products", response_model=list[ProductOut], responses=NOT_FOUND, tags=["products"])
def list_products(
    request: Request,
    user: Reader,
    kind: ProductKind | None = None,
    unit: UnitQuery = None,
    campaign: CampaignQuery = None,
    q: Annotated[str | None, Query(max_length=500, description="Every word, diacritics optional.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Product]:
    """Products, latest change first; a mission officer sees their mission's."""
    return _outreach(request).products.list(
        kind=kind, unit=_unit_seen(user, unit), campaign=campaign, query=q, limit=limit
    )


@router.post(
    "/products",
    response_model=ProductDetail,
    status_code=201,
    dependencies=[Depends(csrf)],
    responses={**NOT_FOUND, **REFUSED},
    tags=["products"],
)
def add_product(request: Request, body: ProductIn, user: Writer) -> Product:
    """A product; a mission officer's is their mission's (`unit` defaults to it)."""
    _library(user, body.kind)
    values = body.model_dump()
    values["unit"] = _unit_written(user, values["unit"], "adds products", required=False)
    return _outreach(request).products.add(
        values.pop("title"), by=user["username"], kind=values.pop("kind"), **values
    )


@router.get("/products/{product_id}", response_model=ProductDetail, responses=NOT_FOUND, tags=["products"])
def get_product(request: Request, product_id: Id, user: Reader) -> Product:
    """One product with its text, files and history."""
    return _product(request, user, product_id, READ)


@router.patch("/products/{product_id}", response_model=ProductDetail, **CHANGES, tags=["products"])
def change_product(request: Request, product_id: Id, body: ProductChange, user: Writer) -> Product:
    """Change the fields given; a mission officer their mission's products, which stay its."""
    product = _product(request, user, product_id, WRITE)
    _library(user, product.kind)
    changes = body.model_dump(exclude_unset=True)
    _library(user, changes.get("kind"))
    if "unit" in changes:
        changes["unit"] = _unit_written(user, changes["unit"], "adds products", required=False)
    return _outreach(request).products.edit(product.id, by=user["username"], **changes)


@router.post(
    "/products/{product_id}/files",
    response_model=FileOut,
    status_code=201,
    dependencies=[Depends(csrf)],
    responses={**NOT_FOUND, **REFUSED, 413: {"model": ErrorOut}},
    tags=["products"],
)
def attach_to_product(request: Request, product_id: Id, file: Upload, user: Writer) -> FileInfo:
    """Attach a file to a product (a mission officer: to their mission's)."""
    product = _product(request, user, product_id, WRITE)
    _library(user, product.kind)
    return _outreach(request).products.attach(product.id, *_content(file), by=user["username"])


# -- activities --------------------------------------------------------------------------------------


def _utc(request: Request, at: datetime | None, what: str) -> datetime | None:
    """A time of the query as the store keeps it (UTC, naive): without an offset, it is read in the
    organisation's time zone (the setting `timezone`)."""
    if at is None:
        return None
    try:
        return to_utc(at, service_of(request).settings.timezone)
    except (OverflowError, ValueError):
        raise ApiError(422, "invalid", f"query.{what}: a time between the years 1 and 9999") from None


@router.get(
    "/activities",
    response_model=ActivityPage,
    responses={**NOT_FOUND, 400: {"model": ErrorOut}},
    tags=["activities"],
)
def list_activities(
    request: Request,
    user: Reader,
    unit: UnitQuery = None,
    campaign: CampaignQuery = None,
    type: ActivityType | None = None,
    since: Annotated[
        datetime | None,
        Query(description="At or after: 2026-10-01 or 2026-10-01T08:00, the organisation's time zone."),
    ] = None,
    until: Annotated[datetime | None, Query(description="Before; as `since`.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ActivityPage:
    """Activities, latest first; a mission officer sees their mission's."""
    activities = _outreach(request).activities.list(
        unit=_unit_seen(user, unit),
        campaign=campaign,
        type=type,
        since=_utc(request, since, "since"),
        until=_utc(request, until, "until"),
        after=decode_activity_cursor(cursor),
        limit=limit + 1,
    )
    items = activities[:limit]
    more = len(activities) > limit
    return ActivityPage(
        items=items, next_cursor=encode_activity_cursor(items[-1].starts_at, items[-1].id) if more else None
    )


@router.get(
    "/activities/template.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The import template."}},
    tags=["activities"],
)
def activity_template_csv(_user: Reader) -> Response:
    """The import's columns and an example row, as CSV UTF-8."""
    content = "\ufeff" + template_csv()  # the BOM tells Excel it is UTF-8; the import reads it either way
    headers = {"Content-Disposition": 'attachment; filename="activities-template.csv"'}
    return Response(content.encode(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get(
    "/activities/template.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The import template."}},
    tags=["activities"],
)
def activity_template_xlsx(_user: Reader) -> Response:
    """The import's columns and an example row as an Excel workbook, with the activity types."""
    headers = {"Content-Disposition": 'attachment; filename="activities-template.xlsx"'}
    return Response(template_xlsx(), media_type=XLSX, headers=headers)


def _table_name(name: str | None) -> str:
    """The uploaded file's name, safe as a file name here (its suffix says how it is read)."""
    base = pathlib.PurePosixPath((name or "").replace("\\", "/")).name
    base = re.sub(r"[^\w.-]+", "_", base).lstrip(".")[-100:]
    return base or "upload"


@router.post(
    "/activities/import",
    response_model=ImportReportOut,
    dependencies=[Depends(csrf)],
    responses={
        422: {
            "model": ImportRefusedOut,
            "description": "Rows refused and nothing written (`rows_refused`, with the report); a file "
            "that is no table, or a bad parameter, is the usual error without one.",
        },
        413: {"model": ErrorOut},
    },
    tags=["activities"],
)
def import_activities(
    request: Request,
    user: Writer,
    file: Annotated[UploadFile, File(description="CSV UTF-8, TSV or XLSX with the template's columns.")],
    valid_only: Annotated[bool, Query(description="Write the valid rows when some are refused.")] = False,
    timezone: Annotated[Zone | None, Query(description="Of times without one; default: the unit's.")] = None,
) -> Any:
    """Add or change activities from a table (the columns of /activities/template.csv), idempotent by
    `key`: every row is checked first; with a row refused nothing is written (422 with the report)
    unless `valid_only`. A mission officer imports only their mission's rows."""
    mission = _mission(user, WRITE)
    with tempfile.TemporaryDirectory(prefix="caunoi-import-") as folder:
        path = pathlib.Path(folder) / _table_name(file.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        report: ImportReport = _outreach(request).activities.import_file(
            path, by=user["username"], valid_only=valid_only, timezone=timezone, only_unit=mission
        )
    if report.refused and not report.written:
        message = f"{len(report.refused)} row(s) refused, nothing written: fix them, or send valid_only=true"
        body = ImportRefusedOut(
            error={"status": 422, "code": "rows_refused", "message": message},
            report=ImportReportOut.model_validate(report),
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=422)
    return report


@router.post(
    "/activities",
    response_model=ActivityDetail,
    status_code=201,
    dependencies=[Depends(csrf)],
    responses={**NOT_FOUND, **REFUSED, **TAKEN},
    tags=["activities"],
)
def add_activity(request: Request, body: ActivityIn, user: Writer) -> Activity:
    """Log an activity; a mission officer logs their mission's (`unit` defaults to it)."""
    values = body.model_dump()
    unit = _unit_written(user, values.pop("unit"), "logs activities")
    return _outreach(request).activities.add(
        values.pop("title"), by=user["username"], unit=unit, type=values.pop("type"),
        starts_at=values.pop("starts_at"), **values,
    )  # fmt: skip


@router.get("/activities/{ref}", response_model=ActivityDetail, responses=NOT_FOUND, tags=["activities"])
def get_activity(request: Request, ref: Ref, user: Reader) -> Activity:
    """One activity, by id or key, with its files and history."""
    return _activity(request, user, ref, READ)


@router.patch("/activities/{ref}", response_model=ActivityDetail, **CHANGES, tags=["activities"])
def change_activity(request: Request, ref: Ref, body: ActivityChange, user: Writer) -> Activity:
    """Change the fields given; a mission officer their mission's activities, which stay its."""
    activity = _activity(request, user, ref, WRITE)
    changes = body.model_dump(exclude_unset=True)
    if "unit" in changes:
        changes["unit"] = _unit_written(user, changes["unit"], "logs activities")
    return _outreach(request).activities.edit(activity.id, by=user["username"], **changes)


@router.post(
    "/activities/{ref}/files",
    response_model=FileOut,
    status_code=201,
    dependencies=[Depends(csrf)],
    responses={**NOT_FOUND, **REFUSED, 413: {"model": ErrorOut}},
    tags=["activities"],
)
def attach_to_activity(request: Request, ref: Ref, file: Upload, user: Writer) -> FileInfo:
    """Attach a file to an activity (a mission officer: to their mission's)."""
    activity = _activity(request, user, ref, WRITE)
    return _outreach(request).activities.attach(activity.id, *_content(file), by=user["username"])


# -- earned coverage --------------------------------------------------------------------------------


@router.get(
    "/activities/{ref}/coverage",
    response_model=list[CandidateOut],
    responses=NOT_FOUND,
    tags=["activities"],
)
def activity_coverage(
    request: Request,
    ref: Ref,
    user: Reader,
    rejected: Annotated[bool, Query(alias="all", description="Also the articles a person rejected.")] = False,
    refresh: Annotated[
        bool, Query(description="Score the stored articles of its window again first (false: as found).")
    ] = True,
) -> list[Candidate]:
    """The articles the activity may have earned, best first, each with its score, reasons and state
    (candidate, confirmed, rejected); whoever reads the activity reads them."""
    activity = _activity(request, user, ref, READ)
    return _outreach(request).coverage.find(activity.id, refresh=refresh, include_rejected=rejected)


def _decide(request: Request, user: dict[str, Any], ref: str, article_id: int, confirm: bool) -> Candidate:
    activity = _activity(request, user, ref, WRITE)
    coverage = _outreach(request).coverage
    decide = coverage.confirm if confirm else coverage.reject
    return decide(activity.id, article_id, by=user["username"])


@router.post(
    "/activities/{ref}/coverage/{article_id}/confirm",
    response_model=CandidateOut,
    **CHANGES,
    tags=["activities"],
)
def confirm_coverage(request: Request, ref: Ref, article_id: Id, user: Writer) -> Candidate:
    """Confirm an article as coverage the activity earned (what evaluation counts), proposed or not;
    audited. Whoever may change the activity decides (a mission officer: their mission's)."""
    return _decide(request, user, ref, article_id, confirm=True)


@router.post(
    "/activities/{ref}/coverage/{article_id}/reject",
    response_model=CandidateOut,
    **CHANGES,
    tags=["activities"],
)
def reject_coverage(request: Request, ref: Ref, article_id: Id, user: Writer) -> Candidate:
    """Reject an article: it is never proposed for the activity again; audited."""
    return _decide(request, user, ref, article_id, confirm=False)


# -- files and a unit's page -------------------------------------------------------------------------


@router.get(
    "/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file."}, **NOT_FOUND},
    tags=["packs", "products", "activities"],
)
def download_file(request: Request, file_id: Id, user: Reader) -> Response:
    """A file attached to a pack, product or activity, as an attachment in the type it was stored as;
    whoever may read its pack, product or activity may download it."""
    outreach = _outreach(request)
    info, content, owner = outreach.file(file_id)
    if not access.reads_file(user, outreach, owner):
        raise ApiError(
            403, "forbidden", "you may not read the pack, product or activity this file belongs to"
        )
    headers = {"Content-Disposition": attachment(info.name), "X-Content-Type-Options": "nosniff"}
    return Response(content, media_type=info.media_type, headers=headers)


@router.get(
    "/units/{code}/outreach",
    response_model=UnitOutreachOut,
    responses=NOT_FOUND,
    tags=["units", "activities"],
)
def unit_outreach(request: Request, code: Code, user: Reader) -> UnitOutreach:
    """A unit's or mission's outreach at a glance: its activities (in all, this year, the latest 20),
    products, the packs sent to it by state with those not acknowledged yet, its campaigns. A mission
    officer sees their mission's."""
    _unit_seen(user, code)
    return _outreach(request).unit_outreach(code)
