"""The REST API at /api/v1: articles, search (every CLI filter) and its exports, stories, sources,
alerts (and their rules and channels), cases, fact sheets, saved searches, units, outreach
(campaigns, packs, products, activities, their evaluation) and users with their API tokens, as a
thin shell over caunoi.service.

Every call needs a user (a Bearer token, or the web session cookie plus the CSRF header for calls
that change something); every error is `{"error": {"status", "code", "message"}}`; each token (or
address, without one) gets a token bucket of `api_rate_per_minute` requests; bodies are at most
MAX_BODY bytes (those of the routes taking a file: outreach.upload_limits); lists are paged with an
opaque `cursor` and answer `next_cursor` (null at the end).
Swagger UI is served at /docs from caunoi/app/static/swagger, so it works offline.

This module assembles the routers of the route modules (search, stories, reports, sources,
alerts, cases, factsheets, units, outreach, evaluation, users: one per concept) under PREFIX with the
limits every call passes, and `install` adds them to the app with the error handlers. The answers
and bodies are in schemas, errors in errors, limits in limits, cursors in paging, file exports in
export."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from caunoi.app.api import (
    alerts,
    attention,
    audit,
    cases,
    evaluation,
    factsheets,
    outreach,
    reports,
    search,
    sources,
    stories,
    units,
    users,
)
from caunoi.app.api.errors import (
    BUSY,
    DOMAIN_ERRORS,
    RESPONSES,
    domain_error,
    http_error,
    validation_error,
)
from caunoi.app.api.limits import BodyLimit, RateLimiter, no_nul_query, rate_limit

PREFIX = "/api/v1"
OPENAPI = f"{PREFIX}/openapi.json"
# Swagger UI without inline script (the Content-Security-Policy forbids it): swagger-init.js starts it
# on the schema named in data-openapi
SWAGGER_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="icon" href="/static/swagger/favicon-32x32.png">
<title>{{title}}</title>
</head>
<body>
<div id="swagger-ui" data-openapi="{OPENAPI}"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/js/swagger-init.js"></script>
</body>
</html>
"""

# every route passes the rate limit, then the NUL check, before its own dependencies
router = APIRouter(
    prefix=PREFIX, dependencies=[Depends(rate_limit), Depends(no_nul_query)], responses=RESPONSES
)
CONCEPTS = (
    search, attention, stories, reports, sources, alerts, cases, factsheets, units, outreach, evaluation,
    users, audit,
)  # fmt: skip
for concept in CONCEPTS:
    router.include_router(concept.router)

# -- installing -----------------------------------------------------------------------------------


def install(app: FastAPI, uploads: Sequence[tuple[str, int]] = ()) -> None:
    """Add the API routes, its error handlers and limits, and the offline Swagger UI at /docs.
    `uploads`: (path regex, body limit) of other routes that take files (the web pages' forms)."""
    app.state.rate_limiter = RateLimiter(app.state.service.settings.api_rate_per_minute)
    app.include_router(router)
    ours = [(PREFIX + path, size) for path, size in outreach.upload_limits(app.state.service.settings)]
    app.add_middleware(BodyLimit, uploads=ours + list(uploads))
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    for kind, (status, code) in DOMAIN_ERRORS.items():
        app.add_exception_handler(kind, domain_error(status, code))
    app.add_exception_handler(PoolTimeout, domain_error(503, "busy", BUSY, {"Retry-After": "5"}))

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(SWAGGER_PAGE.format(title=html.escape(f"{app.title} — Swagger UI")))

    _add_security_scheme(app)


def _add_security_scheme(app: FastAPI) -> None:
    """Tell OpenAPI (and Swagger UI's Authorize button) that calls take a Bearer token."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "caunoi users token-add"}
            }
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
