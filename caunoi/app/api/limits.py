"""What a call must pass before its route runs: a token bucket of `api_rate_per_minute` requests
per API token (or session user, or client address, without either), a body of at most MAX_BODY
bytes (on the upload routes BodyLimit is given: their file's limit plus UPLOAD_MARGIN), no NUL
character in the query string (bodies: schemas._Body), the CSRF header on a cookie-authenticated
call that changes something, and `Reader`, a user who may read. It answers refusals with
errors.ApiError and never looks at what the route does."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caunoi.app.api.errors import ApiError, error_response
from caunoi.app.api.schemas import NUL
from caunoi.app.auth import check_csrf, client_address, current_user, require
from caunoi.users import address_key

MAX_BODY = 1024 * 1024  # bytes; a larger request body is refused with 413
UPLOAD_MARGIN = 64 * 1024  # a multipart body's boundaries, part headers and small fields around a file
DRAIN = 16 * MAX_BODY  # how much of a refused body is read before answering 413

Reader = Annotated[dict[str, Any], Depends(require("read"))]


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, bursts of a quarter of that."""

    def __init__(self, per_minute: int):
        self.rate = max(1, per_minute) / 60.0
        self.burst = max(1.0, per_minute / 4)
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self.lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 if the request may go on, else the seconds to wait before the next one will."""
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, then = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return (1 - tokens) / self.rate
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > 10_000:  # forget callers whose bucket has refilled
                full = now - self.burst / self.rate
                self.buckets = {k: v for k, v in self.buckets.items() if v[1] > full}
            return 0.0


def rate_limit(request: Request) -> None:
    """429 with Retry-After when the caller's bucket is empty. The caller is who the request
    authenticates as (its API token, or its session's user), else its client address: never the
    text of a header, which a client could change at every call."""
    user = current_user(request)
    if user is not None and user.get("token"):
        key = f"token:{user['token']['id']}"
    elif user is not None:
        key = f"user:{user['id']}"
    else:
        key = "ip:" + address_key(client_address(request))
    wait = request.app.state.rate_limiter.take(key)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: wait {math.ceil(wait)} s and slow down",
            {"Retry-After": str(math.ceil(wait))},
        )


def no_nul_query(request: Request) -> None:
    """422 when a query parameter's name or value holds NUL."""
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise ApiError(422, "invalid", f"query.{name.replace(NUL, '')}: remove the NUL character (%00)")


def csrf(request: Request) -> None:
    """State-changing calls made with the session cookie must carry the X-CSRF-Token header."""
    check_csrf(request, None)


class BodyLimit:
    """Refuse request bodies over MAX_BODY bytes with 413, by Content-Length or as they arrive.
    `uploads` are (path regex, limit) pairs: a POST to a path the regex matches whole may send up
    to that limit instead (the routes that take a file)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY, uploads: Sequence[tuple[str, int]] = ()):
        self.app = app
        self.limit = limit
        self.uploads = [(re.compile(pattern), size) for pattern, size in uploads]

    def _limit(self, scope: Scope) -> int:
        if scope.get("method") == "POST":
            for pattern, size in self.uploads:
                if pattern.fullmatch(scope["path"]):
                    return size
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > limit:
                await self._refuse(scope, receive, send, limit)
                return
            await self.app(scope, receive, send)
            return
        if headers.get(b"transfer-encoding") is None:
            await self.app(scope, receive, send)
            return
        # chunked: read it all (at most limit bytes) before the app sees it
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                chunks.clear()
                # the piece that went past the limit may have been the last: then there is
                # nothing left to drain, and waiting for more would never answer
                await self._refuse(scope, receive, send, limit, drain=bool(message.get("more_body")))
                return
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: int, drain: bool = True
    ) -> None:
        # Read (and drop) a modest excess first, so the client gets the answer rather than a reset
        # connection; beyond DRAIN bytes the connection is simply closed.
        drained = 0
        while drain and drained <= DRAIN:
            chunk = await receive()
            drained += len(chunk.get("body", b""))
            if chunk["type"] != "http.request" or not chunk.get("more_body"):
                break
        message = f"the request body is larger than {limit // 1024} KiB"
        if scope["path"].startswith("/api/"):
            response: Response = error_response(413, "too_large", message, {"Connection": "close"})
        else:
            response = PlainTextResponse(message, status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)
