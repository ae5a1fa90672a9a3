"""What the API answers when something goes wrong: `{"error": {"status", "code", "message"}}`.

`ApiError` is the error a route raises, with its code; CODES names the code of any other HTTP
error; DOMAIN_ERRORS is the one table from a domain exception (caunoi.cases, caunoi.units, …) to
the status and code it is answered with, so a route may let those rise. RESPONSES, NOT_FOUND and BAD
are the error answers the routes document in OpenAPI. Outside /api/ the handlers leave invalid
parameters to the web UI's error page and other HTTP errors to FastAPI, and answer a domain error
in plain text: this module renders no page and decides nothing about who may do what."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from caunoi import factsheets, outreach, units, users
from caunoi.alerts import AlertError, AlertNotFound
from caunoi.app.api.schemas import ErrorOut
from caunoi.attention import AttentionError
from caunoi.audit import AuditError
from caunoi.cases import CaseError, DuplicateCase, NotFound
from caunoi.ingest.sources import SourceError, UnknownSource
from caunoi.ingest.tables import TableError
from caunoi.reports.drafts import DraftConflictError, DraftError, DraftNotFound
from caunoi.reports.pdf import PdfError
from caunoi.reports.review import ReviewError
from caunoi.search import QueryError, SavedSearchNotFound
from caunoi.stories.rising import RisingError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}

# a domain exception -> (status, code): a route may let these rise, and they are answered so
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    QueryError: (400, "bad_query"),
    AttentionError: (400, "bad_request"),  # a sixth search, a period that ends before it starts
    SavedSearchNotFound: (404, "not_found"),
    DuplicateCase: (409, "duplicate"),
    NotFound: (404, "not_found"),
    CaseError: (400, "bad_request"),
    factsheets.NotFound: (404, "not_found"),
    factsheets.FactSheetError: (400, "bad_request"),
    units.NotFound: (404, "not_found"),
    units.DuplicateUnit: (409, "conflict"),
    units.UnitError: (422, "invalid"),  # a field the unit cannot have, as the body's other mistakes
    # outreach: what is refused in a body (a date, a file type, a kind) is a 422, like the body's
    # other mistakes; an unknown code or id a 404; a taken code or key a 409
    outreach.NotFound: (404, "not_found"),
    outreach.TakenError: (409, "conflict"),
    outreach.OutreachError: (422, "invalid"),
    TableError: (422, "invalid"),  # an uploaded file that is no table (CSV UTF-8, TSV, XLSX)
    ReviewError: (422, "invalid"),  # a review report's period that cannot be reported on
    DraftNotFound: (404, "not_found"),  # review report drafts: no such draft,
    DraftConflictError: (409, "conflict"),  # a final one, or one saved since it was read,
    DraftError: (422, "invalid"),  # a value refused
    PdfError: (503, "unavailable"),  # no PDF engine on this server (or it failed): the message says which
    RisingError: (422, "invalid"),  # rising stories: a window or baseline too long, say
    AlertNotFound: (404, "not_found"),  # administration: no such rule or channel,
    AlertError: (422, "invalid"),  # a rule or channel refused (a webhook at a private address, …)
    UnknownSource: (404, "not_found"),  # no such source,
    SourceError: (422, "invalid"),  # a source refused (a bad field, a private URL, a name taken),
    users.NotFound: (404, "not_found"),  # no such user or token,
    users.UserError: (422, "invalid"),  # a refused change (a weak password, the last admin, …)
    AuditError: (422, "invalid"),  # the audit log: a since or until it cannot read
}
# every database connection stayed busy for pool_timeout seconds: say so, do not fail with a 500
BUSY = "the server is busy: every database connection is in use; try again in a few seconds"

# the error answers every route may give, and those some routes document
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No user: send Authorization: Bearer cn_…"},
    403: {"model": ErrorOut, "description": "The user's role may not do this."},
    422: {"model": ErrorOut, "description": "A parameter or the body is not valid."},
    429: {"model": ErrorOut, "description": "Too many requests: see Retry-After."},
}
NOT_FOUND = {404: {"model": ErrorOut}}
BAD = {400: {"model": ErrorOut}}

Row = TypeVar("Row")


class ApiError(HTTPException):
    """An HTTP error with a machine-readable code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(status, message, headers)
        self.code = code


def found(row: Row | None, what: str, row_id: int) -> Row:
    """`row`, or a 404 `not_found` when there is no `what` with id `row_id`."""
    if row is None:
        raise ApiError(404, "not_found", f"no {what} with id {row_id}")
    return row


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"status": status, "code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """An HTTP error (ApiError or not) as the API's error body, with its headers (Retry-After …)."""
    if not _is_api(request):
        return await http_exception_handler(request, exc)
    code = getattr(exc, "code", None) or CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, ensure_ascii=False)
    return error_response(exc.status_code, code, message, getattr(exc, "headers", None))


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    """Invalid parameters or body: a 422 `invalid` naming each field and what is wrong with it."""
    if not _is_api(request):
        page = getattr(request.app.state, "page_error", None)  # the web UI's error page (ui.install)
        if page is None:
            return await request_validation_exception_handler(request, exc)
        # /articles/abc is a page that does not exist; a malformed field is a bad request
        in_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
        return page(request, 404 if in_path else 400)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_response(422, "invalid", "; ".join(problems))


def domain_error(
    status: int, code: str, message: str | None = None, headers: dict[str, str] | None = None
) -> Callable[[Request, Exception], Any]:
    """The handler answering a domain exception with `status` and `code` (and its own message, unless
    `message` is given)."""

    async def handler(request: Request, exc: Exception) -> Response:
        text = message or str(exc)
        if not _is_api(request):
            return PlainTextResponse(text, status_code=status, headers=headers)
        return error_response(status, code, text, headers)

    return handler
