"""The audit log's page: who changed what, when (in the reader's zone, named), filtered by who,
action, object and time (typed in the reader's zone),
with a link to the same entries as CSV (GET /api/v1/audit?format=csv); for those with audit.read
(administrators). The filter form is a GET: it changes nothing, so it carries no CSRF token."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import need, page_user
from caunoi.app.ui.render import _render
from caunoi.audit import LIST_LIMIT, AuditError, AuditFilter

router = APIRouter(include_in_schema=False)
FIELDS = ("who", "action", "object", "since", "until")


@router.get("/audit")
def audit(request: Request) -> Response:
    user = page_user(request)
    need(user, "audit.read")
    asked = {name: request.query_params.get(name, "")[:200] for name in FIELDS}
    zone = service_of(request).zone_of(user)
    try:
        found = AuditFilter.from_text(
            actor=asked["who"], action=asked["action"], entity=asked["object"], since=asked["since"],
            until=asked["until"], timezone=zone,
        )  # fmt: skip
    except AuditError as exc:
        return _render(request, user, "audit.html.j2", status=400, asked=asked, entries=[], error=exc,
                       limit=LIST_LIMIT, export="", reader_zone=zone)  # fmt: skip
    entries = service_of(request).audit.entries(found)
    query = urlencode({k: v for k, v in asked.items() if v} | {"format": "csv"})
    return _render(request, user, "audit.html.j2", asked=asked, entries=entries, limit=LIST_LIMIT,
                   export=f"/api/v1/audit?{query}", reader_zone=zone)  # fmt: skip
