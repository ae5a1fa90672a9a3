"""The sources' page: each source's state (never fetched, recognise only, alive, dead…), its stored
articles however they came, what it last fetched, for those who manage them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import need, page_user
from caunoi.app.ui.render import _render

router = APIRouter(include_in_schema=False)
# a source's state (caunoi.models.SourceHealth.state) -> its label
HEALTH = {
    "ok": "alive",
    "failing": "failing",
    "dead": "dead",
    "not_fetched": "not_fetched",
    "disabled": "source_disabled",
    "recognise_only": "recognise_only",
}


@router.get("/sources")
def sources(request: Request) -> Response:
    user = page_user(request)
    need(user, "source.manage")
    found = service_of(request).sources.status()
    return _render(request, user, "sources.html.j2", sources=found, health=HEALTH)
