"""caunoi's web app served for real: uvicorn on a free loopback port, in a thread of this process;
and what its API's errors look like."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from caunoi.app import create_app
from caunoi.config import Settings


@contextlib.contextmanager
def serve(settings: Settings, prepare: Callable[[FastAPI], None] | None = None) -> Iterator[str]:
    """create_app(settings) served by uvicorn on 127.0.0.1 in a thread, as `caunoi serve` serves it
    (X-Forwarded-For is the app's to read, not uvicorn's); `prepare` is given the app first (to
    inject a clock, say). Yields its base URL."""
    app = create_app(settings)
    if prepare is not None:
        prepare(app)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the API's JSON error of this status (and code)."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if code:
        assert error["code"] == code
    return error
