"""The security headers every response carries — pages, Swagger UI at /docs, the API's JSON, files,
refusals made before a route runs (413, 429) — so that none depends on which part answered:
nosniff, no framing, the referrer kept on this site, and a Content-Security-Policy: HTML may load
scripts, styles and images from this server only and run no inline script (chart data and Swagger
UI's settings travel as data that a static script reads); anything else may load nothing at all."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)  # styles: Plotly and Swagger UI set inline styles on what they draw
DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
VENDORED = "/static/vendor/"  # files with their version in their name: a new version is a new URL


class SecurityHeaders:
    """ASGI middleware: the headers of the module's docstring on every HTTP response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").startswith("text/html")
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Content-Security-Policy"] = PAGE_CSP if html else DATA_CSP
                if path.startswith(VENDORED) and message["status"] == 200:
                    headers["Cache-Control"] = "public, max-age=31536000, immutable"
                elif html or path.startswith("/api/"):  # a user's data: no shared cache keeps it
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
