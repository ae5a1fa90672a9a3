"""The sources' page: what each source last fetched and when it is due, for those who manage them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import need, page_user
from caunoi.app.ui.render import _render

router = APIRouter(include_in_schema=False)


@router.get("/sources")
def sources(request: Request) -> Response:
    user = page_user(request)
    need(user, "source.manage")
    found = service_of(request).sources.status()
    return _render(request, user, "sources.html.j2", sources=found)
