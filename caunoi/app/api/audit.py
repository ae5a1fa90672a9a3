"""Routes for the audit log: who changed what, when (UTC), filtered as `caunoi audit list` filters
it, as JSON or as a CSV download (?format=csv or Accept: text/csv); for those with audit.read
(administrators). The route calls caunoi.service (service_of) and never the store."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from caunoi.app.api.export import table_file
from caunoi.app.api.schemas import AuditEntryOut
from caunoi.app.auth import require, service_of
from caunoi.audit import LIST_LIMIT, AuditEntry, AuditFilter

router = APIRouter()
Text = Annotated[str | None, Query(max_length=200)]
Format = Annotated[Literal["json", "csv"] | None, Query(description="csv: every match, as a file.")]
CSV = {200: {"content": {"text/csv": {}}, "description": "The entries, newest first (JSON, or CSV)."}}


@router.get("/audit", response_model=list[AuditEntryOut], responses=CSV, tags=["audit"])
def list_audit(
    request: Request,
    _user: Annotated[dict[str, Any], Depends(require("audit.read"))],
    who: Annotated[str | None, Query(max_length=100, description="Who made the change (any case).")] = None,
    action: Annotated[str | None, Query(max_length=30, description="add, edit, remove, enable, …")] = None,
    object: Annotated[
        str | None, Query(max_length=80, description="A kind of object (source), or one: source:12.")
    ] = None,
    since: Annotated[str | None, Query(max_length=40, description="24h, 7d, 2w, or a UTC date.")] = None,
    until: Annotated[str | None, Query(max_length=40, description="The same; entries before it.")] = None,
    limit: Annotated[int, Query(ge=1, le=LIST_LIMIT, description="The newest entries (JSON).")] = 100,
    format: Format = None,
) -> list[AuditEntry] | Response:
    """The audit log's entries, newest first: who, when (UTC), which object, the action, and each
    field changed as [before, after]. As CSV (every match) with ?format=csv or Accept: text/csv."""
    found = AuditFilter.from_text(actor=who, action=action, entity=object, since=since, until=until)
    log = service_of(request).audit
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        return table_file(log.csv(found), "csv", "caunoi-audit")
    return log.entries(found, limit=limit)
